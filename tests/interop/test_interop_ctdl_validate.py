"""CTDL exports checked by Credential Engine's structural validator, ``ctdl-validate`` 0.2.1.

Every export must give no ERROR and no WARNING finding (the module docstring of
:mod:`planner.interop.ctdl_export` says why the remaining INFO / UNVERIFIABLE notes are
not defects): the bundled catalogue, a route to each sample role and award, and a round
trip (import, export) of every CTDL reference file the importer accepts.

``.ci/run`` installs ``ctdl-validate``; without it these tests fail with the install line
rather than skip, so that CI can never pass them silently.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.catalogue.models import Catalogue, LearnerProfile, Target
from planner.interop import ctdl, ctdl_export
from planner.interop.conformance import ctdl_available, ctdl_findings
from planner.interop.ctid import CTID_RE, RESOURCE_BASE, ctid, resource_uri

START = dt.date(2026, 9, 1)
CTDL_FOLDERS = ("credentialengine-schema-development", "credentialengine-ingest-examples",
                "credentialengine-pathways-2019", "credentialengine-credentialregistry")

if not ctdl_available():
    pytest.fail("ctdl-validate is not installed: run .ci/run, or "
                "pip install --ignore-requires-python ctdl-validate==0.2.1", pytrace=False)


def defects(document: dict[str, Any]) -> list[str]:
    """Findings other than the documented notes, as text: ERROR and WARNING ones among them."""
    return [str(f) for f in ctdl_findings(document) if (f.severity, f.code) not in ctdl_export.EXPECTED_NOTES]


def nodes(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["@graph"]


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["@id"]: n for n in nodes(document)}


def planner_id(node: dict[str, Any]) -> str | None:
    for ident in node.get("ceterms:identifier", []):
        if ident["ceterms:identifierTypeName"] == {"en": ctdl.PLANNER_ID_TYPE}:
            return ident["ceterms:identifierValueCode"]
    return None


def assert_ctids_agree(document: dict[str, Any]) -> None:
    seen = set()
    for node in nodes(document):
        assert node["@id"].startswith(RESOURCE_BASE), node["@id"]
        assert node["ceterms:ctid"] == node["@id"].removeprefix(RESOURCE_BASE)
        assert CTID_RE.match(node["ceterms:ctid"]), node["ceterms:ctid"]
        assert node["ceterms:ctid"] not in seen
        seen.add(node["ceterms:ctid"])


@pytest.fixture(scope="module")
def catalogue_export(sample_catalogue) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    return ctdl_export.export_credentials(sample_catalogue, warnings=warnings), warnings


# --------------------------------------------------------------------------- the bundled catalogue


def test_bundled_catalogue_export_has_no_errors_or_warnings(catalogue_export, sample_catalogue):
    document, _ = catalogue_export
    assert defects(document) == []
    assert_ctids_agree(document)
    exported = {planner_id(n) for n in nodes(document) if n["@type"] in ctdl_export.TYPE_CLASSES.values()}
    assert exported == {c.id for c in sample_catalogue.credentials}


def test_export_carries_competencies_levels_hours_and_intakes(catalogue_export, sample_catalogue):
    document, _ = catalogue_export
    index = by_id(document)
    competencies = {n["ceasn:identifier"][0]: n for n in nodes(document) if n["@type"] == "ceasn:Competency"}
    assert len(competencies) == len(sample_catalogue.competencies)
    checked = 0
    for cred in sample_catalogue.credentials:
        node = index[resource_uri("credential", cred.id)]
        if cred.type == "course":
            alignments = node.get("ceterms:teaches", [])
        else:
            alignments = [a for p in node.get("ceterms:requires", []) for a in p.get("ceterms:targetCompetency", [])]
        assert len(alignments) == len(cred.teaches)
        for taught, alignment in zip(cred.teaches, alignments, strict=True):
            competency = index[alignment["ceterms:targetNode"]]
            comp = sample_catalogue.competency(taught.competency)
            assert competency["ceasn:competencyLabel"] == {"en": comp.label}
            assert competency.get("ceasn:exactAlignment") == ([comp.uri] if comp.uri else None)
            assert f"level {taught.level} of" in alignment["ceterms:targetNodeDescription"]["en"]
        if cred.eqf_level is not None:
            (level,) = node["ceterms:audienceLevelType"]
            assert level["ceterms:targetNode"] == f"http://data.europa.eu/snb/eqf/{cred.eqf_level}"
        durations = node.get("ceterms:estimatedDuration", [])
        hours = [d["ceterms:timeRequired"] for d in durations if "ceterms:timeRequired" in d]
        assert hours == ([f"PT{cred.hours:g}H"] if cred.hours is not None else [])
        if cred.ects is not None:
            holder = node if cred.type == "course" else next(
                p for p in node["ceterms:requires"] if "ceterms:creditValue" in p)
            (value,) = holder["ceterms:creditValue"]
            assert value["schema:value"] == cred.ects
            assert holder["ceterms:creditUnitTypeDescription"] == {"en": "ECTS credits"}
        if cred.runs is not None and cred.runs.intakes:
            where = (node["ceterms:hasOffering"][0]["ceterms:description"] if cred.type == "course"
                     else node["ceterms:description"])["en"]
            months = {int(d[:2]) for d in cred.runs.intakes}
            assert all(re.search(rf"\d+ {name}", where) for name in
                       [dt.date(2000, m, 1).strftime("%B") for m in months]), where
            checked += 1
    assert checked > 10


def test_what_ctdl_cannot_express_is_in_the_description_with_a_warning(catalogue_export, sample_catalogue):
    document, warnings = catalogue_export
    index = by_id(document)
    capped = [c for c in sample_catalogue.credentials if c.award is not None and c.award.rpl_cap is not None]
    dated = [c for c in sample_catalogue.credentials if c.award is not None and c.award.credit_validity_years]
    assert capped and dated
    for cred in capped:
        text = index[resource_uri("credential", cred.id)]["ceterms:description"]["en"]
        assert f"At most {cred.award.rpl_cap:g} ECTS" in text
        assert f"{cred.id}: 'rpl_cap' has no CTDL property; it is written into the description" in warnings
    for cred in dated:
        pathway = index[resource_uri("pathway", cred.id)]
        assert f"for {cred.award.credit_validity_years:g} years" in pathway["ceterms:description"]["en"]
        assert any(w.startswith(f"{cred.id}: 'credit_validity_years'") for w in warnings)


def test_award_rules_are_pathway_conditions(catalogue_export, sample_catalogue):
    document, _ = catalogue_export
    index = by_id(document)
    for award in (c for c in sample_catalogue.credentials if c.award is not None):
        pathway = index[resource_uri("pathway", award.id)]
        (dest_id,) = pathway["ceterms:hasDestinationComponent"]
        dest = index[dest_id]
        assert dest["ceterms:proxyFor"] == resource_uri("credential", award.id)
        assert dest["ceterms:hasCondition"]
        assert set(pathway["ceterms:hasPart"]) == {dest_id, *dest.get("ceasn:hasChild", [])}


def test_catalogue_round_trip_keeps_credits_levels_hours_teaching_prerequisites_and_rules(
        catalogue_export, sample_catalogue, tmp_path):
    document, _ = catalogue_export
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document))
    back = ctdl.import_files([path])
    assert back.ok, back.errors
    again = Catalogue.model_validate(back.catalogue)
    for cred in sample_catalogue.credentials:
        other = again.credential(cred.id)
        assert (other.title, other.type, other.ects, other.cost, other.duration_weeks) == (
            cred.title, cred.type, cred.ects, cred.cost, cred.duration_weeks)
        assert (other.hours, other.eqf_level, other.teaches) == (cred.hours, cred.eqf_level, cred.teaches)
        credential_groups = [[a.credential for a in g.any_of if a.credential] for g in cred.requires]
        assert [[a.credential for a in g.any_of] for g in other.requires] == [g for g in credential_groups if g]
        if cred.award is not None:
            assert _same_rule(other, cred)
    for comp in sample_catalogue.competencies:
        assert (again.competency(comp.id).label, again.competency(comp.id).uri) == (comp.label, comp.uri)


def _same_rule(a, b) -> bool:
    # rule ids (credit pools) are not a CTDL notion; everything else must survive
    def strip(rule: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in rule.items() if k != "id"}
        for key in ("all_of", "of"):
            if key in out:
                out[key] = [strip(r) for r in out[key]]
        return out
    dump = lambda c: strip(c.award.rule.model_dump(by_alias=True, exclude_none=True))  # noqa: E731
    return dump(a) == dump(b)


# --------------------------------------------------------------------------- routes


def test_route_to_every_sample_role_and_award_validates(sample_catalogue):
    from planner.engine.routing import recommend

    targets = [Target(kind="role", id=r.id) for r in sample_catalogue.roles]
    targets += [Target(kind="award", id=c.id) for c in sample_catalogue.credentials if c.award is not None]
    exported = 0
    for target in targets:
        rec = recommend(sample_catalogue, LearnerProfile(), target, today=START)
        if not rec.routes:
            assert rec.diagnoses, f"{target}: no route and no reason"
            continue
        document = ctdl_export.export_route(rec.best, sample_catalogue, target)
        assert defects(document) == [], target
        assert_ctids_agree(document)
        index = by_id(document)
        (pathway,) = [n for n in nodes(document) if n["@type"] == "ceterms:Pathway"]
        (dest_id,) = pathway["ceterms:hasDestinationComponent"]
        steps = [c for c in rec.best.credential_ids if c != target.id]
        assert len(index[dest_id].get("ceasn:hasChild", [])) == len(steps)
        exported += 1
    assert exported >= len(targets) - 2  # the sample keeps one unreachable role to explain


def test_route_order_links_are_inverse_and_follow_prerequisites(sample_catalogue):
    from planner.engine.routing import recommend

    target = Target(kind="award", id="nhu-msc-data-science")
    rec = recommend(sample_catalogue, LearnerProfile(), target, today=START)
    document = ctdl_export.export_route(rec.best, sample_catalogue, target)
    components = {n["ceterms:proxyFor"]: n for n in nodes(document) if "ceasn:isChildOf" in n}
    index = by_id(document)
    for node in components.values():
        for later in node.get("ceterms:precedes", []):
            assert node["@id"] in index[later]["ceterms:precededBy"]
    pairs = 0
    for cred_id in rec.best.credential_ids:
        mine = components.get(resource_uri("credential", cred_id))
        for group in sample_catalogue.credential(cred_id).requires:
            for alt in group.any_of:
                other = components.get(resource_uri("credential", alt.credential or ""))
                if mine is not None and other is not None:
                    assert other["@id"] in mine["ceterms:precededBy"]
                    pairs += 1
    assert pairs > 0


# --------------------------------------------------------------------------- reference files


def ctdl_reference_files(reference_dir: Path) -> list[Path]:
    return sorted(p for f in CTDL_FOLDERS for p in (reference_dir / f).rglob("*") if p.suffix in (".json", ".jsonld"))


def test_round_trip_of_every_reference_ctdl_file_validates(reference_dir, tmp_path):
    accepted = 0
    for path in ctdl_reference_files(reference_dir):
        first = ctdl.import_files([path])
        if not first.ok:
            continue
        accepted += 1
        document = ctdl_export.export_credentials(Catalogue.model_validate(first.catalogue))
        assert defects(document) == [], path
        assert_ctids_agree(document)
        out = tmp_path / f"{accepted}.json"
        out.write_text(json.dumps(document))
        second = ctdl.import_files([out])
        assert second.ok, (path, second.errors)

        def ordered(catalogue: dict[str, Any]) -> dict[str, Any]:
            return {k: sorted(v, key=lambda item: item["id"]) for k, v in catalogue.items()}

        assert ordered(second.catalogue) == ordered(first.catalogue), path
    assert accepted >= 25


# --------------------------------------------------------------------------- the check itself can fail


def test_validator_reports_the_mistakes_the_export_used_to_make(catalogue_export):
    document, _ = catalogue_export
    broken = copy.deepcopy(document)
    course = next(n for n in nodes(broken) if n["@type"] == "ceterms:Course" and "ceterms:creditValue" in n)
    course["ceterms:creditValue"][0]["ceterms:creditUnitType"] = [
        {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": "creditUnit:DegreeCredit"}]
    course["ceterms:creditValue"][0]["ceterms:creditUnitTypeDescription"] = {"en": "ECTS"}
    pathway = next(n for n in nodes(broken) if n["@type"] == "ceterms:Pathway")
    pathway["ceterms:ctid"] = ctid("elsewhere", "x")
    codes = {f.split()[1] for f in defects(broken)}
    assert {"RANGE_VIOLATION", "DOMAIN_VIOLATION", "CTID_URI_MISMATCH"} <= codes


# --------------------------------------------------------------------------- CTIDs


@settings(deadline=None)  # a pure function: a slow example is the machine, not the code
@given(st.sampled_from(["credential", "provider", "component", "route"]), st.text(min_size=1, max_size=40))
def test_ctids_are_stable_version_4_uuids(kind, item_id):
    value = ctid(kind, item_id)
    assert CTID_RE.match(value) and len(value) == 39
    parsed = uuid.UUID(value[3:])
    assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert ctid(kind, item_id) == value
    assert ctid(kind, item_id + "x") != value and ctid(kind + "x", item_id) != value


# --------------------------------------------------------------------------- the command line


def test_cli_exports_validate_and_warn_about_what_goes_into_descriptions(sample_catalogue, capsys):
    from planner.cli import main

    award = next(c for c in sample_catalogue.credentials if c.award is not None and c.award.rpl_cap is not None)
    assert main(["export", "ctdl", "--credential", award.id]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert defects(document) == []
    assert f"warning: {award.id}: 'rpl_cap' has no CTDL property" in captured.err
    exported = {planner_id(n) for n in nodes(document)} - {None}
    assert award.id in exported and len(exported) > 2  # with its parts and their providers

    assert main(["export", "ctdl-pathway", "--target", f"role:{sample_catalogue.roles[0].id}",
                 "--start", START.isoformat()]) == 0
    route = json.loads(capsys.readouterr().out)
    assert defects(route) == []
    assert_ctids_agree(route)

    assert main(["export", "ctdl-pathway", "--target", f"award:{award.id}", "--start", START.isoformat()]) == 0
    captured = capsys.readouterr()
    assert defects(json.loads(captured.out)) == []
    assert f"warning: {award.id}: 'rpl_cap' has no CTDL property" in captured.err


def test_every_award_exported_alone_validates(sample_catalogue):
    for award in (c for c in sample_catalogue.credentials if c.award is not None):
        document = ctdl_export.export_credentials(sample_catalogue, [award.id])
        assert defects(document) == [], award.id
        assert_ctids_agree(document)
