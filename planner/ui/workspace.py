"""The advisor's notes and what-ifs in session state, per plan, across page changes.

Streamlit forgets a widget's value on runs where the widget is not drawn (another page);
:func:`keep` writes the compare page's values back so they survive. When the plan changes
(another learner or target), :func:`enter` puts the current plan's work away and brings
the new plan's back. :func:`plan_work` is what a store saves with the plan.
"""

from __future__ import annotations

import re

import streamlit as st
from pydantic import ValidationError

from planner.engine.scenario import Scenario
from planner.engine.whatif import MAX_WHAT_IFS, PlanWork, WhatIf
from planner.store.identity import Identity
from planner.ui.scenario_form import set_state
from planner.ui.widgets import apply_commits

__all__ = [
    "COMPARE_ROUTE",
    "NOTES",
    "PENDING_ROUTE",
    "PENDING_WORK",
    "enter",
    "keep",
    "plan_key",
    "plan_work",
    "remember",
    "restore_plan",
    "what_if_key",
    "what_if_state",
]

NOTES = "cmp_notes"
#: The compare page's chosen route (its radio).
COMPARE_ROUTE = "cmp_route"
#: Credential ids of a restored plan's chosen route.
PENDING_ROUTE = "cmp_pending_route"
#: Notes of a restored plan, put in place when its plan is entered.
PENDING_WORK = "cmp_pending_work"
_WORK = "plan_work"  # plan key -> PlanWork
_CURRENT = "plan_work_current"
# the compare page's values that belong to a plan (never buttons or uploads: they cannot be set)
_KEPT = re.compile(r"^cmp(_notes|_n|_route|\d+_(use_budget|budget|use_hours|hours|avoid|add))$")


def plan_key(identity: Identity, scenario: Scenario) -> str:
    """Which plan the session works on: the acting person and the plan's target."""
    return f"{identity.key}#{scenario.target}"


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
    name = f"What if {chr(ord('A') + index - 1)}"
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
    for k in [k for k in s if isinstance(k, str) and _KEPT.match(k) and k not in ("cmp_n",)]:
        del s[k]
    restored = work or kept.get(key)
    if restored is not None:
        s[NOTES] = restored.notes
        for i, what_if in enumerate(restored.what_ifs[:MAX_WHAT_IFS], 1):
            _put_what_if(i, what_if)
    s[_CURRENT] = key


def remember(key: str, base: Scenario) -> PlanWork:
    """Record the plan's current notes and what-ifs under its key and return them."""
    work = plan_work(base)
    st.session_state.setdefault(_WORK, {})[key] = work
    return work


def restore_plan(scenario: Scenario, notes: str, chosen: tuple[str, ...]) -> None:
    """Put a loaded plan into the session: the scenario form, the notes and the chosen route.

    A button callback: it runs before the page draws its widgets, so it may set their values.
    """
    set_state(scenario)
    st.session_state[PENDING_WORK] = PlanWork(notes=notes)
    st.session_state[PENDING_ROUTE] = list(chosen)
    st.session_state.pop(COMPARE_ROUTE, None)
