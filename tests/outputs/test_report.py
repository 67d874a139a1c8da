"""The coverage report: four formats, escaping, self-contained HTML, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from planner._errors import PlannerError
from planner.cli import main
from planner.outputs.report import build_report, render, to_html, to_json, to_markdown, to_text
from tests.analysis.test_analysis_coverage import AS_OF, brute_engine, mini_catalogue, mini_data


@pytest.fixture(scope="module")
def report():
    return build_report(mini_catalogue(), as_of=AS_OF, engine=brute_engine)


def test_report_bundles_every_analysis(report) -> None:
    assert [a.award_id for a in report.coverage.awards] == ["cert", "msc"]
    assert report.gaps.gaps[0].competency_id == "ethics"
    assert [d.credential_id for d in report.orphans.dead_ends] == ["dead", "msc"]
    assert report.reachability is not None and report.reachability.reachable_from_zero == 1
    assert report.whatif is not None and report.whatif.candidates[0].credential_id == "mlonl"
    assert report.counts["credentials"] == 12
    assert set(report.seconds) >= {"graph", "coverage", "gaps", "orphans", "quality", "reachability", "whatif"}


def test_text_and_markdown(report) -> None:
    text = to_text(report)
    for heading in ("Stacking coverage per award", "Role reachability", "Competency gaps", "Dead ends",
                    "Near-duplicates", "Quality against the EU standard elements", "Recognition what-if"):
        assert heading in text
    assert "900 EUR" in text  # the analyst's cheapest route
    md = to_markdown(report)
    assert md.startswith("# Coverage report")
    assert "| Award | Provider |" in md
    # catalogue text is escaped, never markup
    assert "Online \\<b\\>Academy\\</b\\>" in md and "<b>Academy" not in md


def test_json_has_everything(report) -> None:
    data = json.loads(to_json(report))
    assert data["as_of"] == "2026-01-01"
    msc = data["coverage"]["awards"][1]
    assert msc["award_id"] == "msc" and msc["no_route"] == ["0.1"]
    top = data["whatif"]["candidates"][0]
    assert top["effects"][0] == {"target": "award:msc", "before": None, "after": 1450.0, "saving": 0.0,
                                 "unlocked": True}
    assert (top["unlocked"], top["helps"]) == (1, True)  # derived figures are in the JSON too
    assert data["coverage"]["awards"][0]["share_stackable"] == 1.0
    assert len(data["quality"]["credentials"]) == 12
    again = build_report(mini_catalogue(), as_of=AS_OF, engine=brute_engine, whatif=False)
    assert to_json(again) == to_json(build_report(mini_catalogue(), as_of=AS_OF, engine=brute_engine,
                                                  whatif=False))  # deterministic, no timings


def test_html_is_self_contained_and_escaped(report) -> None:
    page = to_html(report, catalogue=mini_catalogue())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<h2>Competency gaps</h2>" in page and "<table>" in page
    assert '<script src="http' not in page and "<link" not in page  # nothing fetched from the web
    assert page.count("plotly.js v") >= 1 and page.count('class="plotly-graph-div"') >= 4
    assert "Online &lt;b&gt;Academy&lt;/b&gt;" in page and "<b>Academy" not in page


def test_hostile_titles_are_never_markup() -> None:
    data = mini_data()
    data["credentials"][0]["title"] = "<script>alert(1)</script>"
    from planner.catalogue.models import Catalogue

    cat = Catalogue.model_validate(data)
    rep = build_report(cat, as_of=AS_OF, engine=brute_engine, whatif=False)
    md, page = to_markdown(rep), to_html(rep, catalogue=cat)
    assert "<script>alert(1)" not in md and "<script>alert(1)" not in page
    assert "\\<script\\>alert\\(1\\)" in md  # backslash-escaped: Markdown shows it as typed
    assert "&lt;script&gt;alert(1)" in page


def test_unknown_scope_is_a_plain_error() -> None:
    with pytest.raises(PlannerError, match="unknown provider 'nope'"):
        build_report(mini_catalogue(), provider="nope", engine=brute_engine)
    with pytest.raises(PlannerError, match="not an award"):
        build_report(mini_catalogue(), award="py1", engine=brute_engine)
    with pytest.raises(PlannerError, match="unknown format"):
        render(build_report(mini_catalogue(), engine=brute_engine, reachability=False, whatif=False), "pdf")


# --------------------------------------------------------------------------- CLI


@pytest.fixture()
def mini_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "all.yaml").write_text(yaml.safe_dump(mini_data(), sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_cli_all_formats(fmt: str, mini_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / f"report.{fmt}"
    code = main(["coverage", str(mini_dir), "--format", fmt, "--output", str(out), "--as-of", "2026-01-01",
                 "--provider", "uni"])
    assert code == 0, capsys.readouterr().err
    body = out.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(body)
        assert data["provider"] == "uni" and [a["award_id"] for a in data["coverage"]["awards"]] == ["cert", "msc"]
        assert data["whatif"]["candidates"][0]["credential_id"] == "mlonl"  # measured by the real engine
    elif fmt == "html":
        assert "<h1>" in body and "Plotly" in body
    else:
        assert "Stacking coverage per award" in body


def test_cli_prints_to_stdout_without_routes(mini_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["coverage", str(mini_dir), "--no-routes", "--award", "msc", "--as-of", "2026-01-01"]) == 0
    out = capsys.readouterr().out
    assert "msc" in out and "Role reachability" not in out and "Recognition what-if" not in out


def test_cli_bad_input_exits_1_without_traceback(mini_dir: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    assert main(["coverage", str(mini_dir), "--provider", "nope", "--no-routes"]) == 1
    assert "unknown provider 'nope'" in capsys.readouterr().err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.yaml").write_text("credentials: [1, 2\n", encoding="utf-8")
    assert main(["coverage", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "x.yaml" in err and "Traceback" not in err
    assert main(["coverage", str(mini_dir), "--no-routes", "--output", str(tmp_path / "no" / "dir" / "r.txt")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_report_on_sample_catalogue(catalogue_dir) -> None:
    if not any(catalogue_dir.glob("*.y*ml")):
        pytest.fail("the bundled sample catalogue is missing: the project ships it")
    from planner.catalogue.loader import load

    cat = load(catalogue_dir)
    rep = build_report(cat, as_of=AS_OF, reachability=False, whatif=False)
    assert len(rep.coverage.awards) == len(cat.awards)
    assert json.loads(to_json(rep))["counts"]["credentials"] == len(cat.credentials)
    assert "<h2>Stacking coverage per award</h2>" in to_html(rep, catalogue=cat)


# --------------------------------------------------------------------------- figures


def test_role_heatmap_shows_gaps_first() -> None:
    from planner.outputs.plots.coverage import competency_heatmap

    fig = competency_heatmap(mini_catalogue(), kind="roles")
    heat = fig.data[0]
    assert list(heat.y) == ["Data analyst", "ML engineer", "Researcher"]
    assert list(heat.x[:3]) == ["Ethics", "Stats", "Communication"]  # the gaps lead
    mleng = list(heat.z[1])
    assert mleng[:3] == [-1, None, -1]  # ethics: nobody teaches (0 - 1); comm taught at 1, needed 2
    assert heat.z[0][1] == 0  # the analyst's statistics need is met exactly


def test_award_heatmap_and_bars(report) -> None:
    from planner.outputs.plots.coverage import competency_heatmap, gap_bars, quality_bars, stacking_bars

    fig = competency_heatmap(mini_catalogue(), kind="awards")
    assert list(fig.data[0].y) == ["Course cert", "Course msc"]
    cert_levels = dict(zip(fig.data[0].x, fig.data[0].z[0], strict=True))
    assert cert_levels["Ml"] == 2 and cert_levels["Py"] == 2 and cert_levels["Viz"] == 2
    assert list(stacking_bars(report.coverage).data[0].x) == [15, 18]
    assert list(gap_bars(report.gaps).data[0].x) == [2, 1, 0]
    assert "Online &lt;b&gt;Academy&lt;/b&gt;" in quality_bars(report.quality).data[0].x
    with pytest.raises(ValueError, match="kind"):
        competency_heatmap(mini_catalogue(), kind="providers")


def test_the_cli_offers_exactly_the_report_formats():
    # The CLI keeps its own tuple so building the parser does not import the report module.
    from planner.cli.coverage_cmd import REPORT_FORMATS
    from planner.outputs.report import FORMATS

    assert REPORT_FORMATS == FORMATS


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_whatif_table_names_titles_in_every_format(report, fmt) -> None:
    # The report carries the names; text and Markdown must not fall back to ids.
    out = render(report, fmt)
    table = out[out.index("Recognition what-if"):]
    assert "Course mlonl" in table
    assert "mlonl" not in table.replace("Course mlonl", "")



def test_tables_name_things_by_their_titles_never_their_ids(report) -> None:
    # every cell, and every part of a listing cell, of every Markdown table: no id of the catalogue
    cat = mini_catalogue()
    ids = {c.id for c in cat.credentials} | {r.id for r in cat.roles} | {p.id for p in cat.providers} | {
        c.id for c in cat.competencies}
    titles = {c.title for c in cat.credentials} | {r.title for r in cat.roles} | {p.name for p in cat.providers}
    ids -= titles  # an id that is also someone's title cannot be told apart
    md = to_markdown(report).replace("\\", "")
    cells = [cell.strip() for line in md.splitlines() if line.startswith("| ") and not line.startswith("|---")
             for cell in line.strip("|").split(" | ")]
    parts = {p.strip() for cell in cells for p in cell.replace(";", ",").split(",")}
    assert parts & titles  # the tables do name things …
    assert not parts & ids, sorted(parts & ids)  # … by their titles
    page = to_html(report, catalogue=cat, figures=False)
    assert not any(f"<td>{i}</td>" in page for i in ids)


def test_every_html_figure_is_followed_by_a_table_of_its_figures(report) -> None:
    import re

    page = to_html(report, catalogue=mini_catalogue())
    figures = [m.start() for m in re.finditer(r'class="plotly-graph-div"', page)]
    assert len(figures) >= 4
    for start, end in zip(figures, [*figures[1:], len(page)], strict=True):
        section_end = page.find("</section>", start)
        assert "<table>" in page[start:min(end, section_end)], page[start:start + 300]
    # the heatmap's own table: every role's need, with the levels the figure colours
    assert "<th>role</th><th>competency</th><th>needed level</th><th>best level taught</th>" in page


def test_the_stackable_column_says_what_coverage_found(report) -> None:
    """Each award's row in the Markdown coverage table says "yes" exactly when every part of it
    can be earned by stacking (the small catalogue has both: the certificate yes, the master's no)."""
    lines = to_markdown(report).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| Award |"))
    columns = [c.strip() for c in lines[header].strip("|").split("|")]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[header + 2:]
            if line.startswith("|")][:len(report.coverage.awards)]
    said = [row[columns.index("Stackable")] for row in rows]
    assert said == ["yes" if a.stackable else "no" for a in report.coverage.awards]
    assert set(said) == {"yes", "no"}
