"""Every kind of catalogue problem is reported with its file, line and a plain message.

Each test copies the valid base catalogue in tests/data/bad/base/ to a temporary folder,
breaks one thing, and checks the problem's location and wording. Line numbers are found
by searching the edited text, so the fixture can grow without breaking the tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner._errors import CatalogueError, Problem
from planner.catalogue import loader as catalogue_mod
from planner.catalogue import yamlsafe
from planner.catalogue.loader import load, load_texts, validate, validate_texts

BASE = Path(__file__).parents[1] / "data" / "bad" / "base"


def make(
    tmp_path: Path,
    edits: dict[str, tuple[str, str]] | None = None,
    extra: dict[str, str | bytes] | None = None,
) -> Path:
    """Copy the base catalogue and apply text edits ``{file: (old, new)}``."""
    root = tmp_path / "cat"
    shutil.copytree(BASE, root)
    for name, (old, new) in (edits or {}).items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text not found in {name}: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for name, content in (extra or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing ``needle``."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def only_error(root: Path, *, strict: bool = False) -> Problem:
    report = validate(root, strict=strict)
    assert len(report.errors) == 1, "\n".join(map(str, report.problems))
    assert report.catalogue is None
    return report.errors[0]


def errors_of(root: Path) -> list[Problem]:
    return list(validate(root).errors)


def test_base_fixture_is_clean():
    report = validate(BASE)
    assert report.ok and report.problems == (), [str(p) for p in report.problems]


# --------------------------------------------------------------------------- reading


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    root = make(
        tmp_path,
        {"roles.yaml": ("      - {competency: python, level: 2}", "      - {competency: python, level: 2")},
    )
    p = only_error(root)
    assert p.file == str(root / "roles.yaml")
    assert p.line == line_of(root / "roles.yaml", "{competency: statistics")
    assert p.column is not None
    assert p.message.startswith("YAML syntax error")


def test_non_utf8_file_is_reported_with_line(tmp_path):
    root = make(tmp_path, extra={"latin1.yaml": "providers: []\n# caf\xe9\n".encode("latin-1")})
    p = only_error(root)
    assert p.file == str(root / "latin1.yaml") and p.line == 2
    assert "not valid UTF-8" in p.message


def test_utf16_file_is_reported(tmp_path):
    root = make(tmp_path, extra={"u16.yaml": "providers: []\n".encode("utf-16")})
    assert "UTF-16" in only_error(root).message


def test_utf8_bom_is_accepted(tmp_path):
    root = make(tmp_path, extra={"bom.yaml": b"\xef\xbb\xbfproviders: []\n"})
    assert validate(root).ok


def test_python_tag_is_refused(tmp_path):
    root = make(tmp_path, extra={"evil.yaml": "providers:\n  - !!python/object/apply:os.system [echo hi]\n"})
    report = validate(root)
    tagged = [p for p in report.errors if "not allowed" in p.message]
    assert tagged and tagged[0].line == 2 and tagged[0].file.endswith("evil.yaml")
    assert "!!python" in tagged[0].message or "python/object" in tagged[0].message


def test_custom_scalar_tag_is_refused(tmp_path):
    root = make(tmp_path, extra={"tag.yaml": "meta2: !secret x\n"})
    messages = [p.message for p in validate(root).errors]
    assert any("tag '!secret' is not allowed" in m for m in messages)


def test_alias_bomb_is_refused():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    report = validate_texts({"bomb.yaml": "\n".join(lines).encode()})
    (p,) = report.errors
    assert "alias bomb" in p.message and p.file == "bomb.yaml" and p.line is not None


def test_recursive_alias_is_refused():
    (p,) = validate_texts({"loop.yaml": b"providers: &x\n  - *x\n"}).errors
    assert p.line == 2 and "loop" in p.message


def test_deep_nesting_is_refused_without_crash():
    (p,) = validate_texts({"deep.yaml": b"providers: " + b"[" * 50_000 + b"]" * 50_000}).errors
    # our own depth guard, or PyYAML's (6.0.4 and later stop first): either way located, no crash
    assert "nested more than" in p.message or "maximum nesting depth" in p.message
    assert p.file == "deep.yaml" and p.line == 1


def test_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlsafe, "MAX_FILE_BYTES", 3000)
    monkeypatch.setattr(catalogue_mod, "MAX_FILE_BYTES", 3000)
    root = make(tmp_path, extra={"big.yaml": "# " + "x" * 4000 + "\n"})
    p = only_error(root)
    assert p.file.endswith("big.yaml") and "limit is 3,000 bytes" in p.message
    (q,) = validate_texts({"big.yaml": b"#" * 3001}).errors
    assert "limit" in q.message


def test_empty_file_is_a_warning_only(tmp_path):
    root = make(tmp_path, extra={"empty.yaml": "# nothing yet\n"})
    report = validate(root)
    assert report.ok and report.catalogue is not None
    (w,) = report.warnings
    assert w.file.endswith("empty.yaml") and w.message == "file is empty"


def test_top_level_must_be_mapping(tmp_path):
    root = make(tmp_path, extra={"list.yaml": "- id: x\n"})
    p = only_error(root)
    assert p.line == 1 and "must be a mapping" in p.message


def test_unknown_section_with_suggestion(tmp_path):
    root = make(tmp_path, extra={"typo.yaml": "providers: []\ncredentails: []\n"})
    p = only_error(root)
    assert (p.line, p.field) == (2, "credentails")
    assert "did you mean 'credentials'" in p.message


def test_section_must_be_a_list(tmp_path):
    root = make(tmp_path, extra={"s.yaml": "roles:\n  id: x\n"})
    p = only_error(root)
    assert (p.line, p.field) == (1, "roles") and "must be a list" in p.message


def test_duplicate_key_in_mapping(tmp_path):
    root = make(
        tmp_path, {"roles.yaml": ("    title: data analyst", "    title: data analyst\n    title: again")}
    )
    p = only_error(root)
    assert p.line == line_of(root / "roles.yaml", "title: again")
    assert "duplicate key 'title'" in p.message and f"first at line {p.line - 1}" in p.message


def test_multiple_documents_in_one_file(tmp_path):
    root = make(tmp_path, extra={"two.yaml": "providers: []\n---\nroles: []\n"})
    p = only_error(root)
    assert p.line == 2 and "more than one YAML document" in p.message


def test_meta_given_twice(tmp_path):
    root = make(tmp_path, extra={"z.yaml": "meta:\n  name: again\n"})
    p = only_error(root)
    assert p.file.endswith("z.yaml") and p.line == 1
    assert "more than once" in p.message and "meta.yaml:3" in p.message


# --------------------------------------------------------------------------- shape (pydantic)


def test_wrong_type_is_located(tmp_path):
    root = make(tmp_path, {"credentials.yaml": ("    ects: 10\n", "    ects: ten\n")})
    p = only_error(root)
    assert p.line == line_of(root / "credentials.yaml", "ects: ten")
    assert p.field == "credentials[adv].ects"
    assert "must be a valid number" in p.message and "'ten'" in p.message


def test_unknown_key_with_suggestion(tmp_path):
    root = make(
        tmp_path,
        {"credentials.yaml": ("    title: Advanced data analysis", "    titel: Advanced data analysis")},
    )
    report = validate(root)
    unknown = [p for p in report.errors if "unknown key" in p.message]
    assert len(unknown) == 1
    p = unknown[0]
    assert p.line == line_of(root / "credentials.yaml", "titel:")
    assert p.field == "credentials[adv]" and "did you mean 'title'" in p.message
    missing = [p for p in report.errors if "missing required key 'title'" in p.message]
    assert missing and missing[0].field == "credentials[adv]"


def test_unknown_key_deep_in_award_rule(tmp_path):
    root = make(
        tmp_path, {"credentials.yaml": ("            label: Electives", "            labell: Electives")}
    )
    p = only_error(root)
    assert p.line == line_of(root / "credentials.yaml", "labell:")
    assert p.field == "credentials[master].award.rule.all_of[1]"
    assert "unknown key 'labell'; did you mean 'label'" in p.message


def test_missing_key_in_nested_rule(tmp_path):
    root = make(
        tmp_path, {"credentials.yaml": ("        n_of: 2\n        of:", "        n_of: 2\n        off:")}
    )
    report = validate(root)
    missing = [p for p in report.errors if "missing required key 'of'" in p.message]
    assert missing and missing[0].field == "credentials[cert].award.rule"
    assert missing[0].line == line_of(root / "credentials.yaml", "      rule:", 1)


def test_bad_enum_value_suggests(tmp_path):
    root = make(tmp_path, {"providers.yaml": ("kind: vet_college", "kind: vet-college")})
    p = only_error(root)
    assert p.field == "providers[college-west].kind" and p.line == line_of(
        root / "providers.yaml", "vet-college"
    )
    assert "did you mean 'vet_college'" in p.message


def test_bad_id_pattern_is_explained(tmp_path):
    root = make(tmp_path, {"roles.yaml": ("  - id: data-analyst", "  - id: Data Analyst")})
    p = only_error(root)
    assert p.line == line_of(root / "roles.yaml", "Data Analyst")
    assert "lowercase letters" in p.message and "'Data Analyst'" in p.message


def test_unquoted_norway_gets_a_hint(tmp_path):
    root = make(tmp_path, {"providers.yaml": ('country: "NO"', "country: NO")})
    p = only_error(root)
    assert p.field == "providers[college-west].country" and "quotes" in p.message


def test_negative_and_absurd_numbers(tmp_path):
    root = make(
        tmp_path,
        {"credentials.yaml": ("    ects: 10\n    hours: 250\n", "    ects: -10\n    hours: 99999\n")},
    )
    report = validate(root)
    by_field = {p.field: p for p in report.errors}
    assert by_field["credentials[adv].ects"].line == line_of(root / "credentials.yaml", "ects: -10")
    assert "greater than or equal to 0" in by_field["credentials[adv].ects"].message
    assert "less than or equal to 10000" in by_field["credentials[adv].hours"].message


def test_model_validator_message_is_plain(tmp_path):
    root = make(
        tmp_path, {"credentials.yaml": ('    runs: {intakes: ["09-15", "02-01"]}', "    runs: {intakes: []}")}
    )
    p = only_error(root)
    assert p.field == "credentials[adv].runs" and p.message.startswith("give 'rolling: true'")
    assert not p.message.startswith("Value error")


def test_bad_money_text(tmp_path):
    root = make(tmp_path, {"credentials.yaml": ("    cost: 900 EUR", "    cost: nine hundred")})
    p = only_error(root)
    assert p.field == "credentials[adv].cost" and "450 EUR" in p.message


def test_every_problem_is_reported_at_once(tmp_path):
    root = make(
        tmp_path,
        {
            "roles.yaml": (
                "      - {competency: python, level: 2}",
                "      - {competency: python, level: high}",
            ),
            "providers.yaml": ("kind: university", "kind: univ"),
        },
        extra={"broken.yaml": "roles: [\n"},
    )
    report = validate(root)
    files = {Path(p.file).name for p in report.errors}
    assert files == {"roles.yaml", "providers.yaml", "broken.yaml"}


# --------------------------------------------------------------------------- meaning


def test_duplicate_id_across_files(tmp_path):
    root = make(tmp_path, extra={"z-more.yaml": "competencies:\n  - id: python\n    label: Python again\n"})
    p = only_error(root)
    assert p.file.endswith("z-more.yaml") and p.line == 2 and p.field == "competencies[python].id"
    first = line_of(root / "providers.yaml", "id: python")
    assert (
        f"duplicate competency id 'python' (first defined at {root / 'providers.yaml'}:{first})" in p.message
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "kind", "bad", "suggestion"),
    [
        (
            "credentials.yaml",
            "    provider: college-west",
            "    provider: college-wast",
            "credentials[m3].provider",
            "provider",
            "college-wast",
            "college-west",
        ),
        (
            "credentials.yaml",
            "{competency: statistics, level: 2}",
            "{competency: statistic, level: 2}",
            "credentials[m2].teaches[0].competency",
            "competency",
            "statistic",
            "statistics",
        ),
        (
            "credentials.yaml",
            "      - credential: m1\n      - any_of",
            "      - credential: m9\n      - any_of",
            "credentials[adv].requires[0].credential",
            "credential",
            "m9",
            None,
        ),
        (
            "credentials.yaml",
            "          - competency: statistics",
            "          - competency: stats",
            "credentials[adv].requires[1].any_of[1].competency",
            "competency",
            "stats",
            None,
        ),
        (
            "credentials.yaml",
            "          - credential: m3",
            "          - credential: m33",
            "credentials[cert].award.rule.of[2].credential",
            "credential",
            "m33",
            None,
        ),
        (
            "credentials.yaml",
            "from: [m3, adv]",
            "from: [m3, advv]",
            "credentials[master].award.rule.all_of[1].from[1]",
            "credential",
            "advv",
            "adv",
        ),
        (
            "credentials.yaml",
            "    credential: m3\n    award",
            "    credential: m4\n    award",
            "recognitions[rec-m3].credential",
            "credential",
            "m4",
            None,
        ),
        (
            "roles.yaml",
            "{competency: data-analysis, level: 3}",
            "{competency: data-analysys, level: 3}",
            "roles[data-analyst].needs[0].competency",
            "competency",
            "data-analysys",
            "data-analysis",
        ),
        (
            "providers.yaml",
            "broader: programming",
            "broader: programing",
            "competencies[python].broader",
            "competency",
            "programing",
            "programming",
        ),
    ],
)
def test_unknown_reference(tmp_path, file, old, new, field, kind, bad, suggestion):
    root = make(tmp_path, {file: (old, new)})
    p = only_error(root)
    assert p.field == field
    assert p.file == str(root / file)
    assert p.line == line_of(root / file, new.strip().splitlines()[0].strip())
    assert p.message.startswith(f"unknown {kind} '{bad}'")
    if suggestion:
        assert p.message.endswith(f"did you mean '{suggestion}'?")


def test_recognition_references(tmp_path):
    root = make(
        tmp_path,
        {
            "credentials.yaml": (
                "  - id: rec-m3\n    provider: uni-north",
                "  - id: rec-m3\n    provider: uni-nowhere",
            )
        },
    )
    assert only_error(root).field == "recognitions[rec-m3].provider"
    root2 = make(tmp_path / "b", {"credentials.yaml": ("    pool: electives", "    pool: elective")})
    errors = validate(root2).errors
    # the pool also becomes unreachable, since the recognised credits no longer reach it
    assert [e.field for e in errors] == [
        "credentials[master].award.rule.all_of[1].credits",
        "recognitions[rec-m3].pool",
    ]
    p = errors[1]
    assert p.field == "recognitions[rec-m3].pool" and "no credit pool 'elective'" in p.message
    assert "'electives'" in p.message


def test_recognition_award_without_rules(tmp_path):
    root = make(tmp_path, {"credentials.yaml": ("    award: master", "    award: adv")})
    p = validate(root).errors[-1]
    assert p.field == "recognitions[rec-m3].award" and "has no award rules" in p.message
    assert p.line == line_of(root / "credentials.yaml", "    award: adv")


def test_three_credential_cycle_is_named():
    text = """
providers:
  - {id: p, name: P, country: DE, kind: industry}
credentials:
  - {id: c, title: C, provider: p, type: course, requires: [{credential: a}]}
  - {id: a, title: A, provider: p, type: course, requires: [{credential: b}]}
  - {id: b, title: B, provider: p, type: course,
     requires: [{any_of: [{credential: x}, {credential: c}]}]}
  - {id: x, title: X, provider: p, type: course}
"""
    cycles = [p for p in validate_texts({"c.yaml": text.encode()}).errors if "cycle" in p.message]
    assert [(p.line, p.field) for p in cycles] == [(6, "credentials[a].requires[0].credential")]
    assert "prerequisite cycle: a -> b -> c -> a" in cycles[0].message


def test_two_credential_cycle(tmp_path):
    root = make(
        tmp_path,
        {
            "credentials.yaml": (
                "    runs: {rolling: true}\n    teaches:\n      - {competency: python",
                "    runs: {rolling: true}\n    requires:\n      - credential: adv\n"
                "    teaches:\n      - {competency: python",
            )
        },
    )
    cycles = [p for p in validate(root).errors if "cycle" in p.message]
    assert len(cycles) == 1
    p = cycles[0]
    assert "prerequisite cycle: adv -> m1 -> adv" in p.message
    assert p.field == "credentials[adv].requires[0].credential"
    assert p.line == line_of(root / "credentials.yaml", "      - credential: m1")


def test_award_component_cycle(tmp_path):
    # cert counts m1 as a component; making m1 require cert closes a loop
    root = make(
        tmp_path,
        {
            "credentials.yaml": (
                "    runs: {rolling: true}\n    teaches:\n      - {competency: python",
                "    runs: {rolling: true}\n    requires:\n      - credential: cert\n"
                "    teaches:\n      - {competency: python",
            )
        },
    )
    cycles = [p for p in validate(root).errors if "cycle" in p.message]
    assert [p.message.split(":")[1].split("(")[0].strip() for p in cycles] == ["cert -> m1 -> cert"]


def test_award_naming_itself(tmp_path):
    root = make(
        tmp_path, {"credentials.yaml": ("          - credential: m3", "          - credential: cert")}
    )
    p = only_error(root)
    assert p.field == "credentials[cert].award.rule.of[2].credential"
    assert "names the credential itself" in p.message


def test_credential_requiring_itself(tmp_path):
    root = make(
        tmp_path,
        {
            "credentials.yaml": (
                "      - credential: m1\n      - any_of",
                "      - credential: adv\n      - any_of",
            )
        },
    )
    p = only_error(root)
    assert p.field == "credentials[adv].requires[0].credential" and "cannot require itself" in p.message


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        (
            "credentials.yaml",
            "{competency: python, level: 2}",
            "{competency: python, level: 5}",
            "credentials[m1].teaches[0].level",
        ),
        (
            "credentials.yaml",
            "          - competency: statistics\n            level: 2",
            "          - competency: statistics\n            level: 0",
            "credentials[adv].requires[1].any_of[1].level",
        ),
        (
            "credentials.yaml",
            "      - competency: python\n        level: 1",
            "      - competency: python\n        level: 9",
            "credentials[m3].requires[0].level",
        ),
        (
            "roles.yaml",
            "{competency: python, level: 2}",
            "{competency: python, level: 6}",
            "roles[data-analyst].needs[1].level",
        ),
    ],
)
def test_level_outside_scale(tmp_path, file, old, new, field):
    root = make(tmp_path, {file: (old, new)})
    p = only_error(root)
    assert p.field == field and "outside the catalogue's level scale 1–4" in p.message
    last = new.splitlines()[-1].strip()
    assert p.line == line_of(root / file, last)


def test_workload_sanity_warnings(tmp_path):
    root = make(
        tmp_path, {"credentials.yaml": ("    ects: 10\n    hours: 250\n", "    ects: 10\n    hours: 2500\n")}
    )
    report = validate(root)
    assert report.ok
    (w,) = report.warnings
    assert w.field == "credentials[adv].hours" and "250.0 hours per ECTS" in w.message
    root2 = make(tmp_path / "b", {"credentials.yaml": ("    hours_per_week: 12.5", "    hours_per_week: 60")})
    warnings = validate(root2).warnings
    # m1 sets it and m2, m3 inherit it through the YAML merge key
    assert [w.field for w in warnings] == [f"credentials[{c}].hours_per_week" for c in ("m1", "m2", "m3")]
    assert "600 hours, far from the 125 hours" in warnings[0].message


def test_n_of_larger_than_options(tmp_path):
    root = make(tmp_path, {"credentials.yaml": ("        n_of: 2", "        n_of: 4")})
    p = only_error(root)
    assert p.field == "credentials[cert].award.rule.n_of"
    assert p.line == line_of(root / "credentials.yaml", "n_of: 4")
    assert "needs 4 of 3 options" in p.message


def test_credit_pool_that_can_never_be_met(tmp_path):
    root = make(tmp_path, {"credentials.yaml": ("          - credits: 20", "          - credits: 21")})
    p = only_error(root)
    assert p.field == "credentials[master].award.rule.all_of[1].credits"
    assert "give at most 15 ECTS plus 5 through recognition" in p.message


def test_credit_pool_met_only_through_recognition(tmp_path):
    # without the recognition agreement the 20-credit pool (m3 5 + adv 10) is unreachable
    text = (BASE / "credentials.yaml").read_text(encoding="utf-8")
    root = make(tmp_path, {"credentials.yaml": (text[text.index("recognitions:") :], "")})
    p = only_error(root)
    assert "give at most 15 ECTS;" in p.message


def test_currency_without_rate(tmp_path):
    root = make(tmp_path, {"credentials.yaml": ("currency: GBP", "currency: USD")})
    p = only_error(root)
    assert p.field == "credentials[m2].cost" and "currency USD has no rate" in p.message


def test_missing_eu_elements_warn_then_fail_when_strict(tmp_path):
    root = make(
        tmp_path,
        {"credentials.yaml": ("    eqf_level: 6\n    assessment: [exam, project]\n", "    assessment: []\n")},
    )
    report = validate(root)
    assert report.ok
    (w,) = report.warnings
    assert w.field == "credentials[adv]" and w.line == line_of(root / "credentials.yaml", "  - id: adv")
    assert w.message == "missing EU standard element(s): eqf_level, assessment"
    strict = validate(root, strict=True)
    assert not strict.ok and [p.severity for p in strict.problems] == ["error"]


def test_provider_quality_assurance_covers_credential():
    # no credential in the base sets quality_assurance: the providers' QA counts
    assert validate(BASE, strict=True).ok
    files = {p.name: p.read_bytes() for p in BASE.glob("*.yaml")}
    files["providers.yaml"] = files["providers.yaml"].replace(
        b"    quality_assurance: {type: internal}\n", b""
    )
    report = validate_texts(files, strict=True)
    assert [(p.field, p.message) for p in report.errors] == [
        ("credentials[m3]", "missing EU standard element(s): quality_assurance")
    ]
    assert report.errors[0].file == "credentials.yaml"


# --------------------------------------------------------------------------- API


def test_load_raises_with_every_problem(tmp_path):
    root = make(
        tmp_path,
        {"roles.yaml": ("level: 3}", "level: 7}")},
        extra={"x.yaml": "roles:\n  - id: r2\n    title: T\n"},
    )
    with pytest.raises(CatalogueError) as info:
        load(root)
    assert len(info.value.errors) == 2
    assert "catalogue has 2 error(s)" in str(info.value)


def test_load_texts_uses_given_names():
    with pytest.raises(CatalogueError) as info:
        load_texts({"upload.yml": b"providers:\n  - id: p\n"})
    assert {p.file for p in info.value.problems} == {"upload.yml"}
    assert all(p.line == 2 for p in info.value.problems)


def test_malformed_item_does_not_cause_false_unknown_references(tmp_path):
    # m3 is malformed; the cert and master rules still name it: only the shape error is reported
    root = make(
        tmp_path, {"credentials.yaml": ("    title: Data analysis basics", "    title: 42\n    colour: red")}
    )
    errors = validate(root).errors
    assert [e.message for e in errors] == ["must be a valid string (got 42)", "unknown key 'colour'"]


def test_unreadable_file_skips_reference_checks(tmp_path):
    root = make(tmp_path, {"providers.yaml": ("providers:", "providers: [")})
    errors = validate(root).errors
    assert len(errors) == 1 and errors[0].message.startswith("YAML syntax error")


def test_recognition_equivalent_to(tmp_path):
    root = make(tmp_path, {"credentials.yaml": ("    pool: electives", "    equivalent_to: m7")})
    errors = validate(root).errors
    # the electives pool also loses the recognised credits, so it can no longer be met
    assert [e.field for e in errors] == [
        "credentials[master].award.rule.all_of[1].credits",
        "recognitions[rec-m3].equivalent_to",
    ]
    assert errors[1].message.startswith("unknown credential 'm7'")
    root2 = make(tmp_path / "b", {"credentials.yaml": ("    pool: electives", "    equivalent_to: m1")})
    report = validate(root2)
    # m1 is not a component of the master (only of the certificate): a warning, and the
    # electives pool loses the recognised credits
    assert [w.field for w in report.warnings] == ["recognitions[rec-m3].equivalent_to"]
    assert "'m1' is not a component of award 'master'" in report.warnings[0].message


def test_broader_cycle(tmp_path):
    root = make(tmp_path, {"providers.yaml": ("    type: knowledge\n  - id: statistics",
                                              "    type: knowledge\n    broader: python\n  - id: statistics")})
    p = only_error(root)
    assert p.field in ("competencies[python].broader", "competencies[programming].broader")
    assert "goes round in a circle" in p.message
    assert "programming -> python -> programming" in p.message or "python -> programming -> python" in p.message


def test_reading_stops_at_the_size_limit():
    # a device that never ends is refused before reading (only regular files are read)
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    (p,) = validate("/dev/zero").errors
    assert "is a device" in p.message
