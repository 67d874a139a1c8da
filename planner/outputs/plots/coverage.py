"""Plotly figures for the institution analyses (no Streamlit; the UI and reports share them).

Catalogue text is shown as plain text: plotly labels accept a little HTML, so every label
taken from the catalogue is escaped first.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from planner.analysis._common import award_components
from planner.analysis.coverage import CoverageResult
from planner.analysis.gaps import GapsResult
from planner.analysis.quality import QualityResult
from planner.catalogue.models import Catalogue
from planner.outputs.plots._text import escape

__all__ = ["BAR_COLOURS", "HeatmapData", "competency_heatmap", "gap_bars", "heatmap_data", "heatmap_rows",
           "quality_bars", "stacking_bars"]

#: Colours of the two series of every bar chart, set explicitly: a figure must not depend on
#: a plotting template being present (without one plotly draws every bar black).
BAR_COLOURS = ("#2563eb", "#f59e0b")

#: Pixels per character of an 12 px axis label, to size margins so no label is clipped.
_CHAR_PX = 6.5


def _label_px(labels: list[str]) -> int:
    return int(_CHAR_PX * max((len(x) for x in labels), default=0)) + 20


@dataclass(frozen=True)
class HeatmapData:
    """What the heatmap shows: rows (roles or awards), competency columns and one value per cell.

    ``cells[r][c]`` is ``(needed, best_taught)`` for roles and ``(None, taught)`` for
    awards; None where the role does not need (or the award does not teach) the competency.
    """

    kind: str
    rows: tuple[tuple[str, str], ...]  # (id, title)
    columns: tuple[tuple[str, str], ...]  # (competency id, label)
    cells: tuple[tuple[tuple[int | None, int] | None, ...], ...]

    def value(self, r: int, c: int) -> int | None:
        """The cell's colour value: taught − needed for roles, the level taught for awards."""
        cell = self.cells[r][c]
        if cell is None:
            return None
        needed, taught = cell
        return taught - needed if needed is not None else taught


def heatmap_data(catalogue: Catalogue, *, kind: str = "roles", ids: list[str] | None = None, max_rows: int = 30,
                 max_columns: int = 40) -> HeatmapData:
    """The cells of :func:`competency_heatmap` (same parameters), for the figure and its table."""
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
    cells = tuple(tuple(None if comp not in levels else
                        ((levels[comp], best.get(comp, 0)) if kind == "roles" else (None, levels[comp]))
                        for comp in columns) for _, _, levels in rows)
    return HeatmapData(kind, tuple((i, t) for i, t, _ in rows), tuple((c, label.get(c, c)) for c in columns),
                       cells)


def heatmap_rows(data: HeatmapData) -> list[dict[str, object]]:
    """The heatmap as a table: one row per filled cell (role or award, competency, levels, gap)."""
    out: list[dict[str, object]] = []
    what = "role" if data.kind == "roles" else "award"
    for r, (_, title) in enumerate(data.rows):
        for c, (_, label) in enumerate(data.columns):
            cell = data.cells[r][c]
            if cell is None:
                continue
            needed, taught = cell
            if data.kind == "roles":
                out.append({what: title, "competency": label, "needed level": needed, "best level taught": taught,
                            "gap": "met" if taught >= (needed or 0) else f"{(needed or 0) - taught} short"})
            else:
                out.append({what: title, "competency": label, "level taught": taught})
    return out


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
    the award's components (or the award itself) teach. Every cell carries its number and
    every column its label; no colour of a filled cell is near white.

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
    data = heatmap_data(catalogue, kind=kind, ids=ids, max_rows=max_rows, max_columns=max_columns)
    z = [[data.value(r, c) for c in range(len(data.columns))] for r in range(len(data.rows))]
    hover: list[list[str]] = []
    for r in range(len(data.rows)):
        h_row: list[str] = []
        for c, (_, label) in enumerate(data.columns):
            name, cell = escape(label), data.cells[r][c]
            if cell is None:
                h_row.append(f"{name}: not {'needed' if kind == 'roles' else 'taught'}")
            elif kind == "roles":
                h_row.append(f"{name}: needs level {cell[0]}, best taught level {cell[1]}")
            else:
                h_row.append(f"{name}: taught up to level {cell[1]}")
        hover.append(h_row)
    values = [v for row in z for v in row if v is not None]
    if kind == "roles":
        # red for a gap, green once the need is met; even "met exactly" (0) is clearly green
        reach = max([1, *(abs(v) for v in values)])
        colours: dict[str, object] = {"colorscale": [[0.0, "#b91c1c"], [0.5 - 0.5 / (2 * reach), "#fca5a5"],
                                                     [0.5 - 0.5 / (2 * reach) + 1e-6, "#bbf7d0"], [1.0, "#15803d"]],
                                      "zmin": -reach, "zmax": reach}
    else:
        colours = {"colorscale": [[0.0, "#bfdbfe"], [1.0, "#1e3a8a"]], "zmin": 0, "zmax": max([1, *values])}
    fig = go.Figure(go.Heatmap(
        z=z, x=[escape(label) for _, label in data.columns], y=[escape(title) for _, title in data.rows],
        text=hover, hoverinfo="text", texttemplate="%{z}", textfont={"size": 11}, xgap=1, ygap=1,
        colorbar={"title": "taught − needed" if kind == "roles" else "level", "dtick": 1}, **colours,
    ))
    # the column labels hang below the grid at 45°: reserve their height, so every row keeps 28 px
    bottom = int(0.72 * _label_px([label for _, label in data.columns])) + 20
    fig.update_layout(
        title="Roles × competencies: is each need taught at its level?" if kind == "roles"
        else "Awards × competencies: levels taught by each award's components",
        height=28 * len(data.rows) + bottom + 120, margin={"l": 10, "r": 10, "t": 80, "b": bottom},
        # every column labelled: plotly would otherwise skip every other label of a crowded axis
        xaxis={"tickangle": -45, "automargin": True, "tickmode": "linear", "dtick": 1, "tickfont": {"size": 11}},
        yaxis={"autorange": "reversed", "automargin": True, "tickmode": "linear", "dtick": 1},
        plot_bgcolor="#ffffff",
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
