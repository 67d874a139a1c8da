"""An advisor's session in headless Chromium: page URLs, work kept across pages, the cost × time
chart's points handed out, handouts downloaded, the share link, and the explorer's header.

Screenshots go to ``tests/artifacts/`` (and to ``$PLANNER_SCREENSHOTS`` when set); a downloaded
PDF handout is also rendered to PNG there when poppler's ``pdftoppm`` is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.browser_support import ARTIFACTS, UI_MS, publish, settle, shoot

pytestmark = pytest.mark.browser


def _render_pdf(pdf: Path, name: str) -> None:
    """First page of a PDF as PNG, for people to look at (needs poppler-utils' pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        return
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / name)], check=True, timeout=60)
    publish(ARTIFACTS / f"{name}.png")


def _sidebar_link(page, title: str):
    return page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True)


@pytest.mark.parametrize(("path", "ready"), [
    ("plan?target=role:data-analyst&budget=1500", "Route 1"),
    ("compare?target=role:data-analyst", "What if A"),
])  # the other pages' addresses: tests/browser/test_browser.py::test_every_page_in_the_browser
def test_every_page_has_a_working_url(app: str, page, path: str, ready: str) -> None:
    page.goto(f"{app}/{path}")
    page.get_by_text(ready, exact=False).first.wait_for(timeout=UI_MS)
    assert page.get_by_text("Page not found", exact=False).count() == 0
    assert page.url.split("?")[0] == f"{app}/{path.split('?')[0]}"


def test_notes_and_what_ifs_survive_a_page_change(app: str, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{app}/compare?target=role:data-analyst")
    page.get_by_text("What if A", exact=True).first.wait_for(timeout=UI_MS)
    settle(page)  # a busy machine: the scenarios drawn before one is changed
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Exclude providers").first
    box.click()
    page.keyboard.type("OpenSkills")
    page.get_by_role("option", name="OpenSkills Academy").first.click(timeout=UI_MS)
    page.keyboard.press("Escape")
    page.get_by_text("Differs from the current plan", exact=False).first.wait_for(timeout=UI_MS)
    notes = page.get_by_label("Advisor's notes (go into the handout)")
    notes.fill("Prefers evening classes; ask about the bootcamp's payment plan.")
    notes.press("Control+Enter")
    settle(page)
    _sidebar_link(page, "Explore the catalogue").click()
    page.get_by_text("EU standard elements").first.wait_for(timeout=UI_MS)
    settle(page)
    _sidebar_link(page, "Compare and what-if").click()
    page.get_by_text("What if A", exact=True).first.wait_for(timeout=UI_MS)
    expect(page.get_by_label("Advisor's notes (go into the handout)")).to_have_value(
        "Prefers evening classes; ask about the bootcamp's payment plan.", timeout=UI_MS)
    page.get_by_text("Differs from the current plan", exact=False).first.wait_for(timeout=UI_MS)
    assert box.get_by_text("OpenSkills Academy").count() == 1


def test_a_point_of_the_trade_off_is_handed_out(app: str, page) -> None:
    page.goto(f"{app}/compare?target=role:data-scientist")
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Cost × time").first
    chart.wait_for(timeout=UI_MS)
    settle(page)
    chart.scroll_into_view_if_needed()
    points = chart.locator(".scatterlayer .trace").first.locator("path.point")
    assert points.count() >= 2
    labels = chart.locator(".scatterlayer .trace").first.locator("text")
    names = [labels.nth(i).text_content() for i in range(labels.count())]
    assert all(n.startswith(("Route ", "Trade-off ")) for n in names), names
    # plotly picks the point under the pointer on its drag layer: hover, then click there
    spot = points.last.bounding_box()
    x, y = spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    download = page.get_by_role("button", name="PDF handout")
    download.nth(1).wait_for(timeout=UI_MS)  # the chosen route's and the picked point's
    settle(page)
    chart.evaluate("e => e.scrollIntoView({block: 'start'})")  # the chart with the picked route below
    page.mouse.wheel(0, -60)
    page.wait_for_timeout(500)
    shoot(page, "compare-pareto")
    with page.expect_download() as info:
        page.get_by_role("button", name="Markdown handout").nth(1).click()
    md = Path(info.value.path()).read_text(encoding="utf-8")
    picked = md.split("## Summary: ")[1].split("\n")[0]
    assert picked in names


def test_handouts_download_with_the_learner_and_what_ifs(app: str, page, tmp_path: Path) -> None:
    page.goto(f"{app}/compare?target=role:data-analyst&budget=3000&have=osa-sql-basics@2026-05-01")
    page.get_by_text("What if A", exact=True).first.wait_for(timeout=UI_MS)
    settle(page)  # a busy machine: the scenarios drawn before one is changed
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Exclude providers").first
    box.click()
    page.keyboard.type("OpenSkills")
    page.get_by_role("option", name="OpenSkills Academy").first.click(timeout=UI_MS)
    page.keyboard.press("Escape")
    page.get_by_text("Differs from the current plan", exact=False).first.wait_for(timeout=UI_MS)
    notes = page.get_by_label("Advisor's notes (go into the handout)")
    notes.fill("Fees in € are due before the start.")
    notes.press("Control+Enter")
    page.wait_for_timeout(1000)  # the rerun with the notes starts
    settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Markdown handout").first.click()
    md = Path(info.value.path()).read_text(encoding="utf-8")
    assert "## The learner" in md and "## Constraints" in md and "### What if A: excluding OpenSkills Academy" in md
    assert "Fees in € are due before the start." in md
    with page.expect_download() as info:
        page.get_by_role("button", name="PDF handout").first.click()
    pdf = tmp_path / "plan.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    shutil.copyfile(pdf, ARTIFACTS / "handout.pdf")
    _render_pdf(pdf, "handout-pdf")
    ARTIFACTS.joinpath("handout.md").write_text(md, encoding="utf-8")


def test_the_share_link_is_full_and_opens_the_same_plan(app: str, page, chromium) -> None:
    page.goto(f"{app}/plan?target=role:data-analyst&budget=1500&hours_per_week=12")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    code = page.locator('[data-testid="stCode"]').first
    code.wait_for(timeout=UI_MS)
    link = code.inner_text().strip()
    assert link.startswith(f"{app}/plan?target=role%3Adata-analyst&budget=1500")
    # under these constraints one route exists, and the page says so rather than showing one of three
    page.get_by_text("Only 1 route reaches this target", exact=False).first.wait_for(timeout=UI_MS)
    settle(page)
    shoot(page, "plan-share-link")
    other = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        other.goto(link)
        other.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
        from playwright.sync_api import expect

        expect(other.get_by_label("Budget", exact=True)).to_have_value("1500.00", timeout=UI_MS)
        expect(other.get_by_label("Hours per week", exact=True)).to_have_value("12.00", timeout=UI_MS)
    finally:
        other.close()


def test_the_explorer_header_follows_a_search(app: str, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{app}/explore")
    page.get_by_text("EU standard elements").first.wait_for(timeout=UI_MS)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Details of").first
    box.click()
    page.keyboard.type("Applied Machine Learning")
    page.keyboard.press("Enter")
    header = page.locator('[data-testid="stHeading"]').filter(has_text=" · ").first
    expect(header).to_contain_text("Applied Machine Learning", timeout=UI_MS)
    page.get_by_label("Search titles, providers and competencies").fill("energy audit")
    page.keyboard.press("Enter")
    expect(header).not_to_contain_text("Applied Machine Learning", timeout=UI_MS)
    settle(page)
    title = header.inner_text().split(" · ")[0].strip()
    # the box and the header name the same credential
    assert box.get_by_role("combobox").input_value().startswith(title)
    details_title = page.locator('[data-testid="stText"]').first.inner_text().strip()
    assert details_title == title
    page.get_by_text("Details of", exact=True).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.mouse.wheel(0, -120)  # the search box above it too
    page.wait_for_timeout(500)
    shoot(page, "explore-search")
