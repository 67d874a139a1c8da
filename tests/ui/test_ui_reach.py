"""The "Where can I get?" page (AppTest): the ranked list, chart and table, filters, next step, open on Plan."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from planner.catalogue.models import LearnerProfile
from planner.engine.reach import ReachOptions, reach
from tests.conftest import ROOT


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    pages = {info.get("url_pathname") or "plan": h for h, info in app._registered_pages.items()}
    app.session_state["sc_start"] = dt.date(2026, 9, 1)
    app._page_hash = pages["reach"]
    return app.run()


def _table_targets(at: AppTest) -> list[str]:
    return list(at.table[0].value["target"])


def test_the_page_lists_the_closest_targets_as_the_library_ranks_them(at, sample_catalogue) -> None:
    _ok(at)
    assert [h.value for h in at.header] == ["Where can I get?"]
    expected = reach(sample_catalogue, LearnerProfile.model_validate({"constraints": {"start": "2026-09-01"}}),
                     ReachOptions(top=10))
    # the table beside the chart is its text alternative: the same ten targets, in rank order
    assert _table_targets(at) == [e.title for e in expected.ranked]
    assert len(at.get("plotly_chart")) == 1
    assert any(m.value.startswith("Take ") and "closest to you" in m.value for m in at.markdown)
    opens = [b for b in at.button if (b.key or "").startswith("reach_open_")]
    assert [b.key.removeprefix("reach_open_") for b in opens] == [e.target for e in expected.ranked]
    assert any("Onshore wind energy engineer" in m.value for m in at.markdown)  # unreachable, with its reason


def test_filters_and_what_you_hold_change_the_answer(at, sample_catalogue) -> None:
    at.radio(key="reach_kind").set_value("award").run()
    _ok(at)
    awards = {a.title for a in sample_catalogue.awards}
    assert _table_targets(at) and set(_table_targets(at)) <= awards
    at.slider(key="reach_top").set_value(3).run()
    assert len(_table_targets(at)) == 3
    before = list(at.table[0].value.iloc[:, 3])
    at.multiselect(key="sc_held").set_value(["nhu-sql-databases"]).run()
    _ok(at)
    assert list(at.table[0].value.iloc[:, 3]) != before  # holding a component lowers an award's route


def test_open_on_plan_shows_that_route(at) -> None:
    opens = [b for b in at.button if (b.key or "").startswith("reach_open_")]
    target = opens[2].key.removeprefix("reach_open_")
    opens[2].click().run()
    _ok(at)
    assert [h.value for h in at.header] == ["Plan a route"]
    assert at.session_state["sc_target"] == target
    assert at.button(key="rec_save")  # and it can be saved there
