"""Load and validate a catalogue: a directory of YAML files (or one file, or uploads).

A catalogue directory holds ``*.yaml`` / ``*.yml`` files, searched recursively in sorted
path order (hidden files and folders are skipped). Each file is a mapping whose
top-level keys are any of ``meta`` (at most once in the whole catalogue), ``providers``,
``competencies``, ``credentials``, ``roles`` and ``recognitions``, each a list of items.

Validation reports **every** problem at once, each located as
``file:line: field: plain-language message``:

1. reading: size limit, encoding, YAML syntax, unsafe tags, alias bombs (see
   :mod:`planner.catalogue.yamlsafe`);
2. shape: every item is validated against its pydantic model, once, and each error is
   mapped back to the line of the offending key;
3. meaning: duplicate ids, references to ids that do not exist (with a "did you mean"),
   prerequisite cycles, levels outside the declared scale, implausible workloads, award
   rules that can never be met, currencies without an exchange rate, recognition
   agreements that point nowhere, and missing EU standard elements (warnings; errors
   with ``strict=True``).

Examples
--------
>>> from planner.catalogue.loader import load, validate
>>> catalogue = load("catalogue")                      # doctest: +SKIP
>>> report = validate("catalogue", strict=True)        # doctest: +SKIP
>>> for problem in report.problems:                    # doctest: +SKIP
...     print(problem)

"""

from __future__ import annotations

import difflib
import gc
import os
import re
import types
import typing
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from planner._errors import CatalogueError, Problem
from planner.catalogue.inputs import InputError, read_bytes
from planner.catalogue.models import (
    ID_PATTERN,
    Catalogue,
    CatalogueMeta,
    Competency,
    Credential,
    Provider,
    RecognitionAgreement,
    Role,
    Rule,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
)
from planner.catalogue.yamlsafe import MAX_FILE_BYTES, ParsedYaml, decode_yaml_bytes, parse_yaml

__all__ = [
    "EU_ELEMENTS",
    "SECTIONS",
    "CatalogueError",
    "Problem",
    "ValidationReport",
    "catalogue_files",
    "catalogue_summary",
    "default_catalogue_dir",
    "load",
    "load_texts",
    "validate",
    "validate_texts",
]

#: Top-level keys of a catalogue file and the model of their items.
SECTIONS: dict[str, type[BaseModel]] = {
    "meta": CatalogueMeta,
    "providers": Provider,
    "competencies": Competency,
    "credentials": Credential,
    "roles": Role,
    "recognitions": RecognitionAgreement,
}
_KIND = {
    "providers": "provider",
    "competencies": "competency",
    "credentials": "credential",
    "roles": "role",
    "recognitions": "recognition",
}

#: EU standard elements a credential specification should carry (Council
#: Recommendation of 16 June 2022). Missing ones are warnings, or errors when strict.
EU_ELEMENTS = (
    "learning_outcomes",
    "ects",
    "hours",
    "eqf_level",
    "assessment",
    "participation",
    "quality_assurance",
    "languages",
)

#: Notional hours per ECTS credit outside which a workload is flagged (ECTS: 25-30 h).
HOURS_PER_ECTS_RANGE = (10.0, 60.0)
#: Factor by which ``hours_per_week * duration_weeks`` may differ from ``hours``.
WORKLOAD_FACTOR = 3.0
#: Most id comparisons spent on slow "did you mean" searches (beyond one-edit typos),
#: so that a large catalogue full of broken references does not take quadratic time.
_FALLBACK_BUDGET = 100_000

_PATTERN_HELP = {
    ID_PATTERN: "an id uses lowercase letters, digits, '.', '_' or '-' and starts with a letter or digit",
    r"^[A-Z]{3}$": "a currency is a three-letter ISO 4217 code in capitals, such as EUR",
    r"^[a-z]{2}$": "a language is a two-letter ISO 639-1 code in lowercase, such as en",
    r"^[A-Z]{2}$": "a country is a two-letter ISO 3166 code in capitals, such as DE",
    r"^https?://\S+$": "a link starts with http:// or https:// and has no spaces",
    r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$": "an intake date is written MM-DD, such as 09-15",
    r"^[0-9]{1,4}(\.[0-9]+)*$": "an ISCO code is digits, such as 2511",
    r"^[0-9]{2}-[0-9]{4}(\.[0-9]{2})?$": "a SOC code looks like 15-2051 or 15-2051.01",
}


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of validating a catalogue.

    Attributes
    ----------
    catalogue : Catalogue or None
        The loaded catalogue, ``None`` when there are errors.
    problems : tuple of Problem
        Every problem, errors and warnings, in file and line order.
    files : tuple of str
        The files that were read, in reading order.

    """

    catalogue: Catalogue | None
    problems: tuple[Problem, ...]
    files: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems with severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems with severity ``warning``."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary: ``{ok, errors, warnings, counts}`` (see ``planner validate``)."""
        errors, warnings = self.errors, self.warnings
        return {
            "ok": self.ok,
            "errors": [p.as_dict() for p in errors],
            "warnings": [p.as_dict() for p in warnings],
            "counts": {"files": len(self.files), "errors": len(errors), "warnings": len(warnings)},
        }


# --------------------------------------------------------------------------- public API


def load(path: str | os.PathLike[str], *, strict: bool = False) -> Catalogue:
    """Load and validate a catalogue directory or file.

    Parameters
    ----------
    path : str or path-like
        A directory of YAML files (searched recursively) or a single YAML file.
    strict : bool, default False
        Treat missing EU standard elements as errors instead of warnings.

    Returns
    -------
    Catalogue
        The validated, immutable catalogue.

    Raises
    ------
    CatalogueError
        When there is any error; its ``problems`` lists all of them (and the warnings).

    """
    return _unwrap(validate(path, strict=strict))


def validate(path: str | os.PathLike[str], *, strict: bool = False) -> ValidationReport:
    """Validate a catalogue directory or file and report every problem; never raises.

    Parameters
    ----------
    path : str or path-like
        A directory of YAML files (searched recursively) or a single YAML file.
    strict : bool, default False
        Treat missing EU standard elements as errors instead of warnings.

    Returns
    -------
    ValidationReport
        The catalogue (when there are no errors) and all problems found.

    """
    sources, problems = _read_path(Path(path))
    return _validate_sources(sources, problems, strict=strict)


def load_texts(files: Mapping[str, bytes | str], *, strict: bool = False) -> Catalogue:
    """Load a catalogue from file contents, e.g. uploads (name -> bytes).

    Parameters
    ----------
    files : mapping of str to bytes
        File name (used in messages and for ordering) to its content.
    strict : bool, default False
        Treat missing EU standard elements as errors instead of warnings.

    Returns
    -------
    Catalogue
        The validated catalogue.

    Raises
    ------
    CatalogueError
        When there is any error; its ``problems`` lists all of them.

    """
    return _unwrap(validate_texts(files, strict=strict))


def validate_texts(files: Mapping[str, bytes | str], *, strict: bool = False) -> ValidationReport:
    """Validate a catalogue given as file contents (name -> bytes); never raises.

    Parameters
    ----------
    files : mapping of str to bytes
        File name (used in messages and for ordering) to its content. ``str`` content is
        encoded as UTF-8.
    strict : bool, default False
        Treat missing EU standard elements as errors instead of warnings.

    Returns
    -------
    ValidationReport
        The catalogue (when there are no errors) and all problems found.

    """
    problems: list[Problem] = []
    if not files:
        problems.append(Problem("<upload>", None, None, "", "no catalogue files were given"))
    sources = []
    for name in sorted(files):
        content = files[name]
        sources.append((name, content.encode("utf-8") if isinstance(content, str) else bytes(content)))
    return _validate_sources(sources, problems, strict=strict)


def default_catalogue_dir() -> Path:
    """Return the catalogue directory to use when none is named.

    ``./catalogue`` when it exists, else the bundled catalogue beside the package (in a
    source checkout), else ``./catalogue`` (which then reports that it is missing).

    Returns
    -------
    pathlib.Path
        The directory.

    """
    here = Path("catalogue")
    if here.is_dir():
        return here
    bundled = Path(__file__).resolve().parents[2] / "catalogue"
    return bundled if bundled.is_dir() else here


def catalogue_summary(catalogue: Catalogue) -> dict[str, Any]:
    """Count what a catalogue holds (used by ``planner info`` and the UI).

    Parameters
    ----------
    catalogue : Catalogue
        A loaded catalogue.

    Returns
    -------
    dict
        ``name``, ``counts`` by kind (providers, competencies, credentials, awards, roles,
        recognitions) and, for credentials, ``by_type``, ``by_sector``, ``by_provider``;
        ``countries`` (providers per country) and ``currencies`` (credentials per cost
        currency). Every inner mapping is sorted by key.

    """
    creds = catalogue.credentials

    def counted(values: Iterator[str]) -> dict[str, int]:
        return dict(sorted(Counter(values).items()))

    return {
        "name": catalogue.meta.name,
        "counts": {
            "providers": len(catalogue.providers),
            "competencies": len(catalogue.competencies),
            "credentials": len(creds),
            "awards": sum(1 for c in creds if c.award is not None),
            "roles": len(catalogue.roles),
            "recognitions": len(catalogue.recognitions),
        },
        "by_type": counted(str(c.type) for c in creds),
        "by_sector": counted(c.sector or "(none)" for c in creds),
        "by_provider": counted(c.provider for c in creds),
        "countries": counted(p.country for p in catalogue.providers),
        "currencies": counted(currency for c in creds for currency in _currencies(c)),
    }


# --------------------------------------------------------------------------- reading


def _unwrap(report: ValidationReport) -> Catalogue:
    if report.catalogue is None:
        raise CatalogueError(report.problems)
    return report.catalogue


def catalogue_files(path: str | os.PathLike[str]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Read the YAML files of a catalogue folder (or one file) through the input layer.

    Only regular files are read, each within the catalogue file size limit, and a
    symbolic link inside the folder is never followed to a file outside it.

    Parameters
    ----------
    path : str or PathLike
        A catalogue directory (searched recursively, hidden entries skipped) or one file.

    Returns
    -------
    tuple of (list of (str, bytes), list of Problem)
        ``(name, content)`` of each file read, and a located problem for each file that
        was refused or could not be read.

    """
    return _read_path(Path(path))


def _read_path(path: Path) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Read the files of a catalogue path; problems for what cannot be read."""
    problems: list[Problem] = []
    if not path.exists():
        return [], [Problem(str(path), None, None, "", "no such file or directory")]
    if path.is_dir():
        files = sorted(
            f for f in path.rglob("*")
            if f.suffix.lower() in (".yaml", ".yml") and f.is_file()
            and not any(part.startswith(".") for part in f.relative_to(path).parts)
        )
        if not files:
            problems.append(Problem(str(path), None, None, "", "directory has no .yaml or .yml files"))
    else:
        files = [path]
    sources: list[tuple[str, bytes]] = []
    root = path if path.is_dir() else None
    for file in files:
        name = str(file)
        try:
            # regular files only, at most the limit, never through a link out of the folder
            content = read_bytes(file, name=name, max_bytes=MAX_FILE_BYTES, within=root)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        sources.append((name, content))
    return sources, problems


# --------------------------------------------------------------------------- items


@dataclass(frozen=True, slots=True)  # one per catalogue item: no per-instance __dict__
class _Item:
    """A validated item and where it came from."""

    model: Any
    file: str
    parsed: ParsedYaml
    path: tuple[Any, ...]  # e.g. ("credentials", 3)
    label: str  # e.g. "credentials[data-101]"
    raw: Any

    def where(self, *sub: Any) -> tuple[int | None, int | None]:
        return self.parsed.position((*self.path, *sub))


@dataclass
class _State:
    strict: bool
    problems: list[Problem] = field(default_factory=list)
    items: dict[str, list[_Item]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    files: list[str] = field(default_factory=list)
    # a file (or section) that could not be read hides ids: reference checks would lie
    unreadable: bool = False
    meta_broken: bool = False
    # ids of items that failed shape validation: known to exist, but not checkable
    broken: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # where the meaning checks' problems start in ``problems``, and the meta item read
    checks_from: int = 0
    meta_item: _Item | None = None

    def add(self, item: _Item | None, sub: Sequence[Any], message: str, *, severity: str = "error",
            file: str | None = None, line: int | None = None) -> None:
        """Record a problem located at ``item`` + ``sub`` (or at an explicit file/line)."""
        if item is None:
            self.problems.append(Problem(file or "", line, None, "", message, severity))  # type: ignore[arg-type]
            return
        line_, column = item.where(*sub)
        self.problems.append(Problem(item.file, line_, column, _join(item.label, sub), message,
                                     severity))  # type: ignore[arg-type]


def _join(label: str, sub: Sequence[Any]) -> str:
    out = label
    for part in sub:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _validate_sources(sources: list[tuple[str, bytes]], problems: list[Problem], *,
                      strict: bool) -> ValidationReport:
    # Loading builds millions of small acyclic objects; the cyclic garbage collector
    # would rescan them again and again (about 40 % of the time on 10k credentials).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _validate_sources_inner(sources, problems, strict=strict)
    finally:
        if was_enabled:
            gc.enable()


def _validate_sources_inner(sources: list[tuple[str, bytes]], problems: list[Problem], *,
                            strict: bool) -> ValidationReport:
    state, catalogue = _run_sources(sources, problems, strict=strict)
    order = {name: i for i, name in enumerate(state.files)}
    ordered = sorted(state.problems, key=lambda p: (order.get(p.file, -1), p.line or 0, p.column or 0))
    return ValidationReport(catalogue if not any(p.is_error for p in ordered) else None,
                            tuple(ordered), tuple(state.files))


def _run_sources(sources: list[tuple[str, bytes]], problems: list[Problem], *,
                 strict: bool) -> tuple[_State, Catalogue | None]:
    """Read and check every source; the state keeps the items and the problems in finding order.

    Problems before ``state.checks_from`` come from reading (file by file); the rest from
    the meaning checks (a compiled catalogue's build keeps the two apart per file).
    """
    state = _State(strict=strict, problems=list(problems))
    state.unreadable = any(p.is_error for p in problems)
    meta_item: _Item | None = None
    for name, content in sources:
        meta_item = _read_source(state, name, content, meta_item)
    catalogue = None
    state.checks_from = len(state.problems)
    state.meta_item = meta_item
    if not state.unreadable:
        # meaning checks run even when some items are malformed, so that every problem
        # is reported in one pass; they are skipped only when whole files are unreadable
        catalogue = _check(state, meta_item)
    return state, catalogue


def _read_source(state: _State, name: str, content: bytes, meta_item: _Item | None) -> _Item | None:
    """Read one file into ``state`` (its valid items, its problems); returns the meta item so far."""
    state.files.append(name)
    text, decode_problems = decode_yaml_bytes(content, name)
    state.problems.extend(decode_problems)
    if text is None:
        state.unreadable = True
        return meta_item
    parsed, parse_problems = parse_yaml(text, name)
    state.problems.extend(parse_problems)
    if parsed is None:
        state.unreadable = True
        return meta_item
    return _read_file(state, name, parsed, meta_item)


def _read_file(state: _State, name: str, parsed: ParsedYaml, meta_item: _Item | None) -> _Item | None:
    data = parsed.data
    if data is None:
        state.problems.append(Problem(name, None, None, "", "file is empty", "warning"))
        return meta_item
    if not isinstance(data, dict):
        state.problems.append(Problem(name, 1, 1, "", "a catalogue file must be a mapping with keys such "
                                      f"as {', '.join(SECTIONS)}; this one is a {_kind_of(data)}"))
        state.unreadable = True
        return meta_item
    for key, value in data.items():
        line, column = parsed.position((key,))
        if key not in SECTIONS:
            hint = _suggest(str(key), SECTIONS)
            state.problems.append(Problem(name, line, column, str(key), "unknown section; expected one of "
                                          f"{', '.join(SECTIONS)}{hint}"))
            if isinstance(value, list) and value:
                state.unreadable = True  # its items are missing: references to them would be noise
            continue
        model = SECTIONS[key]
        if key == "meta":
            if value is None:
                continue
            item = _validate_item(state, model, value, name, parsed, ("meta",), "meta")
            if item is None:
                state.meta_broken = True
                continue
            if meta_item is not None:
                state.problems.append(Problem(name, line, column, "meta", "'meta' is given more than once "
                                              f"(first at {meta_item.file}:{meta_item.where()[0]}); a "
                                              "catalogue has one"))
                continue
            meta_item = item
            continue
        if value is None:  # "credentials:" with nothing under it
            continue
        if not isinstance(value, list):
            state.problems.append(Problem(name, line, column, str(key), f"must be a list of items (each "
                                          f"starting with '- '), not a {_kind_of(value)}"))
            state.unreadable = True
            continue
        for index, raw in enumerate(value):
            ident = raw.get("id") if isinstance(raw, dict) else None
            label = f"{key}[{ident}]" if isinstance(ident, str) and ident else f"{key}[{index}]"
            item = _validate_item(state, model, raw, name, parsed, (key, index), label)
            if item is not None:
                state.items[key].append(item)
            elif isinstance(ident, str):
                state.broken[_KIND[key]].add(ident)
    return meta_item


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _validate_item(state: _State, model: type[BaseModel], raw: Any, name: str, parsed: ParsedYaml,
                   path: tuple[Any, ...], label: str) -> _Item | None:
    if not isinstance(raw, dict):
        line, column = parsed.position(path)
        state.problems.append(Problem(name, line, column, label, f"must be a mapping of keys to values, "
                                      f"not a {_kind_of(raw)}"))
        return None
    try:
        instance = model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            state.problems.append(_pydantic_problem(err, model, raw, name, parsed, path, label))
        return None
    return _Item(instance, name, parsed, path, label, raw)


# --------------------------------------------------------------------------- pydantic errors

_RULE_TAGS = ("all_of", "n_of", "credits", "credential")


def _rule_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in _RULE_TAGS:
            if key in value:
                return key
    return None


def _pydantic_problem(err: Mapping[str, Any], model: type[BaseModel], raw: Any, name: str,
                      parsed: ParsedYaml, path: tuple[Any, ...], label: str) -> Problem:
    """Map one pydantic error to a located, plain-language problem."""
    loc = tuple(err["loc"])
    consumed: list[Any] = []
    current = raw
    tail: str | None = None
    tag_skipped: Any = None
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        # a discriminated union puts its tag ("n_of", ...) into loc before the field name
        is_tag = isinstance(current, dict) and not last and _rule_tag(current) == part
        if is_tag and tag_skipped is not current:
            tag_skipped = current  # once per mapping: the next "all_of" is the field itself
            continue
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            consumed.append(part)
            current = current[part]
        elif last and isinstance(part, str) and err["type"] == "missing":
            tail = part
    line, column = parsed.position((*path, *consumed))
    kind = err["type"]
    message = _plain(err, current)
    field = _join(label, consumed)
    if kind == "missing":
        message = f"missing required key '{tail or loc[-1]}'"
    elif kind == "extra_forbidden":
        key = consumed[-1] if consumed else loc[-1]
        field = _join(label, consumed[:-1])
        allowed = _fields_at(model, raw, consumed[:-1])
        message = f"unknown key '{key}'" + _suggest(str(key), allowed)
    return Problem(name, line, column, field, message, "error")


def _plain(err: Mapping[str, Any], value: Any) -> str:
    kind = err["type"]
    msg: str = err["msg"]
    ctx = err.get("ctx") or {}
    got = _show(err.get("input"))
    if kind in ("value_error", "assertion_error"):
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "string_pattern_mismatch":
        help_ = _PATTERN_HELP.get(ctx.get("pattern", ""), f"must match {ctx.get('pattern')}")
        return f"{help_}; got {got}"
    if kind == "string_type" and isinstance(err.get("input"), bool):
        return (f"must be text, but YAML read {got} as true/false; put it in quotes "
                "(YAML reads NO, yes, on, off as booleans)")
    if kind == "enum":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = _suggest(str(err.get("input")), options) if options else ""
        return f"must be one of {ctx.get('expected')}; got {got}{hint}"
    text = msg
    if text.startswith("Input should be "):
        text = "must be " + text.removeprefix("Input should be ")
    elif text.startswith("List should have"):
        text = "list must have" + text.removeprefix("List should have")
    elif text.startswith("String should have"):
        text = "text must have" + text.removeprefix("String should have")
    else:
        text = text[:1].lower() + text[1:]
    if not isinstance(err.get("input"), dict | list):
        text += f" (got {got})"
    return text


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else (
        "null" if value is None else repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _inner_models(annotation: Any) -> list[type[BaseModel]]:
    """Pydantic models inside an annotation (through Annotated, Union, list, dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if isinstance(annotation, str):
        annotation = {"Rule": Rule}.get(annotation, annotation)
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_models(args[0])
    if origin is dict:
        return _inner_models(args[1]) if len(args) == 2 else []
    out: list[type[BaseModel]] = []
    if origin in (list, tuple, typing.Union, types.UnionType) or args:
        for arg in args:
            out.extend(m for m in _inner_models(arg) if m not in out)
    return out


def _field_names(models: Sequence[type[BaseModel]]) -> list[str]:
    names: list[str] = []
    for model in models:
        for fname, info in model.model_fields.items():
            shown = info.alias or fname
            if shown not in names:
                names.append(shown)
    return names


def _fields_at(model: type[BaseModel], raw: Any, path: Sequence[Any]) -> list[str]:
    """List the keys allowed at ``path`` inside an item of ``model`` (for "did you mean")."""
    models: list[type[BaseModel]] = [model]
    for part in path:
        if isinstance(part, int):
            continue  # list index: same models
        nxt: list[type[BaseModel]] = []
        for m in models:
            for fname, info in m.model_fields.items():
                if part in (fname, info.alias):
                    nxt.extend(x for x in _inner_models(info.annotation) if x not in nxt)
        if not nxt:
            return []
        models = nxt
    return _field_names(models)


def _suggest(word: str, choices: Mapping[str, Any] | Sequence[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


# --------------------------------------------------------------------------- meaning


class _Ids:
    """First item of each id per kind, plus memoised "did you mean" suggestions.

    Suggestions must stay cheap on large catalogues with many broken references: a
    one-edit typo is found through an index of every id with one character deleted (both
    sides deleted covers insertions, deletions, substitutions); only when that finds
    nothing is ``difflib`` run over all ids, within a fixed comparison budget (a count,
    not a time, so that the output stays deterministic).
    """

    def __init__(self) -> None:
        self.first: dict[str, dict[str, _Item]] = defaultdict(dict)
        self._sorted: dict[str, list[str]] = {}
        self._deletes: dict[str, dict[str, list[str]]] = {}
        self._memo: dict[tuple[str, str], str] = {}
        self._budget = _FALLBACK_BUDGET

    @staticmethod
    def _variants(word: str) -> set[str]:
        return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}

    def suggest(self, kind: str, ident: str) -> str:
        key = (kind, ident)
        if key in self._memo:
            return self._memo[key]
        if kind not in self._sorted:
            self._sorted[kind] = sorted(self.first[kind])
            index: dict[str, list[str]] = defaultdict(list)
            for known in self._sorted[kind]:
                for variant in self._variants(known):
                    index[variant].append(known)
            self._deletes[kind] = index
        index = self._deletes[kind]
        near = sorted({c for v in self._variants(ident) for c in index.get(v, ())})
        match: list[str] = difflib.get_close_matches(ident, near, n=1, cutoff=0.5) if near else []
        if not match and self._budget >= len(self._sorted[kind]):
            self._budget -= len(self._sorted[kind])
            match = difflib.get_close_matches(ident, self._sorted[kind], n=1, cutoff=0.75)
        self._memo[key] = f"; did you mean '{match[0]}'?" if match else ""
        return self._memo[key]


#: An edge of the prerequisite graph: (needed credential, the item naming it, where in it).
_Edge = tuple[str, Any, tuple[Any, ...]]


def _check(state: _State, meta_item: _Item | None) -> Catalogue | None:
    meta: CatalogueMeta = meta_item.model if meta_item is not None else CatalogueMeta()
    ids = _Ids()
    _index_ids(state, ids)
    edges = _check_items(state, ids, meta)
    _check_cycles(state, edges)

    if any(p.is_error for p in state.problems):
        return None
    return Catalogue(
        meta=meta,
        providers=[i.model for i in state.items["providers"]],
        competencies=[i.model for i in state.items["competencies"]],
        credentials=[i.model for i in state.items["credentials"]],
        roles=[i.model for i in state.items["roles"]],
        recognitions=[i.model for i in state.items["recognitions"]],
    )


def _index_ids(state: _State, ids: _Ids) -> None:
    """Record the first item of every id; every later one is a duplicate (an error where it is)."""
    for section, items in state.items.items():
        if section == "meta":
            continue
        kind = _KIND[section]
        seen = ids.first[kind]
        for item in items:
            ident = item.model.id
            if ident in seen:
                first = seen[ident]
                state.add(item, ("id",), f"duplicate {kind} id '{ident}' (first defined at "
                          f"{first.file}:{first.where('id')[0]})")
            else:
                seen[ident] = item


class _Refs:
    """Reference and level checks for items of ``state`` against the whole catalogue's ids."""

    def __init__(self, state: _State, ids: _Ids, meta: CatalogueMeta) -> None:
        self.state, self.ids, self.scale = state, ids, meta.level_scale

    def ref(self, item: _Item, sub: Sequence[Any], kind: str, ident: str | None) -> bool:
        """Whether ``ident`` names a known ``kind``; report it where it is when not."""
        if ident is None or ident in self.ids.first[kind]:
            return True
        if ident in self.state.broken[kind]:
            return False  # exists but is malformed: already reported
        self.state.add(item, sub, f"unknown {kind} '{ident}'{self.ids.suggest(kind, ident)}")
        return False

    def level(self, item: _Item, sub: Sequence[Any], value: int | None) -> None:
        """Report a level outside the catalogue's level scale."""
        if self.state.meta_broken:
            return  # the declared scale is unknown
        scale = self.scale
        if value is not None and not scale.min <= value <= scale.max:
            self.state.add(item, sub, f"level {value} is outside the catalogue's level scale "
                           f"{scale.min}–{scale.max} (meta.level_scale)")


def _check_items(state: _State, ids: _Ids, meta: CatalogueMeta, *,
                 rank: Mapping[str, int] | None = None,
                 recognised: dict[str, list[tuple[tuple[int, int], RecognitionAgreement]]] | None = None,
                 broader_cycles: bool = True) -> dict[str, list[_Edge]]:
    """Check every item of ``state`` against the ids of the whole catalogue (``ids.first``).

    The per-item meaning checks: references, levels, numbers, award rules, recognitions,
    EU elements. ``ids.first`` may hold more items than ``state`` (a compiled catalogue
    checks only some files against everything it stores); ``rank`` orders files and
    ``recognised`` brings agreements of unchecked files, keyed by (file rank, position);
    ``broader_cycles=False`` leaves the competencies' circles to the caller.

    Returns
    -------
    dict
        The prerequisite graph's edges out of the checked credentials, for the cycle check.
    """
    order = rank if rank is not None else {name: i for i, name in enumerate(state.files)}
    refs = _Refs(state, ids, meta)

    for item in state.items["competencies"]:
        refs.ref(item, ("broader",), "competency", item.model.broader)
    if broader_cycles:
        _check_broader_cycles(state, ids.first["competency"])

    for item in state.items["roles"]:
        for i, need in enumerate(item.model.needs):
            refs.ref(item, ("needs", i, "competency"), "competency", need.competency)
            refs.level(item, ("needs", i, "level"), need.level)

    # recognition credits per award, for the "can never be met" check of credit pools,
    # in catalogue order (file, then position) so that sums come out the same however collected
    if recognised is None:
        recognised = defaultdict(list)
    for item in state.items["recognitions"]:
        _check_recognition(refs, item, order, recognised)

    edges: dict[str, list[_Edge]] = defaultdict(list)
    for item in state.items["credentials"]:
        _check_credential(refs, item, meta, recognised, edges)
    return edges


def _check_recognition(refs: _Refs, item: _Item, order: Mapping[str, int],
                       recognised: dict[str, list[tuple[tuple[int, int], RecognitionAgreement]]]) -> None:
    """Check one recognition agreement's references and pool; file it under its award in ``recognised``."""
    state = refs.state
    rec: RecognitionAgreement = item.model
    refs.ref(item, ("provider",), "provider", rec.provider)
    refs.ref(item, ("credential",), "credential", rec.credential)
    if not refs.ref(item, ("award",), "credential", rec.award):
        if rec.equivalent_to is not None:
            refs.ref(item, ("equivalent_to",), "credential", rec.equivalent_to)
        return
    award = refs.ids.first["credential"][rec.award].model
    if award.award is None:
        state.add(item, ("award",), f"credential '{rec.award}' has no award rules, so nothing "
                  "can be recognised towards it")
        return
    recognised[rec.award].append(((order[item.file], item.path[1]), rec))
    pools = [p.id for p, _ in _walk_rule(award.award.rule, ()) if isinstance(p, RuleCredits)]
    if rec.pool is not None and rec.pool not in pools:
        named = ", ".join(f"'{p}'" for p in pools if p) or "none"
        state.add(item, ("pool",), f"award '{rec.award}' has no credit pool '{rec.pool}' "
                  f"(its pools with an id: {named})")
    if rec.pool is None and rec.equivalent_to is None and not pools:
        state.add(item, ("award",), f"award '{rec.award}' has no credit pool to put the "
                  "recognised credits in; name a component with 'equivalent_to'",
                  severity="warning")
    if rec.equivalent_to is not None and refs.ref(item, ("equivalent_to",), "credential",
                                                  rec.equivalent_to):
        leaves = {n.credential for n, _ in _walk_rule(award.award.rule, ())
                  if isinstance(n, RuleCredential)}
        pooled = {c for n, _ in _walk_rule(award.award.rule, ()) if isinstance(n, RuleCredits)
                  for c in n.from_}
        if rec.equivalent_to not in leaves | pooled:
            state.add(item, ("equivalent_to",), f"'{rec.equivalent_to}' is not a component of "
                      f"award '{rec.award}'", severity="warning")


def _check_credential(refs: _Refs, item: _Item, meta: CatalogueMeta,
                      recognised: Mapping[str, list[tuple[tuple[int, int], RecognitionAgreement]]],
                      edges: dict[str, list[_Edge]]) -> None:
    """Check one credential (references, numbers, award rules, EU elements); add its prerequisite edges."""
    state = refs.state
    cred: Credential = item.model
    refs.ref(item, ("provider",), "provider", cred.provider)
    for i, taught in enumerate(cred.teaches):
        refs.ref(item, ("teaches", i, "competency"), "competency", taught.competency)
        refs.level(item, ("teaches", i, "level"), taught.level)
    _check_requires(refs, item, cred, edges)
    _check_numbers(state, item, cred, meta)
    if cred.award is not None:
        agreements = [r for _, r in sorted(recognised.get(cred.id, []), key=lambda e: e[0])]
        _check_award(state, item, cred, refs.ids, agreements, edges)
    missing = _missing_eu(cred, refs.ids.first["provider"])
    if missing:
        state.add(item, (), "missing EU standard element(s): " + ", ".join(missing),
                  severity="error" if state.strict else "warning")


def _check_requires(refs: _Refs, item: _Item, cred: Credential, edges: dict[str, list[_Edge]]) -> None:
    """Check a credential's prerequisites, located as written (shorthand list or ``any_of``)."""
    raw = item.raw.get("requires")
    for g, group in enumerate(cred.requires):
        shorthand = isinstance(raw, list) and g < len(raw) and isinstance(raw[g], dict) and "any_of" not in raw[g]
        for a, alt in enumerate(group.any_of):
            base = ("requires", g) if shorthand else ("requires", g, "any_of", a)
            if alt.credential is not None:
                if alt.credential == cred.id:
                    refs.state.add(item, (*base, "credential"), "a credential cannot require itself")
                elif refs.ref(item, (*base, "credential"), "credential", alt.credential):
                    edges[cred.id].append((alt.credential, item, (*base, "credential")))
            else:
                refs.ref(item, (*base, "competency"), "competency", alt.competency)
                refs.level(item, (*base, "level"), alt.level)


def _missing_eu(cred: Credential, providers: Mapping[str, _Item]) -> list[str]:
    missing = []
    for name in EU_ELEMENTS:
        value = getattr(cred, name)
        if name == "quality_assurance" and value is None:
            provider = providers.get(cred.provider)
            value = provider.model.quality_assurance if provider is not None else None
        if value is None or value == []:
            missing.append(name)
    return missing


def _currencies(cred: Credential) -> list[str]:
    """The currencies a credential is priced in (its one price, or each audience's)."""
    if cred.cost is not None:
        return [cred.cost.currency]
    return sorted({o.price.currency for o in cred.costs})


def _check_numbers(state: _State, item: _Item, cred: Credential, meta: CatalogueMeta) -> None:
    if cred.ects and cred.hours:
        per = cred.hours / cred.ects
        low, high = HOURS_PER_ECTS_RANGE
        if not low <= per <= high:
            state.add(item, ("hours",), f"{cred.hours:g} hours for {cred.ects:g} ECTS is {per:.1f} hours "
                      f"per ECTS; one ECTS is usually 25–30 hours (expected {low:g}–{high:g})",
                      severity="warning")
    if cred.hours and cred.hours_per_week and cred.duration_weeks:
        planned = cred.hours_per_week * cred.duration_weeks
        if not cred.hours / WORKLOAD_FACTOR <= planned <= cred.hours * WORKLOAD_FACTOR:
            state.add(item, ("hours_per_week",), f"{cred.hours_per_week:g} hours a week for "
                      f"{cred.duration_weeks} weeks is {planned:g} hours, far from the {cred.hours:g} "
                      "hours given", severity="warning")
    prices = [(("cost",), cred.cost)] if cred.cost is not None else [
        (("costs", i, "price"), option.price) for i, option in enumerate(cred.costs)]
    for where, money in prices:
        currency = money.currency
        if currency != meta.base_currency and currency not in meta.exchange_rates and not state.meta_broken:
            state.add(item, where, f"currency {currency} has no rate in meta.exchange_rates (base "
                      f"currency {meta.base_currency}); add one so costs can be compared and summed")


def _walk_rule(rule: Any, sub: tuple[Any, ...]) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Every node of a rule tree with its path (as written in YAML) below ``sub``."""
    stack = [(rule, sub)]
    while stack:
        node, path = stack.pop()
        yield node, path
        if isinstance(node, RuleAllOf):
            stack.extend((child, (*path, "all_of", i)) for i, child in reversed(list(enumerate(node.all_of))))
        elif isinstance(node, RuleNOf):
            stack.extend((child, (*path, "of", i)) for i, child in reversed(list(enumerate(node.of))))


def _check_award(state: _State, item: _Item, cred: Credential, ids: _Ids,
                 recognitions: list[RecognitionAgreement],
                 edges: dict[str, list[_Edge]]) -> None:
    assert cred.award is not None
    credentials = ids.first["credential"]
    first_pool: RuleCredits | None = None
    for node, _path in _walk_rule(cred.award.rule, ("award", "rule")):
        if isinstance(node, RuleCredits) and first_pool is None:
            first_pool = node
    for node, path in _walk_rule(cred.award.rule, ("award", "rule")):
        if isinstance(node, RuleNOf) and node.n_of > len(node.of):
            state.add(item, (*path, "n_of"), f"needs {node.n_of} of {len(node.of)} options; this rule can "
                      "never be met")
        elif isinstance(node, RuleCredential):
            sub = (*path, "credential")
            if node.credential == cred.id:
                state.add(item, sub, "the award rule names the credential itself, so it could never be "
                          "earned")
            elif _ref_ok(state, item, sub, ids, node.credential):
                edges[cred.id].append((node.credential, item, sub))
        elif isinstance(node, RuleCredits):
            total = 0.0
            complete = True
            for j, member in enumerate(node.from_):
                sub = (*path, "from", j)
                if member == cred.id:
                    state.add(item, sub, "the credit pool names the credential itself, so it could never "
                              "be earned")
                elif _ref_ok(state, item, sub, ids, member):
                    edges[cred.id].append((member, item, sub))
                    total += credentials[member].model.ects or 0.0
                else:
                    complete = False
            extra = sum(r.credits for r in recognitions if r.equivalent_to is None and (
                r.pool == node.id if r.pool is not None else node is first_pool))
            if complete and total + extra < node.credits:
                via = f" plus {extra:g} through recognition" if extra else ""
                state.add(item, (*path, "credits"), f"needs {node.credits:g} ECTS but the listed credentials "
                          f"give at most {total:g} ECTS{via}; this rule can never be met")


def _ref_ok(state: _State, item: _Item, sub: tuple[Any, ...], ids: _Ids, ident: str) -> bool:
    if ident in ids.first["credential"]:
        return True
    if ident in state.broken["credential"]:
        return False
    state.add(item, sub, f"unknown credential '{ident}'{ids.suggest('credential', ident)}")
    return False


def _check_broader_cycles(state: _State, comps: Mapping[str, Any]) -> None:
    """Report each circle of 'broader' links once, where the walk from the smallest id enters it.

    ``comps`` maps a competency id to its first item; any part of the catalogue that holds
    every competency whose 'broader' chain reaches a circle gives the same reports.
    """
    done: set[str] = set()
    for start in sorted(comps):
        chain: list[str] = []
        on_chain: set[str] = set()
        node: str | None = start
        while node is not None and node in comps and node not in done:
            if node in on_chain:
                cycle = [*chain[chain.index(node):], node]
                state.add(comps[node], ("broader",),
                          "'broader' goes round in a circle: " + " -> ".join(cycle))
                break
            chain.append(node)
            on_chain.add(node)
            node = comps[node].model.broader
        done.update(chain)


def _check_cycles(state: _State, edges: Mapping[str, list[_Edge]]) -> None:
    """Report one cycle per strongly connected group of credentials (iterative Tarjan).

    ``edges`` maps a credential id to its edges; any part of the graph closed under
    successors gives the same reports for the groups inside it (only the first edge of a
    group's smallest id is used to locate its report).
    """
    succ = {node: sorted({t for t, _, _ in out}) for node, out in edges.items()}
    for path in _cycle_paths(succ):
        start, second = path[0], path[1]
        target_edge = next(e for e in edges[start] if e[0] == second)
        _, item, sub = target_edge
        state.add(item, sub, "prerequisite cycle: " + " -> ".join(path) + " (each needs the next first)")


def _cycle_paths(succ: Mapping[str, list[str]]) -> list[list[str]]:
    """One way round each strongly connected group of credentials, from its smallest id.

    ``succ`` maps a credential to the credentials it needs, sorted. Groups come in order
    of their sorted members; each path is the shortest way round from the smallest id
    (``[start, ..., start]``).
    """
    return [_shortest_round(succ, component) for component in sorted(_strong_groups(succ))]


def _strong_groups(succ: Mapping[str, list[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one credential, each sorted.

    Iterative Tarjan, so deep graphs do not hit the recursion limit.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    counter = 0
    components: list[list[str]] = []
    for root in sorted(succ):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = succ.get(node, [])
            recurse = False
            while i < len(children):
                child = children[i]
                i += 1
                if child not in index:
                    work.append((node, i))
                    work.append((child, 0))
                    recurse = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if recurse:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def _shortest_round(succ: Mapping[str, list[str]], component: list[str]) -> list[str]:
    """The shortest way round ``component`` from its smallest id, for a short, stable message."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    found = None
    while frontier and found is None:
        nxt = []
        for node in frontier:
            for child in succ.get(node, []):
                if child not in members:
                    continue
                if child == start:
                    found = node
                    break
                if child not in previous:
                    previous[child] = node
                    nxt.append(child)
            if found is not None:
                break
        frontier = nxt
    path = [start]
    node = found
    back = []
    while node is not None and node != start:
        back.append(node)
        node = previous.get(node)
    path.extend(reversed(back))
    path.append(start)
    return path
