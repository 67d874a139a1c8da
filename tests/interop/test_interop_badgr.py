"""Badgr native pathway JSON import, and agreement with the CTDL form of the same pathways."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from planner.catalogue.models import Catalogue, LearnerProfile, Target
from planner.interop import badgr, ctdl
from tests.conftest import reference_file

BADGR = "credentialengine-schema-development/pathways/Badgr"
PAIRS = [
    ("EmpoweringTeachingExcellence_Badgr.json", "Badgr (Final) - EmpoweringTeachingExcellence_Nate.json"),
    ("French-B-A-Marketable-Skills.json", "Badgr (Final) - CTDL-French_BA_Marketable_Skills-Nates.json"),
]


def elements(tree: dict[str, Any]):
    yield tree
    for child in tree["children"]:
        yield from elements(child)


def walk(rule: dict[str, Any]):
    yield rule
    for child in rule.get("all_of", rule.get("of", [])):
        yield from walk(child)


def canonical(rule: dict[str, Any], urls: dict[str, str]) -> Any:
    """Structure of a rule with badges named by URL; labels and nesting of all-of ignored."""
    if "credential" in rule:
        return ("badge", urls[rule["credential"]])
    children = rule.get("all_of", rule.get("of", []))
    if "all_of" in rule or rule["n_of"] == len(children):
        flat: list[Any] = []
        for child in (canonical(c, urls) for c in children):
            flat.extend(child[1] if child[0] == "all" else [child])
        items = sorted(set(flat), key=repr)
        return items[0] if len(items) == 1 else ("all", tuple(items))
    return ("n", rule["n_of"], tuple(sorted((canonical(c, urls) for c in children), key=repr)))


def structure(result) -> dict[str, Any]:
    urls = {c["id"]: c["url"] for c in result.catalogue["credentials"]}
    return {c["url"]: canonical(c["award"]["rule"], urls) for c in result.catalogue["credentials"] if "award" in c}


@pytest.mark.parametrize(("native", "ctdl_form"), PAIRS)
def test_native_and_ctdl_forms_have_the_same_structure(native, ctdl_form):
    a = badgr.import_files([reference_file(f"{BADGR}/{native}")])
    b = ctdl.import_files([reference_file(f"{BADGR}/{ctdl_form}")])
    assert a.ok and b.ok, (a.errors, b.errors)
    assert {c["url"] for c in a.catalogue["credentials"]} == {c["url"] for c in b.catalogue["credentials"]}
    assert structure(a) == structure(b)
    assert len(structure(a)) >= 4


def test_french_counts_and_required_counts_match_the_file():
    path = reference_file(f"{BADGR}/French-B-A-Marketable-Skills.json")
    tree = json.loads(path.read_text())
    with_badge = [e for e in elements(tree) if e.get("completionBadge")]
    badge_urls = {b["badgeUrl"] for e in elements(tree)
                  for b in e["requirements"]["badgeRequirements"].get("requiredBadges") or []}
    result = badgr.import_files([path])
    assert result.ok
    by_url = {c["url"]: c for c in result.catalogue["credentials"]}
    assert set(by_url) == badge_urls | {e["completionBadge"]["badgeUrl"] for e in with_badge}
    assert sum("award" in c for c in by_url.values()) == len(with_badge) == 6
    # every atLeastN of the file appears as an n_of of that size over the same items
    expected = sorted(
        (rule["requiredCount"], len(block.get("requiredBadges") or e["children"]))
        for e in elements(tree)
        for block in (e["requirements"]["badgeRequirements"], e["requirements"]["childElementRequirements"])
        if (rule := block["countRule"])["@type"] == "atLeastN" and rule["requiredCount"] > 0
    )
    found = sorted((n["n_of"], len(n["of"])) for c in by_url.values() if "award" in c
                   for n in walk(c["award"]["rule"]) if "n_of" in n)
    assert found == expected
    root = by_url[tree["completionBadge"]["badgeUrl"]]
    assert root["award"]["rule"]["label"] == tree["name"]
    assert [by_id_url(result, c["credential"]) for c in root["award"]["rule"]["all_of"]] == [
        e["completionBadge"]["badgeUrl"] for e in tree["children"]]


def by_id_url(result, cred_id: str) -> str:
    return next(c["url"] for c in result.catalogue["credentials"] if c["id"] == cred_id)


@pytest.mark.parametrize("native", [p[0] for p in PAIRS])
def test_route_to_the_pathway_badge(native):
    routing = pytest.importorskip("planner.engine.routing", reason="the route engine is not built yet")
    path = reference_file(f"{BADGR}/{native}")
    tree = json.loads(path.read_text())
    result = badgr.import_files([path])
    root = next(c for c in result.catalogue["credentials"] if c["url"] == tree["completionBadge"]["badgeUrl"])
    rec = routing.recommend(Catalogue.model_validate(result.catalogue), LearnerProfile(),
                            Target(kind="award", id=root["id"]), today=dt.date(2026, 9, 1))
    assert rec.feasible, rec.diagnoses
    assert root["id"] in rec.best.credential_ids


def _tree(**requirements: Any) -> dict[str, Any]:
    base = {"childElementRequirements": {"countRule": {"@type": "all"}},
            "nonChildElementRequirements": {"countRule": {"@type": "all"}, "elementIds": []},
            "badgeRequirements": {"countRule": {"@type": "all"}, "requiredBadges": []}}
    base.update(requirements)
    return {"elementId": "root", "name": "Root", "completionBadge": {"badgeUrl": "https://badgr.example/b/root"},
            "requirements": base, "requiredForParentCompletion": True, "children": []}


def test_small_tree_rules_and_problems(tmp_path):
    tree = _tree(badgeRequirements={"countRule": {"@type": "atLeastN", "requiredCount": 2},
                                    "requiredBadges": [{"badgeUrl": f"https://badgr.example/b/{x}"}
                                                       for x in "abc"]},
                 nonChildElementRequirements={"countRule": {"@type": "all"}, "elementIds": ["elsewhere"]})
    path = tmp_path / "p.json"
    path.write_text(json.dumps(tree, indent=1))
    result = badgr.import_files([path])
    assert result.ok
    (warning,) = result.warnings
    assert "elsewhere" in warning.message and warning.pointer.endswith("nonChildElementRequirements")
    by_id = {c["id"]: c for c in result.catalogue["credentials"]}
    assert by_id["badge-root"]["award"]["rule"] == {
        "n_of": 2, "of": [{"credential": "badge-a"}, {"credential": "badge-b"}, {"credential": "badge-c"}],
        "label": "Root"}
    Catalogue.model_validate(result.catalogue)


def test_bad_input_is_located_not_raised(tmp_path):
    bad_count = _tree(badgeRequirements={"countRule": {"@type": "atLeastN", "requiredCount": "two"},
                                         "requiredBadges": [{"badgeUrl": "https://badgr.example/b/a"}]})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad_count, indent=1))
    result = badgr.import_files([path])
    assert not result.ok
    assert result.errors[0].pointer.endswith("countRule.requiredCount")
    assert result.errors[0].line is not None
    other = tmp_path / "other.json"
    other.write_text('{"@context": "https://credreg.net/ctdl/schema/context/json"}')
    result = badgr.import_files([other])
    assert not result.ok and "not a Badgr pathway" in result.errors[0].message
