"""Open Badges 3.0 and CLR 2.0: import achievements and learner records, export achievements.

Import
------
An OB3 ``Achievement`` is a credential *specification*, so it maps to a catalogue
:class:`~planner.catalogue.models.Credential`:

==========================  ================================================================
OB3 / CLR                   catalogue
==========================  ================================================================
``id``                      ``id`` (``urn:x-planner:credential:ID`` gives ``ID`` back;
                            otherwise a slug of ``name``)
``name``                    ``title``
``achievementType``         ``type`` (MicroCredential → micro_credential, Course → course,
                            Certificate → certificate, Diploma → diploma, BachelorDegree
                            and Degree → bachelor, MasterDegree → master, Certification and
                            License → industry_certification, Badge and others → badge)
``creator`` or issuer       ``provider`` (a :class:`~planner.catalogue.models.Provider`)
``description``             ``description``
``criteria.narrative``      list items become ``learning_outcomes``; other text is kept in
                            ``description`` after ``Criteria:``
``creditsAvailable``        ``ects`` (OB3 does not name the credit system)
``alignment``               ``teaches`` (competencies: ESCO, O*NET or local by target URL)
``resultDescription``       the level taught, when written by :func:`export_achievements`
``inLanguage``              ``languages``
==========================  ================================================================

A learner's credential (``OpenBadgeCredential`` / ``AchievementCredential``, alone or
nested in a ``ClrCredential``) also becomes a :class:`~planner.catalogue.models.Holding` dated by
``awardedDate``, ``validFrom`` (VC 2.0) or ``issuanceDate`` (VC 1.1). CLR
``association`` entries ``isParentOf`` / ``isChildOf`` / ``isPartOf`` become award rules
(the parent's ``all_of`` over its children) and ``precedes`` becomes a prerequisite.

Credentials that break OB3 rules (wrong ``@context`` or ``type``, no ``issuer``, a
``credentialSubject`` that is not an ``AchievementSubject``, a ``result`` that is not a
``Result``) are reported as located errors and skipped. An expired credential
(``validUntil`` / ``expirationDate`` in the past) fails OB3 verification, so it is
reported as an error and not added to the holdings; its achievement is still imported
as a specification, because the specification does not expire.

Export
------
:func:`export_achievements` writes catalogue credentials as OB3 ``Achievement`` objects;
importing them again gives back the mapped fields above.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.catalogue.inputs import NamedBytes
from planner.catalogue.models import ID_PATTERN, Catalogue, Credential, LearnerProfile
from planner.interop._result import (
    COMPETENCY_URN,
    ImportProblem,
    ImportResult,
    as_list,
    empty_catalogue,
    line_of,
    parse_date,
    read_json_text,
)
from planner.interop._state import ImportState
from planner.interop.esco import (
    ESCO_OCCUPATION_RE,
    ESCO_SKILL_RE,
    SHORT_MAX,
    clip,
    esco_competency,
)

__all__ = [
    "ACHIEVEMENT_TYPES",
    "CREDENTIAL_ID_PREFIX",
    "OB3_CONTEXT",
    "PROVIDER_ID_PREFIX",
    "export_achievements",
    "import_files",
]

VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
_OB3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
_CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/context"

#: Achievement ids written by the exporter: the catalogue id follows the prefix.
CREDENTIAL_ID_PREFIX = "urn:x-planner:credential:"
#: Profile ids written by the exporter: the provider id follows the prefix.
PROVIDER_ID_PREFIX = "urn:x-planner:provider:"

#: catalogue credential type -> OB3 achievementType (export; import reads these back)
ACHIEVEMENT_TYPES: dict[str, str] = {
    "micro_credential": "MicroCredential",
    "course": "Course",
    "badge": "Badge",
    "certificate": "Certificate",
    "diploma": "Diploma",
    "bachelor": "BachelorDegree",
    "master": "MasterDegree",
    "industry_certification": "Certification",
}

# Further OB3 achievementType values and the closest catalogue type.
_TYPE_FROM_OB3: dict[str, str] = {v: k for k, v in ACHIEVEMENT_TYPES.items()} | {
    "Achievement": "badge",
    "ApprenticeshipCertificate": "certificate",
    "Assessment": "badge",
    "Assignment": "badge",
    "AssociateDegree": "diploma",
    "Award": "badge",
    "CertificateOfCompletion": "certificate",
    "CoCurricular": "badge",
    "CommunityService": "badge",
    "Competency": "badge",
    "Degree": "bachelor",
    "DoctoralDegree": "master",
    "Fieldwork": "badge",
    "GeneralEducationDevelopment": "diploma",
    "JourneymanCertificate": "certificate",
    "LearningProgram": "course",
    "License": "industry_certification",
    "MasterCertificate": "certificate",
    "Membership": "badge",
    "ProfessionalDoctorate": "master",
    "QualityAssuranceCredential": "certificate",
    "ResearchDoctorate": "master",
    "SecondarySchoolDiploma": "diploma",
}

_HOLDER_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
_COMPETENCY_TARGETS = {"ceasn:Competency", "CFItem"}
_CREDENTIAL_TARGETS = {"ceterms:Credential", "CTDL"}
_LEVEL_RESULT_TYPE = "ext:ProficiencyLevel"
# matched against a stripped line: "(.*\S)\s*$" after "\s+" took quadratic time on a dash and spaces
_BULLET_RE = re.compile(r"(?:[-*•]|(?<![0-9])[0-9]+[.)])\s+(\S.*)")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2}(-|$)")
_CRITERIA_RE = re.compile(r"(?:^|\n\n)Criteria: (.*)$", re.DOTALL)
_ID_RE = re.compile(ID_PATTERN)
_URL_RE = re.compile(r"^https?://\S+$")


def _types(node: Any) -> list[str]:
    value = node.get("type") if isinstance(node, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _guess_kind(name: str) -> str:
    lowered = name.lower()
    if "universit" in lowered:
        return "university"
    if "college" in lowered or "polytechnic" in lowered:
        return "vet_college"
    return "other"


# --------------------------------------------------------------------------- import state


@dataclass
class _State(ImportState):
    """Everything gathered across the files of one import."""

    # achievement id (as written in the file) -> catalogue ids (several when the file
    # reuses one id for different achievements)
    by_achievement: dict[str, list[str]] = field(default_factory=dict)
    credits_noted: set[str] = field(default_factory=set)
    # (file, JSON path) of each issued credential read -> the catalogue id it gave
    origins: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class _File:
    """The file being read, for locating problems."""

    name: str
    text: str
    state: _State
    # names of the Profiles in the file, so that a bare {"id": …} reference gets a name
    profile_names: dict[str, str] = field(default_factory=dict)

    def collect_profiles(self, node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                self.collect_profiles(item)
        elif isinstance(node, dict):
            if (
                "Profile" in _types(node)
                and isinstance(node.get("id"), str)
                and isinstance(node.get("name"), str)
            ):
                self.profile_names.setdefault(node["id"], node["name"])
            for value in node.values():
                if isinstance(value, dict | list):
                    self.collect_profiles(value)

    def line(self, *needles: Any) -> int | None:
        for needle in needles:
            if needle is None:
                continue
            text = needle if isinstance(needle, str) and needle.startswith('"') else json.dumps(needle)
            found = line_of(self.text, text)
            if found is not None:
                return found
        return None

    def report(self, pointer: str, message: str, *needles: Any, severity: str = "error") -> None:
        self.state.problems.append(
            ImportProblem(self.name, self.line(*needles), pointer, message, severity=severity)  # type: ignore[arg-type]
        )


# --------------------------------------------------------------------------- providers, competencies


def _provider(f: _File, profile: Any, pointer: str) -> str | None:
    if isinstance(profile, str):
        profile = {"id": profile}
    if not isinstance(profile, dict) or not (profile.get("id") or profile.get("name")):
        return None
    pid_raw = str(profile.get("id") or "")
    name = clip(profile.get("name") or f.profile_names.get(pid_raw), SHORT_MAX)
    key = pid_raw or f"name:{name}"
    existing = f.state.provider_ids.get(key)
    if existing is not None:
        return existing
    if pid_raw.startswith(PROVIDER_ID_PREFIX) and _ID_RE.match(pid_raw[len(PROVIDER_ID_PREFIX) :]):
        preferred = pid_raw[len(PROVIDER_ID_PREFIX) :]
    else:
        preferred = name or pid_raw.rsplit("/", 1)[-1] or "provider"
    pid = f.state.provider_ids.allocate(key, preferred)
    address = profile.get("address") if isinstance(profile.get("address"), dict) else {}
    country = str(address.get("addressCountryCode") or "").strip().upper()
    if not _COUNTRY_RE.match(country):
        f.report(
            pointer,
            f"provider '{name or pid_raw}' has no address.addressCountryCode; country set to 'ZZ' (unknown), "
            "please correct it",
            pid_raw or name,
            severity="warning",
        )
        country = "ZZ"
    item: dict[str, Any] = {
        "id": pid,
        "name": name or pid,
        "country": country,
        "kind": _guess_kind(name or ""),
    }
    url = profile.get("url")
    if isinstance(url, str) and _URL_RE.match(url):
        item["website"] = url
    f.state.providers[pid] = item
    return pid


def _competency_from_alignment(f: _File, alignment: dict[str, Any], pointer: str) -> str | None:
    target_type = str(alignment.get("targetType") or "")
    url = str(alignment.get("targetUrl") or "")
    name = clip(alignment.get("targetName"), SHORT_MAX)
    code = str(alignment.get("targetCode") or "")
    framework_name = str(alignment.get("targetFramework") or "")
    if target_type in _CREDENTIAL_TARGETS:
        f.report(
            pointer,
            f"alignment to a credential ({target_type} {url}) is not a competency; not imported",
            url or None,
            severity="warning",
        )
        return None
    if target_type.startswith("CFRubric"):
        return None  # rubric alignments grade a result; they are not competencies
    if ESCO_OCCUPATION_RE.match(url):
        f.report(
            pointer,
            f"alignment to an ESCO occupation ({url}) is not a competency; not imported",
            url,
            severity="warning",
        )
        return None
    if not (name or code or url):
        f.report(pointer, "alignment has no targetName, targetCode or targetUrl; skipped", severity="warning")
        return None
    key = url or f"{framework_name}:{code or name}"
    existing = f.state.competency_ids.get(key)
    if existing is not None:
        return existing
    preferred = code if code and _ID_RE.match(code) and len(code) <= 120 else (name or code or url)
    cid = f.state.competency_ids.allocate(key, preferred)
    label = name or code or url
    if ESCO_SKILL_RE.match(url) or "esco" in framework_name.lower():
        item = esco_competency(cid, label, uri=url or None, description=alignment.get("targetDescription"))
    else:
        framework = "onet" if ("onet" in url.lower() or "o*net" in framework_name.lower()) else "local"
        item = {"id": cid, "label": label, "framework": framework}
        if _URL_RE.match(url):
            item["uri"] = url
        item["type"] = "skill"
        if clip(alignment.get("targetDescription")):
            item["description"] = clip(alignment.get("targetDescription"))
    f.state.competencies[cid] = item
    return cid


# --------------------------------------------------------------------------- achievements


def _split_criteria(narrative: str) -> tuple[list[str], str | None]:
    outcomes, other = [], []
    for line in narrative.splitlines():
        match = _BULLET_RE.fullmatch(line.strip())
        if match:
            outcomes.append(match.group(1))
        elif line.strip() and not (line.strip().endswith(":") and not other and not outcomes):
            other.append(line.rstrip())
    return [o for o in (clip(x) for x in outcomes) if o], ("\n".join(other).strip() or None)


def _achievement(
    f: _File,
    ach: Any,
    pointer: str,
    issuer: Any,
    earned_credits: Any = None,
    issuer_pointer: str = "$.issuer",
) -> str | None:
    """Map one Achievement to a catalogue credential; return its catalogue id."""
    if not isinstance(ach, dict):
        f.report(pointer, "achievement must be an object")
        return None
    if "Achievement" not in _types(ach):
        f.report(
            pointer + ".type",
            f"achievement type must include 'Achievement', found {_types(ach)}",
            ach.get("id"),
        )
        return None
    name = clip(ach.get("name"), SHORT_MAX)
    raw_id = str(ach.get("id") or "")
    if not name:
        f.report(pointer + ".name", "achievement has no name; skipped", raw_id or None)
        return None

    provider = _provider(f, ach.get("creator"), pointer + ".creator") or _provider(f, issuer, issuer_pointer)
    if provider is None:
        f.report(pointer, f"achievement '{name}' has no creator and no issuer; skipped", raw_id or name)
        return None

    ctype = _catalogue_type(f, ach, pointer)
    description, outcomes = _description(ach, name)
    item: dict[str, Any] = {"title": name, "provider": provider, "type": ctype}
    if description:
        item["description"] = description
    if outcomes:
        item["learning_outcomes"] = outcomes
    ects = _credits(f, ach, pointer, raw_id, earned_credits)
    if ects is not None:
        item["ects"] = ects
    language = ach.get("inLanguage")
    if isinstance(language, str) and _LANGUAGE_RE.match(language):
        item["languages"] = [language[:2].lower()]
    teaches = _teaches(f, ach, pointer)
    if teaches:
        item["teaches"] = [{"competency": c, "level": lv} for c, lv in sorted(teaches.items())]
    return _register(f, item, raw_id, name, pointer)


def _catalogue_type(f: _File, ach: dict[str, Any], pointer: str) -> str:
    """The catalogue credential type of an ``achievementType`` (a badge, with a warning, when unknown)."""
    achievement_type = str(ach.get("achievementType") or "")
    ctype = _TYPE_FROM_OB3.get(achievement_type)
    if ctype is None:
        if achievement_type:
            f.report(
                pointer + ".achievementType",
                f"achievementType '{achievement_type}' has no catalogue equivalent; read as a badge",
                achievement_type,
                severity="warning",
            )
        ctype = "badge"
    return ctype


def _description(ach: dict[str, Any], name: str) -> tuple[str | None, list[str]]:
    """The description (with criteria that are no list after it) and the learning outcomes (the list)."""
    description = clip(ach.get("description"))
    if description == name:  # OB3 requires a description; one that repeats the name says nothing
        description = None
    outcomes: list[str] = []
    criteria = ach.get("criteria")
    if isinstance(criteria, dict) and isinstance(criteria.get("narrative"), str):
        outcomes, other = _split_criteria(criteria["narrative"])
        if other:
            description = clip(f"{description}\n\nCriteria: {other}" if description else f"Criteria: {other}")
    return description, outcomes


def _credits(f: _File, ach: dict[str, Any], pointer: str, raw_id: str, earned_credits: Any) -> float | None:
    """ECTS from ``creditsAvailable``, else the subject's ``creditsEarned`` (None when absent or invalid)."""
    credits = ach.get("creditsAvailable")
    if credits is None and earned_credits is not None:
        credits = earned_credits
    elif credits is not None and earned_credits is not None and earned_credits != credits:
        f.report(
            pointer,
            f"creditsEarned {earned_credits} differs from creditsAvailable {credits}; "
            "the catalogue keeps creditsAvailable",
            "creditsEarned",
            severity="warning",
        )
    if credits is None:
        return None
    if not (isinstance(credits, int | float) and not isinstance(credits, bool) and 0 <= credits <= 360):
        f.report(
            pointer + ".creditsAvailable",
            f"credits {credits!r} is not a number between 0 and 360; ignored",
            "creditsAvailable",
        )
        return None
    # the exporter writes ECTS; other issuers may use another credit system
    if f.name not in f.state.credits_noted and not raw_id.startswith(CREDENTIAL_ID_PREFIX):
        f.state.credits_noted.add(f.name)
        f.report(
            pointer + ".creditsAvailable",
            "credits read as ECTS (Open Badges does not say which credit system it uses)",
            "creditsAvailable",
            severity="warning",
        )
    return float(credits)


def _teaches(f: _File, ach: dict[str, Any], pointer: str) -> dict[str, int]:
    """Competency id → level taught, from the alignments (levels written by the exporter, else the default)."""
    levels = _levels(ach)
    teaches: dict[str, int] = {}
    for i, alignment in enumerate(as_list(ach.get("alignment"))):
        if not isinstance(alignment, dict):
            f.report(f"{pointer}.alignment[{i}]", "alignment must be an object")
            continue
        cid = _competency_from_alignment(f, alignment, f"{pointer}.alignment[{i}]")
        if cid is not None:
            level = levels.get(str(alignment.get("targetUrl") or alignment.get("targetCode") or ""))
            teaches[cid] = max(teaches.get(cid, 0), level or f.state.teach_level)
    return teaches


def _register(f: _File, item: dict[str, Any], raw_id: str, name: str, pointer: str) -> str:
    """The catalogue id of the credential ``item``: the same one read before, else a new one.

    An achievement id the exporter wrote gives its catalogue id back; an id shared by
    different achievements is warned about, and each is kept.
    """
    # the same achievement id may appear several times (in a CLR, or across files)
    for existing in f.state.by_achievement.get(raw_id, []) if raw_id else []:
        if _same(f.state.credentials[existing], item):
            return existing
    if raw_id.startswith(CREDENTIAL_ID_PREFIX) and _ID_RE.match(raw_id[len(CREDENTIAL_ID_PREFIX) :]):
        preferred = raw_id[len(CREDENTIAL_ID_PREFIX) :]
    else:
        preferred = name
    others = f.state.by_achievement.setdefault(raw_id, []) if raw_id else []
    cid = f.state.credential_ids.allocate((raw_id, len(others)) if raw_id else ("name", name), preferred)
    if others:
        f.report(
            pointer + ".id",
            f"achievement id {raw_id} is used for different achievements ("
            + ", ".join(f"'{f.state.credentials[o]['title']}'" for o in others)
            + f", '{name}'); each is "
            "imported separately and associations naming this id apply to all of them",
            raw_id,
            severity="warning",
        )
    if raw_id:
        others.append(cid)
    f.state.credentials[cid] = {"id": cid, **item}
    return cid


def _same(existing: dict[str, Any], item: dict[str, Any]) -> bool:
    return {k: v for k, v in existing.items() if k != "id"} == item


def _levels(ach: dict[str, Any]) -> dict[str, int]:
    """Levels written by the exporter as ResultDescriptions (alignment target → level)."""
    levels: dict[str, int] = {}
    for rd in as_list(ach.get("resultDescription")):
        if not isinstance(rd, dict) or rd.get("resultType") != _LEVEL_RESULT_TYPE:
            continue
        value = str(rd.get("requiredValue") or "")
        if not value.isdigit():
            continue
        for alignment in as_list(rd.get("alignment")):
            if isinstance(alignment, dict):
                target = str(alignment.get("targetUrl") or alignment.get("targetCode") or "")
                if target:
                    levels[target] = int(value)
    return levels


# --------------------------------------------------------------------------- credentials


def _check_context(f: _File, doc: dict[str, Any], pointer: str, *, clr: bool) -> bool:
    contexts = as_list(doc.get("@context"))
    ok = True
    if not contexts or contexts[0] not in (VC1_CONTEXT, VC2_CONTEXT):
        found = contexts[0] if contexts else "nothing"
        f.report(
            pointer + '["@context"]',
            "the first @context must be the W3C Verifiable Credentials context "
            f"({VC2_CONTEXT} or {VC1_CONTEXT}); found {found}",
            '"@context"',
        )
        ok = False
    part = "/clr/v2p0/context" if clr else "/ob/v3p0/context"
    what = "CLR 2.0" if clr else "Open Badges 3.0"
    matching = [c for c in contexts if isinstance(c, str) and part in c]
    if not matching:
        prefix = _CLR_CONTEXT_PREFIX if clr else _OB3_CONTEXT_PREFIX
        f.report(pointer + '["@context"]', f"@context lacks the {what} context ({prefix}…)", '"@context"')
        ok = False
    elif not any(c.startswith(_CLR_CONTEXT_PREFIX if clr else _OB3_CONTEXT_PREFIX) for c in matching):
        f.report(
            pointer + '["@context"]',
            f"the {what} context {matching[0]} is not the published one; read as if it were",
            matching[0],
            severity="warning",
        )
    return ok


def _credential(f: _File, doc: dict[str, Any], pointer: str, *, nested: bool = False) -> None:
    """Read one OpenBadgeCredential / AchievementCredential: achievement + holding."""
    if not _valid_credential(f, doc, pointer, nested=nested):
        f.report(
            pointer,
            "credential not imported because it is not a valid Open Badges 3.0 credential",
            doc.get("id"),
            severity="warning",
        )
        return
    subject = doc["credentialSubject"]
    cid = _achievement(
        f,
        subject.get("achievement"),
        pointer + ".credentialSubject.achievement",
        doc.get("issuer"),
        subject.get("creditsEarned"),
        issuer_pointer=pointer + ".issuer",
    )
    if cid is None:
        return
    f.state.origins[(f.name, pointer)] = cid
    _hold(f, cid, doc, pointer)


def _valid_credential(f: _File, doc: dict[str, Any], pointer: str, *, nested: bool) -> bool:
    """Whether a credential keeps OB3's rules (context, type, issuer, subject); each break reported."""
    ok = _check_context(f, doc, pointer, clr=False) if not nested or "@context" in doc else True
    types = _types(doc)
    if "VerifiableCredential" not in types or not _HOLDER_TYPES & set(types):
        bad = [t for t in types if t != "VerifiableCredential"]
        f.report(
            pointer + ".type",
            "type must be ['VerifiableCredential', 'OpenBadgeCredential'] (or "
            f"'AchievementCredential'); found {types}",
            *(bad or ['"type"']),
        )
        ok = False
    issuer = doc.get("issuer")
    if not issuer or (isinstance(issuer, dict) and not issuer.get("id")):
        f.report(
            pointer + ".issuer",
            "the credential has no issuer (an OB3 credential names who issued it)",
            doc.get("id"),
        )
        ok = False
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        f.report(pointer + ".credentialSubject", "the credential has no credentialSubject", doc.get("id"))
        return False
    return _valid_subject(f, subject, pointer) and ok


def _valid_subject(f: _File, subject: dict[str, Any], pointer: str) -> bool:
    """Whether a credential's subject is an AchievementSubject with an achievement and typed results."""
    ok = True
    stypes = _types(subject)
    if "AchievementSubject" not in stypes:
        f.report(
            pointer + ".credentialSubject.type",
            f"credentialSubject type must include 'AchievementSubject'; found {stypes}",
            *(stypes or ['"credentialSubject"']),
        )
        ok = False
    if subject.get("achievement") is None:
        f.report(
            pointer + ".credentialSubject.achievement",
            "credentialSubject has no achievement (what was achieved)",
            '"credentialSubject"',
        )
        ok = False
    for i, result in enumerate(as_list(subject.get("result"))):
        rtypes = _types(result)
        if "Result" not in rtypes:
            f.report(
                f"{pointer}.credentialSubject.result[{i}].type",
                f"a result's type must include 'Result'; found {rtypes}",
                *(rtypes or ['"result"']),
            )
            ok = False
    return ok


def _hold(f: _File, cid: str, doc: dict[str, Any], pointer: str) -> None:
    """Add the credential's achievement to the learner's holdings, dated; not when undated or expired."""
    earned = (
        parse_date(doc.get("awardedDate"))
        or parse_date(doc.get("validFrom"))
        or parse_date(doc.get("issuanceDate"))
    )
    if earned is None:
        f.report(
            pointer,
            "the credential has no awardedDate, validFrom or issuanceDate; not added to the "
            "learner's holdings",
            doc.get("id"),
        )
        return
    expires_raw = doc.get("validUntil") or doc.get("expirationDate")
    expires = parse_date(expires_raw)
    if expires is not None and expires < f.state.today:
        key = '"validUntil"' if "validUntil" in doc else '"expirationDate"'
        f.report(
            pointer + (".validUntil" if "validUntil" in doc else ".expirationDate"),
            f"the credential expired on {expires.isoformat()}; Open Badges 3.0 verification rejects an "
            f"expired credential, so it is not added to the learner's holdings (the achievement "
            f"'{f.state.credentials[cid]['title']}' is still imported)",
            key,
        )
        return
    previous = f.state.holdings.get(cid)
    f.state.holdings[cid] = min(previous, earned) if previous else earned


def _clr(f: _File, doc: dict[str, Any]) -> None:
    ok = _check_context(f, doc, "$", clr=True)
    if "VerifiableCredential" not in _types(doc):
        f.report("$.type", f"type must include 'VerifiableCredential'; found {_types(doc)}", '"type"')
        ok = False
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        f.report("$.credentialSubject", "the CLR has no credentialSubject", '"credentialSubject"')
        return
    if "ClrSubject" not in _types(subject):
        f.report(
            "$.credentialSubject.type",
            f"credentialSubject type must include 'ClrSubject'; found {_types(subject)}",
            '"credentialSubject"',
        )
        ok = False
    if not ok:
        f.report("$", "CLR not imported because it is not a valid CLR 2.0 credential", severity="warning")
        return
    issuer = doc.get("issuer")
    for i, ach in enumerate(as_list(subject.get("achievement"))):
        _achievement(f, ach, f"$.credentialSubject.achievement[{i}]", issuer)
    credentials = as_list(subject.get("verifiableCredential"))
    if not credentials:
        f.report(
            "$.credentialSubject.verifiableCredential", "the CLR holds no credentials", '"credentialSubject"'
        )
    for i, cred in enumerate(credentials):
        pointer = f"$.credentialSubject.verifiableCredential[{i}]"
        if not isinstance(cred, dict):
            f.report(
                pointer,
                "a CLR entry must be a credential object (compact JWT credentials are not read)",
                severity="warning",
            )
            continue
        _credential(f, cred, pointer, nested=True)
    _associations(f, as_list(subject.get("association")))


def _associations(f: _File, associations: list[Any]) -> None:
    children: dict[str, set[str]] = {}
    requires: dict[str, set[str]] = {}
    for i, assoc in enumerate(associations):
        pointer = f"$.credentialSubject.association[{i}]"
        if not isinstance(assoc, dict):
            f.report(pointer, "association must be an object")
            continue
        kind = str(assoc.get("associationType") or "")
        source, target = str(assoc.get("sourceId") or ""), str(assoc.get("targetId") or "")
        if kind not in ("isParentOf", "isChildOf", "isPartOf", "precedes"):
            f.report(
                pointer,
                f"association '{kind}' has no catalogue equivalent; ignored",
                target or None,
                severity="warning",
            )
            continue
        missing = [x for x in (source, target) if not f.state.by_achievement.get(x)]
        if missing:
            f.report(
                pointer,
                f"{kind} association names achievement(s) not in the file: {', '.join(missing)}; ignored",
                *missing,
                severity="warning",
            )
            continue
        if kind == "isParentOf":
            parent, child = source, target
        elif kind in ("isChildOf", "isPartOf"):
            parent, child = target, source
        else:  # source precedes target: target requires source
            for t in f.state.by_achievement[target]:
                requires.setdefault(t, set()).update(f.state.by_achievement[source])
            continue
        for p in f.state.by_achievement[parent]:
            children.setdefault(p, set()).update(c for c in f.state.by_achievement[child] if c != p)
    for parent, kids in sorted(children.items()):
        credential = f.state.credentials[parent]
        if not kids:
            continue
        rule = {"all_of": [{"credential": c} for c in sorted(kids)]}
        if "award" in credential:
            rule = {"all_of": [credential["award"]["rule"], rule]}
        credential["award"] = {"rule": rule}
    for credential_id, needed in sorted(requires.items()):
        groups = f.state.credentials[credential_id].setdefault("requires", [])
        for n in sorted(needed):
            if n != credential_id:
                groups.append({"any_of": [{"credential": n}]})


# --------------------------------------------------------------------------- public


def _read_document(f: _File, doc: Any, pointer: str) -> None:
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            _read_document(f, item, f"{pointer}[{i}]")
        return
    if not isinstance(doc, dict):
        f.report(pointer, "expected an Open Badges credential, CLR or Achievement object")
        return
    types = set(_types(doc))
    if "ClrCredential" in types:
        _clr(f, doc)
    elif _HOLDER_TYPES & types or "VerifiableCredential" in types:
        if "EndorsementCredential" in types:
            f.report(
                pointer,
                "an EndorsementCredential endorses an issuer or achievement and names no "
                "achievement of a learner; nothing imported",
                severity="warning",
            )
            return
        _credential(f, doc, pointer)
    elif "Achievement" in types:
        _achievement(f, doc, pointer, None)
    else:
        f.report(
            pointer + ".type",
            "not an Open Badges 3.0 / CLR 2.0 document: type must include "
            f"OpenBadgeCredential, AchievementCredential, ClrCredential or Achievement; found "
            f"{sorted(types) or 'no type'}",
            *(sorted(types) or ['"type"']),
        )


def import_files(
    paths: Sequence[Path | NamedBytes], *, today: dt.date | None = None, teach_level: int = 2
) -> ImportResult:
    """Import Open Badges 3.0 achievements / credentials and CLR 2.0 records.

    Parameters
    ----------
    paths : sequence of Path or NamedBytes
        JSON files (or uploads in memory): an ``OpenBadgeCredential`` / ``AchievementCredential``, a
        ``ClrCredential``, an ``Achievement``, or a list of these (what
        :func:`export_achievements` writes). VC 1.1 and 2.0 contexts are both read.
    today : datetime.date, optional
        The date against which expiry is checked (default: today).
    teach_level : int, optional
        The level at which an aligned competency is taught when the file does not say
        (OB3 has no proficiency levels); default 2, the level ESCO-derived roles need
        for essential skills.

    Returns
    -------
    ImportResult
        ``providers``, ``competencies`` and ``credentials`` for the catalogue; a
        :class:`~planner.catalogue.models.LearnerProfile` with the holdings when the files hold
        issued credentials; every problem located by file, line and JSON path.

    """
    state = _State(today=today or dt.date.today(), teach_level=teach_level)
    for path in paths:
        data, problems, text = read_json_text(path)
        state.problems.extend(problems)
        if data is None:
            continue
        reader = _File(str(path), text, state)
        reader.collect_profiles(data)
        _read_document(reader, data, "$")

    catalogue = empty_catalogue()
    catalogue["providers"] = sorted(state.providers.values(), key=lambda p: p["id"])
    catalogue["competencies"] = sorted(state.competencies.values(), key=lambda c: c["id"])
    catalogue["credentials"] = sorted(state.credentials.values(), key=lambda c: c["id"])
    profile = None
    if state.holdings:
        profile = LearnerProfile.model_validate(
            {"holdings": [{"credential": c, "earned": d} for c, d in sorted(state.holdings.items())]}
        )
    names = ", ".join(Path(str(p)).name for p in paths)  # str: an upload in memory is named too
    origins = tuple((file, pointer, cid) for (file, pointer), cid in state.origins.items())
    return ImportResult(catalogue, profile, tuple(state.problems), f"ob3: {names}", origins)


def _criteria_narrative(credential: Credential) -> tuple[str | None, str | None]:
    """Split the description into (description, criteria text) and build the narrative."""
    description = credential.description
    criteria_text = None
    if description:
        match = _CRITERIA_RE.search(description)
        if match:
            criteria_text = match.group(1).strip()
            description = description[: match.start()].strip() or None
    parts = []
    if criteria_text:
        parts.append(criteria_text)
    if credential.learning_outcomes:
        parts.append("\n".join(f"- {o}" for o in credential.learning_outcomes))
    return description, ("\n\n".join(parts) or None)


def _alignment(catalogue: Catalogue, competency_id: str) -> dict[str, Any]:
    comp = catalogue.competency(competency_id)
    framework = {"esco": "ESCO", "onet": "O*NET"}.get(comp.framework.value, catalogue.meta.name)
    alignment: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": comp.label,
        "targetCode": comp.id,
        "targetFramework": framework,
        # ESCO / O*NET skills are competencies; OB3's standard value for that is the
        # CTDL-ASN class (an "ext:" value would also be allowed but fewer tools know it)
        "targetType": "ceasn:Competency",
    }
    if comp.description:
        alignment["targetDescription"] = comp.description
    # targetUrl is required (1EdTech schema): a competency without a web address gets its URN
    alignment["targetUrl"] = comp.uri or COMPETENCY_URN + comp.id
    return alignment


def export_achievements(
    catalogue: Catalogue | dict, ids: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Write catalogue credentials as Open Badges 3.0 ``Achievement`` objects.

    Parameters
    ----------
    catalogue : Catalogue or dict
        The catalogue (a dict is validated first).
    ids : iterable of str, optional
        The credentials to export, in catalogue order; default all.

    Returns
    -------
    list of dict
        One JSON-ready ``Achievement`` per credential, with its ``@context``, a URN id
        (``urn:x-planner:credential:ID``), ``achievementType``, ``name``, ``description``,
        ``criteria`` (learning outcomes as a list), ``creditsAvailable`` (ECTS),
        ``creator`` (the provider as a ``Profile``), ``alignment`` to each taught
        competency (with its ESCO / O*NET URI) and a ``resultDescription`` per taught
        competency carrying the level.

    Raises
    ------
    KeyError
        When an id in ``ids`` is not a credential of the catalogue.

    """
    if not isinstance(catalogue, Catalogue):
        catalogue = Catalogue.model_validate(catalogue)
    wanted = None if ids is None else list(ids)
    if wanted is not None:
        for cid in wanted:
            catalogue.credential(cid)  # KeyError for an unknown id
    out = []
    for cred in catalogue.credentials:
        if wanted is not None and cred.id not in wanted:
            continue
        urn = CREDENTIAL_ID_PREFIX + cred.id
        provider = catalogue.provider(cred.provider)
        creator: dict[str, Any] = {
            "id": PROVIDER_ID_PREFIX + provider.id,
            "type": ["Profile"],
            "name": provider.name,
        }
        if provider.website:
            creator["url"] = provider.website
        creator["address"] = {"type": ["Address"], "addressCountryCode": provider.country}
        description, narrative = _criteria_narrative(cred)
        ach: dict[str, Any] = {
            "@context": [VC2_CONTEXT, OB3_CONTEXT],
            "id": urn,
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPES[cred.type.value],
            "name": cred.title,
            "description": description or cred.title,
            "criteria": {"narrative": narrative} if narrative else {"id": urn + "#criteria"},
            "creator": creator,
        }
        if cred.ects is not None:
            ach["creditsAvailable"] = cred.ects
        if cred.languages:
            ach["inLanguage"] = cred.languages[0]
        if cred.teaches:
            ach["alignment"] = [_alignment(catalogue, t.competency) for t in cred.teaches]
            ach["resultDescription"] = [
                {
                    "id": f"{urn}#level-{t.competency}",
                    "type": ["ResultDescription"],
                    "name": f"Level of {catalogue.competency(t.competency).label}",
                    "resultType": _LEVEL_RESULT_TYPE,
                    "requiredValue": str(t.level),
                    "alignment": [_alignment(catalogue, t.competency)],
                }
                for t in cred.teaches
            ]
        out.append(ach)
    return out
