"""Export catalogue credentials and recommended routes as CTDL JSON-LD.

* :func:`export_credentials` writes credentials as CTDL resources (``Certificate``,
  ``Course``, ``BachelorDegree`` …) with their organisations, the competencies they
  teach, and each award's rules as a ``ceterms:Pathway`` whose destination component (a
  ``proxyFor`` the award) carries ``ComponentCondition`` s: ``all_of`` -> a condition
  over its targets, ``n_of`` -> the same with ``requiredNumber``, ``credits`` -> a
  condition whose ``Constraint`` sums the targets' credit values. Catalogue ids travel in
  ``ceterms:identifier`` (type ``planner id``) so that :mod:`planner.interop.ctdl` reads
  the export back unchanged.
* :func:`export_route` writes one recommended route as a ``ceterms:Pathway``: a component
  per step (``CourseComponent`` / ``CredentialComponent``), ``ceasn:hasChild`` from the
  destination to the steps, ``ceterms:precedes`` / ``ceterms:precededBy`` from the
  prerequisites and the schedule, and a destination component for the target with a
  ``ComponentCondition`` whose ``requiredNumber`` is the number of steps.

Where each catalogue field goes (checked by ``ctdl-validate`` against the published CTDL
schema: every property is used on a class in its domain, with a value in its range)

=========================  ==============================================================
ECTS                       a ``ceterms:ValueProfile`` (``schema:value``, ``creditUnitType``
                           ``creditUnit:DegreeCredit``, described as ECTS) in
                           ``creditValue``; with ``creditUnitTypeDescription`` "ECTS
                           credits". CTDL allows ``creditValue`` on a ``Course``; a
                           credential states its credit in a ``requires``
                           ``ConditionProfile`` named "Credit".
EQF level                  ``ceterms:audienceLevelType``: an alignment to the EQF level's
                           Europa URI (``http://data.europa.eu/snb/eqf/N``).
hours, weeks               ``ceterms:estimatedDuration``: ``DurationProfile`` s with
                           ``timeRequired`` (``PT120H``, the workload) and
                           ``exactDuration`` (``P6W``); a range as ``minimumDuration`` /
                           ``maximumDuration``.
credit (another unit)      the published value and unit (``creditUnit:SemesterHour`` …),
                           never relabelled; a credit pool over such components sums in
                           their unit (60 ECTS of SCQF courses: 120).
cost, costs                one ``CostProfile`` per price; a price per audience carries its
                           ``residencyType`` / ``audienceType`` concept.
participation              one ``deliveryType`` alignment per mode.
ctid                       a published record's own CTID (never a new one).
teaches (competency,       a ``ceasn:Competency`` per competency (``ceasn:exactAlignment``
level)                     is its ESCO / O*NET URI), in one ``ceasn:CompetencyFramework``;
                           a course ``teaches`` them, a credential ``requires`` them
                           (``ConditionProfile.targetCompetency``); either way through an
                           alignment whose ``targetNode`` is the competency and whose
                           ``targetNodeDescription`` gives the level.
requires (credentials)     a ``requires`` ``ConditionProfile`` named "Prerequisite" with
                           ``targetCredential`` / ``targetLearningOpportunity``; an
                           any-of group through ``alternativeCondition``.
runs (intakes, rolling)    a course: ``hasOffering`` -> ``ScheduledOffering`` describing
                           the intakes. A credential has no such property: the intakes
                           go into its description, with a warning.
award rules                the award's ``Pathway`` (see above).
RPL cap, credit validity   no CTDL term: written into the description of the credential
                           (and of its pathway), with a warning.
=========================  ==============================================================

Every entity's CTID is its published one when the catalogue keeps it (``ctid`` on a
credential or provider), else it comes from :mod:`planner.interop.ctid` (stable, version-4
shaped); either way it is read back from its ``@id``, so the two always agree. ``ctdl-validate`` 0.2.1 reports no
ERROR and no WARNING on an export; its other findings are notes, not defects:

* ``REF_OUTSIDE_PAYLOAD`` (UNVERIFIABLE) for values that name something outside the
  document, which the tool does not fetch: concepts of CTDL's concept schemes
  (``creditUnit:DegreeCredit``, ``compare:GTEQ``, ``array:Sum``), CTDL terms
  (``credentialType`` ``ceterms:MicroCredential``, ``leftSource`` ``ceterms:creditValue``)
  and the ESCO / O*NET skills in ``ceasn:exactAlignment``;
* ``INVERSE_ONE_DIRECTION`` (INFO) for a pathway's ``hasPart``: its components do not
  repeat the inverse, which CTDL does not require.
"""


from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from planner.catalogue.models import Catalogue, Credential, Target
from planner.interop._result import InteropError
from planner.interop.ctdl import (
    AUDIENCE_TERMS,
    PLANNER_COMPETENCY_URN,
    PLANNER_ID_TYPE,
    PREREQUISITE_NAME,
    generated_label,
)
from planner.interop.ctid import RESOURCE_BASE, ctid, ctid_of, resource_uri, uri_of_ctid

__all__ = [
    "CONTEXT",
    "EXPECTED_NOTES",
    "RESOURCE_BASE",
    "TYPE_CLASSES",
    "ctid",
    "export_credentials",
    "export_route",
    "terms_used",
]

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
#: the only (severity, code) pairs ctdl-validate reports on an export (see the module docstring)
EXPECTED_NOTES = frozenset({("UNVERIFIABLE", "REF_OUTSIDE_PAYLOAD"), ("INFO", "INVERSE_ONE_DIRECTION")})
EQF_FRAMEWORK = "http://data.europa.eu/snb/eqf/25831c2"
EQF_LEVEL_BASE = "http://data.europa.eu/snb/eqf/"

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
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_CAO = "ceterms:CredentialAlignmentObject"
_CONDITION = "ceterms:ConditionProfile"


def _uri(kind: str, item_id: str) -> str:
    return resource_uri(kind, item_id)


def _credential_uri(catalogue: Catalogue, cred_id: str) -> str:
    """The credential's record: its published CTID when it has one (never a new one), else a derived one."""
    found = catalogue.credential(cred_id).ctid if catalogue.has("credential", cred_id) else None
    return uri_of_ctid(found) if found else _uri("credential", cred_id)


def _provider_uri(catalogue: Catalogue, provider_id: str) -> str:
    """The organisation's record: its published CTID when it has one, else a derived one."""
    found = catalogue.provider(provider_id).ctid if catalogue.has("provider", provider_id) else None
    return uri_of_ctid(found) if found else _uri("provider", provider_id)


def _entity(uri: str, type_: str) -> dict[str, Any]:
    """A top-level node: its CTID is read from its URI, so the two cannot disagree."""
    return {"@id": uri, "@type": type_, "ceterms:ctid": ctid_of(uri)}


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
        document is self-contained). All credentials (and all competencies) when omitted.
    warnings : list of str, optional
        Receives a line for everything CTDL cannot carry as a property (RPL caps, credit
        validity, a credential's intakes: written into the description instead;
        competency prerequisites and learning outcomes: left out).

    Returns
    -------
    dict
        A JSON-LD document: ``@context`` and ``@graph`` (organisations, the competency
        framework and its competencies, credentials, then one ``ceterms:Pathway`` with
        its components per award).

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
        competencies = _competency_closure(catalogue, (t.competency for c in chosen
                                                       for t in catalogue.credential(c).teaches))
    else:
        chosen = sorted(c.id for c in catalogue.credentials)
        providers = sorted(p.id for p in catalogue.providers)
        competencies = sorted(c.id for c in catalogue.competencies)
    graph: list[dict[str, Any]] = [_organisation(catalogue, p) for p in providers if catalogue.has("provider", p)]
    graph.extend(_competency_nodes(catalogue, competencies))
    for cred_id in chosen:
        graph.append(_credential(catalogue, catalogue.credential(cred_id), notes))
    for cred_id in chosen:
        cred = catalogue.credential(cred_id)
        if cred.award is not None:
            graph.extend(_award_pathway(catalogue, cred))
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


def _competency_closure(catalogue: Catalogue, ids: Iterable[str]) -> list[str]:
    """The competencies and their broader ones (so that ``isChildOf`` resolves)."""
    seen: set[str] = set()
    stack = list(ids)
    while stack:
        current = stack.pop()
        if current in seen or not catalogue.has("competency", current):
            continue
        seen.add(current)
        broader = catalogue.competency(current).broader
        if broader:
            stack.append(broader)
    return sorted(seen)


def _organisation(catalogue: Catalogue, provider_id: str) -> dict[str, Any]:
    provider = catalogue.provider(provider_id)
    node = _entity(_provider_uri(catalogue, provider.id), "ceterms:CredentialOrganization")
    node["ceterms:name"] = _lang(provider.name)
    node["ceterms:identifier"] = [_identifier(provider.id)]
    if provider.country != "ZZ":
        node["ceterms:address"] = [{"@type": "ceterms:Place", "ceterms:addressCountry": _lang(provider.country)}]
    kind = _KIND_ORG_TYPES.get(str(provider.kind))
    if kind:
        node["ceterms:agentType"] = [{"@type": _CAO, "ceterms:targetNode": kind}]
    if provider.website:
        node["ceterms:subjectWebpage"] = provider.website
    return node


def _identifier(item_id: str) -> dict[str, Any]:
    return {"@type": "ceterms:IdentifierValue", "ceterms:identifierTypeName": _lang(PLANNER_ID_TYPE),
            "ceterms:identifierValueCode": item_id}


# --------------------------------------------------------------------------- competencies


def _framework_uri(catalogue: Catalogue) -> str:
    return _uri("framework", catalogue.meta.name)


def _competency_nodes(catalogue: Catalogue, ids: list[str]) -> list[dict[str, Any]]:
    """One ``CompetencyFramework`` (the catalogue's) and a ``Competency`` per id."""
    if not ids:
        return []
    framework_uri = _framework_uri(catalogue)
    exported = set(ids)
    tops = [c for c in ids if catalogue.competency(c).broader not in exported]
    framework = _entity(framework_uri, "ceasn:CompetencyFramework")
    framework["ceasn:name"] = _lang(f"Competencies of {catalogue.meta.name}")
    framework["ceasn:description"] = _lang(
        "The competencies the credentials of this catalogue teach, each aligned to its ESCO or O*NET "
        "skill where it has one (exactAlignment).")
    framework["ceasn:inLanguage"] = ["en"]
    framework["ceasn:hasTopChild"] = [_uri("competency", c) for c in tops]
    nodes = [framework]
    for comp_id in ids:
        comp = catalogue.competency(comp_id)
        node = _entity(_uri("competency", comp.id), "ceasn:Competency")
        node["ceasn:competencyLabel"] = _lang(comp.label)
        node["ceasn:competencyText"] = _lang(comp.description or comp.label)
        node["ceasn:competencyCategory"] = _lang(str(comp.type))
        node["ceasn:codedNotation"] = comp.id
        node["ceasn:identifier"] = [PLANNER_COMPETENCY_URN + comp.id]
        node["ceasn:inLanguage"] = ["en"]
        node["ceasn:isPartOf"] = [framework_uri]
        if comp.broader in exported:
            node["ceasn:isChildOf"] = [_uri("competency", comp.broader)]
        else:
            node["ceasn:isTopChildOf"] = [framework_uri]
        if comp.uri:
            node["ceasn:exactAlignment"] = [comp.uri]
        nodes.append(node)
    return nodes


def _level_text(catalogue: Catalogue, level: int) -> str:
    scale = catalogue.meta.level_scale
    label = scale.labels.get(level)
    return f"level {level} of {scale.min}-{scale.max}" + (f" ({label})" if label else "")


def _competency_alignment(catalogue: Catalogue, competency_id: str, level: int) -> dict[str, Any]:
    comp = catalogue.competency(competency_id)
    return {"@type": _CAO, "ceterms:targetNode": _uri("competency", comp.id),
            "ceterms:targetNodeName": _lang(comp.label),
            "ceterms:targetNodeDescription": _lang(f"Taught to {_level_text(catalogue, level)}"),
            "ceterms:framework": _framework_uri(catalogue),
            "ceterms:frameworkName": _lang(f"Competencies of {catalogue.meta.name}")}


# --------------------------------------------------------------------------- one credential


def _credit_value(ects: float) -> dict[str, Any]:
    # creditUnitType takes a concept (never an alignment object); CTDL has no ECTS concept,
    # so the unit is the generic degree credit and the text says which credits they are
    return {"@type": "ceterms:ValueProfile", "schema:value": ects,
            "ceterms:creditUnitType": ["creditUnit:DegreeCredit"],
            "schema:description": _lang("ECTS credits")}


_UNIT_TERMS = {"semester_hour": "creditUnit:SemesterHour", "quarter_hour": "creditUnit:QuarterHour",
               "clock_hour": "creditUnit:ClockHour", "continuing_education_unit": "creditUnit:ContinuingEducationUnit",
               "carnegie_unit": "creditUnit:CarnegieUnit", "competency": "creditUnit:CompetencyCredit"}
_UNIT_WORDS = {"ects": "ECTS credits", "scqf": "SCQF credit points", "cats": "CATS credits",
               "semester_hour": "semester hours", "quarter_hour": "quarter hours", "clock_hour": "clock hours",
               "continuing_education_unit": "continuing education units", "carnegie_unit": "Carnegie units",
               "competency": "competency credits"}


def _credit(cred: Credential) -> tuple[dict[str, Any], str] | None:
    """The credit value as published (its own unit), else the ECTS; with the unit in words."""
    if cred.credit is None:
        return (_credit_value(cred.ects), "ECTS credits") if cred.ects is not None else None
    unit = str(cred.credit.unit)
    words = cred.credit.unit_label if unit == "other" and cred.credit.unit_label else _UNIT_WORDS.get(unit, unit)
    value: dict[str, Any] = {"@type": "ceterms:ValueProfile", "schema:value": cred.credit.value,
                             "ceterms:creditUnitType": [_UNIT_TERMS.get(unit, "creditUnit:DegreeCredit")],
                             "schema:description": _lang(words)}
    if cred.credit.max_value is not None:
        value = {**{k: v for k, v in value.items() if k != "schema:value"},
                 "schema:minValue": cred.credit.value, "schema:maxValue": cred.credit.max_value}
    return value, words


def _credit_words(cred: Credential) -> str:
    if cred.credit is None:
        return f"{cred.ects:g} ECTS credits"
    value = f"{cred.credit.value:g}" + (f"–{cred.credit.max_value:g}" if cred.credit.max_value is not None else "")
    return f"{value} {_credit(cred)[1]}"  # type: ignore[index]


def _cost_profiles(cred: Credential, notes: list[str]) -> list[dict[str, Any]]:
    """One ``CostProfile`` per price; a price per audience carries its residency / audience concept."""
    if cred.cost is not None:
        return [{"@type": "ceterms:CostProfile", "ceterms:price": cred.cost.amount,
                 "ceterms:currency": cred.cost.currency, "ceterms:description": _lang(f"Cost of {cred.title}")}]
    out = []
    for option in cred.costs:
        whom = option.audience or "no stated audience"
        profile: dict[str, Any] = {
            "@type": "ceterms:CostProfile", "ceterms:price": option.price.amount,
            "ceterms:currency": option.price.currency,
            "ceterms:description": _lang(f"Cost of {cred.title} for {whom} (one of {len(cred.costs)} prices)")}
        if option.label:
            profile["ceterms:name"] = _lang(option.label)
        term = AUDIENCE_TERMS.get(option.audience or "")
        if term:
            key = "ceterms:residencyType" if term.startswith("residency:") else "ceterms:audienceType"
            profile[key] = [term]
        elif option.audience:
            notes.append(f"{cred.id}: audience '{option.audience}' has no CTDL concept; it is named in the "
                         "price's description only")
        out.append(profile)
    return out


def _duration_profiles(cred: Credential) -> list[dict[str, Any]]:
    """Weeks as ``exactDuration`` (or a min–max range), hours as ``timeRequired`` (or a range)."""
    out: list[dict[str, Any]] = []
    if cred.duration_weeks is not None:
        if cred.min_duration_weeks is not None and cred.min_duration_weeks < cred.duration_weeks:
            out.append({"@type": "ceterms:DurationProfile", "ceterms:minimumDuration": f"P{cred.min_duration_weeks}W",
                        "ceterms:maximumDuration": f"P{cred.duration_weeks}W"})
        else:
            out.append({"@type": "ceterms:DurationProfile", "ceterms:exactDuration": f"P{cred.duration_weeks}W"})
    if cred.hours is not None:
        if cred.min_hours is not None and cred.min_hours < cred.hours:
            out.append({"@type": "ceterms:DurationProfile", "ceterms:minimumDuration": f"PT{cred.min_hours:g}H",
                        "ceterms:maximumDuration": f"PT{cred.hours:g}H",
                        "ceterms:description": _lang(f"{cred.min_hours:g} to {cred.hours:g} hours of learning")})
        else:
            out.append({"@type": "ceterms:DurationProfile", "ceterms:timeRequired": f"PT{cred.hours:g}H",
                        "ceterms:description": _lang(f"{cred.hours:g} hours of learning (workload)")})
    return out


def _intakes_text(cred: Credential) -> str | None:
    if cred.runs is None:
        return None
    if cred.runs.rolling:
        return "Starts any week (rolling admission)."
    days = [f"{int(d[3:])} {_MONTHS[int(d[:2]) - 1]}" for d in cred.runs.intakes]
    return "Starts every year on " + (", ".join(days[:-1]) + " and " + days[-1] if len(days) > 1 else days[0]) + "."


def _award_notes(cred: Credential) -> list[tuple[str, str]]:
    """(field, sentence) for what CTDL has no term for."""
    out: list[tuple[str, str]] = []
    if cred.award is not None and cred.award.rpl_cap is not None:
        out.append(("rpl_cap", f"At most {cred.award.rpl_cap:g} ECTS of this award can be obtained through "
                               "recognition of prior learning."))
    validity = cred.award.credit_validity_years if cred.award is not None else None
    if validity is not None:
        out.append(("credit_validity_years", f"Credit counts towards this award for {validity:g} years "
                                             "after it was earned."))
    if cred.credit_validity_years is not None:
        out.append(("credit_validity_years", f"The credit of {cred.title} stays valid for "
                                             f"{cred.credit_validity_years:g} years."))
    return out


def _credential(catalogue: Catalogue, cred: Credential, notes: list[str]) -> dict[str, Any]:
    kind = str(cred.type)
    is_course = kind == "course"
    node = _entity(_credential_uri(catalogue, cred.id), TYPE_CLASSES[kind])
    node["ceterms:name"] = _lang(cred.title)
    node["ceterms:identifier"] = [_identifier(cred.id)]
    node["ceterms:ownedBy"] = [_provider_uri(catalogue, cred.provider)]
    extra = _award_notes(cred)
    intakes = _intakes_text(cred)
    if intakes and not is_course:
        extra.append(("runs", intakes))
    for field, _sentence in extra:
        notes.append(f"{cred.id}: '{field}' has no CTDL property; it is written into the description")
    description = "\n\n".join(part for part in [cred.description, " ".join(s for _, s in extra)] if part)
    if description:
        node["ceterms:description"] = _lang(description)
    if cred.url:
        node["ceterms:subjectWebpage"] = cred.url
    if cred.languages:
        node["ceterms:inLanguage"] = list(cred.languages)
    if cred.eqf_level is not None:
        node["ceterms:audienceLevelType"] = [{
            "@type": _CAO, "ceterms:targetNode": f"{EQF_LEVEL_BASE}{cred.eqf_level}",
            "ceterms:targetNodeName": _lang(f"EQF level {cred.eqf_level}"),
            "ceterms:framework": EQF_FRAMEWORK,
            "ceterms:frameworkName": _lang("European Qualifications Framework")}]
    if cred.participation:
        key = "ceterms:deliveryType" if is_course else "ceterms:learningDeliveryType"
        node[key] = [{"@type": _CAO, "ceterms:targetNode": _DELIVERY[str(m)]} for m in cred.participation]
    costs = _cost_profiles(cred, notes)
    if costs:
        node["ceterms:estimatedCost"] = costs
    durations = _duration_profiles(cred)
    if durations:
        node["ceterms:estimatedDuration"] = durations
    requires: list[dict[str, Any]] = []
    credit = _credit(cred)
    if credit is not None:
        value, words = credit
        if is_course:
            node["ceterms:creditValue"] = [value]
            node["ceterms:creditUnitTypeDescription"] = _lang(words)
        else:
            requires.append({"@type": _CONDITION, "ceterms:name": _lang("Credit"),
                             "ceterms:description": _lang(f"Earned with {_credit_words(cred)} of learning"),
                             "ceterms:creditValue": [value],
                             "ceterms:creditUnitTypeDescription": _lang(words)})
    if cred.teaches:
        alignments = [_competency_alignment(catalogue, t.competency, t.level) for t in cred.teaches]
        if is_course:
            node["ceterms:teaches"] = alignments
        else:
            requires.append({"@type": _CONDITION, "ceterms:name": _lang("Competencies"),
                             "ceterms:description": _lang("Competencies demonstrated to earn this credential"),
                             "ceterms:targetCompetency": alignments})
    requires.extend(_prerequisites(catalogue, cred, notes))
    if requires:
        node["ceterms:requires"] = requires
    if intakes and is_course:
        node["ceterms:hasOffering"] = [{"@type": "ceterms:ScheduledOffering", "ceterms:name": _lang("Intakes"),
                                        "ceterms:description": _lang(intakes)}]
    if cred.learning_outcomes:
        notes.append(f"{cred.id}: 'learning_outcomes' is not exported to CTDL by this version")
    return node


def _prerequisites(catalogue: Catalogue, cred: Credential, notes: list[str]) -> list[dict[str, Any]]:
    out = []
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
            out.append({**profiles[0], "ceterms:name": _lang(PREREQUISITE_NAME)})
        else:
            out.append({"@type": _CONDITION, "ceterms:name": _lang(PREREQUISITE_NAME),
                        "ceterms:description": _lang("Any one of these"),
                        "ceterms:alternativeCondition": profiles})
    return out


def _condition_profile(catalogue: Catalogue, target_id: str) -> dict[str, Any]:
    target = catalogue.credential(target_id)
    key = "ceterms:targetLearningOpportunity" if str(target.type) == "course" else "ceterms:targetCredential"
    return {"@type": _CONDITION, "ceterms:description": _lang(f"Requires {target.title}"),
            key: [_credential_uri(catalogue, target_id)]}


# --------------------------------------------------------------------------- award pathways


def _component_type(cred: Credential) -> str:
    return "ceterms:CourseComponent" if str(cred.type) == "course" else "ceterms:CredentialComponent"


def _component(cred: Credential, component_uri: str, *, parent: str | None, webpage_fallback: str) -> dict[str, Any]:
    node = _entity(component_uri, _component_type(cred))
    node["ceterms:name"] = _lang(cred.title)
    node["ceterms:description"] = _lang(cred.description or cred.title)
    node["ceterms:subjectWebpage"] = cred.url or webpage_fallback
    node["ceterms:proxyFor"] = uri_of_ctid(cred.ctid) if cred.ctid else _uri("credential", cred.id)
    if node["@type"] == "ceterms:CredentialComponent":
        node["ceterms:credentialType"] = TYPE_CLASSES[str(cred.type)]
    elif cred.ects is not None or cred.credit is not None:
        node["ceterms:creditValue"] = [_credit(cred)[0]]  # type: ignore[index]
    if parent:
        node["ceasn:isChildOf"] = [parent]
    return node


def _award_pathway(catalogue: Catalogue, award: Credential) -> list[dict[str, Any]]:
    assert award.award is not None
    rule = award.award.rule.model_dump(by_alias=True, exclude_none=True)
    pathway_uri = _uri("pathway", award.id)
    dest_uri = _uri("component", f"{award.id}/{award.id}")
    parts = [c for c in dict.fromkeys(_rule_credentials(rule)) if catalogue.has("credential", c)]
    components = {c: _uri("component", f"{award.id}/{c}") for c in parts}
    webpage = award.url or _provider_site(catalogue, award.provider) or pathway_uri
    dest = _component(award, dest_uri, parent=None, webpage_fallback=webpage)
    dest["ceterms:isDestinationComponentOf"] = [pathway_uri]
    if parts:
        dest["ceasn:hasChild"] = [components[c] for c in parts]
    dest["ceterms:hasCondition"] = _top_conditions(_pool_amounts(catalogue, rule), components)
    description = " ".join([f"How {award.title} is earned by stacking: the award rules of the catalogue.",
                            *(s for _, s in _award_notes(award))])
    pathway = _pathway_node(pathway_uri, award.title, description, _provider_uri(catalogue, award.provider),
                            webpage, dest_uri,
                            [dest_uri, *components.values()])
    nodes = [pathway, dest]
    for cred_id in parts:
        nodes.append(_component(catalogue.credential(cred_id), components[cred_id], parent=dest_uri,
                                webpage_fallback=webpage))
    return nodes


def _provider_site(catalogue: Catalogue, provider_id: str) -> str | None:
    return catalogue.provider(provider_id).website if catalogue.has("provider", provider_id) else None


def _pool_amounts(catalogue: Catalogue, rule: dict[str, Any]) -> dict[str, Any]:
    """The rule with each credit pool's amount in its members' published unit (``_amount``).

    A pool is in ECTS; its components carry their credit as published (SCQF, semester
    hours …). When every member publishes one unit at one ECTS rate, the sum is written in
    that unit (60 ECTS of SCQF courses: 120), so that the document says what its records
    say; otherwise in ECTS.
    """
    if "credits" in rule:
        scales = set()
        for member in rule["from"]:
            cred = catalogue.credential(member) if catalogue.has("credential", member) else None
            if cred is None or cred.ects is None:
                continue
            if cred.credit is None or str(cred.credit.unit) == "ects" or not cred.credit.value:
                scales.add(("ects", 1.0))
            else:
                scales.add((str(cred.credit.unit), round(cred.ects / cred.credit.value, 9)))
        if len(scales) == 1:
            _unit, rate = scales.pop()
            if rate > 0 and rate != 1.0:
                return {**rule, "_amount": round(rule["credits"] / rate, 3)}
        return rule
    key = "all_of" if "all_of" in rule else "of" if "of" in rule else None
    if key is None:
        return rule
    return {**rule, key: [_pool_amounts(catalogue, child) for child in rule[key]]}


def _pathway_node(uri: str, name: str, description: str, owner_uri: str, webpage: str, destination: str,
                  parts: list[str]) -> dict[str, Any]:
    node = _entity(uri, "ceterms:Pathway")
    node["ceterms:name"] = _lang(name)
    node["ceterms:description"] = _lang(description)
    node["ceterms:ownedBy"] = [owner_uri]
    node["ceterms:subjectWebpage"] = webpage
    node["ceterms:hasDestinationComponent"] = [destination]
    node["ceterms:hasPart"] = parts
    return node


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
            # in the unit the pool's components publish their credit in (see _pool_amounts)
            "ceterms:rightSource": [rule.get("_amount", rule["credits"])],
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


def export_route(route: Any, catalogue: Catalogue, target: Target, *,
                 warnings: list[str] | None = None) -> dict[str, Any]:
    """Export one recommended route as a CTDL ``ceterms:Pathway`` document.

    Parameters
    ----------
    route : planner.engine.results.Route
        The route (its steps, in schedule order, and its schedule).
    catalogue : Catalogue
        The catalogue the route was planned on.
    target : Target
        What the route reaches: an award becomes the destination component (a
        ``proxyFor`` the award); a role or competency target becomes a
        ``BasicComponent`` destination.
    warnings : list of str, optional
        Receives a line for everything of the steps' credentials that CTDL cannot carry
        as a property (as in :func:`export_credentials`).

    Returns
    -------
    dict
        ``@context`` and ``@graph``: the pathway, its components, and the credentials,
        organisations and competencies they stand for.

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

    dest, name = _route_destination(catalogue, target, award, dest_uri, webpage)
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
    pathway = _pathway_node(pathway_uri, name, f"Recommended route (rank {route.rank}, {route.objective}): {total}.",
                            _provider_uri(catalogue, owner), webpage, dest_uri, [dest_uri, *components.values()])
    nodes: list[dict[str, Any]] = [pathway, dest]
    nodes.extend(_step_components(route, catalogue, steps, components, dest_uri, webpage))
    nodes.extend(_route_resources(catalogue, sorted(set(step_ids)), warnings if warnings is not None else []))
    return {"@context": CONTEXT, "@graph": nodes}


def _route_destination(catalogue: Catalogue, target: Target, award: str | None, dest_uri: str,
                       webpage: str) -> tuple[dict[str, Any], str]:
    """The route's destination component and the pathway's name: the award, else a component for the target."""
    if award:
        dest = _component(catalogue.credential(award), dest_uri, parent=None, webpage_fallback=webpage)
        return dest, f"Route to {catalogue.credential(award).title}"
    label = _target_label(catalogue, target)
    dest = _entity(dest_uri, "ceterms:BasicComponent")
    dest.update({"ceterms:name": _lang(label), "ceterms:description": _lang(f"Target of the route: {label}"),
                 "ceterms:subjectWebpage": webpage, "ceterms:componentCategory": _lang("Target")})
    return dest, f"Route to {label}"


def _step_components(route: Any, catalogue: Catalogue, steps: list[str], components: dict[str, str],
                     dest_uri: str, webpage: str) -> list[dict[str, Any]]:
    """One component per step, linked in route order, with its weeks when the route has a schedule."""
    schedule = {s.credential_id: s for s in getattr(route, "schedule", ())}
    after = _order(steps, schedule, catalogue)
    nodes = []
    for cred_id in steps:
        cred = catalogue.credential(cred_id)
        node = _component(cred, components[cred_id], parent=dest_uri, webpage_fallback=webpage)
        # precedes and precededBy are inverses: both come from one set of ordered pairs
        following = [c for c in steps if (cred_id, c) in after]
        before = [c for c in steps if (c, cred_id) in after]
        if following:
            node["ceterms:precedes"] = [components[c] for c in following]
        if before:
            node["ceterms:precededBy"] = [components[c] for c in before]
        slot = schedule.get(cred_id)
        if slot is not None and node["@type"] == "ceterms:CourseComponent":
            node["ceterms:programTerm"] = [{
                "@type": _CAO, "ceterms:targetNodeName": _lang(
                    f"weeks {slot.start_week}-{slot.end_week} ({slot.start.isoformat()} to {slot.end.isoformat()})")}]
        nodes.append(node)
    return nodes


def _route_resources(catalogue: Catalogue, resource_ids: list[str], notes: list[str]) -> list[dict[str, Any]]:
    """What the steps stand for: their organisations, the competencies they teach, the credentials."""
    providers = sorted({catalogue.credential(c).provider for c in resource_ids})
    nodes = [_organisation(catalogue, p) for p in providers if catalogue.has("provider", p)]
    taught = (t.competency for c in resource_ids for t in catalogue.credential(c).teaches)
    nodes.extend(_competency_nodes(catalogue, _competency_closure(catalogue, taught)))
    nodes.extend(_credential(catalogue, catalogue.credential(c), notes) for c in resource_ids)
    return nodes


def _target_label(catalogue: Catalogue, target: Target) -> str:
    if target.kind == "role" and target.id and catalogue.has("role", target.id):
        return catalogue.role(target.id).title
    return str(target)


def _order(steps: list[str], schedule: dict[str, Any], catalogue: Catalogue) -> set[tuple[str, str]]:
    """Pairs (a, b) where step a comes right before b: b needs a, or b is in the next wave after a."""
    pairs: set[tuple[str, str]] = set()
    for cred_id in steps:
        for other in steps:
            if other != cred_id and any(a.credential == cred_id for g in catalogue.credential(other).requires
                                        for a in g.any_of):
                pairs.add((cred_id, other))
        mine = schedule.get(cred_id)
        if mine is None:
            continue
        # strictly later: steps of unknown length start and end in the same week as others
        later = [schedule[c] for c in steps if c in schedule and schedule[c].start_week >= mine.end_week
                 and schedule[c].start_week > mine.start_week]
        if later:
            first_start = min(s.start_week for s in later)
            pairs.update((cred_id, s.credential_id) for s in later
                         if s.start_week == first_start and s.credential_id != cred_id)
    return pairs


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
