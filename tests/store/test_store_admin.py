"""Users, roles and caseload assignments (admins only), and whose record a plan is saved to.

On SQLite and PostgreSQL: the administrator adds and lists users, changes roles (never
leaving no administrator), assigns a learner who signed in but has no record yet, and takes
them off again; every other role is refused. :func:`plan_owner` sends a learner's save to
their own record and an advisor's to the learner they chose, and refuses a guess.
"""

from __future__ import annotations

import pytest

from planner.store import admin
from planner.store.access import Capability, Role, capabilities
from planner.store.errors import AccessDenied, NotFound, StoreError
from planner.store.identity import Identity
from planner.store.people import NoLearnerChosen, learner_choices, plan_owner

IDP = "https://idp.test"


@pytest.fixture
def people(store):
    amy = store.user_for(Identity(IDP, "amy", "amy@example.org", "Amy Admin"), role=Role.ADMIN)
    ada = store.user_for(Identity(IDP, "ada", "ada@example.org", "Ada Advisor"), role=Role.ADVISOR)
    bob = store.user_for(Identity(IDP, "bob", None, "Bob Advisor"), role=Role.ADVISOR)
    lea = store.user_for(Identity(IDP, "lea", "lea@example.org", "Lea Learner"))
    return store, amy, ada, bob, lea


def test_admin_lists_users_by_role_with_their_records_and_caseloads(people):
    store, amy, ada, _bob, _lea = people
    noor = store.create_learner(ada, "Noor Example")
    rows = admin.list_users(store, amy)
    assert [(u.name, u.role.value) for u in rows] == [
        ("Amy Admin", "admin"), ("Ada Advisor", "advisor"), ("Bob Advisor", "advisor"), ("Lea Learner", "learner")]
    by_name = {u.name: u for u in rows}
    assert by_name["Ada Advisor"].caseload == 1 and by_name["Bob Advisor"].caseload == 0
    assert by_name["Lea Learner"].learner_id is None and by_name["Lea Learner"].key == f"{IDP}|lea"
    assert noor.user_id is None
    assert [(e.name, e.user_id, e.advisors) for e in admin.learners(store, amy)] == [("Noor Example", None, (ada.id,))]
    admin.unassign(store, amy, ada.id, noor.id)
    # nobody's learner any more, and still listed to be assigned again
    assert [(e.name, e.advisors) for e in admin.learners(store, amy)] == [("Noor Example", ())]


def test_a_learner_who_only_signed_in_is_assigned_and_unassigned(people):
    store, amy, ada, _, lea = people
    done = admin.assign(store, amy, ada.id, user_id=lea.id)
    assert (done.advisor, done.learner, done.learner_user_id) == ("Ada Advisor", "Lea Learner", lea.id)
    # the learner's own record, created empty for the assignment, is the advisor's to work on
    assert store.own_learner_id(lea) == done.learner_id
    assert [c.name for c in learner_choices(store, ada)] == ["Lea Learner"]
    assert admin.list_users(store, amy)[-1].advisors == (ada.id,)
    assert [(a.advisor_id, a.learner_id) for a in admin.assignments(store, amy)] == [(ada.id, done.learner_id)]
    again = admin.assign(store, amy, ada.id, user_id=lea.id)  # idempotent: no second record, no second link
    assert again.learner_id == done.learner_id and len(admin.assignments(store, amy, ada.id)) == 1
    admin.unassign(store, amy, ada.id, done.learner_id)
    assert learner_choices(store, ada) == [] and admin.assignments(store, amy) == []
    with pytest.raises(NotFound, match="not on the caseload"):
        admin.unassign(store, amy, ada.id, done.learner_id)
    actions = [e.action for e in store.audit_entries(done.learner_id)]
    assert actions == ["create", "assign", "unassign"]


def test_assign_refuses_what_is_not_an_advisor_or_a_learner(people):
    store, amy, ada, _bob, lea = people
    with pytest.raises(NotFound, match="is not an advisor"):
        admin.assign(store, amy, lea.id, user_id=lea.id)
    with pytest.raises(NotFound, match="no learner 999"):
        admin.assign(store, amy, ada.id, learner_id=999)
    with pytest.raises(NotFound, match="no user 999"):
        admin.assign(store, amy, ada.id, user_id=999)
    with pytest.raises(StoreError, match="exactly one"):
        admin.assign(store, amy, ada.id)


def test_roles_change_and_the_last_admin_stays(people):
    store, amy, ada, _, lea = people
    assert admin.set_role(store, amy, lea.id, "advisor").role == Role.ADVISOR
    assert store.user_for(Identity(IDP, "lea")).role == Role.ADVISOR  # signing in again keeps the new role
    with pytest.raises(StoreError, match="last administrator"):
        admin.set_role(store, amy, amy.id, Role.ADVISOR)
    ada = admin.set_role(store, amy, ada.id, Role.ADMIN)
    assert admin.set_role(store, amy, amy.id, Role.ADVISOR).role == Role.ADVISOR  # another admin remains
    with pytest.raises(NotFound):
        admin.set_role(store, ada, 999, Role.LEARNER)
    with pytest.raises(ValueError):
        admin.set_role(store, ada, lea.id, "owner")


def test_users_are_added_before_they_sign_in_and_keep_that_role(people):
    store, amy, *_ = people
    added = admin.add_user(store, amy, Identity(IDP, "kim", "kim@example.org", "Kim"), Role.ADVISOR)
    assert store.user_for(Identity(IDP, "kim", "kim@example.org", "Kim")) == added
    with pytest.raises(StoreError, match="is a user already"):
        admin.add_user(store, amy, Identity(IDP, "kim"), Role.LEARNER)


@pytest.mark.parametrize("who", ["ada", "lea"])
def test_nobody_but_an_admin_manages_people(people, who):
    store, _amy, ada, _bob, lea = people
    actor = {"ada": ada, "lea": lea}[who]
    for call in (lambda: admin.list_users(store, actor), lambda: admin.assignments(store, actor),
                 lambda: admin.learners(store, actor),
                 lambda: admin.add_user(store, actor, Identity(IDP, "x")),
                 lambda: admin.set_role(store, actor, actor.id, Role.ADMIN),
                 lambda: admin.assign(store, actor, ada.id, user_id=lea.id),
                 lambda: admin.unassign(store, actor, ada.id, 1)):
        with pytest.raises(AccessDenied):
            call()
    assert store.user_for(Identity(IDP, who)).role != Role.ADMIN


def test_a_learner_saves_to_their_own_record_and_an_advisor_to_the_one_chosen(people):
    store, amy, ada, bob, lea = people
    own = plan_owner(store, lea, None)
    assert own == store.own_learner_id(lea)  # created on the first save
    assert plan_owner(store, lea, own) == own
    noor = store.create_learner(ada, "Noor")
    with pytest.raises(AccessDenied):
        plan_owner(store, lea, noor.id)  # a learner never saves to someone else
    assert plan_owner(store, ada, noor.id) == noor.id
    with pytest.raises(NoLearnerChosen):
        plan_owner(store, ada, None)  # whose plan it is is never guessed
    with pytest.raises(AccessDenied):
        plan_owner(store, bob, noor.id)  # not on Bob's caseload
    with pytest.raises(NoLearnerChosen):
        plan_owner(store, amy, None)


def test_the_single_user_chooses_among_their_own_record_and_their_learners(store):
    me = store.local_user()
    noor = store.create_learner(me, "Noor")
    choices = learner_choices(store, me)
    assert [(c.name, c.own) for c in choices] == [("Local user", True), ("Noor", False)]
    assert plan_owner(store, me, noor.id) == noor.id  # the chosen learner, not the local user's record
    assert plan_owner(store, me, None) == choices[0].learner_id  # nobody chosen: the one person there is


def test_capabilities_shape_each_role(people, store):
    _, amy, ada, _, lea = people
    assert Capability.CASELOAD not in capabilities(lea) and Capability.OWN_PLANS in capabilities(lea)
    assert Capability.CASELOAD in capabilities(ada) and Capability.OWN_PLANS not in capabilities(ada)
    assert capabilities(amy) >= {Capability.MANAGE_PEOPLE, Capability.AGGREGATE}
    assert Capability.PLAN_ROUTES not in capabilities(amy)
    local = store.local_user()
    assert {Capability.OWN_PLANS, Capability.CASELOAD} <= capabilities(local)
