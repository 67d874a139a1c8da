"""European Learning Model (ELM v3) / European Digital Credentials import.

A ``EuropeanDigitalCredential`` states what a person achieved (``credentialSubject.hasClaim``:
a ``LearningAchievement``, or a ``LearningActivity`` for a certificate of participation)
and what that achievement is (``specifiedBy``: a ``Qualification`` or a
``LearningAchievementSpecification``). The specification becomes a catalogue credential
with the EU Council Recommendation elements; the claim itself becomes a holding in a
learner profile.

=============================  ===========================================================
ELM                            catalogue
=============================  ===========================================================
``title``                      ``title`` (English when given, else the first language)
``awardedBy.awardingBody``     ``provider`` (``legalName``, country from the address)
``eqfLevel``                   ``eqf_level`` (``…/snb/eqf/6`` → 6)
``creditPoint`` (ECTS)         ``ects``
``volumeOfLearning``           ``hours`` (ISO-8601 ``PT60H`` → 60; ``workload`` of an
                               activity when the specification has none)
``maximumDuration``            ``duration_weeks`` (``P1M`` → 4)
``learningOutcome``            ``learning_outcomes`` (titles) and ``teaches`` (each
                               ``relatedESCOSkill``, at ``teach_level``)
``entryRequirement``           kept in ``description`` after ``Entry requirements:``
``mode``                       ``participation`` (online, blended, onsite)
``language``                   ``languages`` (``…/language/ENG`` → ``en``)
``isPartialQualification``     ``stackability`` note
``provenBy``                   ``assessment`` (from the assessment type and title) and
                               ``supervision`` (from ``idVerification``)
=============================  ===========================================================
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.catalogue.models import LearnerProfile
from planner.interop._duration import read_duration
from planner.interop._result import (
    ImportProblem,
    ImportResult,
    as_list,
    empty_catalogue,
    line_of,
    parse_date,
    read_json_text,
)
from planner.interop._state import ImportState
from planner.interop.esco import ESCO_SKILL_RE, SHORT_MAX, clip, esco_competency

__all__ = ["duration_hours", "duration_weeks", "import_files"]

# ISO 3166-1 alpha-3 → alpha-2 for the countries EU authority tables name most (EU, EEA,
# candidates, and frequent partners); others fall back to "ZZ" with a warning.
_COUNTRY3 = {
    "AUT": "AT",
    "BEL": "BE",
    "BGR": "BG",
    "HRV": "HR",
    "CYP": "CY",
    "CZE": "CZ",
    "DNK": "DK",
    "EST": "EE",
    "FIN": "FI",
    "FRA": "FR",
    "DEU": "DE",
    "GRC": "GR",
    "HUN": "HU",
    "IRL": "IE",
    "ITA": "IT",
    "LVA": "LV",
    "LTU": "LT",
    "LUX": "LU",
    "MLT": "MT",
    "NLD": "NL",
    "POL": "PL",
    "PRT": "PT",
    "ROU": "RO",
    "SVK": "SK",
    "SVN": "SI",
    "ESP": "ES",
    "SWE": "SE",
    "ISL": "IS",
    "LIE": "LI",
    "NOR": "NO",
    "CHE": "CH",
    "GBR": "GB",
    "ALB": "AL",
    "BIH": "BA",
    "MNE": "ME",
    "MKD": "MK",
    "SRB": "RS",
    "TUR": "TR",
    "UKR": "UA",
    "MDA": "MD",
    "GEO": "GE",
    "USA": "US",
    "CAN": "CA",
    "AUS": "AU",
    "NZL": "NZ",
    "JPN": "JP",
    "CHN": "CN",
    "IND": "IN",
    "BRA": "BR",
}
# ISO 639-2/B (EU language authority table) → ISO 639-1 for the EU official languages
# and a few more.
_LANGUAGE3 = {
    "BUL": "bg",
    "CES": "cs",
    "DAN": "da",
    "DEU": "de",
    "ELL": "el",
    "ENG": "en",
    "EST": "et",
    "FIN": "fi",
    "FRA": "fr",
    "GLE": "ga",
    "HRV": "hr",
    "HUN": "hu",
    "ITA": "it",
    "LAV": "lv",
    "LIT": "lt",
    "MLT": "mt",
    "NLD": "nl",
    "POL": "pl",
    "POR": "pt",
    "RON": "ro",
    "SLK": "sk",
    "SLV": "sl",
    "SPA": "es",
    "SWE": "sv",
    "NOR": "no",
    "ISL": "is",
    "TUR": "tr",
    "UKR": "uk",
    "CAT": "ca",
    "EUS": "eu",
    "GLG": "gl",
    "SRP": "sr",
    "MKD": "mk",
    "SQI": "sq",
    "BOS": "bs",
    "RUS": "ru",
    "ARA": "ar",
    "ZHO": "zh",
    "JPN": "ja",
}
_URL_RE = re.compile(r"^https?://\S+$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_EQF_RE = re.compile(r"(?:/eqf/|level\s*)([1-8])\b", re.IGNORECASE)


def duration_hours(text: str) -> float | None:
    """Convert an ISO-8601 duration of learning time to hours (the semantics' one rule).

    Only a time-only duration is learning time (``PT60H`` → 60, ``PT90M`` → 1.5); one with
    calendar parts (``P2DT4H``, ``P1M``) says how long something runs and gives None.
    See :func:`planner.interop._duration.read_duration`.
    """
    read = read_duration(text)
    return read.value if read is not None and read.kind == "hours" and read.value > 0 else None


def duration_weeks(text: str) -> int | None:
    """Convert an ISO-8601 calendar duration to whole weeks (``P1M`` → 4, ``P1Y`` → 52).

    ``max(1, round(days / 7))`` with a year of 365.25 days and a month of 30.4375 (the
    semantics' one rule, :func:`planner.interop._duration.read_duration`); None for a
    time-only duration (that is hours of learning) or text that is no ISO 8601 duration.
    """
    read = read_duration(text)
    return int(read.value) if read is not None and read.kind == "weeks" and read.value > 0 else None


def _types(node: Any) -> list[str]:
    return [str(t) for t in as_list(node.get("type"))] if isinstance(node, dict) else []


def _text(value: Any) -> str | None:
    """Pick the English text of a language map (or the first language), or a plain string."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        for item in value:
            found = _text(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        if "noteLiteral" in value:
            return _text(value["noteLiteral"])
        if "@value" in value:
            return _text(value["@value"])
        for key in ("en", *sorted(value)):
            if isinstance(value.get(key), str | list) and _text(value[key]):
                return _text(value[key])
    return None


def _label(concept: Any) -> str | None:
    if isinstance(concept, dict):
        return _text(concept.get("prefLabel")) or _text(concept.get("title"))
    return _text(concept)


@dataclass
class _State(ImportState):
    names: list[str] = field(default_factory=list)


@dataclass
class _File:
    name: str
    text: str
    state: _State

    def report(self, pointer: str, message: str, needle: Any = None, severity: str = "error") -> None:
        line = line_of(self.text, needle) if isinstance(needle, str) and needle else None
        self.state.problems.append(
            ImportProblem(self.name, line, pointer, message, severity=severity)  # type: ignore[arg-type]
        )


def _country(org: dict[str, Any]) -> str | None:
    candidates = []
    for location in as_list(org.get("location")):
        if isinstance(location, dict):
            for address in as_list(location.get("address")):
                if isinstance(address, dict):
                    candidates.append(address.get("countryCode"))
    for key in ("registration", "vatIdentifier", "eIDASIdentifier", "eIDAS\u0399dentifier", "taxIdentifier"):
        for ident in as_list(org.get(key)):
            if isinstance(ident, dict):
                candidates.append(ident.get("spatial"))
    for concept in candidates:
        uri = concept.get("id") if isinstance(concept, dict) else concept
        if isinstance(uri, str):
            code = uri.rstrip("/").rsplit("/", 1)[-1].upper()
            if code in _COUNTRY3:
                return _COUNTRY3[code]
            if _COUNTRY_RE.match(code):
                return code
    return None


def _provider(f: _File, org: Any, pointer: str) -> str | None:
    if not isinstance(org, dict):
        return None
    raw_id = str(org.get("id") or "")
    name = clip(
        _text(org.get("legalName")) or _text(org.get("altLabel")) or _text(org.get("prefLabel")), SHORT_MAX
    )
    if not name:
        return None
    key = raw_id or f"name:{name}"
    existing = f.state.provider_ids.get(key)
    if existing is not None:
        return existing
    pid = f.state.provider_ids.allocate(key, name)
    country = _country(org)
    if country is None:
        f.report(
            pointer,
            f"awarding body '{name}' has no country this importer can read; country set to 'ZZ' "
            "(unknown), please correct it",
            raw_id or name,
            severity="warning",
        )
        country = "ZZ"
    kind = "university" if "universit" in name.lower() else "other"
    item: dict[str, Any] = {"id": pid, "name": name, "country": country, "kind": kind}
    website = _homepage(org)
    if website:
        item["website"] = website
    f.state.providers[pid] = item
    return pid


def _mode(concept: Any) -> str | None:
    label = (_label(concept) or "").lower()
    if "blended" in label or "hybrid" in label:
        return "blended"
    if "online" in label or "distance" in label:
        return "online"
    if any(w in label for w in ("site", "face", "person", "classroom", "presential")):
        return "onsite"
    return None


_ASSESSMENT_WORDS = (
    ("exam", "exam"),
    ("test", "exam"),
    ("project", "project"),
    ("artefact", "project"),
    ("artifact", "project"),
    ("portfolio", "portfolio"),
    ("practical", "practical"),
    ("oral", "oral"),
    ("presentation", "oral"),
    ("quiz", "quiz"),
    ("exercise", "quiz"),
    ("thesis", "thesis"),
    ("dissertation", "thesis"),
)


def _assessment(claim: dict[str, Any]) -> tuple[list[str], str | None]:
    kinds: set[str] = set()
    supervision = None
    for proof in as_list(claim.get("provenBy")):
        if not isinstance(proof, dict):
            continue
        texts = [_text(proof.get("title"))]
        for spec in as_list(proof.get("specifiedBy")):
            if isinstance(spec, dict):
                texts += [_text(spec.get("title")), _label(spec.get("dcType"))]
        for text in filter(None, texts):
            for word, kind in _ASSESSMENT_WORDS:
                if word in text.lower():
                    kinds.add(kind)
        check = (_label(proof.get("idVerification")) or "").lower()
        if check.startswith("unsupervised"):
            supervision = "unsupervised"
        elif "supervised" in check:
            supervision = "supervised_no_id_check" if "without" in check else "supervised_with_id_check"
    return sorted(kinds), supervision


def _eqf(concept: Any) -> int | None:
    for text in (concept.get("id") if isinstance(concept, dict) else concept, _label(concept)):
        if isinstance(text, str):
            match = _EQF_RE.search(text)
            if match:
                return int(match.group(1))
    return None


def _ects(f: _File, spec: dict[str, Any], pointer: str) -> float | None:
    for i, credit in enumerate(as_list(spec.get("creditPoint"))):
        if not isinstance(credit, dict):
            continue
        framework = credit.get("framework")
        label = (_label(framework) or "").lower()
        uri = framework.get("id", "") if isinstance(framework, dict) else str(framework or "")
        if "ects" in label or "european credit transfer" in label or uri.endswith("/6fcec5c5af"):
            try:
                value = float(str(credit.get("point")).replace(",", "."))
            except ValueError:
                f.report(
                    f"{pointer}.creditPoint[{i}].point",
                    f"credit point {credit.get('point')!r} is not a number; ignored",
                    '"point"',
                )
                continue
            if 0 <= value <= 360:
                return value
            f.report(
                f"{pointer}.creditPoint[{i}].point", f"{value} ECTS is outside 0–360; ignored", '"point"'
            )
        else:
            f.report(
                f"{pointer}.creditPoint[{i}]",
                f"credit points in '{_label(framework) or uri}' are not ECTS; ignored",
                '"creditPoint"',
                severity="warning",
            )
    return None


def _skills(f: _File, outcome: dict[str, Any]) -> list[str]:
    ids = []
    for skill in as_list(outcome.get("relatedESCOSkill")):
        label = clip(_label(skill), SHORT_MAX)
        uri = skill.get("id") if isinstance(skill, dict) else skill
        uri = uri if isinstance(uri, str) else None
        if not label and not uri:
            continue
        esco_uri = uri if uri and ESCO_SKILL_RE.match(uri) else None
        key = esco_uri or f"label:{label}"
        cid = f.state.competency_ids.get(key)
        if cid is None:
            cid = f.state.competency_ids.allocate(key, label or uri or "skill")
            f.state.competencies[cid] = esco_competency(cid, label or cid, uri=esco_uri)
        ids.append(cid)
    return ids


def _claim(f: _File, claim: Any, pointer: str, doc: dict[str, Any]) -> None:
    """Import one claim: its specification as a credential, the claim itself as a holding.

    Parameters
    ----------
    f : _File
        The file being read (where problems are reported and items gathered).
    claim : Any
        One entry of ``credentialSubject.hasClaim``.
    pointer : str
        Where the claim sits in the document, for problems.
    doc : dict
        The whole credential (its issuer and dates stand in for the claim's own).
    """
    if not isinstance(claim, dict):
        f.report(pointer, "a claim must be an object")
        return
    specs = [s for s in as_list(claim.get("specifiedBy")) if isinstance(s, dict)]
    spec = specs[0] if specs else {}
    spec_pointer = pointer + ".specifiedBy" if specs else pointer
    title = clip(_text(spec.get("title")) or _text(claim.get("title")), SHORT_MAX)
    if not title:
        f.report(pointer, "the claim has no title; skipped", claim.get("id"))
        return
    provider = _awarding_body(f, claim, pointer, doc)
    if provider is None:
        f.report(
            pointer,
            f"'{title}' names no awarding body and the credential no issuer; skipped",
            claim.get("id"),
        )
        return
    item = _specification(f, claim, spec, spec_pointer, title, provider)
    cid = _credential_id(f, item, spec, claim, title)
    _hold(f, cid, claim, pointer, doc, title)


def _awarding_body(f: _File, claim: dict[str, Any], pointer: str, doc: dict[str, Any]) -> str | None:
    """The provider id of the claim's awarding body, else of the credential's issuer (None: neither)."""
    provider = None
    for process in as_list(claim.get("awardedBy")):
        if isinstance(process, dict):
            for body in as_list(process.get("awardingBody")):
                provider = provider or _provider(f, body, pointer + ".awardedBy.awardingBody")
    return provider or _provider(f, doc.get("issuer"), "$.issuer")


def _specification(
    f: _File, claim: dict[str, Any], spec: dict[str, Any], spec_pointer: str, title: str, provider: str
) -> dict[str, Any]:
    """The catalogue credential (without id) a claim's specification describes, field by field.

    The order of the fields is the order of the catalogue's credential items; each field's
    problems are reported as it is read.
    """
    ctype = "course" if "LearningActivity" in set(_types(claim)) else "micro_credential"
    item: dict[str, Any] = {"title": title, "provider": provider, "type": ctype}
    description = _description(spec, claim)
    if clip(description):
        item["description"] = clip(description)
    url = _homepage(spec)
    if url:
        item["url"] = url
    outcomes, teaches = _outcomes(f, spec, spec_pointer)
    if outcomes:
        item["learning_outcomes"] = outcomes
    ects = _ects(f, spec, spec_pointer)
    if ects is not None:
        item["ects"] = ects
    hours = _hours(f, spec, claim, spec_pointer)
    if hours is not None:
        item["hours"] = hours
    eqf = _eqf(spec.get("eqfLevel"))
    if eqf is not None:
        item["eqf_level"] = eqf
    elif spec.get("eqfLevel") is not None:
        f.report(f"{spec_pointer}.eqfLevel", "eqfLevel is not an EQF level 1–8; ignored", '"eqfLevel"')
    assessment, supervision = _assessment(claim)
    if assessment:
        item["assessment"] = assessment
    mode = _participation(f, spec, spec_pointer)
    if mode:
        item["participation"] = mode
    languages = _languages(spec)
    if languages:
        item["languages"] = languages
    if supervision:
        item["supervision"] = supervision
    stackability = _stackability(spec)
    if stackability:
        item["stackability"] = stackability
    maximum = spec.get("maximumDuration")
    if isinstance(maximum, str) and duration_weeks(maximum) is not None:
        item["duration_weeks"] = min(duration_weeks(maximum) or 0, 520)
    if teaches:
        item["teaches"] = [{"competency": c, "level": f.state.teach_level} for c in sorted(set(teaches))]
    return item


def _description(spec: dict[str, Any], claim: dict[str, Any]) -> str | None:
    """The specification's (else the claim's) description, with its entry requirements after it."""
    description = _text(spec.get("description")) or _text(claim.get("description"))
    requirement = _text(spec.get("entryRequirement"))
    if requirement:
        description = (
            f"{description}\n\nEntry requirements: {requirement}"
            if description
            else (f"Entry requirements: {requirement}")
        )
    return description


def _homepage(node: dict[str, Any]) -> str | None:
    """The first web address among a node's ``homepage`` entries (a URL or a ``contentURL``)."""
    for homepage in as_list(node.get("homepage")):
        url = homepage.get("contentURL") if isinstance(homepage, dict) else homepage
        if isinstance(url, str) and _URL_RE.match(url):
            return url
    return None


def _outcomes(f: _File, spec: dict[str, Any], spec_pointer: str) -> tuple[list[str], list[str]]:
    """The learning outcomes' texts and the competency ids of the ESCO skills they name."""
    outcomes, teaches = [], []
    for i, outcome in enumerate(as_list(spec.get("learningOutcome"))):
        if not isinstance(outcome, dict):
            f.report(f"{spec_pointer}.learningOutcome[{i}]", "a learning outcome must be an object")
            continue
        text = clip(_text(outcome.get("title")) or _text(outcome.get("definition")))
        if text:
            outcomes.append(text)
        teaches += _skills(f, outcome)
    return outcomes, teaches


def _hours(f: _File, spec: dict[str, Any], claim: dict[str, Any], spec_pointer: str) -> float | None:
    """Hours of learning: ``volumeOfLearning``, else the activity's ``workload`` (None when implausible)."""
    volume = spec.get("volumeOfLearning")
    hours = None
    if isinstance(volume, str):
        hours = duration_hours(volume)
        if hours is None:
            f.report(
                f"{spec_pointer}.volumeOfLearning",
                f"volumeOfLearning '{volume}' is not a number of hours "
                "(an ISO-8601 time such as PT60H); not converted",
                f'"{volume}"',
                severity="warning",
            )
    if hours is None and isinstance(claim.get("workload"), str):
        hours = duration_hours(claim["workload"])
    if hours is not None and hours > 10_000:
        f.report(f"{spec_pointer}.volumeOfLearning", f"{hours:g} hours of learning is implausible; ignored")
        return None
    return hours


def _participation(f: _File, spec: dict[str, Any], spec_pointer: str) -> str | None:
    """The catalogue's participation mode for the specification's ``mode`` (a warning when unknown)."""
    mode = _mode(spec.get("mode"))
    if mode is None and spec.get("mode") is not None:
        f.report(
            f"{spec_pointer}.mode",
            f"mode '{_label(spec.get('mode'))}' is not online, blended or on-site; ignored",
            '"mode"',
            severity="warning",
        )
    return mode


def _languages(spec: dict[str, Any]) -> list[str]:
    """Two-letter codes of the specification's languages (EU authority URIs), in order, once each."""
    languages = []
    for concept in as_list(spec.get("language")):
        uri = concept.get("id") if isinstance(concept, dict) else concept
        code = str(uri or "").rstrip("/").rsplit("/", 1)[-1].upper()
        if code in _LANGUAGE3 and _LANGUAGE3[code] not in languages:
            languages.append(_LANGUAGE3[code])
    return languages


def _stackability(spec: dict[str, Any]) -> str | None:
    """A stackability note from ``isPartialQualification`` (None when it is not a boolean)."""
    partial = spec.get("isPartialQualification")
    if not isinstance(partial, bool):
        return None
    if partial:
        return "Partial qualification: counts towards a larger qualification (isPartialQualification)."
    return "Not a partial qualification: a stand-alone award (isPartialQualification false)."


def _credential_id(f: _File, item: dict[str, Any], spec: dict[str, Any], claim: dict[str, Any], title: str) -> str:
    """The id of the credential ``item``: an equal one already imported, else a new one."""
    # the same specification in several files (or claims) is one credential
    cid = next((k for k, v in f.state.credentials.items() if {**v, "id": None} == {**item, "id": None}), None)
    if cid is None:
        spec_key = str(spec.get("id") or claim.get("id") or title)
        cid = f.state.credential_ids.allocate((f.name, spec_key, len(f.state.credentials)), title)
        f.state.credentials[cid] = {"id": cid, **item}
    return cid


def _hold(f: _File, cid: str, claim: dict[str, Any], pointer: str, doc: dict[str, Any], title: str) -> None:
    """Add the claim to the learner's holdings, dated; not when undated or expired (a warning each)."""
    earned = None
    for process in as_list(claim.get("awardedBy")):
        if isinstance(process, dict):
            earned = earned or parse_date(process.get("awardingDate"))
    earned = (
        earned
        or parse_date(doc.get("issuanceDate"))
        or parse_date(doc.get("issued"))
        or parse_date(doc.get("validFrom"))
    )
    if earned is None:
        f.report(
            pointer,
            f"no award date for '{title}'; not added to the learner's holdings",
            claim.get("id"),
            severity="warning",
        )
        return
    expires = parse_date(doc.get("validUntil")) or parse_date(doc.get("expirationDate"))
    if expires is not None and expires < f.state.today:
        f.report(
            "$.validUntil" if "validUntil" in doc else "$.expirationDate",
            f"the credential expired on {expires.isoformat()}, so '{title}' is not added to the learner's "
            "holdings (its specification is still imported)",
            '"validUntil"' if "validUntil" in doc else '"expirationDate"',
            severity="warning",
        )
        return
    previous = f.state.holdings.get(cid)
    f.state.holdings[cid] = min(previous, earned) if previous else earned


def _document(f: _File, doc: Any) -> None:
    if not isinstance(doc, dict):
        f.report("$", "expected a European Digital Credential (a JSON object)")
        return
    types = _types(doc)
    if "EuropeanDigitalCredential" not in types and "VerifiableCredential" not in types:
        f.report("$.type", f"not a European Digital Credential: type is {types or 'missing'}", '"type"')
        return
    if "EuropeanDigitalCredential" not in types:
        f.report(
            "$.type",
            "type lacks 'EuropeanDigitalCredential'; read as ELM anyway",
            '"type"',
            severity="warning",
        )
    subjects = as_list(doc.get("credentialSubject"))
    if not subjects:
        f.report("$.credentialSubject", "the credential has no credentialSubject", '"credentialSubject"')
        return
    for s, subject in enumerate(subjects):
        pointer = "$.credentialSubject" + (f"[{s}]" if len(subjects) > 1 else "")
        if not isinstance(subject, dict):
            f.report(pointer, "credentialSubject must be an object")
            continue
        name = clip(_text(subject.get("fullName")), SHORT_MAX)
        if name and name not in f.state.names:
            f.state.names.append(name)
        claims = as_list(subject.get("hasClaim"))
        if not claims:
            f.report(
                pointer + ".hasClaim", "the credential claims nothing (no hasClaim)", '"credentialSubject"'
            )
        for c, claim in enumerate(claims):
            _claim(f, claim, pointer + ".hasClaim" + (f"[{c}]" if len(claims) > 1 else ""), doc)


#: What an EDC in XML gets: refused by name, with what to do instead.
_XML_REFUSAL = ("this is a European Digital Credential in XML (the ELM v2 / EDCI XML format); the planner reads "
                "ELM v3 JSON-LD: download the credential as JSON-LD from the Europass wallet or the EDC viewer "
                "and import that")
_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _is_compact_jws(text: str) -> bool:
    """``header.payload.signature`` of a compact JWS (JAdES compact serialisation), each part base64url.

    Checked without a regular expression, which searched over a long dotted text takes quadratic time.
    """
    parts = text.split(".")
    return (len(parts) == 3 and len(parts[0]) >= 2 and len(parts[1]) >= 2
            and all(set(part) <= _BASE64URL for part in parts))
#: How many envelopes (``{"credential": …}``, a JAdES payload) one file may nest.
_MAX_ENVELOPES = 3


def _looks_like(text: str, start: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith(start)


def _unwrap(f: _File, data: Any) -> Any:
    """The credential inside an EDC file's envelopes, or None (each envelope said by name).

    EDC tools write a credential bare, wrapped as ``{"credential": …}`` (the "uploadable"
    form), or signed as JAdES: ``{"payload": …, "signatures": […]}`` (JSON serialisation;
    the payload as JSON text or base64url) or a compact ``header.payload.signature``. The
    signature itself is not checked here: an import reads the specification, not a proof.
    """
    pointer = "$"
    for _ in range(_MAX_ENVELOPES):
        if isinstance(data, dict) and set(data) == {"credential"}:
            data, pointer = data["credential"], pointer + ".credential"
            continue
        if isinstance(data, dict) and "payload" in data and ("signatures" in data or "signature" in data):
            payload = _payload(data["payload"])
            if payload is None:
                f.report(pointer + ".payload", "a JAdES-signed credential whose payload is neither JSON nor "
                         "base64url-encoded JSON; nothing can be read", '"payload"')
                return None
            f.report(pointer, "a JAdES-signed European Digital Credential: its credential is read; the signature "
                     "is not checked on import", '"payload"', severity="warning")
            data, pointer = payload, pointer + ".payload"
            f.text = ""  # lines of the file no longer point into the credential
            continue
        if isinstance(data, str) and _is_compact_jws(data.strip()):
            data = {"payload": data.strip().split(".")[1], "signatures": [{}]}
            continue
        return data
    f.report(pointer, f"more than {_MAX_ENVELOPES} envelopes around the credential; nothing is read")
    return None


def _payload(value: Any) -> Any:
    """A JAdES payload as JSON: an object, JSON text, or base64url-encoded JSON (None when none of these)."""
    from planner.catalogue.inputs import InputError, parse_json

    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _looks_like(text, "{"):
        try:
            text = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
    try:
        return parse_json(text, "payload")
    except InputError:
        return None


def import_files(
    paths: Sequence[Path], *, today: dt.date | None = None, teach_level: int = 2
) -> ImportResult:
    """Import European Digital Credentials (ELM v3) as credentials and a learner profile.

    Parameters
    ----------
    paths : sequence of Path
        ELM JSON-LD credentials (``EuropeanDigitalCredential``), signed or not.
    today : datetime.date, optional
        The date against which expiry is checked (default: today).
    teach_level : int, optional
        The level at which each ``relatedESCOSkill`` is taught (ELM has no levels);
        default 2, what ESCO-derived roles need for essential skills.

    Returns
    -------
    ImportResult
        ``providers``, ``competencies`` and ``credentials``; a learner profile holding
        each claimed achievement with its award date; located problems.

    """
    state = _State(today=today or dt.date.today(), teach_level=teach_level)
    for path in paths:
        data, problems, text = read_json_text(path)
        if data is None and _looks_like(text, "<"):
            state.problems.append(ImportProblem(str(path), 1, "", _XML_REFUSAL))
            continue
        if data is None and _is_compact_jws(text.strip()):
            data, problems = {"payload": text.strip().split(".")[1], "signatures": [{}]}, ()
        state.problems.extend(problems)
        if data is None:
            continue
        f = _File(str(path), text, state)
        doc = _unwrap(f, data)
        if doc is not None:
            _document(f, doc)
    catalogue = empty_catalogue()
    catalogue["providers"] = sorted(state.providers.values(), key=lambda p: p["id"])
    catalogue["competencies"] = sorted(state.competencies.values(), key=lambda c: c["id"])
    catalogue["credentials"] = sorted(state.credentials.values(), key=lambda c: c["id"])
    profile = None
    if state.holdings:
        profile = LearnerProfile.model_validate(
            {
                "name": state.names[0] if len(state.names) == 1 else None,
                "holdings": [{"credential": c, "earned": d} for c, d in sorted(state.holdings.items())],
            }
        )
    names = ", ".join(Path(p).name for p in paths)
    return ImportResult(catalogue, profile, tuple(state.problems), f"elm: {names}")
