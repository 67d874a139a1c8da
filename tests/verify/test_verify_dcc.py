"""Real signed badges of another issuer: the Digital Credentials Consortium's test credentials.

Source: ``digitalcredentials/vc-test-fixtures`` (MIT), read from a local snapshot of the
repository (``/work/.mirror/digitalcredentials+vc-test-fixtures/repo``, or the git directory
``PLANNER_DCC_FIXTURES`` names), never copied into the project; the test is skipped when the
snapshot is absent. 88 Open Badges 3.0 credentials, VC 1.1 and 2.0, signed with
``eddsa-rdfc-2022``, ``Ed25519Signature2020`` or both (a proof set), by ``did:key`` and
``did:web`` issuers; their DID documents (``dids/*/did.json``) and Bitstring Status Lists
(``statusLists/``) are in the same repository. Each file's name says what it is (revoked,
expired, tampered, …): the expected status below is derived from the name, and the few
files whose content differs from their name are listed with the reason.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from planner.catalogue.models import Provider
from planner.verify import ContextLoader, Status, verify_file
from planner.verify.trust import TrustList, read_issuer_documents
from tests.verify_signing import all_contexts

MIRROR = Path(os.environ.get("PLANNER_DCC_FIXTURES") or "/work/.mirror/digitalcredentials+vc-test-fixtures/repo")
PUBLISHED = "https://digitalcredentials.github.io/vc-test-fixtures/"
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# the did:key that signs the repository's own status lists (a separate status service)
LIST_SIGNER = "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"

# files whose content is not what their name says, or that are no badge at all
EXCEPTIONS = {
    "v1/ed25519/didKey/legacy-noStatus-noExpiry.json": ("problem", "the file is empty"),  # 0 bytes upstream
    "v1/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-oldDCCExample.json":
        (Status.UNVERIFIABLE, "not an Open Badges 3.0 / CLR 2.0 credential"),
    "v2/bothSignatureTypes/didkey/legacy-noStatus-noExpiry-nonOBWithOBContext.json":
        (Status.UNVERIFIABLE, "not an Open Badges 3.0 / CLR 2.0 credential"),
    "v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-minimal.json":
        (Status.UNVERIFIABLE, "not an Open Badges 3.0 / CLR 2.0 credential"),
    "v2/dataIntegrityProof/didKey/twoOIDF-revoked-notExpired-badSchema.json":
        (Status.UNVERIFIABLE, "not the plain form of what was signed ($.@context: an inline context"),
    "v2/dataIntegrityProof/didKey/noRegistry-revokedStatus-noExpiry.json": (Status.EXPIRED, "expired on 2010-01-02"),
    "v2/ed25519/didKey/legacy-noStatus-noExpiry-lcwExperience.json": (Status.NOT_YET_VALID, "valid from 2026-01-23"),
    "v2/ed25519/didWeb/badDidWeb.json": (Status.ISSUER_NOT_CONFIRMED, "nothing the planner trusts ties key"),
    # status list tests: credentials of a type that is not a badge
    **{f"v2/ed25519/didKey/legacy-{kind}Status-noExpiry.json": (Status.UNVERIFIABLE, "not an Open Badges 3.0")
       for kind in ("expired", "missingType", "notYetValid", "tampered")},
}


def _expected(name: str, *, documents: bool, list_trusted: bool) -> tuple[object, str]:
    """The status a file's name asks for, given what is trusted."""
    if name in EXCEPTIONS:
        return EXCEPTIONS[name]
    stem = name.rsplit("/", 1)[-1]
    if "tampered" in stem:
        return Status.SIGNATURE_INVALID, "does not match the content"
    if "notYetValid" in stem:
        return Status.NOT_YET_VALID, "valid from"
    if "-expired" in stem:
        return Status.EXPIRED, "expired on"
    if "/didWeb/" in name.replace("didweb", "didWeb") and not documents:
        return Status.ISSUER_NOT_CONFIRMED, "nothing the planner trusts ties key"
    if "revokedStatus" in stem or "revokedStaus" in stem or "validStatus" in stem:
        if name.startswith("v2/"):  # their lists live in another repository (verifier-core)
            return Status.UNVERIFIABLE, "not available offline (give it with --status-list URL=FILE)"
        if not list_trusted:
            return Status.UNVERIFIABLE, "no trust list or issuer document vouches for it"
        return (Status.REVOKED, "revocation bit") if "revoked" in stem else (Status.VERIFIED, "")
    return Status.VERIFIED, ""


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's JSON files, written out of the snapshot into a temporary folder."""
    if not (MIRROR / "HEAD").is_file() and not (MIRROR / ".git").exists():
        pytest.skip(f"snapshot of digitalcredentials/vc-test-fixtures not found at {MIRROR}")
    git = ["git", f"--git-dir={MIRROR}"]
    names = subprocess.run([*git, "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    out = tmp_path_factory.mktemp("dcc")
    for name in names:
        if name.endswith(".json") or name.startswith("statusLists/"):
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(subprocess.run([*git, "show", f"HEAD:{name}"], capture_output=True,
                                              check=True).stdout)
    return out


@pytest.fixture(scope="module")
def contexts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return all_contexts(tmp_path_factory.mktemp("contexts"))


def _credentials(fixtures: Path) -> list[str]:
    return sorted(str(p.relative_to(fixtures / "verifiableCredentials"))
                  for p in (fixtures / "verifiableCredentials").rglob("*.json"))


@pytest.mark.parametrize("documents, list_trusted", [(True, True), (False, True), (True, False)],
                         ids=["documents+list-signer", "no-did-documents", "list-signer-untrusted"])
def test_each_credential_gets_the_status_its_name_says(documents, list_trusted, fixtures, contexts):
    lists = {PUBLISHED + str(p.relative_to(fixtures)): p for p in (fixtures / "statusLists").rglob("*")
             if p.is_file()}
    trust = TrustList()
    if documents:
        trust = trust + read_issuer_documents([str(fixtures / "dids/legacy/did.json"),
                                               str(fixtures / "dids/oidf/did.json")])
    if list_trusted:
        trust = trust + TrustList.from_providers([Provider(id="dcc", name="Digital Credentials Consortium",
                                                           country="US", kind="other", issuers=[LIST_SIGNER])])
    names = _credentials(fixtures)
    assert len(names) >= 80, len(names)
    wrong = []
    for name in names:
        checked = verify_file(fixtures / "verifiableCredentials" / name, loader=ContextLoader(contexts, lists), at=AT,
                              trust=trust)
        status, words = _expected(name, documents=documents, list_trusted=list_trusted)
        if status == "problem":
            got = ("problem", str(checked.problems[0]) if checked.problems else "")
        else:
            [result] = checked.results
            got = (result.status, result.reason)
        if got[0] != status or words not in got[1]:
            wrong.append((name, got, (status, words)))
    assert wrong == []
