"""Plotly figures for the institution analyses (no Streamlit; the UI and reports share them).

Catalogue text is shown as plain text: plotly labels accept a little HTML, so every label
taken from the catalogue is escaped first.
"""

from __future__ import annotations

import plotly.graph_objects as go

from planner.analysis._common import award_components
from planner.analysis.coverage import CoverageResult
from planner.analysis.gaps import GapsResult
from planner.analysis.quality import QualityResult
from planner.catalogue.models import Catalogue
from planner.outputs.plots._text import escape

__all__ = ["BAR_COLOURS", "competency_heatmap", "gap_bars", "quality_bars", "stacking_bars"]

#: Colours of the two series of every bar chart, set explicitly: a figure must not depend on
#: a plotting template being present (without one plotly draws every bar black).
BAR_COLOURS = ("#2563eb", "#f59e0b")

#: Pixels per character of an 12 px axis label, to size margins so no label is clipped.
_CHAR_PX = 6.5


def _label_px(labels: list[str]) -> int:
    return int(_CHAR_PX * max((len(x) for x in labels), default=0)) + 20


def competency_heatmap(
    catalogue: Catalogue,
    *,
    kind: str = "roles",
    ids: list[str] | None = None,
    max_rows: int = 30,
    max_columns: int = 40,
) -> go.Figure:
    """Heatmap of roles or awards (rows) against competencies (columns).

    For roles a cell is the best level any credential teaches minus the level the role
    needs (negative: a gap; hover shows both). For awards a cell is the highest level
    the award's components (or the award itself) teach.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    kind : {"roles", "awards"}
        What the rows are.
    ids : list of str, optional
        Only these roles / awards.
    max_rows, max_columns : int
        Keep the figure readable: the rows first in id order, the competencies most
        often needed (or taught) first.

    Returns
    -------
    plotly.graph_objects.Figure
        The heatmap.

    """
    best: dict[str, int] = {}
    for cred in catalogue.credentials:
        for t in cred.teaches:
            best[t.competency] = max(best.get(t.competency, 0), t.level)
    rows: list[tuple[str, str, dict[str, int]]] = []
    if kind == "roles":
        for role in sorted(catalogue.roles, key=lambda r: r.id):
            if ids is None or role.id in ids:
                rows.append((role.id, role.title, {n.competency: n.level for n in role.needs}))
    elif kind == "awards":
        for award in sorted(catalogue.awards, key=lambda c: c.id):
            if ids is not None and award.id not in ids:
                continue
            levels: dict[str, int] = {}
            parts = [catalogue.credential(c) for c in award_components(award)
                     if catalogue.has("credential", c)]
            for cred in [award, *parts]:
                for t in cred.teaches:
                    levels[t.competency] = max(levels.get(t.competency, 0), t.level)
            rows.append((award.id, award.title, levels))
    else:
        raise ValueError(f"kind must be 'roles' or 'awards', got {kind!r}")
    rows = rows[:max_rows]
    counts: dict[str, int] = {}
    for _, _, levels in rows:
        for comp in levels:
            counts[comp] = counts.get(comp, 0) + 1
    # gaps first (so the red cells are never cut off), then the most frequent
    short = {comp for _, _, levels in rows for comp, lv in levels.items()
             if kind == "roles" and best.get(comp, 0) < lv}
    columns = sorted(counts, key=lambda c: (c not in short, -counts[c], c))[:max_columns]
    label = {c.id: c.label for c in catalogue.competencies}
    z: list[list[float | None]] = []
    hover: list[list[str]] = []
    for _, _title, levels in rows:
        z_row: list[float | None] = []
        h_row: list[str] = []
        for comp in columns:
            name = escape(label.get(comp, comp))
            if comp not in levels:
                z_row.append(None)
                h_row.append(f"{name}: not {'needed' if kind == 'roles' else 'taught'}")
            elif kind == "roles":
                z_row.append(best.get(comp, 0) - levels[comp])
                h_row.append(f"{name}: needs level {levels[comp]}, best taught level {best.get(comp, 0)}")
            else:
                z_row.append(levels[comp])
                h_row.append(f"{name}: taught up to level {levels[comp]}")
        z.append(z_row)
        hover.append(h_row)
    fig = go.Figure(go.Heatmap(
        z=z, x=[escape(label.get(c, c)) for c in columns], y=[escape(title) for _, title, _ in rows],
        text=hover, hoverinfo="text", colorscale="RdBu" if kind == "roles" else "Blues",
        zmid=0 if kind == "roles" else None,
        colorbar={"title": "taught − needed" if kind == "roles" else "level"},
    ))
    # the column labels hang below the grid at 45°: reserve their height, so every row keeps 28 px
    bottom = int(0.72 * _label_px([label.get(c, c) for c in columns])) + 20
    fig.update_layout(
        title="Roles × competencies: is each need taught at its level?" if kind == "roles"
        else "Awards × competencies: levels taught by each award's components",
        height=28 * len(rows) + bottom + 120, margin={"l": 10, "r": 10, "t": 80, "b": bottom},
        xaxis={"tickangle": -45, "automargin": True}, yaxis={"autorange": "reversed", "automargin": True},
    )
    return fig


def stacking_bars(coverage: CoverageResult, *, top: int = 30) -> go.Figure:
    """Bars of the most credit reachable by stacking per award, against the award's ECTS."""
    awards = coverage.awards[:top]
    fig = go.Figure()
    fig.add_bar(name="reachable by stacking", y=[escape(a.title) for a in awards],
                x=[a.max_stackable_credits for a in awards], orientation="h", marker_color=BAR_COLOURS[0])
    fig.add_bar(name="award ECTS", y=[escape(a.title) for a in awards],
                x=[a.award_ects or 0 for a in awards], orientation="h", marker_color=BAR_COLOURS[1])
    fig.update_layout(title="Credit reachable by stacking (ECTS)", barmode="group",
                      height=max(300, 40 * len(awards) + 150), yaxis={"autorange": "reversed", "automargin": True},
                      xaxis={"title": "ECTS", "automargin": True})
    return fig


def quality_bars(quality: QualityResult, *, top: int = 40) -> go.Figure:
    """Bars per provider: mean completeness of EU elements and share with external QA."""
    rows = quality.providers[:top]
    names = [escape(p.name) for p in rows]
    fig = go.Figure()
    fig.add_bar(name="mean completeness (%)", x=names, y=[round(100 * p.mean_completeness, 1) for p in rows],
                marker_color=BAR_COLOURS[0])
    fig.add_bar(name="external QA (%)", x=names, y=[round(100 * p.share_external_qa, 1) for p in rows],
                marker_color=BAR_COLOURS[1])
    bottom = int(0.72 * _label_px([p.name for p in rows])) + 20
    fig.update_layout(title="EU standard elements by provider", barmode="group", height=420 + bottom,
                      margin={"b": bottom}, yaxis={"range": [0, 100], "title": "%"},
                      xaxis={"tickangle": -45, "automargin": True})
    return fig


def gap_bars(gaps: GapsResult, *, top: int = 15) -> go.Figure:
    """Horizontal bars: roles each gap blocks (essential) or affects (optional)."""
    rows = gaps.gaps[:top]
    names = [escape(g.label) for g in rows]
    fig = go.Figure()
    fig.add_bar(name="roles blocked (essential)", y=names, x=[len(g.roles_blocked) for g in rows],
                orientation="h", marker_color=BAR_COLOURS[0])
    fig.add_bar(name="roles affected (optional)", y=names, x=[len(g.roles_optional) for g in rows],
                orientation="h", marker_color=BAR_COLOURS[1])
    fig.update_layout(title="Competencies roles need that are not taught well enough", barmode="stack",
                      height=max(300, 30 * len(rows) + 150), yaxis={"autorange": "reversed", "automargin": True},
                      xaxis={"dtick": 1, "title": "roles", "automargin": True})
    return fig
