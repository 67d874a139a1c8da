"""Open Badges 3.0 / CLR 2.0 import and OB3 Achievement export, on 1EdTech's own fixtures."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from planner.catalogue.models import Catalogue, LearnerProfile, Target
from planner.interop._result import merge_results
from planner.interop.openbadges import (
    ACHIEVEMENT_TYPES,
    CREDENTIAL_ID_PREFIX,
    export_achievements,
    import_files,
)
from tests.conftest import reference_file

OB30 = "1edtech-digital-credentials-public-validator/inspector-vc/src/test/resources/ob30/"
CLR20 = "1edtech-digital-credentials-public-validator/inspector-clr/src/test/resources/clr20/"
MC_OB3 = "mynextid-credentials/microcredential/v1/open-badge/examples/open-badge-mc-example.json"
TODAY = dt.date(2026, 11, 28)


def _catalogue(result) -> Catalogue:
    return Catalogue.model_validate({k: v for k, v in result.catalogue.items() if v})


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def test_simple_credential_vc2_and_vc1_give_the_same_holding():
    v2 = import_files([reference_file(OB30 + "simple.json")], today=TODAY)
    v1 = import_files([reference_file(OB30 + "simple_v1.json")], today=TODAY)
    for result in (v2, v1):
        assert result.ok, result.errors
        (cred,) = result.catalogue["credentials"]
        assert cred["id"] == "teamwork"
        assert cred["title"] == "Teamwork"
        assert cred["type"] == "badge"  # no achievementType
        assert cred["description"].startswith("This badge recognizes the development")
        # a criteria narrative without a list is kept as criteria text, not as outcomes
        assert "Criteria: Team members are nominated" in cred["description"]
        assert "learning_outcomes" not in cred
        (provider,) = result.catalogue["providers"]
        assert provider["name"] == "Example Corp" and provider["country"] == "ZZ"
        assert any("addressCountryCode" in p.message for p in result.warnings)
        assert result.profile.holdings[0].credential == "teamwork"
        # VC 2.0 validFrom and VC 1.1 issanceDate are both 2010-01-01
        assert result.profile.holdings[0].earned == dt.date(2010, 1, 1)
    assert v1.catalogue == v2.catalogue
    _catalogue(v2)


def test_complete_credential_maps_type_credits_alignment_and_creator():
    path = reference_file(OB30 + "complete.json")
    doc = json.loads(path.read_text())
    achievement = doc["credentialSubject"]["achievement"]
    result = import_files([path], today=TODAY)
    assert result.ok, result.errors
    (cred,) = result.catalogue["credentials"]
    assert cred["title"] == achievement["name"]
    assert cred["type"] == "bachelor"  # achievementType "Degree"
    assert cred["ects"] == achievement["creditsAvailable"] == 36
    (provider,) = result.catalogue["providers"]
    assert provider["name"] == achievement["creator"]["name"]
    assert provider["country"] == achievement["creator"]["address"]["addressCountryCode"] == "US"
    assert provider["kind"] == "university"
    assert provider["website"] == "https://1edtech.edu"
    # the CFItem alignment is a competency; the CTDL one points at a credential
    (comp,) = result.catalogue["competencies"]
    assert comp["id"] == "degree" and comp["label"] == "1EdTech University Degree"
    assert cred["teaches"] == [{"competency": "degree", "level": 2}]
    messages = " ".join(p.message for p in result.warnings)
    assert "CTDL" in messages and "creditsEarned 42 differs from creditsAvailable 36" in messages
    assert result.profile.holdings[0].earned == dt.date(2010, 1, 1)
    _catalogue(result)


@pytest.mark.parametrize(
    ("name", "pointer", "needle", "words"),
    [
        ("simple-err-type.json", "$.type", "OtherCredential", "OtherCredential"),
        ("simple-err-issuer.json", "$.issuer", None, "no issuer"),
        ("simple-err-context.json", '$["@context"]', None, "W3C Verifiable Credentials context"),
        ("simple-err-credential-subject-type.json", "$.credentialSubject.type", "InvalidAchievementSubject",
         "AchievementSubject"),
        ("simple-err-credential-subject-result-type.json", "$.credentialSubject.result[1].type",
         "InvalidResult", "Result"),
    ],
)
def test_negative_fixtures_give_located_errors_and_nothing_held(name, pointer, needle, words):
    path = reference_file(OB30 + name)
    result = import_files([path], today=TODAY)
    assert not result.ok
    matching = [p for p in result.errors if p.pointer == pointer]
    assert matching, [str(p) for p in result.problems]
    problem = matching[0]
    assert words in problem.message
    assert problem.file == str(path)
    if needle:
        assert problem.line == _line_of(path, needle)
    assert result.profile is None
    assert result.catalogue["credentials"] == []


def test_expired_credential_is_an_error_but_its_achievement_is_kept():
    path = reference_file(OB30 + "simple-err-expired.json")
    result = import_files([path], today=TODAY)
    (problem,) = result.errors
    assert problem.pointer == "$.validUntil"
    assert "expired on 2010-01-01" in problem.message
    assert problem.line == _line_of(path, '"validUntil"')
    assert result.profile is None
    assert [c["id"] for c in result.catalogue["credentials"]] == ["teamwork"]


def test_expiry_is_judged_against_the_given_day():
    path = reference_file(MC_OB3)  # validUntil 2026-12-31
    before = import_files([path], today=dt.date(2026, 6, 1))
    after = import_files([path], today=dt.date(2027, 1, 1))
    assert before.ok and before.profile is not None
    assert before.profile.holdings[0].earned == dt.date(2026, 1, 12)  # awardedDate
    assert not after.ok and after.profile is None


def test_microcredential_alignments_become_esco_competencies():
    path = reference_file(MC_OB3)
    doc = json.loads(path.read_text())
    achievement = doc["credentialSubject"]["achievement"]
    result = import_files([path], today=dt.date(2026, 6, 1))
    (cred,) = result.catalogue["credentials"]
    assert cred["type"] == "micro_credential"
    assert cred["ects"] == achievement["creditsAvailable"] == 5
    assert cred["languages"] == ["en"]
    assert cred["description"].endswith("Criteria: " + achievement["criteria"]["narrative"])
    uris = {c["uri"] for c in result.catalogue["competencies"]}
    assert uris == {a["targetUrl"] for a in achievement["alignment"]}
    assert all(c["framework"] == "esco" for c in result.catalogue["competencies"])
    assert {t["competency"] for t in cred["teaches"]} == {"develop-test-procedures", "analyse-test-data"}
    assert result.catalogue["providers"][0]["name"] == achievement["creator"]["name"]


def test_clr_complex_nested_credentials_and_associations():
    path = reference_file(CLR20 + "complex.json")
    doc = json.loads(path.read_text())
    nested = doc["credentialSubject"]["verifiableCredential"]
    result = import_files([path], today=TODAY)
    assert result.ok, result.errors
    titles = {c["title"] for c in result.catalogue["credentials"]}
    assert titles == {v["credentialSubject"]["achievement"]["name"] for v in nested}
    assert len(titles) == len(nested) == 6
    types = {c["title"]: c["type"] for c in result.catalogue["credentials"]}
    assert types["Nurse Assistant 1 Program with Licensure"] == "diploma"
    assert types["Health Careers 1"] == "course"
    assert types["Oregon State Board of Nursing - Certified Nursing Assistant"] == "badge"
    # every nested credential is held, earned on its issuanceDate
    assert len(result.profile.holdings) == 6
    assert {h.earned for h in result.profile.holdings} == {dt.date(2018, 6, 6)}
    # isParentOf from the programme: one child is distinct, one id is shared by four
    # achievements in this file, and two children are not in the file at all
    programme = next(c for c in result.catalogue["credentials"] if c["type"] == "diploma")
    children = [leaf["credential"] for leaf in programme["award"]["rule"]["all_of"]]
    assert len(children) == 5 and programme["id"] not in children
    messages = [p.message for p in result.warnings]
    assert sum("not in the file" in m for m in messages) == 3  # 2 isParentOf + the isPartOf
    assert any("is used for different achievements" in m for m in messages)

    catalogue = _catalogue(result)
    from planner.engine.routing import recommend

    held = [h for h in result.profile.holdings if h.credential in children[:2]]
    rec = recommend(catalogue, LearnerProfile(holdings=held), Target(kind="award", id=programme["id"]),
                    today=dt.date(2026, 1, 1))
    assert rec.routes
    chosen = set(rec.routes[0].credential_ids)
    assert chosen == set(children[2:]) | {programme["id"]}


def test_clr_simple_v2_contexts_and_association():
    result = import_files([reference_file(CLR20 + "simple.json")], today=TODAY)
    assert result.ok, result.errors
    by_title = {c["title"]: c for c in result.catalogue["credentials"]}
    assert set(by_title) == {"Teamwork", "Achievement 1", "Achievement 2"}
    assert by_title["Achievement 1"]["award"] == {"rule": {"all_of": [{"credential": "achievement-2"}]}}
    assert [h.credential for h in result.profile.holdings] == ["teamwork"]
    # the creator is a bare {"id": …}; its name comes from the issuer Profile with that id
    assert "example-university" in {p["id"] for p in result.catalogue["providers"]}


def test_clr_draft_context_is_read_with_a_warning():
    result = import_files([reference_file(CLR20 + "simple-noproof.json")], today=TODAY)
    assert result.ok
    assert any("not the published one" in p.message for p in result.warnings)
    assert result.count("credentials") == 2


def test_every_fixture_imports_without_traceback_and_merges_into_a_valid_catalogue(reference_dir):
    paths = sorted((reference_dir / OB30).glob("*.json")) + sorted((reference_dir / CLR20).glob("*.json"))
    assert len(paths) == 14
    results = [import_files([p], today=TODAY) for p in paths]
    merged = merge_results(results)
    catalogue = _catalogue(merged)
    assert len(catalogue.credentials) >= 8


def test_bad_json_and_foreign_documents_are_located(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "type": ["VerifiableCredential"],\n  "name": "x",,\n}\n')
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"type": "Person", "name": "Ann"}))
    result = import_files([broken, foreign], today=TODAY)
    problems = {p.file: p for p in result.errors}
    assert problems[str(broken)].line == 3
    assert "OpenBadgeCredential" in problems[str(foreign)].message
    assert result.catalogue["credentials"] == []


def _sample_catalogue() -> Catalogue:
    return Catalogue.model_validate({
        "providers": [
            {"id": "uniz", "name": "University of Zed", "country": "IE", "kind": "university",
             "website": "https://uniz.edu"},
        ],
        "competencies": [
            {"id": "develop-digital-content", "label": "develop digital content", "framework": "esco",
             "uri": "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"},
            {"id": "python-basics", "label": "Python basics", "description": "Small programs"},
        ],
        "credentials": [
            {"id": "mc-digital", "title": "Digital micro-credential creation", "provider": "uniz",
             "type": "micro_credential", "ects": 2, "languages": ["en"],
             "learning_outcomes": ["Create digital content", "Publish it"],
             "description": "A short course.\n\nCriteria: Pass the final exam.",
             "teaches": [{"competency": "develop-digital-content", "level": 3},
                         {"competency": "python-basics", "level": 1}]},
            {"id": "cert-x", "title": "Certificate X", "provider": "uniz", "type": "certificate"},
            *[{"id": f"t-{t}", "title": f"Type {t}", "provider": "uniz", "type": t, "ects": 1.5}
              for t in ACHIEVEMENT_TYPES],
        ],
    })


MAPPED = ("id", "title", "provider", "type", "description", "learning_outcomes", "ects", "languages", "teaches")


def test_export_shape():
    catalogue = _sample_catalogue()
    (ach,) = export_achievements(catalogue, ["mc-digital"])
    assert ach["id"] == CREDENTIAL_ID_PREFIX + "mc-digital"
    assert ach["type"] == ["Achievement"]
    assert ach["achievementType"] == "MicroCredential"
    assert ach["creditsAvailable"] == 2
    assert ach["criteria"]["narrative"] == "Pass the final exam.\n\n- Create digital content\n- Publish it"
    assert ach["description"] == "A short course."
    esco = ach["alignment"][0]
    assert esco["targetUrl"] == "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"
    assert esco["targetFramework"] == "ESCO"
    # OB3's AlignmentTargetType values, or an "ext:" extension
    allowed = {"ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
               "CFRubricCriterionLevel", "CTDL"}
    assert all(a["targetType"] in allowed or a["targetType"].startswith("ext:") for a in ach["alignment"])
    assert [r["requiredValue"] for r in ach["resultDescription"]] == ["3", "1"]
    assert ach["creator"]["address"]["addressCountryCode"] == "IE"
    with pytest.raises(KeyError):
        export_achievements(catalogue, ["nope"])


def test_export_then_import_round_trips(tmp_path):
    catalogue = _sample_catalogue()
    path = tmp_path / "achievements.json"
    path.write_text(json.dumps(export_achievements(catalogue), indent=2))
    result = import_files([path], today=TODAY)
    assert result.ok and not result.warnings, [str(p) for p in result.problems]
    back = _catalogue(result)
    assert len(back.credentials) == len(catalogue.credentials)
    for original in catalogue.credentials:
        again = back.credential(original.id)
        for name in MAPPED:
            assert getattr(again, name) == getattr(original, name), (original.id, name)
    for original in catalogue.competencies:
        again = back.competency(original.id)
        assert (again.label, again.framework, again.uri, again.description) == (
            original.label, original.framework, original.uri, original.description)
    assert back.provider("uniz").model_dump() == catalogue.provider("uniz").model_dump()


def test_real_microcredential_round_trips_through_export(tmp_path):
    first = import_files([reference_file(MC_OB3)], today=dt.date(2026, 6, 1))
    catalogue = _catalogue(first)
    path = tmp_path / "again.json"
    path.write_text(json.dumps(export_achievements(catalogue)))
    second = _catalogue(import_files([path], today=TODAY))
    for original in catalogue.credentials:
        again = second.credential(original.id)
        assert {n: getattr(again, n) for n in MAPPED} == {n: getattr(original, n) for n in MAPPED}


def test_exported_terms_are_defined_by_the_ob3_context():
    """Every key of every typed object in the export is a term of the OB 3.0.3 JSON-LD context."""
    context = json.loads(reference_file(
        "1edtech-digital-credentials-public-validator/inspector-vc/src/main/resources/contexts/"
        "ob-v3p0-3.0.3.json").read_text())["@context"]
    global_terms = {k for k, v in context.items() if not (isinstance(v, dict) and "@context" in v)}

    def check(node, where):
        if isinstance(node, list):
            for i, item in enumerate(node):
                check(item, f"{where}[{i}]")
            return
        if not isinstance(node, dict):
            return
        allowed = set(global_terms) | {"@context"}
        for cls in node.get("type", []):
            assert cls in context, f"{where}: class {cls} is not in the OB3 context"
            allowed |= set(context[cls].get("@context", {}))
        unknown = set(node) - allowed
        assert not unknown, f"{where}: {unknown} not defined by the OB3 context"
        for key, value in node.items():
            if key != "@context":
                check(value, f"{where}.{key}")

    exported = export_achievements(_sample_catalogue())
    assert exported
    check(exported, "$")
