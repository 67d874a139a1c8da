"""Hand-worked routes on the bundled catalogue: each target kind, objective and infeasibility reason.

The expected figures were worked out from the catalogue files (prices, intakes, rules) and
are documented next to each test; a change to the catalogue that moves them should be a
conscious one.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planner.catalogue.models import Constraints, Holding, LearnerProfile, Target
from planner.engine.diagnose import apply_relaxation
from planner.engine.routing import recommend

START = dt.date(2027, 1, 4)


def learner(holdings=(), **constraints) -> LearnerProfile:
    return LearnerProfile(holdings=[Holding(credential=c, earned=d) for c, d in holdings],
                          constraints=Constraints(start=START, **constraints))


def test_data_analyst_cheapest_is_the_mooc_route(sample_catalogue):
    # four OpenSkills MOOCs: 0 + 49 + 79 + 79 EUR
    rec = recommend(sample_catalogue, learner(), Target.parse("role:data-analyst"), alternatives=3)
    best = rec.best
    assert set(best.credential_ids) == {"osa-sql-basics", "osa-python-data", "osa-data-cleaning",
                                        "osa-data-mining-intro"}
    assert best.total_cost == pytest.approx(sum(
        sample_catalogue.to_base(sample_catalogue.credential(c).cost) for c in best.credential_ids))
    assert best.proved_optimal
    assert len({frozenset(r.credential_ids) for r in rec.routes}) == 3
    assert [r.total_cost for r in rec.routes] == sorted(r.total_cost for r in rec.routes)


def test_data_analyst_fastest_is_the_bootcamp_when_hours_allow(sample_catalogue):
    fast = recommend(sample_catalogue, learner(hours_per_week=40), Target.parse("role:data-analyst"),
                     objective="time").best
    assert fast.credential_ids == ("lg-data-analyst-bootcamp",)
    assert fast.weeks == 12 and fast.proved_optimal
    # at 10 hours a week the 34 h/week bootcamp cannot be scheduled: another route wins
    slow = recommend(sample_catalogue, learner(hours_per_week=10), Target.parse("role:data-analyst"),
                     objective="time").best
    assert "lg-data-analyst-bootcamp" not in slow.credential_ids
    assert slow.weeks > 12
    assert all(s.hours_per_week <= 10 for s in slow.schedule)


def test_workload_objective_orders_by_hours(sample_catalogue):
    rec = recommend(sample_catalogue, learner(), Target.parse("role:data-analyst"), objective="workload",
                    alternatives=3)
    assert [r.total_hours for r in rec.routes] == sorted(r.total_hours for r in rec.routes)


def test_award_target_with_recognised_equivalent_is_cheaper(sample_catalogue):
    # Levante's hygiene module is recognised as the equivalent of WSU's infection prevention module
    rec = recommend(sample_catalogue, learner(), Target.parse("award:wsu-cert-health-promotion-ipc"),
                    alternatives=2)
    best, second = rec.routes
    assert "lfp-hygiene-healthcare" in best.credential_ids
    assert "wsu-infection-prevention" in second.credential_ids
    assert best.total_cost < second.total_cost
    assert best.credential_ids[-1] == "wsu-cert-health-promotion-ipc"
    assert "wsu-cert-health-promotion-ipc" in best.awards_completed


def test_master_accepts_a_recognised_certificate_within_the_rpl_cap(sample_catalogue):
    target = Target.parse("award:nhu-msc-data-science")
    plain = recommend(sample_catalogue, learner(), target).best
    held = recommend(sample_catalogue, learner([("thr-cas-cloud-engineering", dt.date(2026, 6, 1))]), target).best
    assert held.total_cost < plain.total_cost
    assert "thr-cas-cloud-engineering" not in held.credential_ids
    # the MSc is completed by a stacked certificate on both routes
    assert any(catalogue_type(sample_catalogue, c) == "certificate" for c in plain.credential_ids)


def catalogue_type(catalogue, cid):
    return str(catalogue.credential(cid).type)


def test_credit_objective_maximises_credit_towards_the_award(sample_catalogue):
    target = Target.parse("award:nhu-msc-data-science")
    by_cost = recommend(sample_catalogue, learner(), target, credit_award="nhu-msc-data-science").best
    by_credit = recommend(sample_catalogue, learner(), target, objective="credit").best
    assert by_credit.credit_towards is not None and by_cost.credit_towards is not None
    assert by_credit.credit_towards >= by_cost.credit_towards
    assert by_credit.proved_optimal


def test_held_certification_is_not_recommended_but_expired_one_is(sample_catalogue):
    target = Target.parse("role:ict-security-administrator")
    fresh = recommend(sample_catalogue, learner([("csb-security-foundations", dt.date(2026, 1, 10))]), target,
                      alternatives=3)
    assert all("csb-security-foundations" not in r.credential_ids for r in fresh.routes)
    base = recommend(sample_catalogue, learner(), target, alternatives=3)
    expired = recommend(sample_catalogue, learner([("csb-security-foundations", dt.date(2020, 1, 10))]), target,
                        alternatives=3)
    # credit valid 3 years: a 2020 certificate counts for nothing, so the routes are those of a beginner
    assert [r.credential_ids for r in expired.routes] == [r.credential_ids for r in base.routes]
    assert [r.weeks for r in expired.routes] == [r.weeks for r in base.routes]  # nor does it meet prerequisites
    assert fresh.best.total_cost < base.best.total_cost


def test_catalogue_gap_is_reported_as_nobody_teaches(sample_catalogue):
    rec = recommend(sample_catalogue, learner(), Target.parse("role:onshore-wind-energy-engineer"))
    assert not rec.feasible
    assert rec.diagnoses[0].code == "no_teacher"
    assert "level 3" in rec.diagnoses[0].message and "highest level taught is 2" in rec.diagnoses[0].message


def test_tight_budget_is_diagnosed_and_the_fix_works(sample_catalogue):
    profile = learner(budget="1500 EUR")
    rec = recommend(sample_catalogue, profile, Target.parse("role:data-scientist"))
    assert not rec.feasible
    budget = next(d for d in rec.diagnoses if d.code == "budget")
    cheapest = recommend(sample_catalogue, learner(), Target.parse("role:data-scientist")).best
    assert f"{cheapest.total_cost:,.0f} EUR" in budget.message
    assert recommend(sample_catalogue, apply_relaxation(profile, budget.relaxation),
                     Target.parse("role:data-scientist")).feasible


def test_excluded_mode_is_diagnosed_with_the_mode_to_accept(sample_catalogue):
    profile = learner(modes=["onsite"])
    rec = recommend(sample_catalogue, profile, Target.parse("role:data-analyst"))
    assert not rec.feasible
    fix = next(d for d in rec.diagnoses if "modes" in d.relaxation)
    assert "online" in fix.relaxation["modes"]
    assert recommend(sample_catalogue, apply_relaxation(profile, fix.relaxation),
                     Target.parse("role:data-analyst")).feasible


def test_deadline_is_diagnosed_with_the_earliest_finish(sample_catalogue):
    profile = learner(deadline=START + dt.timedelta(weeks=6))
    rec = recommend(sample_catalogue, profile, Target.parse("role:data-analyst"))
    assert not rec.feasible
    fix = next(d for d in rec.diagnoses if d.code == "deadline")
    assert recommend(sample_catalogue, apply_relaxation(profile, fix.relaxation),
                     Target.parse("role:data-analyst")).feasible


def test_competencies_target(sample_catalogue):
    rec = recommend(sample_catalogue, learner(), Target.parse("competencies:query-languages=2,use-databases=2"))
    best = rec.best
    assert best is not None and best.proved_optimal
    taught = {(t.competency, t.level) for c in best.credential_ids
              for t in sample_catalogue.credential(c).teaches}
    assert any(c == "query-languages" and lv >= 2 for c, lv in taught)
    assert any(c == "use-databases" and lv >= 2 for c, lv in taught)


@pytest.mark.parametrize("role", ["data-analyst", "phlebotomist", "solar-energy-engineer", "ict-project-manager",
                                  "energy-manager", "database-administrator"])
def test_every_route_meets_its_role_and_orders_prerequisites(sample_catalogue, role):
    cat = sample_catalogue
    rec = recommend(cat, learner(hours_per_week=20), Target.parse(f"role:{role}"), alternatives=3)
    assert rec.feasible
    for route in rec.routes:
        levels: dict[str, int] = {}
        for cid in route.credential_ids:
            for t in cat.credential(cid).teaches:
                levels[t.competency] = max(levels.get(t.competency, 0), t.level)
        for need in cat.role(role).needs:
            if need.essential:
                assert levels.get(need.competency, 0) >= need.level, (route.rank, need)
        when = {s.credential_id: s for s in route.schedule}
        for cid in route.credential_ids:
            for group in cat.credential(cid).requires:
                met = False
                for alt in group.any_of:
                    if alt.credential:
                        met |= alt.credential in when and when[alt.credential].end_week <= when[cid].start_week
                    else:
                        met |= any(t.competency == alt.competency and t.level >= alt.level
                                   and when[o].end_week <= when[cid].start_week
                                   for o in route.credential_ids if o != cid for t in cat.credential(o).teaches)
                assert met, (cid, group)
        for week in range(route.weeks):
            assert sum(s.hours_per_week for s in route.schedule if s.start_week <= week < s.end_week) <= 20


def test_weekly_hours_are_diagnosed_and_the_fix_works(sample_catalogue):
    # every data-scientist route needs a 17 h/week module at some point
    profile = learner(hours_per_week=12)
    rec = recommend(sample_catalogue, profile, Target.parse("role:data-scientist"))
    assert not rec.feasible
    fix = next(d for d in rec.diagnoses if d.code == "hours")
    assert fix.relaxation["hours_per_week"] > 12
    fixed = recommend(sample_catalogue, apply_relaxation(profile, fix.relaxation), Target.parse("role:data-scientist"))
    assert fixed.feasible
    assert all(s.hours_per_week <= fix.relaxation["hours_per_week"] for s in fixed.best.schedule)
