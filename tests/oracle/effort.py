"""Effort and duration of one credential: the single rule of the semantics, written afresh."""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.catalogue.models import Credential

HOURS_PER_ECTS = 25.0
DEFAULT_WEEKLY_HOURS = 10.0


@dataclass(frozen=True)
class Effort:
    """Total hours ``h``, duration ``d`` (weeks) and weekly load ``w``; ``None`` is unknown."""

    hours: float | None
    weeks: int | None
    load: float | None

    @property
    def sched_weeks(self) -> int:
        """Weeks used in the schedule (an unknown duration is scheduled as 0)."""
        return 0 if self.weeks is None else self.weeks

    @property
    def sched_load(self) -> float:
        """Hours a week used in the schedule (an unknown load is scheduled as 0)."""
        return 0.0 if self.load is None else self.load

    @property
    def counted_hours(self) -> float:
        """Hours in the workload total (an unknown total counts 0)."""
        return 0.0 if self.hours is None else self.hours


def effort_of(cred: Credential) -> Effort:
    """Apply the three-step effort rule to a credential's raw fields."""
    if cred.award is not None:
        return Effort(0.0, 0, 0.0)
    big_h, ects, big_d, big_w = cred.hours, cred.ects, cred.duration_weeks, cred.hours_per_week
    if big_h is not None:
        h: float | None = float(big_h)
    elif ects is not None:
        h = float(ects) * HOURS_PER_ECTS
    elif big_d is not None and big_w is not None:
        h = float(big_d) * float(big_w)
    else:
        h = None
    if big_d is not None:
        d: int | None = int(big_d)
    elif h is not None:
        if h == 0:
            d = 0
        elif big_w is not None and big_w > 0:
            d = max(1, math.ceil(h / big_w))
        else:
            d = max(1, math.ceil(h / DEFAULT_WEEKLY_HOURS))
    else:
        d = None
    if d == 0:
        w: float | None = 0.0  # it takes no weeks, so it loads none
    elif big_w is not None:
        w = float(big_w)
    elif h is not None and d is not None and d > 0:
        w = h / d
    else:
        w = None
    return Effort(h, d, w)
