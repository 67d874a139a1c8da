"""What-if scenarios and the advisor's working notes for one plan.

A :class:`WhatIf` is a small change to the plan's scenario (budget, weekly hours, providers
to exclude, credentials the learner might add); :meth:`WhatIf.apply` turns it into the
scenario to search. :class:`PlanWork` is what an advisor builds around a plan in a
session: notes and what-ifs, kept per plan and saved with it. Nothing here imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from planner.catalogue.models import Catalogue, Holding
from planner.engine.results import Recommendation
from planner.engine.scenario import Scenario

__all__ = ["MAX_WHAT_IFS", "PlanWork", "WhatIf", "WhatIfResult"]

#: What-if columns beside the current plan.
MAX_WHAT_IFS = 2


class WhatIf(BaseModel):
    """A change to a plan's scenario: absolute values for what it sets.

    ``budget`` and ``hours_per_week`` of ``None`` mean no limit; ``add_holdings`` are
    credentials the learner would hold at the plan's start.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=40)
    budget: float | None = Field(default=None, ge=0, le=1_000_000)
    hours_per_week: float | None = Field(default=None, ge=0.5, le=80)
    avoid_providers: tuple[str, ...] = Field(default=(), max_length=200)
    add_holdings: tuple[str, ...] = Field(default=(), max_length=200)

    @classmethod
    def unchanged(cls, name: str, base: Scenario) -> WhatIf:
        """A what-if that starts as the base scenario (the advisor then changes it)."""
        return cls(name=name, budget=base.budget, hours_per_week=base.hours_per_week,
                   avoid_providers=tuple(base.avoid_providers))

    def apply(self, base: Scenario) -> Scenario:
        """The scenario this what-if describes: ``base`` with its changes."""
        held = {h.credential for h in base.holdings}
        earned = base.start or dt.date.today()
        added = [Holding(credential=c, earned=earned) for c in self.add_holdings if c not in held]
        return base.model_copy(update={
            "budget": self.budget, "hours_per_week": self.hours_per_week,
            "avoid_providers": list(self.avoid_providers), "holdings": [*base.holdings, *added],
        })

    def describe(self, base: Scenario, catalogue: Catalogue) -> str:
        """What differs from ``base``, in words with titles and names (``"as the plan"`` when nothing)."""
        parts = []
        if self.budget != base.budget:
            parts.append("no budget limit" if self.budget is None else f"budget {self.budget:,.0f} {base.currency}")
        if self.hours_per_week != base.hours_per_week:
            parts.append("no weekly hours limit" if self.hours_per_week is None
                         else f"{self.hours_per_week:g} hours a week")
        dropped = [p for p in base.avoid_providers if p not in self.avoid_providers]
        excluded = [p for p in self.avoid_providers if p not in base.avoid_providers]
        if excluded:
            parts.append("excluding " + ", ".join(_provider(catalogue, p) for p in excluded))
        if dropped:
            parts.append("allowing " + ", ".join(_provider(catalogue, p) for p in dropped))
        held = {h.credential for h in base.holdings}
        added = [c for c in self.add_holdings if c not in held]
        if added:
            parts.append("holding " + ", ".join(_credential(catalogue, c) for c in added))
        return "; ".join(parts) or "as the plan"


def _provider(catalogue: Catalogue, pid: str) -> str:
    return catalogue.provider(pid).name if catalogue.has("provider", pid) else pid


def _credential(catalogue: Catalogue, cid: str) -> str:
    return catalogue.credential(cid).title if catalogue.has("credential", cid) else cid


class PlanWork(BaseModel):
    """The advisor's work around one plan: notes and what-if scenarios."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notes: str = Field(default="", max_length=20_000)
    what_ifs: tuple[WhatIf, ...] = Field(default=(), max_length=MAX_WHAT_IFS)


@dataclass(frozen=True)
class WhatIfResult:
    """A what-if, the scenario it describes in words, and the routes found for it."""

    what_if: WhatIf
    description: str
    recommendation: Recommendation
