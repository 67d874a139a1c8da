"""Links restore what they carry: a compare link the comparison, a link on a compiled catalogue its scenario.

Driven with AppTest. A compare link carries the plan and its what-ifs (never the notes: a
link ends up in browser histories and server logs); opening it shows the same columns with
the same changes. On a compiled catalogue (``PLANNER_CATALOGUE``) a link's target and the
rest of its scenario are restored, and a target the catalogue lacks is said, not replaced
silently by the first target found.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from planner.ui.text import md_escape
from tests.conftest import CATALOGUE_DIR, ROOT

COMPARE = "from planner.ui.compare_page import page\npage()\n"


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _link(at: AppTest) -> dict[str, list[str]]:
    [code] = [c.value for c in at.code if "target=" in c.value]
    return parse_qs(urlparse(code).query)


def test_a_compare_link_carries_the_what_ifs_and_opens_the_same_comparison() -> None:
    at = AppTest.from_string(COMPARE, default_timeout=90)
    at.query_params["target"] = "role:data-analyst"
    at.run()
    at.radio(key="cmp_n").set_value(3).run()
    at.checkbox(key="cmp1_use_budget").check().run()
    at.number_input(key="cmp1_budget").set_value(600.0).run()
    at.multiselect(key="cmp2_avoid").set_value(["openskills-academy"]).run()
    at.text_area(key="cmp_notes").set_value("Private: discussed money.").run()
    _ok(at)
    link = _link(at)
    assert link["whatif1"] == ["budget=600;hours=none;avoid=;add="]
    assert link["whatif2"] == ["budget=none;hours=none;avoid=openskills-academy;add="]
    assert "Private" not in " ".join(v for values in link.values() for v in values)
    costs = [m.value for m in at.metric if m.label.startswith("Cost")]
    # someone opens the link in a new session
    other = AppTest.from_string(COMPARE, default_timeout=90)
    for key, values in link.items():
        other.query_params[key] = values[-1]
    other.run()
    _ok(other)
    assert other.radio(key="cmp_n").value == 3
    assert other.number_input(key="cmp1_budget").value == 600.0 and other.checkbox(key="cmp1_use_budget").value
    assert other.multiselect(key="cmp2_avoid").value == ["openskills-academy"]
    assert [m.value for m in other.metric if m.label.startswith("Cost")] == costs
    assert other.text_area(key="cmp_notes").value == ""


def test_a_broken_what_if_in_a_link_is_said_and_the_rest_opens() -> None:
    at = AppTest.from_string(COMPARE, default_timeout=90)
    at.query_params.update({"target": "role:data-analyst", "whatif1": "budget=lots", "whatif2": "hours=12"})
    at.run()
    _ok(at)
    assert [w.value for w in at.warning] == [md_escape(
        "Part of the shared link was left out: whatif1: 'budget=lots' left out ('lots' is not a number)")]
    # the second what-if became the first column
    assert at.radio(key="cmp_n").value == 2 and at.number_input(key="cmp1_hours").value == 12.0


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> str:
    from planner.store.catalogue.build import build

    url = f"sqlite:///{tmp_path_factory.mktemp('compiled') / 'bundled.db'}"
    assert build([CATALOGUE_DIR], url).ok
    return url


def _on_store(monkeypatch, url: str, **query: str) -> AppTest:
    monkeypatch.setenv("PLANNER_CATALOGUE", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_a_link_on_a_compiled_catalogue_restores_its_scenario(monkeypatch, compiled, tmp_path) -> None:
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite3'}")
    at = _on_store(monkeypatch, compiled, target="role:energy-manager", budget="2500", hours_per_week="12",
                   have="no-such-course@2026-01-01")
    _ok(at)
    picker = at.selectbox(key="sc_target")
    assert picker.value == "role:energy-manager" and picker.format_func(picker.value) == "Role · Energy manager"
    assert at.number_input(key="sc_budget").value == 2500.0 and at.number_input(key="sc_hours").value == 12.0
    # what could not be applied is said
    assert any("no-such-course" in w.value and "left out" in w.value for w in at.warning)


def test_a_link_to_a_target_the_compiled_catalogue_lacks_says_so(monkeypatch, compiled, tmp_path) -> None:
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite3'}")
    at = _on_store(monkeypatch, compiled, target="role:astronaut", budget="2500")
    _ok(at)
    assert [w.value for w in at.warning][:1] == [md_escape(
        "The shared link's target 'role:astronaut' is not in this catalogue: choose a target, the rest of the "
        "link was not applied.")]
    assert at.number_input(key="sc_budget").value != 2500.0 or not at.checkbox(key="sc_use_budget").value
