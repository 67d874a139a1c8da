"""The one input layer: every file the planner reads comes through here.

Readers of catalogue folders, learner profiles, plan files, importer inputs and
uploads all use these functions, so the same limits hold on every path:

* only regular files are read (a directory, FIFO, socket or device is refused after
  ``os.stat`` and before any read; files are opened with ``O_NONBLOCK`` so that a FIFO
  swapped in between cannot hang the reader);
* a size cap before reading (:data:`MAX_FILE_BYTES`, raisable with ``--max-file-mb``)
  and never more than the cap + 1 bytes read, whatever the file claims;
* a cap on the expanded size of compressed streams (:data:`MAX_EXPANDED_BYTES`);
* files found inside a folder never lead outside it through a symbolic link;
* JSON is parsed with a nesting cap (:data:`MAX_DEPTH`), a cap on the digits of an
  integer (:data:`MAX_INT_DIGITS`) and without ``NaN`` / ``Infinity``;
* YAML goes through the safe loader of :mod:`planner.catalogue.yamlsafe` (its own limits).

Every refusal is an :class:`InputError` carrying located :class:`~planner._errors.Problem`
objects (``file:line: field: message``). The limits are listed in ``docs/security.md``.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import json
import os
import re
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner._errors import PlannerError, Problem

__all__ = [
    "MAX_CSV_COLUMNS",
    "MAX_CSV_FIELD",
    "MAX_CSV_ROWS",
    "MAX_DEPTH",
    "MAX_EXPANDED_BYTES",
    "MAX_FILE_BYTES",
    "MAX_INT_DIGITS",
    "CsvRow",
    "InputError",
    "Limits",
    "NamedBytes",
    "current_limits",
    "decode_text",
    "gunzip",
    "inside",
    "parse_json",
    "read_bytes",
    "read_csv_file",
    "read_json_file",
    "read_text",
    "read_yaml_file",
    "use_limits",
]

#: Largest input file read (bytes) by default: importer inputs, profiles, plan files.
#: Catalogue YAML files have their own, smaller cap (``planner.catalogue.yamlsafe.MAX_FILE_BYTES``).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest size a compressed stream (``.gz``) may expand to, by default.
MAX_EXPANDED_BYTES = 100 * 1024 * 1024
#: Deepest nesting of JSON arrays and objects accepted (real JSON-LD needs about 15).
MAX_DEPTH = 100
#: Most digits accepted in one JSON integer (Python refuses more than 4,300 on its own,
#: with an error that would not say where).
MAX_INT_DIGITS = 100

#: Most data rows, columns and characters in one field of a CSV file.
MAX_CSV_ROWS = 200_000
MAX_CSV_COLUMNS = 200
MAX_CSV_FIELD = 10_000

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The limits in force for one command or page.

    Parameters
    ----------
    max_file_bytes : int
        Size cap of one input file.
    max_expanded_bytes : int
        Cap of one decompressed stream.
    max_depth : int
        JSON nesting cap.
    max_int_digits : int
        Digits cap of one JSON integer.

    """

    max_file_bytes: int = MAX_FILE_BYTES
    max_expanded_bytes: int = MAX_EXPANDED_BYTES
    max_depth: int = MAX_DEPTH
    max_int_digits: int = MAX_INT_DIGITS


_DEFAULT_LIMITS = Limits()
_LIMITS: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("planner_input_limits", default=None)


def current_limits() -> Limits:
    """Return the limits in force (the defaults unless :func:`use_limits` changed them)."""
    return _LIMITS.get() or _DEFAULT_LIMITS


@contextlib.contextmanager
def use_limits(**changes: int) -> Iterator[Limits]:
    """Raise or lower limits for the duration of a ``with`` block.

    Parameters
    ----------
    **changes
        Fields of :class:`Limits` to change, e.g. ``max_file_bytes=50 * 2**20``. Raising
        the file cap raises the expansion cap in proportion, so that a bigger ``.gz`` file
        can still be unpacked.

    """
    limits = dataclasses.replace(current_limits(), **changes)
    if "max_file_bytes" in changes and "max_expanded_bytes" not in changes:
        ratio = MAX_EXPANDED_BYTES // MAX_FILE_BYTES
        limits = dataclasses.replace(limits, max_expanded_bytes=max(limits.max_expanded_bytes,
                                                                    ratio * limits.max_file_bytes))
    token = _LIMITS.set(limits)
    try:
        yield limits
    finally:
        _LIMITS.reset(token)


class InputError(PlannerError):
    """An input refused before or while parsing; ``problems`` locates each reason.

    Parameters
    ----------
    problems : Problem or iterable of Problem
        What was wrong, with file and (when known) line.

    """

    def __init__(self, problems: Problem | tuple[Problem, ...] | list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = (problems,) if isinstance(problems, Problem) else tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def problem(self) -> Problem:
        """The first problem (most inputs have exactly one)."""
        return self.problems[0]


def _fail(name: str, message: str, line: int | None = None, column: int | None = None,
          field: str = "") -> InputError:
    return InputError(Problem(name, line, column, field, message))


def _mib(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n:,} bytes"


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class NamedBytes:
    """A file already in memory (an upload in the app): its name and content.

    Readers that take a path take one of these too, so an uploaded file meets the same
    size cap, decoding and parsing limits as a file on disk.

    Parameters
    ----------
    name : str
        How the file is named in problems (the uploaded file's name).
    data : bytes
        Its content.

    """

    name: str
    data: bytes

    def __str__(self) -> str:
        return self.name


def _label(path: str | os.PathLike[str] | NamedBytes) -> str:
    return path.name if isinstance(path, NamedBytes) else os.fspath(path)


def inside(path: Path, folder: Path) -> bool:
    """True when ``path``, with every symbolic link resolved, lies within ``folder``.

    Parameters
    ----------
    path : Path
        A file found inside ``folder`` (possibly a link, or under a linked folder).
    folder : Path
        The folder the user gave.

    """
    try:
        real = Path(os.path.realpath(path))
        root = Path(os.path.realpath(folder))
    except (OSError, ValueError):
        return False
    return real == root or root in real.parents


def read_bytes(path: str | os.PathLike[str] | NamedBytes, *, name: str | None = None, max_bytes: int | None = None,
               within: str | os.PathLike[str] | None = None) -> bytes:
    """Read a regular file whole, refusing anything else or anything too big.

    Parameters
    ----------
    path : str, PathLike or NamedBytes
        The file (or an upload already in memory: only the size cap applies).
    name : str, optional
        How the file is named in problems (default: ``path`` as given).
    max_bytes : int, optional
        Size cap (default: the current :class:`Limits`).
    within : str or PathLike, optional
        The folder ``path`` was found in: a symbolic link that leads out of it is refused.

    Returns
    -------
    bytes
        The content, at most ``max_bytes`` long.

    Raises
    ------
    InputError
        For a missing file, a directory, FIFO, socket or device, a link out of
        ``within``, a file over the cap, or an operating-system read error.

    """
    label = name if name is not None else _label(path)
    cap = current_limits().max_file_bytes if max_bytes is None else max_bytes
    if isinstance(path, NamedBytes):
        if len(path.data) > cap:
            raise _fail(label, f"file is {len(path.data):,} bytes; the limit is {_mib(cap)}")
        return path.data
    if within is not None and not inside(Path(path), Path(within)):
        raise _fail(label, f"is a symbolic link that leads outside {os.fspath(within)}; it is not read")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _fail(label, "file not found") from None
    except (OSError, ValueError) as exc:
        raise _fail(label, f"cannot read the file: {_reason(exc)}") from None
    _check_regular(label, info.st_mode)
    if info.st_size > cap:
        raise _fail(label, f"file is {info.st_size:,} bytes; the limit is {_mib(cap)} "
                    "(raise it with --max-file-mb if the file is genuine)")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:
        raise _fail(label, f"cannot read the file: {_reason(exc)}") from None
    try:
        _check_regular(label, os.fstat(fd).st_mode)  # the file may have been swapped since stat
        chunks: list[bytes] = []
        total = 0
        while total <= cap:  # read at most cap + 1 bytes: a growing file cannot exhaust memory
            chunk = os.read(fd, min(_CHUNK, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _fail(label, f"cannot read the file: {_reason(exc)}") from None
    finally:
        os.close(fd)
    if total > cap:
        raise _fail(label, f"file is larger than the limit of {_mib(cap)} "
                    "(raise it with --max-file-mb if the file is genuine)")
    return b"".join(chunks)


def _check_regular(label: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise _fail(label, "is a directory; expected a file")
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    raise _fail(label, f"is {kind}; only regular files are read")


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def gunzip(data: bytes, name: str, *, max_bytes: int | None = None) -> bytes:
    """Unpack a gzip stream (one or more members), never beyond a size cap.

    Parameters
    ----------
    data : bytes
        The compressed bytes (they start with ``1f 8b``).
    name : str
        File name for problems.
    max_bytes : int, optional
        Expansion cap (default: the current :class:`Limits`).

    Raises
    ------
    InputError
        When the stream is damaged or would expand beyond the cap.

    """
    cap = current_limits().max_expanded_bytes if max_bytes is None else max_bytes
    out = bytearray()
    rest = data
    while rest:
        unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while True:
                out += unpacker.decompress(rest, cap + 1 - len(out))
                if len(out) > cap:
                    raise _fail(name, f"unpacks to more than {_mib(cap)}; the limit for compressed files "
                                "(raise it with --max-file-mb if the file is genuine)")
                rest = unpacker.unconsumed_tail
                if unpacker.eof or not rest:
                    break
        except zlib.error as exc:
            raise _fail(name, f"the file looks gzipped but cannot be unpacked ({exc})") from None
        if not unpacker.eof:
            raise _fail(name, "the gzipped file is cut short")
        rest = unpacker.unused_data.lstrip(b"\x00")
        if rest[:2] != b"\x1f\x8b":
            break  # trailing bytes that are not another member are ignored, as gzip does
    return bytes(out)


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without a byte-order mark), locating a bad byte.

    Raises
    ------
    InputError
        When the bytes are UTF-16 or not valid UTF-8.

    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(name, "file is UTF-16 encoded; save it as UTF-8", 1, 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(name, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
                    line, column) from None


def read_text(path: str | os.PathLike[str] | NamedBytes, *, name: str | None = None, max_bytes: int | None = None,
              within: str | os.PathLike[str] | None = None, gzipped: bool | None = None) -> str:
    """Read a text file through :func:`read_bytes`, unpacking gzip when present.

    Parameters
    ----------
    path, name, max_bytes, within
        As for :func:`read_bytes`.
    gzipped : bool, optional
        ``True`` to require gzip, ``False`` to never unpack; by default a stream that
        starts with the gzip signature is unpacked (within the expansion cap).

    Raises
    ------
    InputError
        For every refusal of :func:`read_bytes`, :func:`gunzip` and :func:`decode_text`.

    """
    label = name if name is not None else _label(path)
    raw = read_bytes(path, name=label, max_bytes=max_bytes, within=within)
    if gzipped or (gzipped is None and raw[:2] == b"\x1f\x8b"):
        raw = gunzip(raw, label)
    return decode_text(raw, label)


# --------------------------------------------------------------------------- JSON


class _BigInt(Exception):
    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


class _BadConstant(Exception):
    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# A JSON string or one bracket: the unrolled form keeps matching linear.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _deep_position(text: str, limit: int) -> tuple[int | None, int | None]:
    """Where nesting first goes deeper than ``limit`` (error path only)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return _position(text, match.start())
        elif bracket in "]}":
            depth -= 1
    return None, None


def _too_deep(value: Any, limit: int) -> bool:
    """True when ``value`` nests lists and dicts more than ``limit`` deep (no recursion)."""
    todo: list[tuple[Any, int]] = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            todo.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            todo.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False


def parse_json(text: str, name: str, *, multiple: bool = False) -> Any:
    """Parse JSON text with the input limits, raising located problems.

    Parameters
    ----------
    text : str
        The JSON text.
    name : str
        File name for problems.
    multiple : bool, optional
        Accept several documents one after another and return them as a list.

    Returns
    -------
    Any
        The document (or the list of documents when ``multiple`` is set).

    Raises
    ------
    InputError
        For a syntax error (with line and column), nesting deeper than
        :data:`MAX_DEPTH`, an integer longer than :data:`MAX_INT_DIGITS` digits, or
        ``NaN`` / ``Infinity`` (not JSON).

    """
    limits = current_limits()

    def parse_int(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.max_int_digits:
            raise _BigInt(digits)
        return int(digits)

    def parse_constant(word: str) -> Any:
        raise _BadConstant(word)

    decoder = json.JSONDecoder(parse_int=parse_int, parse_constant=parse_constant)
    documents: list[Any] = []
    index = _skip_ws(text, 0)
    try:
        while index < len(text):
            value, end = decoder.raw_decode(text, index)
            documents.append(value)
            index = _skip_ws(text, end)
            if not multiple:
                break
    except json.JSONDecodeError as exc:
        raise _fail(name, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except _BigInt as exc:
        line, column = _position(text, max(text.find(exc.digits), 0))
        raise _fail(name, f"a number with {len(exc.digits.lstrip('-')):,} digits; the limit is "
                    f"{limits.max_int_digits}", line, column) from None
    except _BadConstant as exc:
        line, column = _position(text, max(text.find(exc.word), 0))
        raise _fail(name, f"{exc.word} is not a JSON number", line, column) from None
    except RecursionError:
        line, column = _deep_position(text, limits.max_depth)
        raise _fail(name, f"nested more than {limits.max_depth} levels deep", line, column) from None
    if not documents:
        raise _fail(name, "the file is empty")
    if not multiple and index < len(text):
        line, column = _position(text, index)
        raise _fail(name, "more than one JSON document in the file (another starts here)", line, column)
    for document in documents:
        if _too_deep(document, limits.max_depth):
            line, column = _deep_position(text, limits.max_depth)
            raise _fail(name, f"nested more than {limits.max_depth} levels deep", line, column)
    return documents if multiple else documents[0]


def _skip_ws(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def read_json_file(path: str | os.PathLike[str], *, name: str | None = None, multiple: bool = False) -> Any:
    """Read and parse a JSON file (gzip unpacked) with every input limit.

    Raises
    ------
    InputError
        See :func:`read_text` and :func:`parse_json`.

    """
    label = name if name is not None else os.fspath(path)
    return parse_json(read_text(path, name=label), label, multiple=multiple)


# --------------------------------------------------------------------------- YAML


def read_yaml_file(path: str | os.PathLike[str], *, name: str | None = None) -> Any:
    """Read a YAML (or JSON) data file through the safe loader of :mod:`planner.catalogue.yamlsafe`.

    Parameters
    ----------
    path : str or PathLike
        The file.
    name : str, optional
        How the file is named in problems.

    Returns
    -------
    Any
        Plain data (``None`` for an empty file).

    Raises
    ------
    InputError
        With every located problem (size, type, encoding, syntax, depth, alias bombs).

    """
    from planner.catalogue.yamlsafe import MAX_FILE_BYTES as YAML_MAX
    from planner.catalogue.yamlsafe import decode_yaml_bytes, parse_yaml

    label = name if name is not None else os.fspath(path)
    raw = read_bytes(path, name=label, max_bytes=min(YAML_MAX, current_limits().max_file_bytes))
    text, problems = decode_yaml_bytes(raw, label)
    if text is None:
        raise InputError(problems)
    parsed, problems = parse_yaml(text, label)
    errors = [p for p in problems if p.is_error]
    if parsed is None or errors:
        raise InputError(errors or problems)
    return parsed.data


# --------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class CsvRow:
    """One data row of a CSV file: its line number and its cells by (normalised) column name."""

    line: int
    cells: dict[str, str]


def _column_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def read_csv_file(path: str | os.PathLike[str] | NamedBytes, *, name: str | None = None,
                  required: tuple[str, ...] = ()) -> tuple[tuple[str, ...], list[CsvRow]]:
    """Read a CSV file with a header row (comma, semicolon or tab separated) within the limits.

    Column names are normalised (lower case, spaces and hyphens as ``_``); cells are
    stripped; blank lines are skipped.

    Parameters
    ----------
    path : str, PathLike or NamedBytes
        The file (gzip unpacked).
    name : str, optional
        How the file is named in problems.
    required : tuple of str
        Columns that must be present (normalised names).

    Returns
    -------
    tuple
        The column names, and the data rows with their line numbers.

    Raises
    ------
    InputError
        Located at the line: size, encoding, quoting, a row longer than the header, too
        many rows, columns or characters in a field, a missing or repeated column.
    """
    import csv
    import io

    label = name if name is not None else _label(path)
    text = read_text(path, name=label)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: tuple[str, ...] | None = None
    rows: list[CsvRow] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if any(len(c) > MAX_CSV_FIELD for c in cells):
                raise _fail(label, f"a field is longer than {MAX_CSV_FIELD:,} characters", line)
            if header is None:
                header = _header(label, cells, required, line)
                continue
            if len(cells) > len(header):
                raise _fail(label, f"{len(cells)} fields, but the header names {len(header)} columns", line)
            if len(rows) >= MAX_CSV_ROWS:
                raise _fail(label, f"more than {MAX_CSV_ROWS:,} rows", line)
            rows.append(CsvRow(line, {k: v.strip() for k, v in zip(header, cells, strict=False)}))
    except csv.Error as exc:
        raise _fail(label, f"not valid CSV: {exc}", reader.line_num) from None
    if header is None:
        raise _fail(label, "the file is empty: expected a header row with " + ", ".join(required or ("columns",)), 1)
    return header, rows


def _header(label: str, cells: list[str], required: tuple[str, ...], line: int) -> tuple[str, ...]:
    names = tuple(_column_name(c) for c in cells)
    if len(names) > MAX_CSV_COLUMNS:
        raise _fail(label, f"{len(names)} columns; at most {MAX_CSV_COLUMNS:,} are read", line)
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise _fail(label, "column named more than once: " + ", ".join(twice), line)
    missing = [c for c in required if c not in names]
    if missing:
        raise _fail(label, "missing column" + ("s" if len(missing) > 1 else "") + ": " + ", ".join(missing)
                    + f" (the header has {', '.join(n for n in names if n) or 'none'})", line)
    return names
