"""Data Integrity proofs: ``eddsa-rdfc-2022`` and the older ``Ed25519Signature2020``; proof sets and chains.

Both suites sign the same thing: SHA-256 of the canonical proof configuration followed by
SHA-256 of the canonical unsecured document, where *canonical* is RDF Dataset
Canonicalization (RDFC-1.0, which is URDNA2015) of the JSON-LD, in N-Quads. The proof
configuration is the proof without ``proofValue``, with the document's ``@context``. The
signature is the base58btc multibase ``proofValue``, checked with Ed25519.

Several proofs form a *set* (each signs the document alone) or a *chain*: a proof whose
``previousProof`` names other proofs' ids signs the document together with those proofs,
as the W3C Data Integrity specification says.

The key a proof is checked with comes from its verification method: a ``did:key``, an
issuer URL whose fragment is a Multikey, an embedded key object, or a method an issuer
document gives. Whether that key may sign for the issuer is another question, answered by
:func:`planner.verify.trust.bind_issuer` alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from pyld import jsonld
from pyld.nquads import parse_nquads

from planner.verify.canon import CanonicalisationLimitError, UndefinedTermError, canonical_nquads
from planner.verify.keys import KeyFormatError, multibase_decode, multikey_of, public_key, public_key_bytes
from planner.verify.loader import ContextLoader, ContextUnavailableError
from planner.verify.trust import TrustList

__all__ = ["MAX_PROOFS", "SUPPORTED", "ProofCheck", "UndefinedTermError", "canonical", "check_proof", "check_proofs",
           "signing_input"]

#: (proof type, cryptosuite) pairs this module verifies
SUPPORTED = {("DataIntegrityProof", "eddsa-rdfc-2022"), ("Ed25519Signature2020", None)}
#: proofs one document may carry
MAX_PROOFS = 8
#: how far in the future a proof's ``created`` may be (clocks differ)
CLOCK_SKEW = dt.timedelta(minutes=5)

DC_CREATED = "http://purl.org/dc/terms/created"
SEC_EXPIRES = "https://w3id.org/security#expiration"
SEC_EXPIRES_V1 = "https://w3id.org/security#expires"


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking one proof.

    ``valid`` is True (signature good), False (signature does not match, or the proof is
    not to be used) or None (could not be checked; ``reason`` says why). ``key`` is the
    raw Ed25519 key the signature was checked with, ``method`` the verification method.
    ``expired`` / ``future`` mark a proof refused for its ``expires`` / ``created`` date.
    """

    valid: bool | None
    reason: str = ""
    key: bytes | None = None
    method: str | None = None
    expired: bool = False
    future: bool = False

    @property
    def multikey(self) -> str | None:
        """The key as a Multikey (``z6Mk…``), for display."""
        return multikey_of(self.key) if self.key else None


def canonical(document: dict[str, Any], loader: ContextLoader) -> str:
    """RDFC-1.0 (URDNA2015) N-Quads of a JSON-LD document (see :func:`planner.verify.canon.canonical_nquads`)."""
    return canonical_nquads(document, loader)


def _config(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = document.get("@context")
    return config


def signing_input(document: dict[str, Any], proof: dict[str, Any], loader: ContextLoader) -> bytes:
    """The bytes an issuer signs: hash(canonical proof config) + hash(canonical document without its proofs)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return (hashlib.sha256(canonical(_config(document, proof), loader).encode()).digest()
            + hashlib.sha256(canonical(unsecured, loader).encode()).digest())


def _method_key(proof: dict[str, Any], trust: TrustList) -> tuple[str, bytes]:
    """(verification method, raw key) the proof names."""
    method = proof.get("verificationMethod")
    if isinstance(method, dict):  # an embedded Multikey / Ed25519VerificationKey2020 / JsonWebKey
        for member in ("publicKeyMultibase", "publicKeyJwk"):
            if isinstance(method.get(member), str | dict):
                return str(method.get("id") or "(embedded)"), public_key_bytes(method[member])
        raise KeyFormatError("the embedded verification method has no publicKeyMultibase or publicKeyJwk")
    if not isinstance(method, str) or not method:
        raise KeyFormatError("the proof names no verificationMethod")
    base, _, fragment = method.partition("#")
    if base.startswith("did:key:"):
        return method, public_key_bytes(base)
    known = trust.method(method)
    if known is not None:
        return method, known.key
    if fragment.startswith("z6Mk"):  # the issuer's URL with its Multikey as the fragment
        return method, public_key_bytes(fragment)
    raise KeyFormatError(f"verification method {method[:200]} cannot be resolved offline (give the issuer's DID "
                         "document or profile with --issuer-document FILE, or ask --resolve-issuers)")


def _moment(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _proof_dates(config_nquads: str, at: dt.datetime, now: dt.datetime) -> ProofCheck | None:
    """A refusal for a proof created in the future or expired, read from its signed configuration."""
    triples = parse_nquads(config_nquads).get("@default", [])
    created = [t["object"]["value"] for t in triples if t["predicate"]["value"] == DC_CREATED]
    expires = [t["object"]["value"] for t in triples if t["predicate"]["value"] in (SEC_EXPIRES, SEC_EXPIRES_V1)]
    for value in created:
        moment = _moment(value)
        if moment is None:
            return ProofCheck(None, f"the proof's created is not a date-time: {value!r}")
        if moment > now + CLOCK_SKEW:
            return ProofCheck(False, f"the proof says it was created on {value}, in the future", future=True)
    for value in expires:
        moment = _moment(value)
        if moment is None:
            return ProofCheck(None, f"the proof's expires is not a date-time: {value!r}")
        if moment < at:
            return ProofCheck(False, f"the proof expired on {value}", expired=True)
    return None


def check_proof(document: dict[str, Any], proof: Any, loader: ContextLoader, trust: TrustList | None = None, *,
                previous: tuple[dict[str, Any], ...] = (), at: dt.datetime | None = None,
                canonical_document: Callable[[tuple[dict[str, Any], ...]], str] | None = None) -> ProofCheck:
    """Check one proof of ``document``.

    Parameters
    ----------
    document : dict
        The secured credential (its ``proof`` member is replaced by ``previous`` before hashing).
    proof : dict
        One proof of the document.
    loader : ContextLoader
        Where contexts come from.
    trust : TrustList, optional
        Issuer documents that give verification methods their keys.
    previous : tuple of dict
        The proofs this one chains to (``previousProof``), signed with the document.
    at : datetime, optional
        The moment ``expires`` is judged at (default: now); ``created`` is judged against now.
    canonical_document : callable, optional
        ``canonical_document(previous)`` -> the canonical N-Quads of the document with those
        proofs (lets a proof set canonicalise the document once).

    Returns
    -------
    ProofCheck
        Valid, invalid, or not checkable with the reason.

    """
    if not isinstance(proof, dict):
        return ProofCheck(None, "a proof must be an object")
    ptype, suite = proof.get("type"), proof.get("cryptosuite")
    kind = (ptype if isinstance(ptype, str) else repr(ptype),
            (suite if isinstance(suite, str) else repr(suite)) if ptype == "DataIntegrityProof" else None)
    if kind not in SUPPORTED:
        named = f" / {kind[1]}" if kind[0] == "DataIntegrityProof" and kind[1] else ""
        return ProofCheck(None, f"proof type {kind[0]}{named} is not supported "
                                "(eddsa-rdfc-2022 and Ed25519Signature2020 are)")
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck(False, f"proofPurpose is {proof.get('proofPurpose')!r}, not 'assertionMethod'")
    try:
        method, raw = _method_key(proof, trust or TrustList())
        key = public_key(raw)
        signature = multibase_decode(str(proof.get("proofValue") or ""))
    except KeyFormatError as exc:
        return ProofCheck(None, str(exc))
    now = dt.datetime.now(dt.UTC)
    try:
        config = canonical_nquads(_config(document, proof), loader)
        refused = _proof_dates(config, at or now, now)
        if refused is not None:
            return ProofCheck(refused.valid, refused.reason, raw, method, refused.expired, refused.future)
        if canonical_document is not None:
            doc_nquads = canonical_document(previous)
        else:
            doc = {k: v for k, v in document.items() if k != "proof"}
            if previous:
                doc["proof"] = list(previous)
            doc_nquads = canonical_nquads(doc, loader)
    except (ContextUnavailableError, UndefinedTermError, CanonicalisationLimitError) as exc:
        return ProofCheck(None, str(exc), raw, method)
    except (jsonld.JsonLdError, TypeError, ValueError, RecursionError) as exc:
        return ProofCheck(None, f"the credential is not valid JSON-LD: {str(exc).splitlines()[0]}", raw, method)
    data = hashlib.sha256(config.encode()).digest() + hashlib.sha256(doc_nquads.encode()).digest()
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return ProofCheck(False, "the signature does not match the content (changed after signing, "
                                 "or signed with another key)", raw, method)
    return ProofCheck(True, "", raw, method)


def _ids(value: Any) -> list[str] | None:
    """``previousProof`` as a list of ids, or None when it is not strings."""
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)] if all(isinstance(v, str) for v in items) else None


def check_proofs(document: dict[str, Any], loader: ContextLoader, trust: TrustList | None = None, *,
                 at: dt.datetime | None = None, cache: dict[tuple[int, ...], str] | None = None
                 ) -> tuple[tuple[dict[str, Any], ProofCheck], ...]:
    """Check every proof of ``document``: a set, a chain (``previousProof``), or one.

    Parameters
    ----------
    document : dict
        The secured credential.
    loader : ContextLoader
        Where contexts come from.
    trust : TrustList, optional
        Issuer documents that give verification methods their keys.
    at : datetime, optional
        The moment proof expiry is judged at.
    cache : dict, optional
        Filled with the canonical N-Quads computed (key ``()``: the document without its
        proofs), so that the caller reads the signed facts without canonicalising again.

    Returns
    -------
    tuple of (dict, ProofCheck)
        Each proof with its check, in document order (empty when there is none). More
        than :data:`MAX_PROOFS` proofs give one check that refuses them all.

    """
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if proofs is not None else []
    if len(proofs) > MAX_PROOFS:
        return (({}, ProofCheck(None, f"the credential carries {len(proofs):,} proofs; the limit is {MAX_PROOFS}")),)
    by_id = {p["id"]: p for p in proofs if isinstance(p, dict) and isinstance(p.get("id"), str)}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    cache = {} if cache is None else cache

    def canonical_document(previous: tuple[dict[str, Any], ...]) -> str:
        key = tuple(id(p) for p in previous)
        if key not in cache:
            doc = dict(unsecured)
            if previous:
                doc["proof"] = list(previous)
            cache[key] = canonical_nquads(doc, loader)
        return cache[key]

    out: list[tuple[dict[str, Any], ProofCheck]] = []
    for proof in proofs:
        previous: tuple[dict[str, Any], ...] = ()
        if isinstance(proof, dict) and "previousProof" in proof:
            ids = _ids(proof["previousProof"])
            missing = [i for i in ids or [] if i not in by_id]
            if ids is None or missing:
                what = f"names {missing[0]!r}, which is not a proof of the credential" if missing else "is not ids"
                out.append((proof, ProofCheck(False, f"the proof's previousProof {what}")))
                continue
            previous = tuple(by_id[i] for i in ids)
        out.append((proof, check_proof(document, proof, loader, trust, previous=previous, at=at,
                                       canonical_document=canonical_document)))
    return tuple(out)
