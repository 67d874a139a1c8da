"""The learner's handout of one route, as Markdown or PDF.

One list of blocks (:func:`handout_blocks`) holds what the handout says: the target, the
learner's holdings and competencies, their constraints, the chosen route (summary, a table
of steps, and why each step is there, once), the what-if scenarios and their outcomes,
the planner's remarks and the advisor's notes. Titles and names are used throughout,
never catalogue ids. :func:`route_to_markdown` and :func:`route_to_pdf` only lay it out.

Catalogue text is data, never markup: it is escaped in Markdown. The PDF uses a Unicode
TrueType font (DejaVu Sans, Debian's ``fonts-dejavu-core``) when installed, so "€" and
accents survive; without it, the built-in Helvetica shows close Latin-1 equivalents
(:func:`pdf_safe`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from planner.catalogue.models import Catalogue, Target
from planner.engine.results import Recommendation, Route, Step
from planner.engine.whatif import WhatIfResult
from planner.outputs import textsafe
from planner.outputs.dates import day, real_start
from planner.outputs.textsafe import markdown as _md
from planner.verify.words import COUNTS

__all__ = ["UNICODE_FONT_DIRS", "Block", "handout_blocks", "pdf_safe", "route_to_markdown", "route_to_pdf",
           "unicode_font"]

#: Where a Unicode TrueType font for the PDF is looked for (Debian's fonts-dejavu-core first).
UNICODE_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts/truetype/dejavu"))
_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class Block:
    """One piece of the handout: a heading, a paragraph, a list item, a table, or the notes verbatim."""

    kind: Literal["title", "heading", "subheading", "para", "item", "table", "verbatim"]
    text: str = ""
    label: str = ""  # an item's name ("Total cost"), shown before its text
    rows: tuple[tuple[str, ...], ...] = ()  # a table's header first


# --------------------------------------------------------------------------- words


def _credential(catalogue: Catalogue, cid: str) -> str:
    return catalogue.credential(cid).title if catalogue.has("credential", cid) else cid


def _provider(catalogue: Catalogue, pid: str) -> str:
    return catalogue.provider(pid).name if catalogue.has("provider", pid) else pid


def _competency(catalogue: Catalogue, cid: str) -> str:
    return catalogue.competency(cid).label if catalogue.has("competency", cid) else cid


def _target_title(target: Target, catalogue: Catalogue) -> str:
    if target.kind == "role" and target.id and catalogue.has("role", target.id):
        return catalogue.role(target.id).title
    if target.kind == "award" and target.id and catalogue.has("credential", target.id):
        return catalogue.credential(target.id).title
    if target.kind == "competencies":
        return ", ".join(f"{_competency(catalogue, c.competency)} (level {c.level})" for c in target.competencies)
    return target.id or str(target)


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}".replace(".00 ", " ")


def _num(x: float) -> str:
    return f"{x:,.1f}".rstrip("0").rstrip(".")


def _date(when: dt.date | None) -> str:
    return day(when)  # the one display format: "27 Aug 2027"


def _step_cost(step: Step, currency: str) -> str:
    text = _money(step.cost, currency)
    if step.cost_currency and step.cost_currency != currency:
        text += f" ({_money(step.cost_amount, step.cost_currency)})"
    if step.cost_note:  # which of several published prices (per audience) this is
        text += f"; {step.cost_note}"
    return text


def _why(step: Step, catalogue: Catalogue) -> list[str]:
    """Why a step is there, said once: the engine's explanation, else its parts in words."""
    if step.explanation:
        return [step.explanation]
    out = []
    if step.serves:
        out.append("Serves: " + "; ".join(step.serves) + ".")
    if step.unlocks:
        out.append("Unlocks: " + ", ".join(_credential(catalogue, c) for c in step.unlocks) + ".")
    if step.completes:
        out.append("Completes: " + ", ".join(_credential(catalogue, c) for c in step.completes) + ".")
    return out or ["Part of the route."]


def _learner(recommendation: Recommendation, catalogue: Catalogue) -> list[Block]:
    profile = recommendation.profile
    # verified from a signed credential (planner.verify), or self-declared: the learner's or advisor's word
    items = [f"Holds {_credential(catalogue, h.credential)} (earned {_date(h.earned)}, {COUNTS[h.verification]})."
             for h in profile.holdings]
    items += [f"Knows {_competency(catalogue, c.competency)} at level {c.level}." for c in profile.competencies]
    return [Block("item", t) for t in items] or [Block("para", "No credentials or competencies declared.")]


def _constraints(recommendation: Recommendation, catalogue: Catalogue) -> list[Block]:
    c = recommendation.profile.constraints
    rows = [
        ("Budget", str(c.budget) if c.budget else "no limit"),
        ("Weekly study hours", f"at most {_num(c.hours_per_week)}" if c.hours_per_week else "no limit"),
        ("Start", _date(c.start) if c.start else "as soon as possible"),
        ("Finish by", _date(c.deadline) if c.deadline else "no deadline"),
        ("Modes", ", ".join(str(m) for m in c.modes) or "any"),
        ("Languages", ", ".join(c.languages) or "any"),
        ("Countries", ", ".join(c.countries) or "any"),
    ]
    if c.avoid_providers:
        rows.append(("Avoiding providers", ", ".join(_provider(catalogue, p) for p in c.avoid_providers)))
    if c.avoid_credentials:
        rows.append(("Avoiding", ", ".join(_credential(catalogue, x) for x in c.avoid_credentials)))
    rows.append(("Optimising for", f"{recommendation.objective.value}"))
    return [Block("item", value, label) for label, value in rows]


def _summary(recommendation: Recommendation, route: Route, catalogue: Catalogue, label: str) -> list[Block]:
    proof = "proved optimal" if route.proved_optimal else "best found (optimality not proved)"
    of = f"{route.rank} of {len(recommendation.routes)}" if route in recommendation.routes else "from the trade-off"
    rows = [
        ("Chosen", f"{label} ({of}), best for {route.objective.value} ({proof})"),
        ("Total cost", _money(route.total_cost, route.currency)),
        ("Study hours", _num(route.total_hours)),
        ("Credit", f"{_num(route.total_ects)} ECTS"),
        ("Dates", f"{_date(route.start)} to {_date(route.finish)} ({route.duration_text})"
         if not route.duration_unknown else f"from {_date(route.start)} ({route.duration_text})"),
    ]
    if route.awards_completed:
        rows.append(("Awards completed", ", ".join(_credential(catalogue, a) for a in route.awards_completed)))
    if route.credit_towards is not None:
        rows.append(("Credit towards the award", f"{_num(route.credit_towards)} ECTS"))
    return [Block("item", v, k) for k, v in rows]


def _what_if(result: WhatIfResult, chosen: Route, catalogue: Catalogue) -> list[Block]:
    out = [Block("subheading", f"{result.what_if.name}: {result.description}")]
    best = result.recommendation.best
    if best is None:
        out.append(Block("para", "No route reaches the target under this scenario."))
        out += [Block("item", d.message) for d in result.recommendation.diagnoses]
        return out
    out.append(Block("para", f"Best route: {_money(best.total_cost, best.currency)}, {best.weeks} weeks "
                             f"(finish {_date(best.finish)}), {_num(best.total_ects)} ECTS."))
    added = [c for c in best.credential_ids if c not in chosen.credential_ids]
    dropped = [c for c in chosen.credential_ids if c not in best.credential_ids]
    if added:
        out.append(Block("item", ", ".join(_credential(catalogue, c) for c in added), "Instead takes"))
    if dropped:
        out.append(Block("item", ", ".join(_credential(catalogue, c) for c in dropped), "Leaves out"))
    if not added and not dropped:
        out.append(Block("item", "The same credentials as the chosen route."))
    return out


def handout_blocks(recommendation: Recommendation, route: Route, catalogue: Catalogue, *, notes: str = "",
                   what_ifs: Sequence[WhatIfResult] = (), label: str | None = None) -> list[Block]:
    """What the handout of ``route`` says, in order; the renderers only lay it out.

    Parameters
    ----------
    recommendation
        The answer the route comes from (target, learner, constraints, ranking).
    route
        The chosen route: one of ``recommendation.routes``, or another (a point of the
        cost × time trade-off).
    catalogue
        For titles and names.
    notes
        The advisor's notes, kept as written.
    what_ifs
        What-if scenarios with the routes found for them.
    label
        The route's name as the app shows it (default ``"Route <rank>"``).

    Returns
    -------
    list of Block
    """
    target = recommendation.target
    label = label or f"Route {route.rank}"
    out = [Block("title", f"Learning plan: {_target_title(target, catalogue)}")]
    if recommendation.profile.name:
        out.append(Block("para", f"For {recommendation.profile.name}."))
    out.append(Block("para", f"Target: {target.kind} · {_target_title(target, catalogue)}"))
    out += [Block("heading", "The learner"), *_learner(recommendation, catalogue)]
    out += [Block("heading", "Constraints"), *_constraints(recommendation, catalogue)]
    out += [Block("heading", f"Summary: {label}"), *_summary(recommendation, route, catalogue, label)]
    out += [Block("heading", "Steps"), Block("table", rows=(
        ("#", "Credential", "Provider", "Start", "End", "Cost", "ECTS", "Hours"),
        *((str(i), s.title, _provider(catalogue, s.provider_id),
           _date(real_start(s.credential_id, s.start, catalogue) if s.start else None), _date(s.end),
           _step_cost(s, route.currency), _num(s.ects), _num(s.hours)) for i, s in enumerate(route.steps, 1)),
    ))]
    out.append(Block("heading", "Why each step"))
    for i, step in enumerate(route.steps, 1):
        out.append(Block("subheading", f"{i}. {step.title}"))
        out += [Block("item", line) for line in _why(step, catalogue)]
    if what_ifs:
        out.append(Block("heading", "What if"))
        for result in what_ifs:
            out += _what_if(result, route, catalogue)
    if recommendation.diagnoses:
        out += [Block("heading", "Notes from the planner"), *(Block("item", d.message)
                                                                for d in recommendation.diagnoses)]
    if notes.strip():
        out += [Block("heading", "Advisor's notes"), Block("verbatim", notes.strip())]
    return out


# --------------------------------------------------------------------------- Markdown

# _md is planner.outputs.textsafe.markdown, the one Markdown escaper: catalogue text shows as typed, on one line


def route_to_markdown(recommendation: Recommendation, route: Route, catalogue: Catalogue, *, notes: str = "",
                      what_ifs: Sequence[WhatIfResult] = (), label: str | None = None) -> str:
    """A Markdown handout of one route (parameters as for :func:`handout_blocks`).

    Returns
    -------
    str
        Markdown text; summary and constraint lines are ``- **Label:** value`` items.
    """
    out: list[str] = []
    for block in handout_blocks(recommendation, route, catalogue, notes=notes, what_ifs=what_ifs, label=label):
        if block.kind == "title":
            out += [f"# {_md(block.text)}", ""]
        elif block.kind == "heading":
            out += ["", f"## {_md(block.text)}", ""]
        elif block.kind == "subheading":
            out += ["", f"### {_md(block.text)}", ""]
        elif block.kind == "para":
            out += [_md(block.text), ""]
        elif block.kind == "item":
            out.append(f"- **{_md(block.label)}:** {_md(block.text)}" if block.label else f"- {_md(block.text)}")
        elif block.kind == "table":
            header, *rows = block.rows
            out += ["| " + " | ".join(header) + " |", "|---|---|---|---|---|---:|---:|---:|"]
            out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
        else:  # verbatim: the advisor's notes, their line breaks kept, markup shown as typed
            out += [_md(block.text, multiline=True), ""]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


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


def unicode_font(dirs: Sequence[Path] = UNICODE_FONT_DIRS) -> tuple[Path, Path] | None:
    """The regular and bold DejaVu Sans files, when installed (else ``None``)."""
    for folder in dirs:
        regular, bold = (folder / name for name in _FONT_FILES)
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def route_to_pdf(recommendation: Recommendation, route: Route, catalogue: Catalogue, *, notes: str = "",
                 what_ifs: Sequence[WhatIfResult] = (), label: str | None = None,
                 font: Literal["auto", "core"] = "auto") -> bytes:
    """A plain PDF handout of one route (the same content as the Markdown handout).

    Parameters
    ----------
    recommendation, route, catalogue, notes, what_ifs, label
        As for :func:`handout_blocks`.
    font
        ``"auto"``: DejaVu Sans when installed (every character kept), else Helvetica;
        ``"core"``: always Helvetica, with characters it cannot show replaced (:func:`pdf_safe`).

    Returns
    -------
    bytes
        The PDF document. Same input, same bytes.
    """
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # plain text content: small anyway, and searchable by tests
    # a fixed creation date keeps the output reproducible
    pdf.set_creation_date(dt.datetime.combine(route.start, dt.time(), tzinfo=dt.UTC))
    files = unicode_font() if font == "auto" else None
    if files:
        pdf.add_font("DejaVu", "", str(files[0]))
        pdf.add_font("DejaVu", "B", str(files[1]))
        family = "DejaVu"

        def clean(text: str) -> str:
            return textsafe.plain(text, multiline=True).replace("\t", "    ")
    else:
        family, clean = "Helvetica", pdf_safe
    pdf.set_title(clean(f"Learning plan: {_target_title(recommendation.target, catalogue)}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def para(text: str, size: float = 10, style: str = "", gap: float = 1.5, indent: float = 0) -> None:
        pdf.set_font(family, style=style, size=size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, size * 0.5, clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    for block in handout_blocks(recommendation, route, catalogue, notes=notes, what_ifs=what_ifs, label=label):
        if block.kind == "title":
            para(block.text, 16, "B", 3)
        elif block.kind == "heading":
            pdf.ln(2)
            para(block.text, 13, "B")
        elif block.kind == "subheading":
            para(block.text, 11, "B", 0.5)
        elif block.kind == "item":
            para(f"- {block.label}: {block.text}" if block.label else f"- {block.text}", gap=0.5, indent=2)
        elif block.kind == "table":
            _, *rows = block.rows
            for number, title, provider, start, end, cost, ects, hours in rows:
                para(f"{number}. {title}", 10, "B", 0.3)
                para(f"{provider} | {start} to {end} | {cost} | {ects} ECTS | {hours} hours", 9, gap=1, indent=4)
        else:
            para(block.text)
    return bytes(pdf.output())
