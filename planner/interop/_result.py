"""Shared protocol of the importers: results, located problems, JSON reading.

Every importer module in :mod:`planner.interop` exposes
``import_files(paths: Sequence[Path]) -> ImportResult``. The result holds catalogue
sections as plain dicts (the shape of a catalogue YAML file, valid for
:mod:`planner.catalogue.models`), an optional learner profile (learner records such as OB3 / CLR),
and every problem found, each located by file, line (when known) and JSON path.
Importers collect problems rather than stop at the first; :class:`InteropError` carries
them when nothing usable could be read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from planner.catalogue.models import LearnerProfile

if TYPE_CHECKING:
    from planner.catalogue.inputs import NamedBytes

T = TypeVar("T")

__all__ = [
    "COMPETENCY_URN",
    "SECTIONS",
    "UNKNOWN_PROVIDER",
    "ImportProblem",
    "ImportResult",
    "InteropError",
    "empty_catalogue",
    "from_input_error",
    "line_of",
    "merge_results",
    "read_json",
    "read_json_text",
    "select_occupations",
    "slug",
    "validate_catalogue",
]

#: Catalogue sections an import may fill, in the order they are written.
SECTIONS = ("providers", "competencies", "credentials", "roles", "recognitions")

#: URN of a catalogue competency in exports that need a URI for one without a web address
#: (the catalogue id follows the prefix; the CTDL importer reads it back as the id)
COMPETENCY_URN = "urn:x-planner:competency:"

#: The provider importers attribute credentials to when the data names no organisation.
#: Every importer uses this same item, so imports into one catalogue do not clash.
UNKNOWN_PROVIDER: dict[str, str] = {
    "id": "unknown-provider",
    "name": "Unknown provider (not stated in the imported data)",
    "country": "ZZ",
    "kind": "other",
}

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ImportProblem:
    """One problem found while importing, located as precisely as the input allows.

    Attributes
    ----------
    file : str
        The input file (as given), or ``""`` when the problem is not tied to one.
    line : int or None
        1-based line in ``file`` when known.
    pointer : str
        Where in the document: a JSON path such as ``$["@graph"][3]["ceterms:ctid"]``
        or a node id; ``""`` for the whole file.
    message : str
        Plain-language description.
    severity : {"error", "warning"}
        Errors mean data was lost or the file is unusable; warnings mean something was
        read approximately or ignored on purpose (for example CTDL grade constraints).
    column : int or None
        1-based column, for syntax errors.

    """

    file: str
    line: int | None
    pointer: str
    message: str
    severity: Severity = "error"
    column: int | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.pointer:
            parts.append(self.pointer)
        label = "" if self.severity == "error" else "warning: "
        return ": ".join(parts) + f": {label}{self.message}"


@dataclass(frozen=True)
class ImportResult:
    """What one import produced.

    Attributes
    ----------
    catalogue : dict
        Catalogue sections (``providers``, ``competencies``, ``credentials``, ``roles``,
        ``recognitions``) as lists of plain dicts valid for :mod:`planner.catalogue.models`.
    profile : LearnerProfile or None
        The learner profile, for learner records (OB3 / CLR).
    problems : tuple of ImportProblem
        Everything found, errors and warnings, in reading order.
    source : str
        A short description of what was imported (format and file names).
    origins : tuple of (str, str, str)
        For learner records: ``(file, JSON path, credential id)`` of each issued credential
        read, so that what is said of a credential in a file (its verification) reaches the
        holding it gave.

    """

    catalogue: dict
    profile: LearnerProfile | None = None
    problems: tuple[ImportProblem, ...] = ()
    source: str = ""
    origins: tuple[tuple[str, str, str], ...] = ()

    @property
    def errors(self) -> tuple[ImportProblem, ...]:
        """The problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[ImportProblem, ...]:
        """The problems of severity ``warning``."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not self.errors

    def count(self, section: str) -> int:
        """Count the items in a catalogue section (0 when absent)."""
        return len(self.catalogue.get(section) or [])


class InteropError(Exception):
    """Raised when an input cannot be imported or exported at all.

    Parameters
    ----------
    problems : iterable of ImportProblem or str
        The located problems; strings become file-less errors.

    """

    def __init__(self, problems: Iterable[ImportProblem | str]) -> None:
        items = tuple(
            p if isinstance(p, ImportProblem) else ImportProblem("", None, "", str(p)) for p in problems
        )
        self.problems: tuple[ImportProblem, ...] = items
        super().__init__("\n".join(str(p) for p in items) or "import failed")


def empty_catalogue() -> dict[str, list[dict[str, Any]]]:
    """Return a catalogue dict with every section present and empty."""
    return {name: [] for name in SECTIONS}


_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str, *, max_length: int = 80) -> str:
    """Make a catalogue id (``ID_PATTERN``) from any text, deterministically.

    Lower-cases, replaces runs of other characters by ``-`` and trims. Returns ``"x"``
    when nothing usable remains, so the result is always a valid id.
    """
    value = _SLUG_RE.sub("-", text.lower()).strip("-")[:max_length].strip("-")
    return value or "x"


def line_of(text: str, needle: str) -> int | None:
    """Return the 1-based line of the first occurrence of ``needle`` in ``text``, or None."""
    index = text.find(needle)
    if index < 0:
        return None
    return text.count("\n", 0, index) + 1


def read_json(path: str | Path | NamedBytes, *, tolerant: bool = False) -> tuple[Any, tuple[ImportProblem, ...]]:
    """Read a JSON file and report problems with their location instead of raising.

    Parameters
    ----------
    path : str or Path
        The file.
    tolerant : bool, optional
        When the file holds several JSON documents one after another (a common
        copy-paste accident), return them all as a list with a warning instead of an
        error. Without it, the first document is returned with an error.

    Returns
    -------
    tuple
        ``(data, problems)``. ``data`` is None when nothing could be read; problems carry
        ``file:line:column`` for syntax errors.

    """
    data, problems, _text = read_json_text(path, tolerant=tolerant)
    return data, problems


def read_json_text(path: str | Path | NamedBytes, *,
                   tolerant: bool = False) -> tuple[Any, tuple[ImportProblem, ...], str]:
    """Like :func:`read_json`, also returning the text read (``""`` when unreadable).

    The file is read once, through :mod:`planner.catalogue.inputs` (size cap, regular files only,
    nesting and number limits); importers use the text to find line numbers.
    """
    from planner.catalogue.inputs import InputError, parse_json, read_text

    file = str(path)
    try:
        text = read_text(path, name=file)
    except InputError as exc:
        return None, from_input_error(exc), ""
    if not text.strip():
        return None, (ImportProblem(file, None, "", "the file is empty"),), text
    try:
        documents = parse_json(text, file, multiple=True)
    except InputError as exc:
        return None, from_input_error(exc), text
    problems: list[ImportProblem] = []
    if len(documents) > 1:
        decoder = json.JSONDecoder()
        second = _second_start(text, decoder)
        line = text.count("\n", 0, second) + 1
        col = second - (text.rfind("\n", 0, second) + 1) + 1
        if tolerant:
            problems.insert(0, ImportProblem(
                file, line, "", f"{len(documents)} JSON documents one after another; each is read",
                severity="warning", column=col))
            return documents, tuple(problems), text
        problems.insert(0, ImportProblem(
            file, line, "", f"more than one JSON document in the file (another starts here); "
            f"found {len(documents)}, expected one", column=col))
    return documents[0], tuple(problems), text


def from_input_error(exc: Exception) -> tuple[ImportProblem, ...]:
    """Turn a :class:`planner.catalogue.inputs.InputError` into import problems (JSON messages made plain)."""
    out = []
    for p in getattr(exc, "problems", ()):
        message = p.message
        if message.startswith("invalid JSON: "):
            message = "invalid JSON: " + _plain(message.removeprefix("invalid JSON: "))
        out.append(ImportProblem(p.file, p.line, p.field, message, column=p.column))
    return tuple(out)


def _skip_ws(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _second_start(text: str, decoder: json.JSONDecoder) -> int:
    _, end = decoder.raw_decode(text, _skip_ws(text, 0))
    return _skip_ws(text, end)


_JSON_MESSAGES = {
    "Expecting ',' delimiter": "a ',' is missing between two items",
    "Expecting ':' delimiter": "a ':' is missing after a key",
    "Expecting property name enclosed in double quotes": (
        "expected a key in double quotes (a trailing comma, or a single-quoted key?)"
    ),
    "Expecting value": "expected a value (a stray comma or an unfinished document?)",
    "Unterminated string starting at": "a string is not closed",
    "Extra data": "unexpected text after the document",
}


def _plain(message: str) -> str:
    for key, plain in _JSON_MESSAGES.items():
        if message.startswith(key):
            return plain
    return message


def merge_results(results: Sequence[ImportResult], *, source: str = "") -> ImportResult:
    """Combine several results: sections concatenated, items with a repeated id dropped.

    The first occurrence of an id wins; a repeat with different content is reported as
    a warning so that nothing is lost silently.
    """
    catalogue = empty_catalogue()
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    problems: list[ImportProblem] = []
    profile = None
    for result in results:
        problems.extend(result.problems)
        profile = profile or result.profile
        for section in SECTIONS:
            for item in result.catalogue.get(section) or []:
                key = (section, str(item.get("id")))
                if key in seen:
                    if seen[key] != item:
                        problems.append(ImportProblem(
                            result.source, None, f"{section}/{key[1]}",
                            f"{section[:-1]} '{key[1]}' was imported twice with different content; "
                            "the first is kept", severity="warning"))
                    continue
                seen[key] = item
                catalogue[section].append(item)
    return ImportResult(catalogue, profile, tuple(problems), source or ", ".join(r.source for r in results))


def validate_catalogue(catalogue: dict, *, file: str = "") -> tuple[ImportProblem, ...]:
    """Check imported sections against :class:`planner.catalogue.models.Catalogue`.

    Returns located problems (pointer like ``credentials[3].ects``) rather than raising,
    so importers can attach them to their result.
    """
    from pydantic import ValidationError

    from planner.catalogue.models import Catalogue

    data = {k: v for k, v in catalogue.items() if k in (*SECTIONS, "meta") and v}
    try:
        Catalogue.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err.get("loc", ())
            pointer = ""
            for part in loc:
                pointer += f"[{part}]" if isinstance(part, int) else (f".{part}" if pointer else str(part))
            item_id = _item_id(data, loc)
            message = err.get("msg", "invalid value")
            if item_id:
                message = f"{message} (in '{item_id}')"
            problems.append(ImportProblem(file, None, pointer, message))
        return tuple(problems)
    return ()


def _item_id(data: dict, loc: tuple) -> str | None:
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        items = data.get(loc[0]) or []
        if loc[1] < len(items) and isinstance(items[loc[1]], dict):
            value = items[loc[1]].get("id")
            return str(value) if value is not None else None
    return None



def as_list(value: Any) -> list[Any]:
    """A JSON value as a list: ``None`` → ``[]``, a single value → ``[value]``."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_date(value: Any) -> dt.date | None:
    """The date of an ISO 8601 date or date-time string (``Z`` accepted); None when unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None


def select_occupations(
    occupations: Sequence[T],
    select: Sequence[str] | None,
    all_occupations: bool,
    problems: list[ImportProblem],
    *,
    matches: Callable[[T, str], bool],
    key: Callable[[T], str],
    how: str,
) -> list[T]:
    """The occupations a user asked to import as roles, in the order given.

    Parameters
    ----------
    occupations : sequence
        Every occupation read, in output order.
    select : sequence of str or None
        What the user asked for; each entry is tested with ``matches``.
    all_occupations : bool
        Import every occupation.
    problems : list of ImportProblem
        Receives a warning when nothing was selected or an entry matches nothing.
    matches, key : callables
        Whether an occupation answers an entry; an occupation's identity (no duplicates).
    how : str
        How occupations can be named, for the warning ("by ESCO URI, ISCO group or label").

    Returns
    -------
    list
        The selected occupations, without duplicates, in the order of ``occupations``.
    """
    if all_occupations:
        return list(occupations)
    if not select:
        if occupations:
            problems.append(ImportProblem(
                "", None, "",
                f"{len(occupations)} occupations found but none selected, so no roles were imported; "
                f"select occupations {how}, or import all of them",
                severity="warning",
            ))
        return []
    wanted_keys: set[str] = set()
    for item in select:
        wanted = item.strip()
        hits = [o for o in occupations if matches(o, wanted)]
        if not hits:
            problems.append(ImportProblem("", None, "", f"no occupation matches '{wanted}'", severity="warning"))
        wanted_keys.update(key(o) for o in hits)
    return [o for o in occupations if key(o) in wanted_keys]
