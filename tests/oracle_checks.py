"""Cross-check one ``recommend()`` answer against the brute-force oracle (``tests/oracle``).

Used by the property tests, the saved counterexamples and the counterexample hunt. Each
check returns findings ``(category, message)``; no finding means the engine told the
truth on that instance.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from planner.catalogue.models import Catalogue, LearnerProfile, Objective, Target
from planner.engine.diagnose import apply_relaxation
from planner.engine.routing import recommend
from tests.oracle import Oracle
from tests.oracle.strategies import TODAY

#: Diagnosis codes by which an engine may say its search stopped before proving "no route".
UNPROVED_CODES = frozenset({"time_limit", "timeout", "not_proved", "unproved"})
#: Tallies of answers the engine labelled unproved (allowed, but counted).
UNPROVED: Counter[str] = Counter()


@dataclass
class Finding:
    category: str
    message: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def add(self, category: str, message: str) -> None:
        self.findings.append(Finding(category, message))

    @property
    def categories(self) -> set[str]:
        return {f.category for f in self.findings}

    def __str__(self) -> str:
        return "\n".join(f"[{f.category}] {f.message}" for f in self.findings)


def _no_route_unproved(rec: Any) -> bool:
    if getattr(rec, "proved", True) is False or getattr(rec, "proved_infeasible", True) is False:
        return True
    return any(d.code in UNPROVED_CODES for d in rec.diagnoses)


def _already_met(rec: Any) -> bool:
    return any(d.code == "already_met" for d in rec.diagnoses)


def check_routes(cat: Catalogue, profile: LearnerProfile, target: Target, objective: Objective | str,
                 alternatives: int, *, oracle: Oracle | None = None, today: dt.date = TODAY,
                 time_limit: float = 5.0, credit_award: str | None = None,
                 report: Report | None = None) -> Report:
    """Run ``recommend`` once and compare every claim with the oracle."""
    objective = Objective(objective)
    report = report if report is not None else Report()
    oracle = oracle or Oracle(cat, profile, target, today=today, credit_award=credit_award)
    rec = recommend(cat, profile, target, objective=objective, alternatives=alternatives, today=today,
                    time_limit=time_limit, credit_award=credit_award)
    tag = f"{objective.value} k={alternatives}"
    if oracle.already_met:
        if not (_already_met(rec) or (rec.routes and not rec.routes[0].credential_ids)):
            report.add("already_met", f"{tag}: target met by holdings but engine says "
                       f"{[r.credential_ids for r in rec.routes] or [d.code for d in rec.diagnoses]}")
        return report
    if not rec.routes:
        if oracle.feasible:
            if _no_route_unproved(rec):
                UNPROVED["no_route"] += 1
            else:
                best = min(oracle.outcomes(), key=lambda o: o.key(objective))
                report.add("false_no_route", f"{tag}: engine says no route ({[d.code for d in rec.diagnoses]}); "
                           f"oracle: {sorted(best.chosen)} is feasible, key {best.key(objective)}, "
                           f"finish week {best.finish_week}")
        else:
            check_fixes(cat, profile, target, rec.diagnoses, today=today, report=report)
        return report
    expected = oracle.alternative_keys(objective, [r.credential_ids for r in rec.routes])
    all_proved = True
    for i, route in enumerate(rec.routes):
        ids = sorted(route.credential_ids)
        for error in oracle.check_schedule(route):
            report.add("bad_schedule", f"{tag} route {i + 1} {ids}: {error}")
        out = oracle.evaluate(route.credential_ids)
        if not out.feasible:
            report.add("infeasible_route", f"{tag} route {i + 1} {ids}: oracle says {out.reason}")
            continue
        if abs(route.total_cost - out.cost) > 0.01:
            report.add("cost_mismatch", f"{tag} route {i + 1} {ids}: engine cost {route.total_cost}, "
                       f"oracle {out.cost:.2f}")
        for j, earlier in enumerate(rec.routes[:i]):
            if set(route.credential_ids) >= set(earlier.credential_ids):
                report.add("alternative_superset", f"{tag}: route {i + 1} {ids} contains route {j + 1} "
                           f"{sorted(earlier.credential_ids)}")
        key = out.key(objective)
        if not route.proved_optimal:
            all_proved = False
            UNPROVED["route"] += 1
            continue
        if key != expected[i]:
            witness = [o for o in oracle.outcomes() if o.key(objective) == expected[i]
                       and not any(o.chosen >= set(r.credential_ids) for r in rec.routes[:i])]
            category = "route1_not_optimal" if i == 0 else "alternative_not_optimal"
            best = (f"least key {expected[i]} by {sorted(witness[0].chosen)}" if witness
                    else "no set qualifies at this rank")
            report.add(category, f"{tag}: route {i + 1} {ids} proved optimal with key {key}; oracle: {best}")
        if objective == Objective.TIME and route.weeks != out.finish_week:
            report.add("time_not_earliest", f"{tag} route {i + 1} {ids}: shown finishing week {route.weeks}, "
                       f"oracle's earliest finish is week {out.finish_week}")
    if len(rec.routes) < alternatives and all_proved and expected[len(rec.routes)] is not None:
        witness = [o for o in oracle.outcomes() if o.key(objective) == expected[len(rec.routes)]
                   and not any(o.chosen >= set(r.credential_ids) for r in rec.routes)]
        report.add("missing_alternative", f"{tag}: engine gave {len(rec.routes)} route(s); oracle has another: "
                   f"{sorted(witness[0].chosen)} key {expected[len(rec.routes)]}")
    return report


def check_fixes(cat: Catalogue, profile: LearnerProfile, target: Target, diagnoses: Any, *,
                today: dt.date = TODAY, report: Report) -> Report:
    """Apply every suggested relaxation; each must make the target reachable (engine and oracle)."""
    for d in diagnoses:
        if not d.relaxation:
            continue
        try:
            relaxed = apply_relaxation(profile, d.relaxation)
        except Exception as exc:  # a one-click fix the model refuses is a finding, not a crash
            report.add("fix_invalid", f"{d.code} fix {d.relaxation} cannot be applied: {exc}")
            continue
        again = recommend(cat, relaxed, target, today=today, diagnose_infeasible=False, time_limit=5.0)
        oracle = Oracle(cat, relaxed, target, today=today)
        if not oracle.feasible:
            report.add("fix_fails", f"{d.code} fix {d.relaxation}: oracle still finds no route "
                       f"(engine {'finds' if again.routes else 'finds none'})")
        elif not again.routes and not _already_met(again):
            report.add("fix_fails", f"{d.code} fix {d.relaxation}: engine still finds no route, oracle does")
    return report


def check_all(cat: Catalogue, profile: LearnerProfile, target: Target, alternatives: int,
              objectives: tuple[Objective, ...] = tuple(Objective), today: dt.date = TODAY) -> Report:
    """Every objective at one ``alternatives`` count, sharing one oracle.

    The credit objective measures the target award, else the catalogue's first award
    (skipped when there is none).
    """
    awards = [c.id for c in cat.credentials if c.award is not None]
    credit_award = target.id if target.kind == "award" else (awards[0] if awards else None)
    oracle = Oracle(cat, profile, target, today=today, credit_award=credit_award)
    report = Report()
    for objective in objectives:
        if objective == Objective.CREDIT and credit_award is None:
            continue
        check_routes(cat, profile, target, objective, alternatives, oracle=oracle, today=today,
                     credit_award=credit_award, report=report)
    return report
