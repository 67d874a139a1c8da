"""Hand-worked cases for the engine's claims when time matters (docs/semantics.md).

Each case is small enough to work out on paper; the expected figures are derived in the
comments, not copied from a run. The oracle tests (tests/engine/test_oracle_properties.py) check
the same claims on thousands of random catalogues.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from planner.catalogue.models import Catalogue, LearnerProfile, Target
from planner.engine.diagnose import apply_relaxation
from planner.engine.routing import recommend
from planner.engine.rules import effort, met_at, resolve_award, rules_met
from planner.engine.schedule import schedule_route

START = dt.date(2027, 1, 4)  # a Monday


def cred(cid: str, cost: float = 0.0, *, weeks: int | None = None, rate: float | None = None,
         hours: float | None = None, ects: float | None = None, requires: list[Any] = (),
         teaches: list[tuple[str, int]] = (), award: dict | None = None, currency: str = "EUR") -> dict:
    data: dict[str, Any] = {"id": cid, "title": f"Title of {cid}", "provider": "p",
                            "type": "certificate" if award else "micro_credential",
                            "cost": {"amount": cost, "currency": currency}}
    for key, value in (("duration_weeks", weeks), ("hours_per_week", rate), ("hours", hours), ("ects", ects)):
        if value is not None:
            data[key] = value
    if requires:
        data["requires"] = list(requires)
    if teaches:
        data["teaches"] = [{"competency": c, "level": lvl} for c, lvl in teaches]
    if award:
        data["award"] = award
    return data


def catalogue(*creds: dict, needs: list[tuple[str, int]] = (), recognitions: list[dict] = (),
              rates: dict[str, float] | None = None) -> Catalogue:
    comps = sorted({c for d in creds for c, _ in [(t["competency"], 0) for t in d.get("teaches", [])]}
                   | {c for c, _ in needs})
    data: dict[str, Any] = {
        "providers": [{"id": "p", "name": "P", "country": "DE", "kind": "university"}],
        "competencies": [{"id": c, "label": c.upper()} for c in comps],
        "credentials": list(creds),
        "recognitions": list(recognitions),
    }
    if needs:
        data["roles"] = [{"id": "r", "title": "Role", "needs": [{"competency": c, "level": lvl}
                                                                  for c, lvl in needs]}]
    if rates:
        data["meta"] = {"exchange_rates": rates}
    return Catalogue.model_validate(data)


def profile(**constraints: Any) -> LearnerProfile:
    constraints.setdefault("start", START)
    return LearnerProfile.model_validate({"constraints": constraints})


def by_weeks(weeks: int) -> dt.date:
    """The last day of a route finishing at week ``weeks`` (docs/semantics.md: start + 7e − 1)."""
    return START + dt.timedelta(days=7 * weeks - 1)


# A needs (P or Q); P also teaches the second skill the role needs.
# {A, P}: P weeks 0–10, then A → finish week 11, cost 110 (cheapest).
# {A, P, Q}: P 0–10 and Q 0–1 side by side, A 1–2 → finish week 10, cost 160.
SUPERSET = dict(
    creds=(cred("a", 100, weeks=1, rate=1, teaches=[("k1", 1)],
                requires=[{"any_of": [{"credential": "p"}, {"credential": "q"}]}]),
           cred("p", 10, weeks=10, rate=1, teaches=[("k2", 1)]),
           cred("q", 50, weeks=1, rate=1)),
    needs=[("k1", 1), ("k2", 1)],
)


def test_deadline_needs_a_dearer_superset_with_a_fast_course():
    cat = catalogue(*SUPERSET["creds"], needs=SUPERSET["needs"])
    rec = recommend(cat, profile(deadline=by_weeks(10).isoformat()), Target.parse("role:r"), objective="cost")
    assert rec.feasible, [d.message for d in rec.diagnoses]
    best = rec.best
    assert set(best.credential_ids) == {"a", "p", "q"}
    assert best.total_cost == pytest.approx(160) and best.weeks == 10 and best.proved_optimal
    # one day less and nothing fits: a proved "no route" with a deadline fix that works
    tight = profile(deadline=(by_weeks(10) - dt.timedelta(days=1)).isoformat())
    rec = recommend(cat, tight, Target.parse("role:r"), objective="cost")
    assert not rec.feasible and rec.complete
    fixes = [d for d in rec.diagnoses if d.code == "deadline"]
    assert fixes and recommend(cat, apply_relaxation(tight, fixes[0].relaxation), Target.parse("role:r")).feasible


def test_time_objective_ranks_the_faster_superset_first_and_lists_no_dominated_superset():
    cat = catalogue(*SUPERSET["creds"], needs=SUPERSET["needs"])
    rec = recommend(cat, profile(), Target.parse("role:r"), objective="time", alternatives=3)
    keys = [(r.weeks, r.total_cost, frozenset(r.credential_ids)) for r in rec.routes]
    assert keys[0] == (10, pytest.approx(160), frozenset({"a", "p", "q"}))
    assert keys[1] == (11, pytest.approx(110), frozenset({"a", "p"}))
    # no later route is a superset of an earlier one (the definition of alternatives)
    for i, (_, _, s) in enumerate(keys):
        assert not any(prev <= s for _, _, prev in keys[:i])
    assert all(r.proved_optimal for r in rec.routes)


def test_ects_only_credentials_take_time_and_hours():
    # 5 ECTS → 125 h; at the default pace of 10 h a week that is ceil(12.5) = 13 weeks
    work = effort(Catalogue.model_validate({"credentials": [cred("e", ects=5)],
                                            "providers": [{"id": "p", "name": "P", "country": "DE",
                                                           "kind": "university"}]}).credential("e"))
    assert (work.weeks, work.hours, work.known) == (13, 125.0, True)
    assert work.rate == pytest.approx(125 / 13)
    cat = catalogue(cred("e1", ects=5, teaches=[("k", 1)]), cred("e2", ects=5, teaches=[("k2", 1)],
                                                                  requires=[{"credential": "e1"}]),
                    needs=[("k2", 1)])
    route = recommend(cat, profile(hours_per_week=10), Target.parse("role:r")).best
    assert route.weeks == 26 and route.finish == by_weeks(26) and not route.duration_unknown
    # 125/13 ≈ 9.6 h a week each: with 15 h a week they cannot run side by side
    sched = schedule_route(cat, ["e1", "e2"], profile(hours_per_week=15))
    assert sched.weeks == 26


def test_chain_without_durations_is_listed_in_prerequisite_order_with_duration_unknown():
    # a certification chain as imported from CTDL: no hours, ECTS or duration anywhere;
    # ids sort against the chain order
    cat = catalogue(cred("zz-first", teaches=[("k1", 1)]),
                    cred("mm-second", teaches=[("k2", 1)], requires=[{"credential": "zz-first"}]),
                    cred("aa-third", teaches=[("k3", 1)], requires=[{"credential": "mm-second"}]),
                    needs=[("k3", 1)])
    route = recommend(cat, profile(), Target.parse("role:r")).best
    assert route.credential_ids == ("zz-first", "mm-second", "aa-third")
    assert route.duration_text == "duration unknown"
    assert set(route.duration_unknown) == {"zz-first", "mm-second", "aa-third"}
    assert "weeks" in route.lower_bounds and "finish" in route.lower_bounds


def _pools_award(cap: float | None, *, named: bool) -> dict:
    pools = [{"credits": 5, "from": ["a"]}, {"credits": 5, "from": ["b"]}]
    if named:
        pools = [{**pools[0], "id": "one"}, {**pools[1], "id": "two"}]
    spec: dict[str, Any] = {"rule": {"all_of": pools}}
    if cap is not None:
        spec["rpl_cap"] = cap
    return spec


def test_rpl_cap_bounds_prior_credit_over_the_whole_award_in_the_schedule_too():
    # ext1 → pool one, ext2 → pool two, 5 credits each; the cap of 5 allows only one of them
    cat = catalogue(cred("a", ects=5, weeks=2, rate=1), cred("b", ects=5, weeks=8, rate=1),
                    cred("ext1", weeks=1, rate=1), cred("ext2", weeks=1, rate=1),
                    cred("dip", award=_pools_award(5, named=True)),
                    recognitions=[{"id": "r1", "provider": "p", "credential": "ext1", "award": "dip", "credits": 5,
                                   "pool": "one"},
                                  {"id": "r2", "provider": "p", "credential": "ext2", "award": "dip", "credits": 5,
                                   "pool": "two"}])
    dip = cat.credential("dip")
    tree = resolve_award(cat, dip, counted=set(), agreements=cat.recognitions,
                         candidates={"a", "b", "ext1", "ext2"})
    assert not rules_met(tree, {"ext1", "ext2"})  # 10 prior credits > cap 5
    assert rules_met(tree, {"a", "ext2"}) and rules_met(tree, {"ext1", "b"})
    # the award completes when the second of a and ext2 finishes (week 2), not before
    assert met_at(tree, {"a": 2.0, "ext2": 1.0, "ext1": 1.0, "b": 8.0}) == 2.0
    sched = schedule_route(cat, ["ext1", "ext2", "dip"], profile())
    assert not sched.feasible  # the scheduler's reading is the same one
    sched = schedule_route(cat, ["a", "ext1", "ext2", "dip"], profile())
    assert sched.feasible and {s.credential_id: s.end_week for s in sched.steps}["dip"] == 2


def test_agreement_without_pool_counts_in_the_first_pool_only():
    cat = catalogue(cred("a", ects=5, weeks=2, rate=1), cred("b", ects=5, weeks=8, rate=1),
                    cred("ext", weeks=1, rate=1), cred("dip", award=_pools_award(None, named=False)),
                    recognitions=[{"id": "r", "provider": "p", "credential": "ext", "award": "dip", "credits": 5}])
    tree = resolve_award(cat, cat.credential("dip"), counted=set(), agreements=cat.recognitions,
                         candidates={"a", "b", "ext"})
    assert rules_met(tree, {"ext", "b"})  # ext fills the first pool
    assert not rules_met(tree, {"ext", "a"})  # and never the second
    assert not schedule_route(cat, ["ext", "a", "dip"], profile()).feasible


def test_budget_fix_in_a_foreign_currency_is_rounded_up_and_works():
    # 1 SEK = 0.0873 EUR; the course costs 11,457 SEK ≈ 1,000.20 EUR: a budget of 1,000 EUR is short
    cat = catalogue(cred("s", 11457, weeks=1, rate=1, teaches=[("k", 1)], currency="SEK"),
                    needs=[("k", 1)], rates={"SEK": 0.0873})
    poor = profile(budget="1000 EUR")
    rec = recommend(cat, poor, Target.parse("role:r"))
    fix = next(d for d in rec.diagnoses if d.code == "budget")
    assert fix.relaxation["budget"]["amount"] == 1001  # ceil(1000.2561), never rounded down
    assert recommend(cat, apply_relaxation(poor, fix.relaxation), Target.parse("role:r")).feasible


def test_hours_fix_respects_the_deadline_and_the_model_limit():
    # two 4-week courses of 8 h a week; the deadline leaves 4 weeks, so both must run together:
    # 16 h a week, not the 8 h a week a fix that ignores the deadline would suggest
    cat = catalogue(cred("x", weeks=4, rate=8, teaches=[("k1", 1)]), cred("y", weeks=4, rate=8, teaches=[("k2", 1)]),
                    needs=[("k1", 1), ("k2", 1)])
    short = profile(hours_per_week=10, deadline=by_weeks(4).isoformat())
    rec = recommend(cat, short, Target.parse("role:r"))
    fix = next(d for d in rec.diagnoses if d.code == "hours")
    assert fix.relaxation == {"hours_per_week": 16.0}
    assert recommend(cat, apply_relaxation(short, fix.relaxation), Target.parse("role:r")).feasible
    # 3 courses of 30 h a week in 4 weeks would need 90 h a week, above the model's 80: no hours fix
    cat = catalogue(*(cred(f"z{i}", weeks=4, rate=30, teaches=[(f"k{i}", 1)]) for i in range(3)),
                    needs=[(f"k{i}", 1) for i in range(3)])
    rec = recommend(cat, profile(hours_per_week=40, deadline=by_weeks(4).isoformat()), Target.parse("role:r"))
    assert not any(d.code == "hours" for d in rec.diagnoses)
    for d in rec.diagnoses:  # whatever else is suggested works
        if d.relaxation:
            relaxed = apply_relaxation(profile(hours_per_week=40, deadline=by_weeks(4).isoformat()), d.relaxation)
            assert recommend(cat, relaxed, Target.parse("role:r")).feasible, d


REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
COMPTIA = REFERENCE / "credentialengine-schema-development/pathways/CompTIA/CompTIA-IT_Networking_Specialist.jsonld"


@pytest.mark.skipif(not COMPTIA.exists(), reason=f"reference data not found at {COMPTIA}")
def test_imported_ctdl_chain_without_durations_reads_in_order(tmp_path, capsys):
    from planner.catalogue.loader import load
    from planner.cli import main

    assert main(["import", "ctdl", str(COMPTIA), "--into", str(tmp_path)]) == 0
    cat = load(tmp_path)
    route = recommend(cat, profile(), Target.parse("award:it-networking-specialist")).best
    # the pathway is a chain A+ → Network+ → … → Cloud+: each step after the one it requires
    position = {cid: i for i, cid in enumerate(route.credential_ids)}
    for cid in route.credential_ids:
        for group in cat.credential(cid).requires:
            assert any(position[a.credential] < position[cid] for a in group.any_of if a.credential in position)
    assert route.credential_ids[0] == "comptia-a" and route.credential_ids[-1] == "it-networking-specialist"
    assert route.duration_text == "duration unknown" and "weeks" in route.lower_bounds
    capsys.readouterr()
    assert main(["recommend", "-c", str(tmp_path), "--target", "award:it-networking-specialist"]) == 0
    out = capsys.readouterr().out
    assert "duration unknown" in out and "0 weeks" not in out
    assert out.index("CompTIA A+") < out.index("CompTIA Network+") < out.index("CompTIA Cloud+")


def test_a_prerequisite_chain_of_1100_credentials_is_planned_without_recursion():
    n = 1100
    creds = [cred("c0000", weeks=1, rate=1)]
    creds += [cred(f"c{i:04d}", weeks=1, rate=1, requires=[{"credential": f"c{i - 1:04d}"}]) for i in range(1, n)]
    creds[-1]["teaches"] = [{"competency": "top", "level": 1}]
    cat = catalogue(*creds, needs=[("top", 1)])
    route = recommend(cat, profile(hours_per_week=5), Target.parse("role:r"), time_limit=60).best
    assert route is not None and len(route.credential_ids) == n and route.weeks == n
    assert list(route.credential_ids) == [f"c{i:04d}" for i in range(n)]
