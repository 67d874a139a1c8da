"""Verification of learners' OB3 / CLR credentials on 1EdTech's validator fixtures, offline."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli import main
from planner.verify import ContextLoader, Status, verify_credential, verify_file
from planner.verify.keys import KeyFormatError, b58decode, b58encode, public_key
from planner.verify.proof import signing_input
from planner.verify.status import bit_is_set
from tests.conftest import REFERENCE_DIR
from tests.verify_signing import all_contexts, multikey, sign_proof

VALIDATOR = "1edtech-digital-credentials-public-validator/"
OB30 = VALIDATOR + "inspector-vc/src/test/resources/ob30/"
CLR20 = VALIDATOR + "inspector-clr/src/test/resources/clr20/"
CONTEXTS = VALIDATOR + "inspector-vc/src/main/resources/contexts"
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ED2020 = "https://w3id.org/security/suites/ed25519-2020/v1"

NOT_CONFIRMED = "nothing the planner trusts ties key"
NOT_OB3 = "not an Open Badges 3.0 / CLR 2.0 credential"
# Every fixture of the validator with the outcome its name and the reference README give. Its
# issuers are https:// URLs whose keys only the proof names: the signatures are valid, but
# nothing the planner trusts says those keys are the issuers' ("issuer not confirmed", see
# test_verify_trust.py); each simple-err-* fails for its own reason; an unsigned one cannot
# be verified. With every pinned context at hand, the Ed25519Signature2020 ones are checked too.
EXPECTED = {
    OB30 + "simple.json": (Status.ISSUER_NOT_CONFIRMED,
                           f"{NOT_CONFIRMED} z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi to https://example.com/"
                           "issuers/876543"),
    OB30 + "complete.json": (Status.ISSUER_NOT_CONFIRMED, "to https://1edtech.edu/issuers/565049"),
    OB30 + "endorsement-valid.json": (Status.ISSUER_NOT_CONFIRMED, "to https://state.gov/issuers/565049"),
    OB30 + "simple-err-expired.json": (Status.EXPIRED, "expired on 2010-01-01"),
    OB30 + "simple-err-context.json": (Status.UNVERIFIABLE, "@context must start with"),
    OB30 + "simple-err-issuer.json": (Status.UNVERIFIABLE, "names no issuer"),
    OB30 + "simple-err-type.json": (Status.UNVERIFIABLE, "OtherCredential"),
    OB30 + "simple-err-credential-subject-type.json": (Status.UNVERIFIABLE, "InvalidAchievementSubject"),
    OB30 + "simple-err-credential-subject-result-type.json": (Status.UNVERIFIABLE, "InvalidResult"),
    OB30 + "simple-noproof.json": (Status.UNVERIFIABLE, "no proof"),
    OB30 + "simple_v1.json": (Status.ISSUER_NOT_CONFIRMED, "z6MknNHHrBzPytzu6CUBP9Lg7fg4KSBjzimc2Frh693YbMiv"),
    CLR20 + "simple.json": (Status.ISSUER_NOT_CONFIRMED, "to https://example.edu/issuers/565049"),
    CLR20 + "simple-noproof.json": (Status.UNVERIFIABLE, "no proof"),
    # a did:key verification method for a urn:uuid issuer: a valid signature, the issuer not confirmed
    CLR20 + "complex.json": (Status.ISSUER_NOT_CONFIRMED, "to urn:uuid:4ca4a241-fc3b-4d92-978e-f56fa96ae795"),
}
# the other signed documents of the reference folder: W3C's test vectors (alumni credentials, not
# badges, whose proofs are checked in test_verify_vectors.py) and Credential Engine's CTDL-in-VC
# samples (inline contexts and placeholder proofs)
W3C = "w3c-vc-di-eddsa/TestVectors/"
CTDL_VC = "credentialengine-schema-development/CTDLinLERs_VCs_OpenBadges_CLRs/"
OTHERS = {
    **{W3C + name: (Status.UNVERIFIABLE, f"{NOT_OB3}: type must be VerifiableCredential and one of")
       for name in ("eddsa-rdfc-2022/signedDataInt.json", "Ed25519Signature2020/signedEdSig.json",
                    "eddsa-rdfc-2022/employ/signedDataInt.json", "proof-set-chain/signedProofSet1.json",
                    "proof-set-chain/signedProofSet2.json", "proof-set-chain/signedProofChain1.json",
                    "proof-set-chain/signedProofChain2.json", "proof-set-chain/proofChainTempDoc1.json",
                    "proof-set-chain/proofChainTempDoc2.json")},
    W3C + "eddsa-jcs-2022/signedJCS.json": (Status.UNVERIFIABLE, "DataIntegrityProof / eddsa-jcs-2022 is not "
                                                                 "supported"),
    **{CTDL_VC + name: (Status.UNVERIFIABLE, f"{NOT_OB3}: type must be VerifiableCredential and one of")
       for name in ("s1_1_DegreeInRegistry.json", "s1_2_DegreeInRegistryAndVC.json", "s1_3_LinkToDegreeInRegistry.json",
                    "s_2_1_StandaloneCompetence.json", "s_2_2_CompetenceAndDegree.json",
                    "s_3_1_CoursesFromDifferntOrgs.json", "s_4_1_AssessmentAccreditation.json")},
}


@pytest.fixture
def contexts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every pinned context, copied from the reference copies into a cache of the test's own."""
    folder = all_contexts(tmp_path / "contexts")
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(folder))
    return folder


def _load(relative: str) -> dict:
    path = REFERENCE_DIR / relative
    if not path.is_file():
        pytest.skip(f"reference file not found: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def _context_folder(tmp_path: Path, contexts: Path) -> Path:
    """The full pinned context cache (every context the planner knows)."""
    return contexts


def test_every_validator_fixture_is_listed():
    folder = REFERENCE_DIR / VALIDATOR
    if not folder.is_dir():
        pytest.skip(f"reference folder not found: {folder}")
    found = {str(p.relative_to(REFERENCE_DIR)) for p in folder.rglob("*.json") if "/test/" in str(p)}
    assert found == set(EXPECTED)


def test_every_signed_document_of_the_reference_folder_is_listed():
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference folder not found: {REFERENCE_DIR}")
    signed = set()
    for path in REFERENCE_DIR.rglob("*.json"):
        if "contexts" in path.parts or "schema" in path.parts or "Config" in path.name:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if '"proof"' in text or '"proofValue"' in text:
            signed.add(str(path.relative_to(REFERENCE_DIR)))
    assert signed <= set(EXPECTED) | set(OTHERS), sorted(signed - set(EXPECTED) - set(OTHERS))


@pytest.mark.parametrize("relative", sorted({**EXPECTED, **OTHERS}),
                         ids=lambda r: r.rsplit("/", 2)[-2] + "/" + r.rsplit("/", 1)[-1])
def test_planner_verify_gives_each_fixture_its_status(relative, contexts, capsys):
    status, reason = {**EXPECTED, **OTHERS}[relative]
    path = REFERENCE_DIR / relative
    if not path.is_file():
        pytest.skip(f"reference file not found: {path}")
    code = main(["verify", str(path), "--at", "2026-01-01", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in out] == [status.value]
    assert reason in out[0]["reason"]
    assert code == (0 if status is Status.VERIFIED else 1)


# the keys 1EdTech's fixtures are signed with, as a provider would list them in its catalogue
FIXTURE_TRUST = """\
meta: {name: 1EdTech fixtures}
providers:
  - id: fixtures
    name: 1EdTech fixtures
    country: US
    kind: other
    issuers:
      - id: https://example.com/issuers/876543
        keys: [z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi, z6MkvREVgsHx7Ppae68vCoByy73ZD4aMSJiPML2cryVL8JAx,
               z6MknNHHrBzPytzu6CUBP9Lg7fg4KSBjzimc2Frh693YbMiv]
      - id: https://example.edu/issuers/565049
        keys: [z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi]
      - id: https://1edtech.edu/issuers/565049
        keys: [z6Mknyb2Gb4NxzW3xSr9ChTtdQZ1zs77piQ3r9SaJ9vMzmrs]
      - id: urn:uuid:4ca4a241-fc3b-4d92-978e-f56fa96ae795
        keys: [z6Mks4vZNz8Jwyb85odUeZrissHSY7JeJcXkNTDCcXLhYAZ4]
competencies: []
credentials: []
roles: []
"""


@pytest.fixture
def fixture_trust(tmp_path: Path) -> Path:
    folder = tmp_path / "trust-catalogue"
    folder.mkdir()
    (folder / "trust.yaml").write_text(FIXTURE_TRUST, encoding="utf-8")
    return folder


@pytest.mark.parametrize("relative", [OB30 + "simple.json", OB30 + "complete.json", OB30 + "simple_v1.json",
                                      CLR20 + "simple.json", CLR20 + "complex.json"])
def test_with_the_issuers_keys_in_the_trust_list_the_fixtures_verify(relative, contexts, fixture_trust, capsys):
    path = REFERENCE_DIR / relative
    if not path.is_file():
        pytest.skip(f"reference file not found: {path}")
    code = main(["verify", str(path), "--at", "2026-01-01", "--format", "json", "--catalogue", str(fixture_trust)])
    [out] = json.loads(capsys.readouterr().out)
    assert (out["status"], code) == ("verified", 0), out["reason"]
    assert out["issuer_confirmed_by"].startswith(f"key listed for {out['issuer']} in the catalogue's trust list")
    assert [n["status"] for n in out["nested"]] == ["verified"] * len(out["nested"])


def test_clr_entries_are_verified_each_on_its_own(contexts, fixture_trust):
    from planner.catalogue.loader import load
    from planner.verify.trust import TrustList

    trust = TrustList.from_providers(load(fixture_trust).providers)
    result = verify_credential(_load(CLR20 + "simple.json"), at=AT, trust=trust)
    assert result.verified
    assert [n.status for n in result.nested] == [Status.VERIFIED]
    assert result.nested[0].pointer == "$.credentialSubject.verifiableCredential[0]"
    assert result.nested[0].issuer == "https://example.com/issuers/876543"
    # complex.json: six Ed25519Signature2020 entries signed with a did:key method for a urn:uuid issuer
    complex_ = verify_credential(_load(CLR20 + "complex.json"), at=AT, trust=trust)
    assert complex_.verified and [n.status for n in complex_.nested] == [Status.VERIFIED] * 6


def test_tampered_content_breaks_the_signature(contexts):
    doc = _load(OB30 + "simple.json")
    doc["credentialSubject"]["achievement"]["name"] = "Leadership"
    result = verify_credential(doc, at=AT)
    assert result.status is Status.SIGNATURE_INVALID


def test_key_of_someone_else_than_the_issuer_is_refused(contexts):
    doc = _load(OB30 + "simple.json")
    doc["issuer"]["id"] = "https://example.org/not-the-signer"
    doc["proof"] = [sign_proof(doc)]  # a validly signed credential, but by a key of another party
    result = verify_credential(doc, at=AT)
    assert result.status is Status.ISSUER_NOT_CONFIRMED
    assert f"ties key {multikey()} to https://example.org/not-the-signer" in result.reason


def test_dates_are_judged_at_the_moment_given(contexts):
    doc = _load(OB30 + "endorsement-valid.json")  # valid 2010-01-01 .. 2030-01-01
    from planner.catalogue.models import Provider
    from planner.verify.trust import TrustList

    trust = TrustList.from_providers([Provider(id="s", name="State", country="US", kind="other", issuers=[
        {"id": "https://state.gov/issuers/565049", "keys": ["z6MkoMGF38Ck9xkdqrbZt4h9eHb1qc3GhAAkoSWa4Vy3SHRN"]}])])
    assert verify_credential(doc, at=AT, trust=trust).verified
    late = verify_credential(doc, at=dt.datetime(2031, 1, 1, tzinfo=dt.UTC), trust=trust)
    assert late.status is Status.EXPIRED
    early = verify_credential(doc, at=dt.datetime(2009, 1, 1, tzinfo=dt.UTC), trust=trust)
    assert early.status is Status.NOT_YET_VALID


def test_missing_context_folder_is_unverifiable_never_a_crash(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(tmp_path))
    result = verify_credential(_load(OB30 + "simple.json"), at=AT)
    assert result.status is Status.UNVERIFIABLE
    # which URL, and the one command that fixes it
    assert result.reason.startswith("context https://www.w3.org/ns/credentials/v2 not available offline; run "
                                    "`planner verify --fetch-contexts` once")


def test_loader_never_serves_an_unknown_url(contexts):
    loader = ContextLoader()
    doc = _load(OB30 + "simple.json")
    doc["@context"].append("https://evil.example/context.json")
    result = verify_credential(doc, loader=loader, at=AT)
    assert result.status is Status.UNVERIFIABLE
    assert "https://evil.example/context.json not available offline" in result.reason
    assert loader.missing == ["https://evil.example/context.json"]


def test_member_no_context_defines_is_refused_not_ignored(tmp_path, contexts):
    # VC 1.1 has no @vocab: an undefined member would be dropped from the signed RDF
    doc = _load(OB30 + "simple_v1.json")
    doc["grade"] = "A+"
    result = verify_credential(doc, loader=ContextLoader(_context_folder(tmp_path, contexts)), at=AT)
    assert result.status is Status.UNVERIFIABLE and "'grade' is not defined" in result.reason
    # the key of an undefined member in a CLR entry is refused the same way
    clr = _load(CLR20 + "simple.json")
    clr["credentialSubject"]["verifiableCredential"][0]["grade"] = "A+"
    inner = verify_credential(clr, at=AT).nested[0]
    assert inner.status is Status.UNVERIFIABLE


# --------------------------------------------------------------------------- property


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    else:
        yield path


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str) and value.startswith("z") and len(value) > 40:  # a multibase value
        return value[:-1] + ("2" if value[-1] != "2" else "3")
    return f"{value}x" if value is not None else "x"


@pytest.mark.parametrize("relative", [OB30 + "simple.json", CLR20 + "simple.json"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_changing_any_single_field_breaks_verification(relative, contexts, data):
    doc = _load(relative)
    leaves = sorted(_leaves(doc), key=repr)
    path = data.draw(st.sampled_from(leaves))
    changed = copy.deepcopy(doc)
    node = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = _changed(node[path[-1]])
    result = verify_credential(changed, at=AT)
    assert not result.verified, path


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_JSON = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


def _nodes(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, (*path, i))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_malformed_value_gives_a_status_never_an_exception(contexts, data):
    doc = _load(CLR20 + "simple.json")
    path = data.draw(st.sampled_from(sorted(list(_nodes(doc))[1:], key=repr)))
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = data.draw(_JSON)
    result = verify_credential(doc, at=AT)
    assert isinstance(result.status, Status) and (result.verified or result.reason)


# --------------------------------------------------------------------------- keys, did:key, status lists


def _did_key_credential(private: Ed25519PrivateKey) -> dict:
    doc = _load(OB30 + "simple.json")
    doc["issuer"]["id"] = f"did:key:{multikey(private)}"
    doc.pop("proof")
    doc["proof"] = [sign_proof(doc, private)]
    return doc


def test_base58_round_trip_and_multikey_prefix():
    data = b"\x00\x00" + bytes(range(1, 40))
    assert b58decode(b58encode(data)) == data
    with pytest.raises(KeyFormatError):
        public_key("z" + b58encode(b"\x12\x20" + bytes(32)))  # a sha2-256 multihash, not ed25519-pub
    with pytest.raises(KeyFormatError):
        public_key("f00ed01")  # base16 multibase is not accepted for keys
    key = public_key("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#x")
    assert len(key.public_bytes(Encoding.Raw, PublicFormat.Raw)) == 32


def test_did_key_issuer_verifies_and_another_key_does_not(contexts):
    private = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    doc = _did_key_credential(private)
    assert verify_credential(doc, at=AT).verified
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    forged = copy.deepcopy(doc)
    forged["proof"] = [sign_proof({k: v for k, v in doc.items() if k != "proof"}, other,
                                   method=doc["proof"][0]["verificationMethod"])]
    assert verify_credential(forged, at=AT).status is Status.SIGNATURE_INVALID


def test_embedded_multikey_verification_method(tmp_path, contexts):
    private = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    doc = _load(OB30 + "simple.json")
    doc.pop("proof")
    method = {"id": doc["issuer"]["id"] + "#key-1", "type": "Multikey", "controller": doc["issuer"]["id"],
              "publicKeyMultibase": multikey(private)}
    loader = ContextLoader(_context_folder(tmp_path, contexts))
    doc["@context"].append("https://w3id.org/security/multikey/v1")
    doc["proof"] = [sign_proof(doc, private, method=method, loader=loader)]
    # the embedded key names the issuer as its controller, which binds nothing by itself
    result = verify_credential(doc, loader=ContextLoader(loader.directory), at=AT)
    assert result.status is Status.ISSUER_NOT_CONFIRMED
    from planner.catalogue.models import Provider
    from planner.verify.trust import TrustList

    trust = TrustList.from_providers([Provider(id="p", name="P", country="US", kind="other", issuers=[
        {"id": doc["issuer"]["id"], "keys": [multikey(private)]}])])
    assert verify_credential(doc, loader=ContextLoader(loader.directory), at=AT, trust=trust).verified
    # the Multikey context is needed to read the key's members: without it, not verifiable
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("credentials-v2.jsonld", "ob-v3p0-3.0.3.json"):
        (bare / name).write_bytes((contexts / name).read_bytes())
    result = verify_credential(doc, loader=ContextLoader(bare), at=AT, trust=trust)
    assert result.status is Status.UNVERIFIABLE and "multikey/v1 not available offline" in result.reason


def _gzip_list(revoked: set[int], size: int = 16 * 1024) -> str:
    bits = bytearray(size // 8)
    for i in revoked:
        bits[i // 8] |= 0x80 >> (i % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).decode().rstrip("=")


def test_bit_order_of_the_status_list():
    encoded = _gzip_list({0, 9})
    assert [bit_is_set(encoded, i) for i in (0, 1, 8, 9, 10)] == [True, False, False, True, False]
    with pytest.raises(ValueError):
        bit_is_set(encoded, 16 * 1024)
    with pytest.raises(ValueError):
        bit_is_set("unot-gzip", 0)


def _status_setup(tmp_path: Path, contexts: Path, revoked: set[int], index: int):
    private = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    issuer = f"did:key:{multikey(private)}"
    url = "https://example.com/status/1"
    status_list = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer, "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": url + "#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": _gzip_list(revoked)},
    }
    status_list["proof"] = [sign_proof(status_list, private)]
    list_file = tmp_path / "status.json"
    list_file.write_text(json.dumps(status_list), encoding="utf-8")
    doc = _load(OB30 + "simple.json")
    doc.pop("proof")
    doc["issuer"]["id"] = issuer
    doc["credentialStatus"] = {"id": f"{url}#entry", "type": "BitstringStatusListEntry",
                               "statusPurpose": "revocation", "statusListIndex": str(index),
                               "statusListCredential": url}
    doc["proof"] = [sign_proof(doc, private)]
    cred_file = tmp_path / "badge.json"
    cred_file.write_text(json.dumps(doc), encoding="utf-8")
    return url, list_file, cred_file


def test_revoked_credential_is_revoked_and_others_verify(tmp_path, contexts):
    url, list_file, cred_file = _status_setup(tmp_path, contexts, revoked={5}, index=5)
    loader = ContextLoader(status_lists={url: list_file})
    result = verify_file(cred_file, loader=loader, at=AT).results[0]
    assert result.status is Status.REVOKED and "bit 5" in result.reason
    url, list_file, cred_file = _status_setup(tmp_path, contexts, revoked={4, 6}, index=5)
    assert verify_file(cred_file, loader=ContextLoader(status_lists={url: list_file}), at=AT).results[0].verified
    # without the list at hand the status cannot be known
    assert verify_file(cred_file, at=AT).results[0].status is Status.UNVERIFIABLE
    code = main(["verify", str(cred_file), "--status-list", f"{url}={list_file}", "--at", "2026-01-01"])
    assert code == 0


def test_ed25519_signature_2020_with_its_context_available(tmp_path, contexts):
    folder = _context_folder(tmp_path, contexts)
    private = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    doc = _load(OB30 + "simple_v1.json")
    doc.pop("proof")
    doc["issuer"]["id"] = f"did:key:{multikey(private)}"
    loader = ContextLoader(folder)
    unsigned = dict(doc)
    proof = {"type": "Ed25519Signature2020", "created": "2025-01-01T00:00:00Z",
             "verificationMethod": f"{doc['issuer']['id']}#{multikey(private)}", "proofPurpose": "assertionMethod"}
    proof["proofValue"] = "z" + b58encode(private.sign(signing_input(unsigned, proof, loader)))
    doc["proof"] = proof
    assert verify_credential(doc, loader=loader, at=AT).verified
    doc["name"] = "Changed"
    assert verify_credential(doc, loader=ContextLoader(folder), at=AT).status is Status.SIGNATURE_INVALID


def test_unreadable_files_are_located_errors(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1,\n  oops}', encoding="utf-8")
    assert main(["verify", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err and "invalid JSON" in err
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert main(["verify", str(deep)]) == 1
    assert "Traceback" not in capsys.readouterr().err
