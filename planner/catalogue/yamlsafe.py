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
from array import array
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
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


# A position is packed into one int, ``line << _SHIFT | column`` (both 1-based): one small
# object per key or item instead of a path tuple plus a pair, which is what made large
# catalogues cost gigabytes. Columns stay below 2**24 because files are at most 5 MB.
_SHIFT = 24
_COL_MASK = (1 << _SHIFT) - 1

# A position table belongs to one list or mapping: an ``array`` of packed positions in
# item (or key insertion) order, or ``(array, {index: child table})`` when some values
# are lists or mappings with positions of their own. Values reached through an alias
# get no child table, so their inner paths fall back to the alias position.
_Table = array | tuple[array, dict[int, Any]]


def _unpack(packed: int) -> tuple[int, int]:
    return (packed >> _SHIFT, packed & _COL_MASK)


class ParsedYaml:
    """A parsed YAML file: its data and the position of every key and item.

    Parameters
    ----------
    data : Any
        Plain Python data (dict, list, str, int, float, bool, None, date, datetime);
        ``None`` for an empty file.
    root_position : tuple of (int, int), optional
        1-based position of the document's top value.
    table : list or dict, optional
        Internal position table of the top value (built by :func:`parse_yaml`).

    Notes
    -----
    For a mapping entry the position is that of its key; for a list item, of the item.
    Values reached through an alias or a ``<<`` merge have the position of the alias
    or of the mapping that merges them.

    """

    __slots__ = ("_root", "_table", "data")

    def __init__(self, data: Any, root_position: tuple[int, int] = (1, 1),
                 table: _Table | None = None) -> None:
        self.data = data
        self._root = (root_position[0] << _SHIFT) | root_position[1]
        self._table = table

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
        best, table, data = self._root, self._table, self.data
        for part in path:
            if table is None:
                break
            index = _index_of(data, part)
            if index is None:
                break
            positions, kids = table if type(table) is tuple else (table, None)
            if index >= len(positions):  # a key added by a '<<' merge
                break
            best = positions[index]
            table = kids.get(index) if kids else None
            data = data[part]
        return _unpack(best)

    @property
    def positions(self) -> dict[Path_, tuple[int, int]]:
        """Every known position as a flat ``path -> (line, column)`` mapping (built on demand)."""
        out: dict[Path_, tuple[int, int]] = {(): _unpack(self._root)}
        todo: list[tuple[Path_, Any, _Table]] = []
        if self._table is not None:
            todo.append(((), self.data, self._table))
        while todo:
            prefix, data, table = todo.pop()
            positions, kids = table if type(table) is tuple else (table, None)
            keys = range(len(data)) if isinstance(data, list) else list(data)
            for index, packed in enumerate(positions):
                key = keys[index]
                out[(*prefix, key)] = _unpack(packed)
                if kids and index in kids:
                    todo.append(((*prefix, key), data[key], kids[index]))
        return out


def _index_of(data: Any, part: Any) -> int | None:
    """Index of ``part`` in a list, or insertion index of key ``part`` in a mapping."""
    if isinstance(data, list):
        return part if type(part) is int and 0 <= part < len(data) else None
    if not isinstance(data, dict):
        return None
    try:
        if part not in data:
            return None
    except TypeError:  # an unhashable path part cannot be a key
        return None
    for index, key in enumerate(data):  # error path only: mappings are small
        if key == part:
            return index
    return None


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


# Stack frame slots (a list per open list/mapping; indexing a list is the cheapest access).
_SEQ, _CONT, _PATH, _ANCHOR, _SIZE, _KEY, _KMARK, _MERGES, _POS, _TABLE, _KIDS = range(11)


class _Builder:
    """Turns a parser event stream into data + positions without recursion."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded size)
        self.open_anchors: set[str] = set()
        self.aliases = 0
        self.nodes = 0
        self.constructor = SafeConstructor()
        self.plain: dict[str, tuple[str, Any]] = {}  # plain scalar text -> (tag, value)
        # frames: [is_seq, container, path, anchor, size, pending_key, key_mark, merges,
        #          own packed position, position array, {index: child table} or None]
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.root_pos: int | None = None
        self.root_table: _Table | None = None

    # ------------------------------------------------------------------ helpers

    def _problem(self, mark: Any, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.name, mark.line + 1, mark.column + 1, _dotted(path), message))

    def _count(self, size: int, mark: Any) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise _Limit(f"more than {MAX_NODES:,} values once aliases are expanded; aliases that "
                         "multiply data this way are refused (alias bomb)", mark.line + 1, mark.column + 1)

    def _child_path(self) -> Path_ | None:
        """Path of the value being added to the innermost container (None for a key)."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if frame[_SEQ]:
            return (*frame[_PATH], len(frame[_CONT]))
        if frame[_KEY] is _NO_KEY:
            return None  # this value is a mapping key
        return (*frame[_PATH], frame[_KEY])

    def _add(self, value: Any, size: int, mark: Any, pos: int, anchor: str | None,
             table: _Table | None = None, is_merge_key: bool = False) -> None:
        """Attach a finished value and its position to its parent (or make it the root)."""
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.root = value
            if self.root_pos is None:
                self.root_pos, self.root_table = pos, table
            return
        frame = self.stack[-1]
        frame[_SIZE] += size
        if frame[_SEQ]:
            if table is not None:
                _kids(frame)[len(frame[_CONT])] = table
            frame[_CONT].append(value)
            frame[_TABLE].append(pos)
            return
        if frame[_KEY] is _NO_KEY:  # value is a key
            if is_merge_key:
                frame[_KEY], frame[_KMARK] = _MERGE, mark
                return
            if isinstance(value, (dict, list)):
                self._problem(mark, frame[_PATH], "a key must be a plain value, not a list or mapping")
                value = repr(value)
            elif isinstance(value, dt.datetime | dt.date | float) or value is None:
                value = str(value) if value is not None else "null"
            frame[_KEY], frame[_KMARK] = value, mark
            if value not in frame[_CONT]:  # a duplicate keeps the first key's position
                frame[_TABLE].append(pos)
            return
        key, key_mark = frame[_KEY], frame[_KMARK]
        frame[_KEY] = _NO_KEY
        if key is _MERGE:
            if frame[_MERGES] is None:
                frame[_MERGES] = []
            frame[_MERGES].append((value, key_mark))
            return
        container = frame[_CONT]
        if key in container:
            first = frame[_TABLE][_index_of(container, key) or 0]
            self._problem(key_mark, (*frame[_PATH], key),
                          f"duplicate key '{key}' (first at line {first >> _SHIFT}); keep only one")
            return
        if table is not None:
            _kids(frame)[len(container)] = table
        container[key] = value

    # ------------------------------------------------------------------ events

    def odd_scalar(self, event: ScalarEvent) -> tuple[str | None, Any]:
        """Tag and value of a scalar that is not plain text (quoted, block or tagged)."""
        tag = event.tag
        if tag is None or tag == "!":
            return _STR_TAG, event.value  # quoted or block text
        if tag in _SCALAR_TAGS:
            return tag, self._construct(tag, event)
        self._problem(event.start_mark, self._child_path() or (),
                      f"tag '{_short_tag(tag)}' is not allowed: only plain YAML values (text, numbers, "
                      "true/false, null, dates) are accepted")
        return None, None

    def plain_scalar(self, event: ScalarEvent, resolver: Any) -> tuple[str, Any]:
        """Resolve and construct a plain scalar, caching by its text."""
        tag = resolver.resolve(ScalarNode, event.value, event.implicit)
        cached = (tag, self._construct(tag, event))
        if len(self.plain) < 100_000:
            self.plain[event.value] = cached
        return cached

    def _construct(self, tag: str, event: ScalarEvent) -> Any:
        if tag in (_STR_TAG, _MERGE_TAG):
            return event.value
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            return self.constructor.yaml_constructors[tag](self.constructor, node)
        except (ConstructorError, ValueError) as exc:
            self._problem(event.start_mark, self._child_path() or (),
                          f"cannot read value {event.value!r}: {exc}")
            return None

    def start(self, event: SequenceStartEvent | MappingStartEvent) -> None:
        is_seq = type(event) is SequenceStartEvent
        mark = event.start_mark
        if len(self.stack) >= MAX_DEPTH:
            raise _Limit(f"nested more than {MAX_DEPTH} levels deep", mark.line + 1, mark.column + 1)
        path = self._child_path()
        expected = _SEQ_TAG if is_seq else _MAP_TAG
        if event.tag not in (None, "!", expected):
            self._problem(mark, path or (), f"tag '{_short_tag(event.tag)}' is not allowed: only plain "
                          "YAML lists and mappings are accepted")
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self._count(1, mark)
        real_path = path if path is not None else ("<key>",)
        self.stack.append([is_seq, [] if is_seq else {}, real_path, event.anchor, 1, _NO_KEY, None, None,
                           ((mark.line + 1) << _SHIFT) | (mark.column + 1), array("q"), None])

    def end(self) -> None:
        is_seq, container, path, anchor, size, _key, _kmark, merges, pos, positions, kids = self.stack.pop()
        if not is_seq and merges:
            for value, merge_mark in merges:
                for source in value if isinstance(value, list) else [value]:
                    if not isinstance(source, dict):
                        self._problem(merge_mark, path, "'<<' (merge) needs a mapping or a list of mappings")
                        continue
                    for key, item in source.items():
                        container.setdefault(key, item)
        if anchor is not None:
            self.open_anchors.discard(anchor)
        mark = _PackedMark(pos)
        self._add(container, size, mark, pos, anchor, positions if kids is None else (positions, kids))

    def alias(self, event: AliasEvent) -> None:
        self.aliases += 1
        mark = event.start_mark
        if self.aliases > MAX_ALIASES:
            raise _Limit(f"more than {MAX_ALIASES:,} aliases (*name) in one file", mark.line + 1,
                         mark.column + 1)
        path = self._child_path()
        if event.anchor in self.open_anchors:
            raise _Limit(f"alias *{event.anchor} refers to the list or mapping it is inside (a loop)",
                         mark.line + 1, mark.column + 1)
        if event.anchor not in self.anchors:
            self._problem(mark, path or (), f"alias *{event.anchor} has no matching anchor &{event.anchor}")
            value, size = None, 1
        else:
            value, size = self.anchors[event.anchor]
        self._count(size, mark)
        self._add(value, size, mark, ((mark.line + 1) << _SHIFT) | (mark.column + 1), None)

    def run(self, loader: Any, name: str) -> list[Problem] | None:
        """Consume the event stream; return problems that end the file early, else None.

        Kept as one loop on purpose: it runs once per YAML event, and the fast paths for
        scalars, nested containers and their ends are inlined (with locals bound once)
        because this is the loader's hot path: a method call per event would add to every
        catalogue load.
        The slow cases (anchors, tags, merges, keys that are containers) go to
        :meth:`start`, :meth:`end`, :meth:`alias` and ``_add``.
        """
        get_event, resolver = loader.get_event, loader
        stack, plain, no_key = self.stack, self.plain, _NO_KEY
        documents = 0
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                # hot path: inline of _add for a scalar in a list or a mapping
                if event.tag is None and event.implicit[0]:
                    tag, value = plain.get(event.value) or self.plain_scalar(event, resolver)
                else:
                    tag, value = self.odd_scalar(event)
                mark = event.start_mark
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    self._count(0, mark)
                if event.anchor is not None or not stack:
                    pos = ((mark.line + 1) << _SHIFT) | (mark.column + 1)
                    self._add(value, 1, mark, pos, event.anchor,
                              is_merge_key=tag == _MERGE_TAG and bool(stack) and not stack[-1][_SEQ]
                              and stack[-1][_KEY] is no_key)
                    continue
                frame = stack[-1]
                frame[_SIZE] += 1
                if frame[_SEQ]:
                    frame[_CONT].append(value)
                    frame[_TABLE].append(((mark.line + 1) << _SHIFT) | (mark.column + 1))
                elif frame[_KEY] is no_key:
                    if type(value) is str and tag != _MERGE_TAG:
                        frame[_KEY], frame[_KMARK] = value, mark
                        if value not in frame[_CONT]:  # a duplicate keeps the first position
                            frame[_TABLE].append(((mark.line + 1) << _SHIFT) | (mark.column + 1))
                    else:
                        frame[_SIZE] -= 1  # _add counts it
                        self._add(value, 1, mark, ((mark.line + 1) << _SHIFT) | (mark.column + 1), None,
                                  is_merge_key=tag == _MERGE_TAG)
                else:
                    key = frame[_KEY]
                    container = frame[_CONT]
                    if key is _MERGE or key in container:
                        frame[_SIZE] -= 1  # _add counts it
                        self._add(value, 1, mark, 0, None)
                    else:
                        frame[_KEY] = no_key
                        container[key] = value
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                # fast path: an untagged, unanchored list or mapping inside another one
                if event.anchor is not None or event.tag is not None or not stack \
                        or len(stack) >= MAX_DEPTH or self.nodes >= MAX_NODES:
                    self.start(event)
                    continue
                frame = stack[-1]
                if frame[_SEQ]:
                    path = (*frame[_PATH], len(frame[_CONT]))
                elif frame[_KEY] is not no_key:
                    path = (*frame[_PATH], frame[_KEY])
                else:
                    self.start(event)  # a list or mapping used as a key
                    continue
                self.nodes += 1
                mark = event.start_mark
                is_seq = kind is SequenceStartEvent
                stack.append([is_seq, [] if is_seq else {}, path, None, 1, no_key, None, None,
                              ((mark.line + 1) << _SHIFT) | (mark.column + 1), array("q"), None])
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                # fast path: attach a finished list or mapping to its parent list or to a
                # new key of its parent mapping (anchors, merges, duplicates go to end())
                done = stack[-1]
                if len(stack) > 1 and done[_ANCHOR] is None and done[_MERGES] is None:
                    frame = stack[-2]
                    key = frame[_KEY]
                    container = frame[_CONT]
                    if frame[_SEQ] or (key is not no_key and key is not _MERGE and key not in container):
                        stack.pop()
                        kids = frame[_KIDS]
                        if kids is None:
                            kids = frame[_KIDS] = {}
                        kids[len(container)] = done[_TABLE] if done[_KIDS] is None else (done[_TABLE], done[_KIDS])
                        frame[_SIZE] += done[_SIZE]
                        if frame[_SEQ]:
                            container.append(done[_CONT])
                            frame[_TABLE].append(done[_POS])
                        else:
                            container[key] = done[_CONT]
                            frame[_KEY] = no_key
                        continue
                self.end()
            elif kind is AliasEvent:
                self.alias(event)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    return [Problem(name, mark.line + 1, mark.column + 1, "",
                                    "file holds more than one YAML document ('---'); "
                                    "put each in its own file")]
            elif kind is StreamEndEvent:
                return None


def _kids(frame: list[Any]) -> dict[int, Any]:
    """The child-table dict of a frame, made on first use (most containers need none)."""
    if frame[_KIDS] is None:
        frame[_KIDS] = {}
    return frame[_KIDS]


class _PackedMark:
    """A minimal stand-in for a PyYAML mark, made from a packed position (0-based fields)."""

    __slots__ = ("column", "line")

    def __init__(self, packed: int) -> None:
        self.line = (packed >> _SHIFT) - 1
        self.column = (packed & _COL_MASK) - 1


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
    # The C parser (libyaml) only produces events; composition, depth and alias limits
    # stay here in Python, so deep nesting gives a located error, never a C stack overflow.
    loader = _Loader(text)
    try:
        stop = builder.run(loader, name)
        if stop is not None:
            return None, stop
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
    root = _unpack(builder.root_pos) if builder.root_pos is not None else (1, 1)
    return ParsedYaml(builder.root, root, builder.root_table), builder.problems


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
