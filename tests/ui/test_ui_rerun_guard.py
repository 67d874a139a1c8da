"""planner.ui.rerun_guard: a value the browser sent reaches the script, whatever request follows.

On a busy server a note committed just before a page change was dropped in two places:
waiting requests merged with the page change's values replacing the note's, and a request
just taken checking for a newer one before applying its values. The browser load test
(tests/browser/test_load_sessions.py) shows it with 20 sessions; here each moment is made
directly.
"""

from __future__ import annotations

import pytest
from streamlit import config
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests
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


def test_a_page_change_merged_with_a_waiting_commit_keeps_the_commit(slow_reruns) -> None:
    assert rerun_guard.install() and rerun_guard.installed()
    note, picker = "$$ID-note-cmp_notes", "$$ID-picker-lp_learner"
    waiting = ScriptRequests()
    waiting.request_rerun(RerunData(widget_states=_carrying(note, "Evening classes only."), page_script_hash="compare"))
    # the page change: only the sidebar's widgets, and the picker's newer value
    newer = _carrying(picker, "Lena")
    waiting.request_rerun(RerunData(widget_states=newer, page_script_hash="plan"))
    data = waiting.on_scriptrunner_ready().rerun_data
    values = {w.id: w.string_value for w in data.widget_states.widgets}
    assert data.page_script_hash == "plan"  # the newer request's page …
    assert values == {picker: "Lena", note: "Evening classes only."}  # … with the note still in it
    # a widget both carry: the newer value wins, as before
    again = ScriptRequests()
    again.request_rerun(RerunData(widget_states=_carrying(note, "old"), page_script_hash="compare"))
    again.request_rerun(RerunData(widget_states=_carrying(note, "new"), page_script_hash="compare"))
    assert [w.string_value for w in again.on_scriptrunner_ready().rerun_data.widget_states.widgets] == ["new"]


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
