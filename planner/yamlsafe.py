"""Safe YAML reading that keeps the position of every key and list item.

The catalogue loader needs two things PyYAML's ``safe_load`` does not give: the line of
each value (so that a validation error says ``file:line``) and hard limits against
hostile input. This module builds plain Python data straight from the parser's event
stream, without recursion, and enforces:

* only plain YAML data: strings, numbers, booleans, null, dates, lists, mappings
  (any other tag, such as ``!!python/object``, is rejected);
* a size limit per file (:data:`MAX_FILE_BYTES`), a nesting limit
  (:data:`MAX_DEPTH`), a limit on alias uses (:data:`MAX_ALIASES`) and on the number of
  values after expanding aliases (:data:`MAX_NODES`), which defeats "billion laughs";
* UTF-8 text (a file in another encoding is reported as such, with the line);
* no duplicate keys in a mapping (PyYAML silently keeps the last one).

Positions are recorded in a flat mapping from a *path* (a tuple of keys and list indices,
e.g. ``("credentials", 3, "teaches", 0, "level")``) to a 1-based ``(line, column)``.
For a mapping entry the position is that of its key; for a list item, of the item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from planner._errors import Problem

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "ParsedYaml",
    "Path_",
    "decode_yaml_bytes",
    "parse_yaml",
]

#: Largest accepted catalogue file (bytes). Real catalogue files are far smaller.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deepest accepted nesting of lists and mappings (a catalogue needs about 12).
MAX_DEPTH = 100
#: Most alias uses (``*name``) accepted in one file.
MAX_ALIASES = 10_000
#: Most values in one file once aliases are expanded (guards against alias bombs).
MAX_NODES = 5_000_000

Path_ = tuple[Any, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_SEQ_TAG = _TAG + "seq"
_MAP_TAG = _TAG + "map"
_MERGE_TAG = _TAG + "merge"
_STR_TAG = _TAG + "str"


@dataclass(frozen=True)
class ParsedYaml:
    """A parsed YAML file: its data and the position of every key and item.

    Attributes
    ----------
    data : Any
        Plain Python data (dict, list, str, int, float, bool, None, date, datetime);
        ``None`` for an empty file.
    positions : Mapping
        Path tuple -> 1-based ``(line, column)``; the empty path is the document start.

    """

    data: Any
    positions: Mapping[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_) -> tuple[int | None, int | None]:
        """Position of ``path``, or of its deepest ancestor that has one.

        Parameters
        ----------
        path : tuple
            Keys and list indices from the document root.

        Returns
        -------
        tuple of (int or None, int or None)
            1-based line and column, ``(None, None)`` when nothing is known.

        """
        path = tuple(path)
        while True:
            pos = self.positions.get(path)
            if pos is not None:
                return pos
            if not path:
                return (None, None)
            path = path[:-1]


class _Limit(Exception):
    """Raised inside the builder when a hard limit is hit (ends parsing of the file)."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def decode_yaml_bytes(data: bytes, name: str) -> tuple[str | None, list[Problem]]:
    """Decode a catalogue file as UTF-8, reporting other encodings plainly.

    Parameters
    ----------
    data : bytes
        Raw file content.
    name : str
        File name used in problems.

    Returns
    -------
    tuple of (str or None, list of Problem)
        The text (``None`` when it cannot be decoded) and the problems found.

    """
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(name, None, None, "",
                              f"file is larger than the limit of {MAX_FILE_BYTES:,} bytes "
                              "(split it into several files)")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(name, 1, 1, "", "file is UTF-16 encoded; save it as UTF-8")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        return None, [Problem(name, line, column, "",
                              f"file is not valid UTF-8 (byte 0x{data[start]:02x} at line {line}, "
                              f"column {column}); save it as UTF-8")]


class _Builder:
    """Turns a parser event stream into data + positions without recursion."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded size)
        self.open_anchors: set[str] = set()
        self.aliases = 0
        self.nodes = 0
        self.constructor = SafeConstructor()
        self.plain: dict[str, tuple[str, Any]] = {}  # plain scalar text -> (tag, value)
        # stack frames: [kind, container, path, anchor, size, pending_key, key_pos, merges, mark]
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.root_seen = False

    # ------------------------------------------------------------------ helpers

    def _problem(self, mark: Any, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.name, mark.line + 1, mark.column + 1, _dotted(path), message))

    def _count(self, size: int, mark: Any) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise _Limit(f"more than {MAX_NODES:,} values once aliases are expanded; aliases that "
                         "multiply data this way are refused (alias bomb)", mark.line + 1, mark.column + 1)

    def _child_path(self, mark: Any) -> Path_ | None:
        """Path of the value being added to the innermost container (None for a key)."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if frame[0] == "seq":
            return (*frame[2], len(frame[1]))
        if frame[5] is _NO_KEY:
            return None  # this value is a mapping key
        return (*frame[2], frame[5])

    def _add(self, value: Any, size: int, mark: Any, anchor: str | None, is_merge_key: bool = False) -> None:
        """Attach a finished value to its parent (or make it the root)."""
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.root, self.root_seen = value, True
            return
        frame = self.stack[-1]
        frame[4] += size
        if frame[0] == "seq":
            frame[1].append(value)
            return
        if frame[5] is _NO_KEY:  # value is a key
            if is_merge_key:
                frame[5], frame[6] = _MERGE, mark
                return
            if isinstance(value, (dict, list)):
                self._problem(mark, frame[2], "a key must be a plain value, not a list or mapping")
                value = repr(value)
            elif isinstance(value, dt.datetime | dt.date | float) or value is None:
                value = str(value) if value is not None else "null"
            frame[5], frame[6] = value, mark
            self.positions.setdefault((*frame[2], value), self._pos(mark))
            return
        key, key_mark = frame[5], frame[6]
        frame[5] = _NO_KEY
        if key is _MERGE:
            frame[7].append((value, key_mark))
            return
        if key in frame[1]:
            first = self.positions.get((*frame[2], key))
            where = f" (first at line {first[0]})" if first else ""
            self._problem(key_mark, (*frame[2], key), f"duplicate key '{key}'{where}; keep only one")
            return
        frame[1][key] = value

    # ------------------------------------------------------------------ events

    def scalar(self, event: ScalarEvent, resolver: Any) -> None:
        tag = event.tag
        value: Any
        if tag is None and event.implicit[0]:
            # plain scalar: resolve and construct once per distinct text (hot path)
            cached = self.plain.get(event.value)
            if cached is None:
                tag = resolver.resolve(ScalarNode, event.value, event.implicit)
                cached = (tag, self._construct(tag, event))
                if len(self.plain) < 100_000:
                    self.plain[event.value] = cached
            tag, value = cached
        elif tag is None or tag == "!":
            tag, value = _STR_TAG, event.value  # quoted or block text
        elif tag in _SCALAR_TAGS:
            value = self._construct(tag, event)
        else:
            self._problem(event.start_mark, self._child_path(event.start_mark) or (),
                          f"tag '{_short_tag(tag)}' is not allowed: only plain YAML values (text, numbers, "
                          "true/false, null, dates) are accepted")
            tag, value = None, None
        mark = event.start_mark
        stack = self.stack
        if stack and stack[-1][0] == "seq":  # inline of _record for speed
            frame = stack[-1]
            self.positions[(*frame[2], len(frame[1]))] = (mark.line + 1, mark.column + 1)
        elif not stack:
            self.positions.setdefault((), (mark.line + 1, mark.column + 1))
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._count(0, mark)
        is_merge = tag == _MERGE_TAG and bool(stack) and stack[-1][0] == "map" and stack[-1][5] is _NO_KEY
        self._add(value, 1, mark, event.anchor, is_merge_key=is_merge)

    def _construct(self, tag: str, event: ScalarEvent) -> Any:
        if tag in (_STR_TAG, _MERGE_TAG):
            return event.value
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            return self.constructor.yaml_constructors[tag](self.constructor, node)
        except (ConstructorError, ValueError) as exc:
            self._problem(event.start_mark, self._child_path(event.start_mark) or (),
                          f"cannot read value {event.value!r}: {exc}")
            return None

    def _pos(self, mark: Any) -> tuple[int, int]:
        return (mark.line + 1, mark.column + 1)

    def _record(self, mark: Any) -> None:
        """Remember where a list item or the root starts (mapping keys are recorded in _add)."""
        if not self.stack:
            self.positions.setdefault((), self._pos(mark))
        elif self.stack[-1][0] == "seq":
            frame = self.stack[-1]
            self.positions[(*frame[2], len(frame[1]))] = self._pos(mark)

    def start(self, event: SequenceStartEvent | MappingStartEvent) -> None:
        kind = "seq" if isinstance(event, SequenceStartEvent) else "map"
        if len(self.stack) >= MAX_DEPTH:
            raise _Limit(f"nested more than {MAX_DEPTH} levels deep", event.start_mark.line + 1,
                         event.start_mark.column + 1)
        path = self._child_path(event.start_mark)
        expected = _SEQ_TAG if kind == "seq" else _MAP_TAG
        if event.tag not in (None, "!", expected):
            self._problem(event.start_mark, path or (), f"tag '{_short_tag(event.tag)}' is not allowed: only plain "
                          "YAML lists and mappings are accepted")
        self._record(event.start_mark)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self._count(1, event.start_mark)
        container: Any = [] if kind == "seq" else {}
        real_path = path if path is not None else ("<key>",)
        self.stack.append([kind, container, real_path, event.anchor, 1, _NO_KEY, None, [], event.start_mark])

    def end(self) -> None:
        kind, container, path, anchor, size, _key, _kmark, merges, mark = self.stack.pop()
        if kind == "map" and merges:
            for value, merge_mark in merges:
                for source in value if isinstance(value, list) else [value]:
                    if not isinstance(source, dict):
                        self._problem(merge_mark, path, "'<<' (merge) needs a mapping or a list of mappings")
                        continue
                    for key, item in source.items():
                        container.setdefault(key, item)
        if anchor is not None:
            self.open_anchors.discard(anchor)
        self._add(container, size, mark, anchor)

    def alias(self, event: AliasEvent) -> None:
        self.aliases += 1
        mark = event.start_mark
        if self.aliases > MAX_ALIASES:
            raise _Limit(f"more than {MAX_ALIASES:,} aliases (*name) in one file", mark.line + 1,
                         mark.column + 1)
        path = self._child_path(mark)
        if event.anchor in self.open_anchors:
            raise _Limit(f"alias *{event.anchor} refers to the list or mapping it is inside (a loop)",
                         mark.line + 1, mark.column + 1)
        if event.anchor not in self.anchors:
            self._problem(mark, path or (), f"alias *{event.anchor} has no matching anchor &{event.anchor}")
            value, size = None, 1
        else:
            value, size = self.anchors[event.anchor]
        self._record(mark)
        self._count(size, mark)
        self._add(value, size, mark, None)


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NO_KEY = _Marker("<no key>")
_MERGE = _Marker("<merge>")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, name: str) -> tuple[ParsedYaml | None, list[Problem]]:
    """Parse one YAML document safely, keeping positions.

    Parameters
    ----------
    text : str
        The document (already decoded; see :func:`decode_yaml_bytes`).
    name : str
        File name used in problems.

    Returns
    -------
    tuple of (ParsedYaml or None, list of Problem)
        The parsed file (``None`` when it could not be read at all) and every problem
        found; parsing goes on after problems that do not make the rest unreadable.

    """
    builder = _Builder(name)
    loader = _Loader(text)
    documents = 0
    try:
        scalar, get_event = builder.scalar, loader.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                scalar(event, loader)
            elif kind is AliasEvent:
                builder.alias(event)
            elif kind is SequenceStartEvent or kind is MappingStartEvent:
                builder.start(event)
            elif kind is SequenceEndEvent or kind is MappingEndEvent:
                builder.end()
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    return None, [Problem(name, mark.line + 1, mark.column + 1, "",
                                          "file holds more than one YAML document ('---'); "
                                          "put each in its own file")]
            elif kind is StreamEndEvent:
                break
            elif kind is StreamStartEvent or kind is DocumentEndEvent:
                continue
    except _Limit as exc:
        return None, [*builder.problems, Problem(name, exc.line, exc.column, "", exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{what} ({exc.context}"
            if exc.context_mark is not None and exc.context_mark is not mark:
                what += f" at line {exc.context_mark.line + 1}"
            what += ")"
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        return None, [*builder.problems, Problem(name, line, column, "", f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:  # e.g. ReaderError for control characters
        position = getattr(exc, "position", None)
        line = column = None
        if isinstance(position, int):
            line = text.count("\n", 0, position) + 1
            column = position - (text.rfind("\n", 0, position) + 1) + 1
        reason = getattr(exc, "reason", None) or str(exc)
        return None, [*builder.problems, Problem(name, line, column, "", f"cannot read YAML: {reason}")]
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()
    builder.positions.setdefault((), (1, 1))
    return ParsedYaml(builder.root, builder.positions), builder.problems


def _short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` -> ``!!python/object`` (as it was written)."""
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _dotted(path: Path_) -> str:
    """``("credentials", 3, "teaches")`` -> ``credentials[3].teaches``."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
