"""Exact route selection: the pruned :class:`~planner.engine.problem.Problem` as a MILP solved by HiGHS.

Formulation (one binary ``x_c`` per candidate; ``h`` = held, a constant):

* **Coverage** (role / competencies): every missing required ``(k, r)`` has
  ``Σ x_c ≥ 1`` over candidates teaching ``k`` at ≥ ``r`` (levels are not additive).
* **Prerequisites**: every group ``g`` of ``c`` still unmet by holdings needs a chosen
  supporter: ``x_c ≤ Σ_{p ∈ g} y_p``. Inside a strongly connected component of the
  candidate dependency graph (where two credentials could "meet each other's"
  competency prerequisites) ``y_p`` is an ordering binary ``z_pc ≤ x_p`` with a potential
  ``t_p + 1 ≤ t_c + n (1 − z_pc)``, so every chosen set has a valid order. Across
  components ``y_p = x_p``: the condensation is acyclic, so its topological order works.
* **Awards**: every award credential that is chosen (or the target award) needs its rule
  tree met: one binary ``s`` per node, root ``s ≥ x_award``; all-of ``s_child ≥ s``; n-of
  ``Σ s_child ≥ n s``; credential leaf ``s ≤ Σ x_options`` (the component and its
  recognised equivalents; free when held); credit pool
  ``Σ ects_c x_c + r_P ≥ k s`` with prior-learning credit ``0 ≤ r_P ≤ held + Σ agreed_c x_c``
  and the award's RPL cap ``Σ_P r_P ≤ cap``. An award is earned *after* the components it
  counts: the dependency graph has an edge component → award, and where that closes a
  cycle (the award teaches what its own component requires) ``x`` in the tree is replaced
  by ``u ≤ x`` with the same ordering potentials as prerequisites.
* **Budget**: ``Σ cost_c x_c ≤ B`` (base currency).
* **Time** (only when the objective needs it): finish potentials ``T_c ≥ w_c x_c``; for
  each group a chosen supporter ``z_gp`` with ``T_c ≥ T_p + w_c − M (1 − z_gp)``; the
  finish ``F ≥ T_c`` and ``F ≥ Σ hours_c x_c / H``; an award something waits for has
  ``T_award ≥ T_c`` for the components it counts. Its optimum equals
  :func:`weeks_lower_bound` of the chosen set. After the finish optimum, the tie-breaks
  are solved on a model rebuilt with that finish as horizon (big-M shrunk to it,
  candidates that cannot finish in time fixed to 0); the Pareto front does the same.

Objectives are solved lexicographically (a stage fixes the previous optimum within
``1e-6`` relative and re-solves): the primary objective, then cost, then (for a role with
optional needs still missing) the most optional needs covered — binaries
``y_k ≤ Σ x_c`` over the candidates teaching need ``k`` at its level, maximising ``Σ y_k``
— then the number of credentials, so ties are broken the same way every time. ``mip_rel_gap`` is 0, so an
``Optimal`` status is a proof.

Weighted mix: ``Σ_o w_o · value_o / scale_o`` where ``scale_o`` is the mean of that
measure over the candidates (one unit = "one average credential" of cost, hours, weeks or
credit), so weights compare like with like whatever the currency; credit enters with a
minus sign (more is better). See :func:`objective_scales`.
"""

from __future__ import annotations

import bisect
import itertools
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import networkx as nx
import numpy as np

from planner.catalogue.models import Objective
from planner.engine.highs import new_highs
from planner.engine.problem import Problem
from planner.engine.rules import encode_award, rules_met, tree_items

__all__ = [
    "Cut",
    "Selection",
    "Selector",
    "SwitchedCosts",
    "award_rules_met",
    "cheapest_per_switch",
    "objective_scales",
    "pareto_front",
    "selection_credit",
    "solve",
    "weeks_lower_bound",
]

_TOL = 1e-6
_PARETO_STEP = 1e-4  # weeks: the epsilon-constraint moves the finish bound down by at least this


@dataclass(frozen=True)
class Selection:
    """A chosen set of credentials that reaches the target, with its totals."""

    credential_ids: tuple[str, ...]
    cost: float
    hours: float
    ects: float
    credit: float
    weeks_lower_bound: float
    objective_value: float
    proved_optimal: bool
    fit: float


@dataclass(frozen=True)
class Cut:
    """Exclude ``chosen`` and every superset of it that adds none of ``helpers``.

    ``Σ_{c ∈ chosen} x_c − Σ_{h ∈ helpers} x_h ≤ |chosen| − 1``. With no helpers this is
    the classic no-good cut that also removes every superset (right for cost, workload and
    credit, and for routes already ranked). A set that missed the deadline, or whose real
    finish is known, is cut with its *helpers*: the credentials that could let one of its
    members start earlier (another way to meet a prerequisite group or an award rule) or
    cover an optional need it misses. A superset adding none of them schedules no earlier
    (its schedule restricted to the set is a schedule of the set) and ranks no better, so
    the cut loses no route that could beat the set.
    """

    chosen: frozenset[str]
    helpers: frozenset[str] = frozenset()

    def terms(self, x: Mapping[str, int]) -> list[tuple[int, float]]:
        """Row coefficients on the model's columns."""
        return [*((x[c], 1.0) for c in sorted(self.chosen) if c in x),
                *((x[h], -1.0) for h in sorted(self.helpers) if h in x)]


# --------------------------------------------------------------------------- evaluation


#: Whether an award's rule tree is met (one rule: :func:`planner.engine.rules.rules_met`).
award_rules_met = rules_met


def weeks_lower_bound(problem: Problem, chosen: Iterable[str]) -> float:
    """Lower bound on the weeks a chosen set takes.

    The larger of (a) the longest prerequisite chain: ``f_c = weeks_c + max over c's unmet
    groups of min over chosen supporters p of f_p`` (a group met by holdings adds
    nothing); an award is complete once the components it counts are, so its ``f`` is
    also at least the earliest time by which chosen components meet its rules; and (b)
    total hours divided by the learner's hours per week, when set.

    Parameters
    ----------
    problem : Problem
        The problem the set was chosen for.
    chosen : iterable of str
        Chosen candidate ids.

    Returns
    -------
    float
        Weeks; ``inf`` if the set has no valid order.
    """
    chosen_set = set(chosen)
    finish = {c: float("inf") for c in chosen_set}
    # earliest start of each candidate in any set (intakes included): the time model's T_c ≥ earliest_c
    release = {c: f - problem.weeks[c] for c, f in _earliest_finish(problem).items()} if problem.starts else {}
    items = {a: tree_items(problem.awards[a]) & chosen_set for a in chosen_set if a in problem.awards}
    # Bellman–Ford style from +inf: |S| rounds settle every credential with a valid order
    for _ in range(len(chosen_set) + 1):
        changed = False
        for c in sorted(chosen_set):
            start = 0.0
            for group in problem.prereqs.get(c, ()):
                best = min((finish[p] for p in group if p in chosen_set), default=float("inf"))
                start = max(start, best)
            start = next_start(problem, c, max(start, release.get(c, 0.0)))
            value = start + problem.weeks[c]
            if c in items:
                tree = problem.awards[c]
                times = sorted({0.0, *(finish[i] for i in items[c] if finish[i] < float("inf"))})
                done = next((t for t in times if award_rules_met(tree, (i for i in items[c] if finish[i] <= t))),
                            float("inf"))
                value = max(value, done)
            if value < finish[c]:
                finish[c] = value
                changed = True
        if not changed:
            break
    chain = max(finish.values(), default=0.0)
    if problem.hours_per_week:
        chain = max(chain, sum(problem.load[c] for c in chosen_set) / problem.hours_per_week)
    return chain


def selection_credit(problem: Problem, chosen: Iterable[str], award: str | None) -> float:
    """ECTS counted towards ``award``: held credit valid for it plus chosen candidates' credit."""
    if award is None or award not in problem.awards:
        return 0.0
    tree = problem.awards[award]
    return tree.held_credit + sum(tree.credit_values.get(c, 0.0) for c in chosen)


def objective_scales(problem: Problem, credit_award: str | None = None) -> dict[Objective, float]:
    """Normalising scale of each objective for the weighted mix: its mean over the candidates.

    Parameters
    ----------
    problem : Problem
        The pruned problem.
    credit_award : str, optional
        The award whose credit is measured.

    Returns
    -------
    dict
        Objective → a positive scale (1.0 when the mean is zero or there are no candidates).
    """
    n = max(1, len(problem.candidates))
    credit_values = problem.awards[credit_award].credit_values if credit_award in problem.awards else {}
    means = {
        Objective.COST: sum(problem.cost.values()) / n,
        Objective.WORKLOAD: sum(problem.hours.values()) / n,
        Objective.TIME: sum(problem.weeks.values()) / n,
        Objective.CREDIT: sum(credit_values.values()) / n,
    }
    return {k: (v if v > 1e-9 else 1.0) for k, v in means.items()}


def _fit(problem: Problem, chosen: set[str]) -> float:
    if problem.optional_total == 0:
        return 1.0
    covered = sum(1 for need in problem.optional if chosen.intersection(problem.coverers.get(need, ())))
    met_before = problem.optional_total - len(problem.optional)
    return (met_before + covered) / problem.optional_total


def _objective_value(
    objective: Objective | None,
    weights: Mapping[Objective, float] | None,
    scales: Mapping[Objective, float],
    measures: Mapping[Objective, float],
) -> float:
    if weights:
        return sum(
            (-1.0 if o == Objective.CREDIT else 1.0) * w * measures[o] / scales[o] for o, w in weights.items()
        )
    assert objective is not None
    return measures[objective]


# --------------------------------------------------------------------------- model


class _Model:
    """A HiGHS model assembled in bulk: columns first, then all rows in one call."""

    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[int] = []
        self.row_lo: list[float] = []
        self.row_hi: list[float] = []
        self.starts: list[int] = []
        self.index: list[int] = []
        self.value: list[float] = []

    def var(self, lb: float = 0.0, ub: float = 1.0, *, integer: bool = True) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        if integer:
            self.integer.append(len(self.lb) - 1)
        return len(self.lb) - 1

    def row(self, terms: Iterable[tuple[int, float]], lo: float, hi: float) -> None:
        merged: dict[int, float] = {}
        for i, v in terms:
            merged[i] = merged.get(i, 0.0) + v
        self.starts.append(len(self.index))
        for i, v in merged.items():
            if v != 0.0:
                self.index.append(i)
                self.value.append(v)
        self.row_lo.append(lo)
        self.row_hi.append(hi)

    def highs(self, time_limit: float) -> highspy._Highs:
        h = new_highs()
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 1e-9)
        # never set "threads": once another HiGHS model has run in the process, HiGHS then
        # silently skips the solve (guarded by a test in tests/engine/test_schedule.py)
        h.setOptionValue("time_limit", max(0.01, time_limit))
        n = len(self.lb)
        h.addVars(n, np.array(self.lb, dtype=np.float64), np.array(self.ub, dtype=np.float64))
        if self.integer:
            idx = np.array(self.integer, dtype=np.int32)
            h.changeColsIntegrality(len(idx), idx, np.ones(len(idx), dtype=np.uint8))
        if self.row_lo:
            h.addRows(
                len(self.row_lo),
                np.array(self.row_lo, dtype=np.float64),
                np.array(self.row_hi, dtype=np.float64),
                len(self.index),
                np.array(self.starts, dtype=np.int32),
                np.array(self.index, dtype=np.int32),
                np.array(self.value, dtype=np.float64),
            )
        return h


@dataclass
class _Built:
    highs: highspy._Highs
    x: dict[str, int]
    n_cols: int
    finish: int | None  # column of F (time model only)
    cover: dict[tuple[str, int], int] = field(default_factory=dict)  # optional need → y_k
    exhausted: bool = False  # the last solve proved that no set is left
    #: (award, credential) → binary column that lets the credential count towards the award
    switches: dict[tuple[str, str], int] = field(default_factory=dict)
    #: (award, credential) → binary column "the credential counts towards the award through its switch"
    switch_use: dict[tuple[str, str], int] = field(default_factory=dict)


def _dependency_graph(problem: Problem) -> nx.DiGraph:
    """Candidate p → c when p can meet a prerequisite of c or count in c's award rules."""
    graph = nx.DiGraph()
    graph.add_nodes_from(problem.candidates)
    for c, groups in problem.prereqs.items():
        for group in groups:
            for p in group:
                graph.add_edge(p, c)
    for award_id, tree in problem.awards.items():
        if award_id in problem.cost:  # a candidate: earned after the components it counts
            for item in tree_items(tree):
                graph.add_edge(item, award_id)
    return graph


def _sccs(graph: nx.DiGraph) -> dict[str, tuple[int, int]]:
    """Candidate → (component number, component size) for components with a cycle."""
    out: dict[str, tuple[int, int]] = {}
    comps = sorted(sorted(comp) for comp in nx.strongly_connected_components(graph) if len(comp) > 1)
    for k, comp in enumerate(comps):
        for c in comp:
            out[c] = (k, len(comp))
    return out


def _chain_bounds(problem: Problem, graph: nx.DiGraph,
                  earliest: Mapping[str, float] | None = None) -> dict[str, float]:
    """Upper bound on the finish of each candidate: weeks along the condensed dependency DAG.

    With ``earliest`` (finishes under intakes), a component cannot start before its
    members' earliest starts, so the bound starts there.
    """
    cond = nx.condensation(graph)
    reach: dict[int, float] = {}
    for comp in nx.topological_sort(cond):
        members = cond.nodes[comp]["members"]
        base = max((reach[pred] for pred in cond.predecessors(comp)), default=0.0)
        if earliest:
            base = max(base, *(earliest[c] - problem.weeks[c] for c in members
                               if earliest.get(c, float("inf")) < float("inf")), 0.0)
        # each member may also wait for its next intake
        reach[comp] = base + float(sum(problem.weeks[c] + _longest_wait(problem, c) for c in members))
    mapping = cond.graph["mapping"]
    return {c: reach[mapping[c]] for c in problem.candidates}


def _longest_wait(problem: Problem, credential_id: str) -> float:
    """Longest a candidate can wait for its next intake (0 when it starts any week)."""
    weeks = problem.starts.get(credential_id)
    if not weeks:
        return 0.0
    return float(max(weeks[0], *(b - a for a, b in itertools.pairwise(weeks))))


def next_start(problem: Problem, credential_id: str, week: float) -> float:
    """The first week at or after ``week`` in which a candidate can start (intakes); inf if none."""
    weeks = problem.starts.get(credential_id)
    if weeks is None or week == float("inf"):
        return week
    i = bisect.bisect_left(weeks, math.ceil(week - _TOL))
    return float(weeks[i]) if i < len(weeks) else float("inf")


def _earliest_finish(problem: Problem) -> dict[str, float]:
    """Finish of each candidate if every candidate were chosen: a lower bound in any set.

    Intakes count here (a credential starts only in one of its intake weeks), which makes
    the bound, and so the time objective, see the waits that dominate real schedules.
    """
    finish = {c: float("inf") for c in problem.candidates}
    for _ in range(len(finish) + 1):
        changed = False
        for c in problem.candidates:
            start = 0.0
            for group in problem.prereqs.get(c, ()):
                start = max(start, min((finish[p] for p in group), default=float("inf")))
            value = next_start(problem, c, start) + problem.weeks[c]
            if value < finish[c]:
                finish[c] = value
                changed = True
        if not changed:
            break
    return finish


class _Rows:
    """One model being written: the columns shared by its parts, and the parts in order.

    Each method writes one family of rows of the formulation in the module docstring; the
    order in which :func:`_build` calls them is the order of the model's columns and rows
    (kept fixed, so the same problem always gives HiGHS the same model).
    """

    def __init__(self, problem: Problem, m: _Model, x: dict[str, int]) -> None:
        self.problem, self.m, self.x = problem, m, x
        self.graph = _dependency_graph(problem)
        self.scc = _sccs(self.graph)
        self.order = {c: m.var(0.0, float(size - 1), integer=False) for c, (_, size) in sorted(self.scc.items())}
        self.tvar: dict[str, int] = {}
        self.bound: dict[str, float] = {}
        self.finish: int | None = None
        self.timed: set[str] = set()
        self.switch: dict[tuple[str, str], int] = {}
        self.switch_use: dict[tuple[str, str], int] = {}

    def ordered(self, p: str, c: str) -> bool:
        """Whether ``p`` and ``c`` share a strongly connected component (they need order rows)."""
        return p in self.scc and c in self.scc and self.scc[p][0] == self.scc[c][0]

    def order_rows(self, p: str, c: str, z: int) -> None:
        """``z = 1 ⇒ t_p + 1 ≤ t_c`` (``z = 0``: slack)."""
        size = self.scc[c][1]
        self.m.row(((self.order[c], 1.0), (self.order[p], -1.0), (z, -float(size))), 1.0 - size, np.inf)

    def time_rows(self, earliest: Mapping[str, float], horizon: float | None) -> None:
        """Finish potentials, intakes, timed prerequisites and the weekly-hours bound on ``F``."""
        problem, m, x = self.problem, self.m, self.x
        bound = _chain_bounds(problem, self.graph, earliest)
        if horizon is not None:
            bound = {c: min(b, horizon + _TOL) for c, b in bound.items()}
        self.bound = bound
        tvar = self.tvar = {c: m.var(0.0, bound[c], integer=False) for c in problem.candidates}
        upper = max(bound.values(), default=0.0)
        if problem.hours_per_week:
            upper = max(upper, sum(problem.load.values()) / problem.hours_per_week)
        if horizon is not None:
            upper = min(upper, horizon + _TOL)
        finish = self.finish = m.var(0.0, upper + (0.0 if horizon is not None else 1.0), integer=False)
        for c in problem.candidates:
            w = float(problem.weeks[c])
            # T_c ≥ earliest possible finish when chosen (valid in any set, tightens the LP)
            lower = earliest[c] if earliest[c] < float("inf") else w
            m.row(((tvar[c], 1.0), (x[c], -lower)), 0.0, np.inf)
            m.row(((finish, 1.0), (tvar[c], -1.0)), 0.0, np.inf)
            self._intake_rows(c, w)
            for group in problem.prereqs.get(c, ()):
                self._timed_group(c, w, group)
        if problem.hours_per_week:
            hpw = problem.hours_per_week
            # the weekly hours a set uses (load × weeks) must fit under the learner's cap
            m.row([(finish, 1.0), *((x[c], -problem.load[c] / hpw) for c in problem.candidates)], 0.0, np.inf)

    def _intake_rows(self, c: str, w: float) -> None:
        """A chosen credential starts in exactly one of its intake weeks: ``T_c = w + Σ k·y_k``."""
        intakes = self.problem.starts.get(c)
        if intakes is None:
            return
        m, x = self.m, self.x
        usable = [k for k in intakes if k + w <= self.bound[c] + _TOL]
        if not usable:
            m.ub[x[c]] = 0.0
            return
        ys = [(m.var(), float(k)) for k in usable]
        m.row([(x[c], -1.0), *((y, 1.0) for y, _ in ys)], 0.0, 0.0)
        m.row([(self.tvar[c], 1.0), (x[c], -w), *((y, -k) for y, k in ys)], 0.0, 0.0)

    def _timed_group(self, c: str, w: float, group: Sequence[str]) -> None:
        """One prerequisite group of ``c`` with a chosen supporter ``z`` that finishes first."""
        m, x, tvar = self.m, self.x, self.tvar
        zs = []
        for p in group:
            if len(group) == 1:
                z = x[c]  # the only supporter is used whenever c is chosen
            else:
                z = m.var()
                m.row(((x[c], 1.0), (z, -1.0)), 0.0, np.inf)
            zs.append(z)
            m.row(((x[p], 1.0), (z, -1.0)), 0.0, np.inf)
            # z = 1 ⇒ T_c ≥ T_p + w_c; big-M from the chain bound keeps the LP tight
            big_m = self.bound[p] + w
            m.row(((tvar[c], 1.0), (tvar[p], -1.0), (z, -big_m)), w - big_m, np.inf)
            if self.ordered(p, c):
                self.order_rows(p, c, z)
        if len(group) > 1:
            m.row([(x[c], -1.0), *((z, 1.0) for z in zs)], 0.0, np.inf)

    def prerequisite_rows(self) -> None:
        """Without time: each unmet group needs a chosen supporter (ordered inside a component)."""
        m, x = self.m, self.x
        pair: dict[tuple[str, str], int] = {}
        for c in self.problem.candidates:
            for group in self.problem.prereqs.get(c, ()):
                terms = [(x[c], -1.0)]
                for p in group:
                    if self.ordered(p, c):
                        z = pair.get((p, c))
                        if z is None:
                            z = pair[(p, c)] = m.var()
                            m.row(((x[p], 1.0), (z, -1.0)), 0.0, np.inf)
                            self.order_rows(p, c, z)
                        terms.append((z, 1.0))
                    else:
                        terms.append((x[p], 1.0))
                m.row(terms, 0.0, np.inf)

    def mark_timed_awards(self) -> None:
        """Mark the awards whose completion time matters.

        Something waits for them (a prerequisite, or an award that matters counting them);
        for the others ``F ≥ T_c`` of their components suffices.
        """
        problem = self.problem
        stack = sorted({p for groups in problem.prereqs.values() for g in groups for p in g} & set(problem.awards))
        while stack:
            a = stack.pop()
            if a in self.timed:
                continue
            self.timed.add(a)
            stack.extend(i for i in tree_items(problem.awards[a]) if i in problem.awards and i not in self.timed)

    def switch_columns(self, switches: Sequence[tuple[str, str]]) -> None:
        """One binary per switch, at most one on (see :func:`cheapest_per_switch`)."""
        self.switch = {pair: self.m.var() for pair in sorted(set(switches))}
        if self.switch:
            self.m.row(((col, 1.0) for col in self.switch.values()), 0.0, 1.0)

    def award_rows(self, target_award: str | None) -> None:
        """The rule tree of every award candidate and of the target award."""
        problem, m, x = self.problem, self.m, self.x
        for award_id, tree in sorted(problem.awards.items()):
            is_target = award_id == target_award and award_id not in problem.held
            if award_id not in x and not is_target:
                continue
            used: dict[str, int] = {}
            root = encode_award(
                tree,
                lambda lb, ub, integer: m.var(lb, ub, integer=integer),
                lambda terms, lo, hi: m.row(terms, lo, hi),
                lambda c, award_id=award_id, used=used: ((self._item(award_id, c, used), 1.0),),
            )
            if root is None:
                m.ub[x[award_id]] = 0.0
            else:
                m.row(((root, 1.0), (x[award_id], -1.0)), 0.0, np.inf)

    def _item(self, award_id: str, c: str, used: dict[str, int]) -> int:
        """Column saying "c counts towards this award": x_c, or u ≤ x_c with order/time/switch rows."""
        if c in used:
            return used[c]
        m, x = self.m, self.x
        needs_order = self.ordered(c, award_id)
        needs_time = award_id in self.timed
        gate = self.switch.get((award_id, c))
        if not needs_order and not needs_time and gate is None:
            used[c] = x[c]
            return x[c]
        u = m.var()
        m.row(((x[c], 1.0), (u, -1.0)), 0.0, np.inf)
        if gate is not None:
            m.row(((gate, 1.0), (u, -1.0)), 0.0, np.inf)
            self.switch_use[(award_id, c)] = u
        if needs_order:
            self.order_rows(c, award_id, u)
        if needs_time:
            # the award is complete once the components it counts are: T_A ≥ T_c when used
            bound = self.bound[c]
            m.row(((self.tvar[award_id], 1.0), (self.tvar[c], -1.0), (u, -bound)), -bound, np.inf)
        used[c] = u
        return u

    def cover_columns(self) -> dict[tuple[str, int], int]:
        """Optional needs: ``y_k ≤ Σ x_c`` over its coverers, rewarded by the fit tie-break stage.

        Only for the optional needs some candidate can teach.
        """
        cover: dict[tuple[str, int], int] = {}
        for need in self.problem.optional:
            teachers = [self.x[c] for c in self.problem.coverers.get(need, ()) if c in self.x]
            if teachers:
                cover[need] = self.m.var()
                self.m.row([(cover[need], 1.0), *((i, -1.0) for i in teachers)], -np.inf, 0.0)
        return cover


def _build(
    problem: Problem,
    *,
    with_time: bool,
    horizon: float | None = None,
    cuts: Sequence[Cut] = (),
    switches: Sequence[tuple[str, str]] = (),
) -> _Built | None:
    """Build the model; None when the target is trivially infeasible.

    ``horizon`` (time model only) bounds the finish: finish potentials and big-M
    coefficients shrink to it and candidates that cannot finish by then are fixed to 0,
    which makes the tie-break stages after a time optimum (and ε-constraint steps) fast.
    ``cuts`` are no-good cuts to re-add (see :class:`Cut`). ``switches`` are (award,
    credential) pairs whose counting towards the award needs its own binary column on,
    at most one of them on at a time (see :func:`cheapest_per_switch`).
    """
    if problem.uncoverable:
        return None
    m = _Model()
    cands = problem.candidates
    x = {c: m.var() for c in cands}
    earliest = _earliest_finish(problem) if with_time else {}
    for c, value in earliest.items():
        if value == float("inf") or (horizon is not None and value > horizon + _TOL):
            m.ub[x[c]] = 0.0  # cannot be ordered at all, or cannot finish by the horizon

    # target award must be earned (or already held)
    target_award = problem.award_id
    if target_award is not None and target_award not in problem.held:
        if target_award not in x:
            return None
        m.lb[x[target_award]] = 1.0

    for need in problem.required:
        m.row(((x[c], 1.0) for c in problem.coverers.get(need, ())), 1.0, np.inf)

    # prerequisites (and award components) with ordering inside strongly connected components
    rows = _Rows(problem, m, x)
    if with_time:
        rows.time_rows(earliest, horizon)
        rows.mark_timed_awards()
    else:
        rows.prerequisite_rows()
    rows.switch_columns(switches)
    rows.award_rows(target_award)

    if problem.budget is not None and cands:
        m.row(((x[c], problem.cost[c]) for c in cands), -np.inf, problem.budget)

    for cut in cuts:
        m.row(cut.terms(x), -np.inf, float(len(cut.chosen) - 1))

    cover = rows.cover_columns()
    return _Built(m.highs(10.0), x, len(m.lb), rows.finish, cover, switches=rows.switch,
                  switch_use=rows.switch_use)


# --------------------------------------------------------------------------- solving


def _stages(
    problem: Problem,
    built: _Built,
    objective: Objective,
    weights: Mapping[Objective, float] | None,
    credit_award: str | None,
) -> list[dict[int, float]]:
    """Objective vectors (minimised) in lexicographic order."""
    x = built.x
    cost = {x[c]: problem.cost[c] for c in problem.candidates}
    hours = {x[c]: problem.hours[c] for c in problem.candidates}
    credit_values = problem.awards[credit_award].credit_values if credit_award in problem.awards else {}
    credit = {x[c]: -v for c, v in credit_values.items() if c in x}
    ties = _tie_breaks(built)
    time_vec = {built.finish: 1.0} if built.finish is not None else {}
    vectors = {Objective.COST: cost, Objective.WORKLOAD: hours, Objective.CREDIT: credit, Objective.TIME: time_vec}
    if weights:
        scales = objective_scales(problem, credit_award)
        mix: dict[int, float] = {}
        for o, w in sorted(weights.items()):
            for i, v in vectors[o].items():  # the credit vector is already negated
                mix[i] = mix.get(i, 0.0) + w * v / scales[o]
        return [mix, cost, *ties]
    if objective == Objective.COST:
        return [cost, *ties]
    return [vectors[objective], cost, *ties]


def _tie_breaks(built: _Built) -> list[dict[int, float]]:
    """The stages after cost: most optional needs covered (when there are any), then fewest credentials."""
    count = {i: 1.0 for i in built.x.values()}
    if not built.cover:
        return [count]  # no optional needs: the model and stages stay as they were
    return [{i: -1.0 for i in built.cover.values()}, count]


def _set_objective(h: highspy._Highs, n_cols: int, vector: Mapping[int, float]) -> None:
    costs = np.zeros(n_cols, dtype=np.float64)
    for i, v in vector.items():
        costs[i] = v
    h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), costs)


def _run_stages(
    built: _Built, stages: Sequence[Mapping[int, float]], deadline: float
) -> tuple[set[str], bool] | None:
    """Solve stage by stage; return the chosen set and whether every stage was proved optimal."""
    if built.n_cols == 0:
        return set(), True  # nothing to choose and nothing missing: the empty route
    h = built.highs
    base_rows = h.getNumRow()
    proved = True
    chosen: set[str] | None = None
    for k, vector in enumerate(stages):
        h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
        _set_objective(h, built.n_cols, vector)
        h.run()
        status = h.getModelStatus()
        has_solution = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
        if status == highspy.HighsModelStatus.kOptimal:
            pass
        elif has_solution and status in (highspy.HighsModelStatus.kTimeLimit,
                                          highspy.HighsModelStatus.kInterrupt,
                                          highspy.HighsModelStatus.kSolutionLimit):
            proved = False
        else:
            # a tie-break stage failing (numerically) keeps the previous stage's set, unproved
            proved = proved and k == 0
            if k == 0:  # no set at all: proved only when HiGHS proved the model infeasible
                built.exhausted = status == highspy.HighsModelStatus.kInfeasible
            break
        values = h.getSolution().col_value
        chosen = {c for c, i in built.x.items() if values[i] > 0.5}
        if k + 1 < len(stages):
            best = h.getInfo().objective_function_value
            idx = np.array(sorted(vector), dtype=np.int32)
            val = np.array([vector[i] for i in sorted(vector)], dtype=np.float64)
            h.addRow(-np.inf, best + _TOL * max(1.0, abs(best)), len(idx), idx, val)
    extra = h.getNumRow() - base_rows
    if extra:
        h.deleteRows(extra, np.arange(base_rows, base_rows + extra, dtype=np.int32))
    if chosen is None:
        return None
    return chosen, proved


def _selection(
    problem: Problem,
    chosen: set[str],
    proved: bool,
    objective: Objective,
    weights: Mapping[Objective, float] | None,
    credit_award: str | None,
) -> Selection:
    cost = sum(problem.cost[c] for c in chosen)
    hours = sum(problem.hours[c] for c in chosen)
    ects = sum(problem.ects[c] for c in chosen if c not in problem.awards)
    credit = selection_credit(problem, chosen, credit_award)
    weeks = weeks_lower_bound(problem, chosen)
    measures = {Objective.COST: cost, Objective.WORKLOAD: hours, Objective.CREDIT: credit, Objective.TIME: weeks}
    value = _objective_value(objective, weights, objective_scales(problem, credit_award), measures)
    return Selection(
        credential_ids=tuple(sorted(chosen)),
        cost=cost,
        hours=hours,
        ects=ects,
        credit=credit,
        weeks_lower_bound=weeks,
        objective_value=value,
        proved_optimal=proved,
        fit=_fit(problem, chosen),
    )


def _no_good(h: highspy._Highs, built: _Built, cut: Cut) -> None:
    terms = cut.terms(built.x)
    if not terms:
        return
    h.addRow(-np.inf, float(len(cut.chosen) - 1), len(terms),
             np.array([i for i, _ in terms], dtype=np.int32), np.array([v for _, v in terms], dtype=np.float64))


class Selector:
    """Best sets one at a time, under cuts: the engine's enumeration.

    Each :meth:`next` returns the set with the least *model key* among those no cut
    excludes: (objective, cost, optional needs, count) where time enters as the proved
    lower bound of :func:`weeks_lower_bound`. ``finish_cap`` (weeks) bounds that lower
    bound, which is how a deadline prunes sets that cannot meet it whatever their schedule.

    Parameters
    ----------
    problem : Problem
        The pruned problem.
    objective : Objective
        The objective (ignored when ``weights`` is given).
    weights : mapping of Objective to float, optional
        A weighted mix.
    credit_award : str, optional
        The award whose credit is measured.
    finish_cap : float, optional
        Upper bound on the finish week of any set returned.
    """

    def __init__(
        self,
        problem: Problem,
        *,
        objective: Objective = Objective.COST,
        weights: Mapping[Objective, float] | None = None,
        credit_award: str | None = None,
        finish_cap: float | None = None,
    ) -> None:
        self.problem = problem
        self.credit_award = credit_award = credit_award or problem.award_id
        self.weights = {Objective(o): float(w) for o, w in weights.items() if w} if weights else None
        self.objective = objective
        weights = self.weights
        uses_credit = (objective == Objective.CREDIT and not weights) or bool(weights and Objective.CREDIT in weights)
        if uses_credit and (credit_award is None or credit_award not in problem.awards):
            raise ValueError(
                "the credit objective needs an award: pass credit_award (to build_problem and solve) "
                "or target an award"
            )
        self.time_objective = (objective == Objective.TIME and not weights) or bool(
            weights and Objective.TIME in weights)
        self.finish_cap = finish_cap
        with_time = self.time_objective or finish_cap is not None
        self.built = _build(problem, with_time=with_time, horizon=finish_cap)
        self.stages = _stages(problem, self.built, objective, weights, credit_award) if self.built else []
        self.pure_time = self.time_objective and not weights
        self.cuts: list[Cut] = []
        self.done = self.built is None
        #: True once it is proved that no set is left (the model became infeasible).
        self.exhausted = self.built is None

    def next(self, deadline: float) -> Selection | None:
        """The next best set, or None when no set is left (or the clock ran out first).

        Parameters
        ----------
        deadline : float
            ``time.perf_counter()`` value by which to stop.
        """
        if self.done or self.built is None:
            return None
        if self.pure_time:
            result = _solve_time(self.problem, self.built, self.cuts, deadline, self.finish_cap)
        else:
            result = _run_stages(self.built, self.stages, deadline)
        if result is None:
            # no set returned: either none is left (proved) or the clock ran out first
            self.done = self.built.exhausted
            self.exhausted = self.built.exhausted
            return None
        chosen, proved = result
        return _selection(self.problem, chosen, proved, self.objective, self.weights, self.credit_award)

    def cut(self, chosen: Iterable[str], helpers: Iterable[str] = ()) -> None:
        """Exclude a set (and supersets without ``helpers``) from now on."""
        cut = Cut(frozenset(chosen), frozenset(helpers) - frozenset(chosen))
        if not cut.chosen:
            self.done = self.exhausted = True  # every set is a superset of the empty set
            return
        self.cuts.append(cut)
        if self.built is not None:
            _no_good(self.built.highs, self.built, cut)


def solve(
    problem: Problem,
    *,
    objective: Objective = Objective.COST,
    weights: Mapping[Objective, float] | None = None,
    alternatives: int = 1,
    credit_award: str | None = None,
    time_limit: float = 10.0,
) -> tuple[Selection, ...]:
    """Choose the best sets of credentials for a pruned problem.

    Parameters
    ----------
    problem : Problem
        From :func:`planner.engine.problem.build_problem`.
    objective : Objective
        ``cost``, ``workload`` (hours), ``time`` (weeks lower bound) or ``credit``
        (ECTS towards ``credit_award``, maximised). Ignored when ``weights`` is given.
    weights : mapping of Objective to float, optional
        A weighted mix of normalised objectives (see :func:`objective_scales`).
    alternatives : int
        How many distinct sets to return, best first. Each found set ``S`` is cut off
        with ``Σ_{c∈S} x_c ≤ |S| − 1``, which also removes its supersets.
    credit_award : str, optional
        The award whose credit is measured (default: the target award).
    time_limit : float
        Seconds for the whole call; a set found but not proved optimal in time is returned
        with ``proved_optimal=False``.

    Returns
    -------
    tuple of Selection
        Best first; empty when the target cannot be reached.

    Raises
    ------
    ValueError
        When the credit objective has no award to measure, or the award was not prepared
        by :func:`~planner.engine.problem.build_problem` (pass ``credit_award`` there too).
    """
    deadline = time.perf_counter() + time_limit
    selector = Selector(problem, objective=objective, weights=weights, credit_award=credit_award)
    found: list[Selection] = []
    for _ in range(max(1, alternatives)):
        sel = selector.next(deadline)
        if sel is None:
            break
        found.append(sel)
        selector.cut(sel.credential_ids)
        if time.perf_counter() >= deadline:
            break
    return tuple(found)


@dataclass(frozen=True)
class SwitchedCosts:
    """What :func:`cheapest_per_switch` found.

    ``found`` maps a switch to the cheapest set with that switch on and its cost, for every
    switch whose cheapest set costs less than the bound; ``proved`` says that HiGHS proved
    every other switch unable to go below it (False: a solve stopped at its time limit).
    """

    found: Mapping[tuple[str, str], tuple[tuple[str, ...], float]]
    proved: bool


def cheapest_per_switch(problem: Problem, switches: Sequence[tuple[str, str]], *, below: float | None,
                        time_limit: float = 10.0) -> SwitchedCosts:
    """The cheapest set with each one switch on, for the switches that beat a cost bound.

    A *switch* ``(award, credential)`` is a way for ``credential`` to count towards
    ``award`` (a recognition agreement) that the model lets count only while the switch's
    binary is on; at most one is on at a time. The problem is the one with every switch's
    agreement added (``build_problem(..., extra_agreements=...)``): with one switch on it
    is the problem of that agreement alone, because extra candidates that nothing else
    needs change no optimum. The cost MILP is built once and asked about one award's
    switches at a time (the others held off): each solve finds the switch of that award
    whose cheapest set is cheapest, below ``below``; that switch is then turned off by its
    bound and the model solved again, until no set is below the bound. So an award whose
    ``k`` switches beat the bound takes ``k + 1`` solves. One award's switches at a time,
    rather than all at once, keeps each solve small: a model free to pick any of a hundred
    switches has a weak relaxation and takes HiGHS ten times longer per solve.

    With a bound, each solve also asks that the switch be *used* (the credential counts
    towards the award through it): a set that uses no switch is a set of the problem
    with every switch off, which costs at least ``below``, so the row removes no set below
    the bound and tightens the relaxation.

    Parameters
    ----------
    problem : Problem
        The problem with every switch's agreement included.
    switches : sequence of (str, str)
        ``(award, credential)`` pairs; each credential must count towards its award only
        through its switch (not as a component or through another agreement).
    below : float, optional
        Only sets cheaper than this (by more than the solver's tolerance) are looked for.
        It must be *proved* that no set with every switch off costs less (the proved
        cheapest cost with every switch off, or a lower figure); None: any set.
    time_limit : float
        Seconds for each solve.

    Returns
    -------
    SwitchedCosts
    """
    built = _build(problem, with_time=False, switches=switches)
    if built is None:  # the target cannot be reached, whatever counts towards an award
        return SwitchedCosts({}, True)
    h, x = built.highs, built.x
    # no presolve: HiGHS 1.16's presolve wrongly proves some of these models infeasible (the
    # solutions it finds violate a row once restored), or stops with a solve error; on the
    # 10k synthetic what-if it missed agreements that lower a cost, with or without the
    # used-switch row, and switching off single rules (enumeration, dual fixing) moved the
    # error to other models. Unpresolved, each solve is about 1.5 times slower.
    h.setOptionValue("presolve", "off")
    _set_objective(h, built.n_cols, {x[c]: problem.cost[c] for c in problem.candidates})
    if below is not None:
        bound = below - _TOL * max(1.0, abs(below))
        h.addRow(-np.inf, bound, len(x), np.array(list(x.values()), dtype=np.int32),
                 np.array([problem.cost[c] for c in x], dtype=np.float64))
    groups: dict[str, list[tuple[str, str]]] = {}
    for pair in built.switches:
        groups.setdefault(pair[0], []).append(pair)
    found: dict[tuple[str, str], tuple[tuple[str, ...], float]] = {}
    for award in sorted(groups):
        use_row = _switch_group(h, built, groups[award], used=below is not None)
        proved = _cheapest_in_group(h, built, problem, found, time_limit)
        if use_row is not None:
            h.deleteRows(1, np.array([use_row], dtype=np.int32))
        if not proved:
            return SwitchedCosts(found, False)
    return SwitchedCosts(found, True)


def _switch_group(h: highspy._Highs, built: _Built, group: Sequence[tuple[str, str]], *, used: bool) -> int | None:
    """Let only ``group``'s switches be on; with ``used``, add the row "one of them is used" (its index)."""
    cols = np.array(list(built.switches.values()), dtype=np.int32)
    members = set(group)
    upper = np.array([1.0 if pair in members else 0.0 for pair in built.switches], dtype=np.float64)
    h.changeColsBounds(len(cols), cols, np.zeros(len(cols), dtype=np.float64), upper)
    if not used:
        return None
    uses = [built.switch_use[pair] for pair in group if pair in built.switch_use]
    # a switch with no use column can never count (its credential is no item of the award)
    h.addRow(1.0, np.inf, len(uses), np.array(uses, dtype=np.int32), np.ones(len(uses), dtype=np.float64))
    return h.getNumRow() - 1


def _cheapest_in_group(h: highspy._Highs, built: _Built, problem: Problem,
                       found: dict[tuple[str, str], tuple[tuple[str, ...], float]], time_limit: float) -> bool:
    """Solve, record the switch that is on, turn it off, until infeasible; whether that was proved."""
    x = built.x
    while True:
        h.setOptionValue("time_limit", max(0.01, time_limit))
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return True
        if status != highspy.HighsModelStatus.kOptimal:
            return False
        values = h.getSolution().col_value
        on = [pair for pair, col in built.switches.items() if values[col] > 0.5]
        if len(on) != 1 or on[0] in found:
            # a set below the bound needs exactly one switch; anything else is a numerical
            # corner the caller settles by solving that agreement on its own
            return False
        chosen = tuple(sorted(c for c, i in x.items() if values[i] > 0.5))
        found[on[0]] = (chosen, sum(problem.cost[c] for c in chosen))
        h.changeColBounds(built.switches[on[0]], 0.0, 0.0)


def _solve_time(
    problem: Problem, built: _Built, cuts: Sequence[Cut], deadline: float, finish_cap: float | None = None,
) -> tuple[set[str], bool] | None:
    """Earliest finish, then cost, then most optional needs covered, then fewest credentials.

    The finish optimum comes from the full time model; the tie-breaks are solved on a
    model rebuilt with that finish as horizon (tight big-M), which is much faster than
    fixing the finish by a row.
    """
    assert built.finish is not None
    first = _run_stages(built, [{built.finish: 1.0}], deadline)
    if first is None:
        return None
    chosen, proved = first
    horizon = weeks_lower_bound(problem, chosen)
    if finish_cap is not None:
        horizon = min(horizon, finish_cap)
    tight = _build(problem, with_time=True, horizon=horizon, cuts=cuts)
    if tight is None:  # pragma: no cover - same problem, cannot become trivially infeasible
        return first
    x = tight.x
    cost = {x[c]: problem.cost[c] for c in problem.candidates}
    rest = _run_stages(tight, [cost, *_tie_breaks(tight)], deadline)
    if rest is None:  # numerical corner: keep the finish-optimal set
        return first
    return rest[0], proved and rest[1]


def pareto_front(problem: Problem, *, max_points: int = 10, time_limit: float = 10.0) -> tuple[Selection, ...]:
    """The cost × time Pareto front by the ε-constraint method.

    Starting from the cheapest set (ties: fastest), repeatedly require the finish to be
    earlier than the last point's and minimise cost again (ties: fastest, then fewest
    credentials), until no set is faster or ``max_points`` points are found.

    Parameters
    ----------
    problem : Problem
        The pruned problem.
    max_points : int
        At most this many points.
    time_limit : float
        Seconds for the whole front.

    Returns
    -------
    tuple of Selection
        Non-dominated sets, cost increasing and weeks decreasing; ``objective_value`` is
        the cost.
    """
    deadline = time.perf_counter() + time_limit
    horizon: float | None = None
    points: list[Selection] = []
    while len(points) < max_points and time.perf_counter() < deadline:
        # the first point needs no finish bound: the plain (faster) selection model will do
        built = _build(problem, with_time=horizon is not None, horizon=horizon)
        if built is None:
            break
        x = built.x
        cost = {x[c]: problem.cost[c] for c in problem.candidates}
        result = _run_stages(built, [cost], deadline)
        if result is None:
            break
        chosen, proved = result
        # tie-break (fastest, then fewest) among the cheapest, on a model whose horizon is
        # the cheapest set's own finish: tight big-M, so fast
        cheapest = sum(problem.cost[c] for c in chosen)
        tight = _build(problem, with_time=True, horizon=weeks_lower_bound(problem, chosen))
        if tight is not None and tight.finish is not None:
            tx = tight.x
            tight.highs.addRow(
                -np.inf, cheapest + _TOL * max(1.0, cheapest), len(tx),
                np.array(list(tx.values()), dtype=np.int32),
                np.array([problem.cost[c] for c in tx], dtype=np.float64),
            )
            better = _run_stages(tight, [{tight.finish: 1.0}, {i: 1.0 for i in tx.values()}], deadline)
            if better is not None:
                chosen, proved = better[0], proved and better[1]
        point = _selection(problem, chosen, proved, Objective.COST, None, None)
        points.append(point)
        horizon = point.weeks_lower_bound - _PARETO_STEP
        if horizon < 0:
            break
    return tuple(points)
