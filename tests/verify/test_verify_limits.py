"""Bounded verification: what could run for minutes is refused with a clear reason, in the CLI and the page.

Attacks measured before the limits (see ``benchmarks/bench_verify.py``): a credential whose
blank nodes form a clique (canonicalisation grows like n!: 7 nodes took 27 s here), 3,000
proofs (43 s), a CLR of 3,500 badges (46 s). Each is now refused quickly; no timing is asserted
here, only that the refusal comes before the expensive work (a work counter, not a clock).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

import planner.verify.canon as canon
from planner.catalogue.inputs import NamedBytes
from planner.verify import ContextLoader, Status, verify_credential
from planner.verify.canon import MAX_CANON_WORK, CanonicalisationLimitError, canonical_nquads
from planner.verify.credential import MAX_NESTED_CREDENTIALS
from planner.verify.holdings import holdings_from_files
from planner.verify.proof import MAX_PROOFS
from tests.verify_signing import all_contexts, badge, did_key, multikey, sign_proof, signed

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def loader_dir(tmp_path_factory: pytest.TempPathFactory):
    return all_contexts(tmp_path_factory.mktemp("contexts"))


def clique(n: int) -> dict:
    """A badge whose subject's sources are n blank nodes, each linked to every other: a "poison graph"."""
    doc = badge(did_key())
    doc["credentialSubject"]["source"] = [
        {"id": f"_:b{i}", "type": "Profile", "parentOrg": [{"id": f"_:b{j}"} for j in range(n) if j != i]}
        for i in range(n)]
    doc["proof"] = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-01-01T00:00:00Z",
                    "verificationMethod": f"{did_key()}#{multikey()}", "proofPurpose": "assertionMethod",
                    "proofValue": "z" + "1" * 60}
    return doc


def test_a_blank_node_clique_is_refused_before_the_factorial_work(loader_dir, monkeypatch):
    spent: list[int] = []
    original = canon._BoundedURDNA2015._spend

    def counting(self, amount):
        spent.append(amount)
        original(self, amount)

    monkeypatch.setattr(canon._BoundedURDNA2015, "_spend", counting)
    result = verify_credential(clique(9), loader=ContextLoader(loader_dir), at=AT)
    assert result.status is Status.UNVERIFIABLE
    assert "orderings of blank nodes that cannot be told apart" in result.reason
    # stopped as soon as the budget was passed: 8! orderings were never walked
    assert sum(spent[:-1]) <= MAX_CANON_WORK < sum(spent)
    # a small clique is within bounds: it canonicalises (and its placeholder signature fails)
    assert verify_credential(clique(4), loader=ContextLoader(loader_dir), at=AT).status is Status.SIGNATURE_INVALID


def test_the_budget_is_what_stops_it(loader_dir):
    doc = {k: v for k, v in clique(6).items() if k != "proof"}
    with pytest.raises(CanonicalisationLimitError):
        canonical_nquads(doc, ContextLoader(loader_dir))
    assert canonical_nquads(doc, ContextLoader(loader_dir), budget=10**6)  # the same graph, given the budget


def test_too_many_proofs_are_refused_before_any_is_checked(loader_dir, monkeypatch):
    loader = ContextLoader(loader_dir)
    doc = badge(did_key())
    proof = sign_proof(doc, loader=loader)
    import planner.verify.proof as proof_module

    calls: list[object] = []
    monkeypatch.setattr(proof_module, "check_proof", lambda *a, **k: calls.append(a))
    doc["proof"] = [proof] * 3000
    result = verify_credential(doc, loader=loader, at=AT)
    assert result.status is Status.UNVERIFIABLE and f"3,000 proofs; the limit is {MAX_PROOFS}" in result.reason
    assert calls == []


def test_a_clr_with_too_many_credentials_is_refused_before_canonicalisation(loader_dir, monkeypatch):
    loader = ContextLoader(loader_dir)
    entry = signed(badge(did_key()), loader=loader)
    clr = {"@context": ["https://www.w3.org/ns/credentials/v2",
                        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
           "id": "urn:uuid:7a1c1d3e-0000-4000-8000-00000000c1a0", "type": ["VerifiableCredential", "ClrCredential"],
           "issuer": {"id": did_key(), "type": ["Profile"], "name": "Me"}, "validFrom": "2025-06-02T00:00:00Z",
           "name": "Transcript", "credentialSubject": {"id": "did:example:learner", "type": ["ClrSubject"],
                                                       "verifiableCredential": [entry] * 3500},
           "proof": sign_proof(badge(did_key()), loader=loader)}
    calls: list[object] = []
    monkeypatch.setattr(canon, "_BoundedURDNA2015", lambda *a: calls.append(a))
    result = verify_credential(clr, loader=loader, at=AT)
    assert result.status is Status.UNVERIFIABLE
    assert result.reason == f"the CLR holds 3,500 credentials; the limit is {MAX_NESTED_CREDENTIALS}"
    assert calls == []


def test_the_plan_pages_uploader_uses_the_same_limits(loader_dir, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.verify.test_verify_review import TEAM_CATALOGUE

    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(loader_dir))
    script = ("import streamlit as st\nfrom planner.ui.plan_page import page\n"
              "from planner.ui.state import remember_upload\n"
              "if 'catalogue_digest' not in st.session_state:\n"
              f"    remember_upload({{'team.yaml': {TEAM_CATALOGUE!r}}}, 'test: team')\npage()\n")
    at = AppTest.from_string(script, default_timeout=60)
    at.query_params["target"] = "role:team-counter"
    at.run()
    [uploader] = [u for u in at.get("file_uploader") if u.label.startswith("Add credentials you hold")]
    uploader.set_value([("poison.json", json.dumps(clique(9)).encode(), "application/json")]).run()
    assert not at.exception, [e.value for e in at.exception]
    cells = at.table[0].value.to_dict("records")
    assert len(cells) == 1 and cells[0]["status"] == "unverifiable"
    assert "orderings of blank nodes" in str(cells[0]["reason"]).replace("\\", "")
    # the same reader the page uses, directly: the same refusal
    found = holdings_from_files([NamedBytes("poison.json", json.dumps(clique(9)).encode())], today=AT.date(),
                                loader=ContextLoader(loader_dir))
    assert "orderings of blank nodes" in found.found[0].verification.reason
