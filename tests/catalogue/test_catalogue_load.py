"""Loading valid catalogues: directory conventions, YAML conveniences, the report API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner._errors import CatalogueError, Problem
from planner.catalogue.loader import (
    ValidationReport,
    catalogue_summary,
    default_catalogue_dir,
    load,
    load_texts,
    validate,
    validate_texts,
)
from planner.catalogue.models import Catalogue, Money, RequirementAlternative, RuleCredits, RuleNOf

BASE = Path(__file__).parents[1] / "data" / "bad" / "base"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base() -> Catalogue:
    return load(BASE)


def test_load_base_catalogue(base):
    assert base.meta.name == "Test catalogue"
    assert base.meta.level_scale.labels[3] == "advanced"
    assert [p.id for p in base.providers] == ["uni-north", "college-west"]
    # files are read in sorted path order, items in file order
    assert [c.id for c in base.credentials] == ["m1", "m2", "m3", "adv", "cert", "master"]
    assert [c.id for c in base.awards] == ["cert", "master"]
    assert base.provider("college-west").country == "NO"
    assert base.recognitions[0].valid_until.isoformat() == "2027-12-31"


def test_yaml_merge_keys_and_shorthands(base):
    m1, m2, m3 = (base.credential(i) for i in ("m1", "m2", "m3"))
    # m2 and m3 inherit from m1 through "<<: *micro" and override what they set
    assert (m2.provider, m2.ects, m2.hours, m2.languages) == ("uni-north", 5, 125, ["en"])
    assert m3.provider == "college-west" and m3.title == "Data analysis basics"
    assert m1.cost == Money(amount=300, currency="EUR")
    assert m2.cost == Money(amount=280, currency="GBP")
    # a one-alternative requirement may be written without any_of
    assert m3.requires[0].any_of == [RequirementAlternative(competency="python", level=1)]
    adv = base.credential("adv")
    assert [len(g.any_of) for g in adv.requires] == [1, 2]
    assert adv.runs.intakes == ["09-15", "02-01"]


def test_award_rules_are_typed(base):
    cert = base.credential("cert").award
    assert isinstance(cert.rule, RuleNOf) and cert.rule.n_of == 2
    master = base.credential("master").award
    pool = master.rule.all_of[1]
    assert isinstance(pool, RuleCredits) and pool.from_ == ["m3", "adv"] and pool.id == "electives"
    assert master.rpl_cap == 20 and master.credit_validity_years == 5


def test_load_texts_matches_load(base):
    files = {p.name: p.read_bytes() for p in sorted(BASE.glob("*.yaml"))}
    assert load_texts(files) == base
    # str content is accepted too
    assert load_texts({k: v.decode() for k, v in files.items()}) == base


def test_single_file_and_recursive_directories(tmp_path):
    single = tmp_path / "one.yml"
    single.write_text(
        "providers:\n  - {id: p, name: P, country: FR, kind: online_platform}\n"
        "competencies:\n  - {id: k, label: K}\n"
        "roles:\n  - {id: r, title: R, needs: [{competency: k, level: 1}]}\n",
        encoding="utf-8",
    )
    cat = load(single)
    assert [r.id for r in cat.roles] == ["r"] and cat.meta.name == "Catalogue"

    root = tmp_path / "dir"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    shutil.copy(single, root / "sub" / "deeper" / "b.yml")
    (root / "a.yaml").write_text("competencies:\n  - {id: a-first, label: A}\n", encoding="utf-8")
    (root / ".hidden" / "x.yaml").write_text("not: [valid\n", encoding="utf-8")
    (root / "notes.txt").write_text("ignored", encoding="utf-8")
    report = validate(root)
    assert report.ok, [str(p) for p in report.problems]
    assert [Path(f).name for f in report.files] == ["a.yaml", "b.yml"]
    assert [c.id for c in report.catalogue.competencies] == ["a-first", "k"]


def test_missing_path_and_empty_directory(tmp_path):
    report = validate(tmp_path / "nope")
    assert not report.ok and report.errors[0].message == "no such file or directory"
    report = validate(tmp_path)
    assert report.errors[0].message == "directory has no .yaml or .yml files"
    assert not validate_texts({}).ok


def test_validation_is_deterministic():
    first, second = validate(BASE, strict=True), validate(BASE, strict=True)
    assert first == second


def test_problem_text_format():
    assert str(Problem("a.yaml", 3, 5, "credentials[x].ects", "must be a number")) == (
        "a.yaml:3: credentials[x].ects: must be a number"
    )
    assert str(Problem("a.yaml", None, None, "", "file is empty", "warning")) == "a.yaml: file is empty"
    p = Problem("a.yaml", 1, 1, "f", "m")
    assert p.is_error and p.as_dict()["severity"] == "error"
    with pytest.raises(AttributeError):
        p.line = 2  # type: ignore[misc]


def test_report_properties():
    err = Problem("a", 1, 1, "x", "bad")
    warn = Problem("a", 2, 1, "y", "hmm", "warning")
    report = ValidationReport(None, (err, warn), ("a",))
    assert report.errors == (err,) and report.warnings == (warn,) and not report.ok
    data = report.as_dict()
    assert data["ok"] is False
    assert data["counts"] == {"files": 1, "errors": 1, "warnings": 1}
    assert data["warnings"][0]["message"] == "hmm"
    assert ValidationReport(None, (warn,)).ok


def test_catalogue_error_lists_problems():
    problems = [Problem("f.yaml", i, 1, "x", f"problem {i}") for i in range(1, 26)]
    exc = CatalogueError(problems)
    text = str(exc)
    assert text.startswith("catalogue has 25 error(s):")
    assert "f.yaml:1: x: problem 1" in text and "and 5 more" in text
    assert len(exc.errors) == 25


def test_summary(base):
    summary = catalogue_summary(base)
    assert summary["counts"] == {
        "providers": 2, "competencies": 4, "credentials": 6, "awards": 2, "roles": 1, "recognitions": 1,
    }
    assert summary["by_type"] == {"certificate": 1, "course": 1, "master": 1, "micro_credential": 3}
    assert summary["by_provider"] == {"college-west": 1, "uni-north": 5}
    assert summary["countries"] == {"DE": 1, "NO": 1}
    assert summary["currencies"] == {"EUR": 4, "GBP": 1}


def test_default_catalogue_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bundled = ROOT / "catalogue"
    assert default_catalogue_dir() == (bundled if bundled.is_dir() else Path("catalogue"))
    (tmp_path / "catalogue").mkdir()
    assert default_catalogue_dir() == Path("catalogue")


def test_load_raises_catalogue_error(tmp_path):
    (tmp_path / "x.yaml").write_text("roles: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load(tmp_path)
    assert info.value.errors[0].line == 2


def test_large_catalogue_loads(tmp_path):
    # 2,000 credentials over several files: every one loads, order is kept
    lines = ["providers:\n  - {id: p, name: P, country: DE, kind: university}\n",
             "competencies:\n  - {id: k, label: K}\n"]
    (tmp_path / "a.yaml").write_text("".join(lines), encoding="utf-8")
    for f in range(4):
        items = [
            f"  - {{id: c{f}-{i:04d}, title: C, provider: p, type: course, ects: 5, hours: 125,"
            f" teaches: [{{competency: k, level: 2}}], requires: [{{credential: c{f}-{max(i - 1, 0):04d}}}]}}\n"
            for i in range(500)
        ]
        # c?-0000 would require itself: give it no prerequisite
        items[0] = f"  - {{id: c{f}-0000, title: C, provider: p, type: course, ects: 5, hours: 125}}\n"
        (tmp_path / f"c{f}.yaml").write_text("credentials:\n" + "".join(items), encoding="utf-8")
    report = validate(tmp_path)
    assert report.ok
    assert len(report.catalogue.credentials) == 2000
    assert report.catalogue.credentials[-1].id == "c3-0499"
    assert len(report.warnings) == 2000  # every credential lacks some EU elements
