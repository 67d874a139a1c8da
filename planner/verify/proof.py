"""Data Integrity proofs: ``eddsa-rdfc-2022`` and the older ``Ed25519Signature2020``.

Both sign the same thing: SHA-256 of the canonical proof configuration followed by
SHA-256 of the canonical unsecured document, where *canonical* is RDF Dataset
Canonicalization (RDFC-1.0, which is URDNA2015) of the JSON-LD, in N-Quads. The proof
configuration is the proof without ``proofValue``, with the document's ``@context``.
The signature is the base58btc multibase ``proofValue``, checked with Ed25519.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from planner.verify.keys import KeyFormatError, multibase_decode, public_key
from planner.verify.loader import ContextLoader, ContextUnavailableError

__all__ = ["SUPPORTED", "ProofCheck", "UndefinedTermError", "canonical", "check_proof", "signing_input"]

#: (proof type, cryptosuite) pairs this module verifies
SUPPORTED = {("DataIntegrityProof", "eddsa-rdfc-2022"), ("Ed25519Signature2020", None)}


class UndefinedTermError(ValueError):
    """Something in the document that RDF would leave out, unsigned."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}, so no signature covers it")


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking one proof.

    ``valid`` is True (signature good), False (signature does not match) or None (could
    not be checked; ``reason`` says why). ``controller`` is who the key belongs to and
    ``key`` the Multikey used.
    """

    valid: bool | None
    reason: str = ""
    controller: str | None = None
    key: str | None = None


def canonical(document: dict[str, Any], loader: ContextLoader) -> str:
    """RDFC-1.0 (URDNA2015) N-Quads of a JSON-LD document, contexts from ``loader`` only.

    Raises
    ------
    ContextUnavailableError
        When a context the document names is not available offline.
    UndefinedTermError
        When a member is not defined by the contexts (JSON-LD would drop it unsigned).
    jsonld.JsonLdError
        When the document is not valid JSON-LD.
    """
    # a resolver of our own: pyld's shared cache would let a context loaded elsewhere stand in
    resolver = ContextResolver({}, loader)
    options = {"documentLoader": loader, "contextResolver": resolver}
    dropped: list[str | None] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    try:
        expanded = processor.expand(document, options)
    except jsonld.JsonLdError:
        if loader.missing:
            url = loader.missing[-1]
            raise ContextUnavailableError(url, loader.refused.get(url)) from None
        raise
    # "safe mode": what RDF would silently leave out is not covered by the signature
    if dropped:
        raise UndefinedTermError(f"member {str(dropped[0])!r} is not defined by the credential's contexts")
    relative = _relative_reference(expanded)
    if relative is not None:
        raise UndefinedTermError(f"{relative!r} is a relative IRI where an identifier or type is expected")
    return processor.normalize(expanded, {**options, "algorithm": "URDNA2015", "format": "application/n-quads"})


_ABSOLUTE_IRI = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*|_):\S*$")


def _relative_reference(node: Any) -> str | None:
    """The first ``@id`` or ``@type`` value in expanded JSON-LD that is not an absolute IRI."""
    if isinstance(node, list):
        for item in node:
            found = _relative_reference(item)
            if found is not None:
                return found
        return None
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        if key == "@value":
            return None  # a literal: its @type is a datatype, already checked by pyld
        if key in ("@id", "@type"):
            for ref in value if isinstance(value, list) else [value]:
                if isinstance(ref, str) and not _ABSOLUTE_IRI.match(ref):
                    return ref
        else:
            found = _relative_reference(value)
            if found is not None:
                return found
    return None


def signing_input(document: dict[str, Any], proof: dict[str, Any], loader: ContextLoader) -> bytes:
    """The bytes an issuer signs: hash(canonical proof config) + hash(canonical document)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = document.get("@context")
    return (hashlib.sha256(canonical(config, loader).encode()).digest()
            + hashlib.sha256(canonical(unsecured, loader).encode()).digest())


def _method(proof: dict[str, Any]) -> tuple[str, str]:
    """(controller, Multikey) named by the proof's verification method."""
    method = proof.get("verificationMethod")
    if isinstance(method, dict):  # an embedded Multikey / Ed25519VerificationKey2020
        key = method.get("publicKeyMultibase")
        controller = method.get("controller") or str(method.get("id") or "").split("#", 1)[0]
        if not isinstance(key, str) or not controller:
            raise KeyFormatError("the embedded verification method has no publicKeyMultibase or controller")
        return str(controller), key
    if not isinstance(method, str) or not method:
        raise KeyFormatError("the proof names no verificationMethod")
    base, _, fragment = method.partition("#")
    if base.startswith("did:key:"):
        return base, base[len("did:key:"):]
    if fragment.startswith("z"):  # the issuer's URL with its Multikey as the fragment
        return base, fragment
    raise KeyFormatError(f"verification method {method} cannot be resolved offline (not a did:key or Multikey)")


def check_proof(document: dict[str, Any], proof: Any, loader: ContextLoader) -> ProofCheck:
    """Check one proof of ``document``.

    Parameters
    ----------
    document : dict
        The secured credential (its ``proof`` member is removed before hashing).
    proof : dict
        One proof of the document.
    loader : ContextLoader
        Where contexts come from.

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
        suite = f" / {kind[1] or proof.get('cryptosuite')}" if proof.get("cryptosuite") else ""
        return ProofCheck(None, f"proof type {kind[0]}{suite} is not supported "
                                "(eddsa-rdfc-2022 and Ed25519Signature2020 are)")
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck(False, f"proofPurpose is {proof.get('proofPurpose')!r}, not 'assertionMethod'")
    try:
        controller, multikey = _method(proof)
        key = public_key(multikey)
        signature = multibase_decode(str(proof.get("proofValue") or ""))
    except KeyFormatError as exc:
        return ProofCheck(None, str(exc))
    try:
        data = signing_input(document, proof, loader)
    except (ContextUnavailableError, UndefinedTermError) as exc:
        return ProofCheck(None, str(exc), controller, multikey)
    except (jsonld.JsonLdError, TypeError, ValueError, RecursionError) as exc:
        return ProofCheck(None, f"the credential is not valid JSON-LD: {str(exc).splitlines()[0]}",
                          controller, multikey)
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return ProofCheck(False, "the signature does not match the content (changed after signing, "
                                 "or signed with another key)", controller, multikey)
    return ProofCheck(True, "", controller, multikey)
