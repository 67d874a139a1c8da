"""Every page catches its own errors: bad input is said plainly, a bug asks to be reported."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

import planner.ui.compare_page
import planner.ui.coverage_page
import planner.ui.explore_page
import planner.ui.plan_page
import planner.ui.upload_page
from tests.conftest import ROOT

PAGES = {
    "plan_page": (planner.ui.plan_page, "scenario_form"),
    "compare_page": (planner.ui.compare_page, "current_scenario"),
    "explore_page": (planner.ui.explore_page, "keep_valid"),
    "coverage_page": (planner.ui.coverage_page, "_scope"),
    "upload_page": (planner.ui.upload_page, "read_upload"),
}


def _run(module: str) -> AppTest:
    at = AppTest.from_string(f"from planner.ui.{module} import page\npage()\n", default_timeout=60)
    if module == "upload_page":
        at.run()
        at.file_uploader(key="up_files").set_value(("a.yaml", b"meta: {}\n", "application/yaml"))
    return at.run()


@pytest.mark.parametrize("module", sorted(PAGES))
def test_a_bug_shows_internal_error_never_a_traceback(monkeypatch, caplog, module: str) -> None:
    owner, name = PAGES[module]

    def broken(*args, **kwargs):
        raise KeyError("secret-internal-detail <b>x</b>")

    monkeypatch.setattr(owner, name, broken)
    with caplog.at_level(logging.ERROR, logger="planner.ui"):
        at = _run(module)
    assert not at.exception, [e.value[:200] for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "internal error, please report it" in errors
    assert "secret-internal-detail" not in errors  # the learner never sees the bug's text …
    assert "secret-internal-detail" in caplog.text  # … the server log has it, with the reference
    ref = errors.split("reference ")[1][:8]
    assert ref in caplog.text


@pytest.mark.parametrize("exc", [OverflowError("date value out of range"), RecursionError(),
                                 UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")])
def test_bad_input_is_said_plainly(monkeypatch, exc: Exception) -> None:
    def hostile(*args, **kwargs):
        raise exc

    monkeypatch.setattr(planner.ui.plan_page, "scenario_form", hostile)
    at = _run("plan_page")
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "failed:" in errors and "internal error" not in errors
    assert ("out of range" in errors) or ("too deeply" in errors) or ("utf" in errors.lower())


def test_the_app_frame_never_says_this_page_failed() -> None:
    # a link that once broke the page, through the whole app (navigation, frame, page)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["target"] = "role:data-analyst"
    at.query_params["have"] = "osa-sql-basics@2024-01-01,osa-sql-basics@2024-02-01"
    at.query_params["start"] = "9999-12-01"
    at.run()
    assert not at.exception, [e.value[:200] for e in at.exception]
    assert not any("This page failed" in e.value for e in at.error)
    assert any(m.value.startswith("**Route 1**") for m in at.markdown)
