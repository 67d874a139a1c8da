"""The domain's rules, in one place: effort and duration, validity, award rules.

Every part of the planner that needs one of these rules calls this module: the pruning
(:mod:`planner.engine.problem`), the selection MILP (:mod:`planner.engine.selection`), the scheduler
(:mod:`planner.engine.schedule`), explanations, diagnosis and the analyses. None keeps a private
copy. The rules themselves are written down in ``docs/semantics.md``; this module is their
one implementation, and ``tests/oracle/`` an independent second one that checks it.

Contents
--------
* :func:`effort` — weeks, weekly load and hours of a credential when some of hours, ECTS,
  duration and weekly hours are missing, with what is *unknown*.
* :func:`credential_cost` → :class:`CostChoice` — the one price a learner pays for a
  credential with prices per audience (theirs when given, else the lowest; never a sum).
* :func:`holding_is_valid`, :func:`valid_holdings`, :func:`known_levels` — which held
  credit counts on the plan's day zero and which competency levels it gives.
* :func:`peak_weekly_load` — the heaviest week of a schedule (credentials in parallel).
* :func:`intake_weeks` — the weeks a credential with yearly intakes may start in;
  :func:`intake_in_week` — the intake date itself, inside the week it was scheduled in.
* :func:`agreements_in_force`, :func:`agreement_pools` — recognition agreements and the
  credit pools they feed.
* :func:`resolve_award` → :class:`AwardTree`; :func:`rpl_needed`, :func:`rules_met`,
  :func:`met_at` — whether (and from which week) an award's rule tree is met, with the
  RPL cap over the whole award.
* :func:`encode_award` — the same rule tree as rows of an integer program, for the
  selection and scheduling MILPs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from planner.catalogue.models import (
    Catalogue,
    Credential,
    LearnerProfile,
    RecognitionAgreement,
    RequirementGroup,
    Rule,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
)

__all__ = [
    "DAYS_PER_YEAR",
    "DEFAULT_HOURS_PER_ECTS",
    "DEFAULT_HOURS_PER_WEEK",
    "HEAVY_WEEKLY_HOURS",
    "INTAKE_HORIZON_WEEKS",
    "AwardTree",
    "CostChoice",
    "Effort",
    "RuleNode",
    "agreement_pools",
    "agreements_in_force",
    "credential_cost",
    "effort",
    "encode_award",
    "group_met_at_start",
    "holding_is_valid",
    "intake_in_week",
    "intake_weeks",
    "known_levels",
    "met_at",
    "peak_weekly_load",
    "resolve_award",
    "rpl_needed",
    "rule_nodes",
    "rules_met",
    "tree_items",
    "valid_holdings",
]

#: Notional hours per ECTS credit when a credential gives ECTS but no hours (ECTS users' guide: 25–30).
DEFAULT_HOURS_PER_ECTS = 25.0
#: Weekly study hours assumed when a credential gives hours but neither duration nor pace.
DEFAULT_HOURS_PER_WEEK = 10.0
#: Length of a year of credit validity, in days.
DAYS_PER_YEAR = 365.25
#: How far ahead intake calendars are unrolled (weeks).
INTAKE_HORIZON_WEEKS = 520

_EPS = 1e-9
_INF = math.inf


# --------------------------------------------------------------------------- effort


@dataclass(frozen=True)
class Effort:
    """How long a credential takes and how heavy it is, and what of that is known.

    Attributes
    ----------
    weeks : int
        Duration in weeks (0 when unknown: a lower bound).
    rate : float
        Study hours per week while it runs (0 when unknown: a lower bound).
    hours : float
        Total study hours (0 when unknown: a lower bound).
    weeks_known, rate_known, hours_known : bool
        Whether each figure comes from the catalogue (directly or by the documented rule)
        rather than standing in for a missing one.
    """

    weeks: int
    rate: float
    hours: float
    weeks_known: bool = True
    rate_known: bool = True
    hours_known: bool = True

    @property
    def known(self) -> bool:
        """True when duration, weekly load and hours are all known."""
        return self.weeks_known and self.rate_known and self.hours_known


_AWARD_EFFORT = Effort(0, 0.0, 0.0)


def effort(credential: Credential) -> Effort:
    """Duration, weekly load and total hours of a credential (``docs/semantics.md``).

    Hours: ``hours``, else ``ects × 25``, else ``duration_weeks × hours_per_week``.
    Weeks: ``duration_weeks``, else ``ceil(hours / hours_per_week)`` (pace 10 h when not
    given; at least 1 week for positive hours). Weekly load: ``hours_per_week``, else
    ``hours / weeks``. A credential carrying award rules takes no time of its own.

    Parameters
    ----------
    credential : Credential
        The credential.

    Returns
    -------
    Effort
        Unknown figures are 0 with their ``*_known`` flag False.
    """
    if credential.award is not None:
        return _AWARD_EFFORT
    given_h, ects = credential.hours, credential.ects
    given_d, given_w = credential.duration_weeks, credential.hours_per_week
    hours: float | None
    if given_h is not None:
        hours = float(given_h)
    elif ects is not None:
        hours = float(ects) * DEFAULT_HOURS_PER_ECTS
    elif given_d is not None and given_w is not None:
        hours = float(given_d) * float(given_w)
    else:
        hours = None
    weeks: int | None
    if given_d is not None:
        weeks = int(given_d)
    elif hours is not None:
        if hours <= 0:
            weeks = 0
        else:
            pace = float(given_w) if given_w else DEFAULT_HOURS_PER_WEEK
            weeks = max(1, math.ceil(hours / pace - _EPS))
    else:
        weeks = None
    rate: float | None
    if weeks == 0:
        rate = 0.0  # takes no weeks, so no weekly load
    elif given_w is not None:
        rate = float(given_w)
    elif hours is not None and weeks is not None:
        rate = hours / weeks
    else:
        rate = None
    return Effort(
        weeks=weeks if weeks is not None else 0,
        rate=rate if rate is not None else 0.0,
        hours=hours if hours is not None else 0.0,
        weeks_known=weeks is not None,
        rate_known=rate is not None,
        hours_known=hours is not None,
    )


# --------------------------------------------------------------------------- cost

CostBasis = Literal["unpriced", "single", "audience", "lowest", "lowest-other"]


@dataclass(frozen=True)
class CostChoice:
    """The one price a learner pays for a credential, and why that one.

    Attributes
    ----------
    base : float
        In the catalogue's base currency; 0 when unpriced, ``inf`` when ``missing_rate``.
    amount, currency : float, str
        The chosen price as published.
    audience : str or None
        The audience of the chosen price (None: for anyone, or not stated).
    basis : {"unpriced", "single", "audience", "lowest", "lowest-other"}
        No price; the credential's one price; the price for the learner's audience; the
        lowest of its prices (no audience given); the lowest because none of its prices is
        for the learner's audiences.
    options : int
        How many prices the credential publishes.
    missing_rate : str or None
        A currency of a price that had to be compared but has no rate: the credential
        cannot be priced (it is excluded, as costs are never summed or compared across
        currencies without a rate).
    """

    base: float
    amount: float
    currency: str
    audience: str | None = None
    basis: CostBasis = "unpriced"
    options: int = 0
    missing_rate: str | None = None

    @property
    def note(self) -> str:
        """Which price was used, in words ("" when there was no choice to make)."""
        whom = self.audience or "no stated audience"
        if self.basis == "audience":
            return f"price for {whom}"
        if self.basis == "lowest":
            return f"lowest of {self.options} prices ({whom}); give your audience for your own price"
        if self.basis == "lowest-other":
            return f"none of its {self.options} prices is for your audience; lowest used ({whom})"
        return ""


def credential_cost(catalogue: Catalogue, credential: Credential,
                    audiences: Collection[str] = ()) -> CostChoice:
    """The price a learner in ``audiences`` pays for ``credential`` (``docs/semantics.md``).

    One price (``cost``): that price. Prices per audience (``costs``, alternatives): the
    lowest of those for the learner's audiences or for anyone; when the learner gives no
    audience, or none of the prices fits, the lowest of all. Never a sum. Prices convert
    to the base currency with the catalogue's rate table; ties keep the first published.

    Parameters
    ----------
    catalogue : Catalogue
        For the base currency and rate table.
    credential : Credential
        The credential.
    audiences : collection of str, optional
        The learner's audiences (``Constraints.audiences``).

    Returns
    -------
    CostChoice
        The price, its basis and, when a compared price has no rate, that currency.
    """
    base_currency = catalogue.meta.base_currency
    if credential.cost is not None:
        options = [(None, credential.cost)]
    else:
        options = [(o.audience, o.price) for o in credential.costs]
    if not options:
        return CostChoice(0.0, 0.0, base_currency)
    if credential.cost is not None:
        basis: CostBasis = "single"
        candidates = options
    else:
        wanted = set(audiences)
        fitting = [o for o in options if o[0] is None or o[0] in wanted] if wanted else []
        if fitting:
            basis = "audience" if any(a in wanted for a, _ in fitting) else "lowest"
            candidates = fitting
        else:
            basis = "lowest-other" if wanted else "lowest"
            candidates = options
        if len(options) == 1 and basis == "lowest":
            basis = "single"
    best: tuple[float, str | None, float, str] | None = None
    for audience, money in candidates:
        try:
            value = catalogue.to_base(money)
        except KeyError:
            return CostChoice(math.inf, money.amount, money.currency, audience, basis, len(options),
                              missing_rate=money.currency)
        if best is None or value < best[0] - _EPS:
            best = (value, audience, money.amount, money.currency)
    assert best is not None
    value, audience, amount, currency = best
    if basis == "audience" and audience is None:
        basis = "lowest"  # a price for anyone beat the learner's own
    return CostChoice(value, amount, currency, audience, basis, len(options))


# --------------------------------------------------------------------------- validity


def holding_is_valid(earned: dt.date, validity_years: float | None, today: dt.date) -> bool:
    """Whether credit earned on ``earned`` is still valid on ``today``.

    Parameters
    ----------
    earned : datetime.date
        When the credential was earned.
    validity_years : float or None
        How long the credit stays valid; ``None`` means forever.
    today : datetime.date
        The plan's day zero.

    Returns
    -------
    bool
        True when ``earned + validity_years × 365.25 days > today`` (or no limit).
    """
    if validity_years is None:
        return True
    try:
        return earned + dt.timedelta(days=validity_years * DAYS_PER_YEAR) > today
    except OverflowError:  # valid past the calendar's end
        return True


def latest_earned(profile: LearnerProfile) -> dict[str, dt.date]:
    """Latest earning date per held credential (a re-take refreshes the credit)."""
    earned: dict[str, dt.date] = {}
    for h in profile.holdings:
        if h.credential not in earned or h.earned > earned[h.credential]:
            earned[h.credential] = h.earned
    return earned


def valid_holdings(catalogue: Catalogue, profile: LearnerProfile, today: dt.date) -> dict[str, dt.date]:
    """Held credentials whose credit is valid on ``today``, with their (latest) earning date.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue (a holding it does not know is ignored).
    profile : LearnerProfile
        The learner.
    today : datetime.date
        The plan's day zero.

    Returns
    -------
    dict
        Credential id → date earned.
    """
    out: dict[str, dt.date] = {}
    for cid, day in latest_earned(profile).items():
        if catalogue.has("credential", cid) and holding_is_valid(
                day, catalogue.credential(cid).credit_validity_years, today):
            out[cid] = day
    return out


def counted_for_award(award: Credential, held: Mapping[str, dt.date], today: dt.date) -> set[str]:
    """Valid holdings whose credit counts towards ``award`` (its validity window applies)."""
    window = award.award.credit_validity_years if award.award is not None else None
    return {c for c, day in held.items() if holding_is_valid(day, window, today)}


def known_levels(catalogue: Catalogue, profile: LearnerProfile, held: Iterable[str]) -> dict[str, int]:
    """Competency → highest level known from declarations and valid holdings (levels are not additive)."""
    known: dict[str, int] = {}
    for cl in profile.competencies:
        known[cl.competency] = max(known.get(cl.competency, 0), cl.level)
    for cid in held:
        if catalogue.has("credential", cid):
            for t in catalogue.credential(cid).teaches:
                known[t.competency] = max(known.get(t.competency, 0), t.level)
    return known


def group_met_at_start(group: RequirementGroup, held: Container[str], known: Mapping[str, int]) -> bool:
    """Whether a prerequisite group is met from week 0: by a valid holding it names, or a known level.

    Parameters
    ----------
    group : RequirementGroup
        An OR of alternatives (a credential, or a competency at a level).
    held : container of str
        Valid holdings (:func:`valid_holdings`).
    known : mapping of str to int
        Known competency levels (:func:`known_levels`).

    Returns
    -------
    bool
        True when one alternative is met before the plan starts.
    """
    for alt in group.any_of:
        if alt.credential is not None:
            if alt.credential in held:
                return True
        elif known.get(alt.competency or "", 0) >= (alt.level or 0):
            return True
    return False


# --------------------------------------------------------------------------- intakes


def _intake_date(year: int, mmdd: str) -> dt.date:
    """The intake ``MM-DD`` in ``year``; a date that does not exist falls on the month's last day."""
    month, day = int(mmdd[:2]), int(mmdd[3:])
    try:
        return dt.date(year, month, day)
    except ValueError:
        return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)) if month < 12 else dt.date(year, 12, 31)


def intake_weeks(intakes: Sequence[str], start: dt.date, horizon: int = INTAKE_HORIZON_WEEKS) -> list[int]:
    """Weeks (from ``start``) containing the yearly intake dates ``MM-DD``, up to ``horizon``.

    A date that does not exist in a year (``02-29``, ``04-31``) falls on the month's last day.
    """
    weeks: set[int] = set()
    try:
        last_year = (start + dt.timedelta(weeks=horizon + 1)).year
    except OverflowError:
        last_year = dt.date.max.year
    for year in range(start.year, last_year + 1):
        for mmdd in intakes:
            when = _intake_date(year, mmdd)
            if when >= start:
                week = (when - start).days // 7
                if week <= horizon:
                    weeks.add(week)
    return sorted(weeks)


def intake_in_week(intakes: Sequence[str], week_start: dt.date) -> dt.date | None:
    """The first intake date in the week from ``week_start`` to ``week_start + 6`` (None: none there).

    The schedule counts in weeks (a credential with intakes starts in a week holding one,
    :func:`intake_weeks`); this is the day inside that week on which it really starts.
    """
    week_end = week_start + dt.timedelta(days=6)
    found = [when for year in {week_start.year, week_end.year} for mmdd in intakes
             if week_start <= (when := _intake_date(year, mmdd)) <= week_end]
    return min(found, default=None)


#: Weekly study hours above which a schedule is a heavy load (a full-time working week).
HEAVY_WEEKLY_HOURS = 40.0


class _Slot(Protocol):
    start_week: int
    end_week: int
    hours_per_week: float


def peak_weekly_load(schedule: Iterable[_Slot]) -> tuple[float, int, int]:
    """The heaviest week of a schedule: its study hours, its week number and how many run in it.

    Parameters
    ----------
    schedule : iterable of ScheduledStep
        Each with ``start_week``, ``end_week`` (exclusive) and ``hours_per_week``.

    Returns
    -------
    tuple of (float, int, int)
        Hours in the heaviest week (the first such week), that week (from the plan's
        week 0), and the number of credentials running in it; ``(0.0, 0, 0)`` when empty.
    """
    changes: dict[int, list[float]] = {}  # week -> [change of hours, change of credentials running]
    for slot in schedule:
        s, e, rate = slot.start_week, slot.end_week, float(slot.hours_per_week)
        if e > s and rate > 0:
            changes.setdefault(s, [0.0, 0])[0] += rate
            changes[s][1] += 1
            changes.setdefault(e, [0.0, 0])[0] -= rate
            changes[e][1] -= 1
    best, best_week, best_count = 0.0, 0, 0
    hours, count = 0.0, 0
    for week in sorted(changes):
        hours += changes[week][0]
        count += int(changes[week][1])
        if hours > best + 1e-9:
            best, best_week, best_count = hours, week, count
    return round(best, 6), best_week, best_count


def start_weeks(credential: Credential, today: dt.date) -> tuple[int, ...] | None:
    """Weeks from ``today`` in which ``credential`` can start; None when it starts any week."""
    if credential.award is not None or credential.runs is None or not credential.runs.intakes:
        return None
    return tuple(intake_weeks(credential.runs.intakes, today))


# --------------------------------------------------------------------------- agreements


def agreements_in_force(catalogue: Catalogue, award_id: str, day: dt.date) -> list[RecognitionAgreement]:
    """Recognition agreements towards ``award_id`` in force on ``day`` (bounds inclusive)."""
    return [a for a in catalogue.recognitions if a.award == award_id and a.is_valid_on(day)]


def rule_nodes(rule: Rule) -> list[Rule]:
    """Every node of a rule tree, depth-first in document order (iterative)."""
    out: list[Rule] = []
    stack: list[Rule] = [rule]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, RuleAllOf):
            stack.extend(reversed(node.all_of))
        elif isinstance(node, RuleNOf):
            stack.extend(reversed(node.of))
    return out


def agreement_pools(rule: Rule, agreement: RecognitionAgreement) -> list[RuleCredits]:
    """The credit pools of an award's rule tree that an agreement's credits count in.

    The pool named by ``pool``; else, with ``equivalent_to: c``, every pool listing ``c``;
    else the award's first pool (depth-first, in document order) and no other.
    """
    pools = [n for n in rule_nodes(rule) if isinstance(n, RuleCredits)]
    if agreement.pool is not None:
        return [p for p in pools if p.id == agreement.pool][:1]
    if agreement.equivalent_to is not None:
        return [p for p in pools if agreement.equivalent_to in p.from_]
    return pools[:1]


# --------------------------------------------------------------------------- award trees


@dataclass(frozen=True)
class RuleNode:
    """One node of an award's rule tree, flattened (children are indexes into the tree).

    ``kind`` is ``all_of``, ``n_of``, ``credential`` or ``credits``. A credential leaf
    is ``met`` already (by a holding counted for the award) or satisfied by any of
    ``options`` (the component, or a credential recognised as its equivalent). A credit
    pool needs ``credits`` ECTS: ``earned`` maps route credentials to their own ECTS (new
    learning); ``recognised`` maps them to credit agreed by recognition agreements, and
    ``held_credit`` is credit already held (both prior learning, under the RPL cap).
    """

    kind: Literal["all_of", "n_of", "credential", "credits"]
    label: str
    children: tuple[int, ...] = ()
    n: int = 0
    component: str | None = None
    options: tuple[str, ...] = ()
    met: bool = False
    credits: float = 0.0
    earned: Mapping[str, float] = field(default_factory=dict)
    recognised: Mapping[str, float] = field(default_factory=dict)
    held_credit: float = 0.0
    pool_id: str | None = None


@dataclass(frozen=True)
class AwardTree:
    """The rule tree of one award, resolved against counted holdings and possible credentials.

    ``nodes[0]`` is the root; children always come after their parent. ``credit_values``
    maps credentials to the ECTS they add *towards* the award (own ECTS when named in the
    tree, plus agreed credit of agreements in force), ``held_credit`` the same for counted
    holdings: the *credit* objective's measure, each credential once.
    """

    award_id: str
    nodes: tuple[RuleNode, ...]
    rpl_cap: float | None
    credit_values: Mapping[str, float]
    held_credit: float


def _ects(catalogue: Catalogue, cid: str) -> float:
    return float(catalogue.credential(cid).ects or 0.0) if catalogue.has("credential", cid) else 0.0


def resolve_award(
    catalogue: Catalogue,
    award: Credential,
    *,
    counted: set[str] | frozenset[str],
    agreements: Sequence[RecognitionAgreement],
    candidates: Iterable[str],
) -> AwardTree:
    """Resolve an award's rule tree against what is held and what may be taken.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    award : Credential
        A credential with ``award`` rules.
    counted : set of str
        Holdings whose credit counts towards this award (:func:`counted_for_award`).
    agreements : sequence of RecognitionAgreement
        Agreements towards this award in force on the plan's day zero.
    candidates : iterable of str
        Credentials that may be in the route (never the award itself).

    Returns
    -------
    AwardTree
    """
    spec = award.award
    assert spec is not None
    award_id = award.id
    cands = set(candidates) - {award_id}
    equivalents: dict[str, list[str]] = {}
    pool_extra: dict[int, dict[str, float]] = {}
    pool_held: dict[int, float] = {}
    for agreement in agreements:
        rid = agreement.credential
        if agreement.equivalent_to is not None:
            equivalents.setdefault(agreement.equivalent_to, []).append(rid)
        for pool in agreement_pools(spec.rule, agreement):
            if rid in counted:
                pool_held[id(pool)] = pool_held.get(id(pool), 0.0) + agreement.credits
            elif rid in cands:
                extra = pool_extra.setdefault(id(pool), {})
                extra[rid] = extra.get(rid, 0.0) + agreement.credits

    # pre-order flattening, iteratively: (rule, parent index)
    nodes: list[RuleNode | None] = []
    children: dict[int, list[int]] = {}
    stack: list[tuple[Rule, int | None]] = [(spec.rule, None)]
    rules_at: list[Rule] = []
    while stack:
        rule, parent = stack.pop()
        at = len(nodes)
        nodes.append(None)
        rules_at.append(rule)
        if parent is not None:
            children.setdefault(parent, []).append(at)
        if isinstance(rule, RuleAllOf):
            stack.extend((child, at) for child in reversed(rule.all_of))
        elif isinstance(rule, RuleNOf):
            stack.extend((child, at) for child in reversed(rule.of))
    for at, rule in enumerate(rules_at):
        kids = tuple(children.get(at, ()))
        if isinstance(rule, RuleCredential):
            comp = rule.credential
            alts = [comp, *equivalents.get(comp, [])]
            met = any(a in counted for a in alts)
            options = () if met else tuple(sorted({a for a in alts if a in cands}))
            nodes[at] = RuleNode("credential", f"credential {comp}", component=comp, options=options, met=met)
        elif isinstance(rule, RuleCredits):
            earned: dict[str, float] = {}
            held_credit = pool_held.get(id(rule), 0.0)
            for c in dict.fromkeys(rule.from_):
                value = _ects(catalogue, c)
                if c in counted:
                    held_credit += value
                elif c in cands and value > 0:
                    earned[c] = value
            label = rule.label or (f"{rule.credits:g} ECTS from " + ", ".join(rule.from_))
            nodes[at] = RuleNode(
                "credits", label, credits=float(rule.credits), earned=dict(sorted(earned.items())),
                recognised=dict(sorted(pool_extra.get(id(rule), {}).items())),
                held_credit=held_credit, pool_id=rule.id,
            )
        elif isinstance(rule, RuleAllOf):
            nodes[at] = RuleNode("all_of", rule.label or "all of", children=kids, n=len(kids))
        else:
            assert isinstance(rule, RuleNOf)
            nodes[at] = RuleNode("n_of", rule.label or f"{rule.n_of} of", children=kids, n=rule.n_of)

    # credit towards the award: each named credential once, plus agreed recognition credit
    values: dict[str, float] = {}
    held_value = 0.0
    for c in dict.fromkeys(c for r in rules_at for c in _named(r)):
        value = _ects(catalogue, c)
        if c in counted:
            held_value += value
        elif c in cands:
            values[c] = values.get(c, 0.0) + value
    for agreement in agreements:
        if agreement.credential in counted:
            held_value += agreement.credits
        elif agreement.credential in cands:
            values[agreement.credential] = values.get(agreement.credential, 0.0) + agreement.credits
    return AwardTree(
        award_id=award_id,
        nodes=tuple(n for n in nodes if n is not None),
        rpl_cap=spec.rpl_cap,
        credit_values=dict(sorted((k, v) for k, v in values.items() if v > 0)),
        held_credit=held_value,
    )


def _named(rule: Rule) -> Iterable[str]:
    if isinstance(rule, RuleCredential):
        return (rule.credential,)
    if isinstance(rule, RuleCredits):
        return rule.from_
    return ()


def tree_items(tree: AwardTree) -> set[str]:
    """Credentials that can count in an award's rule tree (options, pool members, recognised)."""
    items: set[str] = set()
    for node in tree.nodes:
        items.update(node.options)
        items.update(node.earned)
        items.update(node.recognised)
    return items


def rpl_needed(tree: AwardTree, available: Iterable[str]) -> float:
    """Least prior-learning credit needed to meet the tree with ``available`` counted.

    Pool: what its new credit lacks (``inf`` if more than its prior credit available);
    credential leaf: 0 when met, else ``inf``; all-of: the sum; n-of: the ``n`` smallest.
    """
    have = set(available)
    need: list[float] = [0.0] * len(tree.nodes)
    for k in range(len(tree.nodes) - 1, -1, -1):  # children always come after their parent
        node = tree.nodes[k]
        if node.kind == "credential":
            need[k] = 0.0 if node.met or have.intersection(node.options) else _INF
        elif node.kind == "credits":
            new = sum(v for c, v in node.earned.items() if c in have)
            prior = node.held_credit + sum(v for c, v in node.recognised.items() if c in have)
            lack = max(0.0, node.credits - new)
            need[k] = lack if lack <= prior + _EPS else _INF
        elif node.kind == "all_of":
            need[k] = sum(need[ch] for ch in node.children)
        else:
            parts = sorted(need[ch] for ch in node.children)
            need[k] = sum(parts[: node.n]) if node.n <= len(parts) else _INF
    return need[0] if tree.nodes else 0.0


def rules_met(tree: AwardTree, available: Iterable[str]) -> bool:
    """Whether the award's rules are met by its counted holdings plus ``available``, within the RPL cap."""
    need = rpl_needed(tree, available)
    return need < _INF and (tree.rpl_cap is None or need <= tree.rpl_cap + _EPS)


def met_at(tree: AwardTree, finish: Mapping[str, float]) -> float:
    """First week at which the rules are met, given route credentials' finish weeks (inf: never).

    Meeting the rules is monotone in what has finished, so the first finishing event
    after which :func:`rules_met` holds is the answer.
    """
    items = tree_items(tree)
    events = sorted({0.0, *(finish[c] for c in items if c in finish and finish[c] < _INF)})
    for t in events:
        if rules_met(tree, (c for c in items if finish.get(c, _INF) <= t)):
            return t
    return _INF


def mandatory(tree: AwardTree) -> set[str]:
    """Credentials every way of meeting the rules needs (single-option leaves under all-of nodes)."""
    out: set[str] = set()
    stack = [0] if tree.nodes else []
    while stack:
        node = tree.nodes[stack.pop()]
        if node.kind == "credential":
            if not node.met and len(node.options) == 1:
                out.add(node.options[0])
        elif node.kind == "all_of":
            stack.extend(node.children)
    return out


# --------------------------------------------------------------------------- as integer rows

#: ``var(lb, ub, integer)`` → column index.
VarFn = Callable[[float, float, bool], int]
#: ``row(terms, lo, hi)`` adds ``lo ≤ Σ coef·col ≤ hi``.
RowFn = Callable[[Sequence[tuple[int, float]], float, float], None]


def encode_award(
    tree: AwardTree, var: VarFn, row: RowFn, item: Callable[[str], Sequence[tuple[int, float]]],
) -> int | None:
    """Write the rule tree as linear rows; return the column ``s`` with ``s = 1 ⇒ rules met``.

    One binary per node (all-of: ``s_child ≥ s``; n-of: ``Σ s_child ≥ n s``; credential
    leaf: ``s ≤ Σ item(option)``; pool: ``Σ ects·item(c) + r ≥ k s`` with prior credit
    ``0 ≤ r ≤ held + Σ agreed·item(c)``) and the RPL cap over the whole award
    ``Σ r ≤ cap``. ``item(c)`` is a linear expression equal to 1 when credential ``c``
    counts (chosen, or finished by the week considered) and 0 otherwise.

    Returns
    -------
    int or None
        The root's column; None when the tree can never be met (a leaf with no way).
    """
    if not tree.nodes:
        return None
    s = [var(0.0, 1.0, True) for _ in tree.nodes]
    prior_terms: list[tuple[int, float]] = []
    for k, node in enumerate(tree.nodes):
        if node.kind == "all_of":
            for child in node.children:
                row(((s[child], 1.0), (s[k], -1.0)), 0.0, _INF)
        elif node.kind == "n_of":
            row([(s[k], -float(node.n)), *((s[ch], 1.0) for ch in node.children)], 0.0, _INF)
        elif node.kind == "credential":
            if not node.met:
                terms = [(s[k], -1.0)]
                for o in node.options:
                    terms.extend(item(o))
                row(terms, 0.0, _INF)
        else:
            terms = [(s[k], -node.credits)]
            for c, v in node.earned.items():
                terms.extend((j, v * a) for j, a in item(c))
            if node.held_credit > 0 or node.recognised:
                r = var(0.0, _INF, False)
                terms.append((r, 1.0))
                prior_terms.append((r, 1.0))
                avail = [(r, -1.0)]
                for c, v in node.recognised.items():
                    avail.extend((j, v * a) for j, a in item(c))
                row(avail, -node.held_credit, _INF)
            row(terms, 0.0, _INF)
    if tree.rpl_cap is not None and prior_terms:
        row(prior_terms, -_INF, tree.rpl_cap)
    return s[0]
