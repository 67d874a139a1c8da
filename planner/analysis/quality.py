"""Quality against the EU standard elements of micro-credentials (Council Recommendation 2022).

Title, awarding body and country are guaranteed by validation (every credential has a
title and a known provider, which has a country), so completeness is measured over the
mandatory elements a catalogue can actually leave out:

learning outcomes, workload (ECTS), EQF level, type of assessment, form of participation,
type of quality assurance (the credential's own, or its provider's), language.

Optional elements (supervision / identity verification, stackability note, notional
hours) are reported as missing but do not lower completeness. A credential has external
quality assurance when its own QA or its provider's QA is external. Workload is
inconsistent when hours per ECTS fall outside 25–30 (the ECTS Users' Guide range).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from planner.catalogue.models import Catalogue, Credential, Provider, QualityAssuranceType

__all__ = [
    "ELEMENT_LABELS",
    "HOURS_PER_ECTS",
    "MANDATORY_ELEMENTS",
    "OPTIONAL_ELEMENTS",
    "CredentialQuality",
    "ProviderQuality",
    "QualityResult",
    "quality_report",
]

MANDATORY_ELEMENTS = (
    "learning_outcomes",
    "workload_ects",
    "eqf_level",
    "assessment",
    "participation",
    "quality_assurance",
    "language",
)
OPTIONAL_ELEMENTS = ("supervision", "stackability", "hours")

#: Plain-language names of the elements, for reports.
ELEMENT_LABELS = {
    "learning_outcomes": "learning outcomes",
    "workload_ects": "workload (ECTS)",
    "eqf_level": "EQF level",
    "assessment": "type of assessment",
    "participation": "form of participation",
    "quality_assurance": "quality assurance",
    "language": "language",
    "supervision": "supervision / identity check",
    "stackability": "stackability note",
    "hours": "notional hours",
}
HOURS_PER_ECTS = (25.0, 30.0)


@dataclass(frozen=True)
class CredentialQuality:
    """Completeness of one credential's EU standard elements."""

    credential_id: str
    provider_id: str
    completeness: float  # share of MANDATORY_ELEMENTS present, 0..1
    missing: tuple[str, ...]  # mandatory elements missing
    missing_optional: tuple[str, ...]
    external_qa: bool
    hours_per_ects: float | None
    workload_flag: bool  # hours per ECTS outside HOURS_PER_ECTS


@dataclass(frozen=True)
class ProviderQuality:
    """Quality summary of one provider's credentials."""

    provider_id: str
    name: str
    credentials: int
    mean_completeness: float
    share_complete: float
    share_external_qa: float
    workload_flags: int
    most_missing: tuple[tuple[str, int], ...]  # (element, count), most frequent first


@dataclass(frozen=True)
class QualityResult:
    """Quality per credential (sorted by id), per provider (sorted by id), and overall."""

    credentials: tuple[CredentialQuality, ...]
    providers: tuple[ProviderQuality, ...]
    mean_completeness: float
    share_complete: float
    share_external_qa: float
    workload_flags: int
    missing_counts: tuple[tuple[str, int], ...]  # element -> credentials missing it


def _check(cred: Credential, provider: Provider | None) -> CredentialQuality:
    present = {
        "learning_outcomes": bool(cred.learning_outcomes),
        "workload_ects": cred.ects is not None,
        "eqf_level": cred.eqf_level is not None,
        "assessment": bool(cred.assessment),
        "participation": bool(cred.participation),
        "quality_assurance": cred.quality_assurance is not None
        or (provider is not None and provider.quality_assurance is not None),
        "language": bool(cred.languages),
    }
    optional = {"supervision": cred.supervision is not None, "stackability": cred.stackability is not None,
                "hours": cred.hours is not None}
    external = any(qa is not None and qa.type == QualityAssuranceType.EXTERNAL
                   for qa in (cred.quality_assurance, provider.quality_assurance if provider else None))
    ratio = cred.hours / cred.ects if cred.hours is not None and cred.ects else None
    low, high = HOURS_PER_ECTS
    return CredentialQuality(
        credential_id=cred.id, provider_id=cred.provider,
        completeness=sum(present.values()) / len(present),
        missing=tuple(k for k in MANDATORY_ELEMENTS if not present[k]),
        missing_optional=tuple(k for k in OPTIONAL_ELEMENTS if not optional[k]),
        external_qa=external, hours_per_ects=ratio,
        workload_flag=ratio is not None and not (low <= ratio <= high),
    )


def _share(items: list[bool]) -> float:
    return sum(items) / len(items) if items else 0.0


def quality_report(catalogue: Catalogue, *, provider: str | None = None) -> QualityResult:
    """Check every credential (or one provider's) against the EU standard elements.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    provider : str, optional
        Only this provider's credentials.

    Returns
    -------
    QualityResult
        Per credential, per provider and overall figures.

    """
    providers = {p.id: p for p in catalogue.providers}
    checks = [_check(c, providers.get(c.provider)) for c in sorted(catalogue.credentials, key=lambda c: c.id)
              if provider is None or c.provider == provider]
    by_provider: dict[str, list[CredentialQuality]] = defaultdict(list)
    for q in checks:
        by_provider[q.provider_id].append(q)
    rows = []
    for pid, qs in sorted(by_provider.items()):
        missing = Counter(m for q in qs for m in q.missing)
        rows.append(ProviderQuality(
            provider_id=pid, name=providers[pid].name if pid in providers else pid, credentials=len(qs),
            mean_completeness=sum(q.completeness for q in qs) / len(qs),
            share_complete=_share([not q.missing for q in qs]),
            share_external_qa=_share([q.external_qa for q in qs]),
            workload_flags=sum(q.workload_flag for q in qs),
            most_missing=tuple(sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))),
        ))
    missing_all = Counter(m for q in checks for m in q.missing)
    return QualityResult(
        credentials=tuple(checks), providers=tuple(rows),
        mean_completeness=sum(q.completeness for q in checks) / len(checks) if checks else 0.0,
        share_complete=_share([not q.missing for q in checks]),
        share_external_qa=_share([q.external_qa for q in checks]),
        workload_flags=sum(q.workload_flag for q in checks),
        missing_counts=tuple((m, missing_all.get(m, 0)) for m in MANDATORY_ELEMENTS),
    )
