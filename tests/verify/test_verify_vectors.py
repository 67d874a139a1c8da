"""The W3C vc-di-eddsa test vectors, step by step: canonical forms, hashes, proof sets and chains.

Source: ``w3c/vc-di-eddsa`` ``TestVectors/`` at ``abb673eb``, copied in the reference folder
(section 16 of its README). The vectors' credentials use the W3C's example context
``https://www.w3.org/ns/credentials/examples/v2``, which the planner does not know (it is no
badge context); these tests give it through a loader of their own, written from its
published text ``{"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from planner.catalogue.models import Provider
from planner.verify import ContextLoader
from planner.verify.canon import canonical_nquads
from planner.verify.keys import multikey_of
from planner.verify.proof import check_proofs
from planner.verify.trust import TrustList, bind_issuer
from tests.conftest import REFERENCE_DIR
from tests.verify_signing import all_contexts

VECTORS = REFERENCE_DIR / "w3c-vc-di-eddsa" / "TestVectors"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
ISSUER = "https://vc.example/issuers/5678"


class _ExamplesLoader(ContextLoader):
    """The pinned contexts, plus the W3C example context (tests only)."""

    def load(self, url: str) -> Any:
        if url == EXAMPLES:
            return {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}
        return super().load(url)


@pytest.fixture(scope="module")
def loader(tmp_path_factory: pytest.TempPathFactory) -> ContextLoader:
    if not VECTORS.is_dir():
        pytest.skip(f"W3C test vectors not found at {VECTORS}")
    return _ExamplesLoader(all_contexts(tmp_path_factory.mktemp("contexts")))


def _json(relative: str) -> Any:
    path = VECTORS / relative
    if not path.is_file():
        pytest.skip(f"W3C test vector not found: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def _text(relative: str) -> str:
    return (VECTORS / relative).read_text(encoding="utf-8")


def _keys() -> dict[str, str]:
    pairs = _json("proof-set-chain/multiKeyPairs.json")
    return {name: pair["publicKeyMultibase"] for name, pair in pairs.items()}


@pytest.mark.parametrize("suite, folder, stem", [("eddsa-rdfc-2022", "eddsa-rdfc-2022", "DataInt"),
                                                 ("Ed25519Signature2020", "Ed25519Signature2020", "EdSig")])
def test_each_step_matches_the_vector(suite, folder, stem, loader):
    signed = _json(f"{folder}/signed{stem}.json")
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    canon = canonical_nquads(unsigned, loader)
    assert canon == _text(f"{folder}/canonDoc{stem}.txt")
    assert hashlib.sha256(canon.encode()).hexdigest() == _text(f"{folder}/docHash{stem}.txt").strip()
    [(_, check)] = check_proofs(signed, loader)
    assert check.valid is True and multikey_of(check.key) == _json("keyPair.json")["publicKeyMultibase"]


@pytest.mark.parametrize("name, signers", [
    ("signedProofSet1.json", ["keyPair1"]),
    ("signedProofSet2.json", ["keyPair1", "keyPair2"]),
    ("signedProofChain1.json", ["keyPair1", "keyPair2", "keyPair3"]),
    ("signedProofChain2.json", ["keyPair1", "keyPair2", "keyPair3", "keyPair4"]),
])
def test_proof_sets_and_chains_verify(name, signers, loader):
    checks = check_proofs(_json(f"proof-set-chain/{name}"), loader)
    keys = _keys()
    assert [(c.valid, multikey_of(c.key)) for _, c in checks] == [(True, keys[s]) for s in signers]


def test_a_chain_needs_its_previous_proofs(loader):
    chain = _json("proof-set-chain/signedProofChain2.json")
    # the third proof chains to the first two: drop the first, and the chain breaks
    broken = copy.deepcopy(chain)
    del broken["proof"][0]
    outcome = [(c.valid, c.reason) for _, c in check_proofs(broken, loader)]
    assert outcome[1] == (False, "the proof's previousProof names 'urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544', "
                                 "which is not a proof of the credential")
    # an edited earlier proof: its own signature and every proof chained to it fail
    edited = copy.deepcopy(chain)
    edited["proof"][0]["created"] = "2023-02-24T23:36:39Z"
    assert [c.valid for _, c in check_proofs(edited, loader)] == [False, True, False, True]


def test_the_test_key_is_not_the_issuers(loader):
    # the vectors name an https:// issuer and sign with did:key methods: nothing binds the keys to it
    checks = check_proofs(_json("proof-set-chain/signedProofSet2.json"), loader)
    assert not any(bind_issuer(ISSUER, c.key, TrustList()).confirmed for _, c in checks)
    trust = TrustList.from_providers([Provider(id="w3c", name="W3C examples", country="US", kind="other",
                                               issuers=[{"id": ISSUER, "keys": [_keys()["keyPair2"]]}])])
    assert [bind_issuer(ISSUER, c.key, trust).confirmed for _, c in checks] == [False, True]


def test_a_tampered_vector_fails(loader):
    signed = _json("eddsa-rdfc-2022/signedDataInt.json")
    signed["credentialSubject"]["alumniOf"] = "Another School"
    [(_, check)] = check_proofs(signed, loader)
    assert check.valid is False


def test_every_vector_file_is_covered():
    if not VECTORS.is_dir():
        pytest.skip(f"W3C test vectors not found at {VECTORS}")
    signed = sorted(str(p.relative_to(VECTORS)) for p in VECTORS.rglob("signed*.json"))
    assert signed == ["Ed25519Signature2020/signedEdSig.json", "eddsa-jcs-2022/signedJCS.json",
                      "eddsa-rdfc-2022/employ/signedDataInt.json", "eddsa-rdfc-2022/signedDataInt.json",
                      "proof-set-chain/signedProofChain1.json", "proof-set-chain/signedProofChain2.json",
                      "proof-set-chain/signedProofSet1.json", "proof-set-chain/signedProofSet2.json"]
    assert Path(VECTORS / "keyPair.json").is_file()
