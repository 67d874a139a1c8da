"""Every chart on every page comes with its text alternative, right under it (WCAG 2.1, 1.1.1).

A chart says its figures in colour and shape; someone who cannot see it reads the table or
the sentences that follow it. The pages are walked as AppTest draws them (every tab's
content is in the tree): each plotly chart must be followed, in the same block, by a table
(dataframe) or a list of sentences (Markdown), and that alternative must carry figures.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest


def _charts_and_what_follows(node, found: list[tuple[object, object | None]]) -> None:
    kids = list(getattr(node, "children", {}).values())
    for i, kid in enumerate(kids):
        if getattr(kid, "type", None) == "plotly_chart":
            found.append((kid, kids[i + 1] if i + 1 < len(kids) else None))
        _charts_and_what_follows(kid, found)


def _alternatives(at: AppTest) -> list[str]:
    """For each chart, its alternative as text; fails on a chart without one."""
    found: list[tuple[object, object | None]] = []
    _charts_and_what_follows(at.main, found)
    out = []
    for chart, after in found:
        kind = getattr(after, "type", None)
        assert kind in ("dataframe", "markdown"), f"a chart ({chart.proto.id}) is followed by {kind}, not its text"
        text = after.value.to_csv(index=False) if kind == "dataframe" else after.value
        assert re.search(r"\w", text), f"the text alternative of a chart is empty: {chart.proto.id}"
        out.append(text)
    return out


def _page(module: str, **query: str) -> AppTest:
    at = AppTest.from_string(f"from planner.ui.{module} import page\npage()\n", default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def test_the_plan_page_charts_have_their_tables(sample_catalogue) -> None:
    at = _page("plan_page", target="role:data-analyst")
    assert not at.exception
    texts = _alternatives(at)
    assert len(texts) == 3  # timeline, pathway, credit stacking
    steps = [m.value for m in at.markdown if re.match(r"\*\*\d+\. ", m.value)]
    titles = [re.match(r"\*\*\d+\. (.*?)\*\* ·", s).group(1).replace("\\", "") for s in steps]
    assert titles and all(t in texts[0] for t in titles)  # the timeline's table names every step …
    assert re.search(r"\d{2} [A-Z][a-z]{2} \d{4}", texts[0])  # … with its dates


def test_the_compare_page_chart_has_its_table() -> None:
    at = _page("compare_page", target="role:data-analyst")
    assert not at.exception
    texts = _alternatives(at)
    assert any("cost (EUR)" in t and "weeks to finish" in t for t in texts)  # the cost × time chart


def test_the_coverage_and_explorer_charts_have_their_tables() -> None:
    at = _page("coverage_page")
    assert not at.exception
    texts = _alternatives(at)
    assert len(texts) >= 4  # stacking, heatmap, gaps, quality
    assert any("level taught" in t and "competency" in t for t in texts)  # the heatmap, cell by cell
    at = _page("explore_page")
    texts = _alternatives(at)
    assert len(texts) == 1 and "requires" in texts[0] and "counts towards" in texts[0].lower()


@pytest.mark.parametrize("rows_kind", ["awards", "roles"])
def test_the_heatmap_table_has_every_cell_the_figure_colours(rows_kind: str) -> None:
    at = _page("coverage_page")
    at.radio(key="cov_heat_rows").set_value(rows_kind).run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    z = next(spec["data"][0]["z"] for spec in specs if spec["data"][0].get("type") == "heatmap")
    filled = sum(v is not None for row in z for v in row)
    table = next(d.value for d in at.dataframe if "competency" in d.value.columns)
    assert len(table) == filled > 0
    if rows_kind == "roles":  # a gap is said in words, not only in red
        assert set(table["gap"]) >= {"met"} and any(g.endswith("short") for g in table["gap"])
