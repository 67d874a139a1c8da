"""Labour-market figures for a catalogue's roles, from a CSV of occupation code → figures.

``planner import labour-market FILE.csv --into DIR`` reads rows of

    code,openings,median_wage,currency,period,source,as_of[,url]

where ``code`` is an ESCO occupation URI, an ISCO-08 code (1–4 digits), a SOC code
(``15-2051``) or an O*NET-SOC code (``15-2051.01``). Each role of the catalogue folder takes
the figures of the most specific row that names it: its ESCO URI, else its SOC code (an
O*NET code ``NN-NNNN.00`` is the SOC occupation itself), else its ISCO code. The figures
are written as the role's ``outlook`` in the YAML file that holds it: only the ``outlook``
line changes (comments and layout stay), the whole folder is validated with the change
before anything is written, and the files are replaced atomically. A figure the row leaves
empty stays missing; a role no row names is left as it is; a role that already has an
outlook is only changed with ``force``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from planner._errors import Problem
from planner.catalogue.inputs import CsvRow, read_csv_file
from planner.catalogue.models import Outlook, Role

__all__ = ["COLUMNS", "CodeKind", "Figures", "OutlookImport", "code_kind", "edited_files", "import_labour_market",
           "match_roles", "outlook_line", "read_figures", "summary"]

#: Columns of the CSV (``code``, ``source`` and ``as_of`` are required).
COLUMNS = ("code", "openings", "median_wage", "currency", "period", "source", "as_of", "url")
_REQUIRED = ("code", "source", "as_of")
_PERIODS = {"hour": "hour", "hourly": "hour", "week": "week", "weekly": "week", "month": "month",
            "monthly": "month", "year": "year", "yearly": "year", "annual": "year", "annually": "year"}

CodeKind = Literal["esco", "isco", "soc", "onet"]
#: How specific a match is: a role takes the figures of its most specific code.
_RANK = {"esco": 0, "onet": 1, "soc": 1, "isco": 2}


def code_kind(code: str) -> CodeKind | None:
    """What kind of occupation code ``code`` is (None: not one the import knows).

    ESCO: an ``http(s)://`` URI; ISCO-08: 1–4 digits; SOC: ``NN-NNNN``; O*NET-SOC:
    ``NN-NNNN.NN``.
    """
    if re.fullmatch(r"https?://\S+", code):
        return "esco"
    if re.fullmatch(r"[0-9]{1,4}", code):
        return "isco"
    if re.fullmatch(r"[0-9]{2}-[0-9]{4}", code):
        return "soc"
    if re.fullmatch(r"[0-9]{2}-[0-9]{4}\.[0-9]{2}", code):
        return "onet"
    return None


@dataclass(frozen=True)
class Figures:
    """One row of the CSV: where it is, its code, and the outlook it gives."""

    line: int
    code: str
    kind: CodeKind
    outlook: Outlook


def _number(text: str, what: str, *, whole: bool) -> float | int | None:
    if not text:
        return None
    cleaned = text.replace(",", "").replace("_", "").replace(" ", "")
    try:
        return int(cleaned) if whole else float(cleaned)
    except ValueError:
        raise ValueError(f"{what} {text[:40]!r} is not {'a whole number' if whole else 'a number'}") from None


def _figures(row: CsvRow) -> Outlook:
    c = row.cells
    wage = _number(c.get("median_wage", ""), "median_wage", whole=False)
    median = None
    if wage is not None:
        period = _PERIODS.get(c.get("period", "").lower())
        if period is None:
            raise ValueError(f"period {c.get('period', '')[:20]!r}: one of hour, week, month, year")
        median = {"amount": wage, "currency": c.get("currency", "").upper(), "period": period}
    try:
        as_of = dt.date.fromisoformat(c.get("as_of", ""))
    except ValueError:
        raise ValueError(f"as_of {c.get('as_of', '')[:40]!r} is not a date like 2025-05-31") from None
    return Outlook.model_validate({
        "openings": _number(c.get("openings", ""), "openings", whole=True), "median_wage": median,
        "source": c.get("source") or None, "as_of": as_of, "code": c["code"], "url": c.get("url") or None,
    })


def read_figures(path: str | Path) -> tuple[list[Figures], list[Problem]]:
    """Read the CSV: every row's figures, and a located problem for every bad row.

    Raises
    ------
    planner.catalogue.inputs.InputError
        When the file itself cannot be read (size, encoding, quoting, missing columns).
    """
    label = str(path)
    header, rows = read_csv_file(path, required=_REQUIRED)
    problems = [Problem(label, 1, None, col, f"unknown column {col!r} is ignored; columns are "
                        + ", ".join(COLUMNS), "warning") for col in header if col and col not in COLUMNS]
    out: list[Figures] = []
    for row in rows:
        kind = code_kind(row.cells.get("code", ""))
        if kind is None:
            problems.append(Problem(label, row.line, None, "code", f"{row.cells.get('code', '')[:80]!r} is not an "
                                    "ESCO occupation URI, an ISCO code, a SOC code or an O*NET-SOC code"))
            continue
        try:
            out.append(Figures(row.line, row.cells["code"], kind, _figures(row)))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "row"
                problems.append(Problem(label, row.line, None, where, str(err["msg"]).removeprefix("Value error, ")))
        except ValueError as exc:
            problems.append(Problem(label, row.line, None, "", str(exc)))
    return out, problems


def _codes(role: Role) -> dict[CodeKind, set[str]]:
    soc = {role.soc_code} if role.soc_code else set()
    if role.soc_code and "." not in role.soc_code:
        soc.add(f"{role.soc_code}.00")  # an O*NET-SOC ".00" code is the SOC occupation itself
    if role.soc_code and role.soc_code.endswith(".00"):
        soc.add(role.soc_code[:-3])
    return {"esco": {role.esco_uri} if role.esco_uri else set(), "soc": soc, "onet": soc,
            "isco": {role.isco_code} if role.isco_code else set()}


def match_roles(roles: Sequence[Role], figures: Sequence[Figures], *,
                file: str) -> tuple[dict[str, Figures], list[Problem]]:
    """Each role's figures (the most specific row naming it), and problems: ambiguous roles, unused rows."""
    problems: list[Problem] = []
    chosen: dict[str, Figures] = {}
    used: set[int] = set()
    for role in roles:
        codes = _codes(role)
        named = [f for f in figures if f.code in codes[f.kind]]
        if not named:
            continue
        best = min(_RANK[f.kind] for f in named)
        top = [f for f in named if _RANK[f.kind] == best]
        if len(top) > 1:
            lines = ", ".join(str(f.line) for f in top)
            problems.append(Problem(file, top[1].line, None, "code", f"role {role.id} is named by several rows "
                                    f"of the same kind (lines {lines}); keep one"))
            continue
        chosen[role.id] = top[0]
        used.add(top[0].line)
    for f in figures:
        if f.line not in used and not any(f.line == c.line for c in chosen.values()):
            problems.append(Problem(file, f.line, None, "code", f"no role of the catalogue has {f.kind.upper()} "
                                    f"code {f.code}, or a more specific row named it; the row is not used", "warning"))
    return chosen, problems


# --------------------------------------------------------------------------- editing the YAML


def _deepest_end(node: yaml.Node) -> int:
    """Index just after the last character of ``node``'s content (descending into block collections)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark.index


def _line_end(text: str, index: int) -> int:
    """Start of the line after the one ``index`` ends in (the end of text when none)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _flow(outlook: Outlook) -> str:
    data = outlook.model_dump(mode="json", exclude_none=True)
    data["as_of"] = outlook.as_of  # a YAML date, not a string
    return yaml.safe_dump(data, default_flow_style=True, sort_keys=False, width=1_000_000,
                          allow_unicode=True).strip()


def _edit(text: str, node: yaml.MappingNode, outlook: Outlook) -> tuple[int, int, str]:
    """The (start, end, replacement) that sets ``outlook`` on one role's mapping node."""
    flow = _flow(outlook)
    existing = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "outlook"), None)
    if node.flow_style:
        if existing is not None:
            return existing[0].start_mark.index, existing[1].end_mark.index, f"outlook: {flow}"
        close = node.end_mark.index - 1  # the closing brace
        return close, close, f", outlook: {flow}"
    indent = " " * node.value[0][0].start_mark.column
    if existing is not None:
        start = existing[0].start_mark.index
        end = _line_end(text, _deepest_end(existing[1]))
        return start, end, f"outlook: {flow}\n"
    at = _line_end(text, _deepest_end(node))
    return at, at, ("" if at == 0 or text[at - 1] == "\n" else "\n") + f"{indent}outlook: {flow}\n"


def _role_nodes(text: str) -> dict[str, yaml.MappingNode]:
    """Role id → its mapping node in one catalogue file (files without roles give none)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return {}
    out: dict[str, yaml.MappingNode] = {}
    for key, value in root.value:
        if key.value == "roles" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.MappingNode):
                    ident = next((v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)),
                                 None)
                    if ident:
                        out[ident] = item
    return out


def edited_files(files: Mapping[str, str], outlooks: Mapping[str, Outlook]) -> dict[str, str]:
    """The catalogue files whose roles take new outlooks, with each role's ``outlook`` set in place.

    Parameters
    ----------
    files : mapping of str to str
        File name → text, as read (already validated as a catalogue).
    outlooks : mapping of str to Outlook
        Role id → its outlook.

    Returns
    -------
    dict of str to str
        Only the files that change.
    """
    out: dict[str, str] = {}
    for name, text in files.items():
        nodes = _role_nodes(text)
        edits = [_edit(text, nodes[r], o) for r, o in outlooks.items() if r in nodes]
        if not edits:
            continue
        for start, end, new in sorted(edits, reverse=True):  # from the end, so earlier offsets hold
            text = text[:start] + new + text[end:]
        out[name] = text
    return out


# --------------------------------------------------------------------------- the import


@dataclass(frozen=True)
class OutlookImport:
    """What an import did (or would do): roles updated per file, and every problem found."""

    updated: dict[str, tuple[str, ...]]  # file → role ids
    problems: tuple[Problem, ...]
    written: bool

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that stopped the import."""
        return tuple(p for p in self.problems if p.severity == "error")


def import_labour_market(csv_path: str | Path, folder: str | Path, *, force: bool = False) -> OutlookImport:
    """Read the figures, match them to the folder's roles, write the outlooks (see the module docstring).

    Parameters
    ----------
    csv_path : str or Path
        The CSV of occupation code → figures.
    folder : str or Path
        The catalogue folder (validated first; it must have no errors).
    force : bool
        Replace outlooks roles already have.

    Returns
    -------
    OutlookImport
        Nothing is written when there is any error.

    Raises
    ------
    planner.catalogue.inputs.InputError
        When the CSV cannot be read at all.
    """
    from planner.catalogue.loader import catalogue_files, validate_texts
    from planner.outputs.writes import write_files_atomic

    root = Path(folder)
    figures, problems = read_figures(csv_path)
    sources, read_problems = catalogue_files(root)
    problems += read_problems
    texts = {name: data.decode("utf-8-sig") for name, data in sources}
    report = validate_texts(dict(sources))
    if report.catalogue is None:
        return OutlookImport({}, (*problems, *report.errors), False)
    chosen, matching = match_roles(report.catalogue.roles, figures, file=str(csv_path))
    problems += matching
    kept = [r for r in report.catalogue.roles if r.id in chosen and r.outlook is not None
            and r.outlook != chosen[r.id].outlook]
    if kept and not force:
        problems.append(Problem(str(csv_path), None, None, "", "these roles already have labour-market figures: "
                                + ", ".join(r.id for r in kept) + "; give --force to replace them"))
    if any(p.severity == "error" for p in problems):
        return OutlookImport({}, tuple(problems), False)
    changed = edited_files(texts, {r: f.outlook for r, f in chosen.items()})
    check = validate_texts({**dict(sources), **{k: v.encode() for k, v in changed.items()}})
    if check.catalogue is None:  # a bug in the edit, never a half-written folder
        return OutlookImport({}, (*problems, *check.errors), False)
    write_files_atomic([(Path(name), text) for name, text in changed.items()])
    updated = {name: tuple(sorted(r for r in chosen if r in _role_nodes(texts[name]))) for name in changed}
    return OutlookImport(updated, tuple(problems), True)


def summary(result: OutlookImport) -> list[str]:
    """Lines for a person: roles updated per file."""
    return [f"{name}: outlook of {len(roles)} role{'s' * (len(roles) != 1)} set ({', '.join(roles)})"
            for name, roles in result.updated.items()]


def outlook_line(outlook: Outlook) -> str:
    """An outlook in words: openings, median wage, source and date (only the figures it has)."""
    parts: list[Any] = []
    if outlook.openings is not None:
        parts.append(f"{outlook.openings:,} openings")
    if outlook.median_wage is not None:
        parts.append(f"median wage {outlook.median_wage}")
    return "; ".join(parts) + f" ({outlook.source}, {outlook.as_of.isoformat()})"
