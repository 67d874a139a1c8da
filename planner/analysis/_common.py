"""Shared machinery of the analyses: what can be obtained at all, and award rule checks.

"Obtainable" means earnable by someone starting from nothing: every prerequisite group
has an alternative that is itself obtainable (a credential, or a competency taught at the
level by an obtainable credential), and, for awards, the award rules can be met with
obtainable credentials and recognition agreements in force. It is computed once by a
work-list fixpoint, linear in the size of the catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from planner.catalogue.graph import walk_rules
from planner.catalogue.models import (
    Catalogue,
    Credential,
    RecognitionAgreement,
    Rule,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
)

#: Full-time study pace used to turn a credit validity window into a credit ceiling.
ECTS_PER_YEAR = 60.0


def agreements_by_award(catalogue: Catalogue, as_of: dt.date) -> dict[str, list[RecognitionAgreement]]:
    """Recognition agreements in force on ``as_of``, by award id (sorted by agreement id)."""
    found: dict[str, list[RecognitionAgreement]] = defaultdict(list)
    for agreement in sorted(catalogue.recognitions, key=lambda a: a.id):
        if agreement.is_valid_on(as_of):
            found[agreement.award].append(agreement)
    return dict(found)


def pool_key(path: str, rule: RuleCredits) -> str:
    """Return the name agreements use for a credit pool: its ``id`` or its path."""
    return rule.id or path


def first_pool_key(rule: Rule) -> str | None:
    """Pool key of the first credit pool of a rule tree (where unnamed recognitions go)."""
    for path, node in walk_rules(rule):
        if isinstance(node, RuleCredits):
            return pool_key(path, node)
    return None


def award_components(award: Credential) -> list[str]:
    """Return every credential an award's rules name (components and credit pools), sorted."""
    found: set[str] = set()
    if award.award is not None:
        for _, node in walk_rules(award.award.rule):
            if isinstance(node, RuleCredential):
                found.add(node.credential)
            elif isinstance(node, RuleCredits):
                found.update(node.from_)
    return sorted(found)


def describe_rule(rule: Rule, catalogue: Catalogue | None = None) -> str:
    """One plain-language line for a rule node (without its children)."""
    def title(cid: str) -> str:
        if catalogue is not None and catalogue.has("credential", cid):
            return f"{catalogue.credential(cid).title} ({cid})"
        return cid

    if isinstance(rule, RuleAllOf):
        text = f"all of {len(rule.all_of)} requirements"
    elif isinstance(rule, RuleNOf):
        text = f"any {rule.n_of} of {len(rule.of)} requirements"
    elif isinstance(rule, RuleCredits):
        text = f"at least {rule.credits:g} ECTS from {len(rule.from_)} listed credentials"
    else:
        text = f"core component: {title(rule.credential)}"
    label = getattr(rule, "label", None)
    return f"{label}: {text}" if label else text


@dataclass(frozen=True)
class NodeCheck:
    """Whether one rule node can be met, and with what."""

    met: bool
    needed: float  # credits for a pool, number of children for n-of / all-of, 1 for a leaf
    reachable: float  # credits reachable for a pool, children met otherwise
    via: tuple[str, ...] = ()  # obtainable credentials that serve it
    via_recognition: tuple[str, ...] = ()  # agreement ids that serve it
    blocked: tuple[str, ...] = ()  # listed credentials that cannot be obtained


def check_award(
    award: Credential,
    obtainable: set[str] | frozenset[str],
    agreements: list[RecognitionAgreement],
    ects: dict[str, float],
) -> dict[str, NodeCheck]:
    """Check every node of an award's rule tree against the obtainable credentials.

    Recognised credit in a pool is capped by the award's RPL cap (applied per pool, which
    is an upper bound on what the whole award accepts).
    """
    assert award.award is not None
    spec = award.award
    first = first_pool_key(spec.rule)
    usable = [a for a in agreements if a.credential in obtainable]
    by_equivalent: dict[str, list[RecognitionAgreement]] = defaultdict(list)
    by_pool: dict[str, list[RecognitionAgreement]] = defaultdict(list)
    for a in usable:
        if a.equivalent_to is not None:
            by_equivalent[a.equivalent_to].append(a)
        else:
            by_pool[a.pool or first or ""].append(a)
    results: dict[str, NodeCheck] = {}

    def visit(path: str, rule: Rule) -> NodeCheck:
        if isinstance(rule, RuleCredential):
            own = rule.credential in obtainable
            recog = by_equivalent.get(rule.credential, [])
            check = NodeCheck(
                met=own or bool(recog), needed=1, reachable=1 if own or recog else 0,
                via=(rule.credential,) if own else tuple(sorted({a.credential for a in recog})),
                via_recognition=tuple(a.id for a in recog),
                blocked=() if own else (rule.credential,),
            )
        elif isinstance(rule, RuleCredits):
            key = pool_key(path, rule)
            members = sorted(set(rule.from_))
            own_ids = [m for m in members if m in obtainable]
            own_credit = sum(ects.get(m, 0.0) for m in own_ids)
            recog = [a for a in by_pool.get(key, []) if a.credential not in own_ids]
            recog_credit = sum(a.credits for a in recog)
            if spec.rpl_cap is not None:
                recog_credit = min(recog_credit, spec.rpl_cap)
            reachable = own_credit + recog_credit
            check = NodeCheck(
                met=reachable + 1e-9 >= rule.credits, needed=rule.credits, reachable=reachable,
                via=tuple(sorted(set(own_ids) | {a.credential for a in recog})),
                via_recognition=tuple(a.id for a in recog),
                blocked=tuple(m for m in members if m not in obtainable),
            )
        else:
            children = rule.all_of if isinstance(rule, RuleAllOf) else rule.of
            checks = [visit(f"{path}.{i}", child) for i, child in enumerate(children)]
            met_count = sum(c.met for c in checks)
            needed = len(children) if isinstance(rule, RuleAllOf) else rule.n_of
            check = NodeCheck(
                met=met_count >= needed, needed=needed, reachable=met_count,
                via=tuple(sorted({v for c in checks if c.met for v in c.via})),
                via_recognition=tuple(sorted({v for c in checks if c.met for v in c.via_recognition})),
                blocked=tuple(sorted({b for c in checks for b in c.blocked})),
            )
        results[path] = check
        return check

    visit("0", spec.rule)
    return dict(sorted(results.items()))


@dataclass(frozen=True)
class Obtainability:
    """Result of the obtainability fixpoint."""

    obtainable: frozenset[str]
    levels: dict[str, int]  # competency -> highest level an obtainable credential teaches
    unmet_groups: dict[str, tuple[int, ...]] = field(default_factory=dict)  # credential -> group indices
    award_rules_unmet: frozenset[str] = frozenset()  # awards whose prerequisites are met but rules not


def obtainability(catalogue: Catalogue, as_of: dt.date) -> Obtainability:
    """Compute which credentials can be earned from nothing (see the module docstring)."""
    creds = {c.id: c for c in catalogue.credentials}
    ects = {c.id: c.ects or 0.0 for c in catalogue.credentials}
    agreements = agreements_by_award(catalogue, as_of)
    pending: dict[str, set[int]] = {}
    waiting_cred: dict[str, list[tuple[str, int]]] = defaultdict(list)
    waiting_comp: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    queue: list[str] = []
    ready_awards: set[str] = set()
    for cred in catalogue.credentials:
        pending[cred.id] = set(range(len(cred.requires)))
        for g, group in enumerate(cred.requires):
            if any(alt.competency is not None and (alt.level or 0) <= 0 for alt in group.any_of):
                pending[cred.id].discard(g)  # a level-0 competency is met by everyone
                continue
            for alt in group.any_of:
                if alt.credential is not None:
                    waiting_cred[alt.credential].append((cred.id, g))
                else:
                    waiting_comp[alt.competency or ""].append((alt.level or 0, cred.id, g))
        if not pending[cred.id]:
            (ready_awards.add if cred.is_award else queue.append)(cred.id)
    for entries in waiting_comp.values():
        entries.sort()
    obtained: set[str] = set()
    levels: dict[str, int] = {}

    def satisfy(cid: str, group: int) -> None:
        groups = pending[cid]
        if group in groups:
            groups.discard(group)
            if not groups:
                (ready_awards.add if creds[cid].is_award else queue.append)(cid)

    while True:
        while queue:
            cid = queue.pop()
            if cid in obtained:
                continue
            obtained.add(cid)
            for dependent, g in waiting_cred.get(cid, ()):
                satisfy(dependent, g)
            for taught in creds[cid].teaches:
                old = levels.get(taught.competency, 0)
                if taught.level > old:
                    levels[taught.competency] = taught.level
                    for need, dependent, g in waiting_comp.get(taught.competency, ()):
                        if need > taught.level:
                            break
                        if need > old:
                            satisfy(dependent, g)
        new = sorted(a for a in ready_awards - obtained
                     if check_award(creds[a], obtained, agreements.get(a, []), ects)["0"].met)
        if not new:
            break
        queue.extend(new)
    unmet = {cid: tuple(sorted(groups)) for cid, groups in sorted(pending.items())
             if groups and cid not in obtained}
    return Obtainability(
        obtainable=frozenset(obtained),
        levels=dict(sorted(levels.items())),
        unmet_groups=unmet,
        award_rules_unmet=frozenset(ready_awards - obtained),
    )


def resolve_as_of(as_of: dt.date | None) -> dt.date:
    """Return the analysis date: the given one, or today."""
    return as_of or dt.date.today()
