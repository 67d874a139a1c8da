"""ELM v3 / European Digital Credentials import, checked against facts read from the samples."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from planner.catalogue.models import Catalogue
from planner.interop import openbadges
from planner.interop._result import merge_results
from planner.interop.elm import duration_hours, duration_weeks, import_files

ELM = "elm-european-learning-model/"
MC = ELM + "Credentials/JSON-LD Examples (ELM v3)/Sample-MC-Annex1-unsigned.jsonld"
CERT = ELM + "Credentials/JSON-LD Examples (ELM v3)/Sample-CertOfPart-unsigned.jsonld"
SAMPLE = ELM + "rdf/samples/credential-sample.jsonld"
EDC = "mynextid-credentials/microcredential/v1/edc/examples/edc-mc-example.json"
OB3 = "mynextid-credentials/microcredential/v1/open-badge/examples/open-badge-mc-example.json"
TODAY = dt.date(2026, 11, 28)


def _ref(reference_dir: Path, relative: str) -> Path:
    path = reference_dir / relative
    if not path.exists():
        pytest.skip(f"reference file not found: {path}")
    return path


def _walk(node, key):
    """Every value stored under ``key`` anywhere in a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


def _flat(values):
    for v in values:
        yield from (v if isinstance(v, list) else [v])


@pytest.mark.parametrize(
    ("text", "hours"),
    [("PT60H", 60.0), ("PT90M", 1.5), ("PT2H30M", 2.5), ("PT45H", 45.0), ("P1M", None), ("P2DT4H", None),
     ("60 hours", None), ("PT", None)],
)
def test_duration_hours(text, hours):
    assert duration_hours(text) == hours


@pytest.mark.parametrize(("text", "weeks"), [("P1M", 4), ("P1Y", 52), ("P3W", 3), ("P2D", 1), ("xx", None)])
def test_duration_weeks(text, weeks):
    assert duration_weeks(text) == weeks


def test_micro_credential_annex_elements(reference_dir):
    path = _ref(reference_dir, MC)
    doc = json.loads(path.read_text())
    spec = doc["credentialSubject"]["hasClaim"]["specifiedBy"]
    result = import_files([path], today=TODAY)
    assert result.ok, result.errors
    (cred,) = result.catalogue["credentials"]
    assert cred["title"] == spec["title"]["en"] == "Digital micro-credential creation"
    assert cred["type"] == "micro_credential"
    assert cred["eqf_level"] == int(spec["eqfLevel"]["id"].rsplit("/", 1)[-1]) == 6
    assert cred["ects"] == float(spec["creditPoint"]["point"]) == 2
    assert spec["volumeOfLearning"] == "PT60H" and cred["hours"] == 60
    assert spec["mode"]["prefLabel"]["en"] == "Blended" and cred["participation"] == "blended"
    assert cred["languages"] == ["en"]
    assert cred["duration_weeks"] == 4  # maximumDuration P1M
    assert spec["isPartialQualification"] is False and "isPartialQualification false" in cred["stackability"]
    assert spec["entryRequirement"]["noteLiteral"]["en"] in cred["description"]
    assert cred["learning_outcomes"] == [o["title"]["en"] for o in spec["learningOutcome"]]
    assert cred["supervision"] == "unsupervised"  # "Unsupervised without ID Verification"
    assert cred["assessment"] == ["project"]  # "artefact assessment"

    esco = {s["id"]: s["prefLabel"]["en"] for s in _flat(_walk(spec, "relatedESCOSkill"))}
    assert len(esco) == 4
    competencies = result.catalogue["competencies"]
    assert {c["uri"]: c["label"] for c in competencies} == esco
    assert all(c["framework"] == "esco" for c in competencies)
    assert {t["competency"] for t in cred["teaches"]} == {c["id"] for c in competencies}
    assert "stimulate-creativity-in-the-team" in {c["id"] for c in competencies}

    (provider,) = result.catalogue["providers"]
    assert provider["name"] == "University of Zed"
    assert provider["country"] == "IE"  # …/country/IRL
    assert provider["website"] == "https://uniz.edu"
    assert result.profile.name == "Ana Andromeda"
    assert result.profile.holdings[0].credential == cred["id"]
    assert result.profile.holdings[0].earned == dt.date(2022, 12, 31)  # validFrom
    Catalogue.model_validate({k: v for k, v in result.catalogue.items() if v})


def test_certificate_of_participation(reference_dir):
    path = _ref(reference_dir, CERT)
    result = import_files([path], today=TODAY)
    assert result.ok
    (cred,) = result.catalogue["credentials"]
    assert cred["title"] == "EDC Updates Webinar"
    assert cred["type"] == "course"  # a LearningActivity, not an assessed achievement
    assert cred["hours"] == 2  # the activity's workload PT2H: volumeOfLearning P2M is not hours
    assert cred["participation"] == "online"
    (warning,) = result.warnings
    assert warning.pointer.endswith("volumeOfLearning") and "P2M" in warning.message
    assert result.catalogue["providers"][0]["country"] == "BE"
    assert result.profile.holdings[0].earned == dt.date(2023, 6, 28)


def test_expired_sample_is_a_warning_its_specification_imported_and_not_held(reference_dir):
    # an expired *issued* credential says nothing against its specification: that is imported
    path = _ref(reference_dir, SAMPLE)
    result = import_files([path], today=TODAY)
    assert result.ok, result.errors
    (expired,) = [w for w in result.warnings if "expired" in w.message]
    assert "expired on 2024-09-25" in expired.message
    assert expired.line is not None and '"validUntil"' in path.read_text().splitlines()[expired.line - 1]
    assert result.profile is None
    assert result.catalogue["credentials"][0]["title"] == "some kind of learning achievement"
    # the earlier day sees a valid credential
    assert import_files([path], today=dt.date(2020, 1, 1)).profile is not None


def test_edc_microcredential(reference_dir):
    path = _ref(reference_dir, EDC)
    doc = json.loads(path.read_text())
    spec = doc["credentialSubject"]["hasClaim"]["specifiedBy"]
    result = import_files([path], today=TODAY)
    assert result.ok
    (cred,) = result.catalogue["credentials"]
    assert cred["ects"] == float(spec["creditPoint"]["point"]) == 5
    assert cred["hours"] == 45  # PT45H
    assert cred["eqf_level"] == 6
    assert cred["participation"] == "online"
    assert cred["supervision"] == "supervised_with_id_check"
    assert set(cred["assessment"]) == {"exam", "quiz"}  # "Written Exam", "Graded exercises"
    labels = sorted(s["prefLabel"]["en"] for s in _flat(_walk(spec, "relatedESCOSkill")))
    assert sorted(c["label"] for c in result.catalogue["competencies"]) == labels
    # these skills carry urn:epass ids, not ESCO URIs: labels only
    assert all("uri" not in c for c in result.catalogue["competencies"])
    assert result.catalogue["providers"][0]["country"] == "SI"


def test_same_microcredential_from_elm_and_ob3_agrees(reference_dir):
    elm = import_files([_ref(reference_dir, EDC)], today=TODAY)
    ob3 = openbadges.import_files([_ref(reference_dir, OB3)], today=dt.date(2026, 6, 1))
    (a,), (b,) = elm.catalogue["credentials"], ob3.catalogue["credentials"]
    assert a["ects"] == b["ects"] == 5
    assert a["type"] == b["type"] == "micro_credential"
    assert a["languages"] == b["languages"] == ["en"]
    assert a["provider"] == b["provider"] == "netis-d-o-o"
    # both import into one valid catalogue (the provider is merged)
    merged = merge_results([elm, ob3])
    catalogue = Catalogue.model_validate({k: v for k, v in merged.catalogue.items() if v})
    assert len(catalogue.providers) == 1 and len(catalogue.credentials) == 2


def test_all_samples_merge_into_a_valid_catalogue(reference_dir):
    paths = [_ref(reference_dir, p) for p in (MC, CERT, SAMPLE, EDC)]
    result = import_files(paths, today=TODAY)
    catalogue = Catalogue.model_validate({k: v for k, v in result.catalogue.items() if v})
    assert len(catalogue.credentials) == 4
    assert {h.credential for h in result.profile.holdings} == {
        c.id for c in catalogue.credentials if c.title != "some kind of learning achievement"}
    assert result.profile.name is None  # two different holders


def test_bad_input_is_located(tmp_path):
    broken = tmp_path / "broken.jsonld"
    broken.write_text('{\n "type": ["VerifiableCredential"]\n "id": 1\n}')
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"type": "Person"}))
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"type": ["VerifiableCredential", "EuropeanDigitalCredential"],
                                "credentialSubject": {"hasClaim": {"type": "LearningAchievement"}}}))
    result = import_files([broken, other, bare], today=TODAY)
    by_file = {p.file: p for p in result.errors}
    assert by_file[str(broken)].line == 3
    assert "not a European Digital Credential" in by_file[str(other)].message
    assert "no title" in by_file[str(bare)].message
    assert result.catalogue["credentials"] == []


@pytest.mark.parametrize(("volume", "hours"), [("PT10000H", 10_000), ("PT10001H", None)])
def test_an_implausible_volume_of_learning_is_reported_not_imported(reference_dir, tmp_path, volume, hours):
    """10,000 hours (about five full-time years) is the most a micro-credential's specification
    may declare; beyond it the figure is a typo (PT60H keyed as PT60000H), never learning time."""
    doc = json.loads(_ref(reference_dir, MC).read_text())
    doc["credentialSubject"]["hasClaim"]["specifiedBy"]["volumeOfLearning"] = volume
    path = tmp_path / "mc.json"
    path.write_text(json.dumps(doc))
    result = import_files([path], today=TODAY)
    (cred,) = result.catalogue["credentials"]
    assert cred.get("hours") == hours
    flagged = [p for p in [*result.errors, *result.warnings] if "implausible" in p.message]
    assert bool(flagged) == (hours is None)
    assert all(p.pointer.endswith("volumeOfLearning") for p in flagged)
