"""Figures of the catalogue itself: a credential's neighbourhood in the graph."""

from __future__ import annotations

import plotly.graph_objects as go

from planner.catalogue.graph import counts_towards, credential_node, split_node
from planner.catalogue.models import Catalogue
from planner.outputs.plots._text import escape, wrap

__all__ = ["neighbourhood", "neighbourhood_sentences"]

_COLUMNS = {"prerequisite": 0.0, "credential": 1.0, "teaches": 2.0, "award": 2.0}
_COLOURS = {"prerequisite": "#64748b", "credential": "#f59e0b", "teaches": "#2563eb", "award": "#16a34a"}


def _groups(G, catalogue: Catalogue, credential_id: str) -> dict[str, list[tuple[str, str]]]:
    """(node, label) of what the credential requires, teaches and counts towards."""
    node = credential_node(credential_id)
    groups: dict[str, list[tuple[str, str]]] = {"prerequisite": [], "teaches": [], "award": []}
    for u, _, data in G.in_edges(node, data=True):
        if data.get("kind") == "requires":
            kind, item = split_node(u)
            label = G.nodes[u].get("label", item)
            if kind == "competency":
                label = f"{label} (level {data.get('level')})"
            groups["prerequisite"].append((u, label))
    for _, v, data in G.out_edges(node, data=True):
        if data.get("kind") == "teaches":
            groups["teaches"].append((v, f"{G.nodes[v].get('label', v)} (level {data.get('level')})"))
    for award, credits, source in counts_towards(G, credential_id):
        title = catalogue.credential(award).title if catalogue.has("credential", award) else award
        how = "recognised" if source == "recognition" else "component"
        groups["award"].append((credential_node(award), f"{title} ({credits:g} ECTS, {how})"))
    return groups


def neighbourhood_sentences(G, catalogue: Catalogue, credential_id: str) -> list[str]:
    """The neighbourhood figure in words: what the credential requires, teaches and counts towards."""
    groups = _groups(G, catalogue, credential_id)
    title = catalogue.credential(credential_id).title

    def listed(items: list[tuple[str, str]]) -> str:
        return "; ".join(sorted({label for _, label in items}))

    return [f"{title} requires: {listed(groups['prerequisite']) or 'nothing'}.",
            f"It teaches: {listed(groups['teaches']) or 'nothing recorded'}.",
            f"It counts towards: {listed(groups['award']) or 'no award'}."]


def neighbourhood(G, catalogue: Catalogue, credential_id: str) -> go.Figure:
    """A credential between what it requires (left) and what it teaches and counts towards (right).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        From :func:`planner.catalogue.graph.build_graph`.
    catalogue : Catalogue
        For labels.
    credential_id : str
        The credential in the middle.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    node = credential_node(credential_id)
    groups = _groups(G, catalogue, credential_id)
    fig = go.Figure()
    centre = (1.0, 0.0)
    right = groups["teaches"] + groups["award"]
    placed: list[tuple[str, float, float, str, str]] = []
    for name, items in (("prerequisite", groups["prerequisite"]), ("right", right)):
        x = 0.0 if name == "prerequisite" else 2.0
        n = len(items)
        for i, (key, label) in enumerate(sorted(set(items), key=lambda t: t[1])):
            y = (n - 1) / 2 - i
            kind = name if name == "prerequisite" else ("award" if (key, label) in groups["award"] else "teaches")
            placed.append((key, x, y, label, kind))
    for _, x, y, _, kind in placed:
        x0, y0, x1, y1 = (x, y, *centre) if kind == "prerequisite" else (*centre, x, y)
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=2, arrowcolor=_COLOURS[kind], opacity=0.7)
    title = catalogue.credential(credential_id).title
    placed.append((node, *centre, title, "credential"))
    for kind in ("prerequisite", "teaches", "award", "credential"):
        pts = [p for p in placed if p[4] == kind]
        if pts:
            fig.add_trace(go.Scatter(
                x=[p[1] for p in pts], y=[p[2] for p in pts], mode="markers+text",
                text=[wrap(p[3], 24, 2) for p in pts], hovertext=[escape(p[3]) for p in pts],
                textposition="middle left" if kind == "prerequisite"
                else ("middle right" if kind in ("teaches", "award") else "bottom center"),
                textfont={"size": 11, "color": "#1f2933"}, marker={"size": 16, "color": _COLOURS[kind]}, name=kind,
                hoverinfo="text",
            ))
    rows = max(len(groups["prerequisite"]), len(right), 1)
    fig.update_layout(
        title="Requires → credential → teaches and counts towards",
        xaxis={"visible": False, "range": [-1.7, 3.9]},
        yaxis={"visible": False, "range": [-(rows - 1) / 2 - 0.8, (rows - 1) / 2 + 0.6]},
        height=max(320, 48 * rows + 140), margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.02},
    )
    return fig
