"""A learner's plans with every version, their what-ifs, notes and progress; two versions compared.

What ``planner plans show`` prints and the *My plan* page draws: both read it here, through
the store's access rules (:mod:`planner.store.access`), so they say the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.engine.whatif import WhatIf
from planner.store.access import User
from planner.store.planfiles import saved_what_ifs
from planner.store.records import SavedPlan, StepProgress, Store

__all__ = ["PlanHistory", "VersionDifference", "compare_versions", "plan_histories"]


@dataclass(frozen=True)
class PlanHistory:
    """One plan of a learner: every version (oldest first) and where the learner is with each step."""

    plan_id: int
    versions: tuple[SavedPlan, ...]
    progress: Mapping[str, StepProgress]

    @property
    def latest(self) -> SavedPlan:
        """The newest version."""
        return self.versions[-1]

    def what_ifs(self, version: int | None = None) -> tuple[WhatIf, ...]:
        """The what-ifs kept with a version (default the newest)."""
        return saved_what_ifs(self.version(version))

    def version(self, number: int | None = None) -> SavedPlan:
        """Version ``number`` (default the newest).

        Raises
        ------
        KeyError
            When the plan has no such version.
        """
        if number is None:
            return self.latest
        for saved in self.versions:
            if saved.version == number:
                return saved
        raise KeyError(f"plan {self.plan_id} has no version {number}")

    @property
    def completed(self) -> tuple[str, ...]:
        """Steps marked completed (a re-plan takes them out of the newest route: they are held now)."""
        return tuple(cid for cid, p in self.progress.items() if p.status == "completed")

    @property
    def to_go(self) -> tuple[str, ...]:
        """Steps of the newest route not completed yet."""
        done = set(self.completed)
        return tuple(cid for cid in self.latest.chosen if cid not in done)


def plan_histories(store: Store, actor: User, learner_id: int) -> list[PlanHistory]:
    """Every plan of a learner, most recently saved first, each with all its versions and progress.

    Raises
    ------
    AccessDenied
        When ``actor`` may not read the learner's records.
    """
    out = []
    for newest in store.plans(actor, learner_id):
        versions = tuple(store.plan_versions(actor, newest.plan_id))
        out.append(PlanHistory(newest.plan_id, versions, store.progress(actor, newest.plan_id)))
    return out


@dataclass(frozen=True)
class VersionDifference:
    """What changed from one version of a plan to another."""

    before: SavedPlan
    after: SavedPlan
    added: tuple[str, ...]  # credential ids of steps only ``after`` has
    removed: tuple[str, ...]
    kept: tuple[str, ...]
    cost: tuple[float | None, float | None]
    finish: tuple[str | None, str | None]  # ISO dates
    what_ifs: tuple[tuple[WhatIf, ...], tuple[WhatIf, ...]]
    notes_changed: bool
    target_changed: bool

    @property
    def same_route(self) -> bool:
        """Whether both versions chose the same credentials."""
        return not self.added and not self.removed


def compare_versions(before: SavedPlan, after: SavedPlan) -> VersionDifference:
    """Compare two versions of a plan (or of two plans): steps, totals, what-ifs and notes."""
    def totals(saved: SavedPlan) -> tuple[float | None, str | None]:
        summary = saved.route.summary if saved.route else None
        return (summary.total_cost, summary.finish.isoformat()) if summary else (None, None)

    a, b = before.chosen, after.chosen
    (cost_a, finish_a), (cost_b, finish_b) = totals(before), totals(after)
    return VersionDifference(
        before, after, added=tuple(c for c in b if c not in a), removed=tuple(c for c in a if c not in b),
        kept=tuple(c for c in b if c in a), cost=(cost_a, cost_b), finish=(finish_a, finish_b),
        what_ifs=(saved_what_ifs(before), saved_what_ifs(after)), notes_changed=before.notes != after.notes,
        target_changed=before.target != after.target,
    )
