"""Hand a plan to the learner: Markdown and PDF handouts, and a JSON plan file.

* :func:`route_to_markdown` / :func:`route_to_pdf` — a plain handout of one route: the
  target, totals, every step with its dates, cost, credit, hours and why it is there, and
  the advisor's notes.
* :func:`plan_to_json` / :func:`plan_from_json` — a plan file that stores the question
  (target, learner profile, objective, number of alternatives), the chosen route's
  credential ids and the notes, plus a summary of the route for people reading the file.
  It loads back exactly into a :class:`PlanFile`; a broken file gives a
  :class:`PlanFileError` naming the field at fault.

Catalogue text and notes are data, never markup: they are escaped in Markdown
(:func:`planner.textsafe.markdown`), and in the PDF control characters are dropped and every
character the core fonts cannot show is replaced by a close ASCII equivalent.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner import textsafe
from planner._errors import PlannerError
from planner.models import ID_PATTERN, Catalogue, LearnerProfile, Objective, Target
from planner.results import Recommendation, Route, Step
from planner.textsafe import markdown as _md

__all__ = [
    "PLAN_FORMAT",
    "PLAN_VERSION",
    "PlanFile",
    "PlanFileError",
    "PlanStep",
    "PlanSummary",
    "pdf_safe",
    "plan_from_json",
    "plan_to_json",
    "route_to_markdown",
    "route_to_pdf",
]

#: Identifies a plan file; checked when loading.
PLAN_FORMAT = "stackable-planner-plan"
#: Version of the plan file layout.
PLAN_VERSION = 1


class PlanFileError(PlannerError, ValueError):
    """A plan file that cannot be read; the message names every field at fault."""


# --------------------------------------------------------------------------- plan file


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanStep(_Frozen):
    """One step of the saved route, for people reading the file (not used to restore)."""

    credential_id: str = Field(pattern=ID_PATTERN)
    title: str
    start: dt.date | None = None
    end: dt.date | None = None
    cost: float = Field(ge=0)
    ects: float = Field(ge=0)
    hours: float = Field(ge=0)


class PlanSummary(_Frozen):
    """Totals of the saved route when it was exported."""

    rank: int = Field(ge=1)
    total_cost: float = Field(ge=0)
    currency: str
    total_hours: float = Field(ge=0)
    total_ects: float = Field(ge=0)
    start: dt.date
    finish: dt.date
    weeks: int = Field(ge=0)
    proved_optimal: bool
    steps: list[PlanStep] = Field(default_factory=list)


class PlanFile(_Frozen):
    """A saved plan: the question, the chosen route and the advisor's notes."""

    format: Literal["stackable-planner-plan"] = PLAN_FORMAT
    version: Literal[1] = PLAN_VERSION
    target: Target
    profile: LearnerProfile
    objective: Objective
    alternatives: int = Field(default=3, ge=1, le=50)
    chosen: list[str] = Field(default_factory=list, description="Credential ids of the chosen route.")
    notes: str = Field(default="", max_length=20_000)
    summary: PlanSummary | None = None

    def to_json(self) -> str:
        """The plan as JSON text, in the layout :func:`plan_to_json` writes."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return textsafe.json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def _summary(route: Route) -> PlanSummary:
    return PlanSummary(
        rank=route.rank, total_cost=round(route.total_cost, 2), currency=route.currency,
        total_hours=route.total_hours, total_ects=route.total_ects, start=route.start,
        finish=route.finish, weeks=route.weeks, proved_optimal=route.proved_optimal,
        steps=[PlanStep(credential_id=s.credential_id, title=s.title, start=s.start, end=s.end,
                        cost=round(s.cost, 2), ects=s.ects, hours=s.hours) for s in route.steps],
    )


def plan_to_json(
    recommendation: Recommendation,
    route_index: int = 0,
    *,
    notes: str = "",
    alternatives: int | None = None,
) -> str:
    """Save the question and one of its routes as a JSON plan file.

    Parameters
    ----------
    recommendation
        The answer the plan comes from.
    route_index
        Which route (0 is the best) the learner chose. Ignored when there is no route.
    notes
        The advisor's notes, kept verbatim.
    alternatives
        Number of alternatives asked for; default the number of routes found (at least 1).

    Returns
    -------
    str
        JSON text; :func:`plan_from_json` reads it back into an equal :class:`PlanFile`.

    Raises
    ------
    ValueError
        When ``route_index`` does not name a route of the recommendation.
    """
    routes = recommendation.routes
    if routes and not 0 <= route_index < len(routes):
        raise ValueError(f"route {route_index + 1} does not exist: the recommendation has {len(routes)} route(s)")
    route = routes[route_index] if routes else None
    plan = PlanFile(
        target=recommendation.target,
        profile=recommendation.profile,
        objective=recommendation.objective,
        alternatives=alternatives if alternatives is not None else max(1, min(50, len(routes))),
        chosen=list(route.credential_ids) if route else [],
        notes=notes,
        summary=_summary(route) if route else None,
    )
    return plan.to_json()


def _location(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(the whole file)"


def plan_from_json(text: str) -> PlanFile:
    """Read a plan file written by :func:`plan_to_json`.

    Parameters
    ----------
    text
        The file's JSON text.

    Returns
    -------
    PlanFile
        The plan, equal to the one that was saved.

    Raises
    ------
    PlanFileError
        (a ``ValueError``) when the text is not JSON, not a plan file, or has invalid
        fields; the message lists each problem as ``field: message``.
    """
    from planner.inputs import InputError, parse_json

    try:  # nesting, number and syntax limits of the input layer
        data = parse_json(text, "plan file")
    except InputError as exc:
        p = exc.problem
        where = f"line {p.line}, column {p.column}: " if p.line is not None else ""
        raise PlanFileError(f"not a JSON file: {where}{p.message.removeprefix('invalid JSON: ')}") from None
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise PlanFileError(f"not a plan file: expected \"format\": \"{PLAN_FORMAT}\" at the top level")
    if data.get("version") != PLAN_VERSION:
        raise PlanFileError(
            f"version: this planner reads plan files of version {PLAN_VERSION}, got {data.get('version')!r}"
        )
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_location(e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]
        raise PlanFileError("invalid plan file: " + "; ".join(problems)) from None


# --------------------------------------------------------------------------- shared text


def _target_title(target: Target, catalogue: Catalogue) -> str:
    if target.kind == "role" and target.id and catalogue.has("role", target.id):
        return catalogue.role(target.id).title
    if target.kind == "award" and target.id and catalogue.has("credential", target.id):
        return catalogue.credential(target.id).title
    if target.kind == "competencies":
        names = []
        for c in target.competencies:
            label = catalogue.competency(c.competency).label if catalogue.has("competency", c.competency) \
                else c.competency
            names.append(f"{label} (level {c.level})")
        return ", ".join(names)
    return target.id or str(target)


def _provider(catalogue: Catalogue, provider_id: str) -> str:
    return catalogue.provider(provider_id).name if catalogue.has("provider", provider_id) else provider_id


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}".replace(".00 ", " ")


def _num(x: float) -> str:
    return f"{x:,.1f}".rstrip("0").rstrip(".")


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _step_cost(step: Step, currency: str) -> str:
    text = _money(step.cost, currency)
    if step.cost_currency and step.cost_currency != currency:
        text += f" ({_money(step.cost_amount, step.cost_currency)})"
    return text


def _step_lines(step: Step, catalogue: Catalogue) -> list[str]:
    """Why a step is there, as short sentences (unescaped)."""
    out = []
    if step.serves:
        out.append("Serves: " + ", ".join(step.serves) + ".")
    if step.unlocks:
        names = [catalogue.credential(c).title if catalogue.has("credential", c) else c for c in step.unlocks]
        out.append("Unlocks: " + ", ".join(names) + ".")
    if step.completes:
        names = [catalogue.credential(c).title if catalogue.has("credential", c) else c for c in step.completes]
        out.append("Completes: " + ", ".join(names) + ".")
    if step.explanation:
        out.append(step.explanation)
    return out


def _summary_lines(recommendation: Recommendation, route: Route) -> list[tuple[str, str]]:
    proof = "proved optimal" if route.proved_optimal else "best found (optimality not proved)"
    rows = [
        ("Route", f"{route.rank} of {len(recommendation.routes)}, best for {route.objective.value} ({proof})"),
        ("Total cost", _money(route.total_cost, route.currency)),
        ("Study hours", _num(route.total_hours)),
        ("Credit", f"{_num(route.total_ects)} ECTS"),
        ("Dates", f"{_date(route.start)} to {_date(route.finish)} ({route.duration_text})"
         if not route.duration_unknown else f"from {_date(route.start)} ({route.duration_text})"),
    ]
    if route.awards_completed:
        rows.append(("Awards completed", ", ".join(route.awards_completed)))
    if route.credit_towards is not None:
        rows.append(("Credit towards the award", f"{_num(route.credit_towards)} ECTS"))
    return rows


# --------------------------------------------------------------------------- Markdown

# _md is planner.textsafe.markdown, the one Markdown escaper: catalogue text shows as typed, on one line


def route_to_markdown(
    recommendation: Recommendation, route: Route, catalogue: Catalogue, *, notes: str = ""
) -> str:
    """A Markdown handout of one route.

    Parameters
    ----------
    recommendation
        The answer the route belongs to (target, learner, ranking).
    route
        The route to describe.
    catalogue
        The catalogue, for titles and provider names.
    notes
        The advisor's notes, added at the end (their line breaks kept, markup shown as typed).

    Returns
    -------
    str
        Markdown text: title, summary, a table of steps, why each step is there, notes.
    """
    target = recommendation.target
    out = [f"# Learning plan: {_md(_target_title(target, catalogue))}", ""]
    name = recommendation.profile.name
    if name:
        out += [f"For {_md(name)}.", ""]
    out += [f"Target: {target.kind} `{target}`", "", "## Summary", ""]
    out += [f"- **{label}:** {_md(value)}" for label, value in _summary_lines(recommendation, route)]
    out += ["", "## Steps", "",
            "| # | Credential | Provider | Start | End | Cost | ECTS | Hours |",
            "|---|---|---|---|---|---:|---:|---:|"]
    for i, step in enumerate(route.steps, 1):
        out.append(
            f"| {i} | {_md(step.title)} | {_md(_provider(catalogue, step.provider_id))} | {_date(step.start)} "
            f"| {_date(step.end)} | {_md(_step_cost(step, route.currency))} | {_num(step.ects)} "
            f"| {_num(step.hours)} |"
        )
    out += ["", "## Why each step", ""]
    for i, step in enumerate(route.steps, 1):
        out += [f"### {i}. {_md(step.title)}", ""]
        lines = _step_lines(step, catalogue) or ["Part of the route."]
        out += [f"- {_md(line)}" for line in lines]
        out.append("")
    if recommendation.diagnoses:
        out += ["## Notes from the planner", ""]
        out += [f"- {_md(d.message)}" for d in recommendation.diagnoses]
        out.append("")
    if notes.strip():
        out += ["## Advisor's notes", "", _md(notes.strip(), multiline=True), ""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- PDF

_PDF_REPLACE = {
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"',
    "„": '"', "…": "...", "•": "-", "·": "-", "→": "->", "←": "<-", "↔": "<->", "⇒": "=>", "×": "x",
    "€": "EUR", "≤": "<=", "≥": ">=", "≠": "!=", "✓": "v", "★": "*", "\u00a0": " ", "\u202f": " ",
    "\u2009": " ", "\t": "    ", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Œ": "OE", "œ": "oe",
    "Ħ": "H", "ħ": "h", "ŀ": "l", "Ŀ": "L",
}


def pdf_safe(text: str) -> str:
    """Text the PDF core fonts (Latin-1) can show: close equivalents, else ``?``.

    Parameters
    ----------
    text
        Any Unicode text.

    Returns
    -------
    str
        Text made only of Latin-1 characters.
    """
    out = []
    for ch in textsafe.plain(text, multiline=True):
        ch = _PDF_REPLACE.get(ch, ch)
        if all(ord(c) < 256 for c in ch):
            out.append(ch)
            continue
        # accented letters outside Latin-1 (ő, ł, ş …) keep their base letter
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 256 and not unicodedata.combining(c))
        out.append(base or "?")
    return "".join(out)


def route_to_pdf(
    recommendation: Recommendation, route: Route, catalogue: Catalogue, *, notes: str = ""
) -> bytes:
    """A plain-text PDF handout of one route (same content as the Markdown handout).

    Parameters
    ----------
    recommendation, route, catalogue, notes
        As for :func:`route_to_markdown`.

    Returns
    -------
    bytes
        The PDF document. Uses the built-in Helvetica font; characters it cannot show are
        replaced (see :func:`pdf_safe`). Same input, same bytes.
    """
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # plain text content: small anyway, and searchable by tests
    # a fixed creation date keeps the output reproducible
    pdf.set_creation_date(dt.datetime.combine(route.start, dt.time(), tzinfo=dt.UTC))
    pdf.set_title(pdf_safe(f"Learning plan: {_target_title(recommendation.target, catalogue)}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def para(text: str, size: float = 10, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(0, size * 0.5, pdf_safe(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    para(f"Learning plan: {_target_title(recommendation.target, catalogue)}", 16, "B", 3)
    if recommendation.profile.name:
        para(f"For {recommendation.profile.name}")
    para(f"Target: {recommendation.target.kind} {recommendation.target}")
    para("Summary", 13, "B")
    for label, value in _summary_lines(recommendation, route):
        para(f"{label}: {value}", gap=0.5)
    pdf.ln(2)
    para("Steps", 13, "B")
    for i, step in enumerate(route.steps, 1):
        para(f"{i}. {step.title}", 11, "B", 0.5)
        para(f"{_provider(catalogue, step.provider_id)} | {_date(step.start)} to {_date(step.end)} | "
             f"{_step_cost(step, route.currency)} | {_num(step.ects)} ECTS | {_num(step.hours)} hours", gap=0.5)
        for line in _step_lines(step, catalogue):
            para(line, 9, gap=0.5)
        pdf.ln(2)
    if recommendation.diagnoses:
        para("Notes from the planner", 13, "B")
        for d in recommendation.diagnoses:
            para(f"- {d.message}", gap=0.5)
    if notes.strip():
        para("Advisor's notes", 13, "B")
        para(notes.strip())
    return bytes(pdf.output())
