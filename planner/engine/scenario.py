"""A planning scenario: target, learner and constraints as one flat, shareable record.

The UI edits a :class:`Scenario`; a shareable link carries it as query parameters
(:func:`to_query` / :func:`from_query`), and the route engine gets a
:class:`~planner.catalogue.models.LearnerProfile` and :class:`~planner.catalogue.models.Target` from it.
Nothing here imports Streamlit, so links and round trips are tested directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from planner.catalogue.models import (
    ID_PATTERN,
    MAX_AUDIENCES,
    MAX_COST,
    MAX_HOURS_PER_WEEK,
    Catalogue,
    CompetencyLevel,
    Constraints,
    Currency,
    Holding,
    LearnerProfile,
    Money,
    Objective,
    ParticipationMode,
    PlanDate,
    Target,
    _Model,
    parse_date,
    parse_level,
)

__all__ = ["MAX_LINK_ITEMS", "Scenario", "ScenarioError", "fit_to_catalogue", "from_query", "read_link",
           "to_query"]

_LIST_SEP = ","
#: Most entries a link may carry in one list (holdings, competencies, providers …) and the
#: longest value read from it; a link is typed or pasted, so anything beyond is not a plan.
MAX_LINK_ITEMS = 100
MAX_LINK_VALUE = 4000


class ScenarioError(ValueError):
    """A link or form value that does not make a valid scenario; the message names the field."""


class Scenario(_Model):
    """Everything a route search needs, in a flat shape that fits forms and links."""

    target: str = Field(pattern=r"^(role|award):" + ID_PATTERN[1:])
    holdings: list[Holding] = Field(default_factory=list)
    competencies: list[CompetencyLevel] = Field(default_factory=list)
    budget: float | None = Field(default=None, ge=0, le=MAX_COST, allow_inf_nan=False)
    currency: Currency = "EUR"
    hours_per_week: float | None = Field(default=None, ge=0.5, le=MAX_HOURS_PER_WEEK, allow_inf_nan=False)
    start: PlanDate | None = None
    deadline: PlanDate | None = None
    modes: list[ParticipationMode] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    avoid_providers: list[str] = Field(default_factory=list)
    audiences: list[Annotated[str, Field(pattern=ID_PATTERN, max_length=60)]] = Field(
        default_factory=list, max_length=MAX_AUDIENCES)
    objective: Objective = Objective.COST
    alternatives: int = Field(default=3, ge=1, le=10)

    @model_validator(mode="after")
    def _dates(self) -> Scenario:
        # the engine's Constraints refuse this too; say it here, where the form can show it
        if self.start and self.deadline and self.deadline <= self.start:
            raise ValueError("the deadline must be after the start")
        # one entry per credential and competency: the form has one widget per entry
        for what, ids in (("holdings", [h.credential for h in self.holdings]),
                          ("competencies", [c.competency for c in self.competencies])):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{what}: {', '.join(repr(i) for i in twice[:5])} given more than once")
        return self

    @classmethod
    def from_parts(cls, target: Target, profile: LearnerProfile, *, objective: Objective | str = Objective.COST,
                   alternatives: int = 3) -> Scenario:
        """Flatten a target and learner profile (as a plan file holds them) into a scenario."""
        c = profile.constraints
        return cls(
            target=str(target), holdings=profile.holdings, competencies=profile.competencies,
            budget=c.budget.amount if c.budget else None, currency=c.budget.currency if c.budget else "EUR",
            hours_per_week=c.hours_per_week, start=c.start, deadline=c.deadline, modes=c.modes,
            languages=c.languages, countries=c.countries, avoid_providers=c.avoid_providers,
            audiences=c.audiences, objective=Objective(objective), alternatives=min(max(alternatives, 1), 10),
        )

    def to_target(self) -> Target:
        """The route target this scenario names."""
        return Target.parse(self.target)

    def to_profile(self) -> LearnerProfile:
        """The learner profile (holdings, known competencies, constraints)."""
        budget = Money(amount=self.budget, currency=self.currency) if self.budget is not None else None
        return LearnerProfile(
            holdings=self.holdings,
            competencies=self.competencies,
            constraints=Constraints(
                budget=budget, hours_per_week=self.hours_per_week, start=self.start, deadline=self.deadline,
                modes=self.modes, languages=self.languages, countries=self.countries,
                avoid_providers=self.avoid_providers, audiences=self.audiences,
            ),
        )


def to_query(scenario: Scenario) -> dict[str, str]:
    """Encode a scenario as query parameters (only what differs from the defaults).

    ``have=id@2024-05-01,id2@…``, ``know=competency=2,…``, lists comma-separated.
    """
    out: dict[str, str] = {"target": scenario.target}
    if scenario.holdings:
        out["have"] = _LIST_SEP.join(f"{h.credential}@{h.earned.isoformat()}" for h in scenario.holdings)
    if scenario.competencies:
        out["know"] = _LIST_SEP.join(f"{c.competency}={c.level}" for c in scenario.competencies)
    if scenario.budget is not None:
        out["budget"] = _number(scenario.budget)
    if scenario.budget is not None or scenario.currency != "EUR":
        out["currency"] = scenario.currency
    if scenario.hours_per_week is not None:
        out["hours_per_week"] = _number(scenario.hours_per_week)
    for key in ("start", "deadline"):
        value = getattr(scenario, key)
        if value is not None:
            out[key] = value.isoformat()
    for key in ("modes", "languages", "countries", "avoid_providers", "audiences"):
        values = getattr(scenario, key)
        if values:
            out[key] = _LIST_SEP.join(str(v) for v in values)
    if scenario.objective != Objective.COST:
        out["objective"] = scenario.objective.value
    if scenario.alternatives != 3:
        out["alternatives"] = str(scenario.alternatives)
    return out


def _number(value: float) -> str:
    # shortest text that reads back as the same float ("1500", "12.5"), never rounded like :g
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(_LIST_SEP) if part.strip()]


def from_query(params: Mapping[str, str | Sequence[str]]) -> Scenario:
    """Decode query parameters made by :func:`to_query`.

    Raises
    ------
    ScenarioError
        Naming the parameter that is wrong, e.g. ``have: 'x@2024-13-01' is not a date``.

    """
    flat = {k: (v[-1] if isinstance(v, (list, tuple)) else v) for k, v in params.items()}
    data: dict[str, Any] = {}
    if "target" not in flat:
        raise ScenarioError("target: missing (expected role:ID or award:ID)")
    data["target"] = flat["target"]
    holdings = []
    for item in _split(flat.get("have", "")):
        cid, _, day = item.partition("@")
        try:
            if not day.isascii():  # fromisoformat reads other scripts' digits too
                raise ValueError(day)
            holdings.append({"credential": cid, "earned": dt.date.fromisoformat(day)})
        except ValueError as exc:
            raise ScenarioError(f"have: {item!r} is not ID@YYYY-MM-DD") from exc
    data["holdings"] = holdings
    comps = []
    for item in _split(flat.get("know", "")):
        comp, _, level = item.rpartition("=")
        if not comp or not (level.isascii() and level.isdigit()):
            raise ScenarioError(f"know: {item!r} is not COMPETENCY=LEVEL")
        comps.append({"competency": comp, "level": int(level[:4])})
    data["competencies"] = comps
    for key in ("budget", "currency", "hours_per_week", "start", "deadline", "objective", "alternatives"):
        if key in flat and flat[key] != "":
            data[key] = flat[key]
    for key in ("modes", "languages", "countries", "avoid_providers", "audiences"):
        if key in flat:
            data[key] = _split(flat[key])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or ("deadline" if "deadline" in first["msg"] else "link")
        raise ScenarioError(f"{where}: {first['msg']}") from exc


def read_link(params: Mapping[str, str | Sequence[str]]) -> tuple[Scenario, list[str]]:
    """Decode a shareable link leniently: what cannot be applied is left out and said.

    Unlike :func:`from_query`, one bad value does not lose the whole link: a holding with a
    broken date, a level written with other digits, a credential given twice, a date outside
    :data:`~planner.catalogue.models.MIN_DATE`..:data:`~planner.catalogue.models.MAX_DATE`, a number beyond the
    model's limits or an unknown mode is dropped, and the rest is kept.

    Parameters
    ----------
    params : mapping
        Query parameters (a value may be a list; the last one counts).

    Returns
    -------
    tuple of (Scenario, list of str)
        The scenario and one message per value left out, naming the parameter, e.g.
        ``have: 'x@2024-13-01' is not ID@YYYY-MM-DD; left out``.

    Raises
    ------
    ScenarioError
        When the target is missing or malformed: there is nothing sensible to plan.

    """
    flat = {str(k): (v[-1] if isinstance(v, (list, tuple)) and v else v) for k, v in params.items()}
    flat = {k: v if isinstance(v, str) else "" for k, v in flat.items()}
    ignored: list[str] = []
    target = flat.get("target", "")
    try:
        Scenario(target=target)
    except ValidationError:
        raise ScenarioError(f"target: {target[:80]!r} is not role:ID or award:ID") from None
    data: dict[str, Any] = {"target": target}

    def items(key: str) -> list[str]:
        value = flat.get(key, "")
        if len(value) > MAX_LINK_VALUE:
            ignored.append(f"{key}: longer than {MAX_LINK_VALUE} characters; left out")
            return []
        parts = _split(value)
        if len(parts) > MAX_LINK_ITEMS:
            ignored.append(f"{key}: more than {MAX_LINK_ITEMS} entries; only the first {MAX_LINK_ITEMS} kept")
        return parts[:MAX_LINK_ITEMS]

    def fits(**values: Any) -> str | None:
        # the problem this value alone would cause, or None
        try:
            Scenario(target=target, **values)
        except ValidationError as exc:
            return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        return None

    def entries(key: str, field: str, name: str, parse: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
        # each link entry parsed and checked alone, so one bad entry drops only itself
        out: list[dict[str, Any]] = []
        for item in items(key):
            try:
                entry = parse(item)
            except ValueError as exc:
                ignored.append(f"{key}: {item[:80]!r} left out ({str(exc).removeprefix(f'{key}: ')})")
                continue
            problem = fits(**{field: [entry]}) or (
                "given more than once" if any(e[name] == entry[name] for e in out) else None)
            if problem:
                ignored.append(f"{key}: {item[:80]!r} left out ({problem})")
            else:
                out.append(entry)
        return out

    def holding(item: str) -> dict[str, Any]:
        cid, _, day = item.partition("@")
        return {"credential": cid, "earned": parse_date(day, "have")}

    def known(item: str) -> dict[str, Any]:
        comp, _, level = item.rpartition("=")
        return {"competency": comp, "level": parse_level(level, "know")}

    data["holdings"] = entries("have", "holdings", "credential", holding)
    data["competencies"] = entries("know", "competencies", "competency", known)
    for key in ("budget", "currency", "hours_per_week", "start", "deadline", "objective", "alternatives"):
        value = flat.get(key, "")
        if value == "":
            continue
        problem = "too long" if len(value) > 40 else fits(**{key: value})
        if problem:
            ignored.append(f"{key}: {value[:40]!r} left out ({problem})")
        else:
            data[key] = value
    for key in ("modes", "languages", "countries", "avoid_providers", "audiences"):
        kept = []
        for value in dict.fromkeys(items(key)):
            problem = fits(**{key: [value]})
            if problem:
                ignored.append(f"{key}: {value[:40]!r} left out ({problem})")
            else:
                kept.append(value)
        data[key] = kept
    if "start" in data and "deadline" in data and fits(start=data["start"], deadline=data["deadline"]):
        ignored.append(f"deadline: {data.pop('deadline')!r} left out (it is not after the start)")
    try:
        return Scenario.model_validate(data), ignored
    except ValidationError as exc:  # every value was checked above; say it plainly if not
        first = exc.errors()[0]
        raise ScenarioError(f"{'.'.join(str(p) for p in first['loc']) or 'link'}: {first['msg']}") from None


def fit_to_catalogue(scenario: Scenario, catalogue: Catalogue) -> tuple[Scenario, list[str]]:
    """Drop what a catalogue does not know from a scenario (e.g. one opened from an old link).

    Parameters
    ----------
    scenario : Scenario
        A valid scenario, possibly naming ids of another catalogue.
    catalogue : Catalogue
        The catalogue the scenario will be planned on.

    Returns
    -------
    tuple of (Scenario, list of str)
        The scenario without unknown credentials, competencies, providers, languages and
        countries (competency levels clamped to the catalogue's scale), and one message per
        change, naming the field, e.g. ``have: unknown credential 'x' left out`` (and the
        'credit' objective, which needs an award target, replaced by 'cost').

    Raises
    ------
    ScenarioError
        When the target itself is unknown: there is nothing sensible to plan.

    """
    problems: list[str] = []
    target = scenario.to_target()
    objective = scenario.objective
    if objective == Objective.CREDIT and target.kind != "award":
        problems.append("objective: 'credit' needs an award as the target; using 'cost'")
        objective = Objective.COST
    if not catalogue.has("role" if target.kind == "role" else "credential", target.id or ""):
        raise ScenarioError(f"target: {scenario.target!r} is not in this catalogue")
    if target.kind == "award" and not catalogue.credential(target.id or "").is_award:
        raise ScenarioError(f"target: {scenario.target!r} is a credential without award rules")

    def keep(field: str, values: list[Any], known: set[str], what: str, key: Any = str) -> list[Any]:
        out = []
        for v in values:
            if key(v) in known:
                out.append(v)
            else:
                problems.append(f"{field}: unknown {what} {key(v)!r} left out")
        return out

    holdings = keep("have", scenario.holdings, {c.id for c in catalogue.credentials}, "credential",
                    lambda h: h.credential)
    scale = catalogue.meta.level_scale
    competencies = []
    for c in keep("know", scenario.competencies, {c.id for c in catalogue.competencies}, "competency",
                  lambda c: c.competency):
        level = min(max(c.level, scale.min), scale.max)
        if level != c.level:
            problems.append(f"know: level {c.level} of {c.competency!r} is outside {scale.min}–{scale.max}; "
                            f"set to {level}")
        competencies.append(c.model_copy(update={"level": level}))
    currencies = {catalogue.meta.base_currency, *catalogue.meta.exchange_rates}
    currency = scenario.currency
    if currency not in currencies:
        problems.append(f"currency: {currency!r} has no exchange rate in this catalogue; "
                        f"using {catalogue.meta.base_currency}")
        currency = catalogue.meta.base_currency
    languages = keep("languages", scenario.languages,
                     {lang for c in catalogue.credentials for lang in c.languages}, "language")
    countries = keep("countries", scenario.countries, {p.country for p in catalogue.providers}, "country")
    avoid = keep("avoid_providers", scenario.avoid_providers, {p.id for p in catalogue.providers}, "provider")
    fitted = scenario.model_copy(update={
        "holdings": holdings, "competencies": competencies, "currency": currency, "languages": languages,
        "countries": countries, "avoid_providers": avoid, "objective": objective,
    })
    return fitted, problems
