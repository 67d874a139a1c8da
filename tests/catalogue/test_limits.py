"""Numbers and dates at the edges: refused where they come in, with the limit named, exit code 1."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from planner._errors import PlannerError
from planner.catalogue import models
from planner.catalogue.models import MAX_DATE, MAX_WEIGHT, MIN_DATE, Constraints, Holding, Money, Target
from planner.cli import main
from planner.cli.recommend_cmd import parse_weights
from planner.engine.scenario import Scenario
from tests.conftest import ROOT

RECOMMEND = ["recommend", "--catalogue", "catalogue", "--target", "role:data-analyst"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(("flags", "named"), [
    (["--weights", "time=inf"], "1000"),
    (["--weights", "cost=1,time=1e308"], "1000"),
    (["--weights", "cost=nan"], "1000"),
    (["--weights", "cost=-1"], "1000"),
    (["--start", "9999-12-01"], "2200-12-31"),
    (["--start", "1066-10-14"], "1900-01-01"),
    (["--deadline", "9999-12-31"], "2200-12-31"),
    (["--start", "٢٠٢٧-٠١-٠٤"], "--start"),
    (["--have", "osa-sql-basics@9999-01-01"], "2200-12-31"),
    (["--hours-per-week", "inf"], "80"),
    (["--hours-per-week", "1e308"], "80"),
    (["--hours-per-week", "nan"], "80"),
    (["--budget", "99999999999999999999999EUR"], "1,000,000"),
    (["--know", "use-databases=٣"], "ASCII"),
    (["--know", "use-databases=99"], "10"),
])
def test_recommend_refuses_numbers_and_dates_beyond_the_limits(capsys, flags: list[str], named: str) -> None:
    code, text = _run(capsys, *RECOMMEND, *flags)
    assert code == 1, text
    assert named in text, text
    assert "Traceback" not in text and "no route" not in text.lower()


def test_reasonable_weights_still_work(capsys) -> None:
    code, text = _run(capsys, *RECOMMEND, "--start", "2027-01-04", "--weights", f"cost=1,time={MAX_WEIGHT:g}")
    assert code == 0, text
    assert parse_weights("cost=0,time=0.5") == {models.Objective.COST: 0.0, models.Objective.TIME: 0.5}


def test_coverage_refuses_a_far_report_date(capsys) -> None:
    code, text = _run(capsys, "coverage", "catalogue", "--as-of", "9999-12-31", "--no-routes")
    assert code == 1
    assert "--as-of" in text and "2200-12-31" in text and "reachable" not in text
    code, text = _run(capsys, "coverage", "catalogue", "--as-of", "soon")
    assert code == 1 and "--as-of" in text


def test_a_profile_file_with_a_far_start_is_refused(capsys, tmp_path: Path) -> None:
    profile = tmp_path / "me.yaml"
    profile.write_text("constraints:\n  start: 9999-12-01\n  hours_per_week: .nan\n", encoding="utf-8")
    code, text = _run(capsys, *RECOMMEND, "--profile", str(profile))
    assert code == 1
    assert "constraints.start" in text and "2200-12-31" in text and "constraints.hours_per_week" in text


def test_export_pathway_refuses_a_far_start(capsys) -> None:
    code, text = _run(capsys, "export", "ctdl-pathway", "--target", "role:data-analyst", "--start", "9999-12-01")
    assert code == 1 and "2200-12-31" in text, text


def test_the_models_hold_the_same_limits() -> None:
    far = dt.date(9999, 12, 1)
    for make in (lambda: Constraints(start=far), lambda: Constraints(deadline=far),
                 lambda: Holding(credential="x", earned=dt.date(1800, 1, 1)),
                 lambda: Constraints(hours_per_week=float("inf")), lambda: Constraints(hours_per_week=float("nan")),
                 lambda: Money(amount=float("inf")), lambda: Scenario(target="role:x", start=far),
                 lambda: Scenario(target="role:x", budget=float("nan"))):
        with pytest.raises(ValidationError):
            make()
    assert Constraints(start=MIN_DATE, deadline=MAX_DATE).deadline == MAX_DATE
    with pytest.raises(ValueError, match="ASCII"):
        Target.parse("competencies:python-programming=٣")
    with pytest.raises(PlannerError, match="2200-12-31"):
        from planner.outputs.report import build_report

        build_report(models.Catalogue(), as_of=far)


def test_the_limits_are_documented_where_the_docs_say() -> None:
    doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for name in ("MIN_DATE", "MAX_DATE", "MAX_WEIGHT", "MAX_COST", "MAX_HOURS_PER_WEEK", "MAX_LEVEL",
                 "MAX_ALTERNATIVES", "MAX_TERMS", "MAX_TERM_WEEKS", "MAX_ECTS", "MAX_HOURS", "MAX_WEEKS",
                 "MAX_ISSUERS", "MAX_WAGE", "MAX_OPENINGS"):
        value = getattr(models, name)
        shown = value.isoformat() if isinstance(value, dt.date) else (
            f"{int(value):,}" if float(value).is_integer() else f"{value:,}")
        row = next((line for line in doc.splitlines() if f"`{name}`" in line), "")
        assert row, f"{name} is not in docs/limits.md"
        assert shown in row, f"docs/limits.md shows another value for {name}: {row}"
    assert re.search(r"planner/catalogue/models\.py", doc)
