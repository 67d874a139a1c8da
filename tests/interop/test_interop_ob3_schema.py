"""Open Badges 3.0 exports checked against 1EdTech's published JSON Schemas (Draft 2019-09).

Each exported ``Achievement`` must validate against ``$defs/Achievement`` of
``achievementcredential.json`` (resolved with the file's other definitions); a whole
``AchievementCredential`` is checked against the whole schema. The schema files are read
from ``../shared/reference``; the tests skip with the reason when it is absent.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from planner.catalogue.models import Catalogue
from planner.interop import ctdl
from planner.interop._result import COMPETENCY_URN
from planner.interop.conformance import ob3_errors
from planner.interop.openbadges import export_achievements, import_files
from tests.conftest import reference_file

SCHEMAS = "1edtech-openbadges-specification/docs/schema"
VC_FIXTURES = "1edtech-digital-credentials-public-validator/inspector-vc/src/test/resources/ob30"
CTDL_FOLDERS = ("credentialengine-schema-development", "credentialengine-ingest-examples",
                "credentialengine-pathways-2019", "credentialengine-credentialregistry")


@pytest.fixture(scope="module")
def schema_dir() -> Path:
    return reference_file(f"{SCHEMAS}/achievementcredential.json").parent


def achievement_errors(achievements: list[dict[str, Any]], schema_dir: Path) -> list[str]:
    return [f"{a['id']} {line}" for a in achievements for line in ob3_errors(a, schema_dir, "Achievement")]


def test_every_bundled_achievement_validates(sample_catalogue, schema_dir):
    achievements = export_achievements(sample_catalogue)
    assert len(achievements) == len(sample_catalogue.credentials)
    assert achievement_errors(achievements, schema_dir) == []
    # competencies without a web address are still aligned, by their catalogue URN
    local = {c.id for c in sample_catalogue.competencies if not c.uri}
    urls = {a["targetUrl"] for ach in achievements for a in ach.get("alignment", [])}
    assert local and {COMPETENCY_URN + c for c in local} & urls


def test_cli_export_validates(schema_dir, capsys):
    from planner.cli import main

    assert main(["export", "ob3"]) == 0
    achievements = json.loads(capsys.readouterr().out)
    assert achievements and achievement_errors(achievements, schema_dir) == []


def test_achievements_of_imported_reference_catalogues_validate(reference_dir, schema_dir):
    exported = 0
    for path in sorted(p for f in CTDL_FOLDERS for p in (reference_dir / f).rglob("*")
                       if p.suffix in (".json", ".jsonld")):
        result = ctdl.import_files([path])
        if not result.ok or not result.catalogue["credentials"]:
            continue
        achievements = export_achievements(Catalogue.model_validate(result.catalogue))
        assert achievement_errors(achievements, schema_dir) == [], path
        exported += len(achievements)
    assert exported > 50


def test_exported_urn_alignments_import_back_as_the_same_competencies(sample_catalogue, tmp_path):
    chosen = [c.id for c in sample_catalogue.credentials
              if any(not sample_catalogue.competency(t.competency).uri for t in c.teaches)]
    assert chosen
    path = tmp_path / "achievements.json"
    path.write_text(json.dumps(export_achievements(sample_catalogue, chosen)))
    back = import_files([path])
    assert back.ok, back.errors
    competencies = {c["id"]: c for c in back.catalogue["competencies"]}
    for cred_id in chosen:
        for taught in sample_catalogue.credential(cred_id).teaches:
            assert competencies[taught.competency]["label"] == sample_catalogue.competency(taught.competency).label
            assert competencies[taught.competency].get("uri") == sample_catalogue.competency(taught.competency).uri


def test_schema_check_catches_a_missing_target_url_and_a_bad_credential(sample_catalogue, schema_dir):
    (achievement,) = export_achievements(sample_catalogue, [sample_catalogue.credentials[0].id])
    broken = copy.deepcopy(achievement)
    broken.setdefault("alignment", [{"type": ["Alignment"], "targetName": "x", "targetUrl": "urn:x"}])
    del broken["alignment"][0]["targetUrl"]
    del broken["criteria"]
    errors = ob3_errors(broken, schema_dir, "Achievement")
    assert any("'targetUrl' is a required property" in e for e in errors)
    assert any("'criteria' is a required property" in e for e in errors)


def test_whole_achievement_credential_schema(schema_dir):
    # the published example credential in the VC 1.1 form this schema file describes
    credential = json.loads(reference_file(f"{VC_FIXTURES}/simple_v1.json").read_text())
    assert ob3_errors(credential, schema_dir) == []
    del credential["credentialSubject"]["achievement"]["criteria"]
    assert ob3_errors(credential, schema_dir) == [
        "$.credentialSubject.achievement: 'criteria' is a required property"]
