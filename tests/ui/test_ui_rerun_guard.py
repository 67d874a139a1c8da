"""planner.ui.rerun_guard: a rerun cut off by a newer request still applies the values it carries.

Streamlit's own order (check for a newer request, then apply the browser's values) dropped
a note committed just before a page change on a busy server; the browser load test
(tests/browser/test_load_sessions.py) shows it with 20 sessions. Here the same moment is
made directly: a newer request is pending when the values arrive.
"""

from __future__ import annotations

import pytest
from streamlit import config
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.state.safe_session_state import SafeSessionState
from streamlit.runtime.state.session_state import SessionState

from planner.ui import rerun_guard


class NewerRequest(Exception):
    """Stands for Streamlit's RerunException: a page change is waiting."""


def _carrying(widget_id: str, text: str) -> WidgetStates:
    states = WidgetStates()
    w = states.widgets.add()
    w.id = widget_id
    w.string_value = text
    return states


@pytest.fixture
def slow_reruns():
    before = config.get_option("runner.fastReruns")
    config.set_option("runner.fastReruns", False)  # as .streamlit/config.toml ships it
    yield
    config.set_option("runner.fastReruns", before)


def test_values_are_applied_before_a_newer_request_cuts_the_run_off(slow_reruns) -> None:
    assert rerun_guard.install() and rerun_guard.installed()
    calls: list[str] = []

    def newer_request_waiting() -> None:
        calls.append("check")
        raise NewerRequest

    safe = SafeSessionState(SessionState(), newer_request_waiting)
    note = "$$ID-note-cmp_notes"
    with pytest.raises(NewerRequest):  # the run is still cut off …
        safe.on_script_will_rerun(_carrying(note, "Evening classes only."))
    assert calls == ["check"]
    assert note in safe._state._new_widget_state.states  # … but the note it carried is in


def test_with_fast_reruns_the_old_thread_leaves_the_state_alone() -> None:
    rerun_guard.install()
    before = config.get_option("runner.fastReruns")
    config.set_option("runner.fastReruns", True)
    try:
        def stop() -> None:
            raise NewerRequest

        safe = SafeSessionState(SessionState(), stop)
        with pytest.raises(NewerRequest):
            safe.on_script_will_rerun(_carrying("$$ID-x-k", "stale"))
        assert "$$ID-x-k" not in safe._state._new_widget_state.states  # Streamlit's own order
    finally:
        config.set_option("runner.fastReruns", before)


def test_the_shipped_settings_keep_reruns_from_cutting_runs_off() -> None:
    import tomllib

    from tests.conftest import ROOT

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["fastReruns"] is False
    assert settings["browser"]["gatherUsageStats"] is False  # nothing about the app's use is sent out
    assert settings["client"]["toolbarMode"] == "minimal"  # no Deploy button, no developer menu
    assert settings["client"]["showErrorDetails"] == "none" and settings["client"]["showErrorLinks"] is False
