"""Values a rerun carries are applied even when the next request cuts that rerun off.

The browser sends a committed value (a note, a ticked box) with a rerun request. When the
person changes page at once and the server is busy (20 sessions on 2 cores), the page
change can arrive after a script thread has taken the first request but before it has
applied the values it carries. Streamlit checks for a newer request *first*
(``SafeSessionState.on_script_will_rerun`` calls its yield check, then applies the
values), so the values are dropped: the page change itself carries none. The note is
lost although the browser had sent it.

:func:`install` swaps the two steps: the values are applied, and their change callbacks
run (:func:`planner.ui.widgets.kept` records them), then the check is made. The check
that follows anyway right after (``ScriptRunner`` calls it once the values are in) makes
the cut-off happen at the same point as before, only with nothing lost. It is done only
with ``runner.fastReruns`` off (``.streamlit/config.toml``): with fast reruns a new script
thread may already be running, and the old one must not touch the state. It wraps
Streamlit's method without copying it, and does nothing if that method is not there in
the installed Streamlit; ``tests/ui/test_ui_rerun_guard.py`` fails when it stops working.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

__all__ = ["install", "installed"]

log = logging.getLogger("planner.ui")
_MARK = "_planner_applies_before_yield"


def installed() -> bool:
    """Whether the guard is in place."""
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    return bool(getattr(getattr(SafeSessionState, "on_script_will_rerun", None), _MARK, False))


def install() -> bool:
    """Put the guard in place (once per process); False when Streamlit has no such method."""
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    original = getattr(SafeSessionState, "on_script_will_rerun", None)
    if original is None:
        log.warning("rerun guard not installed: this Streamlit has no SafeSessionState.on_script_will_rerun")
        return False
    if getattr(original, _MARK, False):
        return True

    @functools.wraps(original)
    def on_script_will_rerun(self: Any, *args: Any, **kwargs: Any) -> None:
        from streamlit import config

        check = self.__dict__.get("_yield_callback")
        if check is None or config.get_option("runner.fastReruns"):
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
