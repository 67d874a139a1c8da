"""planner.outputs.plots.route: the figures show the route they are given."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from planner.engine.explain import award_components
from planner.engine.routing import recommend
from planner.engine.scenario import Scenario
from planner.outputs.plots.route import (
    pareto_chart,
    pareto_rows,
    pathway_graph,
    pathway_sentences,
    stacking_flows,
    stacking_rows,
    stacking_sankey,
    timeline,
    timeline_rows,
)

START = dt.date(2026, 12, 1)


def _rec(catalogue, target: str, alternatives: int = 3):
    s = Scenario(target=target, start=START, alternatives=alternatives)
    rec = recommend(catalogue, s.to_profile(), s.to_target(), alternatives=alternatives, today=START)
    assert rec.best is not None, target
    return s, rec


@pytest.fixture(scope="module")
def analyst(sample_catalogue):
    return _rec(sample_catalogue, "role:data-analyst")


@pytest.fixture(scope="module")
def certificate(sample_catalogue):
    return _rec(sample_catalogue, "award:nhu-cert-applied-data-analytics", 1)


def test_timeline_has_one_bar_per_scheduled_step(analyst, sample_catalogue) -> None:
    _, rec = analyst
    route = rec.best
    fig = timeline(route, sample_catalogue)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == len(route.schedule) > 0
    by_title = {sample_catalogue.credential(s.credential_id).title: s for s in route.schedule}
    for bar in bars:
        slot = by_title[bar.y[0]]
        assert bar.base[0] == slot.start.isoformat()
        assert bar.x[0] == max((slot.end - slot.start).days, 1) * 86_400_000
    assert f"({route.weeks} weeks)" in fig.layout.title.text


def test_catalogue_text_is_escaped_in_figures(analyst, sample_catalogue) -> None:
    _, rec = analyst
    route = rec.best
    evil = "<b>Bold</b> & <script>x</script>"
    steps = (dataclasses.replace(route.steps[0], title=evil), *route.steps[1:])
    fig = timeline(dataclasses.replace(route, steps=steps), sample_catalogue)
    labels = [t.y[0] for t in fig.data]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in labels
    assert not any("<script>" in label for label in labels)


def _nodes(fig, name_start: str):
    return next(t for t in fig.data if t.mode == "markers+text" and t.name.startswith(name_start))


def test_pathway_graph_shows_every_step_and_the_competencies_gained(analyst, sample_catalogue) -> None:
    scenario, rec = analyst
    route = rec.best
    fig = pathway_graph(route, sample_catalogue, scenario.to_target())
    creds = _nodes(fig, "credentials")
    assert list(creds.customdata) == list(route.credential_ids)
    for cid, text, hover in zip(creds.customdata, creds.text, creds.hovertext, strict=True):
        credential = sample_catalogue.credential(cid)
        assert credential.title in hover
        # the node is labelled with its title (wrapped over lines), never a number or an id
        assert text.replace("<br>", " ").rstrip("…") in credential.title and not text.isdigit()
        assert sample_catalogue.provider(credential.provider).name in hover and credential.provider not in hover
    needs = {n.competency: n.level for n in sample_catalogue.role("data-analyst").needs}
    gained = {t.competency for s in route.steps for t in sample_catalogue.credential(s.credential_id).teaches
              if t.competency in needs and t.level >= needs[t.competency]}
    assert set(_nodes(fig, "competencies").customdata) == gained


def test_pathway_graph_puts_prerequisites_and_components_left_of_what_they_serve(sample_catalogue) -> None:
    scenario, rec = _rec(sample_catalogue, "award:nhu-msc-data-science", 1)
    route = rec.best
    fig = pathway_graph(route, sample_catalogue, scenario.to_target())
    creds = _nodes(fig, "credentials")
    x = dict(zip(creds.customdata, creds.x, strict=True))
    pairs = [(s.credential_id, other) for s in route.steps for other in s.unlocks]
    members = award_components(sample_catalogue, "nhu-msc-data-science", today=route.start)
    pairs += [(c, "nhu-msc-data-science") for c in route.credential_ids if c in members]
    assert pairs
    for before, after in pairs:
        assert x[before] < x[after], (before, after)
    green = {c for c, colour in zip(creds.customdata, creds.marker.color, strict=True) if colour == "#16a34a"}
    assert set(route.awards_completed) <= green
    lines = {t.name for t in fig.data if t.mode == "lines"}
    assert lines == {"prerequisite → unlocks", "counts towards award"}  # an award target: no competency column


def test_sankey_flows_the_components_credit_into_the_award(certificate, sample_catalogue) -> None:
    _, rec = certificate
    route = rec.best
    award = "nhu-cert-applied-data-analytics"
    assert award in route.awards_completed
    fig = stacking_sankey(route, sample_catalogue)
    sankey = fig.data[0]
    labels = list(sankey.node.label)
    into_award = labels.index(sample_catalogue.credential(award).title)
    flowing = sum(v for t, v in zip(sankey.link.target, sankey.link.value, strict=True) if t == into_award)
    members = award_components(sample_catalogue, award, today=route.start)
    expected = sum(members[c] for c in route.credential_ids if c in members and c != award)
    assert flowing == pytest.approx(expected) and flowing > 0


def test_pareto_chart_plots_every_route_and_joins_the_front(analyst) -> None:
    _, rec = analyst
    routes = list(rec.routes)
    fig = pareto_chart(routes, highlight=routes[0].rank)
    points = fig.data[0]
    assert sorted(zip(points.x, points.y, strict=True)) == sorted((r.weeks, r.total_cost) for r in routes)
    chosen = [size for size, text in zip(points.marker.size, points.text, strict=True) if text == f"#{routes[0].rank}"]
    assert chosen == [16]
    if len(fig.data) > 1:  # the front: no point on it is beaten on both cost and time
        front = list(zip(fig.data[1].x, fig.data[1].y, strict=True))
        for w, c in front:
            assert not any((r.weeks <= w and r.total_cost < c) or (r.weeks < w and r.total_cost <= c) for r in routes)


def test_timeline_by_week_counts_from_the_start(analyst, sample_catalogue) -> None:
    _, rec = analyst
    route = rec.best
    fig = timeline(route, sample_catalogue, by="week")
    by_title = {sample_catalogue.credential(s.credential_id).title: s for s in route.schedule}
    for bar in fig.data:
        slot = by_title[bar.y[0]]
        assert (bar.base[0], bar.x[0]) == (slot.start_week, max(slot.end_week - slot.start_week, 1))
    with pytest.raises(ValueError, match="by must be"):
        timeline(route, sample_catalogue, by="term")


def test_stacking_flows_name_what_stacks_into_what(certificate, sample_catalogue) -> None:
    _, rec = certificate
    route = rec.best
    flows = stacking_flows(route, sample_catalogue)
    award = "nhu-cert-applied-data-analytics"
    members = award_components(sample_catalogue, award, today=route.start)
    assert {(c, a) for c, a, _ in flows} == {(c, award) for c in route.credential_ids if c in members and c != award}
    assert all(credit == members[c] for c, _, credit in flows)


def _days_from(start: dt.date):
    day = start
    while True:
        yield day
        day += dt.timedelta(days=1)


def test_a_course_with_intakes_starts_on_its_intake_day(sample_catalogue) -> None:
    # the schedule counts in weeks; the BSc Nursing starts on 8 September, not on the Saturday before
    _, rec = _rec(sample_catalogue, "role:nurse-general-care", 1)
    route = rec.best
    rows = {r["credential"]: r for r in timeline_rows(route, sample_catalogue)}
    for slot in route.schedule:
        credential = sample_catalogue.credential(slot.credential_id)
        if credential.award is not None or credential.runs is None or not credential.runs.intakes:
            continue
        intake = next(d for d in _days_from(slot.start) if f"{d:%m-%d}" in credential.runs.intakes)
        assert intake - slot.start < dt.timedelta(days=7)
        assert rows[credential.title]["starts"] == intake.strftime("%d %b %Y")
        bar = next(t for t in timeline(route, sample_catalogue).data if t.y[0] == credential.title)
        assert bar.base[0] == intake.isoformat()
    assert any(sample_catalogue.credential(s.credential_id).runs
               and sample_catalogue.credential(s.credential_id).runs.intakes for s in route.schedule)


def test_every_route_figure_has_its_text_alternative(analyst, certificate, sample_catalogue) -> None:
    scenario, rec = analyst
    route = rec.best
    rows = timeline_rows(route, sample_catalogue)
    assert [r["credential"] for r in rows] == [t.y[0] for t in timeline(route, sample_catalogue).data]
    names = {p.name for p in sample_catalogue.providers}
    assert all(r["provider"] in names and r["h/week"] > 0 for r in rows)
    sentences = " ".join(pathway_sentences(route, sample_catalogue, scenario.to_target()))
    for step in route.steps:
        for other in step.unlocks:
            assert f"{step.title} unlocks" in sentences and sample_catalogue.credential(other).title in sentences
    _, cert = certificate
    flows = stacking_rows(cert.best, sample_catalogue)
    sankey = stacking_sankey(cert.best, sample_catalogue).data[0]
    assert sorted(f["ECTS"] for f in flows) == sorted(sankey.link.value)
    table = pareto_rows(list(rec.routes), [f"Route {r.rank}" for r in rec.routes])
    assert {(r["route"], r["cost (EUR)"], r["weeks to finish"]) for r in table} == {
        (f"Route {r.rank}", round(r.total_cost), r.weeks) for r in rec.routes}
