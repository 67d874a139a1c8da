"""Published ISO 8601 durations read as the planner's weeks or hours (one rule for every importer).

``docs/semantics.md`` ("Published durations") is the contract: a duration with a date part
(years, months, weeks, days) is calendar time and becomes whole weeks,
``max(1, round(days / 7))`` with a year of 365.25 days and a month of 30.4375; a duration
with only a time part (``PT160H``, ``PT90M``) is learning time and becomes hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["DAYS_PER_MONTH", "DAYS_PER_YEAR", "PublishedDuration", "read_duration"]

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
# each part is optional; no nested repetition (tests/test_regex_linear.py times every module pattern)
_ISO_RE = re.compile(
    r"^P(?:(?P<y>\d{1,6}(?:[.,]\d{1,6})?)Y)?(?:(?P<mo>\d{1,6}(?:[.,]\d{1,6})?)M)?"
    r"(?:(?P<w>\d{1,6}(?:[.,]\d{1,6})?)W)?(?:(?P<d>\d{1,6}(?:[.,]\d{1,6})?)D)?"
    r"(?:T(?:(?P<h>\d{1,6}(?:[.,]\d{1,6})?)H)?(?:(?P<mi>\d{1,6}(?:[.,]\d{1,6})?)M)?"
    r"(?:(?P<s>\d{1,6}(?:[.,]\d{1,6})?)S)?)?$"
)


@dataclass(frozen=True)
class PublishedDuration:
    """A published duration as the planner reads it.

    Attributes
    ----------
    kind : {"weeks", "hours"}
        Calendar time (whole weeks) or learning time (hours).
    value : float
        The weeks (a whole number) or the hours.
    text : str
        The duration as published.
    """

    kind: Literal["weeks", "hours"]
    value: float
    text: str


def read_duration(text: object) -> PublishedDuration | None:
    """Read an ISO 8601 duration (``P9M``, ``P8W``, ``PT160H``, ``P1DT4H``) by the semantics' rule.

    Parameters
    ----------
    text : object
        The published value; anything but a well-formed duration string gives None.

    Returns
    -------
    PublishedDuration or None
        Weeks for a duration with a date part, hours for a time-only one; None for text
        that is no ISO 8601 duration.
    """
    if not isinstance(text, str):
        return None
    value = text.strip().upper()
    match = _ISO_RE.match(value)
    if not match or value in ("P", "PT") or value.endswith("T"):
        return None
    parts = {k: float(v.replace(",", ".")) for k, v in match.groupdict().items() if v is not None}
    hours = parts.get("h", 0.0) + parts.get("mi", 0.0) / 60 + parts.get("s", 0.0) / 3600
    if not any(k in parts for k in ("y", "mo", "w", "d")):
        return PublishedDuration("hours", round(hours, 3), text.strip())
    days = (parts.get("y", 0.0) * DAYS_PER_YEAR + parts.get("mo", 0.0) * DAYS_PER_MONTH
            + parts.get("w", 0.0) * 7 + parts.get("d", 0.0) + hours / 24)
    weeks = max(1, round(days / 7)) if days > 0 else 0  # a zero duration (P0W) stays zero
    return PublishedDuration("weeks", float(weeks), text.strip())
