"""Hand-built instances of each class of engine error the oracle exists to catch.

Every test first checks the oracle's own answer against a figure worked out by hand
(so the oracle is tested too), then the engine against the oracle.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from planner.catalogue.models import Catalogue, CompetencyLevel, LearnerProfile, Objective, Target
from planner.engine.routing import recommend
from planner.outputs.export import route_to_markdown
from tests.oracle import Oracle, effort_of
from tests.oracle_checks import Report, check_fixes, check_routes

TODAY = dt.date(2027, 1, 4)


def course(cid: str, *, teaches: dict[str, int] | None = None, requires: list[list[Any]] | None = None,
           cost: float | None = None, currency: str = "EUR", **fields: Any) -> dict[str, Any]:
    """A course spec; ``requires`` groups list credential ids or ``(competency, level)`` pairs."""
    spec: dict[str, Any] = {"id": cid, "title": cid.upper(), "provider": "p0", "type": "course", **fields}
    if cost is not None:
        spec["cost"] = {"amount": cost, "currency": currency}
    spec["teaches"] = [{"competency": k, "level": lv} for k, lv in (teaches or {}).items()]
    spec["requires"] = [{"any_of": [{"credential": a} if isinstance(a, str) else {"competency": a[0], "level": a[1]}
                                    for a in group]} for group in (requires or [])]
    return spec


def award(cid: str, rule: dict[str, Any], *, rpl_cap: float | None = None, **fields: Any) -> dict[str, Any]:
    spec = course(cid, **fields)
    spec["type"] = "certificate"
    spec["award"] = {"rule": rule, **({"rpl_cap": rpl_cap} if rpl_cap is not None else {})}
    return spec


def catalogue(creds: list[dict[str, Any]], *, needs: dict[str, int] | None = None,
              optional: dict[str, int] | None = None, recognitions: list[dict[str, Any]] | None = None,
              rates: dict[str, float] | None = None) -> Catalogue:
    comps = sorted({t["competency"] for c in creds for t in c["teaches"]} | set(needs or {}) | set(optional or {}))
    role_needs = [{"competency": k, "level": lv} for k, lv in (needs or {"k1": 1}).items()]
    role_needs += [{"competency": k, "level": lv, "essential": False} for k, lv in (optional or {}).items()]
    return Catalogue.model_validate({
        "meta": {"base_currency": "EUR", "exchange_rates": rates or {"SEK": 0.0875}},
        "providers": [{"id": "p0", "name": "P0", "country": "SE", "kind": "other"}],
        "competencies": [{"id": k, "label": k} for k in comps],
        "credentials": creds,
        "roles": [{"id": "role", "title": "Role", "needs": role_needs}],
        "recognitions": recognitions or [],
    })


def learner(**constraints: Any) -> LearnerProfile:
    holdings = constraints.pop("holdings", [])
    return LearnerProfile.model_validate({"holdings": holdings, "constraints": {"start": TODAY, **constraints}})


ROLE = Target(kind="role", id="role")


def assert_truthful(cat: Catalogue, profile: LearnerProfile, target: Target, objective: str, k: int = 1) -> None:
    report = check_routes(cat, profile, target, objective, k, today=TODAY)
    assert not report.findings, str(report)


# --------------------------------------------------------------------------- 1 and 2: supersets that are faster

def _fast_superset() -> Catalogue:
    # main needs k0; x teaches k0 slowly (and k2, which the role needs); y teaches k0 fast
    return catalogue([
        course("x", teaches={"k0": 1, "k2": 1}, duration_weeks=6, cost=0),
        course("y", teaches={"k0": 1}, duration_weeks=1, cost=50),
        course("main", teaches={"k1": 1}, requires=[[("k0", 1)]], duration_weeks=2, cost=100),
    ], needs={"k1": 1, "k2": 1})


def test_deadline_met_only_by_a_dearer_superset() -> None:
    cat = _fast_superset()
    profile = learner(deadline=TODAY + dt.timedelta(days=7 * 7 - 1))  # weeks 0..6
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert not oracle.evaluate({"x", "main"}).feasible  # x then main: 8 weeks
    best = oracle.evaluate({"x", "y", "main"})
    assert best.feasible and best.finish_week == 6 and oracle.best_key("cost") == best.key("cost")
    rec = recommend(cat, profile, ROLE, objective="cost", today=TODAY)
    assert rec.routes, [d.message for d in rec.diagnoses]
    assert set(rec.best.credential_ids) == {"x", "y", "main"}
    assert_truthful(cat, profile, ROLE, "cost")


def test_earliest_finish_uses_a_faster_superset() -> None:
    cat = _fast_superset()
    profile = learner()
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert oracle.evaluate({"x", "main"}).finish_week == 8
    assert oracle.best_key("time") == (6, 150.0, 0, 3)
    rec = recommend(cat, profile, ROLE, objective="time", today=TODAY)
    assert rec.best.weeks == 6 or not rec.best.proved_optimal
    assert_truthful(cat, profile, ROLE, "time")


# --------------------------------------------------------------------------- 3: alternatives by time

def test_alternatives_by_time_skip_supersets_and_break_ties_by_optional_needs() -> None:
    cat = catalogue([
        course("a", teaches={"k1": 1}, duration_weeks=4, cost=100),
        course("b", teaches={"k1": 1, "k2": 1}, duration_weeks=4, cost=100),
        course("c", teaches={"k1": 1}, duration_weeks=9, cost=20),
        course("z", teaches={"k3": 1}, duration_weeks=1, cost=10),
    ], needs={"k1": 1}, optional={"k2": 1})
    profile = learner()
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    # b covers the optional need: same finish and cost as a, ranked first
    assert oracle.best_keys("time", 3) == [(4, 100.0, -1, 1), (4, 100.0, 0, 1), (9, 20.0, 0, 1)]
    rec = recommend(cat, profile, ROLE, objective="time", alternatives=3, today=TODAY)
    assert [r.credential_ids for r in rec.routes][:1] == [("b",)]
    assert_truthful(cat, profile, ROLE, "time", 3)


# --------------------------------------------------------------------------- 4: award rules in the schedule

def test_rpl_cap_bounds_prior_credit_over_the_whole_award() -> None:
    rule = {"all_of": [{"credits": 5, "from": ["x", "x2"], "id": "p1"},
                       {"credits": 5, "from": ["y", "y2"], "id": "p2"}]}
    cat = catalogue([
        course("x", ects=5, duration_weeks=4), course("y", ects=5, duration_weeks=4),
        course("x2", ects=5, duration_weeks=4, cost=10), course("y2", ects=5, duration_weeks=4, cost=20),
        award("cert", rule, rpl_cap=5),
        course("adv", teaches={"k1": 1}, requires=[["cert"]], duration_weeks=2, cost=100),
    ])
    profile = learner(holdings=[{"credential": "x", "earned": "2026-06-01"},
                                {"credential": "y", "earned": "2026-06-01"}])
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert not oracle.evaluate({"cert", "adv"}).feasible  # 10 ECTS of prior credit, cap 5
    best = oracle.evaluate({"x2", "cert", "adv"})
    assert best.feasible and best.schedule.award_weeks == {"cert": 4} and best.finish_week == 6
    assert oracle.best_key("cost") == best.key("cost")
    for objective in ("cost", "time"):
        assert_truthful(cat, profile, ROLE, objective)


def test_agreement_without_pool_counts_in_the_first_pool_only() -> None:
    rule = {"all_of": [{"credits": 5, "from": ["m1"]}, {"credits": 5, "from": ["m2"]}]}
    cat = catalogue([
        course("ext", ects=5, duration_weeks=3),
        course("m1", ects=5, duration_weeks=4, cost=30), course("m2", ects=5, duration_weeks=5, cost=40),
        award("cert", rule),
        course("adv", teaches={"k1": 1}, requires=[["cert"]], duration_weeks=2, cost=100),
    ], recognitions=[{"id": "r0", "provider": "p0", "credential": "ext", "award": "cert", "credits": 5}])
    profile = learner(holdings=[{"credential": "ext", "earned": "2026-06-01"}])
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert not oracle.evaluate({"cert", "adv"}).feasible
    assert not oracle.evaluate({"m1", "cert", "adv"}).feasible  # ext already fills the first pool
    best = oracle.evaluate({"m2", "cert", "adv"})
    assert best.feasible and best.schedule.award_weeks == {"cert": 5} and best.finish_week == 7
    for objective in ("cost", "time"):
        assert_truthful(cat, profile, ROLE, objective)


def test_agreement_expires_on_its_last_day_not_before() -> None:
    rule = {"credential": "m1"}
    recognition = {"id": "r0", "provider": "p0", "credential": "ext", "award": "cert", "credits": 5,
                   "equivalent_to": "m1", "valid_until": TODAY.isoformat()}
    cat = catalogue([course("ext", ects=5, duration_weeks=3), course("m1", ects=5, duration_weeks=4, cost=30),
                     award("cert", rule, teaches={"k1": 1})], recognitions=[recognition])
    profile = learner(holdings=[{"credential": "ext", "earned": "2026-06-01"}])
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert oracle.best_key("cost") == (0.0, 0, 1)  # the award alone: the agreement is in force today
    assert_truthful(cat, profile, ROLE, "cost")


# --------------------------------------------------------------------------- 5: effort when hours are missing

def test_credentials_with_ects_only_take_time_and_hours() -> None:
    cat = catalogue([
        course("e1", teaches={"k1": 1}, ects=5, cost=10),
        course("e2", teaches={"k2": 1}, ects=5, cost=10),
        course("d1", teaches={"k3": 1}, duration_weeks=4, hours=40, cost=10),
    ], needs={"k1": 1, "k2": 1, "k3": 1})
    profile = learner(hours_per_week=15)
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    e = effort_of(cat.credentials[0])
    assert (e.hours, e.weeks) == (125.0, 13) and e.load == pytest.approx(125 / 13)
    # two 9.6 h/week courses cannot share a week under 15 h; d1 (10 h/week) cannot join either
    assert oracle.best_key("time") == (30, 30.0, 0, 3)
    rec = recommend(cat, profile, ROLE, objective="time", today=TODAY)
    assert rec.best.weeks == 30 or not rec.best.proved_optimal
    for objective in ("cost", "time", "workload"):
        assert_truthful(cat, profile, ROLE, objective)


def test_chain_without_durations_is_shown_in_prerequisite_order_with_duration_unknown() -> None:
    # a CTDL-like certification chain: no hours, ECTS or durations anywhere; ids sort against the chain
    cat = catalogue([
        course("c-associate", teaches={"k0": 1}),
        course("b-professional", teaches={"k0": 2}, requires=[["c-associate"]]),
        course("a-expert", teaches={"k1": 1}, requires=[["b-professional"]]),
    ])
    profile = learner()
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert oracle.best_key("time") == (0, 0.0, 0, 3)
    assert oracle.evaluate({"a-expert", "b-professional", "c-associate"}).unknown == {
        "a-expert", "b-professional", "c-associate"}
    rec = recommend(cat, profile, ROLE, today=TODAY)
    assert rec.best.credential_ids == ("c-associate", "b-professional", "a-expert")
    text = route_to_markdown(rec, rec.best, cat)
    assert "duration unknown" in text.lower() and "0 weeks" not in text
    assert_truthful(cat, profile, ROLE, "cost")


# --------------------------------------------------------------------------- 6: diagnosis fixes

def _fixes_work(cat: Catalogue, profile: LearnerProfile, target: Target = ROLE) -> Report:
    rec = recommend(cat, profile, target, today=TODAY)
    assert not rec.routes and not Oracle(cat, profile, target, today=TODAY).feasible
    assert any(d.relaxation for d in rec.diagnoses) or rec.diagnoses, "no diagnosis at all"
    return check_fixes(cat, profile, target, rec.diagnoses, today=TODAY, report=Report())


def test_budget_fix_covers_a_price_in_another_currency() -> None:
    # 1011 SEK at 0.091 = 92.001 EUR: a fix of 92 EUR is a few cents short
    cat = catalogue([course("a", teaches={"k1": 1}, cost=1011, currency="SEK", duration_weeks=2)],
                    rates={"SEK": 0.091})
    profile = learner(budget={"amount": 50, "currency": "EUR"})
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert oracle.cost_of("a") == pytest.approx(92.001)
    report = _fixes_work(cat, profile)
    assert not report.findings, str(report)


def test_hours_fix_respects_the_deadline() -> None:
    cat = catalogue([
        course("a", teaches={"k1": 1}, duration_weeks=6, hours_per_week=8, cost=10),
        course("b", teaches={"k2": 1}, duration_weeks=6, hours_per_week=8, cost=10),
    ], needs={"k1": 1, "k2": 1})
    profile = learner(hours_per_week=7, deadline=TODAY + dt.timedelta(days=7 * 7))
    assert not Oracle(cat, learner(hours_per_week=8, deadline=TODAY + dt.timedelta(days=49)), ROLE,
                      today=TODAY).feasible
    assert Oracle(cat, learner(hours_per_week=16, deadline=TODAY + dt.timedelta(days=49)), ROLE,
                  today=TODAY).feasible
    report = _fixes_work(cat, profile)
    assert not report.findings, str(report)


def test_hours_fix_stays_within_the_model_limit() -> None:
    # 500 hours in 2 weeks is 250 h/week: no weekly-hours value within the model's limit admits it
    cat = catalogue([course("a", teaches={"k1": 1}, duration_weeks=2, hours=500, cost=10)])
    profile = learner(hours_per_week=20)
    report = _fixes_work(cat, profile)
    assert not report.findings, str(report)


@pytest.mark.parametrize("objective", [o.value for o in Objective if o != Objective.CREDIT])
def test_fixtures_above_agree_on_every_objective(objective: str) -> None:
    assert_truthful(_fast_superset(), learner(hours_per_week=10), ROLE, objective)


# --------------------------------------------------------------------------- boundaries a planted bug must trip

@pytest.mark.parametrize("lower", ["taught", "declared", "held"])
def test_a_lower_level_never_meets_a_higher_need(lower: str) -> None:
    creds = [
        course("deep", teaches={"k1": 2}, duration_weeks=2, cost=200),
        course("next", teaches={"k2": 1}, requires=[[("k1", 2)]], duration_weeks=1, cost=10),
    ]
    if lower != "declared":  # a cheap course teaching k1 one level too low
        creds.append(course("basic", teaches={"k1": 1}, duration_weeks=1, cost=10))
    cat = catalogue(creds, needs={"k1": 2, "k2": 1})
    profile = learner()
    if lower == "held":
        profile = learner(holdings=[{"credential": "basic", "earned": "2026-01-01"}])
    elif lower == "declared":
        profile = profile.model_copy(update={"competencies": [CompetencyLevel(competency="k1", level=1)]})
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert not oracle.evaluate({"next"}).feasible and not oracle.evaluate({"basic", "next"}).feasible
    assert oracle.best_key("cost") == (210.0, 0, 2)
    for objective in ("cost", "time", "workload"):
        assert_truthful(cat, profile, ROLE, objective)


@pytest.mark.parametrize("bound", ["valid_from", "valid_until"])
def test_an_agreement_is_in_force_on_its_first_and_last_day(bound: str) -> None:
    recognition = {"id": "r0", "provider": "p0", "credential": "ext", "award": "cert", "credits": 5,
                   "equivalent_to": "m1", bound: TODAY.isoformat()}
    cat = catalogue([course("ext", ects=5, duration_weeks=3), course("m1", ects=5, duration_weeks=4, cost=30),
                     award("cert", {"credential": "m1"}, teaches={"k1": 1})], recognitions=[recognition])
    profile = learner(holdings=[{"credential": "ext", "earned": "2026-06-01"}])
    assert Oracle(cat, profile, ROLE, today=TODAY).best_key("cost") == (0.0, 0, 1)
    assert_truthful(cat, profile, ROLE, "cost")
    day_after = TODAY + dt.timedelta(days=1) if bound == "valid_until" else TODAY - dt.timedelta(days=1)
    assert Oracle(cat, profile, ROLE, today=day_after).best_key("cost") == (30.0, 0, 2)


def test_rpl_cap_limits_held_credit_in_a_pool() -> None:
    cat = catalogue([
        course("x", ects=10, duration_weeks=4, hours_per_week=8),
        course("x2", ects=5, duration_weeks=4, hours_per_week=8, cost=40),
        award("cert", {"credits": 10, "from": ["x", "x2"]}, rpl_cap=5, teaches={"k1": 1}),
    ])
    profile = learner(holdings=[{"credential": "x", "earned": "2026-06-01"}])
    oracle = Oracle(cat, profile, ROLE, today=TODAY)
    assert not oracle.evaluate({"cert"}).feasible
    assert oracle.best_key("cost") == (40.0, 0, 2)
    for objective in ("cost", "credit"):
        report = check_routes(cat, profile, Target(kind="award", id="cert"), objective, 1, today=TODAY)
        assert not report.findings, str(report)
    assert_truthful(cat, profile, ROLE, "cost")


@pytest.mark.parametrize("years", [1, 3])
def test_held_credit_expires(years: int) -> None:
    cat = catalogue([course("c", teaches={"k1": 1}, duration_weeks=2, cost=80, credit_validity_years=years)])
    limit = dt.timedelta(days=years * 365.25)
    expired = learner(holdings=[{"credential": "c", "earned": (TODAY - limit).isoformat()}])
    valid = learner(holdings=[{"credential": "c", "earned": (TODAY - limit + dt.timedelta(days=1)).isoformat()}])
    assert Oracle(cat, expired, ROLE, today=TODAY).best_key("cost") == (80.0, 0, 1)
    assert Oracle(cat, valid, ROLE, today=TODAY).already_met
    for profile in (expired, valid):
        assert_truthful(cat, profile, ROLE, "cost")


def test_a_zero_week_credential_loads_no_week() -> None:
    # 0 hours: 0 weeks, so its stated 8 h/week never meets the learner's 5 h/week limit
    cat = catalogue([course("exam", teaches={"k1": 1}, hours=0, hours_per_week=8, cost=30)])
    profile = learner(hours_per_week=5)
    e = effort_of(cat.credentials[0])
    assert (e.hours, e.weeks, e.load) == (0.0, 0, 0.0)
    assert Oracle(cat, profile, ROLE, today=TODAY).best_key("time") == (0, 30.0, 0, 1)
    for objective in ("cost", "time"):
        assert_truthful(cat, profile, ROLE, objective)
