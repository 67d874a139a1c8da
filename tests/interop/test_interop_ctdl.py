"""CTDL JSON-LD import and export, checked against Credential Engine's published files.

Facts (counts, required numbers, credit values) are read from the reference files in the
tests themselves, then compared with what the importer produced.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from planner.catalogue.models import Catalogue, LearnerProfile, Target
from planner.interop import ctdl, ctdl_export
from planner.interop._jsonld import NAMESPACES
from planner.interop._result import read_json
from tests.conftest import reference_file

PATHWAYS = "credentialengine-schema-development/pathways"
INGEST = "credentialengine-ingest-examples"
SCHEMAS = "credentialengine-credentialregistry/fixtures/schemas/ce_registry"
CT = "https://purl.org/ctdl/terms/"
START = dt.date(2026, 9, 1)


def hw_files() -> list[Path]:
    return [reference_file(f"{PATHWAYS}/HeriotWatt/{name}") for name in ("pathway.json", "courses.json")]


@pytest.fixture(scope="module")
def hw():
    return ctdl.import_files(hw_files())


@pytest.fixture(scope="module")
def comptia_file() -> Path:
    return reference_file(f"{PATHWAYS}/CompTIA/CompTIA-IT_Networking_Specialist.jsonld")


def creds(result) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in result.catalogue["credentials"]}


def walk(rule: dict[str, Any]):
    yield rule
    for child in rule.get("all_of", rule.get("of", [])):
        yield from walk(child)


def rule_credentials(rule: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for node in walk(rule):
        if "credential" in node:
            out.add(node["credential"])
        if "credits" in node:
            out.update(node["from"])
    return out


def recommend_award(catalogue: dict, award: str, *, meta: dict | None = None):
    routing = pytest.importorskip("planner.engine.routing", reason="the route engine is not built yet")
    data = {**catalogue, **({"meta": meta} if meta else {})}
    return routing.recommend(Catalogue.model_validate(data), LearnerProfile(), Target(kind="award", id=award),
                             today=START)


# --------------------------------------------------------------------------- JSON reading


def test_hutchinson_malformed_file_gives_located_error_not_traceback():
    path = reference_file(f"{PATHWAYS}/Kansas/HutchinsonWeldingAAS.json")
    result = ctdl.import_files([path])
    assert not result.ok
    (error,) = result.errors
    assert error.file == str(path)
    assert error.line == 443 and error.column is not None
    assert "invalid JSON" in error.message
    assert f"{path}:443:" in str(error)
    assert not any(result.catalogue[s] for s in result.catalogue)


def test_concatenated_documents_reported_or_read_in_tolerant_mode(tmp_path):
    path = tmp_path / "two.json"
    path.write_text('{"a": 1}\n\n{"b": 2}\n', encoding="utf-8")
    data, problems = read_json(path)
    assert data == {"a": 1}
    assert problems[0].severity == "error" and problems[0].line == 3 and problems[0].column == 1
    data, problems = read_json(path, tolerant=True)
    assert data == [{"a": 1}, {"b": 2}]
    assert [p.severity for p in problems] == ["warning"]


def test_non_json_and_missing_files_are_problems(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert not ctdl.import_files([bad]).ok
    assert "not found" in ctdl.import_files([tmp_path / "nope.json"]).errors[0].message
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    result = ctdl.import_files([empty])
    assert not result.ok and "no JSON-LD node" in result.errors[0].message


# --------------------------------------------------------------------------- Heriot-Watt


def test_heriot_watt_file_facts_and_credential_count(hw):
    raw = json.loads(hw_files()[0].read_text())
    counts = collections.Counter(n["@type"][0].removeprefix(CT) for n in raw)
    assert counts == {"Pathway": 1, "CredentialComponent": 3, "BasicComponent": 8, "CourseComponent": 45,
                      "ComponentCondition": 25, "Constraint": 37}
    assert hw.ok, hw.errors
    by_type = collections.Counter(c["type"] for c in hw.catalogue["credentials"])
    # 45 courses; 3 credential components, one of which carries two exit awards under one @id
    assert by_type == {"course": 45, "certificate": 1, "diploma": 1, "bachelor": 2}
    assert any("split by position" in p.message for p in hw.warnings)
    Catalogue.model_validate(hw.catalogue)


def test_heriot_watt_required_numbers_become_n_of_rules():
    # pathway.json alone: components keep their own names, so targets can be matched by name
    path = hw_files()[0]
    raw = json.loads(path.read_text())
    by_id = {n["@id"]: n for n in raw}
    name = {i: n[CT + "name"][0]["@value"] for i, n in by_id.items() if CT + "name" in n}
    expected = set()
    for node in raw:
        if CT + "ComponentCondition" in node["@type"] and CT + "requiredNumber" in node:
            targets = [t["@id"] for t in node.get(CT + "targetComponent", [])]
            if targets:
                expected.add((node[CT + "requiredNumber"][0]["@value"], frozenset(name[t] for t in targets)))
    result = ctdl.import_files([path])
    titles = {c["id"]: c["title"] for c in result.catalogue["credentials"]}
    found = set()
    for cred in result.catalogue["credentials"]:
        for node in walk(cred.get("award", {}).get("rule", {})):
            if "n_of" in node and all("credential" in c for c in node["of"]):
                found.add((node["n_of"], frozenset(titles[c["credential"]] for c in node["of"])))
    assert len(expected) == 10  # 13 conditions, three of them repeated (same number, same courses)
    assert expected <= found


def test_heriot_watt_credit_values_from_scqf(hw):
    raw = json.loads(hw_files()[1].read_text())
    values = {n["@id"]: n[CT + "value"][0]["@value"] for n in raw if CT + "ValueProfile" in n["@type"]}
    courses = [n for n in raw if n["@type"] == [CT + "Course"]]
    scqf = collections.Counter(values[n[CT + "creditValue"][0]["@id"]] for n in courses)
    assert scqf == {15: 45}
    course_ects = [c["ects"] for c in hw.catalogue["credentials"] if c["type"] == "course"]
    assert course_ects == [7.5] * 45  # 2 SCQF credits = 1 ECTS


def test_heriot_watt_exit_award_ladder(hw):
    by_id = creds(hw)
    ladder = ["certificate-of-higher-education", "diploma-of-higher-education", "ordinary-degree",
              "f291-cos-bachelor-of-science-in-computer-science"]
    assert [by_id[a]["type"] for a in ladder] == ["certificate", "diploma", "bachelor", "bachelor"]
    ects = {c: by_id[c].get("ects", 0) for c in by_id}

    def forced(rule: dict[str, Any]) -> set[str]:
        # credentials every way of meeting the rule needs: all-of / n-of-all leaves, and
        # credit pools whose whole total is needed
        if "credential" in rule:
            return {rule["credential"]}
        if "credits" in rule:
            return set(rule["from"]) if sum(ects[c] for c in rule["from"]) == rule["credits"] else set()
        if "n_of" in rule and rule["n_of"] < len(rule["of"]):
            return set()
        return set().union(*(forced(c) for c in rule.get("all_of", rule.get("of", []))))

    mandatory = [forced(by_id[award]["award"]["rule"]) for award in ladder]
    # each exit award needs everything the previous one needs, and more
    assert all(a < b for a, b in itertools.pairwise(mandatory))
    assert [len(m) for m in mandatory] == [8, 16, 24, 27]  # honours: + the 3 required stage-4 courses


def test_heriot_watt_grade_constraints_are_warnings_at_their_condition(hw):
    raw = json.loads(hw_files()[0].read_text())
    by_id = {n["@id"]: n for n in raw}
    expected = {f"$[{i}]" for i, n in enumerate(raw) if CT + "ComponentCondition" in n["@type"] and any(
        "grade" in s.get("@id", "") for c in n.get(CT + "hasConstraint", [])
        for s in by_id[c["@id"]][CT + "leftSource"])}
    warned = {p.pointer for p in hw.warnings if "grade constraint on 'grade'" in p.message}
    assert expected and warned == expected
    assert all(p.line for p in hw.warnings if p.pointer in expected)


def test_heriot_watt_routes_climb_the_ladder(hw):
    ects = []
    for award in ["certificate-of-higher-education", "diploma-of-higher-education", "ordinary-degree",
                  "f291-cos-bachelor-of-science-in-computer-science"]:
        rec = recommend_award(hw.catalogue, award)
        assert rec.feasible, rec.diagnoses
        ects.append(rec.best.total_ects)
        assert award in rec.best.credential_ids
    assert ects == [60, 120, 180, 240]
    assert ctdl.destinations(hw_files())[0] == "f291-cos-bachelor-of-science-in-computer-science"


# --------------------------------------------------------------------------- CompTIA


def test_comptia_linear_certification_chain(comptia_file):
    raw = json.loads(comptia_file.read_text())["@graph"]
    certs = {n["@id"]: n["ceterms:name"]["en-US"].strip() for n in raw if n["@type"] == "ceterms:Certification"}
    assert len(certs) == 8
    result = ctdl.import_files([comptia_file])
    assert result.ok
    by_id = creds(result)
    imported = {c["title"]: c for c in by_id.values() if c["type"] == "industry_certification"}
    assert set(imported) == set(certs.values())
    # walk the chain from the one certification that needs nothing
    needed_by = {g["any_of"][0]["credential"]: c["id"] for c in imported.values() for g in c.get("requires", [])}
    assert all(len(g["any_of"]) == 1 for c in imported.values() for g in c.get("requires", []))
    start = [c["id"] for c in imported.values() if not c.get("requires")]
    assert len(start) == 1 and by_id[start[0]]["title"] == "CompTIA A+"
    chain = start
    while chain[-1] in needed_by:
        chain.append(needed_by[chain[-1]])
    assert [by_id[c]["title"].removeprefix("CompTIA ") for c in chain] == [
        "A+", "Network+", "Security+", "Project+", "Cloud Essentials+", "Linux+", "Server+", "Cloud+"]
    destination = ctdl.destinations([comptia_file])[0]
    assert by_id[destination]["award"]["rule"] == {"n_of": 1, "of": [{"credential": chain[-1]}]}
    rec = recommend_award(result.catalogue, destination)
    assert rec.feasible
    assert set(rec.best.credential_ids) == {*chain, destination}
    slots = {s.credential_id: s for s in rec.best.schedule}
    if slots:
        assert all(slots[b].start_week >= slots[a].end_week for a, b in itertools.pairwise(chain))


def _expand(node: Any, key: str = "") -> Any:
    """Write a compact CTDL document in expanded JSON-LD (independently of the importer)."""
    def iri(curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return NAMESPACES[prefix] + local if prefix in NAMESPACES else curie

    if isinstance(node, dict) and "@graph" in node:
        return [_expand(n) for n in node["@graph"]]
    if isinstance(node, list):
        return [_expand(n) for n in node]
    out: dict[str, Any] = {}
    for k, v in node.items():
        if k == "@context":
            continue
        if k == "@id":
            out[k] = v
        elif k == "@type":
            out[k] = [iri(t) for t in (v if isinstance(v, list) else [v])]
        else:
            items = v if isinstance(v, list) else [v]
            vals = []
            for item in items:
                if isinstance(item, dict) and all(len(x) <= 5 and "@" not in x and ":" not in x for x in item):
                    vals += [{"@language": lang, "@value": t} for lang, t in item.items() if t]
                elif isinstance(item, dict):
                    vals.append(_expand(item))
                elif isinstance(item, str) and item.startswith("http"):
                    vals.append({"@id": item})
                else:
                    vals.append({"@value": item})
            out[iri(k)] = vals
    return out


def test_compact_and_expanded_forms_import_the_same(comptia_file, tmp_path):
    expanded = tmp_path / "expanded.json"
    expanded.write_text(json.dumps(_expand(json.loads(comptia_file.read_text()))))
    a = ctdl.import_files([comptia_file])
    b = ctdl.import_files([expanded])
    assert a.catalogue == b.catalogue and len(a.catalogue["credentials"]) == 9


# --------------------------------------------------------------------------- Badgr pathways in CTDL


@pytest.mark.parametrize(("name", "components", "conditions"), [
    ("Badgr (Final) - EmpoweringTeachingExcellence_Nate.json", 92, 23),
    ("Badgr (Final) - CTDL-French_BA_Marketable_Skills-Nates.json", 30, 29),
])
def test_badgr_pathways_in_ctdl(name, components, conditions):
    path = reference_file(f"{PATHWAYS}/Badgr/{name}")
    raw = json.loads(path.read_text())
    assert sum(n["@type"] == "ceterms:CredentialComponent" for n in raw) == components
    assert sum(len(n.get("ceterms:hasCondition", [])) for n in raw) == conditions
    result = ctdl.import_files([path])
    assert result.ok, result.errors
    assert len(result.catalogue["credentials"]) == components
    assert {c["type"] for c in result.catalogue["credentials"]} == {"badge"}
    (destination,) = ctdl.destinations([path])
    rec = recommend_award(result.catalogue, destination)
    assert rec.feasible, rec.diagnoses


# --------------------------------------------------------------------------- competencies, robustness


def test_onet_competency_framework_and_registry_envelope():
    base = "credentialengine-schema-development/Competency-Frameworks"
    path = reference_file(f"{base}/ONET Knowledge Competency Framework 9-27-19.json")
    raw = json.loads(path.read_text())
    nodes = [n for n in raw["@graph"] if n.get("@type") == "ceasn:Competency"]
    result = ctdl.import_files([path])
    assert result.ok
    competencies = {c["id"]: c for c in result.catalogue["competencies"]}
    assert len(competencies) == len(nodes) == 41
    assert {c["framework"] for c in competencies.values()} == {"onet"}
    assert {c["uri"] for c in competencies.values()} == {n["@id"] for n in nodes}
    children = [c for c in competencies.values() if "broader" in c]
    assert children and all(c["broader"] in competencies for c in children)
    enveloped = ctdl.import_files([reference_file(f"{base}/SampleCompetencyFramework_with_Envelope.json")])
    assert enveloped.ok and len(enveloped.catalogue["competencies"]) == 13


def test_every_reference_ctdl_file_imports_without_raising(reference_dir):
    folders = ["credentialengine-schema-development", "credentialengine-ingest-examples",
               "credentialengine-pathways-2019", "credentialengine-credentialregistry"]
    files = sorted(p for f in folders for p in (reference_dir / f).rglob("*") if p.suffix in (".json", ".jsonld"))
    assert len(files) > 40
    imported = 0
    for path in files:
        result = ctdl.import_files([path])  # must not raise, whatever the file holds
        for problem in result.problems:
            assert problem.file == str(path) or problem.file.startswith("ctdl:"), problem
        if result.ok:
            Catalogue.model_validate(result.catalogue)
            imported += 1
    assert imported >= 25


# --------------------------------------------------------------------------- ingest examples


def test_ingest_credential_standalone_and_graph_forms_agree():
    single = ctdl.import_files([reference_file(f"{INGEST}/Credential/1/Credential-1.json")])
    graph = ctdl.import_files([reference_file(f"{INGEST}/Credential/1/Credential-1-graph.json")])
    assert single.ok and graph.ok
    # the two published files differ only in the web page's scheme (http / https) and the CTID
    (a,), (b,) = single.catalogue["credentials"], graph.catalogue["credentials"]
    assert a.pop("url").split("://")[1] == b.pop("url").split("://")[1] == "example.com/#bachelordegree"
    # each keeps its own published CTID, as the file states it
    for record, name in ((a.pop("ctid"), "Credential-1.json"), (b.pop("ctid"), "Credential-1-graph.json")):
        raw = json.loads(reference_file(f"{INGEST}/Credential/1/{name}").read_text(encoding="utf-8-sig"))
        nodes = raw.get("@graph", [raw])
        assert record == nodes[0]["ceterms:ctid"].lower()
    assert single.catalogue == graph.catalogue
    assert a["type"] == "bachelor" and a["title"] == "Bachelor of Science in Cybersecurity"
    providers = {p["id"] for p in single.catalogue["providers"]}
    assert providers == {a["provider"], "example-town-cyber-security-jobs-center"}


def test_ingest_learning_program_with_courses():
    base = f"{INGEST}/LearningProgram/1"
    org = reference_file(f"{INGEST}/Organization/1/Organization-1.json")
    files = [reference_file(f"{base}/{n}.json") for n in ("LearningProgram-1", "Course-1a", "Course-1b", "Course-1c")]
    single = ctdl.import_files([*files, org])
    graph = ctdl.import_files([reference_file(f"{base}/LearningProgram-1-graph.json"), org])
    assert single.ok and single.catalogue == graph.catalogue
    (provider,) = single.catalogue["providers"]
    assert (provider["name"], provider["country"], provider["kind"]) == ("Example University", "US", "university")
    by_id = creds(single)
    program = by_id["lifelong-learning-accelerator"]
    parts = [p["credential"] for p in program["award"]["rule"]["all_of"]]
    costs = {p: by_id[p]["cost"] for p in parts}
    assert sorted(c["amount"] for c in costs.values()) == [995, 1495, 1995]
    assert {c["currency"] for c in costs.values()} == {"USD"}
    assert "cost" not in program  # the aggregate is not counted twice
    assert program["duration_weeks"] == 39 and program["participation"] == "blended"
    rec = recommend_award(single.catalogue, program["id"], meta={"base_currency": "USD"})
    assert rec.feasible and rec.best.total_cost == pytest.approx(4485)


# --------------------------------------------------------------------------- export


def _schema_validator(name: str):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(reference_file(f"{SCHEMAS}/{name}").read_text())
    refs: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "$ref" and isinstance(v, str):
                    refs.append(v.removeprefix("#/definitions/"))
                else:
                    collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    collect(schema)
    # the registry's schemas refer to some definitions they do not contain: unconstrained
    for ref in refs:
        schema["definitions"].setdefault(ref, {})
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="module")
def validators():
    pathway = _schema_validator("pathway.json")
    # this registry fixture requires ceterms:inLanguage on a Pathway, which the published CTDL
    # schema does not allow there (ctdl-validate: DOMAIN_VIOLATION); the published schema wins
    required = pathway.schema["definitions"]["ceterms:Pathway"]["required"]
    required.remove("ceterms:inLanguage")
    component = _schema_validator("pathway_component.json")
    # and it types creditValue as schema:QuantitativeValue and programTerm as a plain string,
    # where the published schema's ranges are ceterms:ValueProfile and CredentialAlignmentObject
    for term in ("ceterms:creditValue", "ceterms:programTerm"):
        component.schema["definitions"][term] = {}
    return pathway, component


@pytest.fixture(scope="module")
def ctdl_terms() -> set[str]:
    schema = json.loads(reference_file("ctdl-validate-0.2.1/ctdl/schema.json").read_text())
    return {n["@id"] for n in schema["@graph"]}


def check_export(document: dict[str, Any], validators, terms: set[str]) -> int:
    pathway_v, component_v = validators
    checked = 0
    for node in document["@graph"]:
        kind = node["@type"]
        validator = pathway_v if kind == "ceterms:Pathway" else component_v if kind.endswith("Component") else None
        if validator is not None:
            errors = [e.message for e in validator.iter_errors(node)]
            assert not errors, (kind, errors[:3])
            checked += 1
    assert ctdl_export.terms_used(document) <= terms, ctdl_export.terms_used(document) - terms
    assert document["@context"] == "https://credreg.net/ctdl/schema/context/json"
    return checked


def test_export_validates_and_uses_only_ctdl_terms(hw, validators, ctdl_terms):
    catalogue = Catalogue.model_validate(hw.catalogue)
    document = ctdl_export.export_credentials(catalogue)
    awards = [c for c in catalogue.credentials if c.award is not None]
    parts = sum(len(rule_credentials(a.award.rule.model_dump(by_alias=True, exclude_none=True))) for a in awards)
    assert len(awards) == 4
    assert check_export(document, validators, ctdl_terms) == 2 * len(awards) + parts
    again = ctdl_export.export_credentials(catalogue)
    assert again == document  # deterministic
    ctids = [n["ceterms:ctid"] for n in document["@graph"] if "ceterms:ctid" in n]
    assert len(ctids) == len(set(ctids)) and all(c.startswith("ce-") and len(c) == 39 for c in ctids)


def test_schema_check_catches_a_broken_component(hw, validators, ctdl_terms):
    document = ctdl_export.export_credentials(Catalogue.model_validate(hw.catalogue))
    broken = copy.deepcopy(document)
    component = next(n for n in broken["@graph"] if n["@type"] == "ceterms:CourseComponent")
    del component["ceterms:ctid"]
    with pytest.raises(AssertionError):
        check_export(broken, validators, ctdl_terms)
    component["ceterms:ctid"] = "x"
    component["ceterms:madeUpTerm"] = 1
    with pytest.raises(AssertionError):
        check_export(broken, validators, ctdl_terms)


def _round_trip(result, tmp_path: Path):
    document = ctdl_export.export_credentials(Catalogue.model_validate(result.catalogue))
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    return ctdl.import_files([path])


@pytest.mark.parametrize("case", ["heriot-watt", "comptia", "badgr-ete", "ingest-program", "ingest-credential"])
def test_import_export_import_round_trip(case, tmp_path):
    files = {
        "heriot-watt": hw_files,
        "comptia": lambda: [reference_file(f"{PATHWAYS}/CompTIA/CompTIA-IT_Networking_Specialist.jsonld")],
        "badgr-ete": lambda: [reference_file(f"{PATHWAYS}/Badgr/Badgr (Final) - "
                                             "EmpoweringTeachingExcellence_Nate.json")],
        "ingest-program": lambda: [reference_file(f"{INGEST}/LearningProgram/1/LearningProgram-1-graph.json"),
                                   reference_file(f"{INGEST}/Organization/1/Organization-1.json")],
        "ingest-credential": lambda: [reference_file(f"{INGEST}/Credential/1/Credential-1-graph.json")],
    }[case]()
    first = ctdl.import_files(files)
    second = _round_trip(first, tmp_path)
    assert second.ok, second.errors
    assert second.catalogue == first.catalogue


def test_round_trip_of_prerequisite_alternatives_and_credit_rules(tmp_path, validators, ctdl_terms):
    catalogue = {
        "providers": [{"id": "uni", "name": "Uni", "country": "FI", "kind": "university",
                       "website": "https://uni.example"}],
        "credentials": [
            {"id": "a", "title": "A", "provider": "uni", "type": "micro_credential", "ects": 5,
             "cost": {"amount": 100, "currency": "EUR"}, "participation": "online", "languages": ["fi"]},
            {"id": "b", "title": "B", "provider": "uni", "type": "course", "ects": 5, "duration_weeks": 6},
            {"id": "c", "title": "C", "provider": "uni", "type": "course", "ects": 10,
             "requires": [{"any_of": [{"credential": "a"}, {"credential": "b"}]}, {"any_of": [{"credential": "a"}]}]},
            {"id": "cert", "title": "Cert", "provider": "uni", "type": "certificate",
             "award": {"rule": {"all_of": [{"credential": "c"}, {"n_of": 1, "of": [{"credential": "a"},
                                                                                  {"credential": "b"}]},
                                           {"credits": 15, "from": ["a", "b", "c"], "label": "Credit pool"}]}}},
        ],
    }
    model = Catalogue.model_validate(catalogue)
    document = ctdl_export.export_credentials(model)
    check_export(document, validators, ctdl_terms)
    path = tmp_path / "x.json"
    path.write_text(json.dumps(document))
    back = ctdl.import_files([path])
    assert back.ok, back.errors
    assert Catalogue.model_validate(back.catalogue) == model


def test_route_exports_as_a_valid_pathway(hw, validators, ctdl_terms, tmp_path):
    award = "certificate-of-higher-education"
    rec = recommend_award(hw.catalogue, award)
    catalogue = Catalogue.model_validate(hw.catalogue)
    document = ctdl_export.export_route(rec.best, catalogue, Target(kind="award", id=award))
    check_export(document, validators, ctdl_terms)
    graph = document["@graph"]
    (pathway,) = [n for n in graph if n["@type"] == "ceterms:Pathway"]
    (dest,) = [n for n in graph if n["@id"] == pathway["ceterms:hasDestinationComponent"][0]]
    steps = [c for c in rec.best.credential_ids if c != award]
    (condition,) = dest["ceterms:hasCondition"]
    assert condition["ceterms:requiredNumber"] == len(steps) == 8
    assert len(dest["ceasn:hasChild"]) == 8
    # the exported route, read back, is an award met exactly by the route's steps
    path = tmp_path / "route.json"
    path.write_text(json.dumps(document))
    back = creds(ctdl.import_files([path]))
    rule = back[award]["award"]["rule"]
    assert rule["n_of"] == 8 and {c["credential"] for c in rule["of"]} == set(steps)
