"""Published ISO 8601 durations read by the one rule of ``docs/semantics.md`` ("Published durations")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.interop._duration import read_duration


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("PT160H", "hours", 160), ("PT2H", "hours", 2), ("PT90M", "hours", 1.5), ("PT0H", "hours", 0),
    ("P4W", "weeks", 4), ("P8W", "weeks", 8), ("P9M", "weeks", 39), ("P2Y", "weeks", 104), ("P1M", "weeks", 4),
    ("P3D", "weeks", 1), ("P1DT12H", "weeks", 1), ("P0W", "weeks", 0), ("p6w", "weeks", 6), ("P1,5Y", "weeks", 78),
])
def test_calendar_time_is_weeks_and_learning_time_is_hours(text, kind, value):
    read = read_duration(text)
    assert read is not None and (read.kind, read.value) == (kind, value)


@pytest.mark.parametrize("text", ["", "P", "PT", "P1", "160 hours", "P1H", "PT1D", "P1YT", None, 12,
                                  "P" + "9" * 9 + "W"])
def test_what_is_no_duration_gives_none(text):
    assert read_duration(text) is None


@given(st.integers(0, 5), st.integers(0, 11), st.integers(0, 60), st.integers(0, 30))
def test_weeks_follow_the_formula(years, months, weeks, days):
    text = f"P{years}Y{months}M{weeks}W{days}D"
    total = years * 365.25 + months * 365.25 / 12 + weeks * 7 + days
    expected = 0 if total == 0 else max(1, round(total / 7))
    assert read_duration(text).value == expected
