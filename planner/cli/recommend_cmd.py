"""``planner recommend``: best stackable routes to a role, an award or competencies.

JSON output (``--format json``) is stable: an object with ``version`` (1), ``target``,
``objective``, ``feasible``, ``candidates``, ``routes`` (each with rank, credential_ids,
steps, totals, dates, proved_optimal, schedule, schedule_proved_optimal) and ``diagnoses`` (code, message,
relaxation). New keys may be added; existing ones keep their meaning.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner.models import Holding, LearnerProfile, Money, Objective, Target
from planner.results import Recommendation, to_jsonable

__all__ = [
    "balanced_to_json",
    "format_balanced",
    "format_text",
    "parse_profile",
    "parse_weights",
    "register",
    "to_json",
]

JSON_VERSION = 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``recommend`` sub-command."""
    p = sub.add_parser(
        "recommend",
        help="find the best stackable routes to a role, award or competencies",
        description="Find proved-optimal stackable routes, with alternatives, schedule and explanations.",
    )
    p.add_argument("--catalogue", "-c", metavar="DIR", help="catalogue directory (default: the bundled one)")
    p.add_argument("--target", "-t", required=True, help="role:ID, award:ID or competencies:ID=LEVEL,ID=LEVEL")
    p.add_argument("--have", action="append", default=[], metavar="ID[@DATE]",
                   help="a credential you hold, optionally with the date earned (default: today)")
    p.add_argument("--know", action="append", default=[], metavar="COMPETENCY=LEVEL",
                   help="a competency you already have, at a level")
    p.add_argument("--budget", help="most you can spend, e.g. 2000EUR or '1500 GBP'")
    p.add_argument("--hours-per-week", type=float, help="study hours per week you can give")
    p.add_argument("--start", type=dt.date.fromisoformat, help="plan start date (default: today)")
    p.add_argument("--deadline", type=dt.date.fromisoformat, help="finish by this date (YYYY-MM-DD)")
    p.add_argument("--mode", action="append", default=[], choices=["online", "onsite", "blended"],
                   help="accepted participation mode (repeatable; default: any)")
    p.add_argument("--language", action="append", default=[], metavar="CODE", help="accepted language (repeatable)")
    p.add_argument("--country", action="append", default=[], metavar="CODE", help="accepted country (repeatable)")
    p.add_argument("--avoid-provider", action="append", default=[], metavar="ID")
    p.add_argument("--avoid", action="append", default=[], metavar="ID", help="a credential to avoid")
    p.add_argument("--profile", metavar="FILE", help="learner profile YAML/JSON (flags add to it)")
    p.add_argument("--objective", "-o", default="cost", choices=[o.value for o in Objective])
    p.add_argument("--weights", metavar="OBJ=W,...",
                   help="a weighted mix instead of one objective, e.g. cost=1,time=0.5 (each term normalised)")
    p.add_argument("--pareto", action="store_true",
                   help="list the cost × time trade-off (routes none of which is cheaper and faster than another)")
    p.add_argument("--credit-award", metavar="ID", help="award whose credit is measured")
    p.add_argument("--alternatives", "-k", type=int, default=3, help="number of distinct routes (default 3)")
    p.add_argument("--terms", type=int, metavar="N",
                   help="also spread route 1 over N terms so the heaviest term is as light as possible")
    p.add_argument("--term-weeks", type=int, default=13, metavar="W", help="weeks per term (default 13)")
    p.add_argument("--format", "-f", default="text", choices=["text", "json"])
    p.set_defaults(handler=run)


def _fail(message: str) -> int:
    print(f"planner recommend: {message}", file=sys.stderr)
    return 1


def _parse_money(text: str) -> Money:
    text = text.strip()
    if len(text) > 3 and text[-3:].isalpha() and text[-4] != " ":
        text = f"{text[:-3]} {text[-3:]}"
    return Money.model_validate(text)


def parse_profile(args: argparse.Namespace) -> LearnerProfile:
    """Build the learner profile from ``--profile`` and the flags (flags win).

    Raises
    ------
    ValueError
        With a plain message naming the bad flag or file field.

    """
    base: dict[str, Any] = {}
    if args.profile:
        from planner.inputs import InputError, read_yaml_file

        try:  # the safe loader: size, type, depth and alias limits; JSON is YAML too
            base = read_yaml_file(args.profile) or {}
        except InputError as exc:
            raise ValueError(str(exc)) from None
        if not isinstance(base, dict):
            raise ValueError(f"{args.profile}: a profile is a mapping with holdings, competencies, constraints")
        for key, kind in (("holdings", list), ("competencies", list), ("constraints", dict)):
            if not isinstance(base.get(key, kind()), kind):
                raise ValueError(f"{args.profile}: {key}: expected a {'list' if kind is list else 'mapping'}")
    today = args.start or dt.date.today()
    holdings = list(base.get("holdings", []))
    for item in args.have:
        cid, _, day = item.partition("@")
        try:
            earned = dt.date.fromisoformat(day) if day else today
        except ValueError as exc:
            raise ValueError(f"--have {item}: date must be YYYY-MM-DD") from exc
        holdings.append(Holding(credential=cid, earned=earned).model_dump(mode="json"))
    competencies = list(base.get("competencies", []))
    for item in args.know:
        comp, eq, level = item.partition("=")
        if not eq or not level.strip().isdigit():
            raise ValueError(f"--know {item}: expected COMPETENCY=LEVEL, e.g. python-programming=2")
        competencies.append({"competency": comp.strip(), "level": int(level)})
    constraints = dict(base.get("constraints", {}))
    if args.budget:
        try:
            constraints["budget"] = _parse_money(args.budget).model_dump(mode="json")
        except ValidationError as exc:
            raise ValueError(f"--budget {args.budget}: expected an amount and a currency, e.g. 2000EUR") from exc
    for flag, key in (("hours_per_week", "hours_per_week"), ("start", "start"), ("deadline", "deadline")):
        value = getattr(args, flag)
        if value is not None:
            constraints[key] = value.isoformat() if isinstance(value, dt.date) else value
    for flag, key in (("mode", "modes"), ("language", "languages"), ("country", "countries"),
                      ("avoid_provider", "avoid_providers"), ("avoid", "avoid_credentials")):
        values = getattr(args, flag)
        if values:
            constraints[key] = [*constraints.get(key, []), *values]
    data = {**base, "holdings": holdings, "competencies": competencies, "constraints": constraints}
    try:
        return LearnerProfile.model_validate(data)
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ValueError("invalid learner profile: " + "; ".join(lines)) from exc


def parse_weights(text: str) -> dict[Objective, float]:
    """Parse ``cost=1,time=0.5`` into objective weights.

    Raises
    ------
    ValueError
        On an unknown objective or a weight that is not a non-negative number.
    """
    out: dict[Objective, float] = {}
    for part in text.split(","):
        name, eq, value = part.partition("=")
        try:
            objective = Objective(name.strip())
            weight = float(value)
        except ValueError as exc:
            raise ValueError(f"expected OBJECTIVE=WEIGHT with objective in "
                             f"{', '.join(o.value for o in Objective)}, got {part!r}") from exc
        if not eq or weight < 0:
            raise ValueError(f"weight must be a number ≥ 0, got {part!r}")
        out[objective] = weight
    if not any(out.values()):
        raise ValueError("at least one weight must be above 0")
    return out


def to_json(rec: Recommendation) -> dict[str, Any]:
    """The stable JSON shape of a recommendation (see the module docstring)."""
    return {
        "version": JSON_VERSION,
        "target": str(rec.target),
        "objective": rec.objective.value,
        "feasible": rec.feasible,
        "candidates": rec.candidates,
        "routes": to_jsonable(rec.routes),
        "diagnoses": to_jsonable(rec.diagnoses),
    }


def balanced_to_json(plan: Any) -> dict[str, Any]:
    """The JSON shape of a balanced term plan."""
    return {
        "feasible": plan.feasible, "reason": plan.reason, "proved_optimal": plan.proved_optimal,
        "terms": plan.terms, "term_weeks": plan.term_weeks, "term_hours": list(plan.term_hours),
        "steps": to_jsonable(plan.steps),
    }


def format_balanced(plan: Any, catalogue: Any) -> str:
    """The balanced term plan as lines of text."""
    if not plan.feasible:
        return f"\nBalanced plan: not possible: {plan.reason}"
    proof = "proved optimal" if plan.proved_optimal else "best found"
    out = [f"\nBalanced plan over {plan.terms} terms of {plan.term_weeks} weeks "
           f"(heaviest term {plan.max_term_hours:g} h, {proof}):"]
    for term in range(1, (plan.terms or 0) + 1):
        items = [catalogue.credential(s.credential_id).title for s in plan.steps if s.term == term]
        out.append(f"  term {term}: {plan.term_hours[term - 1]:g} h  " + "; ".join(items))
    return "\n".join(out)


def format_text(rec: Recommendation, catalogue: Any) -> str:
    """A terminal-friendly rendering: each route, its steps, totals and explanations."""
    out = [f"Target: {rec.target}    objective: {rec.objective.value}    candidates: {rec.candidates}"]
    if not rec.routes:
        out.append("\nNo route reaches this target.")
    for route in rec.routes:
        proof = "proved optimal" if route.proved_optimal else "best found (not proved)"
        if not route.schedule_proved_optimal:
            proof += "; finish date best found in time"
        out.append(
            f"\nRoute {route.rank}: {route.total_cost:,.0f} {route.currency}, {route.total_ects:g} ECTS, "
            f"{route.total_hours:g} h, {route.start} → {route.finish} ({route.weeks} weeks), "
            f"fit {route.fit:.0%} [{proof}]"
        )
        for i, step in enumerate(route.steps, 1):
            when = f"{step.start} → {step.end}" if step.start else ""
            out.append(f"  {i}. {step.title}  [{step.credential_id}]  {when}")
            out.append(f"     {step.explanation}")
    for diag in rec.diagnoses:
        out.append(f"\n! {diag.message}")
        if diag.relaxation:
            change = ", ".join(f"{k}={v}" for k, v in diag.relaxation.items())
            out.append(f"  nearest fix: {change}")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Handle ``planner recommend``."""
    from planner.catalogue import default_catalogue_dir, validate
    from planner.problem import ProblemError
    from planner.routing import pareto, recommend

    try:
        target = Target.parse(args.target)
    except (ValueError, ValidationError) as exc:
        return _fail(f"--target {args.target}: {exc}")
    try:
        profile = parse_profile(args)
    except ValueError as exc:
        return _fail(str(exc))
    if args.alternatives < 1 or args.alternatives > 50:
        return _fail("--alternatives must be between 1 and 50")
    try:
        weights = parse_weights(args.weights) if args.weights else None
    except ValueError as exc:
        return _fail(f"--weights {args.weights}: {exc}")
    report = validate(Path(args.catalogue) if args.catalogue else default_catalogue_dir())
    if report.catalogue is None:
        for problem in report.errors:
            print(problem, file=sys.stderr)
        return _fail("the catalogue has errors; run 'planner validate' for the full list")
    catalogue = report.catalogue
    try:
        rec = recommend(catalogue, profile, target, objective=args.objective, weights=weights,
                        alternatives=args.alternatives, credit_award=args.credit_award,
                        today=profile.constraints.start)
        front = pareto(catalogue, profile, target, today=profile.constraints.start) if args.pareto else None
    except (ProblemError, ValueError, KeyError) as exc:
        return _fail(str(exc).strip("'\""))
    balanced = None
    if args.terms is not None and rec.best is not None:
        from planner.schedule import balanced_plan

        if not 1 <= args.terms <= 40 or not 1 <= args.term_weeks <= 52:
            return _fail("--terms must be 1–40 and --term-weeks 1–52")
        balanced = balanced_plan(catalogue, rec.best.credential_ids, profile, terms=args.terms,
                                 term_weeks=args.term_weeks, start=rec.best.start)
    if args.format == "json":
        data = to_json(rec)
        if balanced is not None:
            data["balanced_plan"] = balanced_to_json(balanced)
        if front is not None:
            data["pareto"] = [{"cost": r.total_cost, "weeks": r.weeks, "finish": r.finish.isoformat(),
                               "credential_ids": list(r.credential_ids)} for r in front]
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        text = format_text(rec, catalogue) + (format_balanced(balanced, catalogue) if balanced else "")
        if front is not None:
            text += "\n\nCost × time trade-off:" + "".join(
                f"\n  {r.total_cost:>10,.0f} {r.currency}  {r.weeks:>4} weeks  ({len(r.credential_ids)} steps)"
                for r in front)
        print(text)
    return 0 if rec.feasible else 1
