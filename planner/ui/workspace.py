"""The advisor's notes and what-ifs in session state, per plan, across page changes.

Streamlit forgets a widget's value on runs where the widget is not drawn (another page);
:func:`keep` writes the compare page's values back so they survive. When the plan changes
(another learner or target), :func:`enter` puts the current plan's work away and brings
the new plan's back. :func:`saved_work` is what a save keeps with the plan: the notes and
the what-ifs the compare page shows; :func:`restore_plan` puts a saved plan back, what-ifs
and notes included. The learner the session works on is :data:`OPEN` (one place, set by
the sidebar's learner picker and the caseload).
"""

from __future__ import annotations

import re

import streamlit as st
from pydantic import ValidationError

from planner.engine.scenario import Scenario
from planner.engine.whatif import MAX_WHAT_IFS, PlanWork, WhatIf, what_if_name
from planner.store.identity import Identity
from planner.ui.scenario_form import set_state
from planner.ui.widgets import apply_commits

__all__ = [
    "COLUMNS",
    "COMPARE_ROUTE",
    "NOTES",
    "OPEN",
    "PENDING_ROUTE",
    "enter",
    "keep",
    "load_work",
    "open_learner",
    "plan_key",
    "plan_work",
    "remember",
    "restore_plan",
    "saved_work",
    "what_if_key",
    "what_if_state",
]

NOTES = "cmp_notes"
#: The learner, plan and version the session works on: {"learner": id, "plan": id or None, "version": int or None}.
OPEN = "rec_open"
#: The compare page's number of scenarios side by side (the plan and its what-ifs).
COLUMNS = "cmp_n"
#: The compare page's chosen route (its radio).
COMPARE_ROUTE = "cmp_route"
#: Credential ids of a restored plan's chosen route.
PENDING_ROUTE = "cmp_pending_route"
_WORK = "plan_work"  # plan key -> PlanWork
_CURRENT = "plan_work_current"
# the compare page's values that belong to a plan (never buttons or uploads: they cannot be set)
_KEPT = re.compile(r"^cmp(_notes|_n|_route|\d+_(use_budget|budget|use_hours|hours|avoid|add))$")


def open_learner() -> int | None:
    """The learner the session works on (None: nobody chosen yet)."""
    return (st.session_state.get(OPEN) or {}).get("learner")


def plan_key(identity: Identity, scenario: Scenario) -> str:
    """Which plan the session works on: the acting person, the learner and the plan's target."""
    return f"{identity.key}#{open_learner()}#{scenario.target}"


def what_if_key(index: int, field: str) -> str:
    """Session-state key of one what-if column's widget (``index`` from 1)."""
    return f"cmp{index}_{field}"


def keep() -> None:
    """Keep the compare page's notes and what-ifs when another page is shown."""
    apply_commits()  # values committed in a run that a page change cut off
    for key in list(st.session_state):
        if isinstance(key, str) and _KEPT.match(key):
            st.session_state[key] = st.session_state[key]


def what_if_state(index: int, base: Scenario) -> WhatIf:
    """The what-if column ``index`` holds now (the base scenario where it holds nothing)."""
    s = st.session_state
    name = what_if_name(index)
    default = WhatIf.unchanged(name, base)
    try:
        return WhatIf(
            name=name,
            budget=s.get(what_if_key(index, "budget"), base.budget or 2000.0)
            if s.get(what_if_key(index, "use_budget"), base.budget is not None) else None,
            hours_per_week=s.get(what_if_key(index, "hours"), base.hours_per_week or 10.0)
            if s.get(what_if_key(index, "use_hours"), base.hours_per_week is not None) else None,
            avoid_providers=tuple(s.get(what_if_key(index, "avoid"), default.avoid_providers)),
            add_holdings=tuple(s.get(what_if_key(index, "add"), ())),
        )
    except ValidationError:
        return default


def _put_what_if(index: int, what_if: WhatIf) -> None:
    s = st.session_state
    s[what_if_key(index, "use_budget")] = what_if.budget is not None
    if what_if.budget is not None:
        s[what_if_key(index, "budget")] = float(what_if.budget)
    s[what_if_key(index, "use_hours")] = what_if.hours_per_week is not None
    if what_if.hours_per_week is not None:
        s[what_if_key(index, "hours")] = float(what_if.hours_per_week)
    s[what_if_key(index, "avoid")] = list(what_if.avoid_providers)
    s[what_if_key(index, "add")] = list(what_if.add_holdings)


def plan_work(base: Scenario) -> PlanWork:
    """The notes and what-ifs the session holds now for the plan of ``base``."""
    return PlanWork(notes=str(st.session_state.get(NOTES, "")),
                    what_ifs=tuple(what_if_state(i, base) for i in range(1, MAX_WHAT_IFS + 1)))


def saved_work(base: Scenario) -> PlanWork:
    """What a save keeps with the plan: the notes, and the what-ifs the compare page shows that change something.

    A what-if column the advisor never opened, or left as the plan, is not a what-if.
    """
    shown = int(st.session_state.get(COLUMNS, 2)) - 1
    kept = [w for w in plan_work(base).what_ifs[:shown] if w.changes(base)]
    return PlanWork(notes=str(st.session_state.get(NOTES, "")),
                    what_ifs=tuple(w.model_copy(update={"name": what_if_name(i)}) for i, w in enumerate(kept, 1)))


def load_work(work: PlanWork) -> None:
    """Put ``work`` in the compare page's notes and what-if widgets (before they are drawn: a callback)."""
    s = st.session_state
    for k in [k for k in s if isinstance(k, str) and _KEPT.match(k)]:
        del s[k]
    s[NOTES] = work.notes
    for i, what_if in enumerate(work.what_ifs[:MAX_WHAT_IFS], 1):
        _put_what_if(i, what_if)
    if work.what_ifs:
        s[COLUMNS] = 1 + min(len(work.what_ifs), MAX_WHAT_IFS)


def enter(key: str, base: Scenario, *, work: PlanWork | None = None) -> None:
    """Make ``key`` the plan the compare page works on.

    On a change of plan the previous plan's notes and what-ifs are put away (per plan, in
    session state) and this plan's are brought back: from ``work`` when given (a saved
    plan), else from earlier in the session, else empty.
    """
    s = st.session_state
    kept: dict[str, PlanWork] = s.setdefault(_WORK, {})
    current = s.get(_CURRENT)
    if work is None and current in (key, None):
        s[_CURRENT] = key  # the session's first plan keeps what the page already holds
        return
    if current is not None and current != key:
        kept[current] = plan_work(base)
    columns = s.get(COLUMNS)
    restored = work or kept.get(key)
    load_work(restored or PlanWork())
    if not (restored and restored.what_ifs) and columns is not None:
        s[COLUMNS] = columns  # the layout stays when the plan changes
    s[_CURRENT] = key


def remember(key: str, base: Scenario) -> PlanWork:
    """Record the plan's current notes and what-ifs under its key and return them."""
    work = plan_work(base)
    st.session_state.setdefault(_WORK, {})[key] = work
    return work


def restore_plan(scenario: Scenario, notes: str, chosen: tuple[str, ...], what_ifs: tuple[WhatIf, ...] = ()) -> None:
    """Put a loaded plan into the session: the scenario form, the notes, the what-ifs and the chosen route.

    A button callback: it runs before the page draws its widgets, so it may set their values.
    The notes and what-ifs are the plan's at once (a save from any page keeps them), for the
    learner the session works on (:data:`OPEN`, set before this is called).
    """
    from planner.ui.auth import acting_identity

    set_state(scenario)
    load_work(PlanWork(notes=notes, what_ifs=tuple(what_ifs)[:MAX_WHAT_IFS]))
    st.session_state[_CURRENT] = plan_key(acting_identity(), scenario)
    st.session_state[PENDING_ROUTE] = list(chosen)
    st.session_state.pop(COMPARE_ROUTE, None)
