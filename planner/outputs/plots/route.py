"""Figures of one route or a set of routes: timeline, pathway graph, credit Sankey, Pareto.

Plain plotly figures, no Streamlit: the UI shows them, the HTML report embeds them.
Catalogue text goes into hover labels and axis ticks, which plotly renders as text.
Each figure has a text alternative with the same figures (``*_rows`` for a table,
``*_sentences`` for a few plain sentences), shown beside it for people who cannot see it.
Credentials are named by their titles and providers by their names, never by ids; dates
read "27 Aug 2027", a course with intakes starting on its intake day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from planner.catalogue.models import Catalogue, Target
from planner.engine.explain import award_components
from planner.engine.results import Route, ScheduledStep
from planner.outputs.dates import day, real_start
from planner.outputs.plots._text import escape, wrap

__all__ = ["pareto_chart", "pareto_rows", "pathway_graph", "pathway_sentences", "stacking_flows", "stacking_rows",
           "stacking_sankey", "timeline", "timeline_rows"]

_PALETTE = ("#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4d7c0f", "#be185d")


def timeline(route: Route, catalogue: Catalogue, *, by: str = "date") -> go.Figure:
    """Gantt chart of a route's schedule: one bar per credential, coloured by provider.

    Parameters
    ----------
    route : Route
        A scheduled route.
    catalogue : Catalogue
        For titles and providers.
    by : {"date", "week"}
        Calendar dates on the x axis, or weeks from the plan start (week 0).

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar trace per scheduled credential, in start order.

    """
    if by not in ("date", "week"):
        raise ValueError(f"by must be 'date' or 'week', got {by!r}")
    providers = sorted({s.provider_id for s in route.steps})
    colour = {p: _PALETTE[i % len(_PALETTE)] for i, p in enumerate(providers)}
    names = {p.id: p.name for p in catalogue.providers}
    fig = go.Figure()
    steps = {s.credential_id: s for s in route.steps}
    shown: set[str] = set()
    for slot in _in_order(route):
        step = steps.get(slot.credential_id)
        title = escape(step.title if step else slot.credential_id)
        provider = step.provider_id if step else ""
        begins = real_start(slot.credential_id, slot.start, catalogue)
        if by == "date":
            x, base = max((slot.end - begins).days, 1) * 86_400_000, begins.isoformat()  # plotly's own date axis
        else:
            x, base = max(slot.end_week - slot.start_week, 1), slot.start_week
        term = f"<br>term {slot.term}" if slot.term is not None else ""
        fig.add_trace(go.Bar(
            x=[x], base=[base], y=[title], orientation="h", marker_color=colour.get(provider, _PALETTE[0]),
            name=escape(names.get(provider, provider)), legendgroup=provider, showlegend=provider not in shown,
            hovertemplate=(f"<b>{title}</b><br>{day(begins)} – {day(slot.end)}"
                           f"<br>weeks {slot.start_week}–{slot.end_week}{term}"
                           f"<br>{slot.hours_per_week:g} h/week<extra>{escape(names.get(provider, provider))}</extra>"),
        ))
        shown.add(provider)
    fig.update_layout(
        title=(f"Timeline: {day(route.start)} – {day(route.finish)} ({route.duration_text})"
               if not route.duration_unknown else f"Timeline from {day(route.start)} ({route.duration_text})"),
        xaxis={"type": "date"} if by == "date" else {"title": "weeks from the start", "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True}, barmode="overlay",
        height=max(300, 44 * len(route.schedule) + 190), margin={"l": 10, "r": 10, "t": 90, "b": 40},
        # the providers above the bars, clear of the dates under them
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": "provider"},
    )
    return fig


def _in_order(route: Route) -> list[ScheduledStep]:
    return sorted(route.schedule, key=lambda s: (s.start_week, s.credential_id))


def timeline_rows(route: Route, catalogue: Catalogue) -> list[dict[str, object]]:
    """The timeline as a table, in its order: what, who, from and until when, how many hours a week.

    Parameters
    ----------
    route : Route
        A scheduled route.
    catalogue : Catalogue
        For titles and provider names.

    Returns
    -------
    list of dict
        One row per scheduled credential (plain text and numbers).
    """
    steps = {s.credential_id: s for s in route.steps}
    names = {p.id: p.name for p in catalogue.providers}
    rows = []
    for slot in _in_order(route):
        step = steps.get(slot.credential_id)
        provider = step.provider_id if step else ""
        row: dict[str, object] = {
            "credential": step.title if step else slot.credential_id,
            "provider": names.get(provider, provider),
            "starts": day(real_start(slot.credential_id, slot.start, catalogue)), "ends": day(slot.end),
            "h/week": slot.hours_per_week,
        }
        if slot.term is not None:
            row["term"] = slot.term
        rows.append(row)
    return rows


def _depths(order: list[str], preds: dict[str, set[str]]) -> dict[str, int]:
    """Longest chain of predecessors behind each node (a cycle, which validation forbids, is cut)."""
    depth: dict[str, int] = {}
    visiting: set[str] = set()

    def walk(node: str) -> int:
        if node in depth:
            return depth[node]
        if node in visiting:
            return 0
        visiting.add(node)
        d = 1 + max((walk(p) for p in sorted(preds.get(node, ()))), default=-1)
        visiting.discard(node)
        depth[node] = d
        return d

    for node in order:
        walk(node)
    return depth


@dataclass(frozen=True)
class _Layout:
    """Where the pathway graph puts its nodes, and the lines between them."""

    ids: list[str]  # the route's credentials, in schedule order
    awards: list[str]
    edges: list[tuple[str, str, str]]  # (from, to, kind); a competency node's key is "k:ID"
    needed: dict[str, int]  # competency → level the target needs
    comps: list[str]  # needed competencies the route teaches at the level, by label
    columns: dict[int, list[str]]
    pos: dict[str, tuple[float, float]]
    last: int  # the competency column


def _layout(route: Route, catalogue: Catalogue, target: Target) -> _Layout:
    ids = list(route.credential_ids)
    chosen = set(ids)
    awards = [c for c in ids if catalogue.credential(c).award is not None]
    preds: dict[str, set[str]] = {c: set() for c in ids}
    edges: list[tuple[str, str, str]] = []
    for step in route.steps:
        for other in step.unlocks:
            if other in chosen:
                preds[other].add(step.credential_id)
                edges.append((step.credential_id, other, "unlocks"))
    for award in awards:
        members = award_components(catalogue, award, today=route.start)
        for cid in ids:
            if cid != award and cid in members:
                preds[award].add(cid)
                edges.append((cid, award, "counts towards"))
    depth = _depths(ids, preds)

    needed: dict[str, int] = {}
    if target.kind == "role" and catalogue.has("role", target.id or ""):
        needed = {n.competency: n.level for n in catalogue.role(target.id or "").needs}
    elif target.kind == "competencies":
        needed = {c.competency: c.level for c in target.competencies}
    gained: set[str] = set()
    for cid in ids:
        for taught in catalogue.credential(cid).teaches:
            if taught.competency in needed and taught.level >= needed[taught.competency]:
                gained.add(taught.competency)
                edges.append((cid, f"k:{taught.competency}", "teaches"))
    comps = sorted(gained, key=lambda c: (catalogue.competency(c).label if catalogue.has("competency", c) else c, c))

    columns: dict[int, list[str]] = {}
    for cid in ids:  # schedule order within a column
        columns.setdefault(depth[cid], []).append(cid)
    last = max(columns, default=-1) + 1
    if comps:
        columns[last] = [f"k:{c}" for c in comps]
    pos: dict[str, tuple[float, float]] = {}
    rows_used = max((len(m) for m in columns.values()), default=1)
    for x, members in columns.items():
        # spread over the figure's height, and every other column half a step lower: titles written
        # under the nodes of neighbouring columns then do not fall on each other
        n = len(members)
        step = rows_used / n if n else 1.0
        shift = 0.0 if x == last or x % 2 == 0 or n == rows_used else -min(0.5, step / 4)
        for i, key in enumerate(members):
            pos[key] = (float(x), ((n - 1) / 2 - i) * step + shift)
    return _Layout(ids, awards, edges, needed, comps, columns, pos, last)


_EDGE_STYLES = {"unlocks": ("#94a3b8", "prerequisite → unlocks"),
                "counts towards": ("#16a34a", "counts towards award"),
                "teaches": ("#60a5fa", "teaches a needed competency")}


def _edge_traces(layout: _Layout) -> list[go.Scatter]:
    traces = []
    pos = layout.pos
    for kind, (colour, name) in _EDGE_STYLES.items():
        xs: list[float | None] = []
        ys: list[float | None] = []
        for a, b, k in layout.edges:
            if k == kind and a in pos and b in pos:
                xs += [pos[a][0], pos[b][0], None]
                ys += [pos[a][1], pos[b][1], None]
        if xs:
            traces.append(go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": 1.5}, name=name,
                                     hoverinfo="skip"))
    return traces


def _credential_trace(route: Route, catalogue: Catalogue, layout: _Layout) -> go.Scatter:
    ids, pos = layout.ids, layout.pos
    award_set = set(route.awards_completed) | set(layout.awards)
    steps = {s.credential_id: s for s in route.steps}
    providers = {p.id: p.name for p in catalogue.providers}
    hover = []
    for cid in ids:
        step = steps.get(cid)
        credential = catalogue.credential(cid)
        when = (f"<br>{day(real_start(cid, step.start, catalogue))} – {day(step.end)}"
                if step and step.start and step.end else "")
        hover.append(f"{escape(credential.title)}<br>{escape(providers.get(credential.provider, credential.provider))}"
                     + when)
    # titles under the nodes, as on the steps (wrapped; the whole title on hover)
    return go.Scatter(
        x=[pos[c][0] for c in ids], y=[pos[c][1] for c in ids], mode="markers+text", customdata=ids,
        text=[wrap(catalogue.credential(c).title, 16, 3) for c in ids], textposition="bottom center",
        textfont={"size": 11, "color": "#1f2933"}, hovertext=hover, hoverinfo="text",
        name="credentials (awards in green)",
        marker={"size": 18, "symbol": "square", "line": {"width": 1, "color": "#334155"},
                "color": ["#16a34a" if c in award_set else "#f59e0b" for c in ids]},
    )


def _competency_trace(catalogue: Catalogue, layout: _Layout) -> go.Scatter:
    comps, pos = layout.comps, layout.pos
    labels = [catalogue.competency(c).label if catalogue.has("competency", c) else c for c in comps]
    return go.Scatter(
        x=[pos[f"k:{c}"][0] for c in comps], y=[pos[f"k:{c}"][1] for c in comps], mode="markers+text",
        customdata=comps, text=[wrap(label, 22, 2) for label in labels], textposition="middle right",
        textfont={"size": 11, "color": "#1f2933"}, hovertext=[f"{escape(label)} (level {layout.needed[c]} needed)"
                                                            for label, c in zip(labels, comps, strict=True)],
        hoverinfo="text", name="competencies gained", marker={"size": 14, "color": "#2563eb"},
    )


def pathway_graph(route: Route, catalogue: Catalogue, target: Target) -> go.Figure:
    """The route as a layered graph: prerequisites → credentials → awards → competencies gained.

    A credential's column is the length of the longest chain of chosen prerequisites (and,
    for an award, of its components) before it; the competencies the target needs, and the
    route teaches at the needed level, form the last column. Lines join a prerequisite to
    what it unlocks (grey), a component to its award (green) and a credential to a needed
    competency it teaches (blue).

    Parameters
    ----------
    route : Route
        The route to draw.
    catalogue : Catalogue
        For titles, labels, award components and what each credential teaches.
    target : Target
        The route's target (its needs decide the competency column).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: one line trace per edge kind present, then the credential nodes (``customdata``:
        credential ids), then the competency nodes (``customdata``: competency ids), if any.

    """
    layout = _layout(route, catalogue, target)
    fig = go.Figure()
    for trace in _edge_traces(layout):
        fig.add_trace(trace)
    fig.add_trace(_credential_trace(route, catalogue, layout))
    if layout.comps:
        fig.add_trace(_competency_trace(catalogue, layout))
    rows = max((len(m) for m in layout.columns.values()), default=1)
    last, comps = layout.last, layout.comps
    fig.update_layout(
        title="Pathway: prerequisites → credentials → awards → competencies gained",
        # room for a title under every node, and for the competency labels on the right
        xaxis={"visible": False, "range": [-0.7, last + (1.6 if comps else -0.3)]},
        yaxis={"visible": False, "range": [-(rows - 1) / 2 - 0.9, (rows - 1) / 2 + 0.5]},
        height=max(360, 105 * rows + 160), margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.02}, showlegend=True,
    )
    return fig


def pathway_sentences(route: Route, catalogue: Catalogue, target: Target) -> list[str]:
    """The pathway graph in words: what unlocks what, what counts towards which award, what it teaches.

    Parameters
    ----------
    route, catalogue, target
        As for :func:`pathway_graph`.

    Returns
    -------
    list of str
        Plain sentences, one per credential that leads somewhere, then the competencies gained.
    """
    def title(cid: str) -> str:
        return catalogue.credential(cid).title if catalogue.has("credential", cid) else cid

    ids = list(route.credential_ids)
    chosen = set(ids)
    awards = [c for c in ids if catalogue.credential(c).award is not None]
    members = {a: award_components(catalogue, a, today=route.start) for a in awards}
    out = []
    for step in route.steps:
        parts = []
        unlocks = [title(o) for o in step.unlocks if o in chosen]
        if unlocks:
            parts.append("unlocks " + ", ".join(unlocks))
        into = [title(a) for a in awards if a != step.credential_id and step.credential_id in members[a]]
        if into:
            parts.append("counts towards " + ", ".join(into))
        if parts:
            out.append(f"{step.title} {' and '.join(parts)}.")
    needed: dict[str, int] = {}
    if target.kind == "role" and catalogue.has("role", target.id or ""):
        needed = {n.competency: n.level for n in catalogue.role(target.id or "").needs}
    elif target.kind == "competencies":
        needed = {c.competency: c.level for c in target.competencies}
    gained = sorted({catalogue.competency(t.competency).label if catalogue.has("competency", t.competency)
                     else t.competency
                     for cid in ids for t in catalogue.credential(cid).teaches
                     if t.competency in needed and t.level >= needed[t.competency]})
    if gained:
        out.append(f"Competencies gained at the needed level: {', '.join(gained)}.")
    return out or ["No step of this route depends on another."]


def stacking_flows(route: Route, catalogue: Catalogue) -> list[tuple[str, str | None, float]]:
    """What stacks into what on a route: (credential id, award id or None, ECTS).

    Each chosen credential that counts towards an award of the route (by the award's rules
    or a recognition agreement in force at the route's start) gives one flow per award;
    one that counts towards none gives ``(id, None, its ECTS)`` when it carries credit.

    Parameters
    ----------
    route : Route
        The route.
    catalogue : Catalogue
        For award rules, recognition agreements and credit.

    Returns
    -------
    list of tuple
        In the route's order (awards in route order within a credential).

    """
    chosen = list(route.credential_ids)
    awards = [c for c in chosen if catalogue.credential(c).award is not None]
    members = {a: award_components(catalogue, a, today=route.start) for a in awards}
    flows: list[tuple[str, str | None, float]] = []
    for cid in chosen:
        into = [(a, members[a][cid]) for a in awards if a != cid and members[a].get(cid, 0) > 0]
        if into:
            flows += [(cid, a, credit) for a, credit in into]
        elif cid not in awards and (catalogue.credential(cid).ects or 0) > 0:
            flows.append((cid, None, catalogue.credential(cid).ects or 0.0))
    return flows


def stacking_sankey(route: Route, catalogue: Catalogue) -> go.Figure:
    """Credit flowing from micro-credentials into the certificates and degrees of the route.

    Link widths are ECTS (from the component's own credit or a recognition agreement), as
    :func:`stacking_flows` gives them; credentials that stack into no award of the route
    flow into "not stacked".
    """
    nodes: list[str] = []
    index: dict[str, int] = {}

    def node(key: str, label: str) -> int:
        if key not in index:
            index[key] = len(nodes)
            nodes.append(escape(label))
        return index[key]

    sources: list[int] = []
    targets: list[int] = []
    values: list[float] = []
    for cid, award, credit in stacking_flows(route, catalogue):
        sources.append(node(cid, catalogue.credential(cid).title))
        targets.append(node(award, catalogue.credential(award).title) if award else node("-", "not stacked"))
        values.append(credit)
    fig = go.Figure(go.Sankey(
        node={"label": nodes, "pad": 18, "thickness": 16},
        link={"source": sources, "target": targets, "value": values,
              "hovertemplate": "%{source.label} → %{target.label}: %{value} ECTS<extra></extra>"},
    ))
    fig.update_layout(title="Credit stacking (ECTS)", height=max(320, 34 * len(nodes) + 120),
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def stacking_rows(route: Route, catalogue: Catalogue) -> list[dict[str, object]]:
    """The credit Sankey as a table: each credential, the award its credit flows into, and the ECTS."""
    def title(cid: str) -> str:
        return catalogue.credential(cid).title if catalogue.has("credential", cid) else cid

    return [{"credential": title(cid), "into": title(award) if award else "not stacked", "ECTS": credit}
            for cid, award, credit in stacking_flows(route, catalogue)]


def pareto_chart(routes: Sequence[Route], *, highlight: int | None = None,
                 labels: Sequence[str] | None = None) -> go.Figure:
    """Cost against weeks to finish for a set of routes; the non-dominated ones joined.

    Parameters
    ----------
    routes : sequence of Route
        Alternatives or a Pareto front.
    highlight : int, optional
        Rank of the route to mark as chosen.
    labels : sequence of str, optional
        A name per route (as on the route cards); default ``"#rank"``. Each point's
        ``customdata`` is its index in ``routes``, so a selected point names its route.

    """
    if labels is not None and len(labels) != len(routes):
        raise ValueError(f"{len(labels)} labels for {len(routes)} routes")
    names = {id(r): (labels[i] if labels is not None else f"#{r.rank}", i) for i, r in enumerate(routes)}
    pts = sorted(routes, key=lambda r: (r.total_cost, r.weeks))
    front: list[Route] = []
    for r in pts:
        if not front or r.weeks < front[-1].weeks:
            front.append(r)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[r.weeks for r in pts], y=[r.total_cost for r in pts], mode="markers+text",
        text=[names[id(r)][0] for r in pts], textposition="top center", customdata=[names[id(r)][1] for r in pts],
        marker={"size": [16 if r.rank == highlight else 10 for r in pts],
                "color": ["#dc2626" if r.rank == highlight else "#2563eb" for r in pts]},
        hovertemplate="%{text}: %{x} weeks, %{y:,.0f} " + escape(routes[0].currency if routes else "")
        + "<extra></extra>", name="routes",
    ))
    if len(front) > 1:
        fig.add_trace(go.Scatter(x=[r.weeks for r in front], y=[r.total_cost for r in front], mode="lines",
                                 # never picked: a click selects a route, not the line between two
                                 line={"dash": "dot", "color": "#64748b"}, name="trade-off", hoverinfo="skip"))
    currency = routes[0].currency if routes else ""
    fig.update_layout(title="Cost × time", xaxis_title="weeks to finish", yaxis_title=f"cost ({currency})",
                      height=360, margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig



def pareto_rows(routes: Sequence[Route], labels: Sequence[str] | None = None) -> list[dict[str, object]]:
    """The cost × time chart as a table: each route's name, cost (with its currency) and weeks, cheapest first."""
    names = [labels[i] if labels is not None else f"#{r.rank}" for i, r in enumerate(routes)]
    order = sorted(range(len(routes)), key=lambda i: (routes[i].total_cost, routes[i].weeks))
    return [{"route": names[i], f"cost ({routes[i].currency})": round(routes[i].total_cost),
             "weeks to finish": routes[i].weeks} for i in order]
