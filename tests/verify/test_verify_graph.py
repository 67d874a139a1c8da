"""Verification judges what was signed: the RDF graph, not JSON members it may not contain.

A university-signed credential that has expired, is not yet valid or is revoked keeps its
signature under rewrites that leave its RDF unchanged (a member under its full IRI, an
inline alias, a value object, a wrapped value). None of them may come back *verified*:
either the facts are read from the signed graph, or the document is refused as not the
plain form of what was signed. The Hypothesis property at the end draws such rewrites at
random, and first checks that each one really keeps the canonical RDF.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from planner.catalogue.models import Provider
from planner.cli import main
from planner.verify import ContextLoader, Status, verify_credential
from planner.verify.canon import canonical_nquads
from planner.verify.trust import TrustList
from tests.verify_signing import (
    all_contexts,
    badge,
    multikey,
    sign_proof,
    signed,
    status_entry,
    status_list,
)

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
UNIVERSITY = "https://university.example/issuer"
CRED = "https://www.w3.org/2018/credentials#"
LIST_URL = "https://university.example/status/1"


@pytest.fixture(scope="module")
def loader_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return all_contexts(tmp_path_factory.mktemp("contexts"))


@pytest.fixture(scope="module")
def trust() -> TrustList:
    return TrustList.from_providers([Provider(id="uni", name="University", country="NL", kind="university",
                                              issuers=[{"id": UNIVERSITY, "keys": [multikey()]}])])


def uni_badge(**members) -> dict:
    return badge(UNIVERSITY, **members)


def sign(doc: dict, loader_dir: Path) -> dict:
    return signed(doc, method=f"{UNIVERSITY}#{multikey()}", loader=ContextLoader(loader_dir))


def check(doc: dict, loader_dir: Path, trust: TrustList, status_lists: dict | None = None):
    return verify_credential(doc, loader=ContextLoader(loader_dir, status_lists), at=AT, trust=trust)


def same_rdf(a: dict, b: dict, loader_dir: Path) -> bool:
    def strip(d: dict) -> dict:
        return {k: v for k, v in d.items() if k != "proof"}

    loader = ContextLoader(loader_dir)
    return canonical_nquads(strip(a), loader) == canonical_nquads(strip(b), loader)


def test_the_genuine_credential_verifies(loader_dir, trust):
    assert check(sign(uni_badge(), loader_dir), loader_dir, trust).verified


# ---------------------------------------------------------------- dates read from the graph


def _expired(loader_dir: Path) -> dict:
    return sign(uni_badge(validUntil="2025-12-01T00:00:00Z"), loader_dir)


def _full_iri(doc: dict, member: str) -> dict:
    out = copy.deepcopy(doc)
    out[CRED + member] = {"@value": out.pop(member), "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
    return out


REWRITES = {
    "validUntil under its full IRI": lambda d: _full_iri(d, "validUntil"),
    "validUntil as a value object": lambda d: {**d, "validUntil": {
        "@value": d["validUntil"], "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}},
    "validUntil under an inline alias": lambda d: {
        **{k: v for k, v in d.items() if k != "validUntil"},
        "@context": [*d["@context"], {"until": {"@id": CRED + "validUntil",
                                                "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}}],
        "until": d["validUntil"]},
    "validUntil wrapped in a list": lambda d: {**d, "validUntil": [d["validUntil"]]},
}


@pytest.mark.parametrize("rewrite", REWRITES)
def test_an_expired_credential_rewritten_without_changing_its_rdf_is_not_verified(rewrite, loader_dir, trust):
    original = _expired(loader_dir)
    assert check(original, loader_dir, trust).status is Status.EXPIRED
    forged = REWRITES[rewrite](original)
    assert "validUntil" not in forged or forged["validUntil"] != original["validUntil"]
    assert same_rdf(original, forged, loader_dir)  # the rewrite keeps what was signed
    result = check(forged, loader_dir, trust)
    assert result.status in (Status.EXPIRED, Status.UNVERIFIABLE), result.describe()
    assert not result.verified


@pytest.mark.parametrize("rewrite", REWRITES)
def test_the_signed_graph_alone_catches_each_rewrite(rewrite, loader_dir, trust, monkeypatch):
    # defence in depth: with the plain-form refusal and the JSON/graph comparison switched off,
    # the dates are still read from what was signed, so the credential is still expired
    import planner.verify.credential as credential

    monkeypatch.setattr(credential, "plain_problem", lambda doc: None)
    monkeypatch.setattr(credential, "graph_mismatch", lambda doc, facts: None)
    forged = REWRITES[rewrite](_expired(loader_dir))
    result = check(forged, loader_dir, trust)
    assert result.status is Status.EXPIRED, result.describe()


def test_dates_are_judged_from_the_signed_graph(loader_dir, trust):
    # a credential stating two validUntil values is expired if either one is past
    doc = sign(uni_badge(validUntil="2030-01-01T00:00:00Z"), loader_dir)
    assert check(doc, loader_dir, trust).verified
    assert check(sign(uni_badge(validFrom="2030-01-01T00:00:00Z"), loader_dir), loader_dir,
                 trust).status is Status.NOT_YET_VALID


# ---------------------------------------------------------------- proof dates


@pytest.mark.parametrize("member, value, status", [
    ("created", "2099-01-01T00:00:00Z", Status.NOT_YET_VALID),
    ("expires", "2001-01-01T00:00:00Z", Status.EXPIRED),
])
def test_a_proof_from_the_future_or_expired_is_refused(member, value, status, loader_dir, trust):
    doc = uni_badge()
    extra = {member: value}
    doc["proof"] = sign_proof(doc, method=f"{UNIVERSITY}#{multikey()}", loader=ContextLoader(loader_dir), **extra)
    result = check(doc, loader_dir, trust)
    assert result.status is status and value in result.reason


# ---------------------------------------------------------------- status lists


def _revocable(loader_dir: Path, index=3) -> dict:
    doc = uni_badge(credentialStatus=status_entry(index, LIST_URL))
    doc["@context"] = [*doc["@context"]]
    return sign(doc, loader_dir)


def _list_file(tmp_path: Path, loader_dir: Path, revoked: set[int], **kwargs) -> Path:
    listed = status_list(UNIVERSITY, revoked, url=LIST_URL, **kwargs)
    path = tmp_path / "list.json"
    path.write_text(json.dumps(sign(listed, loader_dir)))
    return path


def test_a_revoked_credential_is_revoked_and_its_rewrite_too(loader_dir, trust, tmp_path):
    lists = {LIST_URL: _list_file(tmp_path, loader_dir, {3})}
    doc = _revocable(loader_dir)
    assert check(doc, loader_dir, trust, lists).status is Status.REVOKED
    # credentialStatus under its full IRI: the same RDF; refused, never verified
    forged = _step(doc, "full-iri", "credentialStatus")
    assert same_rdf(doc, forged, loader_dir)
    result = check(forged, loader_dir, trust, lists)
    assert not result.verified
    assert check(_revocable(loader_dir, 4), loader_dir, trust, lists).verified


@pytest.mark.parametrize("index", ["4.9", 4.9, True, -1, "-1", " 4", "4e0", "99999999999999"])
def test_a_status_list_index_must_be_a_non_negative_integer(index, loader_dir, trust, tmp_path):
    lists = {LIST_URL: _list_file(tmp_path, loader_dir, {4, 1})}
    result = check(_revocable(loader_dir, index), loader_dir, trust, lists)
    assert result.status is Status.UNVERIFIABLE, result.describe()
    assert "statusListIndex" in result.reason or "outside the list" in result.reason


def test_the_status_list_must_be_a_bitstring_list_signed_by_a_trusted_key(loader_dir, trust, tmp_path):
    doc = _revocable(loader_dir, 4)
    # another type of credential standing in for the list
    other = tmp_path / "other.json"
    fake = status_list(UNIVERSITY, set(), url=LIST_URL, kind="OpenBadgeCredential")
    other.write_text(json.dumps(sign(fake, loader_dir)))
    result = check(doc, loader_dir, trust, {LIST_URL: other})
    assert result.status is Status.UNVERIFIABLE and not result.verified
    # a list signed with a key the trust list does not have (anyone's): unverifiable, never "not revoked"
    from tests.verify_signing import OTHER_KEY

    untrusted = tmp_path / "untrusted.json"
    listed = status_list(UNIVERSITY, set(), url=LIST_URL)
    untrusted.write_text(json.dumps(signed(listed, OTHER_KEY, f"{UNIVERSITY}#{multikey(OTHER_KEY)}",
                                           ContextLoader(loader_dir))))
    result = check(doc, loader_dir, trust, {LIST_URL: untrusted})
    assert result.status is Status.UNVERIFIABLE and "issuer not confirmed" in result.reason


def test_a_status_list_can_never_replace_a_context(loader_dir, tmp_path, capsys):
    fake = tmp_path / "ctx.json"
    fake.write_text('{"@context": {"validUntil": "https://example.org/ignored"}}')
    with pytest.raises(ValueError, match="never stand for a context"):
        ContextLoader(loader_dir, {"https://www.w3.org/ns/credentials/v2": fake})
    cred = tmp_path / "c.json"
    cred.write_text(json.dumps(_expired(loader_dir)))
    assert main(["verify", str(cred), "--contexts", str(loader_dir),
                 "--status-list", f"https://www.w3.org/ns/credentials/v2={fake}"]) == 1
    assert "never stand for a context" in capsys.readouterr().err


def test_status_list_files_are_regular_files_only(loader_dir, trust, tmp_path, capsys):
    doc = _revocable(loader_dir, 4)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for special in (fifo, Path("/dev/zero"), tmp_path):
        result = check(doc, loader_dir, trust, {LIST_URL: special})
        assert result.status is Status.UNVERIFIABLE
        assert any(word in result.reason for word in ("named pipe", "device", "directory")), result.reason
    cred = tmp_path / "c.json"
    cred.write_text(json.dumps(doc))
    issuer = tmp_path / "issuer.json"  # the university's profile with its key, given as a file
    issuer.write_text(json.dumps({"id": UNIVERSITY, "type": "Profile", "verificationMethod": [
        {"id": f"{UNIVERSITY}#key-1", "type": "Multikey", "controller": UNIVERSITY,
         "publicKeyMultibase": multikey()}]}))
    assert main(["verify", str(cred), "--contexts", str(loader_dir), "--at", "2026-01-01",
                 "--issuer-document", str(issuer), "--status-list", f"{LIST_URL}={fifo}"]) == 1
    assert "named pipe" in capsys.readouterr().out


# ---------------------------------------------------------------- the property


IRIS = {"validUntil": CRED + "validUntil", "validFrom": CRED + "validFrom", "issuer": CRED + "issuer",
        "credentialStatus": CRED + "credentialStatus", "name": "https://schema.org/name"}
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


def _step(doc: dict, kind: str, member: str) -> dict:
    """One rewrite of ``member`` meant to keep the RDF (whether it does is checked by the test)."""
    if member not in doc:
        return doc
    out = copy.deepcopy(doc)
    if kind == "reorder":
        return dict(reversed(list(out.items())))
    if kind == "wrap":
        out[member] = [out[member]]
        return out
    value = out.pop(member)
    if kind == "full-iri":
        if member in ("validUntil", "validFrom") and isinstance(value, str):
            value = {"@value": value, "@type": XSD_DATETIME}
        out[IRIS[member]] = value
    elif kind == "alias":
        alias = {"@id": IRIS[member]}
        if member in ("validUntil", "validFrom"):
            alias["@type"] = XSD_DATETIME
        if member in ("issuer", "credentialStatus"):
            alias["@type"] = "@id"
        out["@context"] = [*out["@context"], {"x" + member: alias}]
        out["x" + member] = value
    elif kind == "value-object":
        out[member] = {"@value": value} if isinstance(value, str) else value
    return out


def _rewrites(doc: dict) -> st.SearchStrategy:
    """Random sequences of rewrites of a credential's JSON."""
    steps = st.tuples(st.sampled_from(["full-iri", "alias", "wrap", "value-object", "reorder"]),
                      st.sampled_from(list(IRIS)))

    def run(chosen: list[tuple[str, str]]) -> dict:
        out = doc
        for kind, member in chosen:
            out = _step(out, kind, member)
        return out

    return st.lists(steps, min_size=1, max_size=3).map(run)


def _not_verified_originals(loader_dir: Path, tmp_path: Path) -> list[tuple[str, dict, dict]]:
    lists = {LIST_URL: _list_file(tmp_path, loader_dir, {3})}
    return [
        ("expired", _expired(loader_dir), {}),
        ("not yet valid", sign(uni_badge(validFrom="2030-01-01T00:00:00Z", validUntil="2031-01-01T00:00:00Z"),
                               loader_dir), {}),
        ("revoked", _revocable(loader_dir, 3), lists),
        ("issuer not confirmed", signed(badge("https://other.example/issuer", validUntil="2030-01-01T00:00:00Z"),
                                        loader=ContextLoader(loader_dir)), {}),
    ]


@pytest.fixture(scope="module")
def originals(loader_dir, tmp_path_factory, trust):
    out = _not_verified_originals(loader_dir, tmp_path_factory.mktemp("lists"))
    for name, doc, lists in out:
        assert not check(doc, loader_dir, trust, lists).verified, name
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_rewrites_that_keep_the_rdf_never_turn_not_verified_into_verified(data, originals, loader_dir, trust):
    name, doc, lists = data.draw(st.sampled_from(originals), label="credential")
    forged = data.draw(_rewrites(doc), label="rewrite")
    try:
        keeps = same_rdf(doc, forged, loader_dir)
    except Exception:
        keeps = False
    assume(keeps)
    result = check(forged, loader_dir, trust, lists)
    assert not result.verified, f"{name}: {result.describe()} after {json.dumps(forged)[:400]}"
