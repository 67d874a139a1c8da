"""Figures of one route or a set of routes: timeline, pathway graph, credit Sankey, Pareto.

Plain plotly figures, no Streamlit: the UI shows them, the HTML report embeds them.
Catalogue text goes into hover labels and axis ticks, which plotly renders as text.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from planner.catalogue.models import Catalogue, Target
from planner.engine.explain import award_components
from planner.engine.results import Route
from planner.outputs.plots._text import escape, wrap

__all__ = ["pareto_chart", "pathway_graph", "stacking_flows", "stacking_sankey", "timeline"]

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
    for slot in sorted(route.schedule, key=lambda s: (s.start_week, s.credential_id)):
        step = steps.get(slot.credential_id)
        title = escape(step.title if step else slot.credential_id)
        provider = step.provider_id if step else ""
        if by == "date":
            x, base = max((slot.end - slot.start).days, 1) * 86_400_000, slot.start.isoformat()
        else:
            x, base = max(slot.end_week - slot.start_week, 1), slot.start_week
        term = f"<br>term {slot.term}" if slot.term is not None else ""
        fig.add_trace(go.Bar(
            x=[x], base=[base], y=[title], orientation="h", marker_color=colour.get(provider, _PALETTE[0]),
            name=escape(names.get(provider, provider)), legendgroup=provider, showlegend=provider not in shown,
            hovertemplate=(f"<b>{title}</b><br>{slot.start:%d %b %Y} – {slot.end:%d %b %Y}"
                           f"<br>weeks {slot.start_week}–{slot.end_week}{term}"
                           f"<br>{slot.hours_per_week:g} h/week<extra>{escape(provider)}</extra>"),
        ))
        shown.add(provider)
    fig.update_layout(
        title=(f"Timeline: {route.start:%d %b %Y} – {route.finish:%d %b %Y} ({route.duration_text})"
               if not route.duration_unknown else f"Timeline from {route.start:%d %b %Y} ({route.duration_text})"),
        xaxis={"type": "date"} if by == "date" else {"title": "weeks from the start", "rangemode": "tozero"},
        yaxis={"autorange": "reversed"}, barmode="overlay",
        height=max(260, 44 * len(route.schedule) + 150), margin={"l": 10, "r": 10, "t": 50, "b": 30},
        legend={"orientation": "h", "y": -0.15, "title": "provider"},
    )
    return fig


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
    gained: list[tuple[str, str]] = []
    for cid in ids:
        for taught in catalogue.credential(cid).teaches:
            if taught.competency in needed and taught.level >= needed[taught.competency]:
                gained.append((cid, taught.competency))
                edges.append((cid, f"k:{taught.competency}", "teaches"))
    comps = sorted({c for _, c in gained}, key=lambda c: (catalogue.competency(c).label
                                                          if catalogue.has("competency", c) else c, c))

    columns: dict[int, list[str]] = {}
    for cid in ids:  # schedule order within a column
        columns.setdefault(depth[cid], []).append(cid)
    last = max(columns, default=-1) + 1
    if comps:
        columns[last] = [f"k:{c}" for c in comps]
    pos: dict[str, tuple[float, float]] = {}
    for x, members in columns.items():
        n = len(members)
        for i, key in enumerate(members):
            pos[key] = (float(x), (n - 1) / 2 - i)

    fig = go.Figure()
    styles = {"unlocks": ("#94a3b8", "prerequisite → unlocks"), "counts towards": ("#16a34a", "counts towards award"),
              "teaches": ("#60a5fa", "teaches a needed competency")}
    for kind, (colour, name) in styles.items():
        xs: list[float | None] = []
        ys: list[float | None] = []
        for a, b, k in edges:
            if k == kind and a in pos and b in pos:
                xs += [pos[a][0], pos[b][0], None]
                ys += [pos[a][1], pos[b][1], None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": 1.5}, name=name,
                                     hoverinfo="skip"))
    award_set = set(route.awards_completed) | set(awards)
    steps = {s.credential_id: s for s in route.steps}
    hover = []
    for cid in ids:
        step = steps.get(cid)
        when = f"<br>{step.start:%d %b %Y} – {step.end:%d %b %Y}" if step and step.start and step.end else ""
        hover.append(f"{escape(catalogue.credential(cid).title)}<br>{escape(catalogue.credential(cid).provider)}"
                     + when)
    # numbered like the route's steps (titles are long and columns narrow: full text on hover)
    number = {cid: str(i) for i, cid in enumerate(ids, 1)}
    fig.add_trace(go.Scatter(
        x=[pos[c][0] for c in ids], y=[pos[c][1] for c in ids], mode="markers+text", customdata=ids,
        text=[number[c] for c in ids], textposition="middle center",
        textfont={"size": 12, "color": "white"}, hovertext=[f"{number[c]}. {h}" for c, h in zip(ids, hover,
                                                                                                 strict=True)],
        hoverinfo="text", name="credentials, numbered as the steps (awards in green)",
        marker={"size": 26, "symbol": "square", "line": {"width": 1, "color": "#334155"},
                "color": ["#16a34a" if c in award_set else "#f59e0b" for c in ids]},
    ))
    if comps:
        labels = [catalogue.competency(c).label if catalogue.has("competency", c) else c for c in comps]
        fig.add_trace(go.Scatter(
            x=[pos[f"k:{c}"][0] for c in comps], y=[pos[f"k:{c}"][1] for c in comps], mode="markers+text",
            customdata=comps, text=[wrap(label, 26, 2) for label in labels], textposition="middle right",
            textfont={"size": 11}, hovertext=[f"{escape(label)} (level {needed[c]} needed)"
                                              for label, c in zip(labels, comps, strict=True)],
            hoverinfo="text", name="competencies gained", marker={"size": 14, "color": "#2563eb"},
        ))
    rows = max((len(m) for m in columns.values()), default=1)
    fig.update_layout(
        title="Pathway: prerequisites → credentials → awards → competencies gained",
        xaxis={"visible": False, "range": [-0.5, last + (2.2 if comps else 0.5)]},
        yaxis={"visible": False, "range": [-(rows - 1) / 2 - 0.6, (rows - 1) / 2 + 0.6]},
        height=max(320, 60 * rows + 160), margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.02}, showlegend=True,
    )
    return fig


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
        hovertemplate="%{text}: %{x} weeks, %{y:,.0f}<extra></extra>", name="routes",
    ))
    if len(front) > 1:
        fig.add_trace(go.Scatter(x=[r.weeks for r in front], y=[r.total_cost for r in front], mode="lines",
                                 # never picked: a click selects a route, not the line between two
                                 line={"dash": "dot", "color": "#64748b"}, name="trade-off", hoverinfo="skip"))
    currency = routes[0].currency if routes else ""
    fig.update_layout(title="Cost × time", xaxis_title="weeks to finish", yaxis_title=f"cost ({currency})",
                      height=360, margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig

