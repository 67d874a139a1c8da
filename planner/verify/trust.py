"""Who may sign for an issuer: the trust list, issuer documents, and the one binding rule.

A valid signature proves only that the holder of *some* key signed the content. It says the
issuer signed it only when that key is bound to the issuer by something the planner trusts:

1. a ``did:key`` issuer whose own key signed it (the DID is the key);
2. the catalogue's trust list: a provider lists the issuer id with its public keys
   (:class:`planner.catalogue.models.TrustedIssuer`);
3. an issuer document the user gives as a file (``--issuer-document FILE``): a DID
   document, an Open Badges issuer profile or a Multikey document naming its controller;
4. only when asked (``--resolve-issuers``), the same documents fetched over HTTPS
   (:mod:`planner.verify.resolve`).

:func:`bind_issuer` is that rule, the only one: the CLI, the Plan page and status lists
all go through it. A verification method's own claims (an embedded key object that names
the issuer as its ``controller``, a URL under the issuer's domain) bind nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.catalogue.keyformat import KeyFormatError, key_bytes, multikey_of
from planner.catalogue.models import Provider

__all__ = ["MAX_DOCUMENT_KEYS", "MAX_ISSUER_DOCUMENT_BYTES", "Binding", "IssuerDocumentError", "Resolver",
           "TrustList", "TrustedKey", "bind_issuer", "keys_of_document", "read_issuer_documents"]

#: verification methods read from one issuer document
MAX_DOCUMENT_KEYS = 50
#: largest issuer document read (bytes)
MAX_ISSUER_DOCUMENT_BYTES = 200_000

#: ``resolver(issuer_id)`` -> the trust an issuer's published document gives (empty when none)
Resolver = Callable[[str], "TrustList"]


class IssuerDocumentError(ValueError):
    """An issuer document that gives no usable key."""


@dataclass(frozen=True)
class TrustedKey:
    """One key the planner trusts to sign for one issuer.

    Attributes
    ----------
    issuer : str
        The issuer id.
    key : bytes
        The raw 32-byte Ed25519 public key.
    source : str
        Where the trust comes from, in words (shown as how the issuer was confirmed).
    method : str or None
        The verification method id the document gives the key, when it names one.

    """

    issuer: str
    key: bytes
    source: str
    method: str | None = None


@dataclass(frozen=True)
class TrustList:
    """The keys trusted to sign for issuers, from the catalogue and from issuer documents."""

    keys: tuple[TrustedKey, ...] = ()
    _by_issuer: Mapping[str, tuple[TrustedKey, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[TrustedKey]] = {}
        for item in self.keys:
            index.setdefault(item.issuer, []).append(item)
        object.__setattr__(self, "_by_issuer", {k: tuple(v) for k, v in index.items()})

    @classmethod
    def from_providers(cls, providers: Iterable[Provider]) -> TrustList:
        """The catalogue's trust list: every key each provider lists for its issuers.

        Parameters
        ----------
        providers : iterable of Provider
            The catalogue's providers (only their ``issuers`` are read).
        """
        out = []
        for provider in providers:
            for issuer in provider.issuers:
                for raw in sorted(issuer.key_bytes()):
                    out.append(TrustedKey(issuer.id, raw, f"the catalogue's trust list ({provider.name})"))
        return cls(tuple(out))

    def __add__(self, other: TrustList) -> TrustList:
        """Both lists' keys."""
        return TrustList(self.keys + other.keys)

    def for_issuer(self, issuer: str) -> tuple[TrustedKey, ...]:
        """The keys trusted for ``issuer``."""
        return self._by_issuer.get(issuer, ())

    def method(self, method_id: str) -> TrustedKey | None:
        """The trusted key a document gives this verification method id, if any."""
        return next((k for k in self.keys if k.method == method_id), None)

    @property
    def issuers(self) -> tuple[str, ...]:
        """The issuer ids with at least one trusted key, sorted."""
        return tuple(sorted(self._by_issuer))


@dataclass(frozen=True)
class Binding:
    """Whether a key is bound to an issuer, and by what.

    Attributes
    ----------
    confirmed : bool
        True when something the planner trusts ties the key to the issuer.
    how : str
        What confirmed it, or why nothing did.

    """

    confirmed: bool
    how: str


def bind_issuer(issuer: str | None, key: bytes, trust: TrustList, resolver: Resolver | None = None) -> Binding:
    """Decide whether ``key`` is one the planner trusts to sign for ``issuer`` (THE binding rule).

    Parameters
    ----------
    issuer : str or None
        The issuer id the credential names.
    key : bytes
        The raw Ed25519 key whose signature was checked (and found valid).
    trust : TrustList
        The catalogue's trust list and the issuer documents given.
    resolver : callable, optional
        Fetches the issuer's published document (``--resolve-issuers``); None: offline.

    Returns
    -------
    Binding
        Confirmed by the ``did:key`` itself, the trust list, a document or a resolution;
        otherwise not confirmed, with the ways to confirm it.

    """
    if not issuer:
        return Binding(False, "the credential names no issuer")
    # the trust list first: it also says who vouches for a did:key (a status list's signer, for one)
    for trusted in trust.for_issuer(issuer):
        if trusted.key == key:
            return Binding(True, f"key listed for {issuer} in {trusted.source}")
    if issuer.startswith("did:key:"):
        try:
            own = key_bytes(issuer)
        except KeyFormatError:
            own = b""
        if own == key:
            return Binding(True, "a did:key issuer signed with its own key")
    if resolver is not None and not issuer.startswith("did:key:"):
        for trusted in resolver(issuer).for_issuer(issuer):
            if trusted.key == key:
                return Binding(True, f"key published by {issuer} ({trusted.source})")
    listed = "its listed keys are others" if trust.for_issuer(issuer) else "no key is listed for it"
    return Binding(False, f"nothing the planner trusts ties key {multikey_of(key)} to {issuer} ({listed}; "
                          "list it in the catalogue's trust list, give --issuer-document FILE, or "
                          "--resolve-issuers)")


def _method_key(method: Mapping[str, Any]) -> bytes:
    for member in ("publicKeyMultibase", "publicKeyJwk"):
        value = method.get(member)
        if value is not None:
            if not isinstance(value, str | Mapping):
                raise KeyFormatError(f"{member} must be a string or an object")
            return key_bytes(value)
    raise KeyFormatError("no publicKeyMultibase or publicKeyJwk")


def _references(document: Mapping[str, Any], relation: str) -> list[Any]:
    value = document.get(relation)
    return value if isinstance(value, list) else [] if value is None else [value]


def keys_of_document(document: Any, source: str) -> TrustList:
    """The keys an issuer document publishes for assertions, bound to the document's subject.

    Parameters
    ----------
    document : dict
        A DID document (``id``, ``verificationMethod``, ``assertionMethod``), an Open
        Badges issuer profile with verification methods, or a single Multikey /
        Ed25519VerificationKey2020 / JsonWebKey document (``controller`` + key).
    source : str
        How the document came (a file name, a URL), for the words of the binding.

    Returns
    -------
    TrustList
        One entry per key that may sign for the document's subject. In a document with
        ``assertionMethod``, only the methods it lists (by id, or embedded) count; in one
        without, every method whose ``controller`` is the subject (or is left out) counts.

    Raises
    ------
    IssuerDocumentError
        When the document is not an object, names no subject, or gives no usable key.

    """
    if not isinstance(document, Mapping):
        raise IssuerDocumentError(f"{source}: an issuer document must be a JSON object")
    if "controller" in document and ("publicKeyMultibase" in document or "publicKeyJwk" in document):
        controller = document.get("controller")
        if not isinstance(controller, str) or not controller:
            raise IssuerDocumentError(f"{source}: the key document names no controller")
        try:
            raw = _method_key(document)
        except KeyFormatError as exc:
            raise IssuerDocumentError(f"{source}: {exc}") from None
        method = document.get("id") if isinstance(document.get("id"), str) else None
        return TrustList((TrustedKey(controller, raw, f"issuer document {source}", method),))
    subject = document.get("id")
    if not isinstance(subject, str) or not subject:
        raise IssuerDocumentError(f"{source}: the issuer document has no id")
    methods = [m for m in _references(document, "verificationMethod") if isinstance(m, Mapping)]
    by_id = {str(m.get("id")): m for m in methods if isinstance(m.get("id"), str)}
    if "assertionMethod" in document:
        chosen = []
        for ref in _references(document, "assertionMethod"):
            if isinstance(ref, Mapping):
                chosen.append(ref)
            elif isinstance(ref, str):
                # a relative reference ("#key-1") is relative to the document's id
                full = subject + ref if ref.startswith("#") else ref
                if full in by_id or ref in by_id:
                    chosen.append(by_id.get(full) or by_id[ref])
    else:
        chosen = [m for m in methods if m.get("controller") in (None, subject)]
    out: list[TrustedKey] = []
    problems: list[str] = []
    for method in chosen[:MAX_DOCUMENT_KEYS]:
        if method.get("controller") not in (None, subject):
            problems.append(f"{method.get('id')}: controlled by {method.get('controller')}, not {subject}")
            continue
        try:
            raw = _method_key(method)
        except KeyFormatError as exc:
            problems.append(f"{method.get('id')}: {exc}")
            continue
        mid = method.get("id") if isinstance(method.get("id"), str) else None
        if mid and mid.startswith("#"):
            mid = subject + mid
        out.append(TrustedKey(subject, raw, f"issuer document {source}", mid))
    if not out:
        detail = "; ".join(problems) or "no verification method for assertions"
        raise IssuerDocumentError(f"{source}: no usable Ed25519 key for {subject} ({detail})")
    return TrustList(tuple(out))


def read_issuer_documents(paths: Iterable[str]) -> TrustList:
    """The keys of issuer documents the user gives as files (``--issuer-document FILE``).

    Each file is read through the input layer (regular files only, size and JSON limits).

    Raises
    ------
    ValueError
        Naming the file, when one cannot be read or gives no usable key.
    """
    from planner.catalogue.inputs import InputError, parse_json, read_bytes

    out = TrustList()
    for path in paths:
        try:
            document = parse_json(read_bytes(path, max_bytes=MAX_ISSUER_DOCUMENT_BYTES).decode("utf-8"), str(path))
        except InputError as exc:
            raise ValueError(f"--issuer-document {exc}") from None
        except UnicodeDecodeError:
            raise ValueError(f"--issuer-document {path}: not UTF-8 text") from None
        try:
            out = out + keys_of_document(document, str(path))
        except IssuerDocumentError as exc:
            raise ValueError(f"--issuer-document {exc}") from None
    return out
