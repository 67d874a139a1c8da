"""What a Data Integrity proof covers: the canonical RDF of a document, made within bounds, and read back.

A proof signs the RDF graph the JSON-LD means (RDFC-1.0, which is URDNA2015, as N-Quads),
not the JSON text. So the planner reads the facts it judges (dates, status entries, the
issuer, the subject and the achievement) from that graph, :class:`SignedFacts`, and never
from JSON members that the graph may not contain.

Canonicalisation can be made to take time that grows like n! (blank nodes that cannot be
told apart, "poison graphs"); :func:`canonical_nquads` refuses a graph with more than
:data:`MAX_QUADS` statements or :data:`MAX_BLANK_NODES` blank nodes, and stops
with :class:`CanonicalisationLimitError` once the permutations it would try pass
:data:`MAX_CANON_WORK`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.nquads import parse_nquads

from planner.verify.loader import ContextLoader, ContextUnavailableError

__all__ = ["MAX_BLANK_NODES", "MAX_CANON_WORK", "MAX_QUADS", "CanonicalisationLimitError", "SignedFacts",
           "StatusFacts", "SubjectFacts", "UndefinedTermError", "canonical_nquads", "signed_facts"]

#: statements (quads) one document may make
MAX_QUADS = 20_000
#: blank nodes one document may hold
MAX_BLANK_NODES = 2_000
#: permutations of indistinguishable blank nodes canonicalisation may try (a real credential needs none)
MAX_CANON_WORK = 5_000

CRED = "https://www.w3.org/2018/credentials#"
OBI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
STATUS = "https://www.w3.org/ns/credentials/status#"
STATUS_2021 = "https://w3id.org/vc/status-list#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCHEMA_NAME = "https://schema.org/name"
ACHIEVEMENT_PREDICATES = (OBI + "achievement", OBI + "achievement-0", OBI + "Achievement")


class UndefinedTermError(ValueError):
    """Something in the document that RDF would leave out, unsigned."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}, so no signature covers it")


class CanonicalisationLimitError(ValueError):
    """A document whose canonical form would take too much work to compute."""


class _BoundedURDNA2015(URDNA2015):
    """URDNA2015 that counts the permutations it is about to try and stops past a budget."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget
        self.work = 0

    def _spend(self, amount: int) -> None:
        self.work += amount
        if self.work > self.budget:
            raise CanonicalisationLimitError(
                f"canonicalising the credential would try more than {self.budget:,} orderings of blank nodes "
                "that cannot be told apart (a real credential needs none); it is not verified")

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._spend(1)
        return super().hash_n_degree_quads(id_, issuer)

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        related = super().create_hash_to_related(id_, issuer)
        for nodes in related.values():
            # the permutations hash_n_degree_quads is about to walk; factorial(20) is past any budget
            self._spend(math.factorial(min(len(nodes), 20)))
        return related


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
                if isinstance(ref, str) and not _absolute(ref):
                    return ref
        else:
            found = _relative_reference(value)
            if found is not None:
                return found
    return None


def _absolute(ref: str) -> bool:
    scheme, colon, rest = ref.partition(":")
    return (bool(colon) and bool(scheme) and (scheme == "_" or (scheme[0].isalpha() and all(
        c.isalnum() or c in "+.-" for c in scheme))) and not any(c.isspace() for c in rest))


def canonical_nquads(document: dict[str, Any], loader: ContextLoader, *, budget: int = MAX_CANON_WORK) -> str:
    """RDFC-1.0 (URDNA2015) N-Quads of a JSON-LD document, contexts from ``loader`` only, within bounds.

    Raises
    ------
    ContextUnavailableError
        When a context the document names is not available offline.
    UndefinedTermError
        When a member is not defined by the contexts (JSON-LD would drop it unsigned), or
        an identifier is a relative IRI.
    CanonicalisationLimitError
        When the graph is too large, or canonicalising it would take too much work.
    jsonld.JsonLdError
        When the document is not valid JSON-LD.
    """
    # the loader's own resolver: pyld's process-wide cache would let a context loaded elsewhere
    # stand in; this one holds only what this loader read from its pinned files
    resolver = loader.resolved.get("resolver")
    if resolver is None:
        resolver = loader.resolved["resolver"] = ContextResolver({}, loader)
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
    dataset = processor.to_rdf(expanded, {**options, "produceGeneralizedRdf": False})
    quads = sum(len(triples) for triples in dataset.values())
    if quads > MAX_QUADS:
        raise CanonicalisationLimitError(f"the credential makes {quads:,} statements; the limit is {MAX_QUADS:,}")
    blanks = {part["value"] for triples in dataset.values() for quad in triples
              for part in (quad["subject"], quad["object"]) if part["type"] == "blank node"}
    blanks |= {name for name in dataset if name.startswith("_:")}
    if len(blanks) > MAX_BLANK_NODES:
        raise CanonicalisationLimitError(
            f"the credential holds {len(blanks):,} blank nodes; the limit is {MAX_BLANK_NODES:,}")
    return str(_BoundedURDNA2015(budget).main(dataset, {"format": "application/n-quads"}))


# --------------------------------------------------------------------------- reading the signed graph


@dataclass(frozen=True)
class StatusFacts:
    """One status entry as signed: its types, purpose, list and index (lexical values)."""

    node: str
    types: frozenset[str]
    purpose: tuple[str, ...]
    index: tuple[str, ...]
    list_url: tuple[str, ...]


@dataclass(frozen=True)
class SubjectFacts:
    """The credential's subject as signed: its id, its identifier entries and its achievements."""

    node: str
    id: str | None
    identifiers: tuple[tuple[tuple[str, str], ...], ...]
    achievements: tuple[tuple[str | None, tuple[str, ...]], ...]  # (achievement id, names)


@dataclass(frozen=True)
class SignedFacts:
    """What the signed graph says of the credential: the facts verification judges.

    Date members are the lexical values of every statement the graph makes (a credential
    may make two; each is judged). Node ids are IRIs or canonical blank node labels.
    """

    node: str
    types: frozenset[str]
    issuer: tuple[str, ...]
    valid_from: tuple[str, ...]
    valid_until: tuple[str, ...]
    issuance_date: tuple[str, ...]
    expiration_date: tuple[str, ...]
    awarded_date: tuple[str, ...]
    subjects: tuple[SubjectFacts, ...]
    statuses: tuple[StatusFacts, ...]

    @property
    def issuer_id(self) -> str | None:
        """The one issuer IRI, or None when there is none or more than one."""
        iris = [i for i in self.issuer if not i.startswith("_:")]
        return iris[0] if len(iris) == 1 and len(self.issuer) == 1 else None


class _Graph:
    def __init__(self, triples: Iterable[dict[str, Any]]) -> None:
        self.out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.objects: set[str] = set()
        for triple in triples:
            subject = triple["subject"]["value"]
            self.out.setdefault(subject, []).append((triple["predicate"]["value"], triple["object"]))
            if triple["object"]["type"] != "literal":
                self.objects.add(triple["object"]["value"])

    def values(self, node: str, predicate: str) -> tuple[str, ...]:
        return tuple(sorted(o["value"] for p, o in self.out.get(node, []) if p == predicate))

    def types(self, node: str) -> frozenset[str]:
        return frozenset(self.values(node, RDF_TYPE))


def _status(graph: _Graph, node: str) -> StatusFacts:
    def both(name: str) -> tuple[str, ...]:
        return graph.values(node, STATUS + name) + graph.values(node, STATUS_2021 + name)

    return StatusFacts(node, graph.types(node), both("statusPurpose"), both("statusListIndex"),
                       both("statusListCredential"))


def _subject(graph: _Graph, node: str) -> SubjectFacts:
    identifiers = tuple(
        tuple(sorted((p.rsplit("#", 1)[-1], o["value"]) for p, o in graph.out.get(entry, []) if p != RDF_TYPE))
        for entry in graph.values(node, OBI + "identifier"))
    # "achievement" is obi:Achievement in OB 3.0's first context, obi:achievement-0 in 3.0.1 and 3.0.2,
    # obi:achievement in 3.0.3: each pinned context's own term
    linked = {a for predicate in ACHIEVEMENT_PREDICATES for a in graph.values(node, predicate)}
    achievements = tuple((None if a.startswith("_:") else a, graph.values(a, SCHEMA_NAME)) for a in sorted(linked))
    return SubjectFacts(node, None if node.startswith("_:") else node, identifiers, achievements)


def signed_facts(nquads: str, node: str | None = None) -> SignedFacts:
    """Read the credential's facts from the canonical N-Quads of its unsecured document.

    Parameters
    ----------
    nquads : str
        The canonical N-Quads.
    node : str, optional
        The credential's id (its top object's ``id``); without one, the one credential no
        statement refers to.

    Raises
    ------
    ValueError
        When the graph holds no such credential, or more than one at its top.
    """
    dataset = parse_nquads(nquads)
    graph = _Graph(dataset.get("@default", []))
    credentials = [n for n in graph.out if CRED + "VerifiableCredential" in graph.types(n)]
    top = [node] if node in credentials else [n for n in credentials if n not in graph.objects]
    if len(top) != 1:
        raise ValueError(f"the signed graph holds {len(top)} credentials at its top; expected one")
    node = top[0]
    return SignedFacts(
        node=node,
        types=graph.types(node),
        issuer=graph.values(node, CRED + "issuer"),
        valid_from=graph.values(node, CRED + "validFrom"),
        valid_until=graph.values(node, CRED + "validUntil"),
        issuance_date=graph.values(node, CRED + "issuanceDate"),
        expiration_date=graph.values(node, CRED + "expirationDate"),
        awarded_date=graph.values(node, OBI + "awardedDate"),
        subjects=tuple(_subject(graph, s) for s in graph.values(node, CRED + "credentialSubject")),
        statuses=tuple(_status(graph, s) for s in graph.values(node, CRED + "credentialStatus")),
    )
