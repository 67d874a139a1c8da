"""Import Badgr's native pathway JSON (an element tree) into catalogue credentials.

A Badgr pathway is a tree of *elements*. An element with a ``completionBadge`` is a
badge a learner earns: it becomes a credential of type ``badge`` whose award rules come
from the element's ``requirements``:

* ``childElementRequirements.countRule`` — ``all`` of the children (those
  ``requiredForParentCompletion``), or ``atLeastN`` with ``requiredCount``;
* ``nonChildElementRequirements`` — the same over other elements named by ``elementIds``;
* ``badgeRequirements`` — the same over ``requiredBadges`` (each a badge, by URL).

An element without a completion badge (a level or a track) is not a credential: where
it is required, its own requirements are inlined. The parts combine with ``all_of``.
Badges are identified by their URL (Badgr's native JSON carries no badge names), so the
same badge reached from the CTDL form of the pathway (``ceterms:sourceData``) has the
same ``url``; ids are ``badge-`` + the badge's slug.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from planner.interop._result import (
    UNKNOWN_PROVIDER,
    ImportProblem,
    ImportResult,
    empty_catalogue,
    line_of,
    read_json_text,
    slug,
    validate_catalogue,
)
from planner.interop.ctdl import generated_label

__all__ = ["import_files", "import_tree"]

_PROVIDER = UNKNOWN_PROVIDER


def import_files(paths: Sequence[Path]) -> ImportResult:
    """Import Badgr pathway JSON files.

    Parameters
    ----------
    paths : sequence of Path
        Badgr pathway exports (one element tree each).

    Returns
    -------
    ImportResult
        Badge credentials with award rules, and every problem found.

    """
    catalogue = empty_catalogue()
    problems: list[ImportProblem] = []
    seen: dict[str, dict[str, Any]] = {}
    for path in paths:
        data, found, text = read_json_text(path)
        problems.extend(found)
        if data is None or any(p.severity == "error" for p in found):
            continue
        result = import_tree(data, file=str(path), text=text)
        problems.extend(result.problems)
        for cred in result.catalogue["credentials"]:
            if cred["id"] not in seen:
                seen[cred["id"]] = cred
    if seen:
        catalogue["providers"] = [dict(_PROVIDER)]
        catalogue["credentials"] = [seen[c] for c in sorted(seen)]
    source = "badgr: " + ", ".join(str(p) for p in paths)
    problems.extend(validate_catalogue(catalogue, file=source))
    return ImportResult(catalogue, None, tuple(problems), source)


def import_tree(tree: Any, *, file: str = "", text: str = "") -> ImportResult:
    """Import one Badgr element tree already parsed from JSON (see :func:`import_files`)."""
    reader = _Reader(file, text)
    if not isinstance(tree, dict) or "elementId" not in tree:
        reader.problem("$", "not a Badgr pathway: expected an object with 'elementId', 'requirements' and "
                       "'children'", None)
        return ImportResult(empty_catalogue(), None, tuple(reader.problems), file)
    reader.index(tree, "$")
    for element_id in reader.order:
        element = reader.elements[element_id]
        url = _badge_url(element.get("completionBadge"))
        if url:
            cred = reader.badge(url, element.get("name"), element.get("description"))
            rule = reader.element_rule(element_id, set())
            if rule is not None:
                cred["award"] = {"rule": rule}
    catalogue = empty_catalogue()
    catalogue["credentials"] = [reader.credentials[c] for c in sorted(reader.credentials)]
    if catalogue["credentials"]:
        catalogue["providers"] = [dict(_PROVIDER)]
    return ImportResult(catalogue, None, tuple(reader.problems), file)


class _Reader:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.problems: list[ImportProblem] = []
        self.elements: dict[str, dict[str, Any]] = {}
        self.paths: dict[str, str] = {}
        self.order: list[str] = []
        self.children: dict[str, list[str]] = {}
        self.credentials: dict[str, dict[str, Any]] = {}
        self.by_url: dict[str, str] = {}

    def problem(self, pointer: str, message: str, element_id: str | None, severity: str = "error") -> None:
        line = line_of(self.text, f'"{element_id}"') if element_id and self.text else None
        self.problems.append(ImportProblem(self.file, line, pointer, message, severity))  # type: ignore[arg-type]

    def index(self, element: dict[str, Any], pointer: str) -> None:
        element_id = str(element.get("elementId"))
        if element_id in self.elements:
            self.problem(pointer, f"element {element_id} appears twice; the first is used", element_id, "warning")
            return
        self.elements[element_id] = element
        self.paths[element_id] = pointer
        self.order.append(element_id)
        kids = []
        for index, child in enumerate(element.get("children") or []):
            if isinstance(child, dict) and "elementId" in child:
                kids.append(str(child["elementId"]))
                self.index(child, f"{pointer}.children[{index}]")
        self.children[element_id] = kids

    def badge(self, url: str, name: Any = None, description: Any = None) -> dict[str, Any]:
        if url in self.by_url:
            cred = self.credentials[self.by_url[url]]
            if name and cred["title"].startswith("Badge "):
                cred["title"] = str(name)[:300]
            return cred
        cred_id = "badge-" + slug(url.rstrip("/").rsplit("/", 1)[-1])
        base, counter = cred_id, 1
        while cred_id in self.credentials:
            counter += 1
            cred_id = f"{base}-{counter}"
        title = str(name).strip() if isinstance(name, str) and name.strip() else f"Badge {url.rsplit('/', 1)[-1]}"
        cred: dict[str, Any] = {"id": cred_id, "title": title[:300], "provider": _PROVIDER["id"], "type": "badge",
                                "url": url}
        if isinstance(description, str) and description.strip():
            cred["description"] = description.strip()[:2000]
        self.credentials[cred_id] = cred
        self.by_url[url] = cred_id
        return cred

    def leaf(self, element_id: str, visiting: set[str]) -> dict[str, Any] | None:
        """What requiring an element means: its badge, or (no badge) its own requirements."""
        element = self.elements[element_id]
        url = _badge_url(element.get("completionBadge"))
        if url:
            return {"credential": self.badge(url, element.get("name"), element.get("description"))["id"]}
        return self.element_rule(element_id, visiting)

    def element_rule(self, element_id: str, visiting: set[str]) -> dict[str, Any] | None:
        if element_id in visiting:
            self.problem(self.paths[element_id], "requirements refer back to this element (a cycle); cut",
                         element_id, "warning")
            return None
        visiting = visiting | {element_id}
        element = self.elements[element_id]
        pointer = self.paths[element_id]
        requirements = element.get("requirements") or {}
        if not isinstance(requirements, dict):
            self.problem(f"{pointer}.requirements", "requirements must be an object", element_id)
            return None
        parts: list[dict[str, Any]] = []

        kids = self.children.get(element_id, [])
        required_kids = [k for k in kids if self.elements[k].get("requiredForParentCompletion", True)]
        part = self.counted(requirements.get("childElementRequirements"), kids, required_kids, visiting,
                            f"{pointer}.requirements.childElementRequirements", element_id, self.leaf)
        if part:
            parts.append(part)

        other = requirements.get("nonChildElementRequirements") or {}
        others = []
        for ref in other.get("elementIds") or []:
            if str(ref) in self.elements:
                others.append(str(ref))
            else:
                self.problem(f"{pointer}.requirements.nonChildElementRequirements", f"element {ref} is not in "
                             "this file; the requirement is ignored", element_id, "warning")
        part = self.counted(other, others, others, visiting,
                            f"{pointer}.requirements.nonChildElementRequirements", element_id, self.leaf)
        if part:
            parts.append(part)

        badges = requirements.get("badgeRequirements") or {}
        urls = [u for u in (_badge_url(b) for b in badges.get("requiredBadges") or []) if u]
        part = self.counted(badges, urls, urls, visiting, f"{pointer}.requirements.badgeRequirements",
                            element_id, lambda url, _v: {"credential": self.badge(url)["id"]})
        if part:
            parts.append(part)
        if not parts:
            return None
        rule = parts[0] if len(parts) == 1 else {"all_of": parts}
        name = element.get("name")
        if isinstance(name, str) and name.strip() and "credential" not in rule and "label" not in rule \
                and name.strip() != generated_label(rule):
            rule = {**rule, "label": name.strip()[:300]}
        return rule

    def counted(self, block: Any, items: list[str], required_items: list[str], visiting: set[str], pointer: str,
                element_id: str, to_rule: Any) -> dict[str, Any] | None:
        """One requirement block: ``countRule`` all / atLeastN over ``items``."""
        if not isinstance(block, dict) or not items:
            return None
        count_rule = block.get("countRule") or {"@type": "all"}
        kind = count_rule.get("@type") if isinstance(count_rule, dict) else None
        if kind == "atLeastN":
            n = count_rule.get("requiredCount")
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                self.problem(f"{pointer}.countRule.requiredCount", f"requiredCount must be a whole number, "
                             f"got {n!r}", element_id)
                return None
            if n == 0:
                return None
            rules = [r for r in (to_rule(i, visiting) for i in items) if r is not None]
            if not rules:
                return None
            if n > len(rules):
                self.problem(f"{pointer}.countRule.requiredCount", f"requiredCount {n} is more than the "
                             f"{len(rules)} items; all are required", element_id, "warning")
                n = len(rules)
            return {"n_of": n, "of": rules}
        if kind not in (None, "all"):
            self.problem(f"{pointer}.countRule", f"unknown countRule '{kind}' (expected 'all' or 'atLeastN'); "
                         "read as 'all'", element_id, "warning")
        rules = [r for r in (to_rule(i, visiting) for i in required_items) if r is not None]
        if not rules:
            return None
        return rules[0] if len(rules) == 1 else {"all_of": rules}


def _badge_url(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("badgeUrl")
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None
