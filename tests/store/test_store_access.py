"""Role scoping, proved on random populations: each user reaches exactly the records the rules allow.

A learner reaches only their own record; an advisor only their caseload (and their own record);
an admin no individual record at all, only anonymised aggregates. Everything else is refused
with AccessDenied, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.store.access import Role
from planner.store.errors import AccessDenied
from planner.store.identity import Identity
from planner.store.records import MIN_GROUP

from .conftest import reset

population = st.fixed_dictionaries({
    "advisors": st.integers(1, 3),
    "learner_users": st.integers(0, 3),
    # each record: linked learner-user index (or None) and the creating advisor index
    "records": st.lists(st.tuples(st.none() | st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=5),
    "extra_links": st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4)), max_size=4),
})


def _build(store, pop, catalogue, analyst):
    scenario, rec = analyst
    admin = store.user_for(Identity("https://idp.test", "admin"), role=Role.ADMIN)
    advisors = [store.user_for(Identity("https://idp.test", f"adv{i}"), role=Role.ADVISOR)
                for i in range(pop["advisors"])]
    learners = [store.user_for(Identity("https://idp.test", f"lrn{i}")) for i in range(pop["learner_users"])]
    records = []  # (learner id, plan id, owner user id or None, set of advisor ids)
    used = set()
    for link, creator in pop["records"]:
        owner = learners[link] if link is not None and link < len(learners) and link not in used else None
        if owner is not None:
            used.add(link)
            rec_ = store.create_learner(owner, f"L{len(records)}")
            advisers: set[int] = set()
            saver = owner
        else:
            adv = advisors[creator % len(advisors)]
            rec_ = store.create_learner(adv, f"L{len(records)}")
            advisers = {adv.id}
            saver = adv
        plan = store.save_plan(saver, rec_.id, scenario=scenario, catalogue=catalogue, recommendation=rec)
        records.append([rec_.id, plan.plan_id, owner.id if owner else None, advisers])
    for a, r in pop["extra_links"]:
        if r < len(records):
            store.assign(admin, advisors[a % len(advisors)].id, records[r][0])
            records[r][3].add(advisors[a % len(advisors)].id)
    return admin, advisors, learners, records


def _calls(store, user, lid, pid, step, scenario, rec, catalogue):
    """Every query and command on one learner's records, as the given user."""
    return [
        lambda: store.learner(user, lid),
        lambda: store.plans(user, lid),
        lambda: store.plan(user, pid),
        lambda: store.plan_versions(user, pid),
        lambda: store.progress(user, pid),
        lambda: store.set_progress(user, pid, step, "in_progress"),
        lambda: store.save_plan(user, lid, scenario=scenario, catalogue=catalogue, recommendation=rec, plan_id=pid,
                                overwrite=True),
        lambda: store.update_profile(user, lid, store_profile()),
        lambda: store.export_learner(user, lid),
        lambda: store.audit_log(user, lid),
    ]


def store_profile():
    from planner.catalogue.models import LearnerProfile

    return LearnerProfile(name="changed")


def _allowed(user, record) -> bool:
    _, _, owner, advisers = record
    if user.role == Role.ADMIN:
        return False
    return owner == user.id or (user.role == Role.ADVISOR and user.id in advisers)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # repr of the fixtures
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pop=population)
def test_every_user_reaches_exactly_the_records_the_rules_allow(store, sample_catalogue, analyst, pop):
    reset(store)
    scenario, rec = analyst
    admin, advisors, learners, records = _build(store, pop, sample_catalogue, analyst)
    step = rec.best.credential_ids[0]
    ghost = [max(r[0] for r in records) + 1, max(r[1] for r in records) + 1, None, set()]
    for user in [admin, *advisors, *learners]:
        visible = {r[0] for r in records if _allowed(user, r)}
        assert set(store.learner_ids(user)) == visible
        if user.role != Role.ADMIN:
            assert {row.learner_id for row in store.caseload(user)} == visible
        for record in [*records, ghost]:
            lid, pid = record[0], record[1]
            calls = _calls(store, user, lid, pid, step, scenario, rec, sample_catalogue)
            if _allowed(user, record):
                for call in calls:
                    call()
                assert store.export_learner(user, lid)["learner"]["id"] == lid
            else:
                for call in calls:
                    with pytest.raises(AccessDenied):
                        call()


def test_admins_see_anonymised_aggregates_only(store, sample_catalogue, analyst):
    scenario, rec = analyst
    admin = store.user_for(Identity("https://idp.test", "admin"), role=Role.ADMIN)
    advisor = store.user_for(Identity("https://idp.test", "adv"), role=Role.ADVISOR)
    ids = [store.create_learner(advisor, f"Learner {i}").id for i in range(MIN_GROUP + 1)]
    for lid in ids:
        store.save_plan(advisor, lid, scenario=scenario, catalogue=sample_catalogue, recommendation=rec)
    lone = store.create_learner(advisor, "Only one with this target").id
    store.save_plan(advisor, lone, scenario=scenario.model_copy(update={"target": "role:energy-manager"}),
                    catalogue=sample_catalogue)
    figures = store.aggregate(admin)
    assert figures["learners"] == MIN_GROUP + 2 and figures["plans"] == MIN_GROUP + 2
    # the one learner aiming at energy manager is not singled out: small groups merge into "other"
    assert figures["plans_by_target"] == {"role:data-analyst": MIN_GROUP + 1, "other": 1}
    text = repr(figures)
    assert "Learner" not in text and "energy-manager" not in text
    for who in (advisor, store.user_for(Identity("https://idp.test", "someone"))):
        with pytest.raises(AccessDenied, match="only admins"):
            store.aggregate(who)
    with pytest.raises(AccessDenied, match="aggregate figures only"):
        store.learner(admin, ids[0])
    with pytest.raises(AccessDenied):
        store.caseload(admin)
    with pytest.raises(AccessDenied, match="only admins"):
        store.assign(advisor, advisor.id, lone)


def test_a_learner_cannot_create_a_record_for_someone_else(store):
    me = store.user_for(Identity("https://idp.test", "me"))
    other = store.user_for(Identity("https://idp.test", "other"))
    with pytest.raises(AccessDenied):
        store.create_learner(me, "Not me", user_id=other.id)
    mine = store.create_learner(me, "Me")
    assert mine.user_id == me.id
    assert store.learner_ids(other) == []


def test_first_sign_in_role_comes_from_the_configured_lists():
    from planner.store.access import initial_role

    ada = Identity("https://idp.test", "ada", email="Ada@Example.org", email_verified=True)
    env = {"PLANNER_ADVISORS": "someone@example.org, ada@example.org", "PLANNER_ADMINS": "https://idp.test|root",
           "PLANNER_OIDC_ISSUER": "https://idp.test"}
    assert initial_role(ada, env) == Role.ADVISOR  # a verified address at the configured issuer
    assert initial_role(Identity("https://idp.test", "root"), env) == Role.ADMIN
    assert initial_role(Identity("https://other.test", "root"), env) == Role.LEARNER  # another issuer's "root"
    assert initial_role(Identity("https://idp.test", "x", email="x@example.org", email_verified=True),
                        env) == Role.LEARNER
    assert initial_role(ada, {}) == Role.LEARNER


@pytest.mark.parametrize("who", [
    Identity("https://idp.test", "mallory", email="ada@example.org"),  # address not verified
    Identity("https://idp.test", "mallory", email="ada@example.org", email_verified=False),
    Identity("https://evil.test", "ada", email="ada@example.org", email_verified=True),  # another issuer vouches
    Identity("https://idp.test.evil.test", "ada", email="ada@example.org", email_verified=True),
])
def test_an_e_mail_grants_a_role_only_when_verified_by_the_configured_issuer(who):
    from planner.store.access import initial_role

    env = {"PLANNER_ADMINS": "ada@example.org", "PLANNER_ADVISORS": "ada@example.org",
           "PLANNER_OIDC_ISSUER": "https://idp.test"}
    assert initial_role(who, env) == Role.LEARNER
    # without a configured issuer no e-mail address grants anything, verified or not
    verified = Identity("https://idp.test", "ada", email="ada@example.org", email_verified=True)
    assert initial_role(verified, {k: v for k, v in env.items() if k != "PLANNER_OIDC_ISSUER"}) == Role.LEARNER
    assert initial_role(verified, env) == Role.ADMIN


def test_a_forged_admin_claim_cannot_reach_a_learners_notes(store, sample_catalogue, analyst, monkeypatch):
    """The reported chain: an unverified e-mail made admin, who assigned a learner to a fake advisor."""
    scenario, rec = analyst
    monkeypatch.setenv("PLANNER_ADMINS", "boss@uni.example")
    monkeypatch.setenv("PLANNER_ADVISORS", "")
    monkeypatch.setenv("PLANNER_OIDC_ISSUER", "https://idp.uni.example")
    real = store.user_for(Identity("https://idp.uni.example", "ana"), role=Role.ADVISOR)
    lee = store.create_learner(real, "Lee")
    store.save_plan(real, lee.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                    notes="private note")
    fake_admin = store.user_for(Identity("https://attacker.example", "x", email="boss@uni.example"))
    unverified = store.user_for(Identity("https://idp.uni.example", "y", email="boss@uni.example"))
    assert fake_admin.role == unverified.role == Role.LEARNER
    fake_advisor = store.user_for(Identity("https://attacker.example", "z"))
    for who in (fake_admin, unverified):
        with pytest.raises(AccessDenied):
            store.assign(who, fake_advisor.id, lee.id)
        with pytest.raises(AccessDenied):
            store.export_learner(who, lee.id)
    real_admin = store.user_for(Identity("https://idp.uni.example", "boss", email="boss@uni.example",
                                         email_verified=True))
    assert real_admin.role == Role.ADMIN


def test_a_demoted_advisor_stops_seeing_her_caseload_at_once(store):
    """The role is read again by every call: a User held by an open session carries no power of its own."""
    admin = store.user_for(Identity("https://idp.test", "admin"), role=Role.ADMIN)
    kim = store.user_for(Identity("https://idp.test", "kim"), role=Role.ADVISOR)
    lee = store.create_learner(kim, "Lee")
    assert [r.learner_id for r in store.caseload(kim)] == [lee.id]
    store.set_role(admin, kim.id, Role.LEARNER)
    # kim's session still holds the User it was given at sign-in, with role advisor
    assert kim.role == Role.ADVISOR
    assert store.caseload(kim) == [] and store.learner_ids(kim) == []
    with pytest.raises(AccessDenied):
        store.learner(kim, lee.id)
    with pytest.raises(AccessDenied):
        store.create_learner(kim, "Another", user_id=admin.id)
    assert store.refresh_user(kim).role == Role.LEARNER
    # and a demoted admin loses the admin's calls the same way
    store.set_role(admin, kim.id, Role.ADVISOR)
    store.set_role(admin, admin.id, Role.LEARNER)
    with pytest.raises(AccessDenied, match="only admins"):
        store.aggregate(admin)
    with pytest.raises(AccessDenied, match="only admins"):
        store.set_role(admin, admin.id, Role.ADMIN)


def test_signing_in_again_never_changes_a_role(store):
    ada = Identity("https://idp.test", "ada", name="Ada")
    first = store.user_for(ada, role=Role.LEARNER)
    again = store.user_for(Identity("https://idp.test", "ada", name="Ada Lovelace"), role=Role.ADMIN)
    assert (again.id, again.role, again.name) == (first.id, Role.LEARNER, "Ada Lovelace")
