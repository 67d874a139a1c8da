"""``planner import labour-market``: occupation codes → role outlooks, written in place, nothing invented.

The real figures used: U.S. Bureau of Labor Statistics, Occupational Outlook Handbook, "Data
Scientists" (SOC 15-2051): median pay $112,590 per year (May 2024) and about 23,400 openings
projected each year, 2024–34 (https://www.bls.gov/ooh/math/data-scientists.htm). The O*NET
codes come from the O*NET 29.2 database in ``../shared/reference``. Other rows are test
figures and say so in their ``source``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalogue.loader import load, validate
from planner.catalogue.models import Outlook, Wage
from planner.cli import main
from planner.interop.labourmarket import code_kind, edited_files, import_labour_market, read_figures
from tests.conftest import CATALOGUE_DIR, reference_file

BLS = ("15-2051.00,23400,112590,USD,year,\"U.S. Bureau of Labor Statistics, Occupational Outlook Handbook: "
       "Data Scientists\",2024-05-31,https://www.bls.gov/ooh/math/data-scientists.htm")
HEADER = "code,openings,median_wage,currency,period,source,as_of,url"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the bundled catalogue whose data scientist also carries its SOC code (15-2051)."""
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    roles = target / "roles.yaml"
    text = roles.read_text(encoding="utf-8")
    marker = "    title: Data scientist\n"
    roles.write_text(text.replace(marker, marker + "    soc_code: '15-2051'\n", 1), encoding="utf-8")
    return target


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "figures.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


def test_code_kinds_on_real_codes(sample_catalogue) -> None:
    occupations = reference_file("onet-29.2-text/All_Occupations.txt").read_text(encoding="utf-8").splitlines()[1:]
    codes = [line.split("\t")[1] for line in occupations if line.strip()]
    assert len(codes) > 900 and all(code_kind(c) == "onet" for c in codes)
    assert {code_kind(c[:7]) for c in codes} == {"soc"}
    assert all(code_kind(r.esco_uri) == "esco" and code_kind(r.isco_code) == "isco" for r in sample_catalogue.roles)
    assert code_kind("25-11") is None and code_kind("data scientist") is None


def test_figures_land_on_the_roles_they_name_and_nowhere_else(folder, tmp_path) -> None:
    csv = _csv(tmp_path, BLS, "2511,,4100,EUR,month,Test figures (not real),2025-01-01,",
               "2166,10,,,,Test figures (not real),2025-01-01,")
    before = (folder / "roles.yaml").read_text(encoding="utf-8")
    result = import_labour_market(csv, folder)
    assert result.written and not result.errors
    assert [p.line for p in result.problems] == [4]  # ISCO 2166: no role has it (a warning)
    cat = load(folder)
    scientist = cat.role("data-scientist").outlook
    assert scientist == Outlook(openings=23400, median_wage=Wage(amount=112590, currency="USD", period="year"),
                                source="U.S. Bureau of Labor Statistics, Occupational Outlook Handbook: "
                                       "Data Scientists",
                                as_of=dt.date(2024, 5, 31), code="15-2051.00",
                                url="https://www.bls.gov/ooh/math/data-scientists.htm")
    # the ISCO group's row reaches the analyst (same ISCO 2511), not the scientist who has a more specific row
    analyst = cat.role("data-analyst").outlook
    assert analyst is not None and analyst.openings is None and analyst.median_wage.period == "month"
    assert [r.id for r in cat.roles if r.outlook is not None] == ["data-scientist", "data-analyst"]
    after = (folder / "roles.yaml").read_text(encoding="utf-8")
    # only two lines were added: comments and layout stay
    assert sorted(set(after.splitlines()) - set(before.splitlines())) == sorted(
        line for line in after.splitlines() if line.startswith("    outlook: "))
    assert len(after.splitlines()) == len(before.splitlines()) + 2
    assert "# ESCO occupation: data analyst (ISCO 2511)" in after


def test_existing_figures_need_force_and_nothing_is_half_written(folder, tmp_path) -> None:
    assert import_labour_market(_csv(tmp_path, BLS), folder).written
    again = import_labour_market(_csv(tmp_path, BLS), folder)  # the same figures: nothing to replace
    assert again.written and not again.errors
    newer = BLS.replace("23400", "24000")
    snapshot = _snapshot(folder)
    refused = import_labour_market(_csv(tmp_path, newer), folder)
    assert not refused.written and "--force" in refused.errors[0].message
    assert _snapshot(folder) == snapshot
    forced = import_labour_market(_csv(tmp_path, newer), folder, force=True)
    assert forced.written and load(folder).role("data-scientist").outlook.openings == 24000
    assert (folder / "roles.yaml").read_text(encoding="utf-8").count("outlook:") == 1


@pytest.mark.parametrize("row, field, message", [
    ("25-11,1,,,,S,2025-01-01,", "code", "not an ESCO occupation URI"),
    ("2511,many,,,,S,2025-01-01,", "", "openings 'many' is not a whole number"),
    ("2511,,100,EUR,fortnight,S,2025-01-01,", "", "period 'fortnight'"),
    ("2511,,100,EU,year,S,2025-01-01,", "median_wage.currency", "String should match"),
    ("2511,10,,,,,2025-01-01,", "source", ""),
    ("2511,,,,,S,2025-01-01,", "row", "openings, a median wage, or both"),
    ("2511,10,,,,S,last year,", "", "as_of 'last year' is not a date"),
    ("2511,-5,,,,S,2025-01-01,", "openings", "greater than or equal to 0"),
])
def test_bad_rows_are_located_and_nothing_is_written(folder, tmp_path, row, field, message) -> None:
    snapshot = _snapshot(folder)
    result = import_labour_market(_csv(tmp_path, BLS, row), folder)
    assert not result.written and _snapshot(folder) == snapshot
    [error] = result.errors
    assert error.line == 3 and error.field == field and message in error.message


def test_the_csv_itself_is_read_through_the_input_layer(tmp_path, folder, capsys) -> None:
    missing = _csv(tmp_path, "2511,1", header="code,openings")
    code = main(["import", "labour-market", str(missing), "--into", str(folder)])
    err = capsys.readouterr().err
    assert code == 1 and "figures.csv:1: missing columns: source, as_of" in err and "Traceback" not in err
    (tmp_path / "wide.csv").write_text(f"{HEADER}\n2511,1,,,,S,2025-01-01,,extra\n", encoding="utf-8")
    assert main(["import", "labour-market", str(tmp_path / "wide.csv"), "--into", str(folder)]) == 1
    assert "wide.csv:2: 9 fields, but the header names 8 columns" in capsys.readouterr().err
    (tmp_path / "latin1.csv").write_bytes(f"{HEADER}\n2511,1,,,,Statistik \xe4r,2025-01-01,\n".encode("latin-1"))
    assert main(["import", "labour-market", str(tmp_path / "latin1.csv"), "--into", str(folder)]) == 1
    assert "latin1.csv:2:" in capsys.readouterr().err
    assert main(["import", "labour-market", str(_csv(tmp_path, BLS)), "--into", "sqlite:///x.db"]) == 1
    assert "catalogue folder" in capsys.readouterr().err
    assert main(["import", "labour-market", str(_csv(tmp_path, BLS)), "--into", str(folder)]) == 0
    assert "roles.yaml: outlook of 1 role set (data-scientist)" in capsys.readouterr().out


def test_semicolons_and_synonyms(tmp_path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("Code;Openings;Median wage;Currency;Period;Source;As of\n2511;1 200;3 900,5;SEK;Monthly;S;"
                    "2025-02-01\n".replace("3 900,5", "3900.5"), encoding="utf-8")
    [figures], problems = read_figures(path)
    assert not problems and figures.outlook.openings == 1200
    assert figures.outlook.median_wage == Wage(amount=3900.5, currency="SEK", period="month")


FLOW_CATALOGUE = """meta: {name: flow}
providers: [{id: p, name: P, country: SE, kind: other}]
competencies: [{id: k, label: K}]
credentials: [{id: c, title: C, provider: p, type: course, teaches: [{competency: k, level: 1}]}]
roles:
  - {id: r1, title: "R: one", isco_code: '2511', needs: [{competency: k, level: 1}]}  # a comment
  - id: r2
    title: R2
    needs:
      - competency: k
        level: 1
    description: |
      Two lines
      of text.
"""

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: s.strip() == s and s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=texts, openings=st.none() | st.integers(0, 10**8),
       wage=st.none() | st.builds(Wage, amount=st.floats(0, 10**7, allow_nan=False), currency=st.just("EUR"),
                                  period=st.sampled_from(["hour", "week", "month", "year"])),
       code=st.sampled_from(["2511", "15-2051", "https://data.europa.eu/esco/occupation/x"]))
def test_any_outlook_round_trips_through_block_and_flow_roles(source, openings, wage, code) -> None:
    """Whatever the source text and figures, the edited file loads with exactly those figures."""
    if openings is None and wage is None:
        openings = 1
    outlook = Outlook(openings=openings, median_wage=wage, source=source, as_of=dt.date(2025, 1, 1), code=code)
    edited = edited_files({"cat.yaml": FLOW_CATALOGUE}, {"r1": outlook, "r2": outlook})["cat.yaml"]
    report = validate_texts_of(edited)
    assert report.catalogue is not None, [str(p) for p in report.errors]
    assert report.catalogue.role("r1").outlook == outlook and report.catalogue.role("r2").outlook == outlook
    assert report.catalogue.role("r2").description == "Two lines\nof text.\n"
    assert "# a comment" in edited
    twice = edited_files({"cat.yaml": edited}, {"r1": outlook, "r2": outlook})["cat.yaml"]
    assert twice.count("outlook:") == 2 and validate_texts_of(twice).catalogue.role("r1").outlook == outlook


def validate_texts_of(text: str):
    from planner.catalogue.loader import validate_texts

    return validate_texts({"cat.yaml": text})


def test_the_bundled_catalogue_invents_no_figures(sample_catalogue) -> None:
    assert all(r.outlook is None for r in sample_catalogue.roles)
    assert validate(CATALOGUE_DIR).ok
