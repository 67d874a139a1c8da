"""Orphans, dead ends and near-duplicates in a catalogue.

* **Orphan**: a credential (not an award: an award is an end in itself) that counts
  towards no award (by rule, or by a recognition agreement in force) and teaches no
  competency at the level any role needs as essential. ``unlocks`` lists credentials it
  is a prerequisite for, so a reader can tell a pure orphan from a stepping stone.
* **Dead end**: its prerequisites can never be met by anyone starting from nothing (or,
  for an award, its rules cannot be met), see :mod:`planner.analysis._common`.
* **Near-duplicates**: two or more credentials teaching exactly the same competencies at
  the same levels.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from planner.analysis._common import (
    Obtainability,
    agreements_by_award,
    award_components,
    obtainability,
    resolve_as_of,
)
from planner.catalogue.graph import build_graph, unlocks
from planner.catalogue.models import Catalogue, Credential

__all__ = ["DeadEnd", "DuplicateGroup", "Orphan", "OrphansResult", "orphans_and_dead_ends"]


@dataclass(frozen=True)
class Orphan:
    """A credential that stacks into nothing and serves no essential role need."""

    credential_id: str
    title: str
    provider_id: str
    unlocks: tuple[str, ...]


@dataclass(frozen=True)
class DeadEnd:
    """A credential nobody can earn, and why."""

    credential_id: str
    title: str
    provider_id: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DuplicateGroup:
    """Credentials that teach exactly the same competencies at the same levels."""

    teaches: tuple[tuple[str, int], ...]
    credential_ids: tuple[str, ...]
    providers: tuple[str, ...]


@dataclass(frozen=True)
class OrphansResult:
    """Orphans, dead ends and near-duplicates, each sorted by credential id."""

    orphans: tuple[Orphan, ...]
    dead_ends: tuple[DeadEnd, ...]
    duplicates: tuple[DuplicateGroup, ...]


def orphans_and_dead_ends(
    catalogue: Catalogue,
    *,
    provider: str | None = None,
    as_of: dt.date | None = None,
    graph: nx.MultiDiGraph | None = None,
    obtain: Obtainability | None = None,
) -> OrphansResult:
    """Find orphans, dead ends and near-duplicate credentials.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    provider : str, optional
        Report only this provider's credentials (duplicates: groups that include one).
    as_of : datetime.date, optional
        Date for recognition agreement validity (default: today).
    graph, obtain : optional
        Precomputed graph and obtainability, to share work between analyses.

    Returns
    -------
    OrphansResult
        The three lists.

    """
    day = resolve_as_of(as_of)
    G = graph if graph is not None else build_graph(catalogue)
    obtain = obtain or obtainability(catalogue, day)
    in_scope = [c for c in sorted(catalogue.credentials, key=lambda c: c.id)
                if provider is None or c.provider == provider]
    return OrphansResult(tuple(_orphans(catalogue, in_scope, day, G)), tuple(_dead_ends(in_scope, obtain)),
                         tuple(_duplicates(catalogue, provider)))


def _orphans(catalogue: Catalogue, in_scope: list[Credential], day: dt.date,
             G: nx.MultiDiGraph) -> list[Orphan]:
    """Credentials of ``in_scope`` that count towards no award and teach no essential need."""
    essential_level: dict[str, int] = {}
    for role in catalogue.roles:
        for need in role.needs:
            if need.essential:
                essential_level[need.competency] = min(essential_level.get(need.competency, need.level),
                                                       need.level)
    # agreements out of force on the analysis date do not make a credential count
    counted = {c for a in catalogue.awards for c in award_components(a)}
    for agreements in agreements_by_award(catalogue, day).values():
        counted |= {a.credential for a in agreements}
    orphans = []
    for cred in in_scope:
        if cred.is_award or cred.id in counted:
            continue
        if any(t.competency in essential_level and t.level >= essential_level[t.competency]
               for t in cred.teaches):
            continue
        orphans.append(Orphan(cred.id, cred.title, cred.provider, unlocks(G, cred.id)))
    return orphans


def _dead_ends(in_scope: list[Credential], obtain: Obtainability) -> list[DeadEnd]:
    """Credentials of ``in_scope`` nobody can earn, each with why."""
    dead = []
    for cred in in_scope:
        if cred.id in obtain.obtainable:
            continue
        reasons = []
        for g in obtain.unmet_groups.get(cred.id, ()):
            alternatives = []
            for alt in cred.requires[g].any_of:
                if alt.credential is not None:
                    alternatives.append(f"credential {alt.credential} (cannot be earned)")
                else:
                    best = obtain.levels.get(alt.competency or "", 0)
                    taught = (f"taught at most at level {best}" if best
                              else "not taught by any earnable credential")
                    alternatives.append(f"{alt.competency} at level {alt.level} ({taught})")
            reasons.append("needs " + " or ".join(alternatives))
        if cred.id in obtain.award_rules_unmet or (cred.is_award and not reasons):
            reasons.append("its award rules cannot be met with earnable credentials")
        dead.append(DeadEnd(cred.id, cred.title, cred.provider, tuple(reasons)))
    return dead


def _duplicates(catalogue: Catalogue, provider: str | None) -> list[DuplicateGroup]:
    """Groups of credentials teaching the same competencies at the same levels (one of ``provider``'s in each)."""
    groups: dict[tuple[tuple[str, int], ...], list[str]] = defaultdict(list)
    provider_of = {c.id: c.provider for c in catalogue.credentials}
    for cred in catalogue.credentials:
        if cred.teaches:
            levels: dict[str, int] = {}
            for t in cred.teaches:
                levels[t.competency] = max(levels.get(t.competency, 0), t.level)
            groups[tuple(sorted(levels.items()))].append(cred.id)
    duplicates = []
    for teaches, ids in groups.items():
        if len(ids) < 2 or (provider is not None and all(provider_of[i] != provider for i in ids)):
            continue
        ids = sorted(ids)
        duplicates.append(DuplicateGroup(teaches, tuple(ids), tuple(sorted({provider_of[i] for i in ids}))))
    duplicates.sort(key=lambda d: d.credential_ids)
    return duplicates
