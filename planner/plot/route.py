"""Figures of one route or a set of routes: timeline, pathway graph, credit Sankey, Pareto.

Plain plotly figures, no Streamlit: the UI shows them, the HTML report embeds them.
Catalogue text goes into hover labels and axis ticks, which plotly renders as text.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from planner.explain import award_components
from planner.models import Catalogue, Target
from planner.results import Route

__all__ = ["pareto_chart", "pathway_graph", "stacking_sankey", "timeline"]

_PALETTE = ("#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4d7c0f", "#be185d")


def _escape(text: str) -> str:
    # plotly hover text understands a few HTML tags; keep catalogue text literal
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def timeline(route: Route, catalogue: Catalogue) -> go.Figure:
    """Gantt chart of a route's schedule: one bar per credential, by date.

    Parameters
    ----------
    route : Route
        A scheduled route.
    catalogue : Catalogue
        For titles and providers.

    Returns
    -------
    plotly.graph_objects.Figure

    """
    providers = sorted({s.provider_id for s in route.steps})
    colour = {p: _PALETTE[i % len(_PALETTE)] for i, p in enumerate(providers)}
    fig = go.Figure()
    steps = {s.credential_id: s for s in route.steps}
    for slot in sorted(route.schedule, key=lambda s: (s.start_week, s.credential_id)):
        step = steps.get(slot.credential_id)
        title = _escape(step.title if step else slot.credential_id)
        provider = step.provider_id if step else ""
        days = max((slot.end - slot.start).days, 1)
        fig.add_trace(go.Bar(
            x=[days * 86_400_000], base=[slot.start.isoformat()], y=[title], orientation="h",
            marker_color=colour.get(provider, _PALETTE[0]), name=_escape(provider), showlegend=False,
            hovertemplate=(f"<b>{title}</b><br>{slot.start:%d %b %Y} – {slot.end:%d %b %Y}"
                           f"<br>{slot.hours_per_week:g} h/week<extra>{_escape(provider)}</extra>"),
        ))
    fig.update_layout(
        title=f"Timeline: {route.start:%d %b %Y} – {route.finish:%d %b %Y} ({route.weeks} weeks)",
        xaxis={"type": "date"}, yaxis={"autorange": "reversed"}, barmode="overlay",
        height=max(260, 44 * len(route.schedule) + 120), margin={"l": 10, "r": 10, "t": 50, "b": 30},
    )
    return fig


def pathway_graph(route: Route, catalogue: Catalogue, target: Target) -> go.Figure:
    """The route as a layered graph: credentials → competencies gained / awards completed.

    Credentials sit in columns by start order; arrows show prerequisites met (unlocks),
    components stacking into awards, and competencies the target needs.
    """
    steps = list(route.steps)
    pos: dict[str, tuple[float, float]] = {}
    for i, step in enumerate(steps):
        pos[f"c:{step.credential_id}"] = (float(i), 0.0)
    needed = {}
    if target.kind == "role" and catalogue.has("role", target.id or ""):
        needed = {n.competency: n.level for n in catalogue.role(target.id or "").needs}
    elif target.kind == "competencies":
        needed = {c.competency: c.level for c in target.competencies}
    gained: list[tuple[str, str]] = []
    for step in steps:
        for taught in catalogue.credential(step.credential_id).teaches:
            if taught.competency in needed and taught.level >= needed[taught.competency]:
                gained.append((step.credential_id, taught.competency))
    comps = sorted({c for _, c in gained})
    for j, comp in enumerate(comps):
        pos[f"k:{comp}"] = (j * max(1.0, (len(steps) - 1) / max(1, len(comps) - 1)) if len(comps) > 1 else 0.0, -1.0)
    edges: list[tuple[str, str, str]] = []
    for step in steps:
        for other in step.unlocks:
            edges.append((f"c:{step.credential_id}", f"c:{other}", "#64748b"))
        for award in step.completes:
            edges.append((f"c:{step.credential_id}", f"c:{award}", "#16a34a"))
    for cid, comp in gained:
        edges.append((f"c:{cid}", f"k:{comp}", "#2563eb"))
    fig = go.Figure()
    for a, b, col in edges:
        if a in pos and b in pos:
            (x0, y0), (x1, y1) = pos[a], pos[b]
            fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                               showarrow=True, arrowhead=2, arrowsize=1.2, arrowcolor=col, opacity=0.8)
    awards = set(route.awards_completed)
    for prefix, colour, symbol in (("c:", "#f59e0b", "square"), ("k:", "#2563eb", "circle")):
        keys = [k for k in pos if k.startswith(prefix)]
        if not keys:
            continue
        labels = []
        colours = []
        for key in keys:
            ident = key[2:]
            if prefix == "c:":
                labels.append(_escape(catalogue.credential(ident).title))
                colours.append("#16a34a" if ident in awards else colour)
            else:
                labels.append(_escape(catalogue.competency(ident).label if catalogue.has("competency", ident)
                                      else ident))
                colours.append(colour)
        fig.add_trace(go.Scatter(
            x=[pos[k][0] for k in keys], y=[pos[k][1] for k in keys], mode="markers+text",
            text=labels, textposition="top center" if prefix == "c:" else "bottom center",
            marker={"size": 18, "color": colours, "symbol": symbol}, hovertext=labels, hoverinfo="text",
            showlegend=False,
        ))
    fig.update_layout(
        title="Pathway: credentials (orange), awards (green), competencies gained (blue)",
        xaxis={"visible": False}, yaxis={"visible": False, "range": [-1.6, 0.6]}, height=420,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def stacking_sankey(route: Route, catalogue: Catalogue) -> go.Figure:
    """Credit flowing from micro-credentials into the certificates and degrees of the route.

    Link widths are ECTS (from the component's own credit or a recognition agreement).
    Credentials that stack into no award of the route flow into "not stacked".
    """
    today = route.start
    chosen = list(route.credential_ids)
    awards = [c for c in chosen if catalogue.credential(c).award is not None]
    nodes: list[str] = []
    index: dict[str, int] = {}

    def node(key: str, label: str) -> int:
        if key not in index:
            index[key] = len(nodes)
            nodes.append(_escape(label))
        return index[key]

    sources: list[int] = []
    targets: list[int] = []
    values: list[float] = []
    stacked: set[str] = set()
    for award in awards:
        members = award_components(catalogue, award, today=today)
        for cid in chosen:
            if cid in members and cid != award and members[cid] > 0:
                sources.append(node(cid, catalogue.credential(cid).title))
                targets.append(node(award, catalogue.credential(award).title))
                values.append(members[cid])
                stacked.add(cid)
    for cid in chosen:
        cred = catalogue.credential(cid)
        if cid not in stacked and cid not in awards and (cred.ects or 0) > 0:
            sources.append(node(cid, cred.title))
            targets.append(node("-", "not stacked"))
            values.append(cred.ects or 0.0)
    fig = go.Figure(go.Sankey(
        node={"label": nodes, "pad": 18, "thickness": 16},
        link={"source": sources, "target": targets, "value": values,
              "hovertemplate": "%{source.label} → %{target.label}: %{value} ECTS<extra></extra>"},
    ))
    fig.update_layout(title="Credit stacking (ECTS)", height=380, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def pareto_chart(routes: Sequence[Route], *, highlight: int | None = None) -> go.Figure:
    """Cost against weeks to finish for a set of routes; the non-dominated ones joined.

    Parameters
    ----------
    routes : sequence of Route
        Alternatives or a Pareto front.
    highlight : int, optional
        Rank of the route to mark as chosen.

    """
    pts = sorted(routes, key=lambda r: (r.total_cost, r.weeks))
    front: list[Route] = []
    for r in pts:
        if not front or r.weeks < front[-1].weeks:
            front.append(r)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[r.weeks for r in pts], y=[r.total_cost for r in pts], mode="markers+text",
        text=[f"#{r.rank}" for r in pts], textposition="top center",
        marker={"size": [16 if r.rank == highlight else 10 for r in pts],
                "color": ["#dc2626" if r.rank == highlight else "#2563eb" for r in pts]},
        hovertemplate="%{x} weeks, %{y:,.0f}<extra></extra>", name="routes",
    ))
    if len(front) > 1:
        fig.add_trace(go.Scatter(x=[r.weeks for r in front], y=[r.total_cost for r in front], mode="lines",
                                 line={"dash": "dot", "color": "#64748b"}, name="trade-off"))
    currency = routes[0].currency if routes else ""
    fig.update_layout(title="Cost × time", xaxis_title="weeks to finish", yaxis_title=f"cost ({currency})",
                      height=360, margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig

