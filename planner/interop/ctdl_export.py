"""Export catalogue credentials and recommended routes as CTDL JSON-LD.

* :func:`export_credentials` writes credentials as CTDL resources (``Certificate``,
  ``Course``, ``BachelorDegree`` …) with their organisations, and each award's rules as a
  ``ceterms:Pathway`` whose destination component (a ``proxyFor`` the award) carries
  ``ComponentCondition`` s: ``all_of`` -> a condition over its targets, ``n_of`` -> the
  same with ``requiredNumber``, ``credits`` -> a condition whose ``Constraint`` sums the
  targets' credit values. Catalogue ids travel in ``ceterms:identifier`` (type
  ``planner id``) so that :mod:`planner.interop.ctdl` reads the export back unchanged.
* :func:`export_route` writes one recommended route as a ``ceterms:Pathway``: a component
  per step (``CourseComponent`` / ``CredentialComponent``), ``ceasn:hasChild`` from the
  destination to the steps, ``ceterms:prerequisite`` and ``ceterms:precedes`` from the
  prerequisites and the schedule, and a destination component for the target with a
  ``ComponentCondition`` whose ``requiredNumber`` is the number of steps.

CTIDs are ``ce-`` + a UUID5 of the item's kind and id, so the same catalogue always gives
the same document. Only terms of the published CTDL vocabulary are used (see
:func:`terms_used`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from planner.interop._result import InteropError
from planner.interop.ctdl import PLANNER_ID_TYPE, generated_label
from planner.models import Catalogue, Credential, Target

__all__ = [
    "CONTEXT",
    "TYPE_CLASSES",
    "ctid",
    "export_credentials",
    "export_route",
    "terms_used",
]

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
RESOURCE_BASE = "https://credentialengineregistry.org/resources/"
_NAMESPACE = uuid.UUID("6c0f1a52-3d0b-5c5e-9a39-7a1f4f0c2b11")  # fixed: CTIDs must be stable

#: catalogue credential type -> CTDL class
TYPE_CLASSES: dict[str, str] = {
    "micro_credential": "ceterms:MicroCredential",
    "course": "ceterms:Course",
    "badge": "ceterms:DigitalBadge",
    "certificate": "ceterms:Certificate",
    "diploma": "ceterms:Diploma",
    "bachelor": "ceterms:BachelorDegree",
    "master": "ceterms:MasterDegree",
    "industry_certification": "ceterms:Certification",
}
_KIND_ORG_TYPES = {"university": "orgType:Postsecondary", "vet_college": "orgType:TwoYear",
                   "industry": "orgType:CertificationBody", "online_platform": "orgType:PrimarilyOnline"}
_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DELIVERY = {"online": "deliveryType:OnlineOnly", "onsite": "deliveryType:InPerson",
             "blended": "deliveryType:BlendedDelivery"}


def ctid(kind: str, item_id: str) -> str:
    """Return the deterministic CTID (``ce-`` + UUID5) of a catalogue item."""
    return f"ce-{uuid.uuid5(_NAMESPACE, f'{kind}:{item_id}')}"


def _uri(kind: str, item_id: str) -> str:
    return RESOURCE_BASE + ctid(kind, item_id)


def _lang(value: str) -> dict[str, str]:
    return {"en": value}


# --------------------------------------------------------------------------- credentials


def export_credentials(
    catalogue: Catalogue,
    credential_ids: Sequence[str] | None = None,
    *,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """Export credentials (and the award rules of awards) as one CTDL ``@graph`` document.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    credential_ids : sequence of str, optional
        Credentials to export; with their award parts and prerequisites (so that the
        document is self-contained). All credentials when omitted.
    warnings : list of str, optional
        Receives a line for everything CTDL cannot carry (e.g. competency prerequisites).

    Returns
    -------
    dict
        A JSON-LD document: ``@context`` and ``@graph`` (organisations, credentials, then
        one ``ceterms:Pathway`` with its components per award).

    Raises
    ------
    InteropError
        When a requested credential id is unknown.

    """
    notes = warnings if warnings is not None else []
    if credential_ids:
        unknown = [c for c in credential_ids if not catalogue.has("credential", c)]
        if unknown:
            raise InteropError([f"unknown credential '{c}'" for c in unknown])
        chosen = _closure(catalogue, credential_ids)
        providers = sorted({catalogue.credential(c).provider for c in chosen})
    else:
        chosen = sorted(c.id for c in catalogue.credentials)
        providers = sorted(p.id for p in catalogue.providers)
    graph: list[dict[str, Any]] = [_organisation(catalogue, p) for p in providers if catalogue.has("provider", p)]
    for cred_id in chosen:
        graph.append(_credential(catalogue, catalogue.credential(cred_id), notes))
    for cred_id in chosen:
        cred = catalogue.credential(cred_id)
        if cred.award is not None:
            graph.extend(_award_pathway(catalogue, cred, notes))
    return {"@context": CONTEXT, "@graph": graph}


def _closure(catalogue: Catalogue, ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    stack = list(ids)
    while stack:
        current = stack.pop()
        if current in seen or not catalogue.has("credential", current):
            continue
        seen.add(current)
        cred = catalogue.credential(current)
        if cred.award is not None:
            stack.extend(_rule_credentials(cred.award.rule.model_dump(by_alias=True, exclude_none=True)))
        for group in cred.requires:
            stack.extend(a.credential for a in group.any_of if a.credential)
    return sorted(seen)


def _organisation(catalogue: Catalogue, provider_id: str) -> dict[str, Any]:
    provider = catalogue.provider(provider_id)
    node: dict[str, Any] = {
        "@id": _uri("provider", provider.id),
        "@type": "ceterms:CredentialOrganization",
        "ceterms:ctid": ctid("provider", provider.id),
        "ceterms:name": _lang(provider.name),
        "ceterms:identifier": [_identifier(provider.id)],
    }
    if provider.country != "ZZ":
        node["ceterms:address"] = [{"@type": "ceterms:Place", "ceterms:addressCountry": _lang(provider.country)}]
    kind = _KIND_ORG_TYPES.get(str(provider.kind))
    if kind:
        node["ceterms:agentType"] = [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": kind}]
    if provider.website:
        node["ceterms:subjectWebpage"] = provider.website
    return node


def _identifier(item_id: str) -> dict[str, Any]:
    return {"@type": "ceterms:IdentifierValue", "ceterms:identifierTypeName": _lang(PLANNER_ID_TYPE),
            "ceterms:identifierValueCode": item_id}


def _credit_value(ects: float) -> dict[str, Any]:
    return {
        "@type": "ceterms:ValueProfile",
        "schema:value": ects,
        "ceterms:creditUnitType": [{"@type": "ceterms:CredentialAlignmentObject",
                                    "ceterms:targetNode": "creditUnit:DegreeCredit"}],
        "ceterms:creditUnitTypeDescription": _lang("ECTS credits"),
    }


def _credential(catalogue: Catalogue, cred: Credential, notes: list[str]) -> dict[str, Any]:
    kind = str(cred.type)
    node: dict[str, Any] = {
        "@id": _uri("credential", cred.id),
        "@type": TYPE_CLASSES[kind],
        "ceterms:ctid": ctid("credential", cred.id),
        "ceterms:name": _lang(cred.title),
        "ceterms:identifier": [_identifier(cred.id)],
        "ceterms:ownedBy": [_uri("provider", cred.provider)],
    }
    if cred.description:
        node["ceterms:description"] = _lang(cred.description)
    if cred.url:
        node["ceterms:subjectWebpage"] = cred.url
    if cred.ects is not None:
        node["ceterms:creditValue"] = [_credit_value(cred.ects)]
    if cred.languages:
        node["ceterms:inLanguage"] = list(cred.languages)
    if cred.participation is not None:
        key = "ceterms:deliveryType" if kind == "course" else "ceterms:learningDeliveryType"
        node[key] = [{"@type": "ceterms:CredentialAlignmentObject",
                      "ceterms:targetNode": _DELIVERY[str(cred.participation)]}]
    if cred.cost is not None:
        node["ceterms:estimatedCost"] = [{"@type": "ceterms:CostProfile", "ceterms:price": cred.cost.amount,
                                          "ceterms:currency": cred.cost.currency,
                                          "ceterms:description": _lang(f"Cost of {cred.title}")}]
    if cred.duration_weeks is not None:
        node["ceterms:estimatedDuration"] = [{"@type": "ceterms:DurationProfile",
                                              "ceterms:exactDuration": f"P{cred.duration_weeks}W"}]
    prerequisites = []
    for group in cred.requires:
        targets = [a.credential for a in group.any_of if a.credential and catalogue.has("credential", a.credential)]
        skipped = [a for a in group.any_of if a.competency]
        if skipped:
            notes.append(f"{cred.id}: competency prerequisites ({', '.join(a.competency or '' for a in skipped)}) "
                         "have no CTDL condition-profile form here and are left out")
        if not targets:
            continue
        profiles = [_condition_profile(catalogue, t) for t in targets]
        if len(profiles) == 1:
            prerequisites.append(profiles[0])
        else:
            prerequisites.append({"@type": "ceterms:ConditionProfile",
                                  "ceterms:description": _lang("Any one of these"),
                                  "ceterms:alternativeCondition": profiles})
    if prerequisites:
        node["ceterms:prerequisite"] = prerequisites
    for field in ("learning_outcomes", "eqf_level", "hours", "teaches", "runs"):
        if getattr(cred, field):
            notes.append(f"{cred.id}: '{field}' is not exported to CTDL by this version")
    return node


def _condition_profile(catalogue: Catalogue, target_id: str) -> dict[str, Any]:
    target = catalogue.credential(target_id)
    key = "ceterms:targetLearningOpportunity" if str(target.type) == "course" else "ceterms:targetCredential"
    return {"@type": "ceterms:ConditionProfile", "ceterms:description": _lang(f"Requires {target.title}"),
            key: [_uri("credential", target_id)]}


def _component_type(cred: Credential) -> str:
    return "ceterms:CourseComponent" if str(cred.type) == "course" else "ceterms:CredentialComponent"


def _component(catalogue: Catalogue, cred: Credential, component_uri: str, *, parent: str | None,
               webpage_fallback: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": component_uri,
        "@type": _component_type(cred),
        "ceterms:ctid": component_uri.rsplit("/", 1)[-1],
        "ceterms:name": _lang(cred.title),
        "ceterms:description": _lang(cred.description or cred.title),
        "ceterms:subjectWebpage": cred.url or webpage_fallback,
        "ceterms:proxyFor": _uri("credential", cred.id),
    }
    if node["@type"] == "ceterms:CredentialComponent":
        node["ceterms:credentialType"] = TYPE_CLASSES[str(cred.type)]
    elif cred.ects is not None:
        node["ceterms:creditValue"] = [{"@type": "schema:QuantitativeValue", "schema:value": cred.ects,
                                        "schema:unitText": "ECTS"}]
    if parent:
        node["ceasn:isChildOf"] = [parent]
    return node


def _award_pathway(catalogue: Catalogue, award: Credential, notes: list[str]) -> list[dict[str, Any]]:
    assert award.award is not None
    rule = award.award.rule.model_dump(by_alias=True, exclude_none=True)
    if award.award.rpl_cap is not None or award.award.credit_validity_years is not None:
        notes.append(f"{award.id}: rpl_cap and credit_validity_years have no CTDL pathway form and are left out")
    pathway_uri = _uri("pathway", award.id)
    dest_uri = _uri("component", f"{award.id}/{award.id}")
    parts = [c for c in dict.fromkeys(_rule_credentials(rule)) if catalogue.has("credential", c)]
    components = {c: _uri("component", f"{award.id}/{c}") for c in parts}
    webpage = award.url or _provider_site(catalogue, award.provider) or pathway_uri
    dest = _component(catalogue, award, dest_uri, parent=None, webpage_fallback=webpage)
    dest["ceterms:isDestinationComponentOf"] = [pathway_uri]
    if parts:
        dest["ceasn:hasChild"] = [components[c] for c in parts]
    dest["ceterms:hasCondition"] = _top_conditions(rule, components)
    pathway = _pathway_node(pathway_uri, ctid("pathway", award.id), award.title,
                            f"How {award.title} is earned by stacking: the award rules of the catalogue.",
                            catalogue, award.provider, webpage, dest_uri)
    nodes = [pathway, dest]
    for cred_id in parts:
        nodes.append(_component(catalogue, catalogue.credential(cred_id), components[cred_id], parent=dest_uri,
                                webpage_fallback=webpage))
    return nodes


def _provider_site(catalogue: Catalogue, provider_id: str) -> str | None:
    return catalogue.provider(provider_id).website if catalogue.has("provider", provider_id) else None


def _pathway_node(uri: str, pathway_ctid: str, name: str, description: str, catalogue: Catalogue,
                  provider_id: str, webpage: str, destination: str) -> dict[str, Any]:
    return {
        "@id": uri,
        "@type": "ceterms:Pathway",
        "ceterms:ctid": pathway_ctid,
        "ceterms:name": _lang(name),
        "ceterms:description": _lang(description),
        "ceterms:inLanguage": ["en"],
        "ceterms:ownedBy": [_uri("provider", provider_id)],
        "ceterms:subjectWebpage": webpage,
        "ceterms:hasDestinationComponent": [destination],
    }


def _top_conditions(rule: dict[str, Any], components: dict[str, str]) -> list[dict[str, Any]]:
    # an unlabelled all_of is the component's list of conditions (all must hold)
    if "all_of" in rule and "label" not in rule and len(rule["all_of"]) > 1:
        return [_condition(child, components) for child in rule["all_of"]]
    return [_condition(rule, components)]


def _condition(rule: dict[str, Any], components: dict[str, str]) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "ceterms:ComponentCondition",
                            "ceterms:name": _lang(rule.get("label") or generated_label(rule))}
    if "credential" in rule:
        node["ceterms:targetComponent"] = [components[rule["credential"]]]
        return node
    if "credits" in rule:
        node["ceterms:targetComponent"] = [components[c] for c in rule["from"] if c in components]
        node["ceterms:hasConstraint"] = [{
            "@type": "ceterms:Constraint",
            "ceterms:leftAction": "array:Sum",
            "ceterms:leftSource": ["ceterms:creditValue"],
            "ceterms:comparator": "compare:GTEQ",
            "ceterms:rightSource": [rule["credits"]],
        }]
        return node
    children = rule["all_of"] if "all_of" in rule else rule["of"]
    if "n_of" in rule:
        node["ceterms:requiredNumber"] = rule["n_of"]
    if all("credential" in child for child in children):
        node["ceterms:targetComponent"] = [components[child["credential"]] for child in children]
    else:
        node["ceterms:hasCondition"] = [_condition(child, components) for child in children]
    return node


def _rule_credentials(rule: dict[str, Any]) -> list[str]:
    if "credential" in rule:
        return [rule["credential"]]
    if "credits" in rule:
        return list(rule["from"])
    return [c for child in rule.get("all_of", rule.get("of", [])) for c in _rule_credentials(child)]


# --------------------------------------------------------------------------- routes


def export_route(route: Any, catalogue: Catalogue, target: Target) -> dict[str, Any]:
    """Export one recommended route as a CTDL ``ceterms:Pathway`` document.

    Parameters
    ----------
    route : planner.results.Route
        The route (its steps, in schedule order, and its schedule).
    catalogue : Catalogue
        The catalogue the route was planned on.
    target : Target
        What the route reaches: an award becomes the destination component (a
        ``proxyFor`` the award); a role or competency target becomes a
        ``BasicComponent`` destination.

    Returns
    -------
    dict
        ``@context`` and ``@graph``: the pathway, its components, and the credentials
        and organisations they stand for.

    """
    step_ids = [c for c in route.credential_ids if catalogue.has("credential", c)]
    if not step_ids:
        raise InteropError(["the route has no steps to export"])
    key = f"{target}|{'|'.join(step_ids)}"
    pathway_uri = _uri("route", key)
    award = target.id if target.kind == "award" and target.id and catalogue.has("credential", target.id) else None
    steps = [c for c in step_ids if c != award]
    owner = catalogue.credential(award).provider if award else catalogue.credential(step_ids[0]).provider
    webpage = (catalogue.credential(award).url if award else None) or _provider_site(catalogue, owner) or pathway_uri
    components = {c: _uri("component", f"{key}/{c}") for c in steps}
    dest_uri = _uri("component", f"{key}/destination")

    if award:
        dest = _component(catalogue, catalogue.credential(award), dest_uri, parent=None, webpage_fallback=webpage)
        name = f"Route to {catalogue.credential(award).title}"
    else:
        label = _target_label(catalogue, target)
        dest = {"@id": dest_uri, "@type": "ceterms:BasicComponent", "ceterms:ctid": ctid("component", key),
                "ceterms:name": _lang(label), "ceterms:description": _lang(f"Target of the route: {label}"),
                "ceterms:subjectWebpage": webpage, "ceterms:componentCategory": _lang("Target")}
        name = f"Route to {label}"
    dest["ceterms:isDestinationComponentOf"] = [pathway_uri]
    if steps:
        dest["ceasn:hasChild"] = [components[c] for c in steps]
        dest["ceterms:hasCondition"] = [{
            "@type": "ceterms:ComponentCondition",
            "ceterms:name": _lang(f"Complete the {len(steps)} steps of this route"),
            "ceterms:requiredNumber": len(steps),
            "ceterms:targetComponent": [components[c] for c in steps],
        }]
    total = f"{route.total_cost:,.0f} {route.currency}, {route.total_ects:g} ECTS, {route.weeks} weeks"
    pathway = _pathway_node(pathway_uri, ctid("route", key), name,
                            f"Recommended route (rank {route.rank}, {route.objective}): {total}.",
                            catalogue, owner, webpage, dest_uri)
    pathway["ceasn:hasChild"] = [dest_uri]

    schedule = {s.credential_id: s for s in getattr(route, "schedule", ())}
    nodes: list[dict[str, Any]] = [pathway, dest]
    for cred_id in steps:
        cred = catalogue.credential(cred_id)
        node = _component(catalogue, cred, components[cred_id], parent=dest_uri, webpage_fallback=webpage)
        needs = [a.credential for g in cred.requires for a in g.any_of if a.credential in components]
        if needs:
            node["ceterms:prerequisite"] = [components[c] for c in dict.fromkeys(needs)]
        following = _following(cred_id, steps, schedule, catalogue)
        if following:
            node["ceterms:precedes"] = [components[c] for c in following]
        slot = schedule.get(cred_id)
        if slot is not None and node["@type"] == "ceterms:CourseComponent":
            node["ceterms:programTerm"] = _lang(f"weeks {slot.start_week}-{slot.end_week} "
                                                f"({slot.start.isoformat()} to {slot.end.isoformat()})")
        nodes.append(node)
    resource_ids = sorted(set(step_ids))
    providers = sorted({catalogue.credential(c).provider for c in resource_ids})
    nodes.extend(_organisation(catalogue, p) for p in providers if catalogue.has("provider", p))
    nodes.extend(_credential(catalogue, catalogue.credential(c), []) for c in resource_ids)
    return {"@context": CONTEXT, "@graph": nodes}


def _target_label(catalogue: Catalogue, target: Target) -> str:
    if target.kind == "role" and target.id and catalogue.has("role", target.id):
        return catalogue.role(target.id).title
    return str(target)


def _following(cred_id: str, steps: list[str], schedule: dict[str, Any], catalogue: Catalogue) -> list[str]:
    """Steps that come right after ``cred_id``: those needing it, and the next wave of the schedule."""
    after = [c for c in steps if any(a.credential == cred_id for g in catalogue.credential(c).requires
                                     for a in g.any_of)]
    mine = schedule.get(cred_id)
    if mine is not None:
        later = [schedule[c] for c in steps if c in schedule and schedule[c].start_week >= mine.end_week]
        if later:
            first_start = min(s.start_week for s in later)
            after += [s.credential_id for s in later if s.start_week == first_start]
    return [c for c in dict.fromkeys(after) if c != cred_id]


# --------------------------------------------------------------------------- checks


def terms_used(document: Any) -> set[str]:
    """Every CTDL term a document uses: keys, ``@type`` values and vocabulary concepts.

    Used to check an export against the published CTDL schema (every term must exist).
    """
    found: set[str] = set()
    vocabularies = ("creditUnit:", "deliveryType:", "compare:", "array:", "logic:", "costType:", "orgType:")

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            language_map = bool(value) and all(_LANG_TAG.match(k) for k in value)
            for k, v in value.items():
                if not k.startswith("@") and not language_map:
                    found.add(k)
                walk(v, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and (key == "@type" or value.startswith(vocabularies) or (
                key in ("ceterms:credentialType", "ceterms:leftSource") and ":" in value
                and not value.startswith("http"))):
            found.add(value)

    walk(document)
    return found
