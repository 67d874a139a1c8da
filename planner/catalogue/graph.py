"""The catalogue as a typed NetworkX graph, and the queries the engine and analyses use.

Nodes are namespaced ids (``credential:ID``, ``competency:ID``, ``role:ID``,
``provider:ID``) with a ``kind`` attribute. Edges are typed by their ``kind`` attribute,
which is also the first part of the edge key, so parallel edges of different kinds
between the same two nodes never collide:

========================  ===========================  ====================================
kind                      direction                    attributes
========================  ===========================  ====================================
``teaches``               credential → competency      ``level``
``requires``              credential|competency →      ``group``, ``alternative``, ``level``
                          credential (prerequisite →   (level only for competencies)
                          dependent)
``counts_towards``        credential → award           ``credits``, ``source`` (``rule`` or
                                                       ``recognition``), ``pool``,
                                                       ``agreement``, ``equivalent_to``
``recognised_by``         credential → provider        ``agreement``, ``award``
``needs``                 role → competency            ``level``, ``essential``
``offered_by``            credential → provider
``broader``               competency → competency      (narrower → broader)
========================  ===========================  ====================================

Build the graph once (:func:`build_graph` is linear in the catalogue size) and run the
queries on it; every query returns sorted, deterministic output.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from planner.catalogue.models import (
    Catalogue,
    CompetencyLevel,
    Credential,
    Holding,
    LearnerProfile,
    RecognitionAgreement,
    Role,
    Rule,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
)

__all__ = [
    "MissingNeed",
    "build_graph",
    "competency_node",
    "counts_towards",
    "covered_by_holdings",
    "credential_node",
    "missing_for_role",
    "node_id",
    "prerequisite_closure",
    "provider_node",
    "role_needs",
    "role_node",
    "split_node",
    "teachers",
    "unlocks",
    "walk_rules",
]


# --------------------------------------------------------------------------- node ids


def node_id(kind: str, item_id: str) -> str:
    """Namespaced node id, e.g. ``node_id("credential", "py101") == "credential:py101"``."""
    return f"{kind}:{item_id}"


def credential_node(item_id: str) -> str:
    """Node id of a credential."""
    return "credential:" + item_id


def competency_node(item_id: str) -> str:
    """Node id of a competency."""
    return "competency:" + item_id


def role_node(item_id: str) -> str:
    """Node id of a role."""
    return "role:" + item_id


def provider_node(item_id: str) -> str:
    """Node id of a provider."""
    return "provider:" + item_id


def split_node(node: str) -> tuple[str, str]:
    """Split a node id into ``(kind, id)``."""
    kind, _, item_id = node.partition(":")
    return kind, item_id


# --------------------------------------------------------------------------- rule walking


def walk_rules(rule: Rule, path: str = "0") -> Iterator[tuple[str, Rule]]:
    """Yield ``(path, node)`` for every node of an award rule tree, depth first.

    Paths are dotted child indices from the root (``"0"``, ``"0.1"``, ``"0.1.2"``), so they
    are stable and readable in reports.
    """
    stack: list[tuple[str, Rule]] = [(path, rule)]  # iterative: depth comes from the data
    while stack:
        here, node = stack.pop()
        yield here, node
        if isinstance(node, RuleAllOf):
            children = node.all_of
        elif isinstance(node, RuleNOf):
            children = node.of
        else:
            continue
        stack.extend((f"{here}.{index}", child) for index, child in reversed(list(enumerate(children))))


def _first_pool(rule: Rule) -> tuple[str, RuleCredits] | None:
    for path, node in walk_rules(rule):
        if isinstance(node, RuleCredits):
            return path, node
    return None


# --------------------------------------------------------------------------- build


def build_graph(catalogue: Catalogue) -> nx.MultiDiGraph:
    """Build the typed graph of a catalogue.

    Parameters
    ----------
    catalogue : Catalogue
        A validated catalogue. References to unknown ids (which validation reports) are
        skipped rather than creating untyped nodes.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes carry ``kind`` plus descriptive attributes; edges carry ``kind`` and the
        attributes listed in the module docstring. ``G.graph["name"]`` holds the
        catalogue's name.

    """
    # Gather plain tuples first and add them in bulk: on 100k credentials this is several
    # times faster than add_edge per edge, and pausing the cyclic GC while half a million
    # small dicts are created avoids repeated full collections (nothing here forms cycles).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(catalogue)
    finally:
        if was_enabled:
            gc.enable()


_EdgeKey = tuple[str, str, str]


def _build(catalogue: Catalogue) -> nx.MultiDiGraph:
    """The graph of :func:`build_graph`: nodes first, then edges in catalogue order."""
    nodes = _nodes(catalogue)
    known = {n for n, _ in nodes}
    ects = {c.id: c.ects or 0.0 for c in catalogue.credentials}
    edges: dict[_EdgeKey, dict[str, Any]] = {}
    for c in catalogue.competencies:
        if c.broader and competency_node(c.broader) in known:
            edges[(competency_node(c.id), competency_node(c.broader), "broader")] = {"kind": "broader"}
    for cred in catalogue.credentials:
        _credential_edges(cred, known, ects, edges)
    for agreement in catalogue.recognitions:
        _recognition_edges(catalogue, agreement, known, edges)
    for role in catalogue.roles:
        _role_edges(role, known, edges)
    G = nx.MultiDiGraph(name=catalogue.meta.name)
    G.add_nodes_from(nodes)
    G.add_edges_from((u, v, k, d) for (u, v, k), d in edges.items())
    return G


def _nodes(catalogue: Catalogue) -> list[tuple[str, dict[str, Any]]]:
    """Every provider, competency, credential and role node with its attributes."""
    nodes: list[tuple[str, dict[str, Any]]] = []
    nodes += [(provider_node(p.id), {"kind": "provider", "id": p.id, "label": p.name, "country": p.country,
                                     "provider_kind": str(p.kind)}) for p in catalogue.providers]
    nodes += [(competency_node(c.id), {"kind": "competency", "id": c.id, "label": c.label, "type": str(c.type),
                                       "framework": str(c.framework), "uri": c.uri})
              for c in catalogue.competencies]
    nodes += [(credential_node(c.id), {"kind": "credential", "id": c.id, "label": c.title, "type": str(c.type),
                                       "provider": c.provider, "sector": c.sector, "ects": c.ects,
                                       "eqf_level": c.eqf_level, "is_award": c.award is not None})
              for c in catalogue.credentials]
    nodes += [(role_node(r.id), {"kind": "role", "id": r.id, "label": r.title, "sector": r.sector})
              for r in catalogue.roles]
    return nodes


def _credential_edges(cred: Credential, known: set[str], ects: Mapping[str, float],
                      edges: dict[_EdgeKey, dict[str, Any]]) -> None:
    """Add a credential's offered_by, teaches, requires and (for an award) counts_towards edges."""
    cn = credential_node(cred.id)
    if provider_node(cred.provider) in known:
        edges[(cn, provider_node(cred.provider), "offered_by")] = {"kind": "offered_by"}
    for taught in cred.teaches:
        comp = competency_node(taught.competency)
        if comp not in known:
            continue
        e = (cn, comp, "teaches:" + taught.competency)
        if e in edges:  # listed twice: keep the higher level
            edges[e]["level"] = max(edges[e]["level"], taught.level)
        else:
            edges[e] = {"kind": "teaches", "level": taught.level}
    for g_index, group in enumerate(cred.requires):
        for a_index, alt in enumerate(group.any_of):
            if alt.credential is not None:
                src, level = credential_node(alt.credential), None
            else:
                src, level = competency_node(alt.competency or ""), alt.level
            if src in known:
                edges[(src, cn, f"requires:{g_index}:{a_index}")] = {
                    "kind": "requires", "group": g_index, "alternative": a_index, "level": level}
    if cred.award is None:
        return
    for path, rule in walk_rules(cred.award.rule):
        if isinstance(rule, RuleCredential):
            members, pool = [rule.credential], None
        elif isinstance(rule, RuleCredits):
            members, pool = rule.from_, rule.id or path
        else:
            continue
        for member in members:
            src = credential_node(member)
            if src in known:
                edges[(src, cn, "counts_towards:rule:" + path)] = {
                    "kind": "counts_towards", "source": "rule", "credits": ects.get(member, 0.0),
                    "pool": pool, "rule_path": path, "agreement": None, "equivalent_to": None}


def _recognition_edges(catalogue: Catalogue, agreement: RecognitionAgreement, known: set[str],
                       edges: dict[_EdgeKey, dict[str, Any]]) -> None:
    """Add an agreement's counts_towards edge (into the award's first pool when it names none) and recognised_by."""
    src, award = credential_node(agreement.credential), credential_node(agreement.award)
    if src not in known or award not in known:
        return
    pool = agreement.pool
    if pool is None and agreement.equivalent_to is None:
        spec = catalogue.credential(agreement.award).award
        first = _first_pool(spec.rule) if spec else None
        if first is not None:
            pool = first[1].id or first[0]
    edges[(src, award, "counts_towards:recognition:" + agreement.id)] = {
        "kind": "counts_towards", "source": "recognition", "credits": agreement.credits, "pool": pool,
        "rule_path": None, "agreement": agreement.id, "equivalent_to": agreement.equivalent_to,
        "valid_from": agreement.valid_from, "valid_until": agreement.valid_until}
    if provider_node(agreement.provider) in known:
        edges[(src, provider_node(agreement.provider), "recognised_by:" + agreement.id)] = {
            "kind": "recognised_by", "agreement": agreement.id, "award": agreement.award}


def _role_edges(role: Role, known: set[str], edges: dict[_EdgeKey, dict[str, Any]]) -> None:
    """Add a role's needs edges (a competency listed twice: the stricter need wins)."""
    rn = role_node(role.id)
    for need in role.needs:
        comp = competency_node(need.competency)
        if comp not in known:
            continue
        e = (rn, comp, "needs:" + need.competency)
        if e in edges:
            edges[e]["level"] = max(edges[e]["level"], need.level)
            edges[e]["essential"] = edges[e]["essential"] or need.essential
        else:
            edges[e] = {"kind": "needs", "level": need.level, "essential": need.essential}


# --------------------------------------------------------------------------- queries


def _edges(G: nx.MultiDiGraph, node: str, kind: str, *, out: bool) -> Iterator[tuple[str, str, dict]]:
    if node not in G:
        return
    edges = G.out_edges(node, data=True) if out else G.in_edges(node, data=True)
    for u, v, data in edges:
        if data.get("kind") == kind:
            yield u, v, data


def teachers(G: nx.MultiDiGraph, competency_id: str, min_level: int = 1) -> list[tuple[str, int]]:
    """Credentials that teach a competency at ``min_level`` or above.

    Returns
    -------
    list of (credential_id, level)
        Sorted by credential id.

    """
    found = [(split_node(u)[1], data["level"])
             for u, _, data in _edges(G, competency_node(competency_id), "teaches", out=False)
             if data["level"] >= min_level]
    return sorted(found)


def prerequisite_closure(G: nx.MultiDiGraph, credential_id: str) -> tuple[str, ...]:
    """Every credential that may be needed, directly or transitively, before this one.

    A credential prerequisite contributes itself; a competency prerequisite at level ``l``
    contributes every credential that teaches the competency at ``l`` or above. All
    alternatives of OR groups are included (this is the candidate set a route search
    prunes to, not one route). The credential itself is excluded.

    Returns
    -------
    tuple of str
        Credential ids, sorted.

    """
    start = credential_node(credential_id)
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        for u, _, data in _edges(G, node, "requires", out=False):
            kind, item = split_node(u)
            if kind == "credential":
                new = [u]
            else:
                new = [credential_node(c) for c, _ in teachers(G, item, data["level"] or 0)]
            for n in new:
                if n not in seen and n != start:
                    seen.add(n)
                    stack.append(n)
    return tuple(sorted(split_node(n)[1] for n in seen))


def counts_towards(G: nx.MultiDiGraph, credential_id: str) -> list[tuple[str, float, str]]:
    """Awards a credential counts towards, by award rules or recognition agreements.

    Returns
    -------
    list of (award_id, credits, source)
        ``source`` is ``"rule"`` or ``"recognition"``. One entry per award and source
        (the largest credits when the credential appears several times), sorted.

    """
    best: dict[tuple[str, str], float] = {}
    for _, v, data in _edges(G, credential_node(credential_id), "counts_towards", out=True):
        key = (split_node(v)[1], data["source"])
        best[key] = max(best.get(key, 0.0), float(data["credits"] or 0.0))
    return sorted((award, credits, source) for (award, source), credits in best.items())


def unlocks(G: nx.MultiDiGraph, credential_id: str) -> tuple[str, ...]:
    """Credentials with a prerequisite alternative this credential meets.

    Meeting one alternative of one group is enough to be listed: the credential *helps*
    unlock them (other groups may still need other things).

    Returns
    -------
    tuple of str
        Credential ids, sorted.

    """
    node = credential_node(credential_id)
    found: set[str] = set()
    for _, v, _ in _edges(G, node, "requires", out=True):
        found.add(split_node(v)[1])
    for _, comp, taught in _edges(G, node, "teaches", out=True):
        for _, v, data in _edges(G, comp, "requires", out=True):
            if (data["level"] or 0) <= taught["level"]:
                found.add(split_node(v)[1])
    found.discard(credential_id)
    return tuple(sorted(found))


def role_needs(G: nx.MultiDiGraph, role_id: str) -> list[tuple[str, int, bool]]:
    """List what a role needs.

    Returns
    -------
    list of (competency_id, level, essential)
        Essential needs first, then by competency id.

    """
    needs = [(split_node(v)[1], data["level"], data["essential"])
             for _, v, data in _edges(G, role_node(role_id), "needs", out=True)]
    return sorted(needs, key=lambda n: (not n[2], n[0]))


def covered_by_holdings(
    G: nx.MultiDiGraph,
    holdings: Catalogue | LearnerProfile | Iterable[str | Holding] = (),
    known: Mapping[str, int] | Iterable[CompetencyLevel | tuple[str, int]] | LearnerProfile = (),
    extra: Mapping[str, int] | Iterable[CompetencyLevel | tuple[str, int]] = (),
) -> dict[str, int]:
    """Competency levels a learner already has, from held credentials and declared skills.

    Call it as ``covered_by_holdings(G, holdings, known)`` or, equivalently, with the
    catalogue first: ``covered_by_holdings(G, catalogue, holdings, known)`` (the graph
    already holds everything needed, so the catalogue is accepted and ignored).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The catalogue graph.
    holdings : LearnerProfile or iterable of credential ids / Holding
        A whole profile (its holdings and declared competencies are both used) or the
        held credentials.
    known : mapping or iterable
        Extra declared competency levels.
    extra : mapping or iterable
        Declared levels when the catalogue is passed first.

    Returns
    -------
    dict
        Competency id to the highest level held, keys sorted. Levels are not additive and
        a narrower competency does not imply its broader one.

    """
    if isinstance(holdings, Catalogue):  # the (G, catalogue, holdings, known) form
        holdings, known = known, extra  # type: ignore[assignment]
    if isinstance(holdings, LearnerProfile):
        profile = holdings
        held: list[str] = [h.credential for h in profile.holdings]
        declared: list[tuple[str, int]] = [(c.competency, c.level) for c in profile.competencies]
    else:
        held = [h.credential if isinstance(h, Holding) else h for h in holdings]
        declared = []
    if isinstance(known, Mapping):
        declared += list(known.items())
    else:
        declared += [(k.competency, k.level) if isinstance(k, CompetencyLevel) else (k[0], k[1])
                     for k in known]
    levels: dict[str, int] = {}
    for comp, level in declared:
        levels[comp] = max(levels.get(comp, level), level)
    for cred in held:
        for _, comp, data in _edges(G, credential_node(cred), "teaches", out=True):
            cid = split_node(comp)[1]
            levels[cid] = max(levels.get(cid, data["level"]), data["level"])
    return dict(sorted(levels.items()))


@dataclass(frozen=True)
class MissingNeed:
    """A role need the learner does not yet meet."""

    competency_id: str
    level: int
    have: int  # 0 when the competency is not held at all
    essential: bool


def missing_for_role(G: nx.MultiDiGraph, role_id: str, known: Mapping[str, int]) -> list[MissingNeed]:
    """Needs of a role not met by ``known`` (e.g. the output of :func:`covered_by_holdings`).

    Returns
    -------
    list of MissingNeed
        Essential needs first, then by competency id.

    """
    missing = []
    for comp, level, essential in role_needs(G, role_id):
        have = known.get(comp, 0)
        if have < level:
            missing.append(MissingNeed(comp, level, have, essential))
    return missing
