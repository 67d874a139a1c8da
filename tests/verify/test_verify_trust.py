"""*Verified* means the issuer's key signed it: forgeries with the W3C test key are never verified.

The W3C publishes the private key of its vc-di-eddsa test vectors
(``w3c/vc-di-eddsa`` ``TestVectors/keyPair.json``, copied in the reference folder), so
anyone can sign with it. Credentials claiming an ``https://`` issuer, a ``did:web``, another
``did:key`` and a provider's listed issuer id, all signed with that key, must come back
"signature valid, issuer not confirmed" (or worse) unless the key is in the trust list, or
the credential is a genuine ``did:key`` credential of that very key.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import ValidationError

from planner.catalogue.models import Provider
from planner.cli import main
from planner.verify import ContextLoader, Status, verify_credential
from planner.verify.keys import multikey_of
from planner.verify.resolve import IssuerResolver, document_url
from planner.verify.trust import IssuerDocumentError, TrustList, bind_issuer, keys_of_document
from tests.verify_signing import (
    OTHER_KEY,
    all_contexts,
    badge,
    did_key,
    jwk,
    multikey,
    raw_public,
    sign_proof,
    signed,
    w3c_test_key,
)

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HTTPS = "https://cloudguild.example/issuers/1"
DID_WEB = "did:web:cloudguild.example"
LISTED = "https://badges.team-college.example/issuer"


@pytest.fixture(scope="module")
def loader(tmp_path_factory: pytest.TempPathFactory) -> ContextLoader:
    return ContextLoader(all_contexts(tmp_path_factory.mktemp("contexts")))


@pytest.fixture(scope="module")
def w3c():
    return w3c_test_key()


def provider(issuers: list) -> Provider:
    return Provider(id="team-college", name="Team College", country="NL", kind="university", issuers=issuers)


MULTIKEY = "https://w3id.org/security/multikey/v1"


def forged(issuer: str, key, loader: ContextLoader, method: object = None) -> dict:
    doc = badge(issuer)
    if isinstance(method, dict):  # an embedded key object needs the Multikey context to be signed
        doc["@context"] = [*doc["@context"], MULTIKEY]
    return signed(doc, key, method, loader)


# every way of claiming an issuer with the W3C key: (issuer, verification method)
def _forgeries(w3c) -> dict[str, tuple[str, object]]:
    mk = multikey(w3c)
    return {
        "https issuer, key in the fragment": (HTTPS, f"{HTTPS}#{mk}"),
        "https issuer, did:key method": (HTTPS, f"{did_key(w3c)}#{mk}"),
        "did:web issuer, key in the fragment": (DID_WEB, f"{DID_WEB}#{mk}"),
        "did:web issuer, embedded key naming it": (DID_WEB, {"id": f"{DID_WEB}#key-1", "type": "Multikey",
                                                             "controller": DID_WEB, "publicKeyMultibase": mk}),
        "another did:key as issuer": (did_key(OTHER_KEY), f"{did_key(w3c)}#{mk}"),
        "urn:uuid issuer": ("urn:uuid:4ca4a241-fc3b-4d92-978e-f56fa96ae795", f"{did_key(w3c)}#{mk}"),
        "the provider's listed issuer": (LISTED, f"{LISTED}#{mk}"),
        "the provider's listed issuer, embedded key": (LISTED, {"id": f"{LISTED}#k", "type": "Multikey",
                                                                "controller": LISTED, "publicKeyMultibase": mk}),
    }


FORGERIES = ["https issuer, key in the fragment", "https issuer, did:key method", "did:web issuer, key in the fragment",
             "did:web issuer, embedded key naming it", "another did:key as issuer", "urn:uuid issuer",
             "the provider's listed issuer", "the provider's listed issuer, embedded key"]


@pytest.mark.parametrize("case", FORGERIES)
def test_a_forgery_with_the_w3c_key_is_never_verified(case, loader, w3c):
    issuer, method = _forgeries(w3c)[case]
    doc = forged(issuer, w3c, loader, method)
    # the trust list names the listed issuer with the provider's own key, not the W3C one
    trust = TrustList.from_providers([provider([{"id": LISTED, "keys": [multikey()]}, DID_WEB])])
    result = verify_credential(doc, loader=loader, at=AT, trust=trust)
    assert result.status is Status.ISSUER_NOT_CONFIRMED, result.describe()
    assert not result.verified
    assert f"key {multikey(w3c)}" in result.reason and issuer in result.reason
    assert result.confirmed_by == ""


@pytest.mark.parametrize("case", FORGERIES)
def test_the_same_credential_verifies_once_its_key_is_in_the_trust_list(case, loader, w3c):
    issuer, method = _forgeries(w3c)[case]
    doc = forged(issuer, w3c, loader, method)
    trust = TrustList.from_providers([provider([{"id": issuer, "keys": [jwk(w3c)]}])])
    result = verify_credential(doc, loader=loader, at=AT, trust=trust)
    assert result.status is Status.VERIFIED, result.describe()
    assert result.confirmed_by == f"key listed for {issuer} in the catalogue's trust list (Team College)"
    assert result.key == multikey(w3c)


def test_a_genuine_did_key_credential_verifies_without_any_list(loader, w3c):
    doc = forged(did_key(w3c), w3c, loader)
    result = verify_credential(doc, loader=loader, at=AT)
    assert result.verified and result.confirmed_by == "a did:key issuer signed with its own key"
    # the same did:key issuer with an embedded key object of another key: not confirmed
    embedded = {"id": f"{did_key(w3c)}#x", "type": "Multikey", "controller": did_key(w3c),
                "publicKeyMultibase": multikey(OTHER_KEY)}
    other = forged(did_key(w3c), OTHER_KEY, loader, embedded)
    assert verify_credential(other, loader=loader, at=AT).status is Status.ISSUER_NOT_CONFIRMED


def test_a_did_key_method_for_a_urn_issuer_is_a_valid_signature_not_an_invalid_one(loader):
    # as 1EdTech's CLR fixture signs: issuer urn:uuid, verification method a did:key
    doc = forged("urn:uuid:4ca4a241-fc3b-4d92-978e-f56fa96ae795", OTHER_KEY, loader)
    result = verify_credential(doc, loader=loader, at=AT)
    assert result.status is Status.ISSUER_NOT_CONFIRMED
    trusted = TrustList.from_providers([provider([{"id": "urn:uuid:4ca4a241-fc3b-4d92-978e-f56fa96ae795",
                                                   "keys": [multikey(OTHER_KEY)]}])])
    assert verify_credential(doc, loader=loader, at=AT, trust=trusted).verified


def test_a_tampered_credential_stays_invalid_whatever_the_trust(loader):
    doc = signed(badge(did_key()), loader=loader)
    doc["credentialSubject"]["achievement"]["name"] = "Something else"
    result = verify_credential(doc, loader=loader, at=AT, trust=TrustList.from_providers([provider([did_key()])]))
    assert result.status is Status.SIGNATURE_INVALID


def test_the_binding_rule_itself():
    trust = TrustList.from_providers([provider([{"id": LISTED, "keys": [multikey()]}])])
    assert bind_issuer(LISTED, raw_public(), trust).confirmed
    assert not bind_issuer(LISTED, raw_public(OTHER_KEY), trust).confirmed
    assert "its listed keys are others" in bind_issuer(LISTED, raw_public(OTHER_KEY), trust).how
    assert not bind_issuer(HTTPS, raw_public(), trust).confirmed  # a key trusted for another issuer
    assert bind_issuer(did_key(), raw_public(), TrustList()).confirmed
    assert not bind_issuer(did_key(), raw_public(OTHER_KEY), TrustList()).confirmed
    assert not bind_issuer(None, raw_public(), trust).confirmed


# ---------------------------------------------------------------- the trust list in the catalogue


@pytest.mark.parametrize("issuers, message", [
    ([{"id": LISTED, "keys": ["z6MkNOTAKEY"]}], "not base58"),
    ([{"id": LISTED, "keys": ["zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"]}], "not an Ed25519 Multikey"),
    ([{"id": LISTED, "keys": [{"kty": "EC", "crv": "P-256", "x": "A" * 43}]}], "kty"),
    ([{"id": LISTED, "keys": [{**{"kty": "OKP", "crv": "Ed25519", "x": "A" * 43}, "d": "B" * 43}]}], "d"),
    ([{"id": LISTED, "keys": ["z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"] * 2}], "listed twice"),
    ([{"id": LISTED, "keys": ["z6Mk"] }], "Multikey"),
    (["did:key:z6MkBROKEN"], "not base58"),
    ([{"id": LISTED, "keys": [], "extra": 1}], "extra"),
])
def test_provider_keys_are_validated(issuers, message):
    with pytest.raises(ValidationError, match=message):
        provider(issuers)


def test_a_provider_lists_ids_keys_and_jwks_and_the_store_keeps_them(tmp_path):
    from planner.catalogue.loader import validate_texts
    from planner.store.catalogue import open_catalogue
    from planner.store.catalogue.build import build

    yaml = f"""\
meta: {{name: Trust}}
providers:
  - id: team-college
    name: Team College
    country: NL
    kind: university
    issuers:
      - {did_key(OTHER_KEY)}
      - id: {LISTED}
        keys:
          - {multikey()}
          - {{kty: OKP, crv: Ed25519, x: {jwk(OTHER_KEY)['x']}, kid: key-2}}
  - id: plain
    name: Plain
    country: NL
    kind: university
competencies: []
credentials: []
roles: []
""".encode()
    report = validate_texts({"trust.yaml": yaml})
    assert report.catalogue is not None, [str(p) for p in report.errors]
    trust = TrustList.from_providers(report.catalogue.providers)
    assert {(k.issuer, multikey_of(k.key)) for k in trust.keys} == {
        (did_key(OTHER_KEY), multikey(OTHER_KEY)), (LISTED, multikey()), (LISTED, multikey(OTHER_KEY))}
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "trust.yaml").write_bytes(yaml)
    assert build([folder], f"sqlite:///{tmp_path / 'c.db'}").ok
    store = open_catalogue(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        kept = store.providers_with_issuers()
    finally:
        store.close()
    assert [p.id for p in kept] == ["team-college"]
    assert TrustList.from_providers(kept) == trust


# ---------------------------------------------------------------- issuer documents, given or resolved


def did_document(did: str, key, *, assertion: bool = True) -> dict:
    method = {"id": f"{did}#key-1", "type": "Multikey", "controller": did, "publicKeyMultibase": multikey(key)}
    doc = {"@context": ["https://www.w3.org/ns/did/v1"], "id": did, "verificationMethod": [method]}
    if assertion:
        doc["assertionMethod"] = ["#key-1"]
    return doc


def test_an_issuer_document_file_confirms_its_keys(loader, tmp_path, capsys):
    doc = forged(DID_WEB, OTHER_KEY, loader, f"{DID_WEB}#key-1")
    cred = tmp_path / "badge.json"
    cred.write_text(json.dumps(doc))
    # the method id alone cannot be resolved offline: unverifiable, with what to do
    assert main(["verify", str(cred), "--at", "2026-01-01", "--contexts", str(loader.directory)]) == 1
    assert "--issuer-document FILE" in capsys.readouterr().out
    document = tmp_path / "did.json"
    document.write_text(json.dumps(did_document(DID_WEB, OTHER_KEY)))
    assert main(["verify", str(cred), "--at", "2026-01-01", "--contexts", str(loader.directory),
                 "--issuer-document", str(document), "--format", "json"]) == 0
    [out] = json.loads(capsys.readouterr().out)
    assert out["status"] == "verified" and out["issuer_confirmed_by"] == f"key listed for {DID_WEB} in issuer " \
                                                                          f"document {document}"
    # a document for another DID, or listing the key not for assertions, confirms nothing
    document.write_text(json.dumps(did_document("did:web:elsewhere.example", OTHER_KEY)))
    assert main(["verify", str(cred), "--at", "2026-01-01", "--contexts", str(loader.directory),
                 "--issuer-document", str(document)]) == 1
    capsys.readouterr()
    with pytest.raises(IssuerDocumentError, match="no verification method for assertions"):
        keys_of_document({**did_document(DID_WEB, OTHER_KEY), "assertionMethod": []}, "x")


def test_an_issuer_document_that_cannot_be_read_is_a_located_error(tmp_path, capsys):
    bad = tmp_path / "did.json"
    bad.write_text("{")
    cred = tmp_path / "c.json"
    cred.write_text("{}")
    assert main(["verify", str(cred), "--issuer-document", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err
    fifo = tmp_path / "fifo"
    import os

    os.mkfifo(fifo)
    assert main(["verify", str(cred), "--issuer-document", str(fifo)]) == 1
    assert "named pipe" in capsys.readouterr().err


class _Server:
    """A local HTTP server standing in for issuers' HTTPS sites (the opener maps https://HOST/PATH to it)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                body = outer.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.end_headers()
                if body is not None:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def opener(self, url: str, timeout: float):
        import urllib.parse
        import urllib.request

        parts = urllib.parse.urlsplit(url)
        assert parts.scheme == "https", url  # the resolver asks for HTTPS only
        return urllib.request.urlopen(f"{self.base}/{parts.netloc}{parts.path}", timeout=timeout)


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def test_document_urls():
    assert document_url("did:web:cloudguild.example") == "https://cloudguild.example/.well-known/did.json"
    assert document_url("did:web:cloudguild.example:issuers:1") == "https://cloudguild.example/issuers/1/did.json"
    assert document_url("did:web:localhost%3A8443") == "https://localhost:8443/.well-known/did.json"
    assert document_url(HTTPS) == HTTPS
    assert document_url("http://cloudguild.example/issuer") is None  # HTTPS only
    assert document_url("urn:uuid:1") is None and document_url("did:key:z6Mk") is None


def test_resolve_issuers_fetches_the_issuers_own_document(loader, server, tmp_path):
    doc = forged(DID_WEB, OTHER_KEY, loader, f"{DID_WEB}#key-1")
    server.files["/cloudguild.example/.well-known/did.json"] = json.dumps(did_document(DID_WEB, OTHER_KEY)).encode()
    resolver = IssuerResolver(server.opener, cache_dir=tmp_path / "cache")
    result = verify_credential(doc, loader=loader, at=AT, resolver=resolver)
    assert result.verified, result.describe()
    assert "key published by did:web:cloudguild.example" in result.confirmed_by or "issuer document" in \
        result.confirmed_by
    assert server.requests == ["/cloudguild.example/.well-known/did.json"]
    # the answer is cached: a new resolver reads the cache folder, not the server
    again = IssuerResolver(server.opener, cache_dir=tmp_path / "cache")
    assert verify_credential(doc, loader=loader, at=AT, resolver=again).verified
    assert server.requests == ["/cloudguild.example/.well-known/did.json"]


def test_resolve_refuses_documents_that_are_not_the_issuers(loader, server, tmp_path):
    # a forger's site serving a document that names the victim's DID as controller of the forger's key
    doc = forged(HTTPS, OTHER_KEY, loader, f"{HTTPS}#{multikey(OTHER_KEY)}")
    server.files["/cloudguild.example/issuers/1"] = json.dumps(did_document("https://forger.example/me",
                                                                            OTHER_KEY)).encode()
    resolver = IssuerResolver(server.opener, cache_dir=False)
    result = verify_credential(doc, loader=loader, at=AT, resolver=resolver)
    assert result.status is Status.ISSUER_NOT_CONFIRMED
    assert "is not" in resolver.failures[HTTPS]
    # too large, and not found: said, never verified
    server.files["/cloudguild.example/issuers/1"] = b" " * 300_000
    big = IssuerResolver(server.opener, cache_dir=False)
    assert verify_credential(doc, loader=loader, at=AT, resolver=big).status is Status.ISSUER_NOT_CONFIRMED
    assert "larger than" in big.failures[HTTPS]
    del server.files["/cloudguild.example/issuers/1"]
    gone = IssuerResolver(server.opener, cache_dir=False)
    assert verify_credential(doc, loader=loader, at=AT, resolver=gone).status is Status.ISSUER_NOT_CONFIRMED
    assert "404" in gone.failures[HTTPS]


def test_the_default_opener_is_https_only(tmp_path):
    resolver = IssuerResolver(cache_dir=False)
    assert resolver("http://127.0.0.1:9/issuer").keys == ()
    assert "no HTTPS document" in resolver.failures["http://127.0.0.1:9/issuer"]


def test_a_key_the_proof_names_for_another_issuer_in_the_same_document_binds_nothing(loader):
    doc = forged(HTTPS, OTHER_KEY, loader, f"{HTTPS}#{multikey(OTHER_KEY)}")
    trust = TrustList.from_providers([provider([{"id": LISTED, "keys": [multikey(OTHER_KEY)]}])])
    assert verify_credential(doc, loader=loader, at=AT, trust=trust).status is Status.ISSUER_NOT_CONFIRMED


@pytest.mark.parametrize("change, named", [
    ({"cryptosuite": "ecdsa-sd-2023"}, "DataIntegrityProof / ecdsa-sd-2023 is not supported"),
    ({"cryptosuite": "eddsa-jcs-2022"}, "DataIntegrityProof / eddsa-jcs-2022 is not supported"),
    # as the JFF Plugfest 1 badges were signed (w3c-ccg/vc-ed plugfest-1-2022)
    ({"type": "Ed25519Signature2018", "jws": "eyJhbGciOiJFZERTQSJ9..x"}, "Ed25519Signature2018 is not supported"),
])
def test_a_proof_of_an_unsupported_suite_is_said_by_name(change, named, loader):
    doc = badge(did_key())
    doc["proof"] = {**sign_proof(doc, loader=loader), **change}
    result = verify_credential(doc, loader=loader, at=AT)
    assert result.status is Status.UNVERIFIABLE and named in result.reason


def test_the_readmes_trust_list_example_is_a_valid_catalogue():
    import re

    from tests.test_readme import README

    text = README.read_text(encoding="utf-8")
    section = text[text.index("**How a provider publishes its keys.**"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    from planner.catalogue.yamlsafe import parse_yaml

    parsed, problems = parse_yaml(block, "README.md")
    assert parsed is not None and not problems
    providers = [Provider.model_validate(p) for p in parsed.data["providers"]]
    trust = TrustList.from_providers(providers)
    assert len(trust.keys) == 3 and trust.issuers == ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                                                      "https://badges.cloudguild.example/issuer")
