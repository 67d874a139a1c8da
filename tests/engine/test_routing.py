"""The route facade on a small hand-worked catalogue: ranking, schedule, explanations, diagnosis."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.catalogue.models import Catalogue, Constraints, Holding, LearnerProfile, Objective, Target
from planner.engine.diagnose import apply_relaxation
from planner.engine.routing import pareto, recommend

START = dt.date(2027, 1, 4)  # a Monday


def _cred(cid, title, provider, cost, weeks, hpw, teaches=(), requires=(), **extra):
    return {
        "id": cid, "title": title, "provider": provider, "type": extra.pop("type", "micro_credential"),
        "cost": cost, "ects": round(weeks * hpw / 25, 1), "hours": weeks * hpw,
        "duration_weeks": weeks, "hours_per_week": hpw, "runs": extra.pop("runs", {"rolling": True}),
        "teaches": [{"competency": c, "level": lv} for c, lv in teaches],
        "requires": list(requires), **extra,
    }


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    """Two ways to a data role: a cheap slow online path, a dear fast onsite one."""
    return Catalogue.model_validate({
        "meta": {"exchange_rates": {"USD": 0.9}},
        "providers": [
            {"id": "uni", "name": "City University", "country": "NL", "kind": "university"},
            {"id": "mooc", "name": "Open Learn", "country": "US", "kind": "online_platform"},
        ],
        "competencies": [{"id": "py", "label": "Python"}, {"id": "ml", "label": "Machine learning"},
                         {"id": "viz", "label": "Data visualisation"}, {"id": "ethics", "label": "AI ethics"}],
        "credentials": [
            _cred("py-online", "Python online", "mooc", "100 USD", 10, 5, [("py", 2)], participation="online",
                  languages=["en"]),
            _cred("py-adv", "Advanced Python", "uni", "400 EUR", 6, 10, [("py", 3)],
                  [{"competency": "py", "level": 2}], participation="onsite", languages=["nl"]),
            _cred("py-boot", "Python bootcamp", "uni", "900 EUR", 4, 20, [("py", 3)], participation="onsite",
                  languages=["en"]),
            _cred("ml-uni", "Machine learning", "uni", "500 EUR", 8, 10, [("ml", 3)],
                  [{"any_of": [{"credential": "py-adv"}, {"credential": "py-boot"}]}], participation="onsite",
                  languages=["en"]),
            _cred("viz", "Visualisation", "mooc", "50 USD", 4, 5, [("viz", 2)], participation="online",
                  languages=["en"]),
            _cred("ml-cert", "Certificate in ML", "uni", "0 EUR", 0, 0, [], type="certificate",
                  award={"rule": {"n_of": 2, "of": [{"credential": "py-adv"}, {"credential": "ml-uni"},
                                                    {"credential": "viz"}]}}),
        ],
        "roles": [
            {"id": "ds", "title": "Data scientist", "needs": [
                {"competency": "py", "level": 3}, {"competency": "ml", "level": 3},
                {"competency": "viz", "level": 2, "essential": False}]},
            {"id": "ethicist", "title": "AI ethicist", "needs": [{"competency": "ethics", "level": 3}]},
        ],
    })


def profile(**constraints) -> LearnerProfile:
    return LearnerProfile(constraints=Constraints(start=START, **constraints))


def test_cheapest_route_is_the_slow_online_start(cat):
    rec = recommend(cat, profile(), Target.parse("role:ds"), alternatives=3)
    best = rec.best
    assert best is not None and best.proved_optimal
    assert set(best.credential_ids) == {"py-online", "py-adv", "ml-uni"}
    assert best.total_cost == pytest.approx(90 + 400 + 500)
    # ranked, distinct, non-decreasing cost; supersets of a found route are never offered
    sets = [frozenset(r.credential_ids) for r in rec.routes]
    assert sets == [frozenset({"py-online", "py-adv", "ml-uni"}), frozenset({"py-boot", "ml-uni"})]
    assert [r.total_cost for r in rec.routes] == sorted(r.total_cost for r in rec.routes)
    assert [r.rank for r in rec.routes] == [1, 2]


def test_schedule_respects_prerequisites_and_hours(cat):
    best = recommend(cat, profile(hours_per_week=12), Target.parse("role:ds")).best
    when = {s.credential_id: s for s in best.schedule}
    assert when["py-online"].end_week <= when["py-adv"].start_week
    assert when["py-adv"].end_week <= when["ml-uni"].start_week
    for week in range(best.weeks):
        assert sum(s.hours_per_week for s in best.schedule if s.start_week <= week < s.end_week) <= 12
    assert best.finish == max(s.end for s in best.schedule)


def test_fastest_route_uses_the_bootcamp(cat):
    rec = recommend(cat, profile(), Target.parse("role:ds"), objective="time")
    assert set(rec.best.credential_ids) == {"py-boot", "ml-uni"}
    assert rec.best.weeks == 12 and rec.best.proved_optimal
    assert rec.best.objective_value == 12


def test_steps_explain_what_they_serve_unlock_and_complete(cat):
    best = recommend(cat, profile(), Target.parse("award:ml-cert")).best
    steps = {s.credential_id: s for s in best.steps}
    assert "ml-cert" in best.awards_completed
    completing = [s for s in best.steps if "ml-cert" in s.completes]
    assert len(completing) == 1 and completing[0].credential_id != "ml-cert"
    assert "Completes Certificate in ML" in completing[0].explanation
    assert any("component towards Certificate in ML" in line for s in best.steps for line in s.serves)
    role = recommend(cat, profile(), Target.parse("role:ds")).best
    steps = {s.credential_id: s for s in role.steps}
    assert "ml-uni" in steps["py-adv"].unlocks
    assert any("Machine learning at level 3" in line for line in steps["ml-uni"].serves)
    assert steps["py-online"].cost == pytest.approx(90) and steps["py-online"].cost_currency == "USD"


def test_held_credentials_are_not_recommended_and_expired_ones_are(cat):
    held = LearnerProfile(holdings=[Holding(credential="py-adv", earned=dt.date(2026, 6, 1))],
                          constraints=Constraints(start=START))
    best = recommend(cat, held, Target.parse("role:ds")).best
    assert "py-adv" not in best.credential_ids and set(best.credential_ids) == {"ml-uni"}


def test_budget_infeasible_is_diagnosed_with_the_cheapest_cost(cat):
    rec = recommend(cat, profile(budget="500 EUR"), Target.parse("role:ds"))
    assert not rec.feasible
    budget = [d for d in rec.diagnoses if d.code == "budget"]
    assert budget and "990 EUR" in budget[0].message and "490 EUR above" in budget[0].message
    fixed = apply_relaxation(profile(budget="500 EUR"), budget[0].relaxation)
    assert recommend(cat, fixed, Target.parse("role:ds")).feasible


def test_nobody_teaches_is_a_catalogue_gap(cat):
    rec = recommend(cat, profile(), Target.parse("role:ethicist"))
    assert not rec.feasible
    assert [d.code for d in rec.diagnoses] == ["no_teacher"]
    assert "AI ethics at level 3" in rec.diagnoses[0].message


def test_excluded_language_is_diagnosed_and_relaxable(cat):
    # Only English: Advanced Python (Dutch) is out, so the bootcamp is the only way.
    rec = recommend(cat, profile(languages=["en"], budget="1000 EUR"), Target.parse("role:ds"))
    assert not rec.feasible
    codes = {d.code for d in rec.diagnoses}
    assert "budget" in codes and "excluded" in codes
    lang = [d for d in rec.diagnoses if d.relaxation.get("languages")]
    assert lang and lang[0].relaxation["languages"] == ["en", "nl"]
    assert recommend(cat, apply_relaxation(profile(languages=["en"], budget="1000 EUR"), lang[0].relaxation),
                     Target.parse("role:ds")).feasible


def test_deadline_diagnosis_gives_the_earliest_finish(cat):
    rec = recommend(cat, profile(deadline=START + dt.timedelta(weeks=8)), Target.parse("role:ds"))
    assert not rec.feasible
    d = next(d for d in rec.diagnoses if d.code == "deadline")
    fastest = recommend(cat, profile(), Target.parse("role:ds"), objective="time").best
    assert d.relaxation["deadline"] == fastest.finish.isoformat()
    assert recommend(cat, apply_relaxation(profile(deadline=START + dt.timedelta(weeks=8)), d.relaxation),
                     Target.parse("role:ds")).feasible


def test_deadline_picks_a_dearer_route_that_fits(cat):
    rec = recommend(cat, profile(deadline=START + dt.timedelta(weeks=13)), Target.parse("role:ds"))
    assert rec.feasible
    assert all(r.finish <= START + dt.timedelta(weeks=13) for r in rec.routes)
    assert set(rec.best.credential_ids) == {"py-boot", "ml-uni"}


def test_pareto_front_is_non_dominated(cat):
    front = pareto(cat, profile(), Target.parse("role:ds"))
    assert len(front) >= 2
    costs = [r.total_cost for r in front]
    weeks = [r.weeks for r in front]
    assert costs == sorted(costs) and weeks == sorted(weeks, reverse=True)
    assert len(set(weeks)) == len(weeks)


def test_same_input_same_output(cat):
    a = recommend(cat, profile(), Target.parse("role:ds"), alternatives=3)
    b = recommend(cat, profile(), Target.parse("role:ds"), alternatives=3)
    assert a.routes == b.routes


def test_workload_objective_minimises_hours(cat):
    rec = recommend(cat, profile(), Target.parse("role:ds"), objective=Objective.WORKLOAD, alternatives=4)
    hours = [r.total_hours for r in rec.routes]
    assert hours == sorted(hours)
    assert rec.best.total_hours == min(hours)
