"""Small JSON-LD helpers for CTDL: key normalisation and flattening, offline.

CTDL data comes compact (``"ceterms:name": {"en-US": "..."}`` with the Credential Engine
context), expanded (``"https://purl.org/ctdl/terms/name": [{"@value": ...}]``), in
``@graph`` envelopes, as bare lists of nodes, or with nested (embedded) nodes. A full
JSON-LD processor would need the remote contexts; instead the few namespaces CTDL uses
are written here, and every document is flattened into one table of nodes whose keys and
types are compact IRIs (``ceterms:name``) and whose values are plain Python values:

* a reference (``{"@id": x}`` or an IRI string) becomes the string ``x``;
* a literal (``{"@value": v}``) becomes ``v``;
* a language map or language-tagged value becomes its string (English preferred);
* an embedded node becomes a node of its own (a blank id ``_:bN`` when it has none)
  and is replaced by its id.

Interpreters then read properties with :func:`values`, :func:`first` and :func:`text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "NAMESPACES",
    "Graph",
    "compact_iri",
    "expand_iri",
    "first",
    "flatten",
    "local_name",
    "rename_nodes",
    "text",
    "values",
]

#: prefix -> namespace IRI (the ones CTDL, CTDL-ASN and their vocabularies use)
NAMESPACES: dict[str, str] = {
    "ceterms": "https://purl.org/ctdl/terms/",
    "ceasn": "https://purl.org/ctdlasn/terms/",
    "asn": "http://purl.org/ASN/schema/core/",
    "schema": "https://schema.org/",
    "qdata": "https://credreg.net/qdata/terms/",
    "meta": "http://credreg.net/meta/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dct": "http://purl.org/dc/terms/",
    "logic": "https://purl.org/ctdl/vocabs/logic/",
    "compare": "https://purl.org/ctdl/vocabs/compare/",
    "array": "https://purl.org/ctdl/vocabs/array/",
    "creditUnit": "https://purl.org/ctdl/vocabs/creditUnit/",
    "deliveryType": "https://purl.org/ctdl/vocabs/deliveryType/",
    "costType": "https://purl.org/ctdl/vocabs/costType/",
    "orgType": "https://purl.org/ctdl/vocabs/orgType/",
    "audLevel": "https://purl.org/ctdl/vocabs/audLevel/",
    "assessMethod": "https://purl.org/ctdl/vocabs/assessMethod/",
}

# Older or sloppy spellings of the same namespaces seen in published data.
_ALIASES: dict[str, str] = {
    "http://schema.org/": "schema",
    "http://purl.org/ctdl/terms/": "ceterms",
    "http://purl.org/ctdlasn/terms/": "ceasn",
    "https://credreg.net/ctdl/terms/": "ceterms",
    "https://credreg.net/ctdlasn/terms/": "ceasn",
}

_BY_LENGTH = sorted(
    [(iri, prefix) for prefix, iri in NAMESPACES.items()] + list(_ALIASES.items()),
    key=lambda item: -len(item[0]),
)

_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_PREFERRED_LANGUAGES = ("en", "en-US", "en-GB")


def compact_iri(iri: str) -> str:
    """Shorten a full IRI in a known namespace to ``prefix:local``; others are returned as is."""
    for namespace, prefix in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def expand_iri(curie: str) -> str:
    """Expand ``prefix:local`` with :data:`NAMESPACES`; anything else is returned as is."""
    prefix, sep, local = curie.partition(":")
    if sep and prefix in NAMESPACES and not local.startswith("//"):
        return NAMESPACES[prefix] + local
    return curie


def local_name(iri: str) -> str:
    """Return the part of an IRI or CURIE after the last ``/``, ``#`` or ``:``."""
    return re.split(r"[/#:]", iri.rstrip("/"))[-1]


@dataclass
class Graph:
    """Flattened nodes of one or more JSON-LD documents.

    Attributes
    ----------
    nodes : dict
        ``@id`` -> node; a node maps ``@id`` to its id, ``@type`` to a list of compact
        types and every other compact key to a list of plain values.
    where : dict
        ``@id`` -> ``(file, JSON path)`` of the node's first occurrence.
    order : list
        Node ids in reading order (top-level nodes first within each document).

    """

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    where: dict[str, tuple[str, str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    _blank: int = 0

    def get(self, node_id: Any) -> dict[str, Any] | None:
        """Return the node with this id, or None."""
        return self.nodes.get(node_id) if isinstance(node_id, str) else None

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        """Return the nodes having any of ``types``, in reading order."""
        wanted = set(types)
        return [n for i in self.order if wanted.intersection((n := self.nodes[i])["@type"])]


def flatten(
    document: Any,
    *,
    graph: Graph | None = None,
    file: str = "",
    default_prefix: str = "ceterms",
) -> Graph:
    """Flatten a JSON-LD document (compact or expanded) into ``graph``.

    Parameters
    ----------
    document : Any
        A node, a list of nodes, or an object with ``@graph``.
    graph : Graph, optional
        Add to this graph (nodes with the same ``@id`` are merged); a new one by default.
    file : str, optional
        The file name recorded in :attr:`Graph.where`.
    default_prefix : str, optional
        Prefix given to keys that have none (older CTDL drafts wrote ``name``).

    Returns
    -------
    Graph
        The graph the nodes were added to.

    """
    graph = graph if graph is not None else Graph()
    _Flattener(graph, file, default_prefix).top(document, "$")
    return graph


class _Flattener:
    def __init__(self, graph: Graph, file: str, default_prefix: str) -> None:
        self.graph = graph
        self.file = file
        self.default_prefix = default_prefix

    def key(self, key: str) -> str:
        if key.startswith("@"):
            return key
        if "://" in key:
            return compact_iri(key)
        if ":" in key:
            return key
        return f"{self.default_prefix}:{key}"

    def top(self, document: Any, path: str) -> None:
        if isinstance(document, list):
            for index, item in enumerate(document):
                self.top(item, f"{path}[{index}]")
        elif isinstance(document, dict):
            if "@graph" in document:
                self.top(document["@graph"], f'{path}["@graph"]')
                # an envelope may also describe itself (rare); only if it has a type
                if "@type" in document:
                    self.node(document, path)
            else:
                self.node(document, path)

    def node(self, obj: dict[str, Any], path: str) -> str:
        node_id = obj.get("@id")
        if not isinstance(node_id, str) or not node_id:
            self.graph._blank += 1
            node_id = f"_:b{self.graph._blank}"
        types = obj.get("@type", [])
        types = [types] if isinstance(types, str) else [t for t in types if isinstance(t, str)]
        node = self.graph.nodes.get(node_id)
        if node is None:
            node = {"@id": node_id, "@type": []}
            self.graph.nodes[node_id] = node
            self.graph.where[node_id] = (self.file, path)
            self.graph.order.append(node_id)
        for kind in types:
            kind = self.key(kind) if "://" in kind or ":" not in kind else kind
            if kind not in node["@type"]:
                node["@type"].append(kind)
        for raw_key, raw_value in obj.items():
            if raw_key in ("@id", "@type", "@context", "@graph"):
                continue
            key = self.key(raw_key)
            items = raw_value if isinstance(raw_value, list) else [raw_value]
            target = node.setdefault(key, [])
            for index, item in enumerate(items):
                item_path = f'{path}["{raw_key}"]' + (f"[{index}]" if isinstance(raw_value, list) else "")
                for value in self.value(item, item_path):
                    if value not in target:
                        target.append(value)
            if not target:
                del node[key]
        return node_id

    def value(self, item: Any, path: str) -> list[Any]:
        if item is None:
            return []
        if isinstance(item, list):
            out: list[Any] = []
            for index, sub in enumerate(item):
                out.extend(self.value(sub, f"{path}[{index}]"))
            return out
        if not isinstance(item, dict):
            return [item]
        if "@value" in item:
            return [] if item["@value"] is None else [item["@value"]]
        if "@list" in item or "@set" in item:
            return self.value(item.get("@list", item.get("@set")), path)
        if set(item) == {"@id"}:
            return [item["@id"]]
        if item and all(isinstance(k, str) and _LANG_TAG.match(k) for k in item):
            return _language_map(item)
        return [self.node(item, path)]


def _language_map(item: dict[str, Any]) -> list[str]:
    ordered = [lang for lang in _PREFERRED_LANGUAGES if lang in item]
    ordered += [lang for lang in item if lang not in ordered]
    for lang in ordered:
        value = item[lang]
        texts = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v.strip()]
        if texts:
            return texts
    return []


def values(node: dict[str, Any] | None, *keys: str) -> list[Any]:
    """Return every value of any of ``keys`` (compact IRIs) on ``node``, in order."""
    if not node:
        return []
    out: list[Any] = []
    for key in keys:
        for value in node.get(key, []):
            if value not in out:
                out.append(value)
    return out


def first(node: dict[str, Any] | None, *keys: str, default: Any = None) -> Any:
    """Return the first value of any of ``keys`` on ``node``, or ``default``."""
    found = values(node, *keys)
    return found[0] if found else default


def text(node: dict[str, Any] | None, *keys: str) -> str | None:
    """Return the first non-empty string value of ``keys``, stripped, or None."""
    for value in values(node, *keys):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def iter_refs(items: Iterable[Any]) -> list[str]:
    """Keep the string values (references) of ``items``, in order, without repeats."""
    out: list[str] = []
    for item in items:
        if isinstance(item, str) and item not in out:
            out.append(item)
    return out


def rename_nodes(graph: Graph, names: dict[str, str]) -> None:
    """Give nodes new ids (``old -> new``), merging nodes that end up with one id.

    Every reference to an old id is rewritten too, so two spellings of one resource (a
    Registry record's ``/graph/`` and ``/resources/`` URIs, or a blank node carrying the
    record's CTID) become one node. Values of a merged node are united, first seen first.
    """
    names = {old: new for old, new in names.items() if old != new}
    if not names:
        return
    order: list[str] = []
    nodes: dict[str, dict[str, Any]] = {}
    where: dict[str, tuple[str, str]] = {}
    for old in graph.order:
        node = graph.nodes[old]
        new = names.get(old, old)
        for key, vals in node.items():
            if key not in ("@id", "@type"):
                renamed: list[Any] = []
                for value in vals:
                    value = names.get(value, value) if isinstance(value, str) else value
                    if value not in renamed:
                        renamed.append(value)
                node[key] = renamed
        target = nodes.get(new)
        if target is None:
            node["@id"] = new
            nodes[new] = node
            where[new] = graph.where.get(old, ("", ""))
            order.append(new)
            continue
        for kind in node["@type"]:
            if kind not in target["@type"]:
                target["@type"].append(kind)
        for key, vals in node.items():
            if key in ("@id", "@type"):
                continue
            merged = target.setdefault(key, [])
            merged.extend(v for v in vals if v not in merged)
    graph.nodes, graph.where, graph.order = nodes, where, order
