"""One question asked of many catalogue variants, each with one recognition agreement added.

A recognition what-if asks: *how much does the cheapest route to this target cost if the
catalogue had this one extra agreement?*, for many agreements. Asked one by one, each
variant copies the catalogue, re-indexes it, prunes the question again and solves a MILP
from scratch. :func:`agreement_costs` answers them together, with the same results:

1. **The baseline** is :func:`planner.engine.routing.recommend` on the catalogue as it is
   (cost objective, one route): the cost every variant is compared with.
2. **Agreements that cannot matter.** An agreement only changes the rule tree of its
   award. When that award is neither the target nor a candidate of the baseline problem,
   the pruning walk never reaches it, so the variant's problem is the baseline problem
   and its answer is the baseline's: no search at all.
3. **The others share one model.** The problem is built once with all of them added
   (:func:`planner.engine.problem.build_problem` with ``extra_agreements``, no catalogue
   copy), each agreement behind its own switch, at most one switch on
   (:func:`planner.engine.selection.cheapest_per_switch`). An agreement can only add ways
   to meet a rule, so every variant costs at most the baseline. The model is asked about
   one award's agreements at a time (the other switches held off): one solve finds the
   agreement whose cheapest route is cheapest below the baseline cost, its switch is
   turned off, and the solve is repeated until nothing is below the baseline. An award
   whose ``k`` agreements lower the cost takes ``k + 1`` solves; the rest are proved to
   leave it as it is. Each solve also requires that a switch be used: a route using none
   is a route of the catalogue as it is, which costs at least the baseline, so this
   drops no route below it. That holds only when the baseline is *proved* cheapest, so a
   baseline search stopped by its time limit sends every agreement to step 4. (One award
   at a time, not all switches at once: a model free to choose among a hundred switches
   has a weak relaxation, and each of its solves took HiGHS about ten times longer.)
   HiGHS solves this model without presolve, which proved some of them infeasible wrongly.
4. **Anything not settled so** (a solve stopped by its time limit, a baseline not proved
   cheapest, an agreement naming a credential that already counts towards its award) is
   asked the plain way: a copy of the catalogue with that agreement, and ``recommend``.

A cost is reported as ``recommend`` reports it (rounded to cents). A variant whose
cheapest route differs from the baseline cost by less than the solver's tolerance
(``1e-6`` relative) counts as unchanged, as ``recommend``'s own tie-breaking would treat
it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from planner.catalogue.models import (
    Catalogue,
    LearnerProfile,
    Objective,
    RecognitionAgreement,
    Target,
    rule_credentials,
)
from planner.engine.problem import build_problem
from planner.engine.results import Recommendation
from planner.engine.routing import DEFAULT_TIME_LIMIT, recommend
from planner.engine.rules import tree_items
from planner.engine.selection import cheapest_per_switch

__all__ = ["agreement_costs", "cheapest_cost", "with_agreement"]

Cost = float | None


def with_agreement(catalogue: Catalogue, agreement: RecognitionAgreement) -> Catalogue:
    """A copy of ``catalogue`` with one more recognition agreement (listed last)."""
    fields = {name: getattr(catalogue, name) for name in type(catalogue).model_fields}
    fields["recognitions"] = [*catalogue.recognitions, agreement]
    # model_construct skips re-validating the whole catalogue; the agreement itself is valid
    return type(catalogue).model_construct(**fields)


def _cheapest(catalogue: Catalogue, profile: LearnerProfile, target: Target, today: dt.date,
              time_limit: float) -> Recommendation:
    return recommend(catalogue, profile, target, objective=Objective.COST, alternatives=1, today=today,
                     time_limit=time_limit, diagnose_infeasible=False)


def cheapest_cost(catalogue: Catalogue, profile: LearnerProfile, target: Target, *, today: dt.date,
                  time_limit: float = DEFAULT_TIME_LIMIT) -> Cost:
    """The cost of the cheapest route ``recommend`` finds (None: no route)."""
    rec = _cheapest(catalogue, profile, target, today, time_limit)
    return rec.best.total_cost if rec.best else None


def _switchable(catalogue: Catalogue, agreements: Sequence[RecognitionAgreement]) -> list[bool]:
    """Whether each agreement's credential counts towards its award only through it."""
    pairs = [(a.award, a.credential) for a in agreements]
    out = []
    for award_id, cid in pairs:
        spec = catalogue.credential(award_id).award if catalogue.has("credential", award_id) else None
        out.append(spec is not None and pairs.count((award_id, cid)) == 1
                   and cid not in rule_credentials(spec.rule)
                   and not any(a.award == award_id and a.credential == cid for a in catalogue.recognitions))
    return out


def agreement_costs(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    agreements: Sequence[RecognitionAgreement],
    *,
    today: dt.date,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> tuple[Cost, tuple[Cost, ...]]:
    """The cheapest route cost to ``target``, and the same with each agreement added alone.

    Identical to calling :func:`cheapest_cost` on the catalogue and on
    ``with_agreement(catalogue, a)`` for each ``a`` (see the module docstring for how
    the work is shared).

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue as it is.
    profile : LearnerProfile
        The learner (the what-if uses an empty profile).
    target : Target
        The question.
    agreements : sequence of RecognitionAgreement
        The agreements, each tried on its own.
    today : datetime.date
        Plan start and the day agreements must be in force.
    time_limit : float
        Seconds for each search (as ``recommend``'s ``time_limit``) and each shared solve.

    Returns
    -------
    tuple
        ``(baseline cost, costs with each agreement in order)``; None where no route exists.

    Raises
    ------
    planner.engine.problem.ProblemError
        When the target is unknown (as ``recommend`` raises).
    """
    rec = _cheapest(catalogue, profile, target, today, time_limit)
    before = rec.best.total_cost if rec.best else None
    settled: dict[int, Cost] = {}
    if agreements:
        base = build_problem(catalogue, profile, target, today=today)
        exact: float | None = None
        # the shared model's bound must be proved (see cheapest_per_switch): else search one by one
        if rec.best is not None and rec.best.proved_optimal and all(c in base.cost for c in rec.best.credential_ids):
            exact = sum(base.cost[c] for c in sorted(rec.best.credential_ids))  # before rounding
        shared = []
        for i, (a, ok) in enumerate(zip(agreements, _switchable(catalogue, agreements), strict=True)):
            if a.award not in base.awards:
                settled[i] = before  # its award is not in the problem: the variant's problem is this one
            elif ok and (rec.best is None or exact is not None):
                shared.append(i)
        if shared:
            settled.update(_shared(catalogue, profile, target, [agreements[i] for i in shared], shared, before,
                                   exact, today=today, time_limit=time_limit))
    return before, tuple(
        settled[i] if i in settled else
        cheapest_cost(with_agreement(catalogue, a), profile, target, today=today, time_limit=time_limit)
        for i, a in enumerate(agreements))


def _shared(catalogue: Catalogue, profile: LearnerProfile, target: Target, agreements: list[RecognitionAgreement],
            index: list[int], before: Cost, exact: float | None, *, today: dt.date,
            time_limit: float) -> dict[int, Cost]:
    """Settle agreements with one switched model (step 3 of the module docstring); index → cost."""
    union = build_problem(catalogue, profile, target, today=today, extra_agreements=agreements)
    settled: dict[int, Cost] = {}
    switch_of: dict[int, tuple[str, str]] = {}
    for i, a in zip(index, agreements, strict=True):
        tree = union.awards.get(a.award)
        if tree is None or a.credential not in tree_items(tree):
            settled[i] = before  # its credential cannot be taken here: the agreement never counts
        else:
            switch_of[i] = (a.award, a.credential)
    if switch_of:
        # one solve stands for many searches: give it their time (each had ``time_limit``)
        result = cheapest_per_switch(union, sorted(switch_of.values()), below=exact,
                                     time_limit=time_limit * (len(switch_of) + 1))
        for i, pair in switch_of.items():
            if pair in result.found:
                settled[i] = round(result.found[pair][1], 2)
            elif result.proved:
                settled[i] = before
    return settled
