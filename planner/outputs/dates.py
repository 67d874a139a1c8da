"""Dates as people read them: one format everywhere, and a course's real first day.

Every date the app, the plots and the reports show goes through :func:`day` ("27 Aug
2027"); ISO dates are for files and links only. The schedule counts in weeks, so a
credential with yearly intakes is scheduled in the week holding its intake;
:func:`real_start` gives the intake day itself, so no course is shown starting before it.
"""

from __future__ import annotations

import datetime as dt

from planner.catalogue.models import Catalogue
from planner.engine.rules import intake_in_week

__all__ = ["DATE_FORMAT", "INPUT_FORMAT", "day", "real_start"]

#: The one display format of a date ("27 Aug 2027").
DATE_FORMAT = "%d %b %Y"
#: The order of a date typed into a form (Streamlit's date inputs take only numeric formats): day first, as above.
INPUT_FORMAT = "DD/MM/YYYY"


def day(when: dt.date | dt.datetime | None, missing: str = "—") -> str:
    """A date as "27 Aug 2027" (a datetime shows its date); ``missing`` for None."""
    if when is None:
        return missing
    if isinstance(when, dt.datetime):
        when = when.date()
    return format(when, DATE_FORMAT)


def real_start(credential_id: str, scheduled: dt.date, catalogue: Catalogue) -> dt.date:
    """The day a scheduled credential really starts: its intake date inside the scheduled week.

    Parameters
    ----------
    credential_id : str
        The credential.
    scheduled : datetime.date
        The first day of the week the schedule put it in (``ScheduledStep.start``).
    catalogue : Catalogue
        For the credential's intakes.

    Returns
    -------
    datetime.date
        The intake date in that week; ``scheduled`` itself for a credential that starts
        any week (or an award, which has no course of its own).
    """
    if not catalogue.has("credential", credential_id):
        return scheduled
    credential = catalogue.credential(credential_id)
    runs = credential.runs
    if credential.award is not None or runs is None or not runs.intakes:
        return scheduled
    return intake_in_week(runs.intakes, scheduled) or scheduled
