"""Competency gaps: what roles need that no credential teaches, or not at the needed level."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from planner.catalogue.models import Catalogue

__all__ = ["CompetencyGap", "GapsResult", "competency_gaps"]


@dataclass(frozen=True)
class CompetencyGap:
    """A competency roles need that the offer in scope does not teach well enough."""

    competency_id: str
    label: str
    kind: str  # "not_taught" or "level_too_low"
    needed_level: int  # highest level any affected role needs
    best_taught_level: int  # 0 when nobody teaches it
    roles_blocked: tuple[str, ...]  # roles needing it as essential, above what is taught
    roles_optional: tuple[str, ...]  # roles needing it as optional, above what is taught
    taught_elsewhere: int = 0  # with a provider filter: best level other providers teach


@dataclass(frozen=True)
class GapsResult:
    """Gaps ranked by how many roles they block (essential), then affect (optional)."""

    provider: str | None
    gaps: tuple[CompetencyGap, ...]
    roles_considered: int


def competency_gaps(catalogue: Catalogue, *, provider: str | None = None,
                    roles: Sequence[str] | None = None) -> GapsResult:
    """Find competencies that roles need but no credential teaches at the needed level.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    provider : str, optional
        Judge only this provider's offer ("what employers ask for that *we* do not
        teach"); ``taught_elsewhere`` then says whether other providers fill the gap.
    roles : sequence of str, optional
        Only these roles' needs (default: every role).

    Returns
    -------
    GapsResult
        Gaps ranked by roles blocked (essential needs), then roles affected (optional
        needs), then competency id.

    """
    best_all: dict[str, int] = {}
    best_scope: dict[str, int] = {}
    for cred in catalogue.credentials:
        for taught in cred.teaches:
            best_all[taught.competency] = max(best_all.get(taught.competency, 0), taught.level)
            if provider is None or cred.provider == provider:
                best_scope[taught.competency] = max(best_scope.get(taught.competency, 0), taught.level)
    blocked: dict[str, set[str]] = defaultdict(set)
    optional: dict[str, set[str]] = defaultdict(set)
    needed: dict[str, int] = {}
    only = None if roles is None else set(roles)
    considered = [r for r in catalogue.roles if only is None or r.id in only]
    for role in considered:
        for need in role.needs:
            if best_scope.get(need.competency, 0) >= need.level:
                continue
            (blocked if need.essential else optional)[need.competency].add(role.id)
            needed[need.competency] = max(needed.get(need.competency, 0), need.level)
    gaps = []
    for comp, level in needed.items():
        best = best_scope.get(comp, 0)
        label = catalogue.competency(comp).label if catalogue.has("competency", comp) else comp
        gaps.append(CompetencyGap(
            competency_id=comp, label=label, kind="not_taught" if best == 0 else "level_too_low",
            needed_level=level, best_taught_level=best,
            roles_blocked=tuple(sorted(blocked.get(comp, ()))),
            roles_optional=tuple(sorted(optional.get(comp, set()) - blocked.get(comp, set()))),
            taught_elsewhere=best_all.get(comp, 0) if provider is not None else 0,
        ))
    gaps.sort(key=lambda g: (-len(g.roles_blocked), -len(g.roles_optional), g.competency_id))
    return GapsResult(provider=provider, gaps=tuple(gaps), roles_considered=len(considered))
