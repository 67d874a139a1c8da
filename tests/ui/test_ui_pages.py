"""Every page through the app frame, the catalogue explorer and the coverage page, with AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from planner.ui.text import md_escape
from tests.conftest import ROOT

PAGES = {"plan": "Plan a route", "reach": "Where can I get?", "compare": "Compare and what-if", "coverage": "Coverage",
         "explore": "Explore the catalogue", "catalogue": "Your own catalogue"}
PAGES["caseload"] = "Caseload"  # the advisor's caseload (learner store)
PAGES["my-plan"] = "My plan"  # the single user is their own learner too
REFUSED = {"people": "People and caseloads", "figures": "Institution figures"}  # administrators' pages


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_every_page_renders_through_the_frame() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    _ok(at)
    assert [h.value for h in at.header] == ["Plan a route"]
    # st.navigation registers function pages by url path; AppTest.switch_page wants files,
    # so select the page the way a browser does: by the registered page hash
    pages = {info.get("url_pathname") or "plan": h for h, info in at._registered_pages.items()}
    assert set(pages) == set(PAGES) | set(REFUSED)  # the administrators' pages answer with a refusal
    target = at.session_state["sc_target"]
    for path, title in PAGES.items():
        at._page_hash = pages[path]
        at.run()
        _ok(at)
        assert [h.value for h in at.header] == [title], path
    for path, title in REFUSED.items():
        at._page_hash = pages[path]
        at.run()
        assert [h.value for h in at.header] == [title] and "is for administrators" in at.error[0].value
    # the scenario survives a round trip through the other pages
    assert at.session_state["sc_target"] == target


def test_scenario_form_keeps_its_values_across_pages() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    pages = {info.get("url_pathname") or "plan": h for h, info in at._registered_pages.items()}
    at.selectbox(key="sc_target").set_value("role:energy-manager").run()
    at.checkbox(key="sc_use_hours").check().run()
    at._page_hash = pages["explore"]
    at.run()
    at._page_hash = pages["plan"]
    at.run()
    _ok(at)
    assert at.selectbox(key="sc_target").value == "role:energy-manager"
    assert at.checkbox(key="sc_use_hours").value is True


# ----------------------------------------------------------------------------- explore


def _explore() -> AppTest:
    return AppTest.from_string("from planner.ui.explore_page import page\npage()\n", default_timeout=60).run()


def _table_ids(at: AppTest) -> list[str]:
    # the table shows titles, never ids; the bundled catalogue's titles are unique
    from planner.catalogue.loader import default_catalogue_dir, load

    by_title = {c.title: c.id for c in load(default_catalogue_dir()).credentials}
    table = at.dataframe[0].value
    assert "id" not in table.columns
    return [by_title[t] for t in table["title"]]


def test_explore_filters(sample_catalogue) -> None:
    at = _explore()
    _ok(at)
    assert len(_table_ids(at)) == len(sample_catalogue.credentials)
    at.text_input(key="ex_q").set_value("cloud").run()
    ids = _table_ids(at)
    assert ids and all("cloud" in (sample_catalogue.credential(i).title + " ".join(
        sample_catalogue.competency(t.competency).label for t in sample_catalogue.credential(i).teaches)).lower()
        for i in ids)
    at.text_input(key="ex_q").set_value("").run()
    at.multiselect(key="ex_mode").set_value(["online"]).run()
    at.slider(key="ex_eqf").set_range(6, 7).run()
    _ok(at)
    ids = _table_ids(at)
    expected = sorted(c.id for c in sample_catalogue.credentials
                      if "online" in c.participation and (c.eqf_level is None or 6 <= c.eqf_level <= 7))
    assert sorted(ids) == expected and ids
    assert at.caption[0].value == f"{len(ids)} of {len(sample_catalogue.credentials)} credentials"


def test_explore_detail_shows_every_eu_element_as_text(sample_catalogue) -> None:
    at = _explore()
    at.selectbox(key="ex_detail").set_value("nhu-machine-learning").run()
    _ok(at)
    cred = sample_catalogue.credential("nhu-machine-learning")
    texts = [t.value for t in at.text]
    assert cred.title in texts  # shown with st.text: exactly as typed, never as markup
    for outcome in cred.learning_outcomes:
        assert any(outcome in t for t in texts)
    headings = [m.value for m in at.markdown]
    for label in ("**Learning outcomes**", "**EQF level**", "**Quality assurance**", "**Prerequisites**"):
        assert label in headings
    assert len(at.get("plotly_chart")) == 1  # the neighbourhood graph


def test_md_escape_neutralises_markup() -> None:
    raw = "**Bold** <b>x</b> [link](http://e.vil) $x$ :red[hi]\n# heading"
    escaped = md_escape(raw)
    for token in ("**", "<b>", "](", "$x$", ":red[", "\n"):
        assert token not in escaped
    assert escaped.replace("\\", "") == " ".join(raw.split())


# ----------------------------------------------------------------------------- coverage


def _coverage() -> AppTest:
    return AppTest.from_string("from planner.ui.coverage_page import page\npage()\n", default_timeout=120).run()


def test_coverage_renders_tables_and_heatmap(sample_catalogue, downloads: dict[str, bytes]) -> None:
    at = _coverage()
    _ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Awards stackable"].endswith(f"of {len(sample_catalogue.awards)}")
    award_table = at.dataframe[0].value
    assert sorted(award_table["award"]) == sorted(a.title for a in sample_catalogue.awards)
    assert "id" not in award_table.columns
    charts = at.get("plotly_chart")
    assert len(charts) >= 4  # stacking bars, heatmap, gap bars, quality bars
    md = downloads["coverage-all.md"].decode().replace("\\", "")
    for award in sample_catalogue.awards:
        assert award.title in md
    assert {b.label for b in at.get("download_button")} == {"Markdown report", "HTML report"}


def test_coverage_scope_and_on_demand_searches(sample_catalogue, downloads: dict[str, bytes]) -> None:
    at = _coverage()
    at.radio(key="cov_scope").set_value("One award").run()
    at.selectbox(key="cov_award").set_value("nhu-cert-applied-data-analytics").run()
    _ok(at)
    assert list(at.dataframe[0].value["award"]) == ["Certificate in Applied Data Analytics"]
    before = downloads["coverage-award-nhu-cert-applied-data-analytics.md"].decode()
    assert "Role reachability" not in before and "Recognition what-if" not in before

    at.multiselect(key="cov_roles").set_value(["data-analyst"]).run()
    at.button(key="cov_reach_go").click().run()
    _ok(at)
    assert at.session_state["cov_reach_asked"] == ("data-analyst",)  # ids only in the session
    reach = next(df.value for df in at.dataframe if "from zero" in df.value.columns)
    assert list(reach["role"]) == ["Data analyst"] and list(reach["from zero"]) == ["yes"]

    at.button(key="cov_whatif_go").click().run()
    _ok(at)
    md = downloads["coverage-award-nhu-cert-applied-data-analytics.md"].decode()
    assert "Role reachability" in md and "| Data analyst |" in md
    assert "Recognition what-if" in md


def test_coverage_provider_scope() -> None:
    at = _coverage()
    at.radio(key="cov_scope").set_value("One provider").run()
    at.selectbox(key="cov_provider").set_value("aurora-uas").run()
    _ok(at)
    assert list(at.dataframe[0].value["award"]) == ["Specialisation Studies in Renewable Energy Systems"]
    at.radio(key="cov_heat_rows").set_value("roles").run()
    _ok(at)


def test_coverage_html_report_is_built_on_download(sample_catalogue) -> None:
    import datetime as dt

    from planner.ui import coverage_page

    # the page hands this function to the download button; it runs only when clicked
    html = coverage_page._html("test-digest", None, "nhu-cert-applied-data-analytics", dt.date(2026, 12, 1),
                               ("data-analyst",), False, False, sample_catalogue)
    assert html.startswith("<!DOCTYPE html>")
    assert sample_catalogue.credential("nhu-cert-applied-data-analytics").title in html
    assert "Role reachability" in html and "Recognition what-if" not in html


def test_neighbourhood_shows_prerequisites_teachings_and_awards(sample_catalogue) -> None:
    from planner.catalogue.graph import build_graph
    from planner.outputs.plots.catalogue import neighbourhood

    cred = sample_catalogue.credential("nhu-machine-learning")
    fig = neighbourhood(build_graph(sample_catalogue), sample_catalogue, cred.id)
    by_kind = {t.name: t for t in fig.data}
    assert len(by_kind["prerequisite"].x) == sum(len(g.any_of) for g in cred.requires)
    taught = sorted(f"{sample_catalogue.competency(t.competency).label} (level {t.level})" for t in cred.teaches)
    assert sorted(by_kind["teaches"].hovertext) == taught
    assert all(x < 1 for x in by_kind["prerequisite"].x) and all(x > 1 for x in by_kind["teaches"].x)
    assert list(by_kind["credential"].hovertext) == [cred.title]


def test_explore_detail_names_countries_languages_and_says_what_an_empty_element_means(sample_catalogue) -> None:
    at = _explore()
    at.selectbox(key="ex_detail").set_value("aur-energy-markets").run()
    _ok(at)
    cred = sample_catalogue.credential("aur-energy-markets")
    assert cred.languages == ["en", "fi"] and sample_catalogue.provider(cred.provider).country == "FI"
    texts = [t.value for t in at.text]
    assert "Finland" in texts and "English, Finnish" in texts  # names, never the codes
    assert not cred.requires and "None: open to anyone" in texts  # no prerequisite is not a missing one
    assert "— missing —" not in texts  # every mandatory EU element of this credential is there
    assert any(t.startswith("Cost: 75 EUR") for t in texts)
    assert "id" not in at.dataframe[0].value.columns and "micro-credential" in set(at.dataframe[0].value["type"])
