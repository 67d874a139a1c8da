"""Verify one Open Badges 3.0 / CLR 2.0 credential: form, proof, signed facts, dates, issuer, status.

The checks run in this order and the first failure gives the status:

1. form: an OB3 / CLR credential (a VC context first, an OB3 / CLR type, an issuer, the
   subject type for the credential type, results typed ``Result``) whose JSON is the plain
   form of what was signed (only the published contexts, by URL; no member written as an
   IRI, no JSON-LD keyword, see :mod:`planner.verify.plain`); else *unverifiable*;
2. proofs: at least one, at most :data:`~planner.verify.proof.MAX_PROOFS`, each of a
   supported suite and valid; proof sets and chains (``previousProof``) as the W3C Data
   Integrity specification says; a proof created in the future or expired is refused
   (*signature invalid*, *expired*, *not yet valid*, or *unverifiable* when a context or key
   is not available offline);
3. the signed graph: the facts judged below are read from the canonical RDF the proof
   covers (:func:`planner.verify.canon.signed_facts`), and the JSON members the planner
   reads must say the same (:func:`planner.verify.plain.graph_mismatch`), else *unverifiable*;
4. dates: ``validFrom`` / ``issuanceDate`` not after the moment of checking (*not yet
   valid*), ``validUntil`` / ``expirationDate`` not before it (*expired*);
5. issuer: some valid proof's key is bound to the issuer by something the planner trusts
   (:func:`planner.verify.trust.bind_issuer`); otherwise *signature valid, issuer not
   confirmed*: the content is intact, but nothing says the issuer signed it;
6. status: each Bitstring Status List entry's bit is clear (*revoked* / *suspended*); the
   list must be a ``BitstringStatusListCredential`` given offline, verified the same way,
   issued by the same issuer, and the index a non-negative integer.

A CLR's nested credentials are verified too (at most :data:`MAX_NESTED_CREDENTIALS`): a
signed one on its own, an unsigned one as covered by the CLR's proof (its form, facts,
dates and status are its own; its signature and issuer are the CLR's).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, replace
from typing import Any

from pyld import jsonld

from planner.verify import status as status_list
from planner.verify.canon import (
    STATUS,
    CanonicalisationLimitError,
    SignedFacts,
    UndefinedTermError,
    canonical_nquads,
    signed_facts,
)
from planner.verify.loader import ContextLoader, ContextUnavailableError, StatusListUnavailableError
from planner.verify.plain import graph_mismatch, plain_problem
from planner.verify.proof import SUPPORTED, ProofCheck, check_proofs
from planner.verify.trust import Binding, Resolver, TrustList, bind_issuer

__all__ = ["MAX_NESTED_CREDENTIALS", "Status", "Verification", "verify_credential", "verify_jwt"]

VC_CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1")
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
#: credentials one CLR may hold (each is canonicalised and checked)
MAX_NESTED_CREDENTIALS = 100
# credential type -> the subject type it must carry
_SUBJECT_TYPES = {
    "OpenBadgeCredential": "AchievementSubject",
    "AchievementCredential": "AchievementSubject",
    "EndorsementCredential": "EndorsementSubject",
    "ClrCredential": "ClrSubject",
}
_INDEX = re.compile(r"^[0-9]{1,12}$")
_LIST_DEPTH = 9  # the depth a status list is verified at: its own status is not looked up


class Status(enum.StrEnum):
    """What verification concluded about a credential."""

    VERIFIED = "verified"
    ISSUER_NOT_CONFIRMED = "signature valid, issuer not confirmed"
    SIGNATURE_INVALID = "signature invalid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Verification:
    """The verification of one credential.

    Attributes
    ----------
    status : Status
        The conclusion.
    reason : str
        Why, when not verified (empty when verified).
    pointer : str
        Where the credential is in its file (``$`` or a path into a CLR).
    credential_id, name, issuer : str or None
        The credential's ``id``, ``name`` and issuer id, for display (the issuer is the
        one the signed graph names once it was read).
    key : str or None
        The Multikey the issuer's proof was checked with.
    notes : tuple of str
        What was not checked and why (e.g. a status type other than a Bitstring Status List).
    nested : tuple of Verification
        The credentials inside a CLR, each verified on its own.
    confirmed_by : str
        How the issuer was confirmed (empty unless verified).
    facts : SignedFacts or None
        What the signed graph says (None when it could not be read).

    """

    status: Status
    reason: str = ""
    pointer: str = "$"
    credential_id: str | None = None
    name: str | None = None
    issuer: str | None = None
    key: str | None = None
    notes: tuple[str, ...] = ()
    nested: tuple[Verification, ...] = ()
    confirmed_by: str = ""
    facts: SignedFacts | None = None

    @property
    def verified(self) -> bool:
        """Whether the credential verified: intact, in date, not revoked, and its issuer's key confirmed."""
        return self.status is Status.VERIFIED

    def describe(self) -> str:
        """``status`` or ``status: reason`` in one line."""
        return self.status.value + (f": {self.reason}" if self.reason else "")

    def subject_ids(self) -> tuple[str, ...]:
        """The subject ids the signed graph names (empty when unread or anonymous)."""
        if self.facts is None:
            return ()
        return tuple(s.id for s in self.facts.subjects if s.id)


@dataclass(frozen=True)
class _Context:
    """What every check of one file shares."""

    loader: ContextLoader
    at: dt.datetime
    trust: TrustList
    resolver: Resolver | None


def _types(node: Any) -> list[str]:
    value = node.get("type") if isinstance(node, dict) else None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _issuer_id(doc: dict[str, Any]) -> str | None:
    issuer = doc.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _not_supported(doc: dict[str, Any]) -> str | None:
    """A credential format the planner recognises but does not verify, by name."""
    context = doc.get("@context")
    items = context if isinstance(context, list) else [context]
    if OB2_CONTEXT in items or "Assertion" in _types(doc):
        return ("an Open Badges 2.0 assertion: OB 2.0 badges are checked by their hosted URL, not a signature, "
                "and are not supported (Open Badges 3.0 and CLR 2.0 are)")
    proofs = doc.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and isinstance(proof.get("type"), str):
            suite = proof.get("cryptosuite") if proof.get("type") == "DataIntegrityProof" else None
            kind = (proof["type"], suite if isinstance(suite, str) or suite is None else repr(suite))
            if kind not in SUPPORTED:
                suite = f" / {kind[1]}" if kind[0] == "DataIntegrityProof" and kind[1] else ""
                return (f"proof type {kind[0]}{suite} is not supported (eddsa-rdfc-2022 and Ed25519Signature2020 "
                        "are)")
    return None


def _shape_problem(doc: dict[str, Any]) -> str | None:
    """What makes ``doc`` not an OB3 / CLR credential, or None."""
    context = doc.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first not in VC_CONTEXTS:
        return f"@context must start with {VC_CONTEXTS[0]} (or the VC 1.1 context); found {first!r}"
    types = _types(doc)
    kinds = [t for t in types if t in _SUBJECT_TYPES]
    if "VerifiableCredential" not in types or not kinds:
        return ("type must be VerifiableCredential and one of "
                f"{', '.join(_SUBJECT_TYPES)}; found {types}")
    if _issuer_id(doc) is None:
        return "the credential names no issuer"
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        return "the credential has no credentialSubject"
    wanted = _SUBJECT_TYPES[kinds[0]]
    if wanted not in _types(subject):
        return f"credentialSubject type must include {wanted}; found {_types(subject)}"
    results = subject.get("result") or []
    for i, result in enumerate(results if isinstance(results, list) else [results]):
        if "Result" not in _types(result):
            return f"credentialSubject.result[{i}] type must include Result; found {_types(result)}"
    return None


def _moment(value: Any) -> dt.datetime | None:
    """An XML Schema dateTime as an aware datetime (UTC when no zone is given)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def check_dates(facts: SignedFacts, at: dt.datetime) -> tuple[Status, str] | None:
    """Judge the signed validity dates at ``at`` (every value the graph gives counts)."""
    for field, values in (("validFrom", facts.valid_from), ("issuanceDate", facts.issuance_date)):
        for value in values:
            start = _moment(value)
            if start is None:
                return Status.UNVERIFIABLE, f"{field} is not a date-time: {value!r}"
            if start > at:
                return Status.NOT_YET_VALID, f"valid from {value}"
    for field, values in (("validUntil", facts.valid_until), ("expirationDate", facts.expiration_date)):
        for value in values:
            end = _moment(value)
            if end is None:
                return Status.UNVERIFIABLE, f"{field} is not a date-time: {value!r}"
            if end < at:
                return Status.EXPIRED, f"expired on {value}"
    return None


def _status_index(values: tuple[str, ...]) -> int | None:
    """The one statusListIndex as signed, when it is a non-negative integer."""
    if len(values) != 1 or not _INDEX.match(values[0]):
        return None
    return int(values[0])


def _check_status(facts: SignedFacts, issuer: str | None, ctx: _Context,
                  depth: int) -> tuple[tuple[Status, str] | None, list[str]]:
    notes: list[str] = []
    if depth >= _LIST_DEPTH:  # a status list's own status entries: not followed
        return None, notes
    for entry in facts.statuses:
        names = {t.rsplit("#", 1)[-1] for t in entry.types}
        if STATUS + "BitstringStatusListEntry" not in entry.types:
            if names & status_list.STATUS_ENTRY_TYPES:
                return (Status.UNVERIFIABLE, f"status of type {', '.join(sorted(names))}: only Bitstring Status "
                                             "Lists are read"), notes
            notes.append(f"status of type {', '.join(sorted(names)) or '?'} not checked (only Bitstring "
                         "Status Lists are read offline)")
            continue
        index = _status_index(entry.index)
        if index is None:
            return (Status.UNVERIFIABLE, "statusListIndex must be one non-negative integer; found "
                                         f"{', '.join(entry.index) or 'none'}"), notes
        if len(entry.list_url) != 1:
            return (Status.UNVERIFIABLE, "the status entry must name one statusListCredential"), notes
        url = entry.list_url[0]
        try:
            listed = ctx.loader.status_list(url)
        except StatusListUnavailableError as exc:
            return (Status.UNVERIFIABLE, str(exc)), notes
        if not isinstance(listed, dict):
            return (Status.UNVERIFIABLE, f"status list {url} is not a credential"), notes
        checked = _verify(listed, ctx, "$", _LIST_DEPTH, shape=False)
        if checked.facts is not None and STATUS + "BitstringStatusListCredential" not in checked.facts.types:
            return (Status.UNVERIFIABLE, f"status list {url} is not a BitstringStatusListCredential"), notes
        if not checked.verified:
            return (Status.UNVERIFIABLE, f"status list {url}: {checked.describe()}"), notes
        # the list's signer: the credential's own issuer, or another one the trust list or a document vouches
        # for (a did:key of anyone's making confirms only itself, so it may not stand for the issuer's list)
        if checked.issuer != issuer and not checked.confirmed_by.startswith(("key listed for", "key published by")):
            return (Status.UNVERIFIABLE, f"status list {url} is issued by {checked.issuer}, not by the credential's "
                                         "issuer, and no trust list or issuer document vouches for it"), notes
        subject = listed.get("credentialSubject")
        purpose = entry.purpose[0] if entry.purpose else "revocation"
        listed_purpose = subject.get("statusPurpose") if isinstance(subject, dict) else None
        if listed_purpose not in (purpose, [purpose]):
            return (Status.UNVERIFIABLE, f"status list {url} is for {listed_purpose!r}, not {purpose!r}"), notes
        try:
            encoded = subject.get("encodedList") if isinstance(subject, dict) else None
            set_bit = status_list.bit_is_set(encoded if isinstance(encoded, str) else "", index)
        except ValueError as exc:
            return (Status.UNVERIFIABLE, f"status list {url}: {exc}"), notes
        if set_bit:
            status = Status.SUSPENDED if purpose == "suspension" else Status.REVOKED
            return (status, f"{purpose} bit {index} is set in {url}"), notes
    return None, notes


bit_is_set = status_list.bit_is_set


def verify_credential(doc: Any, *, loader: ContextLoader | None = None, at: dt.datetime | None = None,
                      pointer: str = "$", trust: TrustList | None = None,
                      resolver: Resolver | None = None) -> Verification:
    """Verify one OB3 / CLR credential (and, for a CLR, each credential inside it).

    Parameters
    ----------
    doc : dict
        The credential as parsed JSON.
    loader : ContextLoader, optional
        Where contexts and status lists come from (default: ``$PLANNER_CONTEXT_DIR``).
    at : datetime, optional
        The moment validity dates are judged at (default: now, UTC).
    pointer : str, optional
        Where ``doc`` sits in its file, for the result.
    trust : TrustList, optional
        The keys trusted for issuers (the catalogue's trust list and issuer documents);
        without it only ``did:key`` issuers can be confirmed.
    resolver : callable, optional
        Fetches an issuer's published document (``--resolve-issuers``); default: offline.

    Returns
    -------
    Verification
        The status with its reason; never raises on bad input.

    """
    ctx = _Context(loader or ContextLoader(), at or dt.datetime.now(dt.UTC), trust or TrustList(), resolver)
    return _verify(doc, ctx, pointer, 0)


def verify_jwt(token: str, *, loader: ContextLoader | None = None, at: dt.datetime | None = None,
               pointer: str = "$", trust: TrustList | None = None, resolver: Resolver | None = None) -> Verification:
    """Verify a credential that comes as a VC-JWT (EdDSA): its signature, then as :func:`verify_credential`.

    The token's signature stands in for the Data Integrity proof; the credential it carries
    is then judged the same way (plain form, signed facts, dates, issuer binding, status).

    Parameters
    ----------
    token : str
        The compact JWS.
    loader, at, pointer, trust, resolver
        As for :func:`verify_credential`.

    Returns
    -------
    Verification
        The status with its reason; never raises on bad input.

    """
    from planner.verify.jwt import read_jwt

    ctx = _Context(loader or ContextLoader(), at or dt.datetime.now(dt.UTC), trust or TrustList(), resolver)
    read = read_jwt(token, ctx.trust, at=ctx.at)
    if read.check.valid is None and ctx.resolver is not None and "--resolve-issuers" in read.check.reason \
            and isinstance(read.credential, dict):
        ctx = _with_resolved(read.credential, ctx)
        read = read_jwt(token, ctx.trust, at=ctx.at)
    if read.problem:
        return Verification(Status.UNVERIFIABLE, f"VC-JWT: {read.problem}", pointer)
    return _verify(read.credential, ctx, pointer, 0, jws=read.check)


def _verify(doc: Any, ctx: _Context, pointer: str, depth: int, *, shape: bool = True,
            covered_by: Verification | None = None, jws: ProofCheck | None = None) -> Verification:
    if not isinstance(doc, dict):
        return Verification(Status.UNVERIFIABLE, "a credential must be a JSON object", pointer)
    ident = doc.get("id") if isinstance(doc.get("id"), str) else None
    name = doc.get("name") if isinstance(doc.get("name"), str) else None
    base: dict[str, Any] = {"pointer": pointer, "credential_id": ident, "name": name, "issuer": _issuer_id(doc)}
    refused = _not_supported(doc)
    if refused:
        return Verification(Status.UNVERIFIABLE, refused, **base)
    problem = _shape_problem(doc) if shape else None
    if problem:
        return Verification(Status.UNVERIFIABLE, f"not an Open Badges 3.0 / CLR 2.0 credential: {problem}",
                            notes=_proof_note(doc, ctx), **base)
    problem = plain_problem(doc)
    if problem:
        return Verification(Status.UNVERIFIABLE, f"the JSON is not the plain form of what was signed ({problem}), "
                                                 "so it is not read", **base)
    count = _nested_count(doc)
    if count > MAX_NESTED_CREDENTIALS:  # refused before any canonicalisation: its work grows with the count
        return Verification(Status.UNVERIFIABLE, f"the CLR holds {count:,} credentials; the limit is "
                                                 f"{MAX_NESTED_CREDENTIALS}", **base)
    result = _judge(doc, ctx, base, depth, covered_by, jws)
    nested = _nested(doc, ctx, pointer, result) if depth == 0 and covered_by is None else ()
    return replace(result, nested=nested)


def _proof_note(doc: dict[str, Any], ctx: _Context) -> tuple[str, ...]:
    """For a signed document that is not a badge: what its proof says, as a note."""
    if doc.get("proof") is None:
        return ()
    checks = check_proofs(doc, ctx.loader, ctx.trust, at=ctx.at)
    bad = next((c for _, c in checks if c.valid is not True), None)
    if bad is not None:
        return (f"its proof was not accepted: {bad.reason}",)
    binding, _ = _binding(doc.get("issuer"), checks, ctx)
    keys = ", ".join(c.multikey or "?" for _, c in checks)
    return (f"its proof is valid (key {keys}); issuer {'confirmed: ' if binding.confirmed else 'not confirmed: '}"
            f"{binding.how}",)


def _binding(issuer: Any, checks: tuple[tuple[dict[str, Any], ProofCheck], ...],
             ctx: _Context) -> tuple[Binding, ProofCheck | None]:
    """The first valid proof whose key is bound to the issuer, else why none is."""
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    issuer_id = issuer_id if isinstance(issuer_id, str) else None
    first: Binding | None = None
    for _, check in checks:
        if check.valid and check.key is not None:
            binding = bind_issuer(issuer_id, check.key, ctx.trust, ctx.resolver)
            if binding.confirmed:
                return binding, check
            first = first or binding
    return first or Binding(False, "no valid proof"), None


def _with_resolved(doc: dict[str, Any], ctx: _Context) -> _Context:
    """The context with the issuer's published document added, when resolution was asked for."""
    issuer = _issuer_id(doc)
    if ctx.resolver is None or issuer is None or issuer.startswith("did:key:"):
        return ctx
    return replace(ctx, trust=ctx.trust + ctx.resolver(issuer))


def _proof_outcome(checks: tuple[tuple[dict[str, Any], ProofCheck], ...]) -> tuple[Status, str] | None:
    if not checks:
        return Status.UNVERIFIABLE, "the credential has no proof (unsigned)"
    for _, check in checks:
        if check.valid is None:
            return Status.UNVERIFIABLE, check.reason
    for _, check in checks:
        if check.valid is False:
            status = (Status.EXPIRED if check.expired else Status.NOT_YET_VALID if check.future
                      else Status.SIGNATURE_INVALID)
            return status, check.reason
    return None


def _read_facts(doc: dict[str, Any], ctx: _Context, nquads: str | None = None) -> tuple[SignedFacts | None, str]:
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    try:
        ident = doc.get("id") if isinstance(doc.get("id"), str) else None
        facts = signed_facts(nquads if nquads is not None else canonical_nquads(unsecured, ctx.loader), ident)
    except (ContextUnavailableError, UndefinedTermError, CanonicalisationLimitError, ValueError) as exc:
        return None, str(exc)
    except (jsonld.JsonLdError, TypeError, RecursionError) as exc:
        return None, f"the credential is not valid JSON-LD: {str(exc).splitlines()[0]}"
    mismatch = graph_mismatch(doc, facts)
    if mismatch:
        return None, f"the JSON does not say what was signed: {mismatch}"
    return facts, ""


def _judge(doc: dict[str, Any], ctx: _Context, base: dict[str, Any], depth: int,
           covered_by: Verification | None, jws: ProofCheck | None = None) -> Verification:
    """Proofs, signed facts, dates, issuer and status of a credential whose form is right."""
    key = None
    binding = Binding(False, "")
    canonical: dict[tuple[int, ...], str] = {}  # what the proofs canonicalised, reused for the facts
    if jws is not None:  # a VC-JWT: its signature was checked over the payload's bytes
        checks: tuple[tuple[dict[str, Any], ProofCheck], ...] = (({}, jws),)
        key = jws.multikey
        outcome = _proof_outcome(checks)
        if outcome:
            return Verification(outcome[0], f"VC-JWT: {outcome[1]}", key=key, **base)
    elif covered_by is None:
        checks = check_proofs(doc, ctx.loader, ctx.trust, at=ctx.at, cache=canonical)
        if ctx.resolver is not None and any(c.valid is None and "--resolve-issuers" in c.reason for _, c in checks):
            ctx = _with_resolved(doc, ctx)
            checks = check_proofs(doc, ctx.loader, ctx.trust, at=ctx.at, cache=canonical)
        key = next((c.multikey for _, c in checks if c.key is not None), None)
        outcome = _proof_outcome(checks)
        if outcome:
            return Verification(outcome[0], outcome[1], key=key, **base)
    facts, why = _read_facts(doc, ctx, canonical.get(()))
    if facts is None:
        return Verification(Status.UNVERIFIABLE, why, key=key, **base)
    base = {**base, "issuer": facts.issuer_id or base["issuer"], "facts": facts}
    dates = check_dates(facts, ctx.at)
    if dates:
        return Verification(dates[0], dates[1], key=key, **base)
    if covered_by is not None:  # signed as part of the CLR: its signature and issuer are the CLR's
        if not covered_by.verified:
            reason = f"the CLR holding it: {covered_by.describe()}"
            return Verification(covered_by.status, reason, key=covered_by.key,
                                **{**base, "issuer": covered_by.issuer})
        base = {**base, "issuer": covered_by.issuer}
        binding = Binding(True, covered_by.confirmed_by)
        key = covered_by.key
    else:
        binding, signer = _binding(facts.issuer_id, checks, ctx)
        if signer is None:
            return Verification(Status.ISSUER_NOT_CONFIRMED, binding.how, key=key, **base)
        key = signer.multikey
    revoked, notes = _check_status(facts, facts.issuer_id, ctx, depth)
    if covered_by is not None:
        notes = ["signed as part of the CLR", *notes]
    if revoked:
        return Verification(revoked[0], revoked[1], key=key, notes=tuple(notes), **base)
    return Verification(Status.VERIFIED, key=key, notes=tuple(notes), confirmed_by=binding.how, **base)


def _inner(doc: dict[str, Any]) -> list[Any]:
    if "ClrCredential" not in _types(doc) or not isinstance(doc.get("credentialSubject"), dict):
        return []
    inner = doc["credentialSubject"].get("verifiableCredential") or []
    return inner if isinstance(inner, list) else [inner]


def _nested_count(doc: dict[str, Any]) -> int:
    return len(_inner(doc))


def _nested(doc: dict[str, Any], ctx: _Context, pointer: str, clr: Verification) -> tuple[Verification, ...]:
    """Each credential inside a CLR: a signed one on its own, an unsigned one as covered by the CLR."""
    inner = _inner(doc)
    out = []
    for i, item in enumerate(inner):
        where = f"{pointer}.credentialSubject.verifiableCredential[{i}]"
        if isinstance(item, dict) and "proof" not in item:
            if "@context" not in item:  # an entry may lean on the CLR's contexts
                item = {"@context": doc.get("@context"), **item}
            out.append(_verify(item, ctx, where, 1, covered_by=clr))
        else:
            out.append(_verify(item, ctx, where, 1))
    return tuple(out)
