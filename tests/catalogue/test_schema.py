"""The committed JSON Schema of a catalogue file is current and accepts the real format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from planner.catalogue.schema import catalogue_file_schema, render_schema, write_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "catalogue" / "schema.json"
BASE = Path(__file__).parents[1] / "data" / "bad" / "base"


def as_json(data):
    """YAML data as an editor's language server sees it (dates as text, keys as text)."""
    return json.loads(json.dumps(data, default=str))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = catalogue_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_current():
    assert SCHEMA_FILE.is_file(), "catalogue/schema.json is missing: run python -m planner.catalogue.schema"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_schema(), (
        "catalogue/schema.json is stale: regenerate it with python -m planner.catalogue.schema"
    )


def test_rendering_is_stable_and_pretty(tmp_path):
    text = render_schema()
    assert text.endswith("}\n") and text.startswith('{\n  "$defs"')
    assert text == render_schema()
    written = write_schema(tmp_path / "s.json")
    assert json.loads(written.read_text(encoding="utf-8")) == catalogue_file_schema()


def test_schema_shape(validator):
    schema = validator.schema
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"meta", "providers", "competencies", "credentials", "roles",
                                         "recognitions"}
    assert all(d.get("additionalProperties") is False for name, d in schema["$defs"].items()
               if d.get("type") == "object")


@pytest.mark.parametrize("name", sorted(p.name for p in BASE.glob("*.yaml")))
def test_fixture_files_validate(validator, name):
    data = as_json(yaml.safe_load((BASE / name).read_text(encoding="utf-8")))
    errors = [e.message for e in validator.iter_errors(data)]
    assert errors == []


def test_bundled_catalogue_files_validate(validator):
    files = sorted((ROOT / "catalogue").rglob("*.y*ml"))
    if not files:
        pytest.fail("the bundled catalogue has no YAML files: the project ships it")
    for path in files:
        data = as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert [e.message for e in validator.iter_errors(data)] == [], path


def test_shorthands_are_accepted(validator):
    data = {
        "credentials": [{
            "id": "c", "title": "C", "provider": "p", "type": "course", "cost": "1,200 GBP",
            "requires": [{"credential": "a"}, {"any_of": [{"competency": "k", "level": 2}]}],
            "award": {"rule": {"n_of": 1, "of": [{"credential": "a"}, {"credits": 5, "from": ["a"]}]}},
        }],
        "meta": {"level_scale": {"min": 0, "max": 3, "labels": {"0": "none"}}, "rates_as_of": "2025-01-01"},
    }
    assert list(validator.iter_errors(data)) == []


@pytest.mark.parametrize(
    "data",
    [
        {"credentials": [{"id": "c", "title": "C", "provider": "p", "type": "course", "colour": "red"}]},
        {"credentials": [{"id": "c", "title": "C", "provider": "p", "type": "diploma-ish"}]},
        {"credentials": [{"id": "c", "title": "C", "provider": "p", "type": "course", "cost": "cheap"}]},
        {"credentials": [{"id": "c", "title": "C", "provider": "p", "type": "course",
                          "award": {"rule": {"some_of": []}}}]},
        {"providers": [{"id": "Bad Id", "name": "P", "country": "DE", "kind": "industry"}]},
        {"credentails": []},
        {"meta": {"level_scale": {"labels": {"one": "x"}}}},
    ],
)
def test_schema_rejects_bad_files(validator, data):
    assert list(validator.iter_errors(data)), data
