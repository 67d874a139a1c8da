"""Credential Engine's Registry_Assistant samples imported as published, field by field.

Source: ``CredentialEngine/Registry_Assistant`` at ``d85a12069d99e1d6c783e892ddee9a08a01a3775``,
``src/SamplePublishing/RA.SamplesForDocumentation/`` (Apache-2.0), kept unmodified in
``../shared/reference/credentialengine-registry-assistant/`` (README section 17). Each test
reads the source document itself and compares what the import made of it: every
requirement, price (per audience), duration, delivery mode and CTID; then the export keeps
the same CTIDs and passes ``ctdl-validate`` with no ERROR.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest

from planner.catalogue.models import Catalogue
from planner.interop import ctdl, ctdl_export
from planner.interop.conformance import ctdl_available, ctdl_findings
from tests.conftest import REFERENCE_DIR

FOLDER = REFERENCE_DIR / "credentialengine-registry-assistant"
SAMPLES = sorted(p.name for p in FOLDER.glob("*.json")) if FOLDER.is_dir() else []
#: the one sample that is not valid JSON as published (a garbled key at line 17)
BROKEN = "ConditionManifest.json"
READABLE = [n for n in SAMPLES if n != BROKEN]
CREDENTIAL_TYPES = set(ctdl.CREDENTIAL_CLASSES)
ORG_TYPES = {"ceterms:CredentialOrganization", "ceterms:QACredentialOrganization", "ceterms:Organization"}
CONDITIONS = ("ceterms:requires", "ceterms:recommends", "ceterms:corequisite", "ceterms:prerequisite",
              "ceterms:entryCondition")
TARGETS = ("ceterms:targetCredential", "ceterms:targetLearningOpportunity", "ceterms:targetAssessment")
# the test's own reading of CTDL's delivery concepts (not the importer's table)
MODES = {"deliveryType:OnlineOnly": "online", "deliveryType:InPerson": "onsite",
         "deliveryType:BlendedDelivery": "blended", "deliveryType:VariableSite": "onsite"}

pytestmark = pytest.mark.skipif(not SAMPLES, reason=f"Registry_Assistant samples not found at {FOLDER} "
                                "(README section 17 of the reference folder)")


# --------------------------------------------------------------------------- the source, read here


def source(name: str) -> dict[str, Any]:
    return json.loads((FOLDER / name).read_text(encoding="utf-8-sig"))


def records(name: str) -> list[dict[str, Any]]:
    """The top-level nodes of a sample (inside its envelope's decoded_resource)."""
    doc = source(name)
    doc = doc.get("decoded_resource", doc)
    return doc.get("@graph", [doc])


def types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def english(names: dict[str, str]) -> str:
    return names.get("en") or names.get("en-US") or next(iter(names.values()))


def ctid_of_uri(uri: str) -> str | None:
    match = re.search(r"/(ce-[0-9a-fA-F-]{36})$", uri)
    return match.group(1).lower() if match else None


def iso_parts(text: str) -> tuple[str, float]:
    """The test's own reading of an ISO 8601 duration: ('weeks', n) or ('hours', n) (docs/semantics.md)."""
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", text)
    assert match, text
    y, mo, w, d, h, mi = (int(g) if g else 0 for g in match.groups())
    if not (y or mo or w or d):
        return "hours", h + mi / 60
    days = y * 365.25 + mo * 365.25 / 12 + w * 7 + d + h / 24
    return "weeks", max(1, math.floor(days / 7 + 0.5))


@pytest.fixture(scope="module")
def imported() -> dict[str, Any]:
    return {name: ctdl.import_files([FOLDER / name]) for name in SAMPLES}


def credential_by_ctid(result: Any, value: str) -> dict[str, Any]:
    found = [c for c in result.catalogue["credentials"] if c.get("ctid") == value.lower()]
    assert len(found) == 1, (value, [c.get("ctid") for c in result.catalogue["credentials"]])
    return found[0]


def main_records(name: str) -> list[dict[str, Any]]:
    return [n for n in records(name) if types(n) & CREDENTIAL_TYPES and "ceterms:ctid" in n]


# --------------------------------------------------------------------------- every sample


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_imports_or_says_where_it_is_broken(imported, name):
    result = imported[name]
    if name == BROKEN:
        (error,) = result.errors
        assert (error.line, error.column) == (17, 5) and "invalid JSON" in error.message
        return
    assert result.ok, [str(p) for p in result.errors]
    assert not any("type is missing" in p.message for p in result.problems)


@pytest.mark.parametrize("name", READABLE)
def test_ctids_are_kept(imported, name):
    result = imported[name]
    for node in records(name):
        value = node.get("ceterms:ctid")
        if not value:
            continue
        if types(node) & CREDENTIAL_TYPES:
            assert credential_by_ctid(result, value)["ctid"] == value.lower()
        elif types(node) & ORG_TYPES:
            assert [p["ctid"] for p in result.catalogue["providers"] if p.get("ctid") == value.lower()], value


@pytest.mark.parametrize("name", READABLE)
def test_every_requirement_is_a_prerequisite_or_a_warning(imported, name):
    result = imported[name]
    local = {n["@id"]: n for n in records(name) if "@id" in n}
    warned = " ".join(p.message for p in result.warnings)
    for node in main_records(name):
        cred = credential_by_ctid(result, node["ceterms:ctid"])
        required = {a["credential"] for g in cred.get("requires", []) for a in g["any_of"] if "credential" in a}
        ids = {c["title"]: c["id"] for c in result.catalogue["credentials"]}
        for key in CONDITIONS:
            for condition in as_list(node.get(key)):
                for target in (t for k in TARGETS for t in as_list(condition.get(k))):
                    if key == "ceterms:recommends":  # a recommendation is no requirement: said so
                        assert "recommended (not required)" in warned
                        continue
                    if target in local:  # in the same document: a prerequisite, by its title
                        title = english(local[target]["ceterms:name"])
                        assert ids[title] in required, (key, target)
                    else:  # elsewhere: said, with the target's URI (canonical: /resources/ and its CTID)
                        assert ctid_of_uri(target) in warned, (key, target)


@pytest.mark.parametrize("name", READABLE)
def test_prices_per_audience_are_alternatives_never_summed(imported, name):
    result = imported[name]
    for node in main_records(name):
        priced = [c for c in as_list(node.get("ceterms:estimatedCost"))
                  if isinstance(c.get("ceterms:price"), (int, float))]
        if not priced:
            continue
        cred = credential_by_ctid(result, node["ceterms:ctid"])

        def audiences(profile: dict[str, Any]) -> set[str]:
            return {a["ceterms:targetNode"] for k in ("ceterms:residencyType", "ceterms:audienceType")
                    for a in as_list(profile.get(k))}

        named = sorted({a for p in priced for a in audiences(p)})
        if named:  # one option per audience: its own prices plus those for anyone
            options = {o["audience"]: o["price"]["amount"] for o in cred["costs"]}
            assert len(options) == len(named)
            for concept in named:
                expected = sum(p["ceterms:price"] for p in priced if concept in audiences(p) or not audiences(p))
                assert options[ctdl.audience_id(concept)] == pytest.approx(expected), concept
            assert sum(p["ceterms:price"] for p in priced) not in options.values()
            continue
        kinds = [p.get("ceterms:directCostType", {}).get("ceterms:targetNode") for p in priced]
        if len(kinds) == len(set(kinds)):  # different kinds of cost for everyone add up to one price
            assert cred["cost"]["amount"] == pytest.approx(sum(p["ceterms:price"] for p in priced))
        else:  # the same kind twice (two tuitions): alternatives, each with the costs that are not repeated
            once = sum(p["ceterms:price"] for p, k in zip(priced, kinds, strict=True) if kinds.count(k) == 1)
            twice = sorted(p["ceterms:price"] for p, k in zip(priced, kinds, strict=True) if kinds.count(k) > 1)
            assert sorted(o["price"]["amount"] for o in cred["costs"]) == pytest.approx([once + t for t in twice])


def test_in_state_and_out_of_state_prices_read_as_published(imported):
    """Rio Salado's Insurance Studies Certificate: in-state 1,535 + 986, out-of-state 5,886 USD."""
    node = main_records("LearningOpportunityEnvelope.json")[0]
    cred = credential_by_ctid(imported["LearningOpportunityEnvelope.json"], node["ceterms:ctid"])
    prices = {o["audience"]: (o["price"]["amount"], o["price"]["currency"]) for o in cred["costs"]}
    by_state: dict[str, float] = {}
    for profile in node["ceterms:estimatedCost"]:
        state = profile["ceterms:residencyType"][0]["ceterms:targetNode"]
        by_state[state] = by_state.get(state, 0) + profile["ceterms:price"]
    assert prices == {"in-state": (by_state["residency:InState"], "USD"),
                      "out-of-state": (by_state["residency:OutOfState"], "USD")}


@pytest.mark.parametrize("name", READABLE)
def test_durations_as_the_semantics_define(imported, name):
    result = imported[name]
    for node in main_records(name):
        cred = credential_by_ctid(result, node["ceterms:ctid"])
        for profile in as_list(node.get("ceterms:estimatedDuration")):
            exact = profile.get("ceterms:exactDuration")
            if exact:
                kind, value = iso_parts(exact)
                assert cred["duration_weeks" if kind == "weeks" else "hours"] == value, exact
            low, high = profile.get("ceterms:minimumDuration"), profile.get("ceterms:maximumDuration")
            if low and high:
                (kind, lo), (_, hi) = iso_parts(low), iso_parts(high)
                field = "duration_weeks" if kind == "weeks" else "hours"
                assert (cred[f"min_{field}"], cred[field]) == (lo, hi), (low, high)


def test_time_only_durations_are_hours_never_zero_weeks(imported):
    # Driving Academy: exactDuration P4W and PT160H; NOCTI's assessment: PT2H
    driving = credential_by_ctid(imported["LearningOpportunity_160_Driving_Academy_published.json"],
                                 main_records("LearningOpportunity_160_Driving_Academy_published.json")[0]["ceterms:ctid"])
    assert (driving["duration_weeks"], driving["hours"]) == (4, 160)
    exam = imported["AssessmentEnvelope.json"].catalogue["credentials"][0]
    assert exam["hours"] == 2 and exam.get("duration_weeks") != 0


@pytest.mark.parametrize("name", READABLE)
def test_every_delivery_mode_is_kept(imported, name):
    result = imported[name]
    for node in main_records(name):
        cred = credential_by_ctid(result, node["ceterms:ctid"])
        published = {MODES[d["ceterms:targetNode"]] for k in ("ceterms:learningDeliveryType", "ceterms:deliveryType")
                     for d in as_list(node.get(k))}
        got = cred.get("participation", [])
        assert set(got if isinstance(got, list) else [got]) == published


@pytest.mark.parametrize("name", READABLE)
def test_credit_keeps_its_unit(imported, name):
    result = imported[name]
    for node in main_records(name):
        cred = credential_by_ctid(result, node["ceterms:ctid"])
        values = [v for p in [node, *as_list(node.get("ceterms:requires"))]
                  for v in as_list(p.get("ceterms:creditValue"))]
        for value in values[:1]:
            units = {u["ceterms:targetNode"] for u in as_list(value.get("ceterms:creditUnitType"))}
            if "creditUnit:SemesterHour" in units:
                assert cred["credit"] == {"value": value["schema:value"], "unit": "semester_hour"}
                assert "ects" not in cred  # never relabelled: no rate was declared


def test_semester_hours_become_ects_only_by_a_declared_rate():
    name = "Indiana_University_South_Bend-B.S._in_Nursing_Pre-Licensure_API_Output_CTDL.json"
    result = ctdl.import_files([FOLDER / name], credit_rates={"semester_hour": 2.0})
    (cred,) = result.catalogue["credentials"]
    assert cred["credit"]["unit"] == "semester_hour" and cred["ects"] == 2 * cred["credit"]["value"]


# --------------------------------------------------------------------------- several documents, one import


def test_graph_and_resources_uris_of_one_ctid_are_one_provider():
    # the credential and the assessment name NOCTI by /graph/ CE-… (upper case); its record is /resources/ ce-…
    names = ["OrganizationEnvelope.json", "CredentialEnvelope.json", "AssessmentEnvelope.json"]
    result = ctdl.import_files([FOLDER / n for n in names])
    assert result.ok
    org = records("OrganizationEnvelope.json")[0]
    owners = {ctid_of_uri(r) for n in names[1:] for r in as_list(records(n)[0].get("ceterms:offeredBy"))}
    assert owners == {org["ceterms:ctid"]}
    (provider,) = [p for p in result.catalogue["providers"] if p.get("ctid") == org["ceterms:ctid"]]
    assert provider["name"] == english(org["ceterms:name"])
    assert {c["provider"] for c in result.catalogue["credentials"]} == {provider["id"]}
    assert not any(p["id"].startswith("provider-ce-") for p in result.catalogue["providers"])


def test_targets_in_another_document_are_linked_by_ctid(tmp_path):
    name = "Credential_PublishDetailedRecord_API_output.json"
    target = next(t for c in as_list(records(name)[0]["ceterms:requires"])
                  for t in as_list(c.get("ceterms:targetLearningOpportunity")) if t.startswith("http"))
    value = ctid_of_uri(target)
    other = tmp_path / "course.json"  # the course's own record, as the Registry serves it by its /graph/ URI
    other.write_text(json.dumps({"@context": "https://credreg.net/ctdl/schema/context/json",
                                 "@id": f"https://credentialengineregistry.org/graph/{value}",
                                 "@graph": [{"@id": f"https://credentialengineregistry.org/resources/{value.upper()}",
                                             "@type": "ceterms:LearningOpportunityProfile", "ceterms:ctid": value,
                                             "ceterms:name": {"en-US": "Required course"}}]}))
    result = ctdl.import_files([FOLDER / name, other])
    cred = credential_by_ctid(result, records(name)[0]["ceterms:ctid"])
    (course,) = [c for c in result.catalogue["credentials"] if c.get("ctid") == value]
    assert {"any_of": [{"credential": course["id"]}]} in cred["requires"]
    assert not any(value in p.message for p in result.warnings)


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("name", READABLE)
def test_export_keeps_the_ctids_and_validates(imported, name, tmp_path):
    if not ctdl_available():
        pytest.fail("ctdl-validate is not installed: pip install --ignore-requires-python ctdl-validate==0.2.1")
    result = imported[name]
    if not result.catalogue["credentials"] and not result.catalogue["providers"]:
        assert any("manifest" in w.message for w in result.warnings)  # a cost manifest alone: said, not exported
        return
    catalogue = Catalogue.model_validate({k: v for k, v in result.catalogue.items() if v} | {
        "meta": {"exchange_rates": {"USD": 0.9}}})
    document = ctdl_export.export_credentials(catalogue)
    findings = ctdl_findings(document)
    assert [str(f) for f in findings if f.severity == "ERROR"] == []
    # the only warning: a published CTID that is not a version-4 UUID, kept as published (never a new one)
    published = {n["ceterms:ctid"].lower() for n in records(name) if "ceterms:ctid" in n}
    for finding in (f for f in findings if f.severity == "WARNING"):
        assert finding.code == "CTID_NOT_UUIDV4" and any(c in str(finding) for c in published), str(finding)
    exported = {n["ceterms:ctid"] for n in document["@graph"] if "ceterms:ctid" in n}
    for node in records(name):
        if "ceterms:ctid" in node and types(node) & (CREDENTIAL_TYPES | ORG_TYPES):
            assert node["ceterms:ctid"].lower() in exported, node["ceterms:ctid"]
    # and read back: the same CTIDs, prices and modes
    path = tmp_path / "again.json"
    path.write_text(json.dumps(document))
    again = ctdl.import_files([path])
    before = {c["ctid"]: c for c in result.catalogue["credentials"] if "ctid" in c}
    after = {c["ctid"]: c for c in again.catalogue["credentials"] if "ctid" in c}
    assert set(after) == set(before)
    for key, cred in before.items():
        for field in ("cost", "costs", "participation", "duration_weeks", "min_duration_weeks", "hours", "credit"):
            assert after[key].get(field) == cred.get(field), (key, field)
