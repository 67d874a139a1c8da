"""Balanced term plans: spread a route over ``K`` terms, heaviest term as light as possible.

Semantics
---------
Term ``k`` (1-based, as advisors count) covers weeks ``(k-1)·term_weeks`` to
``k·term_weeks - 1``. A credential starts in the first week of a term (with intake dates:
the first intake week inside that term) and may run on into later terms; its hours are
spread evenly over its weeks (workloads come from :func:`planner.engine.schedule.effort`). A
prerequisite finishes in a term strictly before its dependant starts; an award takes no
time and completes in the term its rules are met (the term of the component that
completes it, or later). The learner's limits, when set: at most
``hours_per_week × term_weeks`` hours in any term, at least ``min_hours_per_week ×
term_weeks`` hours in every term up to the last term in use (a plan may finish early but
never leaves a light term before its end), at most ``max_credentials_per_term`` credentials
studied in a term (awards do not count). The plan chosen has the lightest heaviest term
among all valid plans; among those, earlier terms are preferred (see Method: not proved).

Method
------
Each credential has a few *options* (its possible start terms, with the weeks and the
hours each puts into every term). Two passes over the prerequisites narrow them before any
solver runs: the earliest term each credential can start (prerequisites each at their
earliest), and the latest (a credential that a dependant, or an award, needs must end in
time for the latest start of that dependant). The choice of one option per credential is
then a 0/1 model: one option each; a dependant's option needs an alternative of each
requirement group ending strictly earlier; an award's option needs its rule tree met by
the components ended by then (all-of, n-of, credit pools with the RPL cap); per-term loads
below the maximum and above the minimum up to the last term in use; at most the cap of
credentials a term; the heaviest load ``z`` above every term's load and, from the start,
above the average load and the lightest possible load of each credential.

The model is solved with OR-Tools CP-SAT (one worker, so the same plan comes out on
every run unless the time limit cuts the search short), started from a list-scheduling
plan (credentials in prerequisite order, each in the option that keeps its terms
lightest). ``z`` moves in steps of the greatest common divisor of the option loads, a
valid rounding that often closes the gap at once. Hours are counted exactly as integers
in a common unit (the least common denominator of the loads, or thousandths of an hour
when they have none that is small); ECTS likewise. Then, as a preference that is not
proved, credentials move to earlier terms one at a time (by term, then id) while the plan
stays valid and no term gets heavier.

Why CP-SAT: on generated 40–70-credential degrees over 8–12 terms it proves the heaviest
term typically within a second (median 0.39 s on two busy cores, 59 of 60 within 1 s),
where the same model as a MILP (HiGHS, with the same option narrowing, bounds and start;
``solver="highs"``) proved 4 of 15 within 10 s (see ``benchmarks/bench_termplan.py`` and
``benchmarks/README.md``). Whatever the solver, ``proved_optimal`` means the heaviest
term's hours were proved minimal within the time limit, which bounds the whole call (the
search for the fewest terms and the explanation of an infeasible plan included).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from planner.catalogue.models import Catalogue, LearnerProfile
from planner.engine.rules import AwardTree, encode_award
from planner.engine.schedule import (
    MAX_TERMS,
    Schedule,
    _circular,
    _finish,
    _infeasible,
    _Item,
    _Milp,
    _plan_start,
    _prepare,
    _rule_row,
    _Starts,
    _step,
)

__all__ = ["SOLVERS", "balanced_plan"]

#: Solvers :func:`balanced_plan` can use for the model (CP-SAT by default).
SOLVERS = ("cp-sat", "highs")

Solver = Literal["cp-sat", "highs"]

_TOL = 1e-6
# largest integer unit per hour (or per ECTS) before falling back to thousandths
_MAX_SCALE = 100_000


@dataclass(frozen=True)
class _Option:
    """An item started in a given term."""

    term: int  # 0-based start term
    last: int  # last term it occupies
    start_week: int
    end_week: int
    load: tuple[tuple[int, float], ...]  # (term, hours)


def _options(it: _Item, starts: _Starts, terms: int, term_weeks: int) -> list[_Option]:
    out = []
    for j in range(terms):
        lo = j * term_weeks
        if it.award:
            out.append(_Option(j, j, lo, lo, ()))
            continue
        s = starts.next(it.id, lo)
        if s is None or s >= lo + term_weeks:
            continue
        if it.weeks == 0:
            out.append(_Option(j, j, s, s, ((j, it.hours),) if it.hours else ()))
            continue
        e = s + it.weeks
        last = (e - 1) // term_weeks
        if last >= terms:
            break
        per_week = it.hours / it.weeks
        load = []
        for k in range(j, last + 1):
            overlap = min(e, (k + 1) * term_weeks) - max(s, k * term_weeks)
            if per_week and overlap > 0:
                load.append((k, per_week * overlap))
        out.append(_Option(j, last, s, e, tuple(load)))
    return out


def _term_chain(
    items: Sequence[_Item], opts: dict[str, list[_Option]]
) -> tuple[int, list[str], dict[str, int]] | None:
    """Fewest terms the requirements need (ignoring loads), the chain that forces it, earliest terms."""
    last: dict[str, float] = {it.id: math.inf for it in items}
    choice: dict[str, _Option] = {}
    via: dict[str, str | None] = {}
    changed = True
    while changed:
        changed = False
        for it in items:
            ready, why = 0.0, None
            for g in it.groups:
                alt = min(g.alts, key=lambda a: (last[a], a))
                if last[alt] + 1 > ready:  # prerequisites: a strictly earlier term
                    ready, why = last[alt] + 1, alt
            if it.rule is not None:  # an award: by the term its rules are met
                met = it.rule.met_at(last)
                if met > ready:
                    ready = met
                    why = min((m for m in it.rule.members() if last.get(m) == met), default=None)
            if ready == math.inf:
                continue
            opt = next((o for o in opts[it.id] if o.term >= ready), None)
            if opt is not None and opt.last < last[it.id]:
                last[it.id], choice[it.id], via[it.id] = opt.last, opt, why
                changed = True
    if len(choice) < len(items):
        return None
    end = max(items, key=lambda it: (last[it.id], it.id)).id
    chain = [end]
    while via.get(chain[-1]) is not None and len(chain) <= len(items):
        chain.append(via[chain[-1]])  # type: ignore[arg-type]
    return int(max(last.values())) + 1, chain[::-1], {cid: o.term for cid, o in choice.items()}


def _narrow(
    items: Sequence[_Item], opts: dict[str, list[_Option]], earliest: dict[str, int]
) -> dict[str, list[_Option]]:
    """Drop options no valid plan uses: before the earliest term, or ending too late for a dependant."""
    out = {it.id: [o for o in opts[it.id] if o.term >= earliest.get(it.id, 0)] for it in items}
    # (dependant, credential it needs for sure, whether the credential may end in the dependant's term)
    needs: list[tuple[str, str, bool]] = []
    for it in items:
        needs += [(it.id, g.alts[0], False) for g in it.groups if len(g.alts) == 1]
        if it.rule is not None:
            needs += [(it.id, m, True) for m in sorted(it.rule.mandatory())]
    changed = True
    while changed:
        changed = False
        for dep, need, same_term in needs:
            latest = max((o.term for o in out[dep]), default=-1)
            bound = latest if same_term else latest - 1
            kept = [o for o in out[need] if o.last <= bound]
            if len(kept) < len(out[need]):
                out[need] = kept
                changed = True
    return out


# --------------------------------------------------------------------------- integer units


def _unit(values: Iterable[float]) -> int:
    """Smallest integer unit in which every value is a whole number (thousandths if too fine)."""
    scale = 1
    for v in values:
        f = Fraction(v).limit_denominator(1000)
        if abs(float(f) - v) > 1e-9 * max(1.0, abs(v)):
            return 1000
        scale = math.lcm(scale, f.denominator)
        if scale > _MAX_SCALE:
            return 1000
    return scale


def _whole(x: float, unit: int) -> int:
    return round(x * unit)


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Limits:
    terms: int
    max_load: float | None
    min_load: float | None
    max_count: int | None


def _order(items: Sequence[_Item]) -> list[_Item] | None:
    """Items in an order where every credential comes after all it may wait for (None: a cycle)."""
    by_id = {it.id: it for it in items}
    waits = {it.id: it.preds() & by_id.keys() for it in items}
    out: list[_Item] = []
    placed: set[str] = set()
    while len(out) < len(items):
        ready = sorted(cid for cid in by_id if cid not in placed and waits[cid] <= placed)
        if not ready:
            return None
        out += [by_id[c] for c in ready]
        placed.update(ready)
    return out


def _list_plan(
    items: Sequence[_Item], opts: dict[str, list[_Option]], lim: _Limits
) -> dict[str, _Option] | None:
    """A valid plan by list scheduling (None when this simple rule finds none).

    Credentials in prerequisite order; each takes the option that keeps its terms lightest
    (then the earliest) among those its prerequisites, awards' rules, the loads and the
    cap on credentials allow. Used as the solvers' starting point.
    """
    order = _order(items)
    if order is None:
        return None
    load = [0.0] * lim.terms
    count = [0] * lim.terms
    chosen: dict[str, _Option] = {}
    last: dict[str, float] = {}
    for it in order:
        best: tuple[float, int] | None = None
        for o in opts[it.id]:
            if not _ready_by(it, last, o.term):
                continue
            if lim.max_load is not None and any(load[k] + h > lim.max_load + _TOL for k, h in o.load):
                continue
            if not it.award and lim.max_count is not None and any(
                    count[k] >= lim.max_count for k in range(o.term, o.last + 1)):
                continue
            key = (max((load[k] + h for k, h in o.load), default=0.0), o.term)
            if best is None or key < best:
                best, chosen[it.id] = key, o
        if best is None:
            return None
        o = chosen[it.id]
        last[it.id] = float(o.last)
        for k, h in o.load:
            load[k] += h
        if not it.award:
            for k in range(o.term, o.last + 1):
                count[k] += 1
    if lim.min_load:
        awards = {it.id for it in items if it.award}
        used = max((o.last for cid, o in chosen.items() if cid not in awards), default=-1)
        if any(load[k] < lim.min_load - _TOL for k in range(used + 1)):
            return None
    return chosen


def _shift_earlier(
    items: Sequence[_Item], opts: dict[str, list[_Option]], lim: _Limits, plan: dict[str, _Option]
) -> dict[str, _Option]:
    """Move credentials to earlier terms while the plan stays valid and no term gets heavier.

    Moving a credential earlier never delays what waits for it (it ends no later), so only
    its own prerequisites, the loads, the cap and the minimum load need checking.
    Deterministic: credentials in order of term then id, each to its earliest valid option.
    """
    plan = dict(plan)
    load = [0.0] * lim.terms
    count = [0] * lim.terms
    for it in items:
        o = plan[it.id]
        for k, h in o.load:
            load[k] += h
        if not it.award:
            for k in range(o.term, o.last + 1):
                count[k] += 1
    heaviest = max(load, default=0.0) + _TOL
    if lim.max_load is not None:
        heaviest = min(heaviest, lim.max_load + _TOL)
    awards = {it.id for it in items if it.award}

    def min_load_kept(trial: list[float], moved: str, o: _Option) -> bool:
        if not lim.min_load:
            return True
        used = max((plan[c].last if c != moved else o.last for c in plan if c not in awards), default=-1)
        return all(trial[k] >= lim.min_load - _TOL for k in range(used + 1))

    changed = True
    while changed:
        changed = False
        for it in sorted(items, key=lambda i: (plan[i.id].term, i.id)):
            now = plan[it.id]
            last = {c: float(o.last) for c, o in plan.items()}
            for o in opts[it.id]:
                if o.term >= now.term:
                    break
                if not _ready_by(it, last, o.term):
                    continue
                trial = list(load)
                for k, h in now.load:
                    trial[k] -= h
                for k, h in o.load:
                    trial[k] += h
                if any(trial[k] > heaviest for k, _ in o.load):
                    continue
                if not it.award and lim.max_count is not None and any(
                        count[k] + 1 > lim.max_count for k in range(o.term, o.last + 1)
                        if not now.term <= k <= now.last):
                    continue
                if not min_load_kept(trial, it.id, o):
                    continue
                load = trial
                if not it.award:
                    for k in range(now.term, now.last + 1):
                        count[k] -= 1
                    for k in range(o.term, o.last + 1):
                        count[k] += 1
                plan[it.id] = o
                changed = True
                break
    return plan


def _ready_by(it: _Item, last: dict[str, float], term: int) -> bool:
    """Whether ``it`` may start in ``term`` given the last terms of the credentials placed."""
    for g in it.groups:
        if not any(last.get(a, math.inf) < term for a in g.alts):
            return False
    return it.rule is None or it.rule.met_at(last) <= term


def _cp_requirements(model: Any, items: Sequence[_Item], opts: dict[str, list[_Option]],
                     x: dict[str, list[Any]]) -> None:
    """Prerequisites finish in a term before the dependant starts; an award's rules are met by its term."""
    def done(cid: str, term: int, strict: bool = False) -> list[Any]:
        return [v for o, v in zip(opts[cid], x[cid], strict=True) if (o.last < term if strict else o.last <= term)]

    term_of = {it.id: sum(o.term * v for o, v in zip(opts[it.id], x[it.id], strict=True)) for it in items}
    last_of = {it.id: sum(o.last * v for o, v in zip(opts[it.id], x[it.id], strict=True)) for it in items}
    for it in items:
        for g in it.groups:
            if len(g.alts) == 1:  # a plain precedence: strong propagation on term numbers
                model.add(last_of[g.alts[0]] + 1 <= term_of[it.id])
                continue
            for o, v in zip(opts[it.id], x[it.id], strict=True):
                model.add_bool_or([lit for a in g.alts for lit in done(a, o.term, strict=True)]).only_enforce_if(v)
        if it.rule is not None:
            for o, v in zip(opts[it.id], x[it.id], strict=True):
                met = _cp_award(model, it.rule.tree, lambda cid, t=o.term: done(cid, t))
                if met is None:
                    model.add(v == 0)
                else:
                    model.add_implication(v, met)


def _solve_cpsat(
    items: Sequence[_Item], opts: dict[str, list[_Option]], lim: _Limits, seconds: float
) -> tuple[dict[str, _Option] | None, bool]:
    from ortools.sat.python import cp_model  # imported here: keeps ``import planner`` light

    loads = [h for os in opts.values() for o in os for _, h in o.load]
    unit = _unit([*loads, *(x for x in (lim.max_load, lim.min_load) if x is not None)])
    model = cp_model.CpModel()
    x = {it.id: [model.new_bool_var(f"x_{it.id}_{o.term}") for o in opts[it.id]] for it in items}
    for it in items:
        model.add_exactly_one(x[it.id])

    _cp_requirements(model, items, opts, x)

    per_term: list[list[tuple[Any, int]]] = [[] for _ in range(lim.terms)]
    count: list[list[Any]] = [[] for _ in range(lim.terms)]
    for it in items:
        for o, v in zip(opts[it.id], x[it.id], strict=True):
            for k, h in o.load:
                per_term[k].append((v, _whole(h, unit)))
            if not it.award:
                for k in range(o.term, o.last + 1):
                    count[k].append(v)
    total = sum(min((sum(_whole(h, unit) for _, h in o.load) for o in opts[it.id]), default=0) for it in items)
    single = max((min((max((_whole(h, unit) for _, h in o.load), default=0) for o in opts[it.id]), default=0)
                  for it in items), default=0)
    cap = _whole(lim.max_load, unit) if lim.max_load is not None else total
    lowest = max(single, -(-total // lim.terms))  # no term lighter than the average, or than any credential
    # every term's load is a sum of option loads, so a multiple of their greatest common divisor:
    # so is the heaviest term's, which must lie between lowest and cap
    step = math.gcd(*(h for term in per_term for _, h in term)) or 1
    if -(-lowest // step) > cap // step:  # no multiple of step there (an empty domain, not a model)
        return None, True
    zq = model.new_int_var(-(-lowest // step), cap // step, "z")
    z = zq * step
    used = [model.new_bool_var(f"used_{k}") for k in range(lim.terms)] if lim.min_load else []
    for k in range(lim.terms):
        load = sum(v * h for v, h in per_term[k])
        model.add(load <= z)
        if lim.max_count is not None and len(count[k]) > lim.max_count:
            model.add(sum(count[k]) <= lim.max_count)
        if lim.min_load:
            # every term up to the last one in use carries at least the minimum load
            for v in count[k]:
                model.add_implication(v, used[k])
            if k + 1 < lim.terms:
                model.add_implication(used[k + 1], used[k])
            model.add(load >= _whole(lim.min_load, unit)).only_enforce_if(used[k])
    model.minimize(z)
    guess = _list_plan(items, opts, lim)
    if guess is not None:  # a start from the list heuristic
        for it in items:
            for o, v in zip(opts[it.id], x[it.id], strict=True):
                model.add_hint(v, o is guess[it.id])

    solver = _cp_solver(cp_model, seconds)
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:  # a bug in this module, never the learner's data
        raise RuntimeError(f"invalid term-plan model: {model.validate()}")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status == cp_model.INFEASIBLE
    proved = status == cp_model.OPTIMAL
    return {it.id: next(o for o, v in zip(opts[it.id], x[it.id], strict=True) if solver.boolean_value(v))
            for it in items}, proved


def _cp_solver(cp_model: Any, seconds: float) -> Any:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    # one worker: the same plan on every run (several workers race, and the winner varies)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    return solver


def _cp_award(model: Any, tree: AwardTree, done: Callable[[str], list[Any]]) -> Any:
    """A literal implying "the award's rules are met", or None when they never can be.

    The rows are :func:`planner.engine.rules.encode_award`'s (the one encoding of award rules),
    carried over to integers: credit values are multiplied by a common unit, and prior
    credit (a continuous column there) is counted in that unit, which loses nothing since
    every bound on it is a multiple of the unit. ``done(c)`` lists the literals of the
    options of ``c`` that have ended by the term considered (at most one is true).
    """
    cols: list[tuple[float, float, bool] | Any] = []  # (lb, ub, integer) of a new column, or a literal
    rows: list[tuple[list[tuple[int, float]], float, float]] = []
    seen: dict[int, int] = {}

    def var(lb: float, ub: float, integer: bool) -> int:
        cols.append((lb, ub, integer))
        return len(cols) - 1

    def row(terms: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        rows.append((list(terms), lo, hi))

    def item(cid: str) -> list[tuple[int, float]]:
        out = []
        for lit in done(cid):
            if lit.index not in seen:
                cols.append(lit)
                seen[lit.index] = len(cols) - 1
            out.append((seen[lit.index], 1.0))
        return out

    root = encode_award(tree, var, row, item)
    if root is None:
        return None
    numbers = [abs(a) for terms, _, _ in rows for _, a in terms]
    numbers += [abs(x) for _, lo, hi in rows for x in (lo, hi) if math.isfinite(x)]
    unit = _unit(numbers)
    big = _whole(1 + sum(numbers), unit)
    made: list[Any] = []
    for col in cols:
        if not isinstance(col, tuple):
            made.append(col)
        elif col[2]:
            lb, ub = int(col[0]), int(col[1]) if math.isfinite(col[1]) else big
            made.append(model.new_bool_var("") if (lb, ub) == (0, 1) else model.new_int_var(lb, ub, ""))
        else:  # a continuous amount of credit, counted in the unit
            made.append(model.new_int_var(_whole(col[0], unit),
                                          _whole(col[1], unit) if math.isfinite(col[1]) else big, ""))
    for terms, lo, hi in rows:
        expr = sum(made[j] * (round(a) if isinstance(cols[j], tuple) and not cols[j][2] else _whole(a, unit))
                   for j, a in terms)
        if math.isfinite(lo):
            model.add(expr >= _whole(lo, unit))
        if math.isfinite(hi):
            model.add(expr <= _whole(hi, unit))
    return made[root]


def _solve_highs(
    items: Sequence[_Item], opts: dict[str, list[_Option]], lim: _Limits, seconds: float
) -> tuple[dict[str, _Option] | None, bool]:
    """The same model as a MILP for HiGHS (kept for comparison: see the module docstring)."""
    by_id = {it.id: it for it in items}
    total = sum(min((sum(h for _, h in o.load) for o in opts[it.id]), default=0.0) for it in items)
    single = max((min((max((h for _, h in o.load), default=0.0) for o in opts[it.id]), default=0.0)
                  for it in items), default=0.0)

    def build() -> tuple[_Milp, dict[str, list[tuple[_Option, int]]], int, list[int]]:
        milp = _Milp()
        cols = {it.id: [(o, milp.var()) for o in opts[it.id]] for it in items}
        upper = lim.max_load if lim.max_load is not None else math.inf
        # valid bounds: no term lighter than the average, or than any credential's lightest peak
        z = milp.var(cost=1.0, lower=max(total / lim.terms, single) - _TOL,
                     upper=upper, integer=False)
        for it in items:
            milp.row({j: 1.0 for _, j in cols[it.id]}, 1.0, 1.0)
            for g in it.groups:
                for o, _ in cols[it.id]:
                    coefs = {j: 1.0 for p, j in cols[it.id] if p.term <= o.term}
                    for a in g.alts:
                        for p, j in cols[a]:
                            if p.last < o.term:
                                coefs[j] = coefs.get(j, 0.0) - 1.0
                    milp.row(coefs, upper=0.0)
            if it.rule is not None:
                for o, _ in cols[it.id]:
                    def done(cid: str, term: int = o.term) -> dict[int, float]:
                        return {j: 1.0 for p, j in cols[cid] if p.last <= term}

                    _rule_row(milp, it.rule, done, {j: 1.0 for p, j in cols[it.id] if p.term <= o.term})
        used = [milp.var() for _ in range(lim.terms)] if lim.min_load else []
        for k in range(lim.terms):
            load = {j: h for it in items for o, j in cols[it.id] for t, h in o.load if t == k}
            row = dict(load)
            row[z] = -1.0
            milp.row(row, upper=0.0)
            if lim.max_load is not None and load:
                milp.row(load, upper=lim.max_load)
            occupying = [j for it in items if not by_id[it.id].award
                         for o, j in cols[it.id] if o.term <= k <= o.last]
            if lim.max_count is not None and len(occupying) > lim.max_count:
                milp.row({j: 1.0 for j in occupying}, upper=float(lim.max_count))
            if lim.min_load:
                for j in occupying:
                    milp.row({used[k]: 1.0, j: -1.0}, lower=0.0)
                if k + 1 < lim.terms:
                    milp.row({used[k]: 1.0, used[k + 1]: -1.0}, lower=0.0)
                row = dict(load)
                row[used[k]] = -lim.min_load
                milp.row(row, lower=0.0)
        return milp, cols, z, used

    milp, cols, z, used = build()
    values, proved = milp.solve(seconds, hint=_highs_start(milp, items, cols, z, used, _list_plan(items, opts, lim)))
    if values is None:
        return None, proved
    return {cid: max(col, key=lambda oj: values[oj[1]])[0] for cid, col in cols.items()}, proved


def _highs_start(
    milp: _Milp, items: Sequence[_Item], cols: dict[str, list[tuple[_Option, int]]], z: int, used: list[int],
    guess: dict[str, _Option] | None,
) -> list[float] | None:
    """A partial start for HiGHS (the choices, loads and terms in use; HiGHS completes the rest)."""
    if guess is None:
        return None
    import highspy

    hint = [highspy.kHighsUndefined] * len(milp.cost)
    loads: dict[int, float] = {}
    last = -1
    for it in items:
        o = guess[it.id]
        for p, j in cols[it.id]:
            hint[j] = 1.0 if p is o else 0.0
        for k, h in o.load:
            loads[k] = loads.get(k, 0.0) + h
        if not it.award:
            last = max(last, o.last)
    hint[z] = max(loads.values(), default=0.0)
    for k, j in enumerate(used):
        hint[j] = 1.0 if k <= last else 0.0
    return hint


_BACKENDS = {"cp-sat": _solve_cpsat, "highs": _solve_highs}


def _fmt_hours(x: float) -> str:
    return f"{x:,.1f}".rstrip("0").rstrip(".")


def balanced_plan(
    catalogue: Catalogue,
    credential_ids: Iterable[str],
    profile: LearnerProfile,
    *,
    terms: int | None = None,
    term_weeks: int = 13,
    deadline: dt.date | None = None,
    start: dt.date | None = None,
    time_limit: float = 5.0,
    solver: Solver = "cp-sat",
) -> Schedule:
    """Spread a route over terms so that the heaviest term is as light as possible.

    Long by its documentation; the body checks the inputs and hands the search over term
    counts to :class:`_TermSearch`.

    Term ``k`` (1-based, as advisors count) covers weeks ``(k-1)·term_weeks`` to
    ``k·term_weeks - 1``. A credential starts at the beginning of a term (or, with intake
    dates, in the week of an intake inside that term) and may run on into later terms;
    its hours are spread evenly over its weeks. Prerequisites finish in a term strictly
    before the dependant starts; an award completes in the term its rules are met (the
    same term as the component that completes it).

    Loads, when the profile sets them: at most ``hours_per_week × term_weeks`` hours in
    any term; at least ``min_hours_per_week × term_weeks`` hours in every term up to the
    last term in use (the plan may finish early, but never leaves an idle term before its
    end); at most ``max_credentials_per_term`` credentials studied in any term (awards do
    not count). Among the plans with the lightest heaviest term, credentials are then moved
    to earlier terms while the plan stays valid (a preference; only the heaviest term is
    proved).

    Parameters
    ----------
    catalogue, credential_ids, profile
        As for :func:`planner.engine.schedule.schedule_route`.
    terms
        Number of terms ``K``. Default: the whole terms until ``deadline`` (or the
        profile's deadline), else the fewest terms in which a plan exists.
    term_weeks
        Length of a term in weeks.
    deadline
        Last day of the plan, used when ``terms`` is not given.
    start
        Date of week 0; default ``profile.constraints.start``, else today.
    time_limit
        Seconds the whole call may spend in the solver (every solve shares them).
    solver
        ``"cp-sat"`` (OR-Tools, the default) or ``"highs"`` (the MILP, for comparison).

    Returns
    -------
    Schedule
        Steps with ``term`` set, ``terms``, ``term_weeks`` and per-term ``term_hours``;
        ``proved_optimal`` says the heaviest term's hours were proved minimal (and, with
        ``terms`` not given, that no fewer terms admit a plan).

    """
    if solver not in _BACKENDS:
        raise ValueError(f"unknown solver {solver!r}; use one of {', '.join(SOLVERS)}")
    began = time.perf_counter()
    begin = _plan_start(profile, start)
    extra: dict[str, Any] = {"term_weeks": term_weeks}
    if term_weeks < 1:
        return _infeasible(begin, f"a term must last at least one week, got {term_weeks}", **extra)
    items, reason = _prepare(catalogue, credential_ids, profile, begin)
    if reason:
        return _infeasible(begin, reason, **extra)
    cons = profile.constraints
    limits = _Limits(0, cons.hours_per_week * term_weeks if cons.hours_per_week is not None else None,
                     cons.min_hours_per_week * term_weeks if cons.min_hours_per_week else None,
                     cons.max_credentials_per_term)
    limit = terms
    if limit is None:
        until = deadline or cons.deadline
        if until is not None:
            limit = ((until - begin).days + 1) // (7 * term_weeks)
            if limit < 1:
                return _infeasible(begin, (
                    f"the deadline {until.isoformat()} leaves less than one term of {term_weeks} weeks"
                ), **extra)
            limit = min(limit, MAX_TERMS)
    elif not 1 <= limit <= MAX_TERMS:
        return _infeasible(begin, f"the number of terms must be between 1 and {MAX_TERMS}, got {limit}",
                           **extra)

    # enough terms for any plan: every credential waiting a year for its intake, one after another
    cap = sum(math.ceil((it.weeks + 53) / term_weeks) + 1 for it in items) + 1
    search = max(cap, limit or 0)
    starts = _Starts(items, begin, search * term_weeks + 53)
    all_opts = {it.id: _options(it, starts, search, term_weeks) for it in items}
    too_heavy = _too_heavy(items, all_opts, limits.max_load)
    if too_heavy is not None:
        it, peak = too_heavy
        return _infeasible(begin, (
            f"'{it.id}' puts {_fmt_hours(peak)} hours into one term, above your maximum of "
            f"{_fmt_hours(limits.max_load or 0)} hours per term ({cons.hours_per_week:g} hours a week × "
            f"{term_weeks} weeks)"
        ), **extra)
    all_opts = {cid: [o for o in os if _fits(o, limits.max_load)] for cid, os in all_opts.items()}
    chain = _term_chain(items, all_opts)
    if chain is None:
        return _infeasible(begin, _circular(items), **extra)
    plans = _TermSearch(items, all_opts, chain, limits, term_weeks, cons.min_hours_per_week,
                        _BACKENDS[solver], lambda: max(0.0, time_limit - (time.perf_counter() - began)))
    if limit is None:
        limit, found, proved, verdict = plans.fewest(cap)
        if found is None:
            return _infeasible(begin, verdict or f"no plan was found within the time limit of {time_limit:g} s",
                               **extra)
    else:
        found, proved = plans.attempt(limit)
        if found is None and not proved:
            return _infeasible(begin, (
                f"no plan in {limit} terms was found within the time limit of {time_limit:g} s"
            ), terms=limit, **extra)
        if found is None:
            return _infeasible(begin, plans.reason_for(limit), terms=limit, **extra)
    return _plan(items, found, limit, term_weeks, begin, proved)


def _fits(o: _Option, max_load: float | None) -> bool:
    return max_load is None or all(h <= max_load + _TOL for _, h in o.load)


def _too_heavy(items: Sequence[_Item], all_opts: dict[str, list[_Option]],
               max_load: float | None) -> tuple[_Item, float] | None:
    """The first credential every placement of which overloads a term, with its lightest peak."""
    for it in items:
        if all_opts[it.id] and not any(_fits(o, max_load) for o in all_opts[it.id]):
            return it, min(max(h for _, h in o.load) for o in all_opts[it.id])
    return None


Plan = dict[str, _Option]


class _TermSearch:
    """Plans of one route in a given number of terms: solve, find the fewest terms, say why not.

    Parameters
    ----------
    items, all_opts
        The route's items and each one's placements that fit the maximum load.
    chain
        :func:`_term_chain`'s least number of terms, its critical path and earliest terms.
    limits
        The load and count limits (``terms`` is set per call).
    term_weeks, min_hours_per_week
        For the messages.
    backend
        The solver (:data:`_BACKENDS`).
    left
        Seconds the call has left.
    """

    def __init__(self, items: Sequence[_Item], all_opts: dict[str, list[_Option]],
                 chain: tuple[int, list[str], dict[str, int]], limits: _Limits, term_weeks: int,
                 min_hours_per_week: float | None, backend: Callable[..., tuple[Plan | None, bool]],
                 left: Callable[[], float]) -> None:
        self.items, self.all_opts, self.limits = items, all_opts, limits
        self.needed, self.path, self.earliest = chain
        self.term_weeks, self.min_hours_per_week = term_weeks, min_hours_per_week
        self.backend, self.left = backend, left

    def solve(self, k: int, lim: _Limits) -> tuple[Plan | None, bool]:
        """A plan in ``k`` terms under ``lim`` (None if none), and whether that is proved."""
        opts = _narrow(self.items, {cid: [o for o in os if o.last < k] for cid, os in self.all_opts.items()},
                       self.earliest)
        if any(not os for os in opts.values()):
            return None, True
        found, proved = self.backend(self.items, opts, lim, self.left())
        if found is None:
            return None, proved
        return _shift_earlier(self.items, opts, lim, found), proved

    def attempt(self, k: int) -> tuple[Plan | None, bool]:
        """A plan in ``k`` terms under the learner's limits."""
        if self.needed > k:
            return None, True
        lim = self.limits
        return self.solve(k, _Limits(k, lim.max_load, lim.min_load, lim.max_count))

    def fewest(self, cap: int) -> tuple[int, Plan | None, bool, str]:
        """The fewest terms with a plan: ``(terms, plan, proved, why none)`` (feasibility grows with terms)."""
        lo, hi = self.needed, self.needed
        found, proved = self.attempt(hi)
        fewest_proved = proved or found is not None
        while found is None and hi < cap:
            lo, hi = hi + 1, min(cap, hi * 2)
            found, proved = self.attempt(hi)
            fewest_proved = fewest_proved and (proved or found is not None)
        if found is None:
            return hi, None, False, self.reason_for(hi) if fewest_proved else ""
        while lo < hi:
            mid = (lo + hi) // 2
            got, got_proved = self.attempt(mid)
            if got is not None:
                hi, found, proved = mid, got, got_proved
            else:
                # a plan of fewer terms may exist when the solver ran out of time
                fewest_proved = fewest_proved and got_proved
                lo = mid + 1
        return hi, found, proved and fewest_proved, ""

    def reason_for(self, k: int) -> str:
        """Why no plan fits in ``k`` terms, in the learner's words."""
        items, term_weeks = self.items, self.term_weeks
        max_load, min_load, max_count = self.limits.max_load, self.limits.min_load, self.limits.max_count
        if self.needed > k:
            by_id = {i.id: i for i in items}
            causes = []
            if len(self.path) > 1:
                causes.append(f"the prerequisite chain {' → '.join(self.path)}")
            causes += [f"the intake dates of '{c}' ({', '.join(by_id[c].intakes or ())})"
                       for c in self.path if by_id[c].intakes]
            why = f" because of {' and '.join(causes)}" if causes else ""
            return f"needs at least {self.needed} terms of {term_weeks} weeks{why}, not {k}"
        total = sum(it.hours for it in items)
        if max_load is not None and total > k * max_load + _TOL:
            least = math.ceil(total / max_load - 1e-9)
            return (f"the route's {_fmt_hours(total)} hours do not fit in {k} terms of at most "
                    f"{_fmt_hours(max_load)} hours; it needs at least {least} terms")
        n = sum(1 for it in items if not it.award)
        if max_count is not None and n > k * max_count:
            return (f"{n} credentials at most {max_count} per term need at least "
                    f"{math.ceil(n / max_count)} terms, not {k}")
        for label, relaxed in (("minimum load", (max_load, None, max_count)),
                               ("maximum number of credentials per term", (max_load, min_load, None)),
                               ("maximum load", (None, min_load, max_count))):
            if relaxed == (max_load, min_load, max_count):
                continue
            got, _ = self.solve(k, _Limits(k, *relaxed))
            if got is not None:
                if label == "minimum load":
                    return (f"every term in use must carry at least {_fmt_hours(min_load or 0)} hours "
                            f"({self.min_hours_per_week:g} hours a week), which no plan in {k} terms "
                            "can keep")
                return f"no plan in {k} terms respects the {label} (the plan exists without it)"
        return f"no assignment of the route to {k} terms meets the prerequisites, intakes and loads"


def _plan(
    items: Sequence[_Item], found: dict[str, _Option], limit: int, term_weeks: int, begin: dt.date, proved: bool
) -> Schedule:
    loads = [0.0] * limit
    for o in found.values():
        for k, h in o.load:
            loads[k] += h
    ends = {cid: o.end_week for cid, o in found.items()}
    steps = []
    for it in items:
        o = found[it.id]
        s, e = o.start_week, o.end_week
        if it.award:
            # the award is completed when its components and prerequisites are finished
            s = e = max(s, int(it.ready({c: float(w) for c, w in ends.items()})))
        rate = it.hours / (e - s) if e > s else 0.0
        steps.append(_step(it.id, s, e, rate, begin, term=o.term + 1))
    ordered = tuple(sorted(steps, key=lambda st: (st.start_week, st.credential_id)))
    finish, weeks = _finish(ordered, begin)
    return Schedule(ordered, begin, finish, weeks, proved, True, "", terms=limit,
                    term_weeks=term_weeks, term_hours=tuple(round(x, 6) for x in loads))
