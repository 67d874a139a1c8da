"""The HTML coverage report as a reader sees it: opened in Debian's Chromium, checked from its pixels.

Skips when ``/usr/bin/chromium`` or the ``playwright`` package is missing (never downloads a
browser). The screenshot is kept in ``tests/artifacts/coverage-report.png``.
"""

from __future__ import annotations

import pytest

from planner.outputs.plots.coverage import BAR_COLOURS
from planner.outputs.report import build_report, to_html
from tests.analysis.test_analysis_coverage import AS_OF, brute_engine, mini_catalogue
from tests.browser.browser_support import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, chromium):
    from PIL import Image

    cat = mini_catalogue()
    report = build_report(cat, as_of=AS_OF, engine=brute_engine)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(to_html(report, catalogue=cat), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "coverage-report.png"
    page = chromium.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    try:
        page.goto(path.as_uri())
        page.locator(".js-plotly-plot .bars path").first.wait_for(state="visible", timeout=60_000)
        page.screenshot(path=str(shot), full_page=True)
        bars = [page.locator(".js-plotly-plot .bars path").nth(i).bounding_box()
                for i in range(page.locator(".js-plotly-plot .bars path").count())]
        heatmap = page.locator(".js-plotly-plot").filter(has=page.locator(".heatmaplayer"))
        row_labels = [t.text_content() for t in heatmap.locator(".ytick text").all()]
        label_boxes = [t.bounding_box() for t in page.locator(".js-plotly-plot .ytick text, "
                                                              ".js-plotly-plot .xtick text").all()]
        text = page.locator("body").inner_text()
    finally:
        page.close()
    return {"report": report, "catalogue": cat, "image": Image.open(shot).convert("RGB"), "bars": bars,
            "row_labels": row_labels, "label_boxes": label_boxes, "text": text}


def test_bars_are_drawn_in_colour(rendered) -> None:
    image = rendered["image"]
    colours = set()
    for box in rendered["bars"]:
        if box and box["width"] >= 3 and box["height"] >= 3:
            colours.add(image.getpixel((int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2))))
    assert len(colours) >= 2, f"every bar is drawn in one colour: {colours}"
    assert all(max(c) - min(c) > 60 for c in colours), f"grey or black bars: {colours}"
    # the figure's own colours, not whatever a plotting template would pick
    assert colours == {tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in BAR_COLOURS}


def test_every_heatmap_row_and_axis_label_is_shown_whole(rendered) -> None:
    roles = sorted(r.title for r in rendered["catalogue"].roles)
    assert sorted(rendered["row_labels"]) == roles
    width, height = rendered["image"].size
    for box in rendered["label_boxes"]:
        assert box is not None and box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


def test_whatif_table_shows_titles_and_only_agreements_that_help(rendered) -> None:
    cat, what = rendered["catalogue"], rendered["report"].whatif
    text = rendered["text"]
    section = text[text.index("Recognition what-if"):]
    helpful = [c for c in what.candidates if c.helps]
    useless = [c for c in what.candidates if not c.helps]
    assert helpful and useless  # the mini catalogue has both kinds
    for c in helpful:
        assert cat.credential(c.credential_id).title in section
    assert "no effect" not in section
    assert f"{len(useless)} would change nothing" in section
    rows = section.split("Effects", 1)[1].split("\n")
    assert sum(cat.credential(c.credential_id).title in r for r in rows for c in useless
               if all(cat.credential(c.credential_id).title not in r for c in helpful)) == 0
