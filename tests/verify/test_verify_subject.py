"""A badge issued to someone else is said and never counted; holdings read from outside are self-declared.

The learner's identifiers (``--learner-id``, the Plan page's field) are compared with the
subject the signed graph names: its id, or an identifier entry (plain, or hashed as
``sha256$`` + hex SHA-256 of the value followed by the salt, as Open Badges writes it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from planner.cli import main
from planner.verify import ContextLoader, Status, verify_credential
from planner.verify.holdings import holdings_from_files
from planner.verify.review import review_credentials
from planner.verify.subject import learner_ids, subject_standing
from tests.verify_signing import all_contexts, badge, did_key, signed

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HELD = "osa-python-data"


@pytest.fixture(scope="module")
def loader(tmp_path_factory: pytest.TempPathFactory) -> ContextLoader:
    return ContextLoader(all_contexts(tmp_path_factory.mktemp("contexts")))


def _badge(loader: ContextLoader, subject: str = "did:example:learner", identifier: list | None = None) -> dict:
    doc = badge(did_key(), title="Python for Data Analysis", achievement=f"urn:x-planner:credential:{HELD}",
                subject=subject)
    if identifier is not None:
        doc["credentialSubject"]["identifier"] = identifier
    return signed(doc, loader=loader)


def _hashed(email: str, salt: str) -> dict:
    digest = hashlib.sha256((email + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
            "identityHash": f"sha256${digest}", "salt": salt}


def test_the_subject_is_compared_with_the_learners_identifiers(loader):
    mine = verify_credential(_badge(loader), loader=loader, at=AT)
    assert mine.verified
    assert subject_standing(mine, ["did:example:learner"]).ok
    assert subject_standing(mine, []).note == ""  # nothing known, nothing compared
    other = subject_standing(mine, ["did:example:someone-else", "ann@example.org"])
    assert not other.ok and other.note == "issued to someone else (did:example:learner), not to you"
    by_mail = verify_credential(_badge(loader, "mailto:ann@example.org"), loader=loader, at=AT)
    assert subject_standing(by_mail, ["ann@example.org"]).ok
    hashed = verify_credential(_badge(loader, "did:example:learner", [_hashed("ann@example.org", "s4lt")]),
                               loader=loader, at=AT)
    assert subject_standing(hashed, ["ann@example.org"]).ok
    assert not subject_standing(hashed, ["bob@example.org"]).ok
    assert learner_ids([" ann@example.org ", ""]) == ("ann@example.org", "mailto:ann@example.org")


def test_a_badge_of_someone_else_never_counts_not_even_declared(loader, sample_catalogue, tmp_path):
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(_badge(loader)))
    found = holdings_from_files([path], today=AT.date(), loader=loader, count_unverified=True)
    mine = review_credentials(found, sample_catalogue, ["did:example:learner"])
    assert [h.verification for h in mine.holdings()] == ["verified"]
    theirs = review_credentials(found, sample_catalogue, ["did:example:me"])
    [row] = theirs.rows
    assert row.status is Status.VERIFIED and not row.subject_ok and not row.declarable
    assert row.counts_as == "not counted" and row.outcome.startswith("issued to someone else")
    assert theirs.holdings({HELD}) == ()


def test_the_cli_says_it_and_leaves_it_out(loader, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(loader.directory))
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(_badge(loader)))
    base = ["recommend", "--target", "role:data-analyst", "-k", "1", "--start", "2026-01-05", "--have-file", str(path),
            "--format", "json"]
    assert main([*base, "--learner-id", "did:example:learner"]) == 0
    assert json.loads(capsys.readouterr().out)["holdings"][0]["verification"] == "verified"
    assert main([*base, "--learner-id", "did:example:me", "--count-unverified"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["holdings"] == []
    assert f"not counted: {HELD}: issued to someone else (did:example:learner), not to you" in captured.err
    assert main(["verify", str(path), "--contexts", str(loader.directory), "--learner-id", "did:example:me"]) == 1
    assert "subject: issued to someone else" in capsys.readouterr().out


def test_a_profile_that_says_verified_is_read_as_self_declared(tmp_path, capsys):
    profile = tmp_path / "me.yaml"
    profile.write_text(f"holdings:\n  - {{credential: {HELD}, earned: 2025-06-01, verification: verified}}\n")
    assert main(["recommend", "--target", "role:data-analyst", "-k", "1", "--start", "2026-01-05",
                 "--profile", str(profile), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["holdings"] == [
        {"credential": HELD, "earned": "2025-06-01", "verification": "declared"}]
    assert main(["recommend", "--target", "role:data-analyst", "-k", "1", "--start", "2026-01-05",
                 "--profile", str(profile)]) == 0
    assert f"Holdings: {HELD} (self-declared)" in capsys.readouterr().out
