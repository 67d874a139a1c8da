"""Holdings from credential files count only when verified; routes and handouts say which were."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.verify.holdings import holdings_from_files
from tests.conftest import REFERENCE_DIR
from tests.verify_signing import did_key, sign_proof

CONTEXTS = REFERENCE_DIR / "1edtech-digital-credentials-public-validator/inspector-vc/src/main/resources/contexts"
HELD = "osa-python-data"  # in route 1 to role:data-analyst when not held


@pytest.fixture(autouse=True)
def contexts(monkeypatch: pytest.MonkeyPatch) -> Path:
    if not CONTEXTS.is_dir():
        pytest.skip(f"reference contexts not found at {CONTEXTS}")
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(CONTEXTS))
    return CONTEXTS


def _clr(tmp_path: Path, *, tamper: bool = False) -> Path:
    """A CLR from an issuer with a did:key holding one planner credential, signed as a whole."""
    issuer = {"id": did_key(), "type": ["Profile"], "name": "OpenSkills Academy"}
    badge = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7a1c1d3e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": issuer, "validFrom": "2025-06-01T00:00:00Z", "name": "Python for Data Analysis",
        "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"], "achievement": {
            "id": f"urn:x-planner:credential:{HELD}", "type": ["Achievement"], "name": "Python for Data Analysis",
            "description": "Python for data work.", "criteria": {"narrative": "Passed the course."}}},
    }
    clr = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7a1c1d3e-0000-4000-8000-000000000002",
        "type": ["VerifiableCredential", "ClrCredential"], "issuer": issuer,
        "validFrom": "2025-06-02T00:00:00Z", "name": "Transcript",
        "credentialSubject": {"id": "did:example:learner", "type": ["ClrSubject"], "verifiableCredential": [badge]},
    }
    clr["proof"] = [sign_proof(clr)]
    if tamper:  # the learner edits the transcript after it was signed
        clr["credentialSubject"]["verifiableCredential"][0]["validFrom"] = "2025-05-01T00:00:00Z"
    path = tmp_path / "transcript.json"
    path.write_text(json.dumps(clr, indent=2), encoding="utf-8")
    return path


def _route_ids(out: str) -> list[str]:
    return [s["credential_id"] for s in json.loads(out)["routes"][0]["steps"]]


def _recommend(capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["recommend", "--target", "role:data-analyst", "-k", "1", "--start", "2026-01-05", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_holding_from_a_verified_clr_counts_and_is_shown_verified(tmp_path, capsys):
    clr = _clr(tmp_path)
    found = holdings_from_files([clr], today=dt.date(2026, 1, 5))
    assert [(h.credential, h.verification, h.earned) for h in found.holdings] == [
        (HELD, "verified", dt.date(2025, 6, 1))]
    code, out, _ = _recommend(capsys, "--have-file", str(clr))
    assert code == 0
    assert f"Holdings: {HELD} (verified)" in out
    assert f"[{HELD}]" not in out  # held, so not recommended again
    code, out, _ = _recommend(capsys, "--have-file", str(clr), "--format", "json")
    assert HELD not in _route_ids(out)
    assert json.loads(out)["holdings"] == [{"credential": HELD, "earned": "2025-06-01", "verification": "verified"}]


def test_tampered_clr_does_not_count_unless_declared(tmp_path, capsys):
    clr = _clr(tmp_path, tamper=True)
    _, out, err = _recommend(capsys, "--have-file", str(clr), "--format", "json")
    assert HELD in _route_ids(out)  # not counted: the route still teaches it
    assert f"not counted: {HELD}: signature invalid" in err
    _, out, err = _recommend(capsys, "--have-file", str(clr), "--count-unverified")
    assert f"Holdings: {HELD} (self-declared)" in out and f"[{HELD}]" not in out


def test_handout_shows_which_holdings_were_verified(tmp_path, capsys):
    from planner.catalogue.loader import default_catalogue_dir, load
    from planner.catalogue.models import Holding, LearnerProfile, Target
    from planner.engine.routing import recommend
    from planner.outputs.handout import route_to_markdown

    catalogue = load(default_catalogue_dir())
    found = holdings_from_files([_clr(tmp_path)], today=dt.date(2026, 1, 5))
    profile = LearnerProfile(holdings=[*found.holdings, Holding(credential="osa-sql-basics",
                                                                 earned=dt.date(2025, 1, 1))])
    rec = recommend(catalogue, profile, Target.parse("role:data-analyst"), alternatives=1,
                    today=dt.date(2026, 1, 5), time_limit=10)
    text = route_to_markdown(rec, rec.routes[0], catalogue)
    plain = text.replace("\\", "")
    assert "Holds Python for Data Analysis (earned 01 Jun 2025, verified)." in plain
    assert "Holds SQL for Beginners (earned 01 Jan 2025, self-declared)." in plain


def test_reference_clr_gives_a_verified_holding_only_with_its_issuers_key_trusted():
    from tests.verify.test_verify_review import team_trust

    path = CONTEXTS.parents[4] / "inspector-clr/src/test/resources/clr20/simple.json"
    if not path.is_file():
        pytest.skip(f"reference file not found: {path}")
    found = holdings_from_files([path], today=dt.date(2026, 1, 1), trust=team_trust())
    assert [(h.credential, h.verification) for h in found.holdings] == [("teamwork", "verified")]
    # without the trust list the signature is valid, but nothing says the key is the issuer's
    alone = holdings_from_files([path], today=dt.date(2026, 1, 1))
    assert alone.holdings == () and [c.status.value for _, c in alone.left_out] == [
        "signature valid, issuer not confirmed"]
    complex_ = path.with_name("complex.json")  # needs the Ed25519Signature2020 context: not in this cache
    found = holdings_from_files([complex_], today=dt.date(2026, 1, 1))
    assert found.holdings == () and len(found.left_out) == 6
    assert all("not available offline" in check.reason for _, check in found.left_out)
    counted = holdings_from_files([complex_], today=dt.date(2026, 1, 1), count_unverified=True)
    assert {h.verification for h in counted.holdings} == {"declared"} and len(counted.holdings) == 6
