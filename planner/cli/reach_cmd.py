"""``planner reach``: every role and award ranked by its best route, and the next best step.

The learner is given as for ``planner recommend`` (``--have``, ``--know``, ``--budget``,
``--profile FILE`` …). Each target's figures are exactly those ``planner recommend
--target`` gives it (one route, the same rules and ``--time-limit`` per target). JSON output
(``--format json``) is :func:`planner.engine.reach.reach_to_json` (``version`` 1), the form
the HTTP API returns too. A progress bar is drawn on standard error when it is a terminal.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from planner.catalogue.models import Objective
from planner.cli._output import say, say_json
from planner.cli.recommend_cmd import (
    add_file_holdings,
    add_profile_arguments,
    credential_lines,
    holdings_line,
    parse_profile,
    read_file_holdings,
)

if TYPE_CHECKING:
    from planner.engine.reach import Reach, ReachEntry, ReachOptions

__all__ = ["Bars", "format_text", "register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``reach`` sub-command."""
    p = sub.add_parser(
        "reach",
        help="where can I get from here: every role and award ranked by its best route, and the next step",
        description="Rank every role and award by the objective of its proved-optimal route from your position, "
                    "say why the others are out of reach, and name the one next step on the most of the closest "
                    "targets' routes.",
    )
    p.add_argument("--catalogue", "-c", metavar="DIR|URL",
                   help="catalogue directory, or a compiled catalogue (sqlite:///FILE, postgresql://…); "
                   "default: $PLANNER_CATALOGUE, else the bundled one")
    add_profile_arguments(p)
    p.add_argument("--objective", "-o", default="cost", choices=[o.value for o in Objective if o != Objective.CREDIT],
                   help="rank by the best route's cost, finish (time) or study hours (workload); default cost")
    p.add_argument("--kind", choices=["role", "award"], help="only roles, or only awards")
    p.add_argument("--sector", metavar="S", help="only targets of this sector")
    p.add_argument("--provider", metavar="P",
                   help="only awards of provider P, and roles with an essential need P's credentials teach")
    p.add_argument("--max-cost", metavar="AMOUNT",
                   help="leave out targets whose best route costs more (in the catalogue's base currency; "
                        "--budget limits the routes themselves)")
    p.add_argument("--max-weeks", metavar="N", help="leave out targets whose best route takes longer")
    p.add_argument("--top", type=int, metavar="N",
                   help="list the N closest reachable targets; the next step is weighed over them (default: "
                        "list all, weigh the 10 closest)")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S",
                   help="seconds for each target's search, as in 'planner recommend' (default 10)")
    p.add_argument("--scheduler", default="auto", metavar="auto|none|local|tcp://HOST:PORT",
                   help="where the searches run: auto (a local Dask cluster only for many searches), none "
                        "(this process), local, or a Dask scheduler's address")
    p.add_argument("--format", "-f", default="text", choices=["text", "json"])
    p.set_defaults(handler=run)


def _fail(message: str) -> int:
    say(f"planner reach: {message}", err=True)
    return 1


def _number(text: str | None, flag: str, *, whole: bool = False) -> float | int | None:
    if text is None:
        return None
    try:
        return int(text) if whole else float(text)
    except ValueError:
        raise ValueError(f"{flag} {text[:40]!r}: expected {'a whole number' if whole else 'a number'}") from None


def _options(args: argparse.Namespace) -> ReachOptions:
    """The flags as the JSON options the HTTP API takes too (one reading of them)."""
    from planner.engine.reach import ReachOptions

    return ReachOptions.from_json({
        "objective": args.objective, "kind": args.kind, "sector": args.sector, "provider": args.provider,
        "max_cost": _number(args.max_cost, "--max-cost"), "max_weeks": _number(args.max_weeks, "--max-weeks",
                                                                                whole=True),
        "top": args.top, "time_limit": args.time_limit})


class Bars:
    """One tqdm bar per phase ("ranking", "next step") on standard error, silent when it is not a terminal."""

    def __init__(self, file: Any = None) -> None:
        self.file = file
        self.bar: Any = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Show ``done`` of ``total`` searches of ``phase``."""
        from tqdm import tqdm

        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total, desc=f"reach: {phase}", unit=" searches", disable=None, leave=False,
                            file=self.file, dynamic_ncols=True)
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _money(value: float | None, currency: str) -> str:
    return "" if value is None else f"{value:,.0f} {currency}"


def _label(entry: ReachEntry) -> str:
    return f"{'Role' if entry.kind == 'role' else 'Award'} · {entry.title}"


def _line(entry: ReachEntry) -> str:
    weeks = f"{'≥' if entry.lower_bound else ''}{entry.weeks}"
    proof = "proved" if entry.proved else "not proved"
    if entry.proved and not entry.finish_proved:
        proof += " (finish best found)"
    outlook = ""
    if entry.outlook is not None:
        parts = ([f"{entry.outlook.openings:,} openings"] if entry.outlook.openings is not None else []) + (
            [f"median {entry.outlook.median_wage}"] if entry.outlook.median_wage is not None else [])
        outlook = f"  [{'; '.join(parts)}; {entry.outlook.source}, {entry.outlook.as_of}]"
    return (f"{entry.rank:>3}. {_label(entry)}\n"
            f"     {_money(entry.cost, entry.currency)}, {weeks} weeks, {entry.hours:g} h, {entry.steps} "
            f"step{'s' * (entry.steps != 1)}; already met: {entry.met_text} ({entry.met_share:.0%}); {proof}"
            + outlook)


def _next_step_text(result: Reach) -> list[str]:
    step = result.next_step
    if step is None:
        return [f"\nNext step: {result.next_step_note}"] if result.next_step_note else []
    unit = {"cost": f" {step.currency}", "weeks": " weeks", "hours": " h"}[step.measure]
    out = [f"\nNext best step: {step.headline()}.",
           f"  {step.title} [{step.credential_id}]: {_money(step.cost, step.currency)}, {step.weeks} weeks, "
           f"{step.hours:g} h.",
           f"  Held, it takes the total {step.measure} of those {step.considered} from {step.before_total:,.0f}"
           f"{unit} to {step.after_total:,.0f}{unit} ({-step.saving:+,.0f}{unit})"
           + ("" if step.proved else "; not every search was proved") + "."]
    titles = {e.target: e.title for e in step.effects}
    out.append("  On the best route to: " + "; ".join(titles[t] for t in step.serves) + ".")
    return out


def format_text(result: Reach) -> str:
    """The ranked list, targets already met, unreachable ones and the next best step, as lines of text."""
    o = result.options
    shown = len(result.ranked)
    out = [f"Where you can get from here (ranked by {o.measure} of the best route; plan start {result.start}): "
           f"{shown} reachable target{'s' * (shown != 1)} listed of {result.searched} searched"
           + (f", {result.within_filters} within your filters" if not result.complete else "") + "."]
    if result.note:
        out.append(result.note)
    out.extend(_line(e) for e in result.ranked)
    if result.beyond_top:
        out.append(f"     … and {result.beyond_top} more reachable (raise --top to see them).")
    if result.hidden:
        out.append(f"{result.hidden} reachable target{'s' * (result.hidden != 1)} left out by --max-cost or "
                   "--max-weeks.")
    if result.met:
        out.append("\nAlready reached: " + "; ".join(_label(e) for e in result.met) + ".")
    if result.unreachable:
        out.append("\nNot reachable with your constraints:")
        out.extend(f"  {_label(e)}: {e.diagnosis}" for e in result.unreachable)
    out.extend(_next_step_text(result))
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Handle ``planner reach``."""
    from planner.engine.problem import ProblemError
    from planner.engine.reach import ReachError, reach_to_json
    from planner.store.catalogue.reach import run_reach
    from planner.store.catalogue.resolve import resolve_catalogue

    try:
        options = _options(args)
        profile = parse_profile(args)
        found = read_file_holdings(args, profile) if args.have_file else None
    except (ValueError, ReachError) as exc:
        return _fail(str(exc))
    source = resolve_catalogue(args.catalogue)
    review = None
    bars = Bars()
    try:
        if source.is_store:
            if found is not None:
                return _fail("--have-file needs a catalogue folder here; give the holdings with --have")
            store = source.open_store()
            try:
                result = run_reach(store, profile, options, scheduler=args.scheduler, progress=bars)
            finally:
                store.close()
        else:
            from planner.catalogue.loader import validate

            report = validate(source.location)
            if report.catalogue is None:
                for problem in report.errors:
                    say(problem, err=True)
                return _fail("the catalogue has errors; run 'planner validate' for the full list")
            if found is not None:
                profile, review = add_file_holdings(args, profile, found, report.catalogue)
            result = run_reach(report.catalogue, profile, options, scheduler=args.scheduler, progress=bars)
    except (ProblemError, ReachError) as exc:
        return _fail(str(exc).strip("'\""))
    finally:
        bars.close()
    if args.format == "json":
        data = reach_to_json(result)
        data["holdings"] = [h.model_dump(mode="json") for h in profile.holdings]
        if review is not None:
            data["credential_files"] = [row.to_json() for row in review.rows]
        say_json(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    text = format_text(result)
    held = holdings_line(profile)
    if held:
        text = held + "\n" + text
    if review is not None and review.rows:
        text = "\n".join(credential_lines(review)) + "\n" + text
    say(text)
    return 0
