"""O*NET import: occupations and their technology skills → roles and competencies.

Reads the tab-separated files of the O*NET database text release, recognised by their
header row:

* ``Occupation Data.txt`` (``O*NET-SOC Code``, ``Title``, ``Description``) → roles with
  ``soc_code``;
* ``Technology Skills.txt`` (``Example``, ``Commodity Code``, ``Commodity Title``,
  ``Hot Technology``, ``In Demand``) → competencies (framework ``onet``) and the roles'
  needs;
* ``Related Occupations.txt`` (optional) → a "related occupations" note in the role
  description.

A technology that is *In Demand* for an occupation (frequent in its job postings) is an
essential need; the others are optional. The *Hot Technology* and *In Demand* flags are
kept in the competency description. Occupations are imported only when selected by
O*NET-SOC code (``15-1252.00``), code prefix (``15-1252``, ``15-``) or title, or with
``all_occupations=True``.

O*NET 29.2 Database by the U.S. Department of Labor, Employment and Training
Administration (USDOL/ETA), used under the CC BY 4.0 license.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from planner.catalogue.inputs import InputError, read_text
from planner.interop._result import (
    ImportProblem,
    ImportResult,
    empty_catalogue,
    from_input_error,
    select_occupations,
)
from planner.interop.esco import SHORT_MAX, TEXT_MAX, IdAllocator, clip

__all__ = ["import_files", "technology_id"]

_SOC_PREFIX_RE = re.compile(r"^[0-9]{2}-")
_SOC_RE = re.compile(r"^[0-9]{2}-[0-9]{4}(\.[0-9]{2})?$")


def technology_id(example: str) -> str:
    """Return the preferred competency id of an O*NET technology example (``onet-python``).

    ``+`` and ``#`` are spelled out so that C, C++ and C# get different ids.
    """
    text = example.replace("++", " plus plus ").replace("+", " plus ").replace("#", " sharp ")
    return "onet-" + text


@dataclass
class _Occupation:
    code: str
    title: str
    description: str
    where: tuple[str, int]


@dataclass
class _Tech:
    example: str
    commodity_code: str
    commodity_title: str
    hot: bool = False
    in_demand_for: set[str] = field(default_factory=set)


@dataclass
class _Data:
    occupations: dict[str, _Occupation] = field(default_factory=dict)
    # occupation code -> {example: (in_demand, hot)}
    tech_of: dict[str, dict[str, tuple[bool, bool]]] = field(default_factory=dict)
    techs: dict[str, _Tech] = field(default_factory=dict)
    related: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    has_tech_file: bool = False
    problems: list[ImportProblem] = field(default_factory=list)


def _rows(path: Path, problems: list[ImportProblem]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    file = str(path)
    try:  # size cap, regular files only, gzip unpacked within the expansion cap
        text = read_text(path, name=file)
    except InputError as exc:
        problems.extend(from_input_error(exc))
        return [], []
    # O*NET text files are tab-separated without quoting.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        lines = list(reader)
    except csv.Error as exc:
        problems.append(
            ImportProblem(file, reader.line_num or None, "", f"not a tab-separated O*NET file: {exc}")
        )
        return [], []
    if not lines:
        problems.append(ImportProblem(file, None, "", "the file is empty"))
        return [], []
    header = [h.strip() for h in lines[0]]
    rows = [(n, [v.strip() for v in values]) for n, values in enumerate(lines[1:], start=2) if any(values)]
    return header, rows


def _flag(value: str) -> bool:
    return value.strip().upper() in ("Y", "YES", "TRUE", "1")


def _read(path: Path, data: _Data) -> None:
    file = str(path)
    header, rows = _rows(path, data.problems)
    if not header:
        return
    col = {name: i for i, name in enumerate(header)}

    def bad(line: int, values: list[str], need: int) -> bool:
        if len(values) < need:
            data.problems.append(
                ImportProblem(
                    file,
                    line,
                    "",
                    f"row has {len(values)} fields, expected {need}; row skipped",
                    severity="warning",
                )
            )
            return True
        return False

    if {"O*NET-SOC Code", "Title", "Description"} <= col.keys():
        for line, values in rows:
            if bad(line, values, len(header)):
                continue
            code = values[col["O*NET-SOC Code"]]
            if not _SOC_RE.match(code):
                data.problems.append(
                    ImportProblem(file, line, "", f"'{code}' is not an O*NET-SOC code; row skipped")
                )
                continue
            data.occupations[code] = _Occupation(
                code, values[col["Title"]], values[col["Description"]], (file, line)
            )
    elif {"O*NET-SOC Code", "Example", "Commodity Code", "Commodity Title"} <= col.keys():
        data.has_tech_file = True
        for line, values in rows:
            if bad(line, values, len(header)):
                continue
            code, example = values[col["O*NET-SOC Code"]], values[col["Example"]]
            tech = data.techs.setdefault(
                example, _Tech(example, values[col["Commodity Code"]], values[col["Commodity Title"]])
            )
            hot = "Hot Technology" in col and _flag(values[col["Hot Technology"]])
            in_demand = "In Demand" in col and _flag(values[col["In Demand"]])
            tech.hot = tech.hot or hot
            if in_demand:
                tech.in_demand_for.add(code)
            current = data.tech_of.setdefault(code, {})
            was_in_demand, was_hot = current.get(example, (False, False))
            current[example] = (was_in_demand or in_demand, was_hot or hot)
    elif {"O*NET-SOC Code", "Related O*NET-SOC Code", "Relatedness Tier"} <= col.keys():
        for line, values in rows:
            if bad(line, values, len(header)):
                continue
            index = values[col["Index"]] if "Index" in col else ""
            data.related.setdefault(values[col["O*NET-SOC Code"]], []).append(
                (
                    values[col["Related O*NET-SOC Code"]],
                    values[col["Relatedness Tier"]],
                    int(index) if index.isdigit() else 999,
                )
            )
    else:
        data.problems.append(
            ImportProblem(
                file,
                1,
                "",
                "not an O*NET file this importer knows: expected Occupation Data, Technology Skills "
                f"or Related Occupations columns (found {', '.join(header[:5])})",
            )
        )


def _matches(occ: _Occupation, wanted: str) -> bool:
    if _SOC_PREFIX_RE.match(wanted):
        return occ.code.startswith(wanted)
    return occ.title.lower() == wanted.lower()


def _select(
    data: _Data, select: Sequence[str] | None, all_occupations: bool, problems: list[ImportProblem]
) -> list[_Occupation]:
    occupations = sorted(data.occupations.values(), key=lambda o: o.code)
    return select_occupations(occupations, select, all_occupations, problems, matches=_matches,
                              key=lambda o: o.code, how="by O*NET-SOC code, code prefix or title")


def _tech_description(tech: _Tech) -> str:
    parts = [f"{tech.commodity_title} (UNSPSC {tech.commodity_code})."]
    if tech.hot:
        parts.append("Hot Technology.")
    if tech.in_demand_for:
        parts.append(f"In Demand for {len(tech.in_demand_for)} occupation(s) read.")
    return " ".join(parts)


# --------------------------------------------------------------------------- roles


@dataclass
class _Technologies:
    """The catalogue competencies made so far, one per technology example, with deterministic ids."""

    ids: IdAllocator = field(default_factory=IdAllocator)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, tech: _Tech) -> str:
        """The competency id of ``tech``, the competency made on first use."""
        cid = self.ids.get(tech.example)
        if cid is None:
            cid = self.ids.allocate(tech.example, technology_id(tech.example))
            self.items[cid] = {
                "id": cid,
                "label": clip(tech.example, SHORT_MAX) or cid,
                "framework": "onet",
                "type": "skill",
                "description": _tech_description(tech),
            }
        return cid


def _essential_mode(essential: str, techs: dict[str, tuple[bool, bool]]) -> str:
    """Which of an occupation's technologies are essential, so that every role has an essential need.

    An occupation without any In Demand technology would have no essential need (a role
    anyone meets): ``in_demand`` falls back to its Hot Technologies, then to all.
    """
    if essential == "in_demand" and not any(d for d, _ in techs.values()):
        return "hot_or_in_demand" if any(h for _, h in techs.values()) else "all"
    return essential


def _needs(
    techs: dict[str, tuple[bool, bool]],
    data: _Data,
    technologies: _Technologies,
    mode: str,
    levels: tuple[int, int],
) -> list[dict[str, Any]]:
    """An occupation's needs, essential first, at the (essential, optional) levels."""
    essential_level, optional_level = levels
    needs = []
    for example, (in_demand, hot) in techs.items():
        cid = technologies.add(data.techs[example])
        is_essential = mode == "all" or in_demand or (mode == "hot_or_in_demand" and hot)
        needs.append(
            {
                "competency": cid,
                "level": essential_level if is_essential else optional_level,
                "essential": is_essential,
            }
        )
    needs.sort(key=lambda n: (not n["essential"], n["competency"]))
    return needs


def _role_description(occ: _Occupation, data: _Data, related: bool) -> str:
    """The occupation's description, with its primary related occupations after it when asked."""
    description = occ.description
    if related and data.related.get(occ.code):
        names = [
            f"{data.occupations[c].title} ({c})" if c in data.occupations else c
            for c, tier, _ in sorted(data.related[occ.code], key=lambda r: r[2])
            if tier.startswith("Primary")
        ]
        if names:
            description = f"{description}\nRelated occupations: {'; '.join(names)}."
    return description


def _role(occ: _Occupation, needs: list[dict[str, Any]], role_id: str, description: str) -> dict[str, Any]:
    """The catalogue role of an occupation."""
    role: dict[str, Any] = {"id": role_id, "title": clip(occ.title, SHORT_MAX), "soc_code": occ.code}
    if clip(description):
        role["description"] = clip(description, TEXT_MAX)
    role["needs"] = needs
    return role


def _report_skipped(skipped: list[_Occupation], problems: list[ImportProblem]) -> None:
    """A warning for each of the first five occupations without technologies, one for the rest."""
    for occ in skipped[:5]:
        problems.append(
            ImportProblem(
                occ.where[0],
                occ.where[1],
                "",
                f"occupation {occ.code} '{occ.title}' has no technology skills; not imported as a role",
                severity="warning",
            )
        )
    if len(skipped) > 5:
        problems.append(
            ImportProblem(
                "",
                None,
                "",
                f"{len(skipped) - 5} more occupations without technology skills were skipped",
                severity="warning",
            )
        )


# --------------------------------------------------------------------------- public


def import_files(
    paths: Sequence[Path],
    *,
    select: Sequence[str] | None = None,
    all_occupations: bool = False,
    essential: Literal["in_demand", "hot_or_in_demand", "all"] = "in_demand",
    essential_level: int = 2,
    optional_level: int = 1,
    related: bool = True,
) -> ImportResult:
    """Import O*NET occupations and technology skills as roles and competencies.

    Parameters
    ----------
    paths : sequence of Path
        ``Occupation Data.txt``, ``Technology Skills.txt`` and optionally
        ``Related Occupations.txt``.
    select : sequence of str, optional
        O*NET-SOC codes (``15-1252.00``), prefixes (``15-1252``, ``15-``) or titles.
    all_occupations : bool, optional
        Import every occupation (about a thousand).
    essential : {"in_demand", "hot_or_in_demand", "all"}, optional
        Which technologies are essential needs: those *In Demand* for the occupation
        (default), those also flagged *Hot Technology*, or all. With ``in_demand``, an
        occupation that has no In Demand technology needs its Hot Technologies (or, when
        it has none, all of them), so that no role is met by anyone.
    essential_level, optional_level : int, optional
        Levels of essential (default 2) and optional (default 1) needs.
    related : bool, optional
        Add the primary related occupations to the role description when the related
        occupations file is given.

    Returns
    -------
    ImportResult
        ``competencies`` (technologies the selected roles use) and ``roles``.

    """
    data = _Data()
    for path in paths:
        _read(Path(path), data)
    problems = list(data.problems)
    chosen = _select(data, select, all_occupations, problems)
    if chosen and not data.has_tech_file:
        problems.append(
            ImportProblem(
                "",
                None,
                "",
                "occupations were selected but Technology Skills.txt was not given, "
                "so the roles have no needs",
            )
        )

    technologies = _Technologies()
    roles: list[dict[str, Any]] = []
    role_ids = IdAllocator()
    skipped: list[_Occupation] = []
    for occ in chosen:
        techs = data.tech_of.get(occ.code) or {}
        if not techs:
            skipped.append(occ)
            continue
        needs = _needs(techs, data, technologies, _essential_mode(essential, techs), (essential_level, optional_level))
        roles.append(_role(occ, needs, role_ids.allocate(occ.code, occ.title), _role_description(occ, data, related)))
    _report_skipped(skipped, problems)

    catalogue = empty_catalogue()
    catalogue["competencies"] = sorted(technologies.items.values(), key=lambda c: c["id"])
    catalogue["roles"] = sorted(roles, key=lambda r: r["id"])
    names = ", ".join(Path(p).name for p in paths)
    return ImportResult(catalogue, None, tuple(problems), f"onet: {names}")
