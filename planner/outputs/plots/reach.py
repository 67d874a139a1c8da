"""Where can I get: reachable targets on a cost × weeks chart, and the table that is its text alternative.

No Streamlit: the page, reports and the HTTP API share them. Roles and awards differ by
marker shape as well as colour; the next best step's targets get a ring. Catalogue text
is escaped before plotly sees it.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from planner.engine.reach import Reach, ReachEntry
from planner.outputs.plots._text import escape

__all__ = ["KIND_STYLE", "reach_chart", "reach_rows"]

#: Marker of each kind of target: (colour, symbol, legend name). Shapes carry the meaning too.
KIND_STYLE = {"role": ("#2563eb", "circle", "Role"), "award": ("#b45309", "diamond", "Award")}


def _hover(entry: ReachEntry) -> str:
    weeks = f"{'at least ' if entry.lower_bound else ''}{entry.weeks} weeks"
    return (f"<b>{escape(entry.title)}</b><br>#{entry.rank} · {entry.cost:,.0f} {escape(entry.currency)} · {weeks}"
            f"<br>{entry.hours:g} study hours · {entry.steps} step{'s' * (entry.steps != 1)}"
            f"<br>already met: {escape(entry.met_text)}" + ("" if entry.proved else "<br>not proved optimal"))


def reach_chart(result: Reach, *, height: int = 460) -> go.Figure:
    """Reachable targets: best route's weeks (x) against its cost (y), names on hover.

    Parameters
    ----------
    result : Reach
        A reach answer; its ranked (listed) targets are drawn.
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per kind of target; the next best step's targets in a third, ringed trace.
    """
    fig = go.Figure()
    serves = set(result.next_step.serves) if result.next_step else set()
    for kind, (colour, symbol, name) in KIND_STYLE.items():
        entries = [e for e in result.ranked if e.kind == kind]
        if not entries:
            continue
        fig.add_trace(go.Scatter(
            x=[e.weeks for e in entries], y=[e.cost for e in entries], mode="markers", name=f"{name}s",
            marker={"color": colour, "symbol": symbol, "size": 12, "line": {"color": "#ffffff", "width": 1}},
            text=[_hover(e) for e in entries], hovertemplate="%{text}<extra></extra>",
            customdata=[e.target for e in entries],
        ))
    served = [e for e in result.ranked if e.target in serves]
    if served and result.next_step is not None:
        fig.add_trace(go.Scatter(
            x=[e.weeks for e in served], y=[e.cost for e in served], mode="markers",
            name=escape(f"Next step on its route: {result.next_step.title}"),
            # an open symbol is drawn in the marker's colour
            marker={"color": "#15803d", "symbol": "circle-open", "size": 24, "line": {"width": 2}},
            hoverinfo="skip",
        ))
    fig.update_layout(
        height=height, margin={"l": 70, "r": 20, "t": 30, "b": 60}, plot_bgcolor="#ffffff",
        xaxis={"title": {"text": "Weeks to finish (best route)"}, "gridcolor": "#e5e7eb", "rangemode": "tozero"},
        yaxis={"title": {"text": f"Cost of the best route ({escape(result.currency)})"}, "gridcolor": "#e5e7eb",
               "rangemode": "tozero"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"align": "left"},
    )
    return fig


def reach_rows(result: Reach) -> list[dict[str, Any]]:
    """The chart as a table, its text alternative: one row per point, in rank order.

    Figures are text as the chart's hover gives them (cost in whole units, weeks).
    """
    serves = set(result.next_step.serves) if result.next_step else set()
    return [{
        "rank": e.rank, "target": e.title, "kind": e.kind,
        f"cost ({result.currency})": f"{e.cost or 0.0:,.0f}",
        "weeks": f"{'≥ ' if e.lower_bound else ''}{e.weeks}",
        "next step on its route": "yes" if e.target in serves else "",
    } for e in result.ranked]
