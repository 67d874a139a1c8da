"""Graph construction and queries on a small hand-built catalogue."""

from __future__ import annotations

import networkx as nx
import pytest

from planner.catalogue.graph import (
    MissingNeed,
    build_graph,
    counts_towards,
    covered_by_holdings,
    missing_for_role,
    prerequisite_closure,
    role_needs,
    teachers,
    unlocks,
)
from planner.catalogue.models import Catalogue, Holding, LearnerProfile


def _cred(cid: str, provider: str = "p1", **kw: object) -> dict:
    return {"id": cid, "title": cid.upper(), "provider": provider, "type": kw.pop("type", "micro_credential"),
            "ects": kw.pop("ects", 5), **kw}


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue.model_validate({
        "providers": [{"id": "p1", "name": "Uni One", "country": "DE", "kind": "university"},
                      {"id": "p2", "name": "Online Two", "country": "FR", "kind": "online_platform"}],
        "competencies": [{"id": "python", "label": "Python"}, {"id": "stats", "label": "Statistics"},
                         {"id": "ml", "label": "Machine learning", "broader": "ai"},
                         {"id": "ai", "label": "Artificial intelligence"}],
        "credentials": [
            _cred("py1", teaches=[{"competency": "python", "level": 1}]),
            _cred("py2", teaches=[{"competency": "python", "level": 2}], requires=[{"credential": "py1"}]),
            _cred("st2", provider="p2", teaches=[{"competency": "stats", "level": 2}]),
            _cred("ml3", teaches=[{"competency": "ml", "level": 3}],
                  requires=[{"any_of": [{"competency": "python", "level": 2}, {"credential": "st2"}]},
                            {"competency": "stats", "level": 2}]),
            _cred("cert", type="certificate", ects=15,
                  award={"rule": {"all_of": [{"credential": "ml3"},
                                             {"credits": 5, "from": ["py2", "st2"], "id": "electives"}]}}),
        ],
        "recognitions": [{"id": "r1", "provider": "p1", "credential": "py1", "award": "cert", "credits": 2}],
        "roles": [{"id": "ds", "title": "Data scientist",
                   "needs": [{"competency": "ml", "level": 3}, {"competency": "stats", "level": 2},
                             {"competency": "python", "level": 2, "essential": False}]}],
    })


@pytest.fixture(scope="module")
def G(cat: Catalogue) -> nx.MultiDiGraph:
    return build_graph(cat)


def test_nodes_are_namespaced_and_typed(G: nx.MultiDiGraph) -> None:
    kinds = {n: d["kind"] for n, d in G.nodes(data=True)}
    assert kinds["credential:py1"] == "credential"
    assert kinds["competency:python"] == "competency"
    assert kinds["role:ds"] == "role"
    assert kinds["provider:p2"] == "provider"
    assert all(n.split(":", 1)[0] == k for n, k in kinds.items())
    assert G.nodes["credential:cert"]["is_award"] is True
    assert G.nodes["credential:st2"]["provider"] == "p2"


def test_edges_are_typed_with_attributes(G: nx.MultiDiGraph) -> None:
    assert G.edges["credential:py2", "competency:python", "teaches:python"]["level"] == 2
    assert G.edges["credential:py1", "credential:py2", "requires:0:0"]["kind"] == "requires"
    e = G.edges["competency:python", "credential:ml3", "requires:0:0"]
    assert (e["level"], e["group"]) == (2, 0)
    assert G.edges["competency:stats", "credential:ml3", "requires:1:0"]["level"] == 2
    assert G.edges["credential:st2", "credential:ml3", "requires:0:1"]["group"] == 0
    assert G.edges["role:ds", "competency:python", "needs:python"]["essential"] is False
    assert G.has_edge("credential:st2", "provider:p2", "offered_by")
    assert G.has_edge("competency:ml", "competency:ai", "broader")
    rec = G.edges["credential:py1", "credential:cert", "counts_towards:recognition:r1"]
    assert (rec["source"], rec["credits"], rec["pool"]) == ("recognition", 2, "electives")
    assert G.edges["credential:py1", "provider:p1", "recognised_by:r1"]["award"] == "cert"
    rule = G.edges["credential:st2", "credential:cert", "counts_towards:rule:0.1"]
    assert (rule["source"], rule["credits"], rule["pool"]) == ("rule", 5, "electives")
    kinds = {d["kind"] for _, _, d in G.edges(data=True)}
    assert kinds == {"teaches", "requires", "counts_towards", "recognised_by", "needs", "offered_by",
                     "broader"}


def test_teachers_filters_by_level_and_sorts(G: nx.MultiDiGraph) -> None:
    assert teachers(G, "python") == [("py1", 1), ("py2", 2)]
    assert teachers(G, "python", min_level=2) == [("py2", 2)]
    assert teachers(G, "ai") == []
    assert teachers(G, "no-such-thing") == []


def test_prerequisite_closure_follows_competency_prerequisites(G: nx.MultiDiGraph) -> None:
    # ml3 needs python>=2 (py2, which needs py1) or st2, and stats>=2 (st2)
    assert prerequisite_closure(G, "ml3") == ("py1", "py2", "st2")
    assert prerequisite_closure(G, "py2") == ("py1",)
    assert prerequisite_closure(G, "py1") == ()


def test_counts_towards_rules_and_recognitions(G: nx.MultiDiGraph) -> None:
    assert counts_towards(G, "py1") == [("cert", 2.0, "recognition")]
    assert counts_towards(G, "ml3") == [("cert", 5.0, "rule")]
    assert counts_towards(G, "cert") == []


def test_unlocks_direct_and_through_competencies(G: nx.MultiDiGraph) -> None:
    assert unlocks(G, "py1") == ("py2",)
    assert unlocks(G, "py2") == ("ml3",)  # teaches python at 2
    assert unlocks(G, "st2") == ("ml3",)
    assert unlocks(G, "ml3") == ()


def test_role_needs_essential_first(G: nx.MultiDiGraph) -> None:
    assert role_needs(G, "ds") == [("ml", 3, True), ("stats", 2, True), ("python", 2, False)]


def test_covered_by_holdings_and_missing(G: nx.MultiDiGraph, cat: Catalogue) -> None:
    known = covered_by_holdings(G, ["py1", "py2"], {"stats": 1})
    assert known == {"python": 2, "stats": 1}
    profile = LearnerProfile(holdings=[Holding(credential="st2", earned="2024-01-01")],
                             competencies=[{"competency": "python", "level": 1}])
    assert covered_by_holdings(G, profile) == {"python": 1, "stats": 2}
    assert covered_by_holdings(G, cat, ["py1", "py2"], {"stats": 1}) == known  # catalogue-first form
    missing = missing_for_role(G, "ds", known)
    assert missing == [MissingNeed("ml", 3, 0, True), MissingNeed("stats", 2, 1, True)]
    assert missing_for_role(G, "ds", {"ml": 3, "stats": 2, "python": 2}) == []


def test_build_is_deterministic(cat: Catalogue) -> None:
    a, b = build_graph(cat), build_graph(cat)
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))


def test_sample_catalogue_graph(catalogue_dir) -> None:
    if not any(catalogue_dir.glob("*.y*ml")):
        pytest.fail("the bundled sample catalogue is missing: the project ships it")
    from planner.catalogue.loader import load

    cat = load(catalogue_dir)
    G = build_graph(cat)
    assert sum(1 for _, d in G.nodes(data=True) if d["kind"] == "credential") == len(cat.credentials)
    for cred in cat.credentials:
        for pre in prerequisite_closure(G, cred.id):
            assert pre != cred.id


@pytest.mark.parametrize("first_essential", [False, True])
def test_a_competency_listed_twice_keeps_the_stricter_level_and_essential(cat: Catalogue, first_essential) -> None:
    """One need optional at level 2 and the same competency essential at level 1 (either order):
    the role needs it at level 2, and essentially (essential if either listing says so)."""
    data = cat.model_dump(mode="json", by_alias=True, exclude_none=True)
    listings = [{"competency": "python", "level": 2, "essential": first_essential},
                {"competency": "python", "level": 1, "essential": not first_essential}]
    data["roles"][0]["needs"] = [n for n in data["roles"][0]["needs"] if n["competency"] != "python"] + listings
    needs = dict((c, (lv, e)) for c, lv, e in role_needs(build_graph(Catalogue.model_validate(data)), "ds"))
    assert needs["python"] == (2, True)
