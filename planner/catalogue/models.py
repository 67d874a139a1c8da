"""Pydantic models of the catalogue and the learner: the edge of the system.

Everything read from YAML, uploads or UI input is validated here. The models are
immutable (``frozen``) and reject unknown keys, so a typo in a catalogue file is an
error rather than silently ignored data.

Field names follow the standards where one exists (CTDL ``ceterms:``, Open Badges 3.0
``Achievement``, ELM) so that import and export are mappings rather than translations.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from planner.catalogue.keyformat import KeyFormatError, did_key_bytes, jwk_bytes, key_bytes

__all__ = [
    "CTID_PATTERN",
    "CURRENCY_PATTERN",
    "ID_PATTERN",
    "MAX_ALTERNATIVES",
    "MAX_AUDIENCES",
    "MAX_COST",
    "MAX_COST_OPTIONS",
    "MAX_DATE",
    "MAX_HOURS_PER_WEEK",
    "MAX_ISSUERS",
    "MAX_ISSUER_KEYS",
    "MAX_LEVEL",
    "MAX_TERMS",
    "MAX_TERM_WEEKS",
    "MAX_WEIGHT",
    "MIN_DATE",
    "VERIFIED_HOLDINGS",
    "AssessmentType",
    "AwardSpec",
    "Catalogue",
    "CatalogueMeta",
    "Competency",
    "CompetencyFramework",
    "CompetencyLevel",
    "CompetencyType",
    "Constraints",
    "CostOption",
    "Credential",
    "CredentialType",
    "CreditUnit",
    "CreditValue",
    "Holding",
    "IssuerJwk",
    "LearnerProfile",
    "LevelScale",
    "Money",
    "Objective",
    "Outlook",
    "ParticipationMode",
    "Provider",
    "ProviderKind",
    "QualityAssurance",
    "QualityAssuranceType",
    "RecognitionAgreement",
    "RequirementAlternative",
    "RequirementGroup",
    "Role",
    "RoleNeed",
    "Rule",
    "RuleAllOf",
    "RuleCredential",
    "RuleCredits",
    "RuleNOf",
    "Runs",
    "Supervision",
    "Target",
    "TrustedIssuer",
    "Wage",
    "check_date",
    "check_weight",
    "parse_date",
    "parse_level",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
#: A Credential Registry identifier: ``ce-`` and a UUID (published records use any UUID version)
CTID_PATTERN = r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=120)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
#: An Open Badges issuer id: a URI such as a DID (``did:key:…``, ``did:web:…``) or an issuer profile URL
IssuerId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", max_length=500)]
MAX_ISSUERS = 20  # issuer ids one provider may list
MAX_ISSUER_KEYS = 10  # public keys one issuer may list
#: validation context key under which holdings marked "verified" stay verified (the verifier's hand-over only)
VERIFIED_HOLDINGS = "planner.verified_holdings"
MAX_COST_OPTIONS = 20  # published prices (one per audience) one credential may carry
MAX_AUDIENCES = 10  # audiences one learner may belong to
Ctid = Annotated[str, Field(pattern=CTID_PATTERN)]
Currency = Annotated[str, Field(pattern=CURRENCY_PATTERN)]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]

#: Upper bounds beyond which a number is taken as a data-entry mistake. These are the
#: model's limits: the CLI, links, plan files and forms check against them and name them
#: in their messages (docs/limits.md lists them).
MAX_ECTS = 360.0
MAX_HOURS = 10_000.0
MAX_WEEKS = 520
MAX_HOURS_PER_WEEK = 80.0
MAX_COST = 1_000_000.0
MAX_VALIDITY_YEARS = 100.0
#: Competency levels: a catalogue declares its own scale inside 0..MAX_LEVEL.
MAX_LEVEL = 10
#: Dates a learner, a link or a command may give (plan start, deadline, date earned, report
#: date): far enough for any plan, near enough that date arithmetic never overflows.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
#: A weight in a weighted objective (``--weights cost=1,time=0.5``): finite, 0..MAX_WEIGHT.
MAX_WEIGHT = 1000.0
#: Distinct routes one search may return; terms and weeks per term of a balanced plan.
MAX_ALTERNATIVES = 50
MAX_TERMS = 40
MAX_TERM_WEEKS = 52
#: A role's labour-market figures: the largest median wage and number of openings taken as real.
MAX_WAGE = 10_000_000.0
MAX_OPENINGS = 100_000_000

Level = Annotated[int, Field(ge=0, le=MAX_LEVEL)]
#: A learner-side date, inside MIN_DATE..MAX_DATE.
PlanDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]


def check_date(day: dt.date, field: str) -> dt.date:
    """Return ``day`` when it lies in :data:`MIN_DATE`..:data:`MAX_DATE`.

    Parameters
    ----------
    day : datetime.date
        The date to check.
    field : str
        Where it came from (``--start``, ``as_of``), for the message.

    Returns
    -------
    datetime.date
        ``day`` unchanged.

    Raises
    ------
    ValueError
        Naming the field, the date and the range.

    """
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"{field}: {day.isoformat()} is outside the supported dates "
                         f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}")
    return day


def parse_date(text: str, field: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` (ASCII digits only) inside the supported range.

    Parameters
    ----------
    text : str
        The date as typed.
    field : str
        Where it came from, for the message.

    Returns
    -------
    datetime.date
        The date.

    Raises
    ------
    ValueError
        Naming the field: not a date, or outside :data:`MIN_DATE`..:data:`MAX_DATE`.

    """
    value = text.strip()
    try:
        if not value.isascii():  # fromisoformat takes other scripts' digits too
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field}: expected a date like 2026-09-01, got {text[:40]!r}") from None
    return check_date(day, field)


def parse_level(text: str, field: str) -> int:
    """Parse a competency level written with ASCII digits, inside 0..:data:`MAX_LEVEL`.

    Raises
    ------
    ValueError
        Naming the field and the limit.

    """
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 3:
        raise ValueError(f"{field}: a level is a whole number 0 to {MAX_LEVEL} in ASCII digits, got {text[:40]!r}")
    level = int(value)
    if level > MAX_LEVEL:
        raise ValueError(f"{field}: level {level} is above the limit {MAX_LEVEL}")
    return level


def check_weight(weight: float, field: str) -> float:
    """Return ``weight`` when it is finite and within 0..:data:`MAX_WEIGHT`.

    Raises
    ------
    ValueError
        Naming the field and the limit (``inf``, ``nan``, ``1e308`` and negatives fail).

    """
    if not math.isfinite(weight) or not 0 <= weight <= MAX_WEIGHT:
        raise ValueError(f"{field}: a weight is a finite number from 0 to {MAX_WEIGHT:g}, got {weight!r}")
    return weight


class _Model(BaseModel):
    """Base: immutable, unknown keys rejected, enum values kept as enums."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- enums


class ProviderKind(StrEnum):
    """What kind of organisation awards a credential."""

    UNIVERSITY = "university"
    VET_COLLEGE = "vet_college"
    INDUSTRY = "industry"
    ONLINE_PLATFORM = "online_platform"
    OTHER = "other"


class QualityAssuranceType(StrEnum):
    """Type of quality assurance underpinning a credential (EU element)."""

    EXTERNAL = "external"  # accreditation or review by an external QA body
    INTERNAL = "internal"  # the provider's own QA procedures
    NONE = "none"


class CredentialType(StrEnum):
    """Type of credential specification (maps to CTDL / OB3 achievement types)."""

    MICRO_CREDENTIAL = "micro_credential"
    COURSE = "course"
    BADGE = "badge"
    CERTIFICATE = "certificate"
    DIPLOMA = "diploma"
    BACHELOR = "bachelor"
    MASTER = "master"
    INDUSTRY_CERTIFICATION = "industry_certification"


class AssessmentType(StrEnum):
    """Type of assessment (EU element)."""

    EXAM = "exam"
    PROJECT = "project"
    PORTFOLIO = "portfolio"
    PRACTICAL = "practical"
    ORAL = "oral"
    QUIZ = "quiz"
    THESIS = "thesis"
    NONE = "none"


class ParticipationMode(StrEnum):
    """Form of participation (EU element)."""

    ONLINE = "online"
    ONSITE = "onsite"
    BLENDED = "blended"


class Supervision(StrEnum):
    """Supervision and identity verification during assessment (optional EU element)."""

    UNSUPERVISED = "unsupervised"
    SUPERVISED_NO_ID = "supervised_no_id_check"
    SUPERVISED_WITH_ID = "supervised_with_id_check"


class CompetencyType(StrEnum):
    """ESCO-style competency type."""

    SKILL = "skill"
    KNOWLEDGE = "knowledge"
    TRANSVERSAL = "transversal"


class CompetencyFramework(StrEnum):
    """Where a competency's identifier comes from."""

    ESCO = "esco"
    ONET = "onet"
    LOCAL = "local"


class Objective(StrEnum):
    """What a route search optimises."""

    COST = "cost"
    TIME = "time"
    WORKLOAD = "workload"
    CREDIT = "credit"


# --------------------------------------------------------------------------- small parts


_MONEY_RE = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*([A-Za-z]{3})\s*$")


class Money(_Model):
    """An amount in a currency. YAML may also say ``450 EUR``."""

    amount: float = Field(ge=0, le=MAX_COST, allow_inf_nan=False)
    currency: Currency = "EUR"

    @model_validator(mode="before")
    @classmethod
    def _parse_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _MONEY_RE.match(value)
            if not match:
                raise ValueError(f"expected an amount and a currency such as '450 EUR', got {value!r}")
            return {"amount": float(match.group(1).replace(",", "").replace("_", "")),
                    "currency": match.group(2).upper()}
        return value

    def __str__(self) -> str:
        return f"{self.amount:,.0f} {self.currency}"


class CostOption(_Model):
    """One published price of a credential, for one audience.

    A credential's ``costs`` are *alternatives*: a learner pays one of them (the one for
    their audience), never their sum. ``audience`` is a short id such as ``resident``,
    ``non-resident``, ``in-state``, ``member``; none means the price is for anyone (or the
    publisher did not say for whom).
    """

    audience: Id | None = None
    price: Money
    label: ShortText | None = Field(default=None, description="What the publisher calls this price.")


class CreditUnit(StrEnum):
    """The unit a credit value is published in (CTDL ``creditUnit`` concepts and others)."""

    ECTS = "ects"
    SEMESTER_HOUR = "semester_hour"
    QUARTER_HOUR = "quarter_hour"
    SCQF = "scqf"
    CATS = "cats"
    CONTINUING_EDUCATION_UNIT = "continuing_education_unit"
    CLOCK_HOUR = "clock_hour"
    CARNEGIE_UNIT = "carnegie_unit"
    COMPETENCY = "competency"
    OTHER = "other"


class CreditValue(_Model):
    """A credit value as published, with its unit (never relabelled as ECTS).

    ``ects`` on the credential is the planner's credit measure; it is filled from a credit
    value in another unit only by a declared rate (see ``docs/semantics.md``).
    ``max_value`` makes a range (``value`` to ``max_value``); ``unit_label`` keeps the
    publisher's words for an ``other`` unit.
    """

    value: float = Field(ge=0, le=100_000, allow_inf_nan=False)
    max_value: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)
    unit: CreditUnit
    unit_label: ShortText | None = None

    @model_validator(mode="after")
    def _range(self) -> CreditValue:
        if self.max_value is not None and self.max_value < self.value:
            raise ValueError(f"max_value {self.max_value:g} is below value {self.value:g}")
        return self


class LevelScale(_Model):
    """The proficiency scale a catalogue uses for competency levels."""

    min: int = Field(default=1, ge=0, le=10)
    max: int = Field(default=4, ge=1, le=10)
    labels: dict[int, ShortText] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_order(self) -> LevelScale:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        return self


class QualityAssurance(_Model):
    """Quality assurance of a provider or credential (EU element)."""

    type: QualityAssuranceType
    body: ShortText | None = None
    description: Text | None = None


class CompetencyLevel(_Model):
    """A competency at a proficiency level (what is taught or known)."""

    competency: Id
    level: Level


class Runs(_Model):
    """When a credential can be started.

    ``rolling`` means any week. ``intakes`` are yearly start dates written ``MM-DD``
    (``09-15`` is every 15 September), which keeps the catalogue valid year after year.
    """

    rolling: bool = False
    intakes: list[Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Runs:
        if self.rolling and self.intakes:
            raise ValueError("give either 'rolling: true' or a list of 'intakes', not both")
        if not self.rolling and not self.intakes:
            raise ValueError("give 'rolling: true' or at least one intake date (MM-DD)")
        return self


class RequirementAlternative(_Model):
    """One way to meet a prerequisite group: a credential, or a competency at a level."""

    credential: Id | None = None
    competency: Id | None = None
    level: Level | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> RequirementAlternative:
        if (self.credential is None) == (self.competency is None):
            raise ValueError("an alternative names either a 'credential' or a 'competency' (with 'level')")
        if self.competency is not None and self.level is None:
            raise ValueError(f"competency '{self.competency}' needs a 'level'")
        if self.credential is not None and self.level is not None:
            raise ValueError("'level' belongs to a competency, not to a credential")
        return self


class RequirementGroup(_Model):
    """Prerequisite group: met when any one of its alternatives is met.

    A credential's ``requires`` list is an AND of such groups. In YAML a group with a
    single alternative may be written as that alternative directly.
    """

    any_of: list[RequirementAlternative] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict) and "any_of" not in value and (
            "credential" in value or "competency" in value
        ):
            return {"any_of": [value]}
        return value


# --------------------------------------------------------------------------- award rules


class RuleCredential(_Model):
    """Leaf: the named credential must be held or earned (a core component)."""

    credential: Id


class RuleAllOf(_Model):
    """Every child rule must be met."""

    all_of: list[Rule] = Field(min_length=1)
    label: ShortText | None = None


class RuleNOf(_Model):
    """At least ``n_of`` of the child rules must be met (``n_of: 3`` of 5 modules)."""

    n_of: int = Field(ge=1)
    of: list[Rule] = Field(min_length=1)
    label: ShortText | None = None


class RuleCredits(_Model):
    """At least ``credits`` ECTS from the listed credentials.

    Each listed credential contributes its own ECTS. Credentials recognised towards the
    award by a recognition agreement contribute the agreed credits to the pool the
    agreement names (by ``id``), or to the award's first credit pool when it names none.
    """

    credits: float = Field(gt=0, le=MAX_ECTS)
    from_: list[Id] = Field(alias="from", min_length=1)
    id: Id | None = None
    label: ShortText | None = None


def _rule_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all_of", "n_of", "credits", "credential"):
            if key in value:
                return key
        return None
    for cls, key in ((RuleAllOf, "all_of"), (RuleNOf, "n_of"), (RuleCredits, "credits"),
                     (RuleCredential, "credential")):
        if isinstance(value, cls):
            return key
    return None


Rule = Annotated[
    Union[
        Annotated[RuleAllOf, Tag("all_of")],
        Annotated[RuleNOf, Tag("n_of")],
        Annotated[RuleCredits, Tag("credits")],
        Annotated[RuleCredential, Tag("credential")],
    ],
    Discriminator(
        _rule_tag,
        custom_error_type="award_rule",
        custom_error_message="an award rule is one of: all_of, n_of (with of), credits (with from), credential",
    ),
]

RuleAllOf.model_rebuild()
RuleNOf.model_rebuild()


def rule_credentials(rule: Rule) -> Iterator[str]:
    """Every credential id a rule tree names (leaves and credit-pool members), in order."""
    if isinstance(rule, RuleCredential):
        yield rule.credential
    elif isinstance(rule, RuleCredits):
        yield from rule.from_
    else:
        for child in rule.all_of if isinstance(rule, RuleAllOf) else rule.of:
            yield from rule_credentials(child)


class AwardSpec(_Model):
    """How a larger credential (certificate, diploma, degree) is earned by stacking."""

    rule: Rule
    rpl_cap: float | None = Field(
        default=None,
        ge=0,
        le=MAX_ECTS,
        description="Most ECTS that may come from prior learning (credit held before the plan) "
        "and from recognition agreements with other providers.",
    )
    credit_validity_years: float | None = Field(
        default=None,
        gt=0,
        le=MAX_VALIDITY_YEARS,
        description="Credit earned longer ago than this does not count towards the award.",
    )


# --------------------------------------------------------------------------- entities


class CatalogueMeta(_Model):
    """Catalogue-wide settings: name, level scale, currency rate table."""

    name: ShortText = "Catalogue"
    description: Text | None = None
    level_scale: LevelScale = Field(default_factory=LevelScale)
    base_currency: Currency = "EUR"
    exchange_rates: dict[Currency, float] = Field(
        default_factory=dict,
        description="Value of one unit of each currency in the base currency (EUR: 1.0).",
    )
    rates_as_of: dt.date | None = None

    @field_validator("exchange_rates")
    @classmethod
    def _positive_rates(cls, rates: dict[str, float]) -> dict[str, float]:
        for code, rate in rates.items():
            if not 0 < rate < 1e6:
                raise ValueError(f"exchange rate for {code} must be a positive number, got {rate}")
        return rates


class Competency(_Model):
    """A skill, knowledge area or transversal competence."""

    id: Id
    label: ShortText
    framework: CompetencyFramework = CompetencyFramework.LOCAL
    uri: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    type: CompetencyType = CompetencyType.SKILL
    broader: Id | None = None
    description: Text | None = None


class IssuerJwk(_Model):
    """An issuer's Ed25519 public key as a JWK (RFC 8037): ``kty`` OKP, ``crv`` Ed25519, ``x``."""

    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: Annotated[str, Field(min_length=43, max_length=43)]
    kid: Annotated[str, Field(max_length=500)] | None = None
    alg: Literal["EdDSA", "Ed25519"] | None = None
    use: Literal["sig"] | None = None

    @model_validator(mode="after")
    def _decodes(self) -> IssuerJwk:
        jwk_bytes(self.model_dump(exclude_none=True))
        return self


IssuerKey = Annotated[Union[Annotated[str, Field(max_length=200)], IssuerJwk], Field(union_mode="left_to_right")]


class TrustedIssuer(_Model):
    """One issuer id a provider vouches for, with the public keys that sign its credentials.

    A ``did:key`` id needs no keys (the DID is its key). Any other id (an ``https://``
    issuer profile, a ``did:web``, a ``urn:uuid``) lists its Ed25519 keys as Multikeys
    (``publicKeyMultibase``, ``z6Mk…``) or JWKs; without keys, a credential naming it can
    be confirmed only by an issuer document the user gives or a resolution asked for.
    In a catalogue file a plain string stands for ``{id: STRING}``.
    """

    id: IssuerId
    keys: list[IssuerKey] = Field(default_factory=list, max_length=MAX_ISSUER_KEYS)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"id": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _keys_decode(self) -> TrustedIssuer:
        if self.id.startswith("did:key:"):
            try:
                did_key_bytes(self.id)
            except KeyFormatError as exc:
                raise ValueError(f"issuer {self.id[:80]}: {exc}") from None
        seen: set[bytes] = set()
        for key in self.keys:
            try:
                raw = key_bytes(key if isinstance(key, str) else key.model_dump(exclude_none=True))
            except KeyFormatError as exc:
                raise ValueError(f"issuer {self.id[:80]}: key {str(key)[:60]}: {exc}") from None
            if raw in seen:
                raise ValueError(f"issuer {self.id[:80]}: the same key is listed twice")
            seen.add(raw)
        return self

    def key_bytes(self) -> frozenset[bytes]:
        """The raw 32-byte Ed25519 keys that sign for this issuer (a ``did:key`` id's own key included)."""
        out = {key_bytes(k if isinstance(k, str) else k.model_dump(exclude_none=True)) for k in self.keys}
        if self.id.startswith("did:key:"):
            out.add(did_key_bytes(self.id))
        return frozenset(out)


class Provider(_Model):
    """An organisation that awards credentials."""

    id: Id
    name: ShortText
    country: CountryCode
    kind: ProviderKind
    quality_assurance: QualityAssurance | None = None
    website: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    ctid: Ctid | None = Field(default=None, description="Credential Registry identifier of the published record.")
    # the trust list: the Open Badges issuers (DIDs, issuer profile URLs) whose signature counts as this
    # provider's, each with the public keys it signs with
    issuers: list[TrustedIssuer] = Field(default_factory=list, max_length=MAX_ISSUERS)

    @field_validator("issuers")
    @classmethod
    def _unique_issuers(cls, value: list[TrustedIssuer]) -> list[TrustedIssuer]:
        seen: set[str] = set()
        for issuer in value:
            if issuer.id in seen:
                raise ValueError(f"issuer {issuer.id!r} is listed twice")
            seen.add(issuer.id)
        return value

    @property
    def issuer_ids(self) -> list[str]:
        """The ids of the issuers the provider lists."""
        return [issuer.id for issuer in self.issuers]


_MODE_VALUES = [m.value for m in ParticipationMode]
#: the published schema of ``participation``: one mode, or a set of them
_ONE_OR_MORE_MODES: dict[str, Any] = {"anyOf": [
    {"enum": _MODE_VALUES, "type": "string"},
    {"type": "array", "items": {"enum": _MODE_VALUES, "type": "string"}, "uniqueItems": True},
]}


class Credential(_Model):
    """A credential *specification* (like an OB3 ``Achievement`` or CTDL ``Credential``).

    Carries the EU Council Recommendation (2022) standard elements that apply to a
    specification, the practical facts a planner needs (cost, duration, when it runs),
    what it teaches and requires, and, for larger credentials, the award rules by which
    it is earned through stacking.
    """

    id: Id
    title: ShortText
    provider: Id
    type: CredentialType
    sector: ShortText | None = None
    description: Text | None = None
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None

    # EU standard elements (mandatory in the Recommendation; optional here so that
    # incomplete catalogues load, with a warning, and analyses can report the gaps)
    learning_outcomes: list[Text] = Field(default_factory=list)
    ects: float | None = Field(default=None, ge=0, le=MAX_ECTS)
    hours: float | None = Field(default=None, ge=0, le=MAX_HOURS, description="Notional learning hours.")
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    assessment: list[AssessmentType] = Field(default_factory=list)
    participation: Annotated[list[ParticipationMode], WithJsonSchema(_ONE_OR_MORE_MODES)] = Field(
        default_factory=list, description="Forms of participation offered (a set; one value may be written alone)."
    )
    quality_assurance: QualityAssurance | None = None
    languages: list[LanguageCode] = Field(default_factory=list)
    # optional EU elements
    supervision: Supervision | None = None
    stackability: Text | None = Field(default=None, description="Free-text note on integration/stackability.")

    # planning facts
    cost: Money | None = None
    costs: list[CostOption] = Field(
        default_factory=list, max_length=MAX_COST_OPTIONS,
        description="Prices per audience: alternatives, one of which a learner pays (never summed).",
    )
    duration_weeks: int | None = Field(default=None, ge=0, le=MAX_WEEKS)
    min_duration_weeks: int | None = Field(
        default=None, ge=0, le=MAX_WEEKS,
        description="Lower end of a published range whose upper end is duration_weeks (planned with the upper).",
    )
    min_hours: float | None = Field(
        default=None, ge=0, le=MAX_HOURS,
        description="Lower end of a published range of hours whose upper end is hours (planned with the upper).",
    )
    hours_per_week: float | None = Field(default=None, ge=0, le=MAX_HOURS_PER_WEEK)
    runs: Runs | None = None
    credit_validity_years: float | None = Field(default=None, gt=0, le=MAX_VALIDITY_YEARS)
    credit: CreditValue | None = Field(
        default=None, description="Credit as published, with its unit (left out for plain ECTS: 'ects' says it).")

    teaches: list[CompetencyLevel] = Field(default_factory=list)
    requires: list[RequirementGroup] = Field(default_factory=list)
    award: AwardSpec | None = None
    ctid: Ctid | None = Field(default=None, description="Credential Registry identifier of the published record.")

    @field_validator("participation", mode="before")
    @classmethod
    def _one_or_many_modes(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("participation")
    @classmethod
    def _mode_set(cls, value: list[ParticipationMode]) -> list[ParticipationMode]:
        return sorted(set(value), key=list(ParticipationMode).index)

    @model_validator(mode="after")
    def _ranges_and_prices(self) -> Credential:
        if self.cost is not None and self.costs:
            raise ValueError("give 'cost' (one price) or 'costs' (a price per audience), not both")
        named = [o.audience for o in self.costs if o.audience is not None]
        if len(named) != len(set(named)):
            raise ValueError("each audience has one price in 'costs'")
        for low, high, low_name, high_name in ((self.min_duration_weeks, self.duration_weeks,
                                                 "min_duration_weeks", "duration_weeks"),
                                                (self.min_hours, self.hours, "min_hours", "hours")):
            if low is not None and (high is None or low > high):
                raise ValueError(f"{low_name} needs {high_name} at or above it (the range's upper end)")
        return self

    @property
    def is_award(self) -> bool:
        """True when this credential is earned by meeting award rules."""
        return self.award is not None


class RecognitionAgreement(_Model):
    """Provider ``provider`` recognises ``credential`` towards ``award`` for ``credits``.

    With ``equivalent_to`` the recognised credential stands in for that component of the
    award; otherwise its credits count in the credit pool ``pool`` (or the award's first).
    """

    id: Id
    provider: Id
    credential: Id
    award: Id
    credits: float = Field(gt=0, le=MAX_ECTS)
    equivalent_to: Id | None = None
    pool: Id | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _dates(self) -> RecognitionAgreement:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether the agreement is in force on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class RoleNeed(_Model):
    """A competency a role needs, at a level; essential or optional."""

    competency: Id
    level: Level
    essential: bool = True


class Wage(_Model):
    """A median wage as a source states it: an amount in a currency per period (never converted here)."""

    amount: float = Field(ge=0, le=MAX_WAGE, allow_inf_nan=False)
    currency: Currency
    period: Literal["hour", "week", "month", "year"]

    def __str__(self) -> str:
        return f"{self.amount:,.0f} {self.currency} per {self.period}"

    def per_year(self) -> float | None:
        """The wage for a year when the period says it exactly (a year, or twelve months); else None.

        Hourly and weekly wages are not turned into yearly ones: that would need hours and
        weeks worked, which the source does not give.
        """
        return self.amount if self.period == "year" else self.amount * 12 if self.period == "month" else None


class Outlook(_Model):
    """Labour-market facts of a role, each from a named source and date; a missing figure stays missing."""

    openings: int | None = Field(default=None, ge=0, le=MAX_OPENINGS,
                                 description="Job openings the source reports for the occupation.")
    median_wage: Wage | None = None
    source: ShortText
    as_of: dt.date
    code: ShortText | None = Field(default=None, description="The occupation code the figures are for "
                                   "(ESCO URI, ISCO, SOC or O*NET code).")
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None

    @model_validator(mode="after")
    def _some_figure(self) -> Outlook:
        if self.openings is None and self.median_wage is None:
            raise ValueError("an outlook gives openings, a median wage, or both")
        return self


class Role(_Model):
    """A target occupation."""

    id: Id
    title: ShortText
    esco_uri: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    isco_code: Annotated[str, Field(pattern=r"^[0-9]{1,4}(\.[0-9]+)*$")] | None = None
    soc_code: Annotated[str, Field(pattern=r"^[0-9]{2}-[0-9]{4}(\.[0-9]{2})?$")] | None = None
    sector: ShortText | None = None
    description: Text | None = None
    needs: list[RoleNeed] = Field(min_length=1)
    outlook: Outlook | None = None


class Catalogue(_Model):
    """A whole validated catalogue. Build it with :func:`planner.catalogue.loader.load`."""

    meta: CatalogueMeta = Field(default_factory=CatalogueMeta)
    providers: list[Provider] = Field(default_factory=list)
    competencies: list[Competency] = Field(default_factory=list)
    credentials: list[Credential] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    recognitions: list[RecognitionAgreement] = Field(default_factory=list)

    def model_post_init(self, __context: Any) -> None:
        """Index items by id for constant-time look-ups."""
        index = {
            "provider": {p.id: p for p in self.providers},
            "competency": {c.id: c for c in self.competencies},
            "credential": {c.id: c for c in self.credentials},
            "role": {r.id: r for r in self.roles},
            "recognition": {r.id: r for r in self.recognitions},
        }
        object.__setattr__(self, "_index", index)

    def provider(self, provider_id: str) -> Provider:
        """The provider with this id (``KeyError`` if unknown)."""
        return self._index["provider"][provider_id]  # type: ignore[attr-defined]

    def competency(self, competency_id: str) -> Competency:
        """The competency with this id (``KeyError`` if unknown)."""
        return self._index["competency"][competency_id]  # type: ignore[attr-defined]

    def credential(self, credential_id: str) -> Credential:
        """The credential with this id (``KeyError`` if unknown)."""
        return self._index["credential"][credential_id]  # type: ignore[attr-defined]

    def role(self, role_id: str) -> Role:
        """The role with this id (``KeyError`` if unknown)."""
        return self._index["role"][role_id]  # type: ignore[attr-defined]

    def has(self, kind: str, item_id: str) -> bool:
        """Whether an item of ``kind`` (provider, competency, credential, role, recognition) exists."""
        return item_id in self._index[kind]  # type: ignore[attr-defined]

    @property
    def awards(self) -> list[Credential]:
        """Credentials that carry award rules, in catalogue order."""
        return [c for c in self.credentials if c.award is not None]

    def to_base(self, money: Money) -> float:
        """Convert an amount to the base currency with the rate table.

        Raises ``KeyError`` when the rate table lacks the currency: amounts in
        different currencies are never silently added.
        """
        if money.currency == self.meta.base_currency:
            return money.amount
        return money.amount * self.meta.exchange_rates[money.currency]


# --------------------------------------------------------------------------- learner


class Holding(_Model):
    """A credential the learner already holds, with the date it was earned.

    ``verification`` says whether the holding was *verified* from a signed credential
    (:mod:`planner.verify`) or is *declared* by the learner or an advisor.
    """

    credential: Id
    earned: PlanDate
    verification: Literal["declared", "verified"] = "declared"

    @model_validator(mode="before")
    @classmethod
    def _declared_until_verified(cls, value: Any, info: ValidationInfo) -> Any:
        # read from outside (a profile, a plan file, a link, the store, the API): the learner's word
        # until its credential is verified again; only the verifier's own hand-over keeps "verified"
        if (isinstance(value, dict) and value.get("verification") == "verified"
                and not (isinstance(info.context, dict) and info.context.get(VERIFIED_HOLDINGS))):
            return {**value, "verification": "declared"}
        return value


class Constraints(_Model):
    """What the learner can afford and accept."""

    budget: Money | None = None
    hours_per_week: float | None = Field(default=None, gt=0, le=MAX_HOURS_PER_WEEK, allow_inf_nan=False)
    min_hours_per_week: float | None = Field(default=None, ge=0, le=MAX_HOURS_PER_WEEK, allow_inf_nan=False)
    start: PlanDate | None = None
    deadline: PlanDate | None = None
    modes: list[ParticipationMode] = Field(default_factory=list, description="Empty: any mode.")
    languages: list[LanguageCode] = Field(default_factory=list, description="Empty: any language.")
    countries: list[CountryCode] = Field(default_factory=list, description="Empty: any country.")
    avoid_providers: list[Id] = Field(default_factory=list)
    avoid_credentials: list[Id] = Field(default_factory=list)
    max_credentials_per_term: int | None = Field(default=None, ge=1, le=50)
    audiences: list[Id] = Field(
        default_factory=list, max_length=MAX_AUDIENCES,
        description="Audiences the learner belongs to (resident, member …), for prices per audience. "
        "Empty: the lowest published price.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Constraints:
        if self.start and self.deadline and self.deadline <= self.start:
            raise ValueError("deadline must be after start")
        if (self.min_hours_per_week is not None and self.hours_per_week is not None
                and self.min_hours_per_week > self.hours_per_week):
            raise ValueError("min_hours_per_week is above hours_per_week")
        return self


class LearnerProfile(_Model):
    """What the learner holds and knows, and their constraints."""

    name: ShortText | None = None
    holdings: list[Holding] = Field(default_factory=list)
    competencies: list[CompetencyLevel] = Field(default_factory=list)
    constraints: Constraints = Field(default_factory=Constraints)


class Target(_Model):
    """What a route must reach: a role, an award, or a list of competencies."""

    kind: Literal["role", "award", "competencies"]
    id: Id | None = None
    competencies: list[CompetencyLevel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Target:
        if self.kind in ("role", "award") and not self.id:
            raise ValueError(f"a {self.kind} target needs an 'id'")
        if self.kind == "competencies" and not self.competencies:
            raise ValueError("a competencies target needs at least one competency")
        return self

    @classmethod
    def parse(cls, text: str) -> Target:
        """Parse ``role:ID``, ``award:ID`` or ``competencies:A=2,B=3``."""
        kind, sep, rest = text.partition(":")
        if not sep or not rest:
            raise ValueError(f"target must look like role:ID or award:ID, got {text!r}")
        if kind == "competencies":
            items = []
            for part in rest.split(","):
                comp, eq, level = part.partition("=")
                if not eq:
                    raise ValueError(f"expected COMPETENCY=LEVEL, got {part!r}")
                items.append(CompetencyLevel(competency=comp.strip(), level=parse_level(level, comp.strip())))
            return cls(kind="competencies", competencies=items)
        return cls(kind=kind, id=rest)  # type: ignore[arg-type]

    def __str__(self) -> str:
        if self.kind == "competencies":
            return "competencies:" + ",".join(f"{c.competency}={c.level}" for c in self.competencies)
        return f"{self.kind}:{self.id}"
