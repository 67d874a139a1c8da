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
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from planner.catalogue.models import (
    MAX_ALTERNATIVES,
    MAX_COST,
    MAX_HOURS_PER_WEEK,
    MAX_TERM_WEEKS,
    MAX_TERMS,
    VERIFIED_HOLDINGS,
    Holding,
    LearnerProfile,
    Money,
    Objective,
    Target,
    check_weight,
    parse_date,
    parse_level,
)
from planner.cli._output import say, say_json
from planner.engine.results import Recommendation, to_jsonable

if TYPE_CHECKING:  # verification (pyld, cryptography) is imported only when --have-file is given
    from planner.verify.holdings import FileHoldings
    from planner.verify.review import CredentialReview

__all__ = [
    "add_file_holdings",
    "add_profile_arguments",
    "answer_to_json",
    "balanced_to_json",
    "credential_lines",
    "format_balanced",
    "format_text",
    "holdings_line",
    "parse_profile",
    "parse_weights",
    "read_file_holdings",
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
    p.add_argument("--catalogue", "-c", metavar="DIR|URL",
                   help="catalogue directory, or a compiled catalogue (sqlite:///FILE, postgresql://…); "
                   "default: $PLANNER_CATALOGUE, else the bundled one")
    p.add_argument("--target", "-t", required=True, help="role:ID, award:ID or competencies:ID=LEVEL,ID=LEVEL")
    add_profile_arguments(p)
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
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S",
                   help="seconds for the whole search, diagnosis included (default 10); what is not "
                        "proved in that time is labelled")
    p.add_argument("--format", "-f", default="text", choices=["text", "json"])
    p.set_defaults(handler=run)


def add_profile_arguments(p: argparse.ArgumentParser) -> None:
    """Add the learner's flags (holdings, competencies, constraints, ``--profile``) read by :func:`parse_profile`."""
    p.add_argument("--have", action="append", default=[], metavar="ID[@DATE]",
                   help="a credential you hold, optionally with the date earned (default: today)")
    p.add_argument("--have-file", action="append", default=[], metavar="FILE",
                   help="Open Badges 3.0 / CLR 2.0 credentials you hold (JSON, a baked PNG / SVG badge, or a "
                        "VC-JWT); each is verified offline (contexts from $PLANNER_CONTEXT_DIR, issuers' keys from "
                        "the catalogue's trust list) and counts as verified only if it verifies")
    p.add_argument("--count-unverified", action="store_true",
                   help="count credentials from --have-file that did not verify, as self-declared holdings")
    from planner.cli.verify_cmd import add_trust_arguments

    add_trust_arguments(p, catalogue=False)
    p.add_argument("--know", action="append", default=[], metavar="COMPETENCY=LEVEL",
                   help="a competency you already have, at a level")
    p.add_argument("--budget", help="most you can spend, e.g. 2000EUR or '1500 GBP'")
    p.add_argument("--hours-per-week", help=f"study hours per week you can give (at most {MAX_HOURS_PER_WEEK:g})")
    # dates and numbers are checked in parse_profile, so a bad one is a located error with exit code 1
    p.add_argument("--start", help="plan start date, YYYY-MM-DD (default: today)")
    p.add_argument("--deadline", help="finish by this date (YYYY-MM-DD)")
    p.add_argument("--mode", action="append", default=[], choices=["online", "onsite", "blended"],
                   help="accepted participation mode (repeatable; default: any)")
    p.add_argument("--audience", action="append", default=[], metavar="AUDIENCE",
                   help="an audience you belong to, for prices per audience: in-state, out-of-state, resident, "
                   "non-resident, member, non-member … (repeatable; default: the lowest published price)")
    p.add_argument("--language", action="append", default=[], metavar="CODE", help="accepted language (repeatable)")
    p.add_argument("--country", action="append", default=[], metavar="CODE", help="accepted country (repeatable)")
    p.add_argument("--avoid-provider", action="append", default=[], metavar="ID")
    p.add_argument("--avoid", action="append", default=[], metavar="ID", help="a credential to avoid")
    p.add_argument("--profile", metavar="FILE", help="learner profile YAML/JSON (flags add to it)")


def _fail(message: str) -> int:
    say(f"planner recommend: {message}", err=True)
    return 1


def _parse_money(text: str) -> Money:
    text = text.strip()
    if len(text) > 3 and text[-3:].isalpha() and text[-4] != " ":
        text = f"{text[:-3]} {text[-3:]}"
    return Money.model_validate(text)


def _hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise ValueError(f"--hours-per-week {text[:40]!r}: expected a number of hours") from None
    if not math.isfinite(hours) or not 0 < hours <= MAX_HOURS_PER_WEEK:
        raise ValueError(f"--hours-per-week {text[:40]}: must be above 0 and at most {MAX_HOURS_PER_WEEK:g}")
    return hours


def parse_profile(args: argparse.Namespace) -> LearnerProfile:
    """Build the learner profile from ``--profile`` and the flags (flags win).

    Raises
    ------
    ValueError
        With a plain message naming the bad flag or file field.

    """
    base: dict[str, Any] = {}
    if args.profile:
        from planner.catalogue.inputs import InputError, read_yaml_file

        try:  # the safe loader: size, type, depth and alias limits; JSON is YAML too
            base = read_yaml_file(args.profile) or {}
        except InputError as exc:
            raise ValueError(str(exc)) from None
        if not isinstance(base, dict):
            raise ValueError(f"{args.profile}: a profile is a mapping with holdings, competencies, constraints")
        for key, kind in (("holdings", list), ("competencies", list), ("constraints", dict)):
            if not isinstance(base.get(key, kind()), kind):
                raise ValueError(f"{args.profile}: {key}: expected a {'list' if kind is list else 'mapping'}")
    start = parse_date(args.start, "--start") if args.start is not None else None
    deadline = parse_date(args.deadline, "--deadline") if args.deadline is not None else None
    today = start or dt.date.today()
    holdings = list(base.get("holdings", []))
    for item in args.have:
        cid, _, day = item.partition("@")
        earned = parse_date(day, f"--have {cid}") if day else today
        try:
            holdings.append(Holding(credential=cid, earned=earned).model_dump(mode="json"))
        except ValidationError as exc:
            raise ValueError(f"--have {item[:80]}: {exc.errors()[0]['msg']}") from exc
    competencies = list(base.get("competencies", []))
    for item in args.know:
        comp, eq, level = item.partition("=")
        if not eq:
            raise ValueError(f"--know {item}: expected COMPETENCY=LEVEL, e.g. python-programming=2")
        competencies.append({"competency": comp.strip(), "level": parse_level(level, f"--know {comp.strip()}")})
    constraints = dict(base.get("constraints", {}))
    if args.budget:
        try:
            constraints["budget"] = _parse_money(args.budget).model_dump(mode="json")
        except ValidationError as exc:
            raise ValueError(f"--budget {args.budget[:40]}: expected an amount from 0 to {MAX_COST:,.0f} and a "
                             "currency, e.g. 2000EUR") from exc
    if args.hours_per_week is not None:
        constraints["hours_per_week"] = _hours(str(args.hours_per_week))
    for key, value in (("start", start), ("deadline", deadline)):
        if value is not None:
            constraints[key] = value.isoformat()
    for flag, key in (("mode", "modes"), ("language", "languages"), ("country", "countries"),
                      ("avoid_provider", "avoid_providers"), ("avoid", "avoid_credentials"),
                      ("audience", "audiences")):
        values = getattr(args, flag, None)  # commands that plan without --audience leave it out
        if values:
            constraints[key] = [*constraints.get(key, []), *values]
    data = {**base, "holdings": holdings, "competencies": competencies, "constraints": constraints}
    try:
        return LearnerProfile.model_validate(data)
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ValueError("invalid learner profile: " + "; ".join(lines)) from exc


def read_file_holdings(args: argparse.Namespace, profile: LearnerProfile, providers: Any = ()) -> FileHoldings:
    """Read and verify the ``--have-file`` credentials, reporting the files' problems on standard error.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments (files, trust options).
    profile : LearnerProfile
        The learner (its start date is the day validity is judged at).
    providers : iterable of Provider
        The catalogue's providers: their issuers and keys are the trust list.

    Raises
    ------
    ValueError
        When a file or an issuer document cannot be read at all.
    """
    from planner.cli.verify_cmd import trust_from_arguments
    from planner.verify.holdings import holdings_from_files

    trust, resolver = trust_from_arguments(args, providers)
    found = holdings_from_files(args.have_file, today=profile.constraints.start or dt.date.today(),
                                count_unverified=args.count_unverified, trust=trust, resolver=resolver)
    if resolver is not None:
        for issuer, why in sorted(resolver.failures.items()):
            say(f"could not resolve {issuer}: {why}", err=True)
    for problem in found.problems:
        say(problem, err=True)
    unreadable = [p for p in found.problems if p.severity == "error" and not p.pointer]
    if unreadable:
        raise ValueError(f"--have-file: cannot read {unreadable[0].file}")
    return found


def _with_holdings(profile: LearnerProfile, holdings: list[Holding]) -> LearnerProfile:
    # the holdings come from the verifier in this run: their "verified" marks are kept
    data = profile.model_dump(mode="json")
    data["holdings"] = [h.model_dump(mode="json") for h in holdings]
    return LearnerProfile.model_validate(data, context={VERIFIED_HOLDINGS: True})


def _merged(typed: Sequence[Holding], uploaded: Sequence[Holding]) -> list[Holding]:
    from planner.verify.review import merge_holdings

    return merge_holdings(typed, uploaded)


def add_file_holdings(args: argparse.Namespace, profile: LearnerProfile, found: FileHoldings,
                      catalogue: Any) -> tuple[LearnerProfile, CredentialReview]:
    """Add the holdings of ``--have-file`` credentials to the profile, as the Plan page counts them.

    Each credential is matched to the catalogue and counted by
    :meth:`planner.verify.review.CredentialReview.holdings` (verified, and issued by the
    provider when the provider lists its issuers); the others are reported on standard
    error and left out, unless ``--count-unverified`` counts them as declared.

    Returns
    -------
    tuple of (LearnerProfile, CredentialReview)
        The profile with the counted holdings (an uploaded one replaces the same one given
        with ``--have``), and the review with a row per credential.
    """
    from planner.verify.review import NO_HOLDING, review_credentials

    review = review_credentials(found, catalogue, getattr(args, "learner_id", ()) or ())
    declared = {c.id for c in catalogue.credentials} if args.count_unverified else set()
    counted = review.holdings(declared)
    held = {h.credential for h in counted}
    reported: set[str] = set()
    for row in review.rows:
        if row.match in held or (row.match or f"{row.title} ({row.file})") in reported or row.match_title == NO_HOLDING:
            continue
        reported.add(row.match or f"{row.title} ({row.file})")
        what = row.outcome + (f": {row.reason}" if row.reason and row.issuer_ok else "")
        hint = " (--count-unverified counts it as self-declared)" if row.declarable else ""
        say(f"not counted: {row.match or f'{row.title} ({row.file})'}: {what}{hint}", err=True)
    return _with_holdings(profile, _merged(profile.holdings, counted)), review


def _trusted_providers(source: Any, catalogue: Any) -> Any:
    """The providers whose issuers and keys form the trust list (a store reads only those that list issuers)."""
    if catalogue is not None:
        return catalogue.providers
    from planner.store.catalogue.engine import StoreError

    store = source.open_store()
    try:
        return store.providers_with_issuers()
    except StoreError as exc:
        raise ValueError(str(exc)) from None
    finally:
        store.close()


def credential_lines(review: CredentialReview) -> list[str]:
    """One line per credential read from ``--have-file``: its match, status and issuer."""
    return ["Credential files:", *(
        f"  {row.title} ({row.file}) -> {row.match_title}: {row.status.value}; {row.issuer}"
        + (f"; {row.reason}" if row.reason else "") for row in review.rows)]


def holdings_line(profile: LearnerProfile) -> str | None:
    """``Holdings: ID (verified), ID (declared)`` for the text output, or None without holdings."""
    if not profile.holdings:
        return None
    from planner.verify.words import COUNTS

    return "Holdings: " + ", ".join(f"{h.credential} ({COUNTS[h.verification]})" for h in profile.holdings)


def parse_weights(text: str) -> dict[Objective, float]:
    """Parse ``cost=1,time=0.5`` into objective weights.

    Raises
    ------
    ValueError
        On an unknown objective, or a weight that is not a finite number from 0 to
        :data:`planner.catalogue.models.MAX_WEIGHT` (``inf``, ``nan`` and ``1e308`` are refused).
    """
    out: dict[Objective, float] = {}
    for part in text.split(","):
        name, eq, value = part.partition("=")
        try:
            objective = Objective(name.strip())
            weight = float(value)
        except ValueError as exc:
            raise ValueError(f"expected OBJECTIVE=WEIGHT with objective in "
                             f"{', '.join(o.value for o in Objective)}, got {part[:40]!r}") from exc
        if not eq:
            raise ValueError(f"expected OBJECTIVE=WEIGHT, got {part[:40]!r}")
        out[objective] = check_weight(weight, objective.value)
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
        "complete": rec.complete,
        "holdings": [h.model_dump(mode="json") for h in rec.profile.holdings],
        "note": rec.note,
        "routes": to_jsonable(rec.routes),
        "diagnoses": to_jsonable(rec.diagnoses),
    }


def answer_to_json(rec: Recommendation, *, balanced: Any = None, review: CredentialReview | None = None,
                   front: Sequence[Any] | None = None) -> dict[str, Any]:
    """The whole JSON answer of ``planner recommend --format json`` (the HTTP API's ``POST /routes`` too).

    Parameters
    ----------
    rec : Recommendation
        The routes (:func:`to_json`).
    balanced : BalancedPlan, optional
        Route 1 spread over terms (``--terms``), as ``balanced_plan``.
    review : CredentialReview, optional
        The credential files read (``--have-file``), as ``credential_files``.
    front : sequence of Route, optional
        The cost × time trade-off (``--pareto``), as ``pareto``.
    """
    data = to_json(rec)
    if balanced is not None:
        data["balanced_plan"] = balanced_to_json(balanced)
    if review is not None:
        data["credential_files"] = [row.to_json() for row in review.rows]
    if front is not None:
        data["pareto"] = [{"cost": r.total_cost, "weeks": r.weeks, "finish": r.finish.isoformat(),
                           "credential_ids": list(r.credential_ids)} for r in front]
    return data


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
    held = holdings_line(rec.profile)
    if held:
        out.append(held)
    if not rec.routes:
        out.append("\nNo route reaches this target." if rec.complete
                   else "\nNo route found within the time limit (the search did not finish).")
    for route in rec.routes:
        proof = "proved optimal" if route.proved_optimal else "best found (not proved)"
        if not route.schedule_proved_optimal:
            proof += "; finish date best found in time"
        finish = f"{route.start} → {route.finish}" if not route.duration_unknown else f"from {route.start}"
        out.append(
            f"\nRoute {route.rank}: {route.total_cost:,.0f} {route.currency}, {route.total_ects:g} ECTS, "
            f"{route.total_hours:g} h, {finish} ({route.duration_text}), "
            f"fit {route.fit:.0%} [{proof}]"
        )
        unknown = set(route.duration_unknown)
        for i, step in enumerate(route.steps, 1):
            if step.credential_id in unknown:
                when = "duration unknown"
            elif unknown and step.start:  # placed after steps of unknown length: a lower bound
                when = f"not before {step.start}"
            else:
                when = f"{step.start} → {step.end}" if step.start else ""
            out.append(f"  {i}. {step.title}  [{step.credential_id}]  {when}")
            out.append(f"     {step.explanation}")
    if rec.note:
        out.append(f"\n{rec.note}")
    for diag in rec.diagnoses:
        out.append(f"\n! {diag.message}")
        if diag.relaxation:
            change = ", ".join(f"{k}={v}" for k, v in diag.relaxation.items())
            out.append(f"  nearest fix: {change}")
    return "\n".join(out)


class _Refused(Exception):
    """A refusal of ``planner recommend``: its message goes to stderr and the exit code is 1."""


def run(args: argparse.Namespace) -> int:
    """Handle ``planner recommend``."""
    from planner.engine.problem import ProblemError
    from planner.engine.routing import pareto, recommend

    try:
        target, profile, weights = _question(args)
        catalogue, profile, review = _catalogue_and_profile(args, target, profile)
    except _Refused as exc:
        return _fail(str(exc))
    try:
        rec = recommend(catalogue, profile, target, objective=args.objective, weights=weights,
                        alternatives=args.alternatives, credit_award=args.credit_award,
                        today=profile.constraints.start, time_limit=args.time_limit)
        front = (pareto(catalogue, profile, target, today=profile.constraints.start, time_limit=args.time_limit)
                 if args.pareto else None)
    except (ProblemError, ValueError, KeyError) as exc:
        return _fail(str(exc).strip("'\""))
    balanced = None
    if args.terms is not None and rec.best is not None:
        from planner.engine.termplan import balanced_plan

        if not 1 <= args.terms <= MAX_TERMS or not 1 <= args.term_weeks <= MAX_TERM_WEEKS:
            return _fail(f"--terms must be 1–{MAX_TERMS} and --term-weeks 1–{MAX_TERM_WEEKS}")
        balanced = balanced_plan(catalogue, rec.best.credential_ids, profile, terms=args.terms,
                                 term_weeks=args.term_weeks, start=rec.best.start)
    _print_answer(args, rec, catalogue, balanced, review, front)
    return 0 if rec.feasible else 1


def _question(args: argparse.Namespace) -> tuple[Target, LearnerProfile, dict[Objective, float] | None]:
    """The target, the learner's profile and the objective weights, from the arguments.

    Raises
    ------
    _Refused
        When an argument is malformed or out of range.
    """
    try:
        target = Target.parse(args.target)
    except (ValueError, ValidationError) as exc:
        raise _Refused(f"--target {args.target}: {exc}") from None
    try:
        profile = parse_profile(args)
    except ValueError as exc:
        raise _Refused(str(exc)) from None
    if args.alternatives < 1 or args.alternatives > MAX_ALTERNATIVES:
        raise _Refused(f"--alternatives must be between 1 and {MAX_ALTERNATIVES}")
    if not (0.1 <= args.time_limit <= 3600):  # also refuses nan and inf
        raise _Refused("--time-limit must be between 0.1 and 3600 seconds")
    try:
        weights = parse_weights(args.weights) if args.weights else None
    except ValueError as exc:
        raise _Refused(f"--weights {args.weights}: {exc}") from None
    return target, profile, weights


def _catalogue_and_profile(args: argparse.Namespace, target: Target, profile: LearnerProfile,
                           ) -> tuple[Any, LearnerProfile, CredentialReview | None]:
    """The catalogue to plan on, the profile with any credential files counted, and their review.

    A folder catalogue is validated whole; of a compiled catalogue only what this question
    needs is read.

    Raises
    ------
    _Refused
        When the catalogue has errors, or a credential file or the store refuses.
    """
    from planner.catalogue.loader import validate
    from planner.store.catalogue.resolve import resolve_catalogue

    found: FileHoldings | None = None
    source = resolve_catalogue(args.catalogue)
    folder_catalogue = None
    if not source.is_store:
        report = validate(Path(source.location))
        if report.catalogue is None:
            for problem in report.errors:
                say(problem, err=True)
            raise _Refused("the catalogue has errors; run 'planner validate' for the full list")
        folder_catalogue = report.catalogue
    if getattr(args, "have_file", None):
        # the catalogue's trust list confirms issuers before anything is counted
        try:
            found = read_file_holdings(args, profile, _trusted_providers(source, folder_catalogue))
        except ValueError as exc:
            raise _Refused(str(exc)) from None
    if source.is_store:  # a compiled catalogue: only what this question needs is read
        from planner.store.catalogue.engine import StoreError

        # the credentials' holdings (counted before the issuer check) take part in the sub-catalogue
        asked = profile if found is None else _with_holdings(profile, _merged(profile.holdings, found.holdings))
        try:
            catalogue = source.catalogue_for(asked, target, credit_award=args.credit_award)
        except StoreError as exc:
            raise _Refused(str(exc)) from None
    else:
        catalogue = folder_catalogue
    review = None
    if found is not None:
        try:
            profile, review = add_file_holdings(args, profile, found, catalogue)
        except ValueError as exc:
            raise _Refused(str(exc)) from None
    return catalogue, profile, review


def _print_answer(args: argparse.Namespace, rec: Recommendation, catalogue: Any, balanced: Any,
                  review: CredentialReview | None, front: Any) -> None:
    """Print the answer as JSON or text (credential review, routes, term plan, trade-off)."""
    if args.format == "json":
        data = answer_to_json(rec, balanced=balanced, review=review, front=front)
        say_json(json.dumps(data, indent=2, ensure_ascii=False))
        return
    text = format_text(rec, catalogue) + (format_balanced(balanced, catalogue) if balanced else "")
    if review is not None and review.rows:
        text = "\n".join(credential_lines(review)) + "\n" + text
    if front is not None:
        text += "\n\nCost × time trade-off:" + "".join(
            f"\n  {r.total_cost:>10,.0f} {r.currency}  {r.weeks:>4} weeks  ({len(r.credential_ids)} steps)"
            for r in front)
    say(text)
