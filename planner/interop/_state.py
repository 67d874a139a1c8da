"""What a credential importer gathers across the files of one import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from planner.interop._result import ImportProblem
from planner.interop.esco import IdAllocator

__all__ = ["ImportState"]


@dataclass
class ImportState:
    """Catalogue items found so far, with deterministic ids, and every problem met.

    ``today`` judges expiry; ``teach_level`` is the level given to competencies a format
    names without one (Open Badges and ELM have no proficiency levels). ``holdings`` are
    credentials the files show the learner holds, with the date earned.
    """

    today: dt.date
    teach_level: int
    problems: list[ImportProblem] = field(default_factory=list)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    provider_ids: IdAllocator = field(default_factory=IdAllocator)
    competencies: dict[str, dict[str, Any]] = field(default_factory=dict)
    competency_ids: IdAllocator = field(default_factory=IdAllocator)
    credentials: dict[str, dict[str, Any]] = field(default_factory=dict)
    credential_ids: IdAllocator = field(default_factory=IdAllocator)
    holdings: dict[str, dt.date] = field(default_factory=dict)
