"""The learner's page, driven with Streamlit's AppTest: targets, constraints, diagnoses, links."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from planner.engine.routing import recommend
from planner.engine.scenario import Scenario

PAGE = "from planner.ui.plan_page import page\npage()\n"


def _app(**query: str) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _step_titles(at: AppTest) -> list[str]:
    # step headings are "**1. Title** · dates", with the title escaped for Markdown
    out = []
    for m in at.markdown:
        head = m.value.split("** · ")[0]
        if head.startswith("**") and ". " in head and head[2].isdigit():
            out.append(head.split(". ", 1)[1].replace("\\", ""))
    return out


def _expected_titles(catalogue, target: str, start: dt.date) -> list[str]:
    s = Scenario(target=target, start=start)
    rec = recommend(catalogue, s.to_profile(), s.to_target(), alternatives=3, today=start)
    return [step.title for step in rec.best.steps]


def test_default_page_shows_routes_and_charts() -> None:
    at = _app()
    _ok(at)
    assert any(m.value.startswith("**Route 1**") for m in at.markdown)
    assert len(at.get("plotly_chart")) == 3  # timeline, pathway graph, credit Sankey
    assert [t.label for t in at.tabs][:4] == ["Steps", "Timeline", "Pathway", "Credit stacking"]


def test_choosing_a_target_changes_the_route(sample_catalogue) -> None:
    at = _app()
    at.selectbox(key="sc_target").set_value("role:data-analyst").run()
    _ok(at)
    start = at.date_input(key="sc_start").value
    analyst = _step_titles(at)
    assert analyst == _expected_titles(sample_catalogue, "role:data-analyst", start)
    at.selectbox(key="sc_target").set_value("role:energy-manager").run()
    manager = _step_titles(at)
    assert manager == _expected_titles(sample_catalogue, "role:energy-manager", start)
    assert manager != analyst
    assert at.query_params["target"] == "role:energy-manager"  # the URL follows, for sharing


def _infeasible_then_apply(at: AppTest) -> AppTest:
    assert any("No route reaches this target" in e.value for e in at.error)
    buttons = [b for b in at.button if (b.key or "").startswith("relax_")]
    assert buttons, [t.value for t in at.text]
    buttons[0].click().run()
    _ok(at)
    assert not at.error, [e.value for e in at.error]
    assert any(m.value.startswith("**Route 1**") for m in at.markdown)
    return at


def test_budget_too_low_shows_diagnosis_and_apply_makes_it_feasible() -> None:
    at = _app(target="role:data-analyst", budget="10", currency="EUR")
    _ok(at)
    assert at.checkbox(key="sc_use_budget").value is True
    assert any("cheapest route costs" in t.value for t in at.text)
    _infeasible_then_apply(at)
    assert at.number_input(key="sc_budget").value > 10


def test_changing_a_constraint_in_the_form_diagnoses() -> None:
    at = _app(target="role:data-analyst")
    at.checkbox(key="sc_use_budget").check().run()
    at.number_input(key="sc_budget").set_value(20.0).run()
    _ok(at)
    _infeasible_then_apply(at)


def test_deadline_too_early_and_apply() -> None:
    start = dt.date.today()
    at = _app(target="role:data-analyst", start=start.isoformat(),
              deadline=(start + dt.timedelta(days=7)).isoformat())
    _ok(at)
    assert any("deadline" in t.value for t in at.text)
    _infeasible_then_apply(at)
    assert at.date_input(key="sc_deadline").value > start + dt.timedelta(days=7)


def test_excluded_provider_and_apply() -> None:
    # every route to this role uses Levante FP or Norrland YH; avoiding both blocks it
    at = _app(target="role:phlebotomist", avoid_providers="levante-fp,norrland-yh")
    _ok(at)
    _infeasible_then_apply(at)
    assert at.multiselect(key="sc_avoid_providers").value != ["levante-fp", "norrland-yh"]


@pytest.mark.parametrize("query", [
    {"hours_per_week": "1"},
    {"modes": "onsite"},
    {"countries": "SE"},
    {"budget": "100", "hours_per_week": "2", "start": "2026-12-01", "deadline": "2027-01-01"},  # combined
])
def test_other_relaxations_make_the_target_reachable(query: dict[str, str]) -> None:
    at = _app(target="role:data-analyst", **query)
    _ok(at)
    _infeasible_then_apply(at)


def test_catalogue_gap_is_diagnosed_without_a_relaxation() -> None:
    at = _app(target="role:onshore-wind-energy-engineer")
    _ok(at)
    assert any("No route reaches this target" in e.value for e in at.error)
    assert any("Nobody in the catalogue teaches" in t.value for t in at.text)
    assert not [b for b in at.button if (b.key or "").startswith("relax_")]


def test_shareable_link_restores_the_scenario() -> None:
    at = _app(target="award:nhu-cert-applied-data-analytics", have="osa-sql-basics@2025-03-01",
              know="python-programming=2", budget="5000", currency="EUR", hours_per_week="12",
              start="2027-01-04", modes="online", avoid_providers="learngrid", objective="time",
              alternatives="2")
    _ok(at)
    assert at.selectbox(key="sc_target").value == "award:nhu-cert-applied-data-analytics"
    assert at.multiselect(key="sc_held").value == ["osa-sql-basics"]
    assert at.date_input(key="sc_held_date_osa-sql-basics").value == dt.date(2025, 3, 1)
    assert at.checkbox(key="sc_use_budget").value and at.number_input(key="sc_budget").value == 5000
    assert at.checkbox(key="sc_use_hours").value and at.number_input(key="sc_hours").value == 12
    assert at.date_input(key="sc_start").value == dt.date(2027, 1, 4)
    assert at.multiselect(key="sc_modes").value == ["online"]
    assert at.multiselect(key="sc_avoid_providers").value == ["learngrid"]
    assert at.radio(key="sc_objective").value == "time"
    assert at.slider(key="sc_alternatives").value == 2


@pytest.mark.parametrize(("query", "expected"), [
    # a bad value is left out and the rest of the link kept; a bad target loses the link
    ({"target": "role:data-analyst", "budget": "lots"}, "Part of the shared link was left out: budget"),
    ({"target": "role:astronaut"}, "The shared link could not be opened: target"),
])
def test_broken_link_says_which_field(query: dict[str, str], expected: str) -> None:
    at = _app(**query)
    _ok(at)
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(expected) for w in warnings), warnings
    assert any(m.value.startswith("**Route 1**") for m in at.markdown)  # the page still works


def test_link_with_unknown_ids_keeps_the_rest() -> None:
    at = _app(target="role:data-analyst", have="osa-sql-basics@2025-03-01,ghost@2025-01-01")
    _ok(at)
    assert any("have: unknown credential 'ghost'" in w.value for w in at.warning)
    assert at.multiselect(key="sc_held").value == ["osa-sql-basics"]


def test_award_route_says_what_stacks_into_what(sample_catalogue) -> None:
    at = _app(target="award:nhu-cert-applied-data-analytics")
    _ok(at)
    title = sample_catalogue.credential("nhu-cert-applied-data-analytics").title
    stacks = [c.value.replace("\\", "") for c in at.caption if c.value.startswith("Stacks: ")]
    assert stacks and all(s.endswith(f"→ {title}") for s in stacks)
    at.radio(key="plan_timeline_by").set_value("week").run()
    _ok(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["xaxis"]["title"]["text"] == "weeks from the start"
    assert all(isinstance(bar["base"][0], int) for bar in spec["data"])  # week numbers, not dates


def test_credit_objective_is_offered_for_awards_only() -> None:
    at = _app(target="role:data-analyst", objective="credit")
    _ok(at)
    assert any("objective: 'credit' needs an award" in w.value for w in at.warning)
    assert at.radio(key="sc_objective").options == ["Lowest cost", "Earliest finish", "Least workload"]
    at.selectbox(key="sc_target").set_value("award:nhu-cert-applied-data-analytics").run()
    at.radio(key="sc_objective").set_value("credit").run()
    _ok(at)
    assert "Most credit towards the award" in at.radio(key="sc_objective").options
    at.selectbox(key="sc_target").set_value("role:data-analyst").run()  # back to a role: cost again
    _ok(at)
    assert at.radio(key="sc_objective").value == "cost"


def test_a_heavy_weekly_load_is_warned_about_until_hours_are_limited(sample_catalogue) -> None:
    # without an hours limit the cheapest route to this role runs several courses at once
    start = "2026-12-01"
    at = _app(target="role:database-administrator", start=start)
    _ok(at)
    s = Scenario(target="role:database-administrator", start=dt.date(2026, 12, 1))
    route = recommend(sample_catalogue, s.to_profile(), s.to_target(), today=s.start).best
    # the heaviest week, counted here from the schedule itself
    weeks = range(max(x.end_week for x in route.schedule))
    peak = max(sum(x.hours_per_week for x in route.schedule if x.start_week <= w < x.end_week) for w in weeks)
    assert peak > 40
    warnings = [w.value for w in at.warning if w.value.startswith("Heavy weekly load")]
    assert warnings and f"{peak:g} study hours a week" in warnings[0]
    at.checkbox(key="sc_use_hours").check().run()  # 10 hours a week: the schedule keeps to it
    _ok(at)
    assert not [w for w in at.warning if w.value.startswith("Heavy weekly load")]


def test_a_fix_that_avoids_no_provider_says_so_in_words() -> None:
    at = _app(target="role:phlebotomist", avoid_providers="levante-fp,norrland-yh")
    labels = [b.label for b in at.button if b.key and b.key.startswith("relax_")]
    assert labels == ["Apply: avoid only Norrland Yrkeshögskola"]  # a name, in words
    from planner.ui.plan_page import _describe

    assert _describe("avoid_providers", [], None) == "avoid no provider"  # never "avoid providers = any"
    assert _describe("modes", [], None) == "any mode"
    assert _describe("deadline", "2027-08-27", None) == "finish by 27 Aug 2027"  # the one date format
