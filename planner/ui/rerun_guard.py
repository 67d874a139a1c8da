"""Values a rerun carries reach the script even when a page change follows at once.

The browser sends a committed value (a note, a ticked box) with a rerun request. When the
person changes page at once and the server is busy (20 sessions on 2 cores), the page
change arrives while that request waits or has only just been taken, and Streamlit drops
the value in one of two places:

* waiting requests are merged, the newer one's widget values replacing the older one's
  wholesale (``script_requests._coalesce_widget_states``); a page change carries only the
  widgets of the sidebar, so the note of the page being left is gone;
* a request just taken checks for a newer one *before* it applies its values
  (``SafeSessionState.on_script_will_rerun``), and is cut off with them unapplied.

:func:`install` mends both. Merged requests keep the older one's values of widgets the
newer one does not mention (the newer still wins for every widget it carries, and the
older one's triggers are kept as Streamlit keeps them). A request taken applies its values,
and runs their change callbacks (:func:`planner.ui.widgets.kept` records the values
there), before the check; the check Streamlit makes anyway right after then cuts the run
off at the same point as before, only with nothing lost. Both are done only with
``runner.fastReruns`` off (``.streamlit/config.toml``): with fast reruns a new script thread
may already be running, and the old one must not touch the state. The guard wraps
Streamlit's functions without copying them and stands aside when they are not there;
``tests/ui/test_ui_rerun_guard.py`` fails when it stops working.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

__all__ = ["install", "installed"]

log = logging.getLogger("planner.ui")
_MARK = "_planner_applies_before_yield"


def installed() -> bool:
    """Whether both parts of the guard are in place."""
    from streamlit.runtime.scriptrunner_utils import script_requests
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    return (bool(getattr(getattr(SafeSessionState, "on_script_will_rerun", None), _MARK, False))
            and bool(getattr(getattr(script_requests, "_coalesce_widget_states", None), _MARK, False)))


def install() -> bool:
    """Put the guard in place (once per process); False when Streamlit lacks what it mends."""
    return _install_merge() & _install_apply_first()


def _install_merge() -> bool:
    from streamlit.runtime.scriptrunner_utils import script_requests

    original = getattr(script_requests, "_coalesce_widget_states", None)
    if original is None:
        log.warning("rerun guard not installed: this Streamlit has no script_requests._coalesce_widget_states")
        return False
    if getattr(original, _MARK, False):
        return True

    @functools.wraps(original)
    def coalesce(old_states: Any, new_states: Any) -> Any:
        merged = original(old_states, new_states)
        if merged is None or not old_states or not new_states or _fast_reruns():
            return merged
        present = {w.id for w in merged.widgets}
        # the older request's values of widgets the newer one does not carry (a page left)
        merged.widgets.extend(w for w in old_states.widgets if w.id not in present)
        return merged

    setattr(coalesce, _MARK, True)
    script_requests._coalesce_widget_states = coalesce
    return True


def _fast_reruns() -> bool:
    from streamlit import config

    return bool(config.get_option("runner.fastReruns"))


def _install_apply_first() -> bool:
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    original = getattr(SafeSessionState, "on_script_will_rerun", None)
    if original is None:
        log.warning("rerun guard not installed: this Streamlit has no SafeSessionState.on_script_will_rerun")
        return False
    if getattr(original, _MARK, False):
        return True

    @functools.wraps(original)
    def on_script_will_rerun(self: Any, *args: Any, **kwargs: Any) -> None:
        check = self.__dict__.get("_yield_callback")
        if check is None or _fast_reruns():
            return original(self, *args, **kwargs)
        object.__setattr__(self, "_yield_callback", _no_check)  # only this script thread runs here
        try:
            original(self, *args, **kwargs)  # the values in, their callbacks run …
        finally:
            object.__setattr__(self, "_yield_callback", check)
        check()  # … then a newer request may cut the run off

    setattr(on_script_will_rerun, _MARK, True)
    SafeSessionState.on_script_will_rerun = on_script_will_rerun  # type: ignore[method-assign]
    return True


def _no_check() -> None:
    return None
