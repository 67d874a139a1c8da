"""A verified credential counts as verified only when its issuer is one its catalogue credential's provider lists.

The validator's CLR fixture holds a "Teamwork" badge signed by its issuer
``https://example.com/issuers/876543``; a small catalogue has Teamwork from Team College,
which lists that issuer, another one, or none. The CLI (``recommend --have-file``) and the
Plan page's review must count the same holdings in every case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from planner.catalogue.loader import validate_texts
from planner.catalogue.models import Catalogue, Provider
from planner.cli import main
from planner.verify import ContextLoader, Status
from planner.verify.holdings import holdings_from_files
from planner.verify.issuer import issuer_standing
from planner.verify.review import NO_ISSUER_CHECK, CredentialReview, review_credentials
from tests.verify.test_verify_review import CLR20, CONTEXTS, DAY, TEAM_CATALOGUE, read_files, upload
from tests.verify_signing import did_key, sign_proof

ISSUER = "https://example.com/issuers/876543"  # who signed the fixture's Teamwork badge
OTHER = "did:web:team-college.example"
# how Team College lists its issuers -> whether the fixture's badge counts as verified
CASES = {"lists-it": ([OTHER, ISSUER], True), "lists-another": ([OTHER], False), "lists-none": ([], True)}


def team_yaml(issuers: list[str]) -> bytes:
    """The review tests' catalogue with Team College listing ``issuers``."""
    line = b"    kind: university\n"
    assert line in TEAM_CATALOGUE
    return TEAM_CATALOGUE.replace(line, line + b"    issuers: " + json.dumps(issuers).encode() + b"\n")


def team(issuers: list[str]) -> Catalogue:
    report = validate_texts({"team.yaml": team_yaml(issuers)})
    assert report.catalogue is not None, [str(p) for p in report.errors]
    return report.catalogue


@pytest.fixture(autouse=True)
def contexts(monkeypatch: pytest.MonkeyPatch) -> Path:
    if not CONTEXTS.is_dir():
        pytest.skip(f"reference contexts not found at {CONTEXTS}")
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(CONTEXTS))
    return CONTEXTS


def clr_review(issuers: list[str]) -> CredentialReview:
    """The validator's CLR fixture read as the app reads an upload, reviewed against ``team(issuers)``."""
    found = read_files([upload(CLR20 / "simple.json")], today=DAY, loader=ContextLoader(CONTEXTS))
    return review_credentials(found, team(issuers))


@pytest.fixture(scope="module")
def clr_found():
    if not CONTEXTS.is_dir():
        pytest.skip(f"reference contexts not found at {CONTEXTS}")
    return read_files([upload(CLR20 / "simple.json", "transcript.json")], today=DAY, loader=ContextLoader(CONTEXTS))


def test_standing_names_the_issuer_and_the_provider():
    college = Provider(id="c", name="Team College", country="NL", kind="university", issuers=[OTHER])
    ok = issuer_standing(college, OTHER)
    assert ok.ok and ok.checked
    assert ok.note == "issued by Team College"
    wrong = issuer_standing(college, ISSUER)
    assert not wrong.ok and wrong.note == f"signature valid, but issued by {ISSUER}, not by Team College"
    assert not issuer_standing(college, None).ok
    unlisted = issuer_standing(college.model_copy(update={"issuers": []}), ISSUER)
    assert unlisted.ok and not unlisted.checked
    assert unlisted.note == "issuer not checked: the catalogue names no issuer for Team College"


@pytest.mark.parametrize("issuers", [
    [""], ["no scheme"], ["did:key:z6Mk with space"], [OTHER, OTHER], [f"did:web:x{i}.example" for i in range(21)],
    ["https://example.com/" + "a" * 500], "did:web:one.example",
])
def test_provider_issuers_are_validated(issuers):
    with pytest.raises(ValidationError):
        Provider(id="c", name="C", country="NL", kind="university", issuers=issuers)


def test_a_bad_issuer_list_is_a_located_catalogue_error():
    report = validate_texts({"team.yaml": team_yaml([OTHER, OTHER])})
    assert report.catalogue is None
    assert any("issuers" in str(p) and "listed twice" in str(p) for p in report.errors), [str(p) for p in report.errors]


@pytest.mark.parametrize("case", CASES)
def test_review_counts_a_verified_badge_only_from_a_listed_issuer(case, clr_found):
    issuers, counts = CASES[case]
    review = review_credentials(clr_found, team(issuers))
    [row] = review.rows
    assert row.status is Status.VERIFIED and row.match == "teamwork"  # the signature itself is fine
    assert row.counts_as_verified is counts and row.declarable is not counts
    assert row.issuer == {"lists-it": "issued by Team College",
                          "lists-another": f"signature valid, but issued by {ISSUER}, not by Team College",
                          "lists-none": "issuer not checked: the catalogue names no issuer for Team College"}[case]
    assert row.cells()["issuer"] == row.issuer
    assert [(h.credential, h.verification) for h in review.holdings()] == ([("teamwork", "verified")] if counts else [])
    assert [(h.credential, h.verification) for h in review.holdings({"teamwork"})] == [
        ("teamwork", "verified" if counts else "declared")]


def _unsigned_entry_clr(tmp_path: Path, entry_issuer: str) -> Path:
    """A CLR signed by the learner's own did:key, holding an unsigned Teamwork badge that names ``entry_issuer``."""
    badge = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7a1c1d3e-0000-4000-8000-000000000011",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": {"id": entry_issuer, "type": ["Profile"], "name": "Team College"},
        "validFrom": "2025-06-01T00:00:00Z", "name": "Teamwork",
        "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"], "achievement": {
            "id": "urn:x-planner:credential:teamwork", "type": ["Achievement"], "name": "Teamwork",
            "description": "Works in a team.", "criteria": {"narrative": "Passed."}}},
    }
    clr = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7a1c1d3e-0000-4000-8000-000000000012",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": did_key(), "type": ["Profile"], "name": "Me"},
        "validFrom": "2025-06-02T00:00:00Z", "name": "Transcript",
        "credentialSubject": {"id": "did:example:learner", "type": ["ClrSubject"], "verifiableCredential": [badge]},
    }
    clr["proof"] = [sign_proof(clr)]
    path = tmp_path / "self-made.json"
    path.write_text(json.dumps(clr), encoding="utf-8")
    return path


def test_an_unsigned_clr_entry_is_judged_by_the_issuer_who_signed_the_clr(tmp_path):
    # the entry claims Team College's issuer id, but only the learner's own key signed anything
    found = holdings_from_files([_unsigned_entry_clr(tmp_path, OTHER)], today=DAY)
    [row] = review_credentials(found, team([OTHER])).rows
    assert row.status is Status.VERIFIED and not row.counts_as_verified
    assert row.issuer == f"signature valid, but issued by {did_key()}, not by Team College"
    assert review_credentials(found, team([did_key()])).rows[0].counts_as_verified


def _recommend(capsys, catalogue_dir: Path, *extra: str) -> tuple[dict, str]:
    code = main(["recommend", "--catalogue", str(catalogue_dir), "--target", "role:team-counter", "-k", "1",
                 "--start", DAY.isoformat(), "--have-file", str(CLR20 / "simple.json"), *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return (json.loads(captured.out) if "json" in extra else {"text": captured.out}), captured.err


@pytest.mark.parametrize("declare", [False, True], ids=["verified-only", "count-unverified"])
@pytest.mark.parametrize("case", CASES)
def test_cli_and_review_count_the_same_holdings(case, declare, tmp_path, capsys, clr_found):
    issuers, counts = CASES[case]
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "team.yaml").write_bytes(team_yaml(issuers))
    extra = ("--count-unverified",) if declare else ()
    data, err = _recommend(capsys, folder, "--format", "json", *extra)
    review = review_credentials(clr_found, team(issuers))
    expected = review.holdings({"teamwork"} if declare else ())
    assert data["holdings"] == [h.model_dump(mode="json") for h in expected]
    shown = [h["verification"] for h in data["holdings"]]
    assert shown == (["verified"] if counts else ["declared"] if declare else [])
    assert [(f["catalogue_credential"], f["issuer"], f["counts_as_verified"]) for f in data["credential_files"]] == [
        ("teamwork", review.rows[0].issuer, counts)]
    steps = [s["credential_id"] for s in data["routes"][0]["steps"]]
    assert ("teamwork" in steps) is (not counts and not declare)  # a counted holding is not taught again
    not_counted = f"not counted: teamwork: signature valid, but issued by {ISSUER}, not by Team College"
    assert (not_counted in err) is (not counts and not declare)
    text, _ = _recommend(capsys, folder, *extra)
    assert f"Teamwork ({CLR20 / 'simple.json'}) -> Teamwork: verified; {review.rows[0].issuer}" in text["text"]


def test_a_compiled_catalogue_keeps_the_issuers(tmp_path, capsys):
    from planner.catalogue.models import LearnerProfile, Target
    from planner.store.catalogue import open_catalogue
    from planner.store.catalogue.build import build

    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "team.yaml").write_bytes(team_yaml([OTHER]))
    store = tmp_path / "team.db"
    assert build([folder], f"sqlite:///{store}").ok
    opened = open_catalogue(f"sqlite:///{store}")
    try:
        sub = opened.subcatalogue(LearnerProfile(), Target.parse("role:team-counter"))
    finally:
        opened.close()
    assert sub.provider("team-college").issuer_ids == [OTHER]
    data, err = _recommend(capsys, store, "--format", "json")
    assert data["holdings"] == [] and "not by Team College" in err
    assert data["credential_files"][0]["issuer"] != NO_ISSUER_CHECK
