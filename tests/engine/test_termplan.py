"""Balanced term plans (planner.engine.termplan) against an independent brute force, and at degree scale.

The oracle below is written from the documented semantics of :func:`balanced_plan` and
reads the raw catalogue dictionaries: it shares no code with the planner (not even the
workload rule: every credential here states its weeks and weekly hours).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benchmarks.curriculum import TERM_WEEKS, curriculum
from planner.catalogue.models import Catalogue, LearnerProfile
from planner.engine import termplan
from planner.engine.termplan import SOLVERS, balanced_plan

START = dt.date(2026, 1, 5)  # a Monday
TW = 4  # weeks per term in the small instances
INTAKES = ["01-19", "02-02", "03-02", "03-30"]  # weeks 2, 4, 8 and 12 of 2026


# --------------------------------------------------------------------------- the oracle


def intake_weeks(data: dict) -> list[int] | None:
    """Weeks (from START) of a credential's yearly intakes within the first year; None: any week."""
    runs = data.get("runs")
    if not runs:
        return None
    return sorted((dt.date(2026, int(d[:2]), int(d[3:])) - START).days // 7 for d in runs["intakes"])


def placement(data: dict, term: int, terms: int) -> tuple[int, int, int] | None:
    """(start week, end week, last term) of a credential started in ``term``, or None."""
    if "award" in data:
        return term * TW, term * TW, term
    weeks = intake_weeks(data)
    lo, hi = term * TW, (term + 1) * TW
    start = lo if weeks is None else next((w for w in weeks if lo <= w < hi), None)
    if start is None:
        return None
    end = start + data["duration_weeks"]
    last = (end - 1) // TW
    return (start, end, last) if last < terms else None


def award_met(rule: dict, last: dict[str, int], term: int, ects: dict[str, float]) -> bool:
    if "credential" in rule:
        return last[rule["credential"]] <= term
    if "all_of" in rule:
        return all(award_met(r, last, term, ects) for r in rule["all_of"])
    if "credits" in rule:
        return sum(ects[c] for c in rule["from"] if last[c] <= term) >= rule["credits"]
    return sum(award_met(r, last, term, ects) for r in rule["of"]) >= rule["n_of"]


def evaluate(creds: list[dict], choice: dict[str, int], terms: int, limits: dict) -> list[float] | None:
    """Term loads of a plan (credential → 0-based start term), or None when it breaks a rule."""
    by_id = {c["id"]: c for c in creds}
    placed = {}
    for cid, term in choice.items():
        got = placement(by_id[cid], term, terms)
        if got is None:
            return None
        placed[cid] = got
    last = {cid: p[2] for cid, p in placed.items()}
    load = [0.0] * terms
    count = [0] * terms
    for cid, (s, e, lt) in placed.items():
        data = by_id[cid]
        for group in data.get("requires", []):
            alts = [a["credential"] for a in group["any_of"]] if "any_of" in group else [group["credential"]]
            if not any(last[a] < choice[cid] for a in alts):
                return None
        if "award" in data:
            ects = {c: by_id[c].get("ects", 0.0) for c in by_id}
            if not award_met(data["award"]["rule"], last, choice[cid], ects):
                return None
            continue
        for w in range(s, e):
            load[w // TW] += data["hours_per_week"]
        for k in range(choice[cid], lt + 1):
            count[k] += 1
    if limits.get("hours_per_week") is not None and max(load) > limits["hours_per_week"] * TW + 1e-9:
        return None
    if limits.get("max_credentials_per_term") is not None and max(count) > limits["max_credentials_per_term"]:
        return None
    if limits.get("min_hours_per_week"):
        used = max((last[c] for c in placed if "award" not in by_id[c]), default=-1)
        if any(load[k] < limits["min_hours_per_week"] * TW - 1e-9 for k in range(used + 1)):
            return None
    return load


def oracle(creds: list[dict], terms: int, limits: dict) -> float:
    """Lightest heaviest term over every assignment of start terms (inf: no valid plan)."""
    ids = [c["id"] for c in creds]
    best = math.inf
    for combo in itertools.product(range(terms), repeat=len(ids)):
        load = evaluate(creds, dict(zip(ids, combo, strict=True)), terms, limits)
        if load is not None:
            best = min(best, max(load))
    return best


# --------------------------------------------------------------------------- instances
# (awards: all-of or n-of two courses, or a credit pool over them; no recognition or RPL)


@st.composite
def instances(draw: Any) -> tuple[list[dict], dict]:
    n = draw(st.integers(1, 5))  # with the award and its dependant: at most 7 credentials
    creds: list[dict] = []
    for i in range(n):
        data: dict[str, Any] = {"id": f"c{i}", "title": f"C{i}", "provider": "p", "type": "course",
                                "duration_weeks": draw(st.integers(1, 6)),
                                "hours_per_week": draw(st.integers(1, 5))}
        if draw(st.integers(0, 4)) == 0:
            data["runs"] = {"intakes": draw(st.lists(st.sampled_from(INTAKES), min_size=1, max_size=2,
                                                     unique=True))}
        if i and draw(st.booleans()):
            groups = []
            for _ in range(draw(st.integers(1, 2))):
                alts = draw(st.lists(st.integers(0, i - 1), min_size=1, max_size=2, unique=True))
                groups.append({"credential": f"c{alts[0]}"} if len(alts) == 1 else
                              {"any_of": [{"credential": f"c{a}"} for a in alts]})
            data["requires"] = groups
        creds.append(data)
    if n >= 2 and draw(st.booleans()):  # an award stacked from two courses, maybe needed by a later one
        parts = [{"credential": f"c{a}"} for a in draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2,
                                                               unique=True))]
        kind = draw(st.sampled_from(["all_of", "n_of", "credits"]))
        if kind == "all_of":
            rule: dict[str, Any] = {"all_of": parts}
        elif kind == "n_of":
            rule = {"n_of": 1, "of": parts}
        else:  # a credit pool over the two courses (their ECTS: half their weekly hours)
            pool = [p["credential"] for p in parts]
            for c in creds:
                if c["id"] in pool:  # hours stated too: with ECTS alone they would be ECTS × 25
                    c["ects"] = c["hours_per_week"] / 2
                    c["hours"] = c["hours_per_week"] * c["duration_weeks"]
            rule = {"credits": draw(st.sampled_from([0.5, 1.5, 3.0])), "from": pool}
        creds.append({"id": "cert", "title": "Cert", "provider": "p", "type": "certificate",
                      "award": {"rule": rule}})
        if draw(st.booleans()):
            creds.append({"id": "next", "title": "Next", "provider": "p", "type": "course",
                          "duration_weeks": draw(st.integers(1, 4)), "hours_per_week": 2,
                          "requires": [{"credential": "cert"}]})
    limits: dict[str, Any] = {
        "hours_per_week": draw(st.sampled_from([None, None, 6, 9])),
        "min_hours_per_week": draw(st.sampled_from([None, None, 1, 3])),
        "max_credentials_per_term": draw(st.sampled_from([None, None, 1, 2])),
    }
    if limits["hours_per_week"] is not None and limits["min_hours_per_week"] is not None:
        limits["min_hours_per_week"] = min(limits["min_hours_per_week"], limits["hours_per_week"])
    return creds, limits


def parse(creds: list[dict], limits: dict) -> tuple[Catalogue, LearnerProfile]:
    cat = Catalogue.model_validate({
        "providers": [{"id": "p", "name": "P", "country": "DE", "kind": "university"}],
        "credentials": creds,
    })
    prof = LearnerProfile.model_validate({"constraints": {"start": START.isoformat(), **limits}})
    return cat, prof


def plan_terms(plan) -> dict[str, int]:
    return {s.credential_id: s.term - 1 for s in plan.steps}


# --------------------------------------------------------------------------- properties


def course(cid: str, weeks: int, rate: int, *requires: str) -> dict:
    data = {"id": cid, "title": cid, "provider": "p", "type": "course", "duration_weeks": weeks,
            "hours_per_week": rate}
    if requires:
        data["requires"] = [{"credential": r} for r in requires]
    return data


# a prerequisite in the same term as its dependant would balance this one better (40 h, not 60 h)
SAME_TERM_TEMPTS = ([course("c0", 4, 5), course("c1", 4, 5, "c0"), course("c2", 4, 10), course("c3", 4, 10)], {})


# the second course starts only in week 8 (term 3): term 2 would stay idle, below the minimum
IDLE_TERM = ([course("a", 4, 5), {**course("b", 4, 5), "runs": {"intakes": ["03-02"]}}],
             {"min_hours_per_week": 3})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(1, 4), st.sampled_from(SOLVERS))
@example(SAME_TERM_TEMPTS, 3, "cp-sat")
@example(SAME_TERM_TEMPTS, 3, "highs")
@example(IDLE_TERM, 3, "cp-sat")
@example(IDLE_TERM, 3, "highs")
def test_balanced_plan_matches_the_brute_force(inst, terms, solver):
    creds, limits = inst
    cat, prof = parse(creds, limits)
    plan = balanced_plan(cat, [c["id"] for c in creds], prof, terms=terms, term_weeks=TW, solver=solver,
                         time_limit=30)
    best = oracle(creds, terms, limits)
    if best == math.inf:
        assert not plan.feasible and plan.reason and plan.steps == ()
        return
    assert plan.feasible, plan.reason
    assert plan.proved_optimal
    assert plan.terms == terms and len(plan.term_hours) == terms
    # the plan itself is valid under the oracle's reading, and its loads are the reported ones
    load = evaluate(creds, plan_terms(plan), terms, limits)
    assert load is not None
    assert plan.term_hours == pytest.approx(load)
    assert plan.max_term_hours == pytest.approx(best)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_fewest_terms_match_the_brute_force(inst):
    creds, limits = inst
    cat, prof = parse(creds, limits)
    fewest = next((k for k in range(1, 5) if oracle(creds, k, limits) < math.inf), None)
    if fewest is None:
        return  # more than four terms: beyond the brute force
    plan = balanced_plan(cat, [c["id"] for c in creds], prof, term_weeks=TW, time_limit=30)
    assert plan.feasible and plan.proved_optimal
    assert plan.terms == fewest
    assert plan.max_term_hours == pytest.approx(oracle(creds, fewest, limits))


# --------------------------------------------------------------------------- degree scale


@pytest.mark.parametrize(("n", "terms"), [(66, 12), (70, 8)])
def test_generated_degree_is_proved_optimal(n, terms):
    cat, ids, prof = curriculum(n, terms, seed=0)
    plan = balanced_plan(cat, ids, prof, terms=terms, term_weeks=TERM_WEEKS, time_limit=60)
    assert plan.feasible, plan.reason
    assert plan.proved_optimal
    got = {s.credential_id: s for s in plan.steps}
    assert sorted(got) == sorted(ids)
    cons = prof.constraints
    assert plan.max_term_hours <= cons.hours_per_week * TERM_WEEKS + 1e-6
    # every term up to the last in use carries the minimum; the cap on courses holds
    courses = [c for c in ids if c.startswith("c")]
    last = {c: (got[c].end_week - 1) // TERM_WEEKS for c in courses}
    used = max(last.values())
    assert all(h >= cons.min_hours_per_week * TERM_WEEKS - 1e-6 for h in plan.term_hours[:used + 1])
    for k in range(terms):
        assert sum(got[c].term - 1 <= k <= last[c] for c in courses) <= cons.max_credentials_per_term
    for c in courses:
        for group in cat.credential(c).requires:
            assert any(last[a.credential] < got[c].term - 1 for a in group.any_of)
    # the optimum is no lighter than the average term, and the same plan comes out again
    assert plan.max_term_hours >= sum(plan.term_hours) / terms - 1e-6
    again = balanced_plan(cat, ids, prof, terms=terms, term_weeks=TERM_WEEKS, time_limit=60)
    assert again.steps == plan.steps


# --------------------------------------------------------------------------- labels and plumbing


def small() -> tuple[Catalogue, list[str], LearnerProfile]:
    creds = [{"id": f"c{i}", "title": "C", "provider": "p", "type": "course", "duration_weeks": 4,
              "hours_per_week": 5} for i in range(4)]
    cat, prof = parse(creds, {})
    return cat, [c["id"] for c in creds], prof


def test_an_unproved_solve_is_labelled_unproved(monkeypatch):
    cat, ids, prof = small()
    real = termplan._BACKENDS["cp-sat"]
    monkeypatch.setitem(termplan._BACKENDS, "cp-sat", lambda *a: (real(*a)[0], False))
    plan = balanced_plan(cat, ids, prof, terms=2, term_weeks=TW)
    assert plan.feasible and not plan.proved_optimal


def test_fewest_terms_unproved_when_a_smaller_count_timed_out(monkeypatch):
    cat, ids, prof = small()
    real = termplan._BACKENDS["cp-sat"]

    def flaky(items, opts, lim, seconds):
        return (None, False) if lim.terms == 1 else real(items, opts, lim, seconds)

    monkeypatch.setitem(termplan._BACKENDS, "cp-sat", flaky)
    plan = balanced_plan(cat, ids, prof, term_weeks=TW)
    assert plan.feasible and plan.terms == 2 and not plan.proved_optimal
    # with the number of terms given, a timed-out solve says so instead of "no plan"
    plan = balanced_plan(cat, ids, prof, terms=1, term_weeks=TW, time_limit=3)
    assert not plan.feasible and "within the time limit of 3 s" in plan.reason


def test_balanced_plan_rejects_unknown_solvers():
    cat, ids, prof = small()
    with pytest.raises(ValueError, match="unknown solver"):
        balanced_plan(cat, ids, prof, terms=2, term_weeks=TW, solver="glpk")  # type: ignore[arg-type]
