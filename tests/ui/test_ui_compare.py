"""The advisor's page, driven with AppTest: what-if columns, the trade-off chart, exports, plan files."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

PAGE = "from planner.ui.compare_page import page\npage()\n"


def _app(**query: str) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_compare_renders_current_plan_what_ifs_and_tradeoff() -> None:
    at = _app(target="role:data-analyst")
    _ok(at)
    assert [s.value for s in at.subheader][:2] == ["Current plan", "What if A"]
    charts = at.get("plotly_chart")
    assert len(charts) >= 4  # Pareto + the chosen route's timeline, pathway graph and Sankey
    at.radio(key="cmp_n").set_value(3).run()
    _ok(at)
    assert "What if B" in [s.value for s in at.subheader]


def test_excluding_a_provider_shows_a_different_route(sample_catalogue) -> None:
    at = _app(target="role:data-analyst")
    card_titles = [m.value for m in at.markdown if m.value.startswith("**Route")]
    assert len(card_titles) >= 2  # the current plan's card and the what-if's
    assert not [c for c in at.caption if c.value.startswith("Differs from the current plan")]
    assert "The same credentials as the current plan." in [c.value for c in at.caption]
    at.multiselect(key="cmp1_avoid").set_value(["openskills-academy"]).run()
    _ok(at)
    differs = [c.value for c in at.caption if c.value.startswith("Differs from the current plan")]
    assert len(differs) == 1
    bootcamp = sample_catalogue.credential("lg-data-analyst-bootcamp").title
    assert bootcamp in differs[0].replace("\\", "")
    assert "+" in differs[0] and "−" in differs[0]
    cost = [m for m in at.metric if m.label.startswith("Cost")]
    assert cost[-1].delta not in (None, "+0")  # the difference is highlighted


def test_adding_a_held_credential_makes_the_route_cheaper() -> None:
    at = _app(target="role:data-analyst")
    at.multiselect(key="cmp1_add").set_value(["osa-data-cleaning"]).run()
    _ok(at)
    cost = [m for m in at.metric if m.label.startswith("Cost")]
    assert cost[-1].delta.startswith("-")


def test_exports_contain_the_route(downloads: dict[str, bytes], sample_catalogue) -> None:
    export = pytest.importorskip("planner.outputs.export", reason="planner/outputs/export.py is not written yet")
    at = _app(target="role:data-analyst")
    at.text_area(key="cmp_notes").set_value("Talk to the bootcamp about evening classes.").run()
    _ok(at)
    labels = {b.label for b in at.get("download_button")}
    assert {"Markdown handout", "PDF handout", "Plan file (JSON)"} <= labels
    route_rank = at.radio(key="cmp_route").value
    md = downloads["plan.md"].decode()
    plan = export.plan_from_json(downloads["plan.json"].decode())
    chosen = tuple(plan.chosen)
    for cid in chosen:
        assert sample_catalogue.credential(cid).title in md
    assert "Talk to the bootcamp about evening classes." in md
    assert str(plan.target) == "role:data-analyst" and plan.notes == "Talk to the bootcamp about evening classes."
    assert route_rank == 1


def test_plan_file_loads_back_exactly(downloads: dict[str, bytes]) -> None:
    pytest.importorskip("planner.outputs.export", reason="planner/outputs/export.py is not written yet")
    at = _app(target="role:data-analyst", budget="3000", hours_per_week="15", start="2027-02-01",
              modes="online,blended")
    at.text_area(key="cmp_notes").set_value("Second route: cheaper in the long run.").run()
    at.radio(key="cmp_route").set_value(2).run()
    _ok(at)
    original = downloads["plan.json"]

    fresh = _app(target="role:energy-manager")  # another session: different target and constraints
    assert fresh.session_state["sc_target"] == "role:energy-manager"
    fresh.file_uploader(key="cmp_plan_upload").set_value(("plan.json", original, "application/json")).run()
    _ok(fresh)
    fresh.button(key="cmp_restore").click().run()
    _ok(fresh)
    assert any(s.value.startswith("Plan restored") for s in fresh.success)
    assert fresh.session_state["sc_target"] == "role:data-analyst"
    assert fresh.radio(key="cmp_route").value == 2
    assert fresh.text_area(key="cmp_notes").value == "Second route: cheaper in the long run."
    downloads.clear()
    fresh.run()
    assert downloads["plan.json"] == original


def test_a_broken_plan_file_is_reported() -> None:
    pytest.importorskip("planner.outputs.export", reason="planner/outputs/export.py is not written yet")
    at = _app(target="role:data-analyst")
    at.file_uploader(key="cmp_plan_upload").set_value(("plan.json", b"{not json", "application/json")).run()
    assert not at.exception
    assert any(e.value.startswith("That plan file could not be opened") for e in at.error)
