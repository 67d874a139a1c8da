"""Import CTDL JSON-LD (Credential Engine): credentials, organisations, competencies, pathways.

Every input file is flattened into one node table (:mod:`planner.interop._jsonld`), so a
pathway in one file can point at the courses and credentials described in another
(``proxyFor``), in compact or expanded JSON-LD, with or without ``@graph``.

Mapping (catalogue <- CTDL)
---------------------------
* Credential classes (``Certificate``, ``BachelorDegree``, ``DigitalBadge``,
  ``MicroCredential`` …), ``Course`` and ``LearningProgram`` -> credentials.
* ``CredentialOrganization`` / ``QACredentialOrganization`` / ``Organization`` -> providers.
* ``ceasn:Competency`` -> competencies.
* Pathways: each concrete ``PathwayComponent`` (course, credential, assessment …)
  becomes a credential, or enriches the resource it is a ``proxyFor``. A component's
  ``ComponentCondition`` s become its **award rules**: ``requiredNumber`` -> ``n_of``,
  none -> ``all_of``, nested ``hasCondition`` -> nested rules, a credit ``Constraint``
  (``Sum`` of credit values ``>=`` k) -> a ``credits`` rule over the condition's targets
  (or, without targets, over the components the owner's stage covers). Grade, resit and
  average-mark constraints are reported as warnings: the planner does not model grades.
* Group components (``BasicComponent``, ``SelectionComponent`` …) are not credentials:
  where a condition targets one, its own conditions (or all its children) are inlined.
  An award reached after a chain of stages (``precededBy`` / ``precedes``) also needs the
  progression conditions of those stages, which is how an exit-award ladder
  (certificate -> diploma -> degree) keeps its cumulative meaning.
* A standalone ``Certification`` / ``License`` is earned by its own exam: its conditions
  become prerequisites (``requires``) rather than award rules when they can be written
  as an AND of OR groups.
* Every condition profile of ``prerequisite``, ``entryCondition``, ``requires`` (whatever
  its name) and ``corequisite`` (read as a prerequisite, said so): each
  ``targetCredential`` / ``targetLearningOpportunity`` / ``targetAssessment`` -> a
  ``requires`` group, ``alternativeCondition`` s -> groups of alternatives (exact AND-of-OR
  form), a ``targetCompetency`` with a stated level -> a competency prerequisite (in
  ``requires``: what the credential teaches). ``recommends`` targets, targets in no
  imported file, and conditions stated only in words are warnings that name them. A
  ``commonConditions`` / ``commonCosts`` manifest in the files applies to the record.
  A ``LearningProgram`` with ``hasPart`` -> an ``all_of`` award over its parts.
* Identity: a Registry record is one node whatever URI names it (``/graph/`` or
  ``/resources/``, registry or sandbox, any case) or when a blank node carries its
  ``ceterms:ctid``; the record's CTID is kept on the credential or provider (``ctid``), and
  the exporter writes it back.
* Costs: ``CostProfile`` s of different kinds (application, tuition …) add up for one
  audience; profiles for different audiences (``residencyType`` ``InState`` ->
  ``in-state``, ``audienceType`` ``Member`` -> ``member``) become ``costs``: alternatives,
  never summed. Durations: ``exactDuration``, ``minimumDuration`` / ``maximumDuration`` and
  ``timeRequired`` by the semantics' rule (a date part -> weeks, time only -> hours; a range
  kept as ``min_…`` and the upper end). Delivery: every ``deliveryType`` -> the set
  ``participation``.
* Credit: ``creditValue`` on the resource or on one of its ``requires`` profiles (CTDL
  puts a credential's credit there), kept with its unit (``credit``); ``ects`` from it only
  by a declared rate (ECTS, SCQF and CATS publish theirs; others by ``credit_rates``).
  EQF level: an ``audienceLevelType`` alignment to ``…/snb/eqf/N``. Taught competencies:
  alignments to a competency of the files that state the level.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.interop._duration import read_duration
from planner.interop._jsonld import Graph, first, flatten, iter_refs, local_name, rename_nodes, text, values
from planner.interop._result import (
    COMPETENCY_URN,
    UNKNOWN_PROVIDER,
    ImportProblem,
    ImportResult,
    empty_catalogue,
    line_of,
    read_json,
    read_json_text,
    slug,
    validate_catalogue,
)
from planner.interop.ctid import PUBLISHED_CTID_RE, ctid, registry_ctid, uri_of_ctid

__all__ = [
    "AUDIENCE_TERMS",
    "COMPONENT_CLASSES",
    "CREDENTIAL_CLASSES",
    "GROUP_COMPONENTS",
    "PLANNER_COMPETENCY_URN",
    "PLANNER_ID_TYPE",
    "PREREQUISITE_NAME",
    "audience_id",
    "canonical_ids",
    "destinations",
    "generated_label",
    "import_files",
    "import_graph",
]

#: identifierTypeName under which the exporter stores catalogue ids (lossless round trip)
PLANNER_ID_TYPE = "planner id"
#: name of the ``requires`` condition profiles that hold prerequisites (CTDL's own
#: ``prerequisite`` property is for course-to-course links only)
PREREQUISITE_NAME = "Prerequisite"
#: prefix of the ``ceasn:identifier`` that carries a competency's catalogue id
PLANNER_COMPETENCY_URN = COMPETENCY_URN

#: CTDL class -> catalogue credential type
CREDENTIAL_CLASSES: dict[str, str] = {
    **{f"ceterms:{name}": "certificate" for name in (
        "Credential", "Certificate", "AcademicCertificate", "ApprenticeshipCertificate",
        "BasicTechnicalCertificate", "CertificateOfCompletion", "CertificateOfParticipation",
        "GeneralEducationLevel1Certificate", "GeneralEducationLevel2Certificate",
        "HigherEducationLevel1Certificate", "HigherEducationLevel2Certificate",
        "JourneymanCertificate", "MasterCertificate", "PostBaccalaureateCertificate",
        "PostMasterCertificate", "PreApprenticeshipCertificate", "ProfessionalCertificate",
        "ProficiencyCertificate", "SecondaryEducationCertificate", "TechnicalLevel1Certificate",
        "TechnicalLevel2Certificate", "TechnicalLevel3Certificate", "WorkBasedLearningCertificate",
        "QualityAssuranceCredential")},
    **{f"ceterms:{name}": "diploma" for name in (
        "Diploma", "SecondarySchoolDiploma", "GeneralEducationDevelopment", "AssociateDegree",
        "AssociateOfAppliedArtsDegree", "AssociateOfAppliedScienceDegree", "AssociateOfArtsDegree",
        "AssociateOfScienceDegree")},
    **{f"ceterms:{name}": "bachelor" for name in (
        "Degree", "BachelorDegree", "BachelorOfArtsDegree", "BachelorOfScienceDegree", "SpecialistDegree")},
    **{f"ceterms:{name}": "master" for name in (
        "MasterDegree", "MasterOfArtsDegree", "MasterOfScienceDegree", "DoctoralDegree",
        "ResearchDoctorate", "ProfessionalDoctorate")},
    **{f"ceterms:{name}": "industry_certification" for name in ("Certification", "License")},
    **{f"ceterms:{name}": "badge" for name in ("DigitalBadge", "Badge", "OpenBadge")},
    "ceterms:MicroCredential": "micro_credential",
    **{f"ceterms:{name}": "course" for name in (
        "Course", "LearningProgram", "LearningOpportunity", "LearningOpportunityProfile",
        "Assessment", "AssessmentProfile")},
}

#: concrete pathway components: each becomes (or enriches) a credential
COMPONENT_CLASSES: dict[str, str] = {
    "ceterms:CourseComponent": "course",
    "ceterms:CredentialComponent": "certificate",
    "ceterms:AssessmentComponent": "course",
    "ceterms:CompetencyComponent": "micro_credential",
    "ceterms:CocurricularComponent": "course",
    "ceterms:ExtracurricularComponent": "course",
    "ceterms:WorkExperienceComponent": "course",
    "ceterms:JobComponent": "course",
}

#: components that only group others
GROUP_COMPONENTS = frozenset({
    "ceterms:BasicComponent", "ceterms:SelectionComponent", "ceterms:MultiComponent",
    "ceterms:CollectionComponent", "ceterms:PathwayComponent",
})

#: condition properties of a resource, with what the planner calls them
_CONDITION_KEYS = (("ceterms:prerequisite", "prerequisite"), ("ceterms:entryCondition", "entry condition"),
                   ("ceterms:requires", "requirement"), ("ceterms:corequisite", "co-requisite"),
                   ("ceterms:recommends", "recommendation"))
_MANIFESTS = ("ceterms:CostManifest", "ceterms:ConditionManifest")
_TARGET_KEYS = ("ceterms:targetCredential", "ceterms:targetLearningOpportunity", "ceterms:targetAssessment")
_ORG_CLASSES = ("ceterms:CredentialOrganization", "ceterms:QACredentialOrganization", "ceterms:Organization")
_EXAM_CLASSES = frozenset({"ceterms:Certification", "ceterms:License"})
_REF_KEYS = ("ceterms:targetComponent",)
_CHILD_KEYS = ("ceasn:hasChild", "ceterms:hasChild")
_PROXY = "ceterms:proxyFor"

# Module-level patterns (tests/test_regex_linear.py times each one on hostile text).
# None nests or chains unbounded repetitions that could match the same characters.
_URL_RE = re.compile(r"^https?://\S+$")
_ALPHA2_RE = re.compile(r"[A-Za-z]{2}")
_LOWER2_RE = re.compile(r"[a-z]{2}")
_ALPHA3_RE = re.compile(r"[A-Za-z]{3}")
_GRADE_RE = re.compile(r"grade|mark|resit|average", re.IGNORECASE)
_SLUG_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
# an "@id" key and its JSON string value (unrolled string form: linear)
_ID_KEY_RE = re.compile(r'"@id"\s*:\s*("[^"\\]*(?:\\.[^"\\]*)*")')
#: Most digits read as a level number at the end of an id ("…/scqf/9"); longer runs are no level.
LEVEL_DIGITS = 4


def trailing_number(text: str) -> int | None:
    """The number an id ends with, before an optional final ``/`` (``".../level/9/"`` -> 9).

    Done without a regular expression: a trailing-digits pattern searched over an id that ends in
    thousands of digits and a letter takes quadratic time.
    """
    body = text[:-1] if text.endswith("/") else text
    digits = len(body) - len(body.rstrip("0123456789"))
    if digits == 0 or digits > LEVEL_DIGITS:
        return None
    return int(body[-digits:])


_CURRENCIES = {"us dollar": "USD", "dollar": "USD", "usd": "USD", "euro": "EUR", "eur": "EUR",
               "british pound": "GBP", "pound sterling": "GBP", "gbp": "GBP", "canadian dollar": "CAD",
               "australian dollar": "AUD", "swiss franc": "CHF"}
_COUNTRIES = {"united states": "US", "usa": "US", "united states of america": "US", "united kingdom": "GB",
              "uk": "GB", "scotland": "GB", "england": "GB", "canada": "CA", "australia": "AU",
              "ireland": "IE", "germany": "DE", "france": "FR", "netherlands": "NL", "spain": "ES",
              "italy": "IT", "belgium": "BE", "austria": "AT", "finland": "FI", "sweden": "SE"}
_DELIVERY = {"OnlineOnly": "online", "InPerson": "onsite", "BlendedDelivery": "blended", "VariableSite": "onsite"}


#: most prerequisite groups one set of alternative conditions may become (AND-of-OR form)
MAX_ALTERNATIVE_GROUPS = 16
#: most prices (alternatives) kept for one credential (the model's limit)
MAX_PRICES = 20
#: CTDL's residency and audience concepts (``residency:InState``, ``audience:Member``); a price's
#: audience id is the concept's name in lower case with hyphens (``in-state``, ``non-member``)
RESIDENCY_CONCEPTS = ("InState", "International", "Local", "OutOfState", "Regional")
AUDIENCE_CONCEPTS = (
    "Citizen", "CulturalEthnicMinority", "CurrentlyIncarcerated", "CurrentMilitary", "CurrentMilitaryDependent",
    "CurrentMilitarySpouse", "CurrentStudent", "Displaced", "FormerlyIncarcerated", "FormerMember",
    "FormerMilitary", "FormerMilitaryDependent", "FormerMilitarySpouse", "FormerStudent", "FullTime",
    "FutureMember", "FutureStudent", "Homemaker", "JobSeeker", "Member", "NonCitizen", "NonMember",
    "NonResident", "PartTime", "PrivateEmployee", "PublicEmployee", "Resident", "Unemployed", "Youth")
_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")


def audience_id(concept: str) -> str:
    """The audience id of a CTDL residency / audience concept name (``OutOfState`` -> ``out-of-state``)."""
    return slug(_CAMEL_RE.sub(r"\1-\2", local_name(concept)))[:60]


#: audience id -> CTDL concept (``in-state`` -> ``residency:InState``), for the exporter
AUDIENCE_TERMS: dict[str, str] = {
    **{audience_id(name): f"audience:{name}" for name in AUDIENCE_CONCEPTS},
    **{audience_id(name): f"residency:{name}" for name in RESIDENCY_CONCEPTS},
}


@dataclass(frozen=True)
class _Price:
    """One priced cost profile: amount, currency, cost type, audiences (none: anyone), name."""

    amount: float
    currency: str
    kind: str
    audiences: tuple[str, ...]
    label: str | None


# --------------------------------------------------------------------------- entry points


def import_files(paths: Sequence[Path], *, credit_rates: Mapping[str, float] | None = None) -> ImportResult:
    """Import CTDL JSON-LD files into catalogue sections.

    Parameters
    ----------
    paths : sequence of Path
        JSON-LD files; they are read together, so references between them resolve (a
        Registry record is one node whether it is named by its ``/graph/`` or
        ``/resources/`` URI or carries its CTID).
    credit_rates : mapping of str to float, optional
        ECTS per unit for credit units the user declares a rate for (``semester_hour``:
        2.0); credit in other units than ECTS, SCQF and CATS is otherwise kept with its
        unit and not converted.

    Returns
    -------
    ImportResult
        Providers, competencies and credentials (with award rules from pathways), and
        every problem found, located by file, line and JSON path.

    """
    graph = Graph()
    problems: list[ImportProblem] = []
    texts: dict[str, str] = {}
    for path in paths:
        data, found, text = read_json_text(path)
        problems.extend(found)
        if data is None or any(p.severity == "error" for p in found):
            continue
        texts[str(path)] = text
        before = len(graph.nodes)
        flatten(_unwrap_envelopes(data), graph=graph, file=str(path))
        if len(graph.nodes) == before:
            problems.append(ImportProblem(str(path), None, "$", "no JSON-LD node found (expected objects "
                                          "with '@type', possibly inside '@graph')"))
    result = import_graph(graph, texts=texts, source="ctdl: " + ", ".join(str(p) for p in paths),
                          credit_rates=credit_rates)
    return ImportResult(result.catalogue, None, tuple(problems) + result.problems, result.source)


def canonical_ids(graph: Graph) -> None:
    """Make every spelling of one Registry record one node.

    ``/graph/`` and ``/resources/`` URIs (registry or sandbox, any case) of one CTID, and a
    blank node that carries ``ceterms:ctid``, are merged, and every reference follows. The
    node keeps its own web address when it has one outside the Registry (O*NET's competency
    URIs), else it becomes the canonical ``/resources/`` URI.
    """
    preferred: dict[str, str] = {}  # CTID -> the id its node keeps
    carriers: dict[str, str] = {}  # node id -> its CTID
    for node_id in graph.order:
        found = registry_ctid(node_id)
        if found is None:
            published = text(graph.nodes[node_id], "ceterms:ctid")
            if published and PUBLISHED_CTID_RE.match(published):
                found = published.lower()
        if found is None:
            continue
        carriers[node_id] = found
        if not node_id.startswith("_:") and registry_ctid(node_id) is None:
            preferred.setdefault(found, node_id)
    names = {node_id: preferred.get(found, uri_of_ctid(found)) for node_id, found in carriers.items()}
    for node in graph.nodes.values():
        for key, vals in node.items():
            if key in ("@id", "@type"):
                continue
            for value in vals:
                if isinstance(value, str) and value not in names:
                    found = registry_ctid(value)
                    if found is not None:
                        names[value] = preferred.get(found, uri_of_ctid(found))
    rename_nodes(graph, names)


def destinations(paths: Sequence[Path]) -> tuple[str, ...]:
    """Return the credential ids of the pathway destinations in ``paths``.

    Awards (credentials with rules) come first: they are what a route targets.
    """
    graph = Graph()
    for path in paths:
        data, found = read_json(path)
        if data is not None and not any(p.severity == "error" for p in found):
            flatten(_unwrap_envelopes(data), graph=graph, file=str(path))
    canonical_ids(graph)
    reader = _Reader(graph, {})
    catalogue = reader.run()
    awards = {c["id"] for c in catalogue["credentials"] if c.get("award")}
    ids = [reader.credential_ids[d] for d in reader.destinations if d in reader.credential_ids]
    ids = list(dict.fromkeys(ids))
    return tuple(sorted(ids, key=lambda i: (i not in awards, ids.index(i))))


def import_graph(graph: Graph, *, texts: dict[str, str] | None = None, source: str = "ctdl",
                 credit_rates: Mapping[str, float] | None = None) -> ImportResult:
    """Interpret an already flattened CTDL graph (see :func:`import_files`)."""
    canonical_ids(graph)
    reader = _Reader(graph, texts or {}, credit_rates=credit_rates)
    catalogue = reader.run()
    problems = list(dict.fromkeys(reader.problems))  # a stage's conditions are read once per award
    problems.extend(validate_catalogue(catalogue, file=source))
    return ImportResult(catalogue, None, tuple(problems), source)


# --------------------------------------------------------------------------- reader


class _Reader:
    """One import run: node classification, id assignment, mapping, rules."""

    def __init__(self, graph: Graph, texts: dict[str, str], *,
                 credit_rates: Mapping[str, float] | None = None) -> None:
        self.g = graph
        self.texts = texts
        self.credit_rates = dict(credit_rates or {})
        self.problems: list[ImportProblem] = []
        self.credential_ids: dict[str, str] = {}  # node id -> credential id
        self.provider_ids: dict[str, str] = {}
        self.competency_ids: dict[str, str] = {}
        self.credentials: dict[str, dict[str, Any]] = {}  # credential id -> dict
        self.providers: dict[str, dict[str, Any]] = {}
        self.units: dict[str, float | None] = {}  # credential id -> factor used for its ects
        self.levels: dict[str, int | None] = {}  # credential id -> credit level (e.g. SCQF 9)
        self.warned: set[str] = set()
        self._before: dict[str, list[str]] | None = None  # node -> nodes that precede it
        self._id_lines: dict[str, dict[str, int]] = {}  # file -> JSON text of an "@id" -> its first line

    # ---- problems

    def _id_line(self, file: str) -> dict[str, int]:
        """Line of each ``"@id": "..."`` in a file, found in one pass (not one search per problem)."""
        lines = self._id_lines.get(file)
        if lines is None:
            lines = {}
            text_, line, at = self.texts[file], 1, 0
            for match in _ID_KEY_RE.finditer(text_):
                line += text_.count("\n", at, match.start())
                at = match.start()
                lines.setdefault(match.group(1), line)
            self._id_lines[file] = lines
        return lines

    def problem(self, node_id: str | None, message: str, severity: str = "error", key: str = "") -> None:
        file, pointer = self.g.where.get(node_id or "", ("", ""))
        line = None
        if file in self.texts and node_id and not node_id.startswith("_:"):
            # the node's own "@id", else its first mention
            found = self._id_line(file).get(json.dumps(node_id.split("#")[0]))
            line = found if found is not None else line_of(self.texts[file], json.dumps(node_id))
        if key:
            pointer = f'{pointer}["{key}"]'
        self.problems.append(ImportProblem(file, line, pointer, message, severity))  # type: ignore[arg-type]

    def warn_once(self, tag: str, node_id: str | None, message: str) -> None:
        if tag not in self.warned:
            self.warned.add(tag)
            self.problem(node_id, message, "warning")

    # ---- classification

    def types(self, node: dict[str, Any] | None) -> list[str]:
        return node["@type"] if node else []

    def is_component(self, node: dict[str, Any] | None) -> bool:
        return any(t in COMPONENT_CLASSES or t in GROUP_COMPONENTS for t in self.types(node))

    def is_group(self, node: dict[str, Any] | None) -> bool:
        return bool(node) and any(t in GROUP_COMPONENTS for t in self.types(node)) and not self.is_concrete(node)

    def is_concrete(self, node: dict[str, Any] | None) -> bool:
        return any(t in COMPONENT_CLASSES or t in CREDENTIAL_CLASSES for t in self.types(node))

    def is_resource(self, node: dict[str, Any] | None) -> bool:
        return any(t in CREDENTIAL_CLASSES for t in self.types(node))

    # ---- main

    def run(self) -> dict[str, list[dict[str, Any]]]:
        self.split_merged_components()
        pathways = self.g.of_type("ceterms:Pathway")
        destinations = [d for p in pathways for d in iter_refs(values(p, "ceterms:hasDestinationComponent"))]
        # published data sometimes marks the destination only from the component's side
        destinations += [n["@id"] for n in self.g.nodes.values() if values(
            n, "ceterms:isDestinationComponentOf", "ceterms:isDestinationComponentFor")]
        self.destinations = [d for d in dict.fromkeys(destinations) if self.g.get(d)]
        for p in pathways:
            for d in iter_refs(values(p, "ceterms:hasDestinationComponent")):
                if not self.g.get(d):
                    self.problem(p["@id"], f"destination component {d} is not in the imported files", "warning",
                                 key="ceterms:hasDestinationComponent")
        self.read_organisations()
        competencies = self.read_competencies()
        self.assign_credential_ids()
        for node_id, cred_id in self.credential_ids.items():
            if cred_id not in self.credentials:
                self.credentials[cred_id] = self.credential(node_id, cred_id)
        self.enrich_from_components()
        self.attach_rules()
        self.attach_prerequisites()
        self.attach_program_parts()
        catalogue = empty_catalogue()
        used_providers = {c["provider"] for c in self.credentials.values()}
        catalogue["providers"] = [self.providers[p] for p in sorted(self.providers) if p in used_providers
                                  or not p.startswith("unknown")]
        catalogue["competencies"] = competencies
        catalogue["credentials"] = [_clean(self.credentials[c]) for c in sorted(self.credentials)]
        for item in self.g.of_type("ceterms:PathwaySet"):
            self.problem(item["@id"], "a PathwaySet only lists pathways; import the pathway files themselves",
                         "warning")
        manifests = self.g.of_type(*_MANIFESTS)
        used = {m for n in self.g.nodes.values() for m in values(n, "ceterms:commonCosts", "ceterms:commonConditions")}
        for item in manifests:
            if item["@id"] not in used:
                self.problem(item["@id"], "a cost or condition manifest holds an organisation's common costs or "
                             "conditions, not a credential; import it together with the credentials that name it "
                             "(commonCosts / commonConditions) and it applies to them", "warning")
        if not any(catalogue[s] for s in catalogue) and self.g.nodes and len(manifests) < len(self.g.nodes):
            self.problem(self.g.order[0], "nothing importable found: no CTDL credential, course, organisation, "
                         "competency or pathway component")
        return catalogue

    def manifests(self, node: dict[str, Any], key: str) -> list[dict[str, Any]]:
        """The cost or condition manifests a record names (``commonCosts``), those not in the files reported."""
        out = []
        for ref in iter_refs(values(node, key)):
            manifest = self.g.get(ref)
            if manifest is None:
                self.problem(node["@id"], f"its {key.removeprefix('ceterms:')} are in {ref}, which is not in the "
                             "imported files (import that manifest too); they are left out", "warning", key=key)
            else:
                out.append(manifest)
        return out

    # ---- merged components (the same @id used for two components in published data)

    def split_merged_components(self) -> None:
        for node in list(self.g.of_type(*COMPONENT_CLASSES)):
            names = [v for v in values(node, "ceterms:name") if isinstance(v, str)]
            proxies = iter_refs(values(node, _PROXY))
            if len(names) < 2 or len(proxies) != len(names):
                continue
            self.problem(node["@id"], f"one @id carries {len(names)} components ({', '.join(names)}); "
                         "they are split by position", "warning")
            parts = []
            for index in range(len(names)):
                part: dict[str, Any] = {"@id": f"{node['@id']}#{index + 1}", "@type": list(node["@type"])}
                for key, vals in node.items():
                    if key.startswith("@"):
                        continue
                    part[key] = [vals[index]] if len(vals) == len(names) else list(vals)
                parts.append(part)
            old = node["@id"]
            del self.g.nodes[old]
            position = self.g.order.index(old)
            self.g.order[position:position + 1] = [p["@id"] for p in parts]
            for part in parts:
                self.g.nodes[part["@id"]] = part
                self.g.where[part["@id"]] = self.g.where.get(old, ("", ""))
            # references to the merged id now point to every part
            for other in self.g.nodes.values():
                for key, vals in other.items():
                    if not key.startswith("@") and old in vals:
                        at = vals.index(old)
                        other[key] = vals[:at] + [p["@id"] for p in parts] + vals[at + 1:]

    # ---- organisations

    def read_organisations(self) -> None:
        orgs = self.g.of_type(*_ORG_CLASSES)
        taken: dict[str, str] = {}
        for node in sorted(orgs, key=lambda n: n["@id"]):
            name = text(node, "ceterms:name") or local_name(node["@id"])
            base = _planner_id(self.g, node) or slug(name)
            pid = _unique(base, taken, node["@id"])
            self.provider_ids[node["@id"]] = pid
            country = self.country(node)
            provider: dict[str, Any] = {"id": pid, "name": name[:300], "country": country or "ZZ",
                                        "kind": self.provider_kind(node)}
            if country is None:
                self.problem(node["@id"], f"organisation '{name}' states no country I can read; "
                             "recorded as 'ZZ' (unknown)", "warning")
            website = first(node, "ceterms:subjectWebpage")
            if isinstance(website, str) and _URL_RE.match(website):
                provider["website"] = website
            published = self.published_ctid(node, "provider", pid)
            if published:
                provider["ctid"] = published
            self.providers[pid] = provider

    def country(self, node: dict[str, Any]) -> str | None:
        for address in values(node, "ceterms:address"):
            value = text(self.g.get(address), "ceterms:addressCountry")
            if value:
                if _ALPHA2_RE.fullmatch(value):
                    return value.upper()
                return _COUNTRIES.get(value.lower())
        return None

    def provider_kind(self, node: dict[str, Any]) -> str:
        tags = " ".join(str(first(self.g.get(a), "ceterms:targetNode", default=a))
                        for a in values(node, "ceterms:agentType"))
        if any(k in tags for k in ("Postsecondary", "FourYear", "University")):
            return "university"
        if any(k in tags for k in ("TwoYear", "Technical", "SecondarySchool")):
            return "vet_college"
        if any(k in tags for k in ("CertificationBody", "Business", "Vendor", "ProfessionalAssociation")):
            return "industry"
        if "PrimarilyOnline" in tags:
            return "online_platform"
        return "other"

    def provider_for(self, node: dict[str, Any], fallback: dict[str, Any] | None = None) -> str:
        for ref in iter_refs(values(node, "ceterms:ownedBy", "ceterms:offeredBy")) + iter_refs(
                values(fallback, "ceterms:ownedBy", "ceterms:offeredBy")):
            if ref in self.provider_ids:
                return self.provider_ids[ref]
            tag = f"org:{ref}"
            if tag not in self.warned:
                self.warn_once(tag, node["@id"], f"organisation {ref} is not in the imported files; "
                               "a placeholder provider is used")
                pid = _unique("provider-" + slug(local_name(ref))[:60], {p: p for p in self.providers}, ref)
                self.providers[pid] = {"id": pid, "name": f"Organisation {local_name(ref)}"[:300],
                                       "country": "ZZ", "kind": "other"}
                if registry_ctid(ref):  # a Registry record named only: its CTID is known, so kept
                    self.providers[pid]["ctid"] = registry_ctid(ref)
                self.provider_ids[ref] = pid
            return self.provider_ids[ref]
        # inherit the owner of a pathway the node belongs to
        for pathway in self.g.of_type("ceterms:Pathway"):
            for ref in iter_refs(values(pathway, "ceterms:ownedBy", "ceterms:offeredBy")):
                if ref in self.provider_ids:
                    return self.provider_ids[ref]
        self.warn_once("unknown-provider", node["@id"], "no owning organisation is stated; credentials are "
                       "attributed to 'unknown-provider' (country ZZ)")
        self.providers.setdefault(UNKNOWN_PROVIDER["id"], dict(UNKNOWN_PROVIDER))
        return UNKNOWN_PROVIDER["id"]

    # ---- competencies

    def read_competencies(self) -> list[dict[str, Any]]:
        nodes = self.g.of_type("ceasn:Competency")
        taken: dict[str, str] = {}
        out = []
        for node in sorted(nodes, key=lambda n: n["@id"]):
            label = text(node, "ceasn:competencyLabel", "ceasn:competencyText", "ceterms:name")
            if not label:
                self.problem(node["@id"], "competency without ceasn:competencyLabel or competencyText; skipped",
                             "warning")
                continue
            code = text(node, "ceasn:codedNotation")
            base = _planner_competency_id(node) or _planner_id(self.g, node) or slug(code or label)
            self.competency_ids[node["@id"]] = _unique(base, taken, node["@id"])
        for node in sorted(nodes, key=lambda n: n["@id"]):
            cid = self.competency_ids.get(node["@id"])
            if cid is None:
                continue
            label = text(node, "ceasn:competencyLabel", "ceasn:competencyText", "ceterms:name") or cid
            item: dict[str, Any] = {"id": cid, "label": _short(label)}
            long_text = text(node, "ceasn:competencyText")
            if long_text and long_text != label:
                item["description"] = long_text[:2000]
            # the exporter's competencies are registry resources aligned to their ESCO / O*NET skill
            # (their own @id is not the competency's web address)
            aligned = first(node, "ceasn:exactAlignment")
            uri = aligned if isinstance(aligned, str) else "" if _planner_competency_id(node) else node["@id"]
            if _URL_RE.match(uri):
                item["uri"] = uri
                if "data.europa.eu/esco" in uri:
                    item["framework"] = "esco"
                elif "onetcenter.org" in uri:
                    item["framework"] = "onet"
            parent = first(node, "ceasn:isChildOf")
            if parent in self.competency_ids:
                item["broader"] = self.competency_ids[parent]
            if any("knowledge" in str(v).lower() for v in values(node, "ceasn:competencyCategory")):
                item["type"] = "knowledge"
            out.append(item)
        return out

    # ---- credential ids

    def assign_credential_ids(self) -> None:
        """Give every credential-producing node an id: planner id, else code + name, else CTID."""
        producing: list[dict[str, Any]] = []
        for node_id in self.g.order:
            node = self.g.nodes[node_id]
            if self.is_resource(node) and not self.is_component(node):
                producing.append(node)
        resources = {n["@id"] for n in producing}
        for node_id in self.g.order:
            node = self.g.nodes[node_id]
            if not self.is_component(node):
                continue
            proxy = next((p for p in iter_refs(values(node, _PROXY)) if p in resources), None)
            if proxy is not None:
                continue  # enriches its resource
            if self.is_concrete(node) or node_id in self.destinations:
                producing.append(node)
        taken: dict[str, str] = {}
        for node in sorted(producing, key=lambda n: (self.base_id(n), n["@id"])):
            self.credential_ids[node["@id"]] = _unique(self.base_id(node), taken, node["@id"])
        for node_id in self.g.order:
            node = self.g.nodes[node_id]
            if self.is_component(node) and node_id not in self.credential_ids:
                proxy = next((p for p in iter_refs(values(node, _PROXY)) if p in resources), None)
                if proxy is not None:
                    self.credential_ids[node_id] = self.credential_ids[proxy]

    def base_id(self, node: dict[str, Any]) -> str:
        planner = _planner_id(self.g, node)
        if planner:
            return planner
        name = text(node, "ceterms:name")
        code = text(node, "ceterms:codedNotation", "ceasn:codedNotation")
        if name:
            return slug(f"{code} {name}" if code and code.lower() not in name.lower() else name)
        ctid = text(node, "ceterms:ctid")
        return slug(ctid or local_name(node["@id"]))

    # ---- credential fields

    def credential(self, node_id: str, cred_id: str) -> dict[str, Any]:
        node = self.g.nodes[node_id]
        title = text(node, "ceterms:name") or cred_id
        cred: dict[str, Any] = {"id": cred_id, "title": _short(title), "provider": self.provider_for(node),
                                "type": self.credential_type(node)}
        description = text(node, "ceterms:description")
        if description:
            cred["description"] = description[:2000]
        url = first(node, "ceterms:subjectWebpage", "ceterms:sourceData")
        if isinstance(url, str) and _URL_RE.match(url):
            cred["url"] = url
        self.read_credit(node, cred)
        languages = []
        for lang in values(node, "ceterms:inLanguage"):
            code = str(lang)[:2].lower()
            if _LOWER2_RE.fullmatch(code) and code not in languages:
                languages.append(code)
        if languages:
            cred["languages"] = languages
        modes = self.delivery(node)
        if modes:
            cred["participation"] = modes[0] if len(modes) == 1 else modes
        cred.update(self.cost(node))
        cred.update(self.durations(node))
        self.read_levels_and_effort(node, cred)
        published = self.published_ctid(node, "credential", cred_id)
        if published:
            cred["ctid"] = published
        return cred

    def published_ctid(self, node: dict[str, Any], kind: str, item_id: str) -> str | None:
        """The record's own CTID (lower case), unless it is the one an export derives from the id.

        A CTID the exporter made from the planner id is left out, so an export read back
        is the catalogue it came from; exporting again gives the same CTID either way.
        """
        if self.is_component(node):
            return None  # a component's CTID names the component, not the credential
        value = text(node, "ceterms:ctid")
        if value is None or not PUBLISHED_CTID_RE.match(value):
            found = registry_ctid(node["@id"])
            if found is None:
                return None
            value = found
        value = value.lower()
        if _planner_id(self.g, node) is not None and value == ctid(kind, item_id):
            return None
        return value

    def read_levels_and_effort(self, node: dict[str, Any], cred: dict[str, Any]) -> None:
        """EQF level (an alignment to its Europa URI), workload hours and the competencies taught.

        A taught competency is read from an alignment (``teaches``, or a ``requires``
        profile's ``targetCompetency``) whose ``targetNode`` is a competency of the files
        and whose description states the level ("level 3 of 1-4"), as the exporter writes.
        """
        for ref in values(node, "ceterms:audienceLevelType"):
            target = first(self.g.get(ref), "ceterms:targetNode", default=ref)
            match = _EQF_RE.search(str(target))
            if match:
                cred["eqf_level"] = int(match.group(1))
        profiles = [self.g.get(r) for r in values(node, "ceterms:requires")]
        alignments = values(node, "ceterms:teaches") + [
            a for p in profiles for a in values(p, "ceterms:targetCompetency")]
        teaches: list[dict[str, Any]] = []
        for ref in alignments:
            alignment = self.g.get(ref)
            competency = self.competency_ids.get(str(first(alignment, "ceterms:targetNode", default="")))
            match = _LEVEL_RE.search(text(alignment, "ceterms:targetNodeDescription") or "")
            if competency and match and all(t["competency"] != competency for t in teaches):
                teaches.append({"competency": competency, "level": int(match.group(1))})
        if teaches:
            cred["teaches"] = teaches

    def credential_type(self, node: dict[str, Any]) -> str:
        for kind in self.types(node):
            if kind in CREDENTIAL_CLASSES:
                return CREDENTIAL_CLASSES[kind]
        declared = first(node, "ceterms:credentialType")
        if isinstance(declared, str):
            declared = "ceterms:" + local_name(declared)
            if declared in CREDENTIAL_CLASSES:
                return CREDENTIAL_CLASSES[declared]
        for kind in self.types(node):
            if kind in COMPONENT_CLASSES:
                return COMPONENT_CLASSES[kind]
        return "certificate"  # a group component that is a pathway destination

    def read_credit(self, node: dict[str, Any], cred: dict[str, Any]) -> None:
        """``credit`` as published (value and unit), and ``ects`` only by a declared rate.

        A credential states its credit in a condition profile (CTDL has ``creditValue`` on
        courses and condition profiles only); the unit may be described by the owner.
        """
        owners = [node] + [p for p in (self.g.get(r) for r in values(node, "ceterms:requires")) if p]
        for owner, ref in ((o, r) for o in owners for r in values(o, "ceterms:creditValue")):
            profile = self.g.get(ref)
            value = first(profile, "schema:value", "ceterms:value", "schema:minValue")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 100_000:
                continue
            concepts = [str(first(self.g.get(u), "ceterms:targetNode", default=u))
                        for u in values(profile, "ceterms:creditUnitType")]
            names = [str(first(self.g.get(u), "ceterms:targetNodeName", default="")) for u in
                     values(profile, "ceterms:creditUnitType")]
            words = " ".join(str(v) for v in values(profile, "ceterms:creditUnitTypeDescription", "schema:unitText",
                                                   "schema:description")
                             + values(owner, "ceterms:creditUnitTypeDescription"))
            unit, label = credit_unit(concepts, words, names)
            credit: dict[str, Any] = {"value": float(value), "unit": unit}
            high = first(profile, "schema:maxValue")
            if isinstance(high, (int, float)) and not isinstance(high, bool) and value < high <= 100_000:
                credit["max_value"] = float(high)
            if unit == "other" and label:
                credit["unit_label"] = _short(label)
            if unit != "ects" or "max_value" in credit:  # plain ECTS is what ``ects`` says already
                cred["credit"] = credit
            factor = self.rate(unit)
            if factor is None:
                self.warn_once(f"rate:{unit}:{label}", node["@id"], f"credit in {label or unit} is kept with its "
                               "unit and not converted to ECTS: no rate is declared for it (declare one with "
                               f"--credit-rate {unit}=ECTS_PER_UNIT)")
            else:
                cred["ects"] = round(float(value) * factor, 3)
                self.units[cred["id"]] = factor
            level = first(profile, "ceterms:creditLevelType")
            level = first(self.g.get(level), "ceterms:targetNode", default=level)
            self.levels[cred["id"]] = trailing_number(str(level or ""))
            return

    def rate(self, unit: str) -> float | None:
        """ECTS per unit: ECTS 1; the rate SCQF and CATS publish (0.5); else only a declared one."""
        if unit in self.credit_rates:
            return float(self.credit_rates[unit])
        return FRAMEWORK_RATES.get(unit)

    def delivery(self, node: dict[str, Any]) -> list[str]:
        """Every delivery mode the record states (a set, in the catalogue's order)."""
        modes: list[str] = []
        for ref in values(node, "ceterms:learningDeliveryType", "ceterms:deliveryType"):
            target = first(self.g.get(ref), "ceterms:targetNode", default=ref)
            mode = _DELIVERY.get(local_name(str(target)))
            if mode and mode not in modes:
                modes.append(mode)
            elif mode is None:
                self.problem(node["@id"], f"delivery type '{local_name(str(target))}' has no participation mode "
                             "here; it is left out", "warning")
        return sorted(modes, key=["online", "onsite", "blended"].index)

    def cost(self, node: dict[str, Any]) -> dict[str, Any]:
        """``cost`` (one price) or ``costs`` (a price per audience: alternatives, never summed).

        Cost profiles of different kinds (application fee, tuition …) for the same audience
        add up to that audience's price; profiles for different audiences (``residencyType``,
        ``audienceType``) are alternatives; a profile for no audience applies to each.
        Several profiles of one kind for the same audience (two tuitions, no audience) are
        alternatives as well.
        """
        priced: list[_Price] = []
        common = [r for m in self.manifests(node, "ceterms:commonCosts") for r in values(m, "ceterms:estimatedCost")]
        for ref in values(node, "ceterms:estimatedCost") + common:
            profile = self.g.get(ref)
            price = first(profile, "ceterms:price")
            if not isinstance(price, (int, float)) or isinstance(price, bool) or profile is None:
                continue
            currency = str(first(profile, "ceterms:currency", default="USD")).strip()
            code = currency.upper() if _ALPHA3_RE.fullmatch(currency) else _CURRENCIES.get(currency.lower())
            if code is None:
                self.problem(node["@id"], f"unknown currency '{currency}'; the cost is left out", "warning")
                continue
            kind = local_name(str(first(self.g.get(first(profile, "ceterms:directCostType")),
                                        "ceterms:targetNode", default=first(profile, "ceterms:directCostType",
                                                                            default=""))))
            audiences = [a for a in (self.audience(r) for r in values(profile, "ceterms:residencyType",
                                                                       "ceterms:audienceType")) if a]
            label = text(profile, "ceterms:name")
            priced.append(_Price(float(price), code, kind, tuple(dict.fromkeys(audiences)), label))
        if not priced:
            return {}
        aggregate = [p for p in priced if p.kind == "AggregateCost"]
        if aggregate and values(node, "ceterms:hasPart"):
            self.problem(node["@id"], "the program's cost is the aggregate of its parts; it is counted "
                         "through the parts, not twice", "warning")
            return {}
        if aggregate:
            priced = aggregate  # the publisher's own total
        options = self.cost_options(node, priced)
        if len(options) == 1 and options[0]["audience"] is None:
            return {"cost": options[0]["price"]}
        return {"costs": [{k: v for k, v in o.items() if v is not None} for o in options[:MAX_PRICES]]}

    def cost_options(self, node: dict[str, Any], priced: list[_Price]) -> list[dict[str, Any]]:
        """The alternatives: one per audience (with the prices for anyone), or per repeated kind."""
        general = [p for p in priced if not p.audiences]
        audiences = list(dict.fromkeys(a for p in priced for a in p.audiences))
        groups: list[tuple[str | None, list[_Price]]] = []
        if audiences:
            groups = [(a, general + [p for p in priced if a in p.audiences]) for a in audiences]
        else:
            by_kind: dict[str, list[_Price]] = {}
            for p in general:
                by_kind.setdefault(p.kind, []).append(p)
            n = max(len(v) for v in by_kind.values())
            if n > 1:
                repeated = ", ".join(k or "unnamed" for k, v in by_kind.items() if len(v) > 1)
                self.problem(node["@id"], f"{n} prices of the same kind ({repeated}) for no stated audience: kept "
                             "as alternatives (a learner pays one), the lowest used unless told", "warning")
            for i in range(n):
                groups.append((None, [v[min(i, len(v) - 1)] for v in by_kind.values()]))
        options = []
        for audience, group in groups:
            currency = group[0].currency
            if any(p.currency != currency for p in group):
                self.problem(node["@id"], f"the prices for {audience or 'anyone'} are in several currencies; only "
                             f"those in {currency} are added", "warning")
            amount = round(sum(p.amount for p in group if p.currency == currency), 2)
            label = _short(" + ".join(dict.fromkeys(p.label for p in group if p.label))) or None
            options.append({"audience": audience, "price": {"amount": amount, "currency": currency},
                            "label": label})
        if len(options) > MAX_PRICES:
            self.problem(node["@id"], f"{len(options)} prices; the first {MAX_PRICES} are kept", "warning")
        return options

    def audience(self, ref: Any) -> str | None:
        """An audience id from a ``residencyType`` / ``audienceType`` concept (``residency:InState`` -> in-state)."""
        target = first(self.g.get(ref), "ceterms:targetNode", default=ref)
        name = local_name(str(target))
        if not name:
            return None
        return audience_id(name)

    def durations(self, node: dict[str, Any]) -> dict[str, Any]:
        """``duration_weeks`` / ``hours`` and ranges (``min_…``) from the duration profiles."""
        found: dict[str, dict[str, list[float]]] = {"weeks": {}, "hours": {}}
        for ref in values(node, "ceterms:estimatedDuration"):
            profile = self.g.get(ref)
            for key, slot in (("ceterms:exactDuration", "exact"), ("ceterms:minimumDuration", "min"),
                              ("ceterms:maximumDuration", "max"), ("ceterms:timeRequired", "exact")):
                for raw in values(profile, key):
                    read = read_duration(raw)
                    if read is None:
                        self.problem(node["@id"], f"duration {str(raw)[:40]!r} is no ISO 8601 duration; it is "
                                     "left out", "warning", key="ceterms:estimatedDuration")
                        continue
                    found[read.kind].setdefault(slot, []).append(read.value)
        out: dict[str, Any] = {}
        for kind, (field, low_field, limit) in (("weeks", ("duration_weeks", "min_duration_weeks", 520)),
                                                ("hours", ("hours", "min_hours", 10_000))):
            slots = found[kind]
            exact, low, high = slots.get("exact", []), slots.get("min", []), slots.get("max", [])
            unit = "weeks" if kind == "weeks" else "hours"
            if exact:
                if len(set(exact)) > 1:
                    self.problem(node["@id"], f"several exact durations ({', '.join(f'{v:g}' for v in exact)} "
                                 f"{unit}); planned with the longest", "warning")
                out[field] = max(exact)
                if low or high:
                    self.problem(node["@id"], "an exact duration and a range are both given; the exact one "
                                 "is used", "warning")
            elif high:
                out[field] = max(high)
                if low and min(low) < out[field]:
                    out[low_field] = min(low)
            elif low:
                out[field] = min(low)
                self.problem(node["@id"], f"only a minimum duration is published ({out[field]:g} {unit}); it "
                             "is planned with, as a lower bound", "warning")
            for key in (field, low_field):
                if key in out and out[key] > limit:
                    self.problem(node["@id"], f"a duration of {out[key]:g} {unit} is above the limit {limit}; "
                                 "it is left out", "warning")
                    out.pop(field, None)
                    out.pop(low_field, None)
            for key in (field, low_field):
                if key in out and kind == "weeks":
                    out[key] = int(out[key])
        return out

    # ---- pathway components

    def enrich_from_components(self) -> None:
        """Fill a proxied resource's missing credit value from its component."""
        for node_id, cred_id in self.credential_ids.items():
            node = self.g.nodes[node_id]
            if not self.is_component(node):
                continue
            cred = self.credentials[cred_id]
            if "ects" not in cred:
                self.read_credit(node, cred)

    def attach_rules(self) -> None:
        for node_id in self.g.order:
            node = self.g.nodes[node_id]
            if node_id not in self.credential_ids or (not self.is_component(node) and not (
                    self.is_resource(node) and values(node, "ceterms:hasCondition"))):
                continue
            cred = self.credentials[self.credential_ids[node_id]]
            rule = self.component_rule(node_id, set(), with_progression=True)
            if rule is None:
                continue
            if any(t in _EXAM_CLASSES for t in self.types(node)) and not self.is_component(node):
                groups = _as_groups(rule)
                if groups is not None:
                    cred["requires"] = _merge_groups(cred.get("requires", []), groups)
                    continue
                self.problem(node_id, "these conditions cannot be written as prerequisites; kept as "
                             "award rules", "warning")
            if cred.get("award") and cred["award"]["rule"] != rule:
                self.problem(node_id, f"'{cred['id']}' has conditions in more than one pathway; they are "
                             "combined (all must be met)", "warning")
                rule = {"all_of": [cred["award"]["rule"], rule]}
            cred["award"] = {"rule": rule}
            self.check_award_self_reference(cred)

    def check_award_self_reference(self, cred: dict[str, Any]) -> None:
        if cred["id"] in _rule_credentials(cred["award"]["rule"]):
            self.problem(None, f"award '{cred['id']}' lists itself among its parts; that part is dropped",
                         "warning")
            rule = _drop_credential(cred["award"]["rule"], cred["id"])
            if rule is None:
                del cred["award"]
            else:
                cred["award"]["rule"] = rule

    def component_rule(self, node_id: str, visiting: set[str], *, with_progression: bool = False
                       ) -> dict[str, Any] | None:
        """Rule of a component: its conditions (all), plus its stages' progression conditions."""
        if node_id in visiting:
            self.problem(node_id, "conditions refer back to themselves (a cycle); the cycle is cut", "warning")
            return None
        visiting = visiting | {node_id}
        node = self.g.nodes[node_id]
        parts = []
        for cond in values(node, "ceterms:hasCondition"):
            rule = self.condition_rule(cond, owner=node_id, visiting=visiting)
            if rule is not None:
                parts.append(rule)
        if (not parts and self.is_group(node)) or (not parts and node_id in self.destinations):
            children = [c for c in iter_refs(values(node, *_CHILD_KEYS)) if self.g.get(c)]
            leaves = [r for r in (self.leaf(c, visiting) for c in children) if r is not None]
            if leaves:
                parts.append(leaves[0] if len(leaves) == 1 else {"all_of": leaves})
        if with_progression:
            for stage in self.predecessors(node_id):
                for cond in values(self.g.nodes[stage], "ceterms:hasCondition"):
                    rule = self.condition_rule(cond, owner=stage, visiting=visiting)
                    if rule is not None and rule not in parts:
                        parts.append(rule)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"all_of": parts}

    def predecessors(self, node_id: str) -> list[str]:
        """Group components that come before ``node_id`` (transitively), nearest first."""
        if self._before is None:
            self._before = {}
            for other in self.g.nodes.values():
                for nxt in iter_refs(values(other, "ceterms:precedes")):
                    self._before.setdefault(nxt, []).append(other["@id"])
            for other in self.g.nodes.values():
                for prev in iter_refs(values(other, "ceterms:precededBy")):
                    if prev not in self._before.setdefault(other["@id"], []):
                        self._before[other["@id"]].append(prev)
        before = self._before
        seen: list[str] = []
        queue = list(before.get(node_id, []))
        while queue:
            current = queue.pop(0)
            if current in seen or current == node_id or not self.g.get(current):
                continue
            seen.append(current)
            queue.extend(before.get(current, []))
        return [s for s in seen if self.is_group(self.g.nodes[s])]

    def scope(self, node_id: str) -> list[str]:
        """Credentials a target-less credit condition on ``node_id`` counts: its children and its stages'."""
        out: list[str] = []
        for stage in [node_id, *self.predecessors(node_id)]:
            for cred in self.descendant_credentials(stage, set()):
                if cred not in out:
                    out.append(cred)
        return out

    def descendant_credentials(self, node_id: str, seen: set[str]) -> list[str]:
        # depth first in document order, without recursion: hasChild chains can be long
        out: list[str] = []
        stack = [iter(iter_refs(values(self.g.get(node_id), *_CHILD_KEYS)))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            if child in seen or not self.g.get(child):
                continue
            seen.add(child)
            if child in self.credential_ids:
                out.append(self.credential_ids[child])
            else:
                stack.append(iter(iter_refs(values(self.g.get(child), *_CHILD_KEYS))))
        return out

    def leaf(self, target: str, visiting: set[str]) -> dict[str, Any] | None:
        node = self.g.get(target)
        if node is None:
            return None
        if target in self.credential_ids:
            return {"credential": self.credential_ids[target]}
        return self.component_rule(target, visiting)

    def condition_rule(self, cond_id: str, *, owner: str, visiting: set[str]) -> dict[str, Any] | None:
        cond = self.g.get(cond_id)
        if cond is None:
            self.problem(owner, f"condition {cond_id} is not in the imported files; it is ignored", "warning",
                         key="ceterms:hasCondition")
            return None
        label = text(cond, "ceterms:name") or text(cond, "ceterms:description")
        targets = iter_refs(values(cond, *_REF_KEYS))
        missing = [t for t in targets if not self.g.get(t)]
        for target in missing:
            self.problem(cond_id, f"target component {target} is not in the imported files; it is ignored",
                         "warning", key="ceterms:targetComponent")
        targets = [t for t in targets if t not in missing]
        leaves = [r for r in (self.leaf(t, visiting) for t in targets) if r is not None]
        subs = [r for r in (self.condition_rule(c, owner=owner, visiting=visiting)
                            for c in iter_refs(values(cond, "ceterms:hasCondition"))) if r is not None]
        pool_targets = [self.credential_ids[t] for t in targets if t in self.credential_ids]
        credits = self.constraints(cond, pool_targets or self.scope(owner), explicit=bool(pool_targets))
        required = first(cond, "ceterms:requiredNumber")
        operator = local_name(str(first(cond, "ceterms:logicalOperator", default="And")))
        if credits and required is None and not subs:
            items = credits  # the targets are the pool the credits come from, not each required
            combined = None
        else:
            items = leaves + subs
            combined = None
            if items:
                if isinstance(required, (int, float)) and not isinstance(required, bool) and required >= 1:
                    n = int(required)
                    if n > len(items):
                        self.problem(cond_id, f"requiredNumber {n} is more than the {len(items)} targets; "
                                     "all are required", "warning", key="ceterms:requiredNumber")
                        n = len(items)
                    combined = {"n_of": n, "of": items}
                elif operator in ("Or", "OnlyOne"):
                    combined = {"n_of": 1, "of": items}
                else:
                    combined = {"all_of": items}
            items = ([combined] if combined else []) + credits
        if not items:
            return None
        rule = items[0] if len(items) == 1 else {"all_of": items}
        if "all_of" in rule and len(rule["all_of"]) == 1 and "label" not in rule:
            rule = rule["all_of"][0]  # "all of one thing" is that thing
        if label and "credential" not in rule and "label" not in rule and label != generated_label(rule):
            rule = {**rule, "label": _short(label)}
        return rule

    def constraints(self, cond: dict[str, Any], pool: list[str], *, explicit: bool) -> list[dict[str, Any]]:
        """Credit rules from the condition's Constraints; other constraints become warnings."""
        sums: list[tuple[float, str]] = []
        level: int | None = None
        unit_factor: float | None = None
        for ref in values(cond, "ceterms:hasConstraint"):
            con = self.g.get(ref)
            if con is None:
                continue
            left = " ".join(str(v) for v in values(con, "ceterms:leftSource"))
            action = " ".join(str(v) for v in values(con, "ceterms:leftAction"))
            comparator = local_name(str(first(con, "ceterms:comparator", default="EQ")))
            right = values(con, "ceterms:rightSource")
            if "creditLevelType" in left:
                level = trailing_number(str(right[0]) if right else "")
                continue
            if "creditUnitType" in left:
                unit, _label = credit_unit([str(r) for r in right], " ".join(str(r) for r in right), [])
                unit_factor = self.rate(unit)
                if unit_factor is None:
                    self.problem(cond["@id"], f"a credit rule in {unit} cannot be checked in ECTS: no rate is "
                                 f"declared (declare one with --credit-rate {unit}=ECTS_PER_UNIT)", "warning")
                    unit_factor = 0.0
                continue
            is_sum = "Sum" in action and right and isinstance(right[0], (int, float))
            if is_sum and comparator in ("GTEQ", "GT", "EQ"):
                sums.append((float(right[0]), comparator))
                continue
            what = local_name(left) or "?"
            if is_sum:
                self.problem(cond["@id"], f"credit maximum ({what} {comparator} {right[0]}) is not modelled; "
                             "ignored", "warning")
            else:
                kind = "grade" if _GRADE_RE.search(left) else "status"
                self.problem(cond["@id"], f"{kind} constraint on '{what}' ({comparator} "
                             f"{', '.join(local_name(str(r)) for r in right)}) is not modelled: "
                             "the planner does not track grades or statuses", "warning")
        rules = []
        for amount, _comparator in sums:
            chosen = [c for c in pool if c in self.credentials and "ects" in self.credentials[c]]
            factor = unit_factor
            if factor is None:
                factors = {self.units.get(c) for c in chosen} - {None}
                factor = factors.pop() if len(factors) == 1 else 1.0
            if level is not None:
                # SCQF/EQF credit rules count credit at the named level *or above*; a literal
                # reading would make e.g. the Heriot-Watt honours degree unreachable
                at_level = [c for c in chosen if (self.levels.get(c) or 0) >= level]
                if sum(self.credentials[c]["ects"] for c in at_level) + 1e-9 >= amount * factor:
                    chosen = at_level
                else:
                    self.problem(cond["@id"], f"only {len(at_level)} components in scope are at credit "
                                 f"level {level} or above, too few for {amount:g} credits; the level "
                                 "filter is dropped", "warning")
                    level = None
            if not chosen or factor == 0.0:
                self.problem(cond["@id"], f"credit constraint (at least {amount:g}) cannot be checked: "
                             "no component in its scope carries a credit value in ECTS (a credit unit without "
                             "a declared rate stays unconverted); it is dropped", "warning")
                continue
            ects = round(amount * factor, 3)
            if not 0 < ects <= 360:
                self.problem(cond["@id"], f"credit constraint of {ects:g} ECTS is out of range; dropped", "warning")
                continue
            if level is not None:
                self.warn_once("level-or-above", cond["@id"], "credit rules with a credit level are read as "
                               "'at that level or above' (the SCQF convention)")
            rules.append({"credits": ects, "from": chosen})
        del explicit
        return rules

    # ---- prerequisites and program parts

    def attach_prerequisites(self) -> None:
        """Every condition profile's targets: prerequisites, or a warning that says why not.

        ``prerequisite``, ``entryCondition`` and ``requires`` (whatever the profile's name)
        give prerequisite groups: each ``targetCredential`` / ``targetLearningOpportunity`` /
        ``targetAssessment`` one group, an ``alternativeCondition`` one group of
        alternatives, a ``targetCompetency`` with a stated level a competency group.
        ``corequisite`` targets are read as prerequisites (the planner has no co-requisites),
        ``recommends`` targets are only reported: a recommendation is no requirement.
        """
        for node_id, cred_id in self.credential_ids.items():
            node = self.g.nodes[node_id]
            groups: list[dict[str, Any]] = []
            common = self.manifests(node, "ceterms:commonConditions")
            for key, kind in _CONDITION_KEYS:
                for ref in values(node, key) + [r for m in common for r in values(m, key)]:
                    found = self.condition_groups(node_id, ref, kind)
                    if found and kind == "co-requisite":
                        self.problem(node_id, "co-requisites are read as prerequisites (the planner has no "
                                     "co-requisites: they must finish first)", "warning", key=key)
                    groups.extend(found)
            words = [str(w) for r in values(node, *(k for k, _ in _CONDITION_KEYS))
                     for w in values(self.g.get(r), "ceterms:condition") if isinstance(w, str)]
            if words:
                self.problem(node_id, "conditions stated only in words are not modelled: "
                             + "; ".join(_short(w)[:120] for w in dict.fromkeys(words)), "warning")
            groups = [g for g in groups if all(a.get("credential") != cred_id for a in g["any_of"])]
            if groups:
                cred = self.credentials[cred_id]
                cred["requires"] = _merge_groups(cred.get("requires", []), groups)

    def condition_groups(self, owner: str, ref: Any, kind: str) -> list[dict[str, Any]]:
        """Prerequisite groups of one condition (a profile, or a resource named directly)."""
        target_node = self.g.get(ref)
        if target_node is None:
            if isinstance(ref, str) and kind != "recommendation":
                self.problem(owner, f"its {kind} names {ref}, which is not in the imported files (import that "
                             "record too: records are linked by CTID); it is left out", "warning")
            return []
        if self.is_component(target_node) or self.is_resource(target_node):
            if ref in self.credential_ids and kind != "recommendation":  # a resource named directly
                return [{"any_of": [{"credential": self.credential_ids[ref]}]}]
            return []
        if kind == "recommendation":
            named = [text(self.g.get(t), "ceterms:name") or t for t in iter_refs(values(
                target_node, *_TARGET_KEYS))]
            if named:
                self.problem(owner, "recommended (not required), so not a prerequisite: " + "; ".join(
                    _short(n)[:120] for n in named), "warning")
            return []
        groups: list[dict[str, Any]] = []
        options = []  # each alternative condition: an AND of its targets
        for alt in values(target_node, "ceterms:alternativeCondition"):
            each = [{"credential": self.credential_ids[t]} for t in self.profile_targets(self.g.get(alt), kind)]
            each += self.competency_alternatives(self.g.get(alt), kind)
            if each:
                options.append(each)
        if options:
            # (a and b) or (c and d) = (a or c) and (a or d) and (b or c) and (b or d): exact, while small
            product = math.prod(len(o) for o in options)
            if product > MAX_ALTERNATIVE_GROUPS:
                self.problem(owner, f"{len(options)} alternative conditions make {product} prerequisite groups; "
                             "only the first alternative is kept", "warning")
                options = options[:1]
            for combo in itertools.product(*options):
                group = {"any_of": list({json.dumps(a, sort_keys=True): a for a in combo}.values())}
                if group not in groups:
                    groups.append(group)
        for target in self.profile_targets(target_node, kind):
            groups.append({"any_of": [{"credential": self.credential_ids[target]}]})
        groups.extend({"any_of": [alt]} for alt in self.competency_alternatives(target_node, kind))
        return groups

    def competency_alternatives(self, profile: dict[str, Any] | None, kind: str) -> list[dict[str, Any]]:
        """``targetCompetency`` alignments as competency prerequisites (those with a stated level).

        In ``requires`` a competency with a level is what the credential certifies (read as
        ``teaches``, the exporter's convention); elsewhere it is a prerequisite. Without a
        level, or outside the files, it is reported.
        """
        out: list[dict[str, Any]] = []
        for ref in values(profile, "ceterms:targetCompetency"):
            alignment = self.g.get(ref)
            target = str(first(alignment, "ceterms:targetNode", default=ref))
            competency = self.competency_ids.get(target)
            match = _LEVEL_RE.search(text(alignment, "ceterms:targetNodeDescription") or "")
            name = text(alignment, "ceterms:targetNodeName") or target
            if competency and match:
                if kind != "requirement":
                    out.append({"competency": competency, "level": int(match.group(1))})
                continue
            why = "is not in the imported files" if competency is None else "states no level"
            self.problem(profile["@id"] if profile else None, f"its {kind} names competency '{_short(name)[:120]}', "
                         f"which {why}; it is not modelled", "warning")
        return out

    def profile_targets(self, profile: dict[str, Any] | None, kind: str = "condition") -> list[str]:
        out = []
        for target in iter_refs(values(profile, *_TARGET_KEYS)):
            if target in self.credential_ids:
                out.append(target)
            else:
                self.problem(profile["@id"] if profile else None, f"its {kind} names {target}, which is not in the "
                             "imported files (import that record too: records are linked by CTID); it is left out",
                             "warning")
        return out

    def attach_program_parts(self) -> None:
        for node in self.g.of_type("ceterms:LearningProgram"):
            cred_id = self.credential_ids.get(node["@id"])
            if cred_id is None or self.credentials[cred_id].get("award"):
                continue
            parts = []
            for part in iter_refs(values(node, "ceterms:hasPart")):
                if part in self.credential_ids:
                    parts.append({"credential": self.credential_ids[part]})
                else:
                    self.problem(node["@id"], f"part {part} is not in the imported files; it is ignored",
                                 "warning", key="ceterms:hasPart")
            if parts:
                self.credentials[cred_id]["award"] = {"rule": {"all_of": parts}}


# --------------------------------------------------------------------------- helpers


def _unwrap_envelopes(data: Any) -> Any:
    """Take the resource out of Credential Registry envelopes (``decoded_resource``)."""
    if isinstance(data, list):
        return [_unwrap_envelopes(item) for item in data]
    if isinstance(data, dict) and isinstance(data.get("decoded_resource"), dict):
        return data["decoded_resource"]
    return data


def generated_label(rule: dict[str, Any]) -> str:
    """Return the condition name the exporter writes for a rule without a label.

    The importer drops a condition name equal to this text, so unlabelled rules stay
    unlabelled through an export and re-import.
    """
    if "all_of" in rule:
        return f"All of {len(rule['all_of'])} requirements"
    if "n_of" in rule:
        return f"{rule['n_of']} of {len(rule['of'])} requirements"
    if "credits" in rule:
        return f"At least {rule['credits']:g} ECTS credits from {len(rule['from'])} components"
    return f"Requires {rule.get('credential', '')}"


def _planner_id(graph: Graph, node: dict[str, Any]) -> str | None:
    for ref in values(node, "ceterms:identifier"):
        ident = graph.get(ref)
        if text(ident, "ceterms:identifierTypeName") == PLANNER_ID_TYPE:
            value = text(ident, "ceterms:identifierValueCode")
            if value and _SLUG_ID_RE.fullmatch(value):
                return value
    return None


def _planner_competency_id(node: dict[str, Any]) -> str | None:
    """The catalogue id the exporter writes as ``ceasn:identifier`` (``urn:x-planner:competency:ID``)."""
    for value in values(node, "ceasn:identifier"):
        if isinstance(value, str) and value.startswith(PLANNER_COMPETENCY_URN):
            found = value.removeprefix(PLANNER_COMPETENCY_URN)
            if _SLUG_ID_RE.fullmatch(found):
                return found
    return None


def _unique(base: str, taken: dict[str, str], owner: str) -> str:
    candidate, counter = base, 1
    while candidate in taken and taken[candidate] != owner:
        counter += 1
        candidate = f"{base}-{counter}"
    taken[candidate] = owner
    return candidate


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 300 else value[:297] + "..."


#: ECTS per unit that a framework itself publishes (2 SCQF or CATS credits = 1 ECTS credit)
FRAMEWORK_RATES: dict[str, float] = {"ects": 1.0, "scqf": 0.5, "cats": 0.5}
_UNIT_CONCEPTS = {"SemesterHour": "semester_hour", "QuarterHour": "quarter_hour", "ClockHour": "clock_hour",
                  "ContactHour": "clock_hour", "ContinuingEducationUnit": "continuing_education_unit",
                  "CarnegieUnit": "carnegie_unit", "CompetencyCredit": "competency"}


def credit_unit(concepts: Sequence[str], words: str, names: Sequence[str]) -> tuple[str, str | None]:
    """The catalogue credit unit of a CTDL credit value, and the publisher's words for it.

    A unit concept (``creditUnit:SemesterHour``) decides; the generic ``DegreeCredit`` (and
    no concept) is read from the description ("ECTS credits", "SCQF credit points"); what
    is left is ``other``, with its label kept.
    """
    lowered = (" ".join(concepts) + " " + words).lower()
    for concept in concepts:
        unit = _UNIT_CONCEPTS.get(local_name(concept))
        if unit:
            return unit, next((n for n in names if n), None) or local_name(concept)
    if "ects" in lowered or "european credit" in lowered:
        return "ects", None
    if "scqf" in lowered:
        return "scqf", None
    if "cats" in lowered:
        return "cats", None
    if "semesterhour" in lowered or "semester hour" in lowered or "semester credit" in lowered:
        return "semester_hour", "Semester Hour"
    if "quarterhour" in lowered or "quarter hour" in lowered or "quarter credit" in lowered:
        return "quarter_hour", "Quarter Hour"
    label = next((n for n in names if n), None) or words.strip() or (local_name(concepts[0]) if concepts else None)
    return "other", (label or "unstated unit")


_EQF_RE = re.compile(r"data\.europa\.eu/snb/eqf/([1-8])$")
_LEVEL_RE = re.compile(r"\blevel (\d+) of\b")


def _rule_credentials(rule: dict[str, Any]) -> list[str]:
    if "credential" in rule:
        return [rule["credential"]]
    if "credits" in rule:
        return list(rule["from"])
    return [c for child in rule.get("all_of", rule.get("of", [])) for c in _rule_credentials(child)]


def _drop_credential(rule: dict[str, Any], cred_id: str) -> dict[str, Any] | None:
    if "credential" in rule:
        return None if rule["credential"] == cred_id else rule
    if "credits" in rule:
        pool = [c for c in rule["from"] if c != cred_id]
        return {**rule, "from": pool} if pool else None
    key = "all_of" if "all_of" in rule else "of"
    children = [c for c in (_drop_credential(child, cred_id) for child in rule[key]) if c is not None]
    if not children:
        return None
    out = {**rule, key: children}
    if "n_of" in out:
        out["n_of"] = min(out["n_of"], len(children))
    return out


def _as_groups(rule: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Write a rule as prerequisite groups (AND of ORs), or None when it cannot be."""
    if "credential" in rule:
        return [{"any_of": [{"credential": rule["credential"]}]}]
    if "all_of" in rule or ("n_of" in rule and rule["n_of"] == len(rule["of"])):
        groups: list[dict[str, Any]] = []
        for child in rule.get("all_of", rule.get("of", [])):
            sub = _as_groups(child)
            if sub is None:
                return None
            groups.extend(sub)
        return groups
    if "n_of" in rule and rule["n_of"] == 1 and all("credential" in c for c in rule["of"]):
        return [{"any_of": [{"credential": c["credential"]} for c in rule["of"]]}]
    return None


def _merge_groups(existing: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = list(existing)
    for group in new:
        if group not in out:
            out.append(group)
    return out


def _clean(cred: dict[str, Any]) -> dict[str, Any]:
    """Return the credential with keys in a stable order."""
    order = ["id", "title", "provider", "type", "description", "url", "ects", "hours", "eqf_level", "languages",
             "participation", "cost", "duration_weeks", "teaches", "requires", "award"]
    return {k: cred[k] for k in order if k in cred} | {k: v for k, v in cred.items() if k not in order}
