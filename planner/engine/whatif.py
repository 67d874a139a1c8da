"""What-if scenarios and the advisor's working notes for one plan.

A :class:`WhatIf` is a small change to the plan's scenario (budget, weekly hours, providers
to exclude, credentials the learner might add); :meth:`WhatIf.apply` turns it into the
scenario to search. :class:`PlanWork` is what an advisor builds around a plan in a
session: notes and what-ifs, kept per plan and saved with it. Nothing here imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.catalogue.models import Catalogue, Holding
from planner.engine.results import Recommendation
from planner.engine.scenario import Scenario

__all__ = [
    "MAX_WHAT_IFS",
    "PlanWork",
    "WhatIf",
    "WhatIfResult",
    "what_if_name",
    "what_ifs_from_query",
    "what_ifs_to_query",
]

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
    def from_scenario(cls, name: str, base: Scenario, scenario: Scenario) -> WhatIf:
        """The what-if that turns ``base`` into ``scenario`` (the inverse of :meth:`apply`).

        A saved plan keeps each what-if as the whole scenario it describes; this reads it
        back as budget, weekly hours, providers excluded and credentials added. Other
        differences (a what-if scenario saved by another tool) are not a what-if's to make
        and are not kept.
        """
        held = {h.credential for h in base.holdings}
        return cls(name=name, budget=scenario.budget, hours_per_week=scenario.hours_per_week,
                   avoid_providers=tuple(scenario.avoid_providers),
                   add_holdings=tuple(h.credential for h in scenario.holdings if h.credential not in held))

    def changes(self, base: Scenario) -> bool:
        """Whether this what-if changes anything of ``base``."""
        return self.apply(base) != base

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


def what_if_name(index: int) -> str:
    """The name of the what-if in column ``index`` (from 1): "What if A", "What if B" and so on."""
    return f"What if {chr(ord('A') + index - 1)}"


# ---------------------------------------------------------------------------- links
# One query parameter per what-if, ``whatif1``, ``whatif2``: ``budget=1500;hours=none;avoid=p1,p2;add=c1``.
# ``none`` is "no limit"; every field is written, so a link restores the what-if exactly.
_LINK_KEY = "whatif"
_MAX_LINK_VALUE = 4000


def what_ifs_to_query(what_ifs: Sequence[WhatIf]) -> dict[str, str]:
    """Encode what-ifs as query parameters ``whatif1``, ``whatif2``, … (added to a scenario's link).

    Parameters
    ----------
    what_ifs : sequence of WhatIf
        In column order; their names are not written (they follow from the order).

    Returns
    -------
    dict of str to str
        The parameters; :func:`what_ifs_from_query` reads them back.
    """
    def number(value: float | None) -> str:
        if value is None:
            return "none"
        text = repr(float(value))
        return text[:-2] if text.endswith(".0") else text

    return {f"{_LINK_KEY}{i}": ";".join((f"budget={number(w.budget)}", f"hours={number(w.hours_per_week)}",
                                          f"avoid={','.join(w.avoid_providers)}", f"add={','.join(w.add_holdings)}"))
            for i, w in enumerate(what_ifs[:MAX_WHAT_IFS], 1)}


def what_ifs_from_query(params: Mapping[str, str | Sequence[str]]) -> tuple[list[WhatIf], list[str]]:
    """Decode the what-ifs of a link leniently: a broken one is left out and said.

    Parameters
    ----------
    params : mapping
        Query parameters (a value may be a list; the last one counts).

    Returns
    -------
    tuple of (list of WhatIf, list of str)
        The what-ifs in column order, named by their column, and one message per what-if or
        value left out, naming the parameter.
    """
    flat = {str(k): (v[-1] if isinstance(v, (list, tuple)) and v else v) for k, v in params.items()}
    found: list[WhatIf] = []
    ignored: list[str] = []
    for i in range(1, MAX_WHAT_IFS + 1):
        key = f"{_LINK_KEY}{i}"
        value = flat.get(key)
        if not isinstance(value, str):
            break  # what-ifs are numbered from 1 without gaps
        if len(value) > _MAX_LINK_VALUE:
            ignored.append(f"{key}: longer than {_MAX_LINK_VALUE} characters; left out")
            continue
        fields: dict[str, str] = {}
        for part in value.split(";"):
            name, sep, text = part.partition("=")
            if sep and name.strip() in ("budget", "hours", "avoid", "add"):
                fields[name.strip()] = text.strip()
        try:
            found.append(WhatIf(
                name=what_if_name(len(found) + 1),
                budget=_limit(fields.get("budget", "none")), hours_per_week=_limit(fields.get("hours", "none")),
                avoid_providers=_ids(fields.get("avoid", "")), add_holdings=_ids(fields.get("add", "")),
            ))
        except (ValueError, ValidationError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            ignored.append(f"{key}: {value[:80]!r} left out ({reason})")
    return found, ignored


def _ids(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def _limit(text: str) -> float | None:
    if text.lower() in ("", "none"):
        return None
    try:
        if len(text) > 40 or not text.isascii():
            raise ValueError(text)
        return float(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a number") from None


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
