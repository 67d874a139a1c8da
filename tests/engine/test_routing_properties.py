"""Properties of every route ``recommend()`` returns, on hundreds of random small catalogues.

The selection alone is cross-checked against brute force in ``test_selection_bruteforce``;
here the whole pipeline (prune → select → schedule → explain) is checked: the scheduled
route meets the target, orders prerequisites, never exceeds the weekly hours or the
budget, never re-recommends what is held, and the cheapest route costs exactly what the
cheapest schedulable set found by enumeration costs.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engine.routing import recommend
from planner.engine.schedule import effort
from tests.bruteforce import BruteForce
from tests.engine.test_selection_bruteforce import TODAY, scenarios


def _met_before(cat, when, cid, group, held, known) -> bool:
    start = when[cid].start_week
    for alt in group.any_of:
        if alt.credential:
            if alt.credential in held or (alt.credential in when and when[alt.credential].end_week <= start):
                return True
        else:
            if known.get(alt.competency, 0) >= alt.level:
                return True
            for other, slot in when.items():
                if other != cid and slot.end_week <= start and any(
                        t.competency == alt.competency and t.level >= alt.level
                        for t in cat.credential(other).teaches):
                    return True
    return False


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_route_is_valid_and_the_best_is_optimal(scenario) -> None:
    cat, profile, target, _ = scenario
    # the generator leaves competencies implicit; a loaded catalogue always declares them
    data = cat.model_dump(by_alias=True)
    data["competencies"] = [{"id": k, "label": k} for k in ("k0", "k1", "k2")]
    cat = type(cat).model_validate(data)
    profile = profile.model_copy(update={"constraints": profile.constraints.model_copy(update={"start": TODAY})})
    rec = recommend(cat, profile, target, alternatives=3, today=TODAY, diagnose_infeasible=False)
    bf = BruteForce(cat, profile, target, today=TODAY)
    capacity = profile.constraints.hours_per_week
    schedulable = [o for o in bf.outcomes()
                   if capacity is None or all(effort(cat.credential(c))[1] <= capacity + 1e-9 for c in o.chosen)]
    if not schedulable:
        assert not rec.feasible or (rec.diagnoses and rec.diagnoses[0].code == "already_met")
        return
    if rec.diagnoses and rec.diagnoses[0].code == "already_met":
        assert any(not o.chosen for o in schedulable)
        return
    assert rec.feasible
    assert abs(rec.best.total_cost - min(o.cost for o in schedulable)) < 0.01
    held = set(bf.held)
    known = dict(bf.known) if hasattr(bf, "known") else {}
    for route in rec.routes:
        chosen = frozenset(route.credential_ids)
        assert bf.feasible(chosen), route.credential_ids
        assert not chosen & held
        assert route.total_cost <= (bf.budget if bf.budget is not None else float("inf")) + 0.01
        when = {s.credential_id: s for s in route.schedule}
        assert set(when) == set(chosen)
        for cid in chosen:
            for group in cat.credential(cid).requires:
                assert _met_before(cat, when, cid, group, held, known), (cid, group)
        if capacity is not None:
            for week in range(route.weeks + 1):
                assert sum(s.hours_per_week for s in route.schedule if s.start_week <= week < s.end_week) \
                    <= capacity + 1e-9
        assert route.start == TODAY and route.finish >= TODAY
        assert route.finish == max((s.end for s in route.schedule), default=TODAY) or not route.schedule
    assert len({r.credential_ids for r in rec.routes}) == len(rec.routes)
    assert [r.total_cost for r in rec.routes] == sorted(r.total_cost for r in rec.routes)


def test_time_objective_finish_is_the_true_earliest(sample_catalogue) -> None:
    """Earliest-finish routes beat the earliest finish of every cost-ranked alternative."""
    from planner.catalogue.models import Constraints, LearnerProfile, Target

    profile = LearnerProfile(constraints=Constraints(start=dt.date(2027, 1, 4), hours_per_week=15))
    target = Target.parse("role:phlebotomist")
    fastest = recommend(sample_catalogue, profile, target, objective="time").best
    others = recommend(sample_catalogue, profile, target, objective="cost", alternatives=8).routes
    assert fastest.proved_optimal
    assert all(fastest.weeks <= r.weeks for r in others)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_earliest_finish_matches_scheduling_every_feasible_set(scenario, data) -> None:
    """With intakes, the time objective's route finishes no later than any schedulable set."""
    import datetime as _dt

    from planner.engine.schedule import schedule_route

    cat, profile, target, _ = scenario
    dump = cat.model_dump(by_alias=True)
    dump["competencies"] = [{"id": k, "label": k} for k in ("k0", "k1", "k2")]
    for cred in dump["credentials"]:
        if cred.get("award") is None and data.draw(st.booleans()):
            cred["runs"] = {"intakes": data.draw(st.lists(st.sampled_from(["01-10", "03-01", "06-15", "09-01"]),
                                                          min_size=1, max_size=2, unique=True))}
    cat = type(cat).model_validate(dump)
    profile = profile.model_copy(update={"constraints": profile.constraints.model_copy(update={"start": TODAY})})
    bf = BruteForce(cat, profile, target, today=TODAY)
    best = None
    for outcome in bf.outcomes():
        sch = schedule_route(cat, sorted(outcome.chosen), profile, start=TODAY)
        if sch.feasible and sch.proved_optimal:
            best = sch.weeks if best is None else min(best, sch.weeks)
    rec = recommend(cat, profile, target, objective="time", today=TODAY, diagnose_infeasible=False)
    if best is None:
        return
    if rec.diagnoses and rec.diagnoses[0].code == "already_met":
        return
    assert rec.feasible
    if rec.best.proved_optimal:
        assert rec.best.weeks == best
    assert rec.best.weeks >= best
    assert isinstance(rec.best.finish, _dt.date)
