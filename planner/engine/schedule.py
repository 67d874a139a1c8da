"""Place a chosen route in time.

Two views of the same route:

* :func:`schedule_route` — the earliest-finish schedule, week by week. Each credential
  runs ``d`` weeks at ``w`` hours a week, starts only in a week in which it runs (rolling
  start, or the weeks containing its yearly intake dates), starts after its prerequisites
  have finished, and the learner's weekly study hours are never exceeded. The finish
  (makespan) is minimised and the result says whether optimality was proved.
* :func:`planner.engine.termplan.balanced_plan` (its own module, built on this one's helpers)
  — a term plan for advisors: the credentials are spread over ``K``
  terms so that the heaviest term is as light as possible, within the learner's minimum
  and maximum load and number of credentials per term.

Time model
----------
Week 0 starts on the plan's start date; week ``t`` covers the days
``start + 7t … start + 7t + 6``. A step that runs weeks ``[s, e)`` starts on
``start + 7s`` and ends on ``start + 7e - 1`` (its last day of study); a zero-week step
(an award, an exam without duration) starts and ends on ``start + 7s``.

Workload of a credential: ``duration_weeks`` and ``hours_per_week`` when given; otherwise
``hours / duration_weeks`` hours a week, or — with no duration — ``hours / w`` weeks at the
given ``w``, or at most 10 hours a week. Awards (credentials with ``award`` rules) take no
time of their own: they complete as soon as their rules are met.

Prerequisites: a requirement group met by what the learner holds or knows is satisfied at
week 0. Otherwise at least one alternative in the route must have finished before the
credential starts (a credential alternative, or a chosen credential that teaches the
competency at the level). An award completes in the first week its rule tree is met by
valid holdings and finished route credentials: all-of, n-of, credit pools (own ECTS, plus
credit recognised by agreements in force and credit held, within the RPL cap), components
or their recognised equivalents. A route that meets the rules in a way this reading misses
waits for every component.

Method (earliest finish): list scheduling (classic priority rules, then seeded random
priorities) gives a schedule; a lower bound often proves it optimal at once: the critical
path with intake dates and the weeks that must follow, the hours that must fit in a window
(with loads rounded by dual feasible functions), and sets of credentials that can never
share a week (too heavy together, or one must precede the other), which run one at a time
from their allowed weeks. Otherwise a time-indexed MILP (HiGHS) looks for a schedule
finishing strictly earlier; proving there is none proves the heuristic optimal.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from planner.catalogue.models import Catalogue, Credential, LearnerProfile, RequirementGroup
from planner.engine.results import ScheduledStep
from planner.engine.rules import (
    DEFAULT_HOURS_PER_WEEK,
    AwardTree,
    agreements_in_force,
    counted_for_award,
    encode_award,
    intake_weeks,
    known_levels,
    met_at,
    resolve_award,
    rules_met,
    tree_items,
    valid_holdings,
)
from planner.engine.rules import effort as rules_effort
from planner.engine.rules import mandatory as rules_mandatory

__all__ = ["DEFAULT_HOURS_PER_WEEK", "MAX_TERMS", "Schedule", "effort", "schedule_route"]

#: Most terms a balanced plan spreads over.
MAX_TERMS = 200

_EPS = 1e-9
#: Longest route for which the clique bound builds its conflict graph.
_MAX_CLIQUE_ITEMS = 150


@dataclass(frozen=True)
class Schedule:
    """A route placed in time.

    Attributes
    ----------
    steps
        One step per credential, ordered by start week then credential id.
    start, finish
        The plan's start date (week 0) and the last step's end date.
    weeks
        Number of weeks from the start to the end of the last step (the makespan).
    proved_optimal
        Whether the solver proved the objective optimal (earliest finish for
        :func:`schedule_route`, lightest heaviest term for :func:`balanced_plan`).
    feasible
        False when the route cannot be placed within the constraints; ``reason`` says why.
        A schedule that misses the deadline keeps its (earliest) steps.
    reason
        Plain-language explanation when infeasible, else empty.
    lower_bound
        Proved lower bound on ``weeks`` (earliest finish) — equal to ``weeks`` when proved.
    terms, term_weeks, term_hours
        Balanced plans only: the number of terms, their length in weeks, and the study
        hours planned in each term (index 0 is term 1).
    unknown
        Credentials whose duration or weekly load is unknown (taken as 0): every time
        figure of the schedule is then a lower bound.
    infeasible_proved
        When ``feasible`` is False: whether that is proved (a deadline missed by the
        best schedule found but not by the lower bound is not).

    """

    steps: tuple[ScheduledStep, ...]
    start: dt.date
    finish: dt.date
    weeks: int
    proved_optimal: bool
    feasible: bool
    reason: str = ""
    lower_bound: int = 0
    terms: int | None = None
    term_weeks: int | None = None
    term_hours: tuple[float, ...] = ()
    unknown: tuple[str, ...] = ()
    infeasible_proved: bool = True

    @property
    def max_term_hours(self) -> float:
        """Hours planned in the heaviest term (balanced plans; 0 otherwise)."""
        return max(self.term_hours, default=0.0)


# --------------------------------------------------------------------------- problem


@dataclass(frozen=True)
class _Group:
    """Route credentials of which at least one must finish first."""

    alts: tuple[str, ...]


@dataclass(frozen=True)
class _Rule:
    """An award's rule tree resolved against the route (:func:`planner.engine.rules.resolve_award`).

    The scheduler asks it three things, each answered by :mod:`planner.engine.rules`: which route
    credentials appear in it, which every way of meeting it needs, and from which week it
    is met given finish weeks.
    """

    tree: AwardTree

    def members(self) -> set[str]:
        """Route credentials that appear anywhere in the tree."""
        return tree_items(self.tree)

    def mandatory(self) -> set[str]:
        """Route credentials every way of meeting the rule needs (through all-of nodes)."""
        return rules_mandatory(self.tree)

    def met_at(self, finish: dict[str, float]) -> float:
        """Earliest week by which the rule is met, given finish weeks (inf: never)."""
        return met_at(self.tree, finish)


@dataclass(frozen=True)
class _Item:
    id: str
    weeks: int
    rate: float  # study hours per week while it runs
    hours: float  # total study hours (term load)
    award: bool
    intakes: tuple[str, ...] | None  # MM-DD start dates; None: any week
    groups: tuple[_Group, ...]
    rule: _Rule | None = None  # awards: earned when this is met by finished credentials
    known: bool = True  # False: duration or weekly load unknown (taken as 0, a lower bound)

    def ready(self, finish: dict[str, float]) -> float:
        """Earliest week the item may start, given finish weeks of the others (inf: never)."""
        ready = max((min(finish.get(a, math.inf) for a in g.alts) for g in self.groups), default=0.0)
        if self.rule is not None:
            ready = max(ready, self.rule.met_at(finish))
        return ready

    def preds(self) -> set[str]:
        """Every route credential this item may wait for."""
        out = {a for g in self.groups for a in g.alts}
        return out | (self.rule.members() if self.rule is not None else set())


def effort(credential: Credential) -> tuple[int, float, float]:
    """Duration in weeks, hours per week and total hours used to schedule a credential.

    The rule is :func:`planner.engine.rules.effort` (unknown figures count as 0 there, flagged);
    this is its ``(weeks, hours_per_week, hours)`` view.

    Parameters
    ----------
    credential
        The credential.

    Returns
    -------
    tuple of (int, float, float)
        ``(weeks, hours_per_week, hours)``; ``(0, 0.0, 0.0)`` for an award.

    """
    work = rules_effort(credential)
    return work.weeks, work.rate, work.hours


def _describe_group(group: RequirementGroup) -> str:
    parts = []
    for alt in group.any_of:
        if alt.credential is not None:
            parts.append(f"credential '{alt.credential}'")
        else:
            parts.append(f"competency '{alt.competency}' at level {alt.level}")
    return parts[0] if len(parts) == 1 else "one of " + ", ".join(parts)


def _prepare(
    catalogue: Catalogue, credential_ids: Iterable[str], profile: LearnerProfile, today: dt.date | None = None
) -> tuple[list[_Item], str]:
    """Resolve the route into scheduling items, or explain why it cannot be scheduled."""
    today = _plan_start(profile, today)
    ids = sorted(set(credential_ids))
    unknown = [c for c in ids if not catalogue.has("credential", c)]
    if unknown:
        return [], "unknown credential(s) in the route: " + ", ".join(f"'{c}'" for c in unknown)
    chosen = set(ids)
    # expired credit counts for nothing (the route engine re-offers such credentials)
    held_on = valid_holdings(catalogue, profile, today)
    held = set(held_on)
    known = known_levels(catalogue, profile, held)
    teachers: dict[str, list[tuple[int, str]]] = {}
    for cid in ids:
        for cl in catalogue.credential(cid).teaches:
            teachers.setdefault(cl.competency, []).append((cl.level, cid))

    items = []
    for cid in ids:
        cred = catalogue.credential(cid)
        groups: list[_Group] = []
        for group in cred.requires:
            alts: set[str] = set()
            met = False
            for alt in group.any_of:
                if alt.credential is not None:
                    if alt.credential in held:
                        met = True
                    elif alt.credential in chosen and alt.credential != cid:
                        alts.add(alt.credential)
                else:
                    assert alt.competency is not None and alt.level is not None
                    if known.get(alt.competency, -1) >= alt.level:
                        met = True
                    alts.update(t for lvl, t in teachers.get(alt.competency, ()) if lvl >= alt.level)
            alts.discard(cid)
            if met:
                continue
            if not alts:
                return [], (
                    f"'{cid}' requires {_describe_group(group)}, which is neither held, known, "
                    "nor taught by another credential of the route"
                )
            groups.append(_Group(tuple(sorted(alts))))
        rule = None
        if cred.award is not None:
            tree = resolve_award(catalogue, cred, counted=counted_for_award(cred, held_on, today),
                                 agreements=agreements_in_force(catalogue, cid, today), candidates=chosen)
            if not rules_met(tree, chosen):
                return [], f"the route does not meet the rules of '{cid}'"
            rule = _Rule(tree)
        work = rules_effort(cred)
        weeks, rate, hours = work.weeks, work.rate, work.hours
        if cred.award is not None or cred.runs is None or cred.runs.rolling:
            intakes = None
        else:
            intakes = tuple(sorted(set(cred.runs.intakes)))
        items.append(_Item(cid, weeks, rate, hours, cred.award is not None, intakes, tuple(groups), rule,
                           known=work.known))
    return items, ""


_intake_weeks = intake_weeks


class _Starts:
    """Allowed start weeks of each item (rolling: every week)."""

    def __init__(self, items: Sequence[_Item], start: dt.date, horizon: int) -> None:
        self.horizon = horizon
        self.weeks = {
            it.id: (_intake_weeks(it.intakes, start, horizon) if it.intakes is not None else None)
            for it in items
        }

    def next(self, cid: str, week: int) -> int | None:
        """First allowed start week ``>= week`` (None past the horizon)."""
        weeks = self.weeks[cid]
        if weeks is None:
            return week if week <= self.horizon else None
        i = bisect.bisect_left(weeks, week)
        return weeks[i] if i < len(weeks) else None

    def between(self, cid: str, lo: int, hi: int) -> list[int]:
        """Return the allowed start weeks in ``[lo, hi]``."""
        weeks = self.weeks[cid]
        if weeks is None:
            return list(range(lo, hi + 1))
        return weeks[bisect.bisect_left(weeks, lo): bisect.bisect_right(weeks, hi)]


# --------------------------------------------------------------------------- MILP helper


class _Milp:
    """A small MILP collected row by row and solved with HiGHS."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.starts: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []

    def var(self, cost: float = 0.0, lower: float = 0.0, upper: float = 1.0, integer: bool = True) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, coefs: dict[int, float], lower: float = -math.inf, upper: float = math.inf) -> None:
        for j, v in coefs.items():
            if v != 0.0:
                self.index.append(j)
                self.value.append(v)
        self.starts.append(len(self.index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def solve(
        self, time_limit: float, hint: list[float] | None = None, abs_gap: float = 1e-7
    ) -> tuple[list[float] | None, bool]:
        """Minimise; return ``(values or None, proved_optimal)``."""
        import highspy  # imported here: keeps ``import planner`` light

        from planner.engine.highs import new_highs

        highs = new_highs()
        highs.setOptionValue("time_limit", float(max(time_limit, 0.01)))
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", abs_gap)
        highs.setOptionValue("random_seed", 0)
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = self.cost
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_ = [x if x > -math.inf else -highspy.kHighsInf for x in self.row_lower]
        lp.row_upper_ = [x if x < math.inf else highspy.kHighsInf for x in self.row_upper]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = self.starts
        lp.a_matrix_.index_ = self.index
        lp.a_matrix_.value_ = self.value
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in self.integer
        ]
        highs.passModel(lp)
        if hint is not None:
            solution = highspy.HighsSolution()
            solution.col_value = hint
            highs.setSolution(solution)
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return list(highs.getSolution().col_value), True
        if highs.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible:
            return list(highs.getSolution().col_value), False
        if status == highspy.HighsModelStatus.kInfeasible:
            return None, True  # proved infeasible
        return None, False


# --------------------------------------------------------------------------- earliest finish


def _plan_start(profile: LearnerProfile, start: dt.date | None) -> dt.date:
    return start or profile.constraints.start or dt.date.today()


def _step(cid: str, s: int, e: int, rate: float, start: dt.date, term: int | None = None) -> ScheduledStep:
    begin = start + dt.timedelta(weeks=s)
    end = start + dt.timedelta(days=7 * e - 1) if e > s else begin
    return ScheduledStep(cid, s, e, begin, end, rate, term)


def _finish(steps: Sequence[ScheduledStep], start: dt.date) -> tuple[dt.date, int]:
    if not steps:
        return start, 0
    return max(s.end for s in steps), max(s.end_week for s in steps)


def _infeasible(start: dt.date, reason: str, **extra: object) -> Schedule:
    return Schedule((), start, start, 0, False, False, reason, **extra)  # type: ignore[arg-type]


def _earliest(items: Sequence[_Item], starts: _Starts) -> dict[str, int] | None:
    """Earliest start of each item ignoring capacity (None: circular requirements)."""
    inf = math.inf
    finish: dict[str, float] = {it.id: inf for it in items}
    first: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for it in items:
            ready = it.ready(finish)
            if ready == inf:
                continue
            s = starts.next(it.id, int(ready))
            if s is None:
                continue
            if s + it.weeks < finish[it.id]:
                finish[it.id] = s + it.weeks
                first[it.id] = s
                changed = True
    if len(first) < len(items):
        return None
    return first


def _direct_preds(it: _Item) -> set[str]:
    """Route credentials that must finish before ``it`` whatever the choices."""
    out = {g.alts[0] for g in it.groups if len(g.alts) == 1}
    return out | (it.rule.mandatory() if it.rule is not None else set())


def _tails(items: Sequence[_Item]) -> dict[str, int]:
    """Weeks that must follow each item: chains of single-alternative requirements."""
    succ: dict[str, list[str]] = {it.id: [] for it in items}
    weeks = {it.id: it.weeks for it in items}
    for it in items:
        for p in sorted(_direct_preds(it)):
            if p in succ:
                succ[p].append(it.id)
    tail: dict[str, int] = {}
    # iterative post-order (prerequisite chains may be thousands long); cycles are
    # rejected earlier, and a back edge met here is simply ignored
    for root in succ:
        if root in tail:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_path = {root}
        while stack:
            cid, i = stack[-1]
            nxt = succ[cid]
            if i < len(nxt):
                stack[-1] = (cid, i + 1)
                s = nxt[i]
                if s not in tail and s not in on_path:
                    stack.append((s, 0))
                    on_path.add(s)
                continue
            stack.pop()
            on_path.discard(cid)
            tail[cid] = max((weeks[s] + tail[s] for s in nxt if s in tail), default=0)
    return tail


def _list_schedule(
    items: Sequence[_Item],
    starts: _Starts,
    capacity: float | None,
    priority: dict[str, tuple],
    strict: bool = True,
) -> dict[str, int] | None:
    """Place each item at its earliest feasible week, in priority order (serial list scheduling)."""
    placed: dict[str, int] = {}
    end: dict[str, float] = {}
    usage: dict[int, float] = {}
    remaining = {it.id: it for it in items}
    while remaining:
        # strict: wait until every alternative of an OR group is placed, so the group sees all
        # its options; otherwise any order that keeps prerequisites first
        eligible = [it for it in remaining.values() if it.preds() <= end.keys()] if strict else []
        if not eligible:
            eligible = [it for it in remaining.values() if it.ready(end) < math.inf]
        if not eligible:
            return None
        # items that use no capacity never delay others: place them as soon as they can go
        free = [x for x in eligible if x.rate * x.weeks == 0]
        it = min(free or eligible, key=lambda x: priority[x.id])
        t = starts.next(it.id, int(it.ready(end)))
        while t is not None and capacity is not None and it.weeks and it.rate > 0 and any(
            usage.get(u, 0.0) + it.rate > capacity + _EPS for u in range(t, t + it.weeks)
        ):
            t = starts.next(it.id, t + 1)
        if t is None:
            return None
        placed[it.id] = t
        end[it.id] = t + it.weeks
        if it.rate > 0:
            for u in range(t, t + it.weeks):
                usage[u] = usage.get(u, 0.0) + it.rate
        del remaining[it.id]
    return placed


def _makespan(items: Sequence[_Item], placed: dict[str, int]) -> int:
    return max((placed[it.id] + it.weeks for it in items), default=0)


def _dff_eps(eps: float) -> Callable[[float], float]:
    """Fekete–Schepers style: big loads count as a full week, small ones as nothing."""
    return lambda x: 1.0 if x > 1 - eps + _EPS else (0.0 if x < eps - _EPS else x)


def _dff_round(k: int) -> Callable[[float], float]:
    """u^(k): loads rounded down to multiples of 1/k (kept when (k+1)·x is whole)."""

    def f(x: float) -> float:
        y = (k + 1) * x
        return x if abs(y - round(y)) < 1e-9 else math.floor(y) / k

    return f


#: Dual feasible functions on loads as a share of the weekly capacity.
_DUAL_FEASIBLE: tuple[Callable[[float], float], ...] = (
    lambda x: x, _dff_eps(0.5), _dff_eps(1 / 3), _dff_eps(0.25), _dff_round(1), _dff_round(2),
    _dff_round(3),
)


def _spread(values: np.ndarray, most: int = 64) -> np.ndarray:
    """At most ``most`` of the sorted ``values``, evenly spread, ends included."""
    if len(values) <= most:
        return values
    return values[np.unique(np.linspace(0, len(values) - 1, most).round().astype(int))]


def _lower_bound(
    items: Sequence[_Item],
    es: dict[str, int],
    capacity: float | None,
    tail: dict[str, int],
    starts: _Starts | None = None,
) -> int:
    """Critical path with intake dates, and energy: work that must fit in a window."""
    bound = max((es[it.id] + it.weeks + tail[it.id] for it in items), default=0)
    if capacity:
        busy = [it for it in items if it.rate > 0 and it.weeks]
        # work that cannot start before week θ and is followed by at least q weeks of
        # successors must fit between θ and finish - q. Weekly loads are first mapped by
        # dual feasible functions f (Σ f(load) ≤ 1 in any week that fits the capacity),
        # which counts, say, two 6-hour courses under a 10-hour cap as a full week each.
        if busy:
            e = np.array([es[it.id] for it in busy], dtype=np.float64)
            t = np.array([tail[it.id] for it in busy], dtype=np.float64)
            # every (θ, q) pair is a valid bound; on long routes a spread of them keeps it O(n)
            thetas = _spread(np.unique(e))
            qs = _spread(np.unique(t))
            after = e[None, :] >= thetas[:, None]  # θ × item
            follow = t[None, :] >= qs[:, None]  # q × item
            for f in _DUAL_FEASIBLE:
                w = np.array([f(min(it.rate / capacity, 1.0)) * it.weeks for it in busy], dtype=np.float64)
                totals = (after * w[None, :]) @ follow.T.astype(np.float64)  # θ × q
                windows = thetas[:, None] + qs[None, :] + np.ceil(totals - 1e-6)
                windows[totals <= 0] = 0
                bound = max(bound, int(windows.max()))
        bound = max(bound, _exclusive_bound(items, es, capacity, tail, starts))
    return bound


def _exclusive_bound(
    items: Sequence[_Item],
    es: dict[str, int],
    capacity: float,
    tail: dict[str, int],
    starts: _Starts | None,
) -> int:
    """Bound from credentials that can never run in the same week: one after another.

    Two credentials conflict when their weekly loads add up to more than the capacity, or
    when one must finish before the other starts (a chain of single-alternative
    prerequisites). Every maximal set of pairwise conflicting credentials (a clique) runs
    one at a time; its earliest finish, plus the shortest tail after it, bounds the finish.
    """
    bound = 0
    for clique in _conflict_cliques(items, capacity):
        if len(clique) <= 12 and starts is not None:
            bound = max(bound, _one_at_a_time(clique, es, starts) + min(tail[c.id] for c in clique))
            continue
        for theta in {es[c.id] for c in clique}:
            later = [c for c in clique if es[c.id] >= theta]
            bound = max(bound, theta + sum(c.weeks for c in later) + min(tail[c.id] for c in later))
    return bound


def _conflict_cliques(items: Sequence[_Item], capacity: float) -> list[list[_Item]]:
    """Maximal sets of credentials no two of which can run in the same week."""
    import networkx as nx  # a dependency already; imported here to keep import light

    busy = [it for it in items if it.rate > 0 and it.weeks]
    if len(busy) > _MAX_CLIQUE_ITEMS:
        return []  # a weaker bound (still valid) rather than a quadratic graph on a long route
    before = _must_precede(items)
    graph = nx.Graph()
    graph.add_nodes_from(it.id for it in busy)
    for i, a in enumerate(busy):
        for b in busy[i + 1:]:
            if a.rate + b.rate > capacity + _EPS or b.id in before[a.id] or a.id in before[b.id]:
                graph.add_edge(a.id, b.id)
    by_id = {it.id: it for it in busy}
    cliques = []
    for ids in nx.find_cliques(graph):
        cliques.append(sorted(ids))
        if len(cliques) >= 200:  # plenty for routes; keeps the work bounded on odd inputs
            break
    return [[by_id[c] for c in ids] for ids in sorted(cliques)]


def _must_precede(items: Sequence[_Item]) -> dict[str, set[str]]:
    """For each item, the items that must finish before it starts (transitively)."""
    direct = {it.id: {p for p in _direct_preds(it) if p != it.id} for it in items}
    closure: dict[str, set[str]] = {}
    for root in direct:
        if root in closure:
            continue
        stack: list[tuple[str, list[str]]] = [(root, sorted(direct[root]))]
        on_path = {root}
        while stack:
            cid, todo = stack[-1]
            if todo:
                p = todo.pop()
                if p in direct and p not in closure and p not in on_path:
                    stack.append((p, sorted(direct[p])))
                    on_path.add(p)
                continue
            stack.pop()
            on_path.discard(cid)
            out: set[str] = set()
            for p in direct[cid]:
                out.add(p)
                out |= closure.get(p, set())
            closure[cid] = out
    return closure


def _one_at_a_time(clique: Sequence[_Item], es: dict[str, int], starts: _Starts) -> int:
    """Earliest finish of credentials run one after another, each from an allowed week.

    Dynamic programme over subsets: once a set is done, only the week the learner is free
    again matters, and being free earlier is never worse.
    """
    size = len(clique)
    free = [math.inf] * (1 << size)
    free[0] = 0
    for done in range(1 << size):
        if free[done] == math.inf:
            continue
        for i, c in enumerate(clique):
            if done & (1 << i):
                continue
            t = starts.next(c.id, max(int(free[done]), es[c.id]))
            if t is not None and t + c.weeks < free[done | (1 << i)]:
                free[done | (1 << i)] = t + c.weeks
    last = free[-1]
    return int(last) if last != math.inf else 0


def _heuristic(
    items: Sequence[_Item],
    starts: _Starts,
    capacity: float | None,
    es: dict[str, int],
    tail: dict[str, int],
    lower: int,
    restarts: int = 60,
) -> dict[str, int] | None:
    """Best of several list schedules: classic priority rules, then seeded random keys."""
    rules = [
        {it.id: (-(it.weeks + tail[it.id]), es[it.id], it.id) for it in items},
        {it.id: (es[it.id], -(it.weeks + tail[it.id]), it.id) for it in items},
        {it.id: (es[it.id] + it.weeks + tail[it.id], it.id) for it in items},
        {it.id: (-it.rate * it.weeks, it.id) for it in items},
    ]
    best: dict[str, int] | None = None
    best_span = math.inf
    if capacity is not None:
        rng = random.Random(len(items))  # fixed seed: the same route always gets the same schedule
        for n in range(restarts):
            if n % 2:
                rules.append({it.id: (rng.random(), it.id) for it in items})
            else:
                rules.append({it.id: (-(it.weeks + tail[it.id]) * rng.random(), it.id) for it in items})
    for n, priority in enumerate(rules):
        placed = _list_schedule(items, starts, capacity, priority, strict=n % 2 == 0)
        if placed is not None and _makespan(items, placed) < best_span:
            best, best_span = placed, _makespan(items, placed)
        if best_span <= lower or placed is None:
            break
    return best


def _solve_time_indexed(
    items: Sequence[_Item],
    starts: _Starts,
    capacity: float | None,
    es: dict[str, int],
    lower: int,
    incumbent: dict[str, int],
    time_limit: float,
) -> tuple[dict[str, int], bool]:
    """Exact makespan by a time-indexed MILP with the incumbent's makespan as horizon."""
    horizon = _makespan(items, incumbent)
    tail = _tails(items)
    milp = _Milp()
    cols: dict[str, list[tuple[int, int]]] = {}  # id -> [(week, column)]
    # only strictly better schedules are sought: a proof of infeasibility proves the incumbent
    horizon -= 1
    for it in items:
        weeks = starts.between(it.id, es[it.id], horizon - it.weeks - tail[it.id])
        if not weeks:
            return incumbent, True
        # no tie-break in the objective (it slows the proof); _left_shift tidies afterwards
        cols[it.id] = [(t, milp.var()) for t in weeks]
    span = milp.var(cost=1.0, lower=float(lower), upper=float(horizon), integer=False)
    # started[c][t] = 1 when c has started by week t: keeps precedence and capacity rows short
    started: dict[str, list[int]] = {}
    for it in items:
        at = dict(cols[it.id])
        started[it.id] = [milp.var(integer=False) for _ in range(horizon + 1)]
        for t, var in enumerate(started[it.id]):
            row = {var: 1.0}
            if t:
                row[started[it.id][t - 1]] = -1.0
            if t in at:
                row[at[t]] = -1.0
            milp.row(row, 0.0, 0.0)
        milp.row({started[it.id][horizon]: 1.0}, 1.0, 1.0)
        row = {j: float(t + it.weeks) for t, j in cols[it.id]}
        row[span] = -1.0
        milp.row(row, upper=0.0)

    _precedence_rows(milp, items, cols, started)
    if capacity is not None:
        _capacity_rows(milp, items, cols, started, capacity, horizon)
    values, proved = milp.solve(time_limit, abs_gap=0.49)  # the makespan is an integer
    if values is None:
        return incumbent, proved
    placed = {}
    for it in items:
        placed[it.id] = max(cols[it.id], key=lambda tj: values[tj[1]])[0]
    if _makespan(items, placed) > horizon:  # numerical safety: never return worse
        return incumbent, False
    return placed, proved


def _precedence_rows(milp: _Milp, items: Sequence[_Item], cols: dict[str, list[tuple[int, int]]],
                     started: dict[str, list[int]]) -> None:
    """Time-indexed rows: a start waits for a finished alternative of each group; an award for its rules."""
    by_id = {it.id: it for it in items}

    def finished_by(cid: str, week: int) -> int | None:
        t = week - by_id[cid].weeks
        return started[cid][t] if t >= 0 else None

    for it in items:
        for g in it.groups:
            # started by week t  ⇒  some alternative finished by week t
            for t, _ in cols[it.id]:
                coefs = {started[it.id][t]: 1.0}
                for a in g.alts:
                    var = finished_by(a, t)
                    if var is not None:
                        coefs[var] = coefs.get(var, 0.0) - 1.0
                milp.row(coefs, upper=0.0)
        if it.rule is not None:
            # an award starts (completes) by week t only once its rules are met by week t
            for t, _ in cols[it.id]:
                def done(cid: str, t: int = t) -> dict[int, float]:
                    var = finished_by(cid, t) if cid in by_id else None
                    return {var: 1.0} if var is not None else {}

                _rule_row(milp, it.rule, done, {started[it.id][t]: 1.0})


def _capacity_rows(milp: _Milp, items: Sequence[_Item], cols: dict[str, list[tuple[int, int]]],
                   started: dict[str, list[int]], capacity: float, horizon: int) -> None:
    """Time-indexed rows: weekly hours within the capacity, and clique cuts on credentials never together."""
    busy = [it for it in items if it.rate > 0 and it.weeks]
    for week in range(horizon):
        running = [it for it in busy
                   if cols[it.id][0][0] <= week < cols[it.id][-1][0] + it.weeks]
        if sum(it.rate for it in running) <= capacity + _EPS:
            continue
        coefs: dict[int, float] = {}
        for it in running:
            coefs[started[it.id][week]] = it.rate
            if week - it.weeks >= 0:
                coefs[started[it.id][week - it.weeks]] = -it.rate
        milp.row(coefs, upper=capacity)
    # clique cuts: of credentials that can never share a week, at most one runs per week
    for clique in _conflict_cliques(items, capacity):
        if len(clique) < 3:
            continue
        for week in range(horizon):
            coefs = {}
            for it in clique:
                if cols[it.id][0][0] <= week < cols[it.id][-1][0] + it.weeks:
                    coefs[started[it.id][week]] = 1.0
                    if week - it.weeks >= 0:
                        coefs[started[it.id][week - it.weeks]] = -1.0
            if len(coefs) > 2:
                milp.row(coefs, upper=1.0)


def _milp_var(milp: _Milp) -> Callable[[float, float, bool], int]:
    return lambda lb, ub, integer: milp.var(lower=lb, upper=ub, integer=integer)


def _milp_row(milp: _Milp) -> Callable[[Sequence[tuple[int, float]], float, float], None]:
    def row(terms: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        coefs: dict[int, float] = {}
        for j, v in terms:
            coefs[j] = coefs.get(j, 0.0) + v
        milp.row(coefs, lo, hi)

    return row


def _rule_row(
    milp: _Milp, rule: _Rule, done: Callable[[str], dict[int, float]], started: dict[int, float]
) -> None:
    """Add rows saying: the 0/1 expression ``started`` is at most "the award's rules are met".

    ``done(c)`` is a linear expression (column → coefficient) equal to 1 when route
    credential ``c`` has finished at the moment considered, 0 otherwise. The rows are
    :func:`planner.engine.rules.encode_award`'s.
    """
    root = encode_award(rule.tree, _milp_var(milp), _milp_row(milp), lambda c: tuple(done(c).items()))
    row = dict(started)
    if root is not None:
        row[root] = row.get(root, 0.0) - 1.0
    milp.row(row, upper=0.0)


def _left_shift(
    items: Sequence[_Item], starts: _Starts, capacity: float | None, placed: dict[str, int]
) -> dict[str, int]:
    """Move each item to its earliest feasible week, others fixed, until nothing moves.

    Never delays anything, so the makespan cannot grow; gives a canonical schedule
    (awards complete as soon as their components finish) whatever solution the solver found.
    """
    placed = dict(placed)
    weeks = {it.id: it.weeks for it in items}
    usage: dict[int, float] = {}
    for it in items:
        for u in range(placed[it.id], placed[it.id] + it.weeks):
            usage[u] = usage.get(u, 0.0) + it.rate
    moved = True
    while moved:
        moved = False
        for it in sorted(items, key=lambda x: (placed[x.id], x.id)):
            ready = int(it.ready({c: float(placed[c] + weeks[c]) for c in placed}))
            current = placed[it.id]
            for u in range(current, current + it.weeks):
                usage[u] -= it.rate
            t = starts.next(it.id, ready)
            while t is not None and t < current and capacity is not None and it.rate > 0 and any(
                usage.get(u, 0.0) + it.rate > capacity + _EPS for u in range(t, t + it.weeks)
            ):
                t = starts.next(it.id, t + 1)
            if t is not None and t < current:
                placed[it.id] = current = t
                moved = True
            for u in range(current, current + it.weeks):
                usage[u] = usage.get(u, 0.0) + it.rate
    return placed


def schedule_route(
    catalogue: Catalogue,
    credential_ids: Iterable[str],
    profile: LearnerProfile,
    *,
    start: dt.date | None = None,
    time_limit: float = 5.0,
    restarts: int = 60,
) -> Schedule:
    """Schedule a route for the earliest finish.

    Long by its documentation only: the body is the method of the module docstring, step by step.

    Parameters
    ----------
    catalogue
        The catalogue the credentials come from.
    credential_ids
        The route: ids of the credentials to place (order and duplicates do not matter).
    profile
        The learner: holdings and competencies satisfy prerequisites at week 0;
        ``constraints.hours_per_week`` caps weekly study hours and
        ``constraints.deadline`` is checked against the finish.
    start
        Date of week 0; default ``profile.constraints.start``, else today.
    time_limit
        Seconds the MILP solver may spend when the heuristic is not proved optimal (0: none;
        the heuristic's finish is then returned, labelled unproved unless a bound proves it).
    restarts
        Random-priority list schedules tried after the classic rules (with a weekly-hours cap).

    Returns
    -------
    Schedule
        Steps ordered by start week then id. ``feasible`` is False (with ``reason``) when a
        credential needs more weekly hours than allowed, a prerequisite cannot be met, the
        requirements are circular, or the earliest finish is after the deadline.

    """
    begin = _plan_start(profile, start)
    items, reason = _prepare(catalogue, credential_ids, profile, begin)
    if reason:
        return _infeasible(begin, reason)
    capacity = profile.constraints.hours_per_week
    if capacity is not None:
        heavy = [it for it in items if it.weeks and it.rate > capacity + _EPS]
        if heavy:
            it = heavy[0]
            return _infeasible(begin, (
                f"'{it.id}' needs {it.rate:g} hours a week, above your {capacity:g} hours a week"
            ))
    horizon = sum(it.weeks + 53 for it in items) + 53
    starts = _Starts(items, begin, horizon)
    es = _earliest(items, starts)
    if es is None:
        return _infeasible(begin, _circular(items))
    tail = _tails(items)
    lower = _lower_bound(items, es, capacity, tail, starts)
    best = _heuristic(items, starts, capacity, es, tail, lower, restarts)
    if best is None:
        return _infeasible(begin, _circular(items))
    proved = _makespan(items, best) <= lower
    if not proved and time_limit > 0:  # 0: the best list schedule, its finish labelled unproved
        best, proved = _solve_time_indexed(items, starts, capacity, es, lower, best, time_limit)
        proved = proved or _makespan(items, best) <= lower
    best = _left_shift(items, starts, capacity, best)
    weeks = _makespan(items, best)
    if proved:
        lower = weeks
    rank = _topological_rank(items)
    steps = tuple(sorted(
        (_step(it.id, best[it.id], best[it.id] + it.weeks, it.rate, begin) for it in items),
        key=lambda s: (s.start_week, rank[s.credential_id], s.credential_id),
    ))
    finish, _ = _finish(steps, begin)
    unknown = tuple(sorted(it.id for it in items if not it.known))
    deadline = profile.constraints.deadline
    if deadline is not None and finish > deadline:
        how = "the earliest possible finish is" if proved else "the best schedule found finishes on"
        # missing the deadline is proved when even the lower bound's finish date is after it
        missed = proved or (lower >= 1 and begin + dt.timedelta(days=7 * lower - 1) > deadline)
        return Schedule(steps, begin, finish, weeks, proved, False,
                        f"deadline {deadline.isoformat()} cannot be met: {how} {finish.isoformat()}",
                        lower_bound=lower, unknown=unknown, infeasible_proved=missed)
    return Schedule(steps, begin, finish, weeks, proved, True, "", lower_bound=lower, unknown=unknown)


def _topological_rank(items: Sequence[_Item]) -> dict[str, int]:
    """A prerequisite order of the items (ties by id): each after what it waits for.

    Steps are listed by start week and then by this rank, so a chain whose durations are
    unknown (all at week 0) still reads in the order it must be taken.
    """
    done: dict[str, float] = {}
    rank: dict[str, int] = {}
    left = sorted(items, key=lambda it: it.id)
    while left:
        ready = next((it for it in left if it.ready(done) < math.inf), left[0])  # left[0]: cycles never get here
        rank[ready.id] = len(rank)
        done[ready.id] = 0.0
        left.remove(ready)
    return rank


def _circular(items: Sequence[_Item]) -> str:
    """Name the credentials whose requirements can never all be met first."""
    done: set[str] = set()
    changed = True
    while changed:
        changed = False
        for it in items:
            if it.id not in done and it.ready(dict.fromkeys(done, 0.0)) < math.inf:
                done.add(it.id)
                changed = True
    stuck = sorted(it.id for it in items if it.id not in done)
    return "circular prerequisites: " + ", ".join(f"'{c}'" for c in stuck) + (
        " can never start, because their prerequisites wait on each other (an award also waits"
        " for its components)"
    )
