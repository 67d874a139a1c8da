"""The advisor's and learner's journey, driven with AppTest: work kept across pages and plans,
what-if diagnoses, fewer routes than asked, the full share link, the cost × time chart, handouts,
and the explorer's header."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from planner.ui.compare_page import pareto_labels

# the app frame's state keeping, with a session-state switch standing in for the navigation
TWO_PAGES = """
import streamlit as st
from planner.ui.scenario_form import keep_state
from planner.ui.workspace import keep
keep_state()
keep()
if st.session_state.get("which", "compare") == "compare":
    from planner.ui.compare_page import page
else:
    from planner.ui.explore_page import page
page()
"""
COMPARE = "from planner.ui.compare_page import page\npage()\n"
PLAN = "from planner.ui.plan_page import page\npage()\n"


def _app(script: str, *, url: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_string(script, default_timeout=90)
    if url:
        at.context = {"url": url}
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _card_costs(at: AppTest) -> list[str]:
    return [m.value for m in at.metric if m.label.startswith("Cost")]


def test_notes_and_what_ifs_survive_a_page_change() -> None:
    at = _app(TWO_PAGES, target="role:data-analyst")
    _ok(at)
    at.text_area(key="cmp_notes").set_value("Prefers evening classes.").run()
    at.multiselect(key="cmp1_avoid").set_value(["openskills-academy"]).run()
    at.checkbox(key="cmp1_use_budget").check().run()
    at.number_input(key="cmp1_budget").set_value(5000.0).run()
    costs = _card_costs(at)
    at.session_state["which"] = "explore"
    at.run()
    _ok(at)
    assert not [t for t in at.text_area]  # another page: the compare widgets are not drawn
    at.run()  # a second run on the other page, when Streamlit drops undrawn widgets' state
    at.session_state["which"] = "compare"
    at.run()
    _ok(at)
    assert at.text_area(key="cmp_notes").value == "Prefers evening classes."
    assert at.multiselect(key="cmp1_avoid").value == ["openskills-academy"]
    assert at.checkbox(key="cmp1_use_budget").value is True
    assert at.number_input(key="cmp1_budget").value == 5000.0
    assert _card_costs(at) == costs
    assert [c for c in at.caption if c.value.startswith("Differs from the current plan")]


def test_notes_and_what_ifs_are_kept_per_plan() -> None:
    at = _app(TWO_PAGES, target="role:data-analyst")
    at.text_area(key="cmp_notes").set_value("Analyst: wants SQL first.").run()
    at.multiselect(key="cmp1_avoid").set_value(["openskills-academy"]).run()
    at.session_state["sc_target"] = "role:energy-manager"  # another plan
    at.run()
    _ok(at)
    assert at.text_area(key="cmp_notes").value == ""
    assert at.multiselect(key="cmp1_avoid").value == []
    at.text_area(key="cmp_notes").set_value("Energy: ask about grants.").run()
    at.session_state["sc_target"] = "role:data-analyst"
    at.run()
    assert at.text_area(key="cmp_notes").value == "Analyst: wants SQL first."
    assert at.multiselect(key="cmp1_avoid").value == ["openskills-academy"]
    at.session_state["sc_target"] = "role:energy-manager"
    at.run()
    assert at.text_area(key="cmp_notes").value == "Energy: ask about grants."


def test_a_what_if_without_a_route_shows_its_diagnosis() -> None:
    at = _app(COMPARE, target="role:data-analyst")
    at.checkbox(key="cmp1_use_budget").check().run()
    at.number_input(key="cmp1_budget").set_value(20.0).run()
    _ok(at)
    assert "No route reaches this target with these constraints." in [e.value for e in at.error]
    budget_reason = [t.value for t in at.text if "above your budget of 20 EUR" in t.value]
    assert budget_reason, [t.value for t in at.text][:10]
    assert [c.value for c in at.caption if c.value.startswith("Would fix it: budget")]
    assert not [b for b in at.button if b.label.startswith("Apply:")]  # the what-if is not the form


def test_fewer_routes_than_asked_are_said(sample_catalogue) -> None:
    at = _app(PLAN, target="role:ict-security-administrator", alternatives="10")
    _ok(at)
    cards = [m.value for m in at.markdown if m.value.startswith("**Route")]
    notes = [i.value for i in at.info if i.value.startswith("Only ")]
    assert notes == [f"Only {len(cards)} routes reach this target with these constraints (you asked for 10): "
                     "there are no other ways to get there."]
    at = _app(PLAN, target="role:data-analyst", alternatives="3")
    assert not [i for i in at.info if i.value.startswith("Only ")]


def test_the_share_link_is_absolute_and_complete() -> None:
    at = _app(PLAN, url="http://planner.example.org:8501/plan", target="role:data-analyst", budget="1500",
              hours_per_week="12", modes="online")
    _ok(at)
    links = [c.value for c in at.code]
    assert len(links) == 1
    link = links[0]
    assert link.startswith("http://planner.example.org:8501/plan?target=role%3Adata-analyst&")
    for part in ("budget=1500", "currency=EUR", "hours_per_week=12", "modes=online", "start="):
        assert part in link, part
    from urllib.parse import parse_qsl, urlsplit

    from planner.engine.scenario import from_query

    restored = from_query(dict(parse_qsl(urlsplit(link).query)))
    assert restored.budget == 1500 and restored.hours_per_week == 12 and restored.target == "role:data-analyst"


def test_one_point_on_the_trade_off_is_said_in_words() -> None:
    at = _app(COMPARE, target="role:energy-manager")
    _ok(at)
    said = [i.value for i in at.info if i.value.startswith("Only one route is on the cost × time trade-off")]
    assert len(said) == 1 and re.search(r"\((Route \d+|Trade-off 1): [\d,]+ EUR, \d+ weeks\)", said[0])
    assert "cmp_pareto" not in [c.key for c in at.get("plotly_chart") if hasattr(c, "key")]


def test_pareto_points_are_named_like_the_route_cards(sample_catalogue) -> None:
    import datetime as dt

    from planner.engine.routing import pareto, recommend
    from planner.engine.scenario import Scenario

    scenario = Scenario(target="role:data-scientist", start=dt.date(2027, 1, 4))
    args = (sample_catalogue, scenario.to_profile(), scenario.to_target())
    ranked = recommend(*args, alternatives=3, today=scenario.start).routes
    front = pareto(*args, today=scenario.start)
    labels = pareto_labels(front, ranked)
    for route, label in zip(front, labels, strict=True):
        same = [r for r in ranked if set(r.credential_ids) == set(route.credential_ids)]
        assert label == (f"Route {same[0].rank}" if same else label)
        assert label.startswith("Route ") or label.startswith("Trade-off ")
    others = [x for x in labels if x.startswith("Trade-off")]
    assert others == [f"Trade-off {i}" for i in range(1, len(others) + 1)]
    from planner.outputs.plots.route import pareto_chart

    fig = pareto_chart(front, labels=labels)
    points = fig.data[0]
    assert sorted(points.customdata) == list(range(len(front)))
    for index, text in zip(points.customdata, points.text, strict=True):
        assert text == labels[index]  # a selected point's customdata names its route
    with pytest.raises(ValueError, match="labels"):
        pareto_chart(front, labels=labels[:-1])


def test_handout_has_the_learner_what_ifs_and_notes(downloads: dict[str, bytes], sample_catalogue) -> None:
    at = _app(COMPARE, target="role:data-analyst", budget="3000", hours_per_week="12")
    at.text_area(key="cmp_notes").set_value("Bring the transcript.").run()
    at.multiselect(key="cmp1_avoid").set_value(["openskills-academy"]).run()
    _ok(at)
    md = downloads["plan.md"].decode()
    assert "- **Budget:** 3,000 EUR" in md and "- **Weekly study hours:** at most 12" in md
    provider = sample_catalogue.provider("openskills-academy").name
    assert f"### What if A: excluding {provider}" in md
    assert "## Advisor's notes\n\nBring the transcript." in md
    rank = at.radio(key="cmp_route").value
    assert f"## Summary: Route {rank}" in md
    # titles, never ids: no credential, provider or role id appears in the handout
    ids = {c.id for c in sample_catalogue.credentials} | {p.id for p in sample_catalogue.providers}
    words = set(md.replace("(", " ").replace(")", " ").replace(",", " ").split())
    assert not ids & words, [line for line in md.splitlines() if ids & set(line.split())]
    assert "data-analyst" not in md


def test_the_explorer_header_follows_the_search(sample_catalogue) -> None:
    at = _app("from planner.ui.explore_page import page\npage()\n")
    at.selectbox(key="ex_detail").set_value("nhu-machine-learning").run()
    _ok(at)
    ml = sample_catalogue.credential("nhu-machine-learning")
    assert at.subheader[0].value.replace("\\", "").startswith(ml.title)
    at.text_input(key="ex_q").set_value("energy").run()
    _ok(at)
    shown = at.selectbox(key="ex_detail").value
    assert shown != "nhu-machine-learning"
    header = at.subheader[0].value.replace("\\", "")
    assert header.startswith(sample_catalogue.credential(shown).title)
    assert at.text[0].value == sample_catalogue.credential(shown).title  # the details below are of it too


def test_diagnoses_name_providers_not_ids(sample_catalogue) -> None:
    import datetime as dt

    from planner.engine.routing import recommend
    from planner.engine.scenario import Scenario

    scenario = Scenario(target="role:data-analyst", start=dt.date(2027, 1, 4), hours_per_week=12,
                        avoid_providers=["openskills-academy", "learngrid"])
    rec = recommend(sample_catalogue, scenario.to_profile(), scenario.to_target(), today=scenario.start)
    excluded = [d.message for d in rec.diagnoses if d.code == "excluded"]
    assert excluded, [d.message for d in rec.diagnoses]
    assert "OpenSkills Academy" in excluded[0] or sample_catalogue.provider("learngrid").name in excluded[0]
    assert "openskills-academy" not in excluded[0] and "learngrid" not in excluded[0]


def test_key_findings_and_coverage_tables_use_titles(sample_catalogue) -> None:
    from planner.outputs.report import _findings, build_report
    from planner.ui.coverage_page import coverage_rows, dead_end_rows, gap_rows, orphan_rows

    report = build_report(sample_catalogue, reachability=False, whatif=False)
    findings = " ".join(_findings(report))
    ids = {c.id for c in sample_catalogue.credentials} | {p.id for p in sample_catalogue.providers} \
        | {r.id for r in sample_catalogue.roles}
    words = set(findings.replace(",", " ").replace(";", " ").replace(".", " ").split())
    assert not ids & words, ids & words
    not_stackable = [a for a in report.coverage.awards if not a.stackable]
    if not_stackable:
        assert not_stackable[0].title in findings
    assert report.name("provider", "openskills-academy") == "OpenSkills Academy"
    assert report.name("role", "nobody") == "nobody"
    names = {p.name for p in sample_catalogue.providers}
    rows = coverage_rows(report.coverage, sample_catalogue)
    assert rows and all(r["provider"] in names for r in rows)
    for row in orphan_rows(report.orphans, sample_catalogue) + dead_end_rows(report.orphans, sample_catalogue):
        assert row["provider"] in names
    titles = {r.title for r in sample_catalogue.roles}
    for row in gap_rows(report.gaps, sample_catalogue):
        blocked = [x for x in row["blocked roles"].split(", ") if x]
        assert all(x in titles for x in blocked), blocked


def test_the_best_agreement_finding_names_credentials_and_providers(sample_catalogue) -> None:
    import dataclasses

    from planner.analysis.recognition import CandidateAgreement, TargetEffect, WhatIfResult
    from planner.outputs.report import _findings, build_report

    report = build_report(sample_catalogue, reachability=False, whatif=False)
    award = sample_catalogue.awards[0]
    credential = next(c for c in sample_catalogue.credentials if c.provider != award.provider)
    candidate = CandidateAgreement(
        credential_id=credential.id, award_id=award.id, provider_id=award.provider,
        credential_provider_id=credential.provider, credits=5.0, pool=None, equivalent_to=None, overlap=(),
        effects=(TargetEffect(target=f"award:{award.id}", before=None, after=900.0),))
    fields = {f.name for f in dataclasses.fields(WhatIfResult)}
    whatif = WhatIfResult(**{name: {"candidates": (candidate,), "currency": "EUR", "engine_available": True}.get(
        name, ()) for name in fields})
    sentence = [f for f in _findings(dataclasses.replace(report, whatif=whatif)) if f.startswith("Best new")]
    assert sentence == [f"Best new recognition agreement: {credential.title} "
                        f"({sample_catalogue.provider(credential.provider).name}) towards {award.title} "
                        "would unlock 1 target(s)."]


def test_notes_and_what_ifs_survive_a_page_change_through_the_app_frame() -> None:
    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["target"] = "role:data-analyst"
    at.run()
    # st.navigation registers function pages by url path; select one the way a browser does
    pages = {info.get("url_pathname"): h for h, info in at._registered_pages.items()}
    at._page_hash = pages["compare"]
    at.run()
    _ok(at)
    at.text_area(key="cmp_notes").set_value("Prefers evening classes.").run()
    at.multiselect(key="cmp1_add").set_value(["osa-data-cleaning"]).run()
    for path in ("explore", "plan", "compare"):
        at._page_hash = pages[path]
        at.run()
        _ok(at)
    assert at.text_area(key="cmp_notes").value == "Prefers evening classes."
    assert at.multiselect(key="cmp1_add").value == ["osa-data-cleaning"]
