"""Validate a build: in full, or only the changed files against what the store holds.

A full validation is the loader's (:mod:`planner.catalogue.loader`). The incremental one gives
the same problems (``file:line: field: message``) and the same verdict while reading only
the changed files, plus the few unchanged files whose verdict a change can alter
("rechecked" files), and asking the store the rest by indexed queries. It relies on the
store holding the last successful build: every stored item passed every check then, and
each built file's problems (warnings) are kept (:mod:`planner.store.catalogue.buildstate`).

Below, *old sources* are the changed and removed files (their stored items are replaced);
*gone* ids were defined in old sources and are defined by no valid changed item now;
*touched* ids are gone or are defined by a changed item whose stored form differs (or
which shadows another file's item). The loader's checks that reach beyond one item, and
how each is answered:

reading, shapes
    Per file: the changed files are read and validated item by item (pydantic) exactly as
    the loader does; an unchanged file's reading problems are stored. When a changed file
    is unreadable the loader skips the meaning checks, and so does this.
meta (level scale, currencies, only one meta)
    Every level and cost depends on it: unless the changed files hold exactly the stored
    meta, in the file it came from, the build validates in full.
duplicate ids
    Changed items' ids are looked up in the store; an unchanged file holding one is
    rechecked, so the loader's duplicate check sees every copy in catalogue order.
references (providers, competencies, 'broader', teaches, requires, award rules,
recognitions, role needs, ``equivalent_to``)
    A changed or rechecked item resolves each id against the changed items first, then
    the store without old sources. Unchanged items that name a *gone* id are rechecked:
    found through the reference tables (``requires``, ``teaches``, ``role_needs``,
    ``award_components``, ``competencies.broader``, ``recognitions.*``, ``credentials.provider``)
    and, for ``equivalent_to`` (no column), by a scan of agreements that have one.
EU elements (``quality_assurance`` falls back to the provider's)
    Credentials of a *touched* provider are rechecked.
award rules (credit pools reachable with the members' ECTS and recognised credits;
components exist, are not the award itself)
    Awards naming a *touched* credential are rechecked, and awards of every changed or
    removed agreement; a rechecked award also counts the agreements of unchanged files,
    in catalogue order.
agreements (award has rules, the pool exists, ``equivalent_to`` is a component)
    Agreements towards a *touched* award are rechecked.
prerequisite cycles
    The old graph had none, so a cycle uses an edge of a changed credential: the search
    covers what the changed credentials reach (their edges from the check, the store's
    ``requires`` and ``award_components`` beyond) and reports as the loader does, the
    reporting edge read from its file when it lies in an unchanged one.
'broader' circles
    Likewise a circle holds a changed competency: the 'broader' chain of each changed
    competency is walked, and each circle found is reported with every competency whose
    chain leads into it (found through ``competencies.broader``), as the loader does.
"did you mean"
    Suggestions come from every id of the kind (read from the store only when an id is
    unknown). The loader spends a fixed budget of slow comparisons across the whole
    catalogue in checking order; an incremental build spends it on fewer references, so
    in a catalogue with very many unknown ids a hint may differ (never a verdict).

A problem located at an item of an unchanged file that is not rechecked (the report of
a cycle) reads that file to find the line.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Table, select

from planner._errors import Problem
from planner.catalogue.loader import (
    _KIND,
    SECTIONS,
    _check_broader_cycles,
    _check_items,
    _cycle_paths,
    _Edge,
    _Ids,
    _index_ids,
    _Item,
    _read_source,
    _run_sources,
    _State,
)
from planner.catalogue.models import (
    CatalogueMeta,
    Competency,
    Credential,
    Provider,
    RecognitionAgreement,
    Role,
    rule_credentials,
)
from planner.store.catalogue import schema as t
from planner.store.catalogue.buildstate import FileProblems
from planner.store.catalogue.writer import to_doc

__all__ = ["Outcome", "validate_all", "validate_changes"]

#: Ids per ``IN (…)`` query.
CHUNK = 500

_TABLE: dict[str, Table] = {"provider": t.providers, "competency": t.competencies, "credential": t.credentials,
                            "role": t.roles, "recognition": t.recognitions}
_MODEL: dict[str, type[BaseModel]] = {"provider": Provider, "competency": Competency, "credential": Credential,
                                      "role": Role, "recognition": RecognitionAgreement}
_SECTION = {kind: section for section, kind in _KIND.items()}


@dataclass(frozen=True)
class Outcome:
    """A validation's verdict, with what a build writes.

    Attributes
    ----------
    problems : tuple of Problem
        Every problem, in the loader's order (file, line, column).
    items : dict
        Changed file -> its items in section order (only when there is no error).
    files : dict
        Problems to store for each file validated now (changed and rechecked files).
    rechecked : tuple of str
        Unchanged files checked again (empty for a full validation).
    full : bool
        True when every file was validated.
    meta : tuple of (str, CatalogueMeta) or None
        The file holding the catalogue's meta and the meta, when that file is written.
    """

    problems: tuple[Problem, ...]
    items: dict[str, list[BaseModel]] = field(default_factory=dict)
    files: dict[str, FileProblems] = field(default_factory=dict)
    rechecked: tuple[str, ...] = ()
    full: bool = False
    meta: tuple[str, CatalogueMeta] | None = None

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return not any(p.is_error for p in self.problems)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _ordered(problems: Iterable[Problem], rank: Mapping[str, int]) -> tuple[Problem, ...]:
    # the loader's order: stable, by file, line, column
    return tuple(sorted(problems, key=lambda p: (rank.get(p.file, -1), p.line or 0, p.column or 0)))


def _items_by_file(state: _State, names: Iterable[str]) -> dict[str, list[BaseModel]]:
    wanted = set(names)
    out: dict[str, list[BaseModel]] = {name: [] for name in wanted}
    for section in SECTIONS:
        if section == "meta":
            continue
        for item in state.items[section]:
            if item.file in wanted:
                out[item.file].append(item.model)
    return out


# --------------------------------------------------------------------------- full


def validate_all(sources: Mapping[str, bytes], changed: Iterable[str], *, strict: bool) -> Outcome:
    """Validate every file with the loader (what an incremental build must equal).

    Parameters
    ----------
    sources : mapping of str to bytes
        Every file of the catalogue.
    changed : iterable of str
        Files whose items are to be written.
    strict : bool
        Missing EU standard elements are errors.

    Returns
    -------
    Outcome
        With ``files`` for every file.
    """
    names = sorted(sources)
    rank = {name: i for i, name in enumerate(names)}
    was_enabled = gc.isenabled()
    gc.disable()  # as the loader: millions of small acyclic objects
    try:
        state, _ = _run_sources([(n, sources[n]) for n in names], [], strict=strict)
    finally:
        if was_enabled:
            gc.enable()
    reading = {id(p) for p in state.problems[:state.checks_from]}
    problems = _ordered(state.problems, rank)
    files: dict[str, tuple[list[Problem], list[Problem]]] = {name: ([], []) for name in names}
    for p in problems:
        if p.file in files:
            files[p.file][0 if id(p) in reading else 1].append(p)
    ok = not any(p.is_error for p in problems)
    meta = (state.meta_item.file, state.meta_item.model) if state.meta_item is not None else None
    return Outcome(problems=problems, items=_items_by_file(state, changed) if ok else {},
                   files={n: FileProblems(tuple(r), tuple(c)) for n, (r, c) in files.items()}, full=True,
                   meta=meta)


# --------------------------------------------------------------------------- the store's side


class _Stored:
    """An item of an unchanged file, answered from the store: its model, file and (read on demand) place."""

    __slots__ = ("_model", "_view", "doc", "file", "ident", "kind")

    def __init__(self, kind: str, ident: str, file: str, doc: str, view: _StoreView) -> None:
        self.kind, self.ident, self.file, self.doc, self._view = kind, ident, file, doc, view
        self._model: BaseModel | None = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = _MODEL[self.kind].model_validate(json.loads(self.doc))
        return self._model

    @property
    def label(self) -> str:
        return f"{_SECTION[self.kind]}[{self.ident}]"

    def where(self, *sub: Any) -> tuple[int | None, int | None]:
        item = self._view.read_item(self.kind, self.ident, self.file)
        return item.where(*sub) if item is not None else (None, None)


class _StoreView:
    """The store without the hidden files (old sources and rechecked files), by indexed queries."""

    def __init__(self, conn: Connection, hidden: set[str], contents: Mapping[str, bytes], strict: bool) -> None:
        self.conn, self.hidden, self.contents, self.strict = conn, hidden, contents, strict
        self._found: dict[tuple[str, str], _Stored | None] = {}
        self._all: dict[str, list[str]] = {}
        self._files: dict[str, _State] = {}

    def find(self, kind: str, ident: str) -> _Stored | None:
        key = (kind, ident)
        if key not in self._found:
            self.prefetch(kind, [ident])
        return self._found[key]

    def prefetch(self, kind: str, idents: Iterable[str]) -> None:
        """Look many ids up at once (the answers are kept)."""
        table = _TABLE[kind]
        todo = [i for i in set(idents) if (kind, i) not in self._found]
        for chunk in _chunks(todo):
            for key in chunk:
                self._found[(kind, key)] = None
            rows = self.conn.execute(select(table.c.id, table.c.source, table.c.doc).where(table.c.id.in_(chunk)))
            for ident, source, doc in rows:
                if source not in self.hidden:
                    self._found[(kind, ident)] = _Stored(kind, ident, source, doc, self)

    def all_ids(self, kind: str) -> list[str]:
        """Every visible id of a kind (only for "did you mean" hints)."""
        if kind not in self._all:
            table = _TABLE[kind]
            rows = self.conn.execute(select(table.c.id, table.c.source))
            self._all[kind] = [ident for ident, source in rows if source not in self.hidden]
        return self._all[kind]

    def read_item(self, kind: str, ident: str, file: str) -> _Item | None:
        """An unchanged file's item as the loader reads it (to locate a problem, or to list its edges)."""
        state = self._files.get(file)
        if state is None:
            state = _State(strict=self.strict)
            _read_source(state, file, self.contents.get(file, b""), None)
            self._files[file] = state
        return next((i for i in state.items[_SECTION[kind]] if i.model.id == ident), None)


class _Layered(MutableMapping[str, Any]):
    """``ids.first[kind]`` of the whole catalogue: the checked items first, then the store."""

    def __init__(self, kind: str, view: _StoreView) -> None:
        self.kind, self.view = kind, view
        self.local: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self.local:
            return self.local[key]
        found = self.view.find(self.kind, key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self.local or self.view.find(self.kind, key) is not None)

    def __setitem__(self, key: str, value: Any) -> None:
        self.local[key] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("the catalogue's ids are not deleted during a check")

    def __iter__(self) -> Iterator[str]:
        yield from self.local
        yield from (i for i in self.view.all_ids(self.kind) if i not in self.local)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# --------------------------------------------------------------------------- incremental


def _read_files(names: Sequence[str], sources: Mapping[str, bytes], strict: bool) -> dict[str, _State]:
    """Each file read alone (its items, reading problems and meta), in the given order."""
    out: dict[str, _State] = {}
    for name in names:
        state = _State(strict=strict)
        state.meta_item = _read_source(state, name, sources[name], None)
        out[name] = state
    return out


def _merge(states: Mapping[str, _State], rank: Mapping[str, int], strict: bool) -> _State:
    """One state of several files' items in catalogue order (section by section, file by file)."""
    merged = _State(strict=strict)
    for name in sorted(states, key=rank.__getitem__):
        one = states[name]
        merged.files.append(name)
        for section, items in one.items.items():
            merged.items[section].extend(items)
        for kind, broken in one.broken.items():
            merged.broken[kind] |= broken
    return merged


def _sources_of(conn: Connection, query: Any) -> set[str]:
    return {row[0] for row in conn.execute(query)}


def _rechecks(conn: Connection, changed_states: Mapping[str, _State], old: set[str],
              rank: Mapping[str, int]) -> set[str]:
    """Unchanged files whose verdict the change can alter (see the module's list)."""
    new_first: dict[str, dict[str, Any]] = defaultdict(dict)  # kind -> id -> first changed item
    for name in sorted(changed_states, key=rank.__getitem__):
        for section, items in changed_states[name].items.items():
            if section == "meta":
                continue
            for item in items:
                new_first[_KIND[section]].setdefault(item.model.id, item)
    old_docs: dict[str, dict[str, str]] = defaultdict(dict)
    old_awards: set[str] = set()
    for kind, table in _TABLE.items():
        for chunk in _chunks(old):
            if kind == "recognition":
                rows = conn.execute(select(table.c.id, table.c.doc, table.c.award).where(table.c.source.in_(chunk)))
                for ident, doc, award in rows:
                    old_docs[kind][ident] = doc
                    old_awards.add(award)
            else:
                for ident, doc in conn.execute(select(table.c.id, table.c.doc).where(table.c.source.in_(chunk))):
                    old_docs[kind][ident] = doc
    recheck: set[str] = set()
    shadowed: dict[str, set[str]] = defaultdict(set)
    for kind, table in _TABLE.items():  # duplicates of unchanged files' ids
        for chunk in _chunks(new_first[kind]):
            for ident, source in conn.execute(select(table.c.id, table.c.source).where(table.c.id.in_(chunk))):
                if source not in old:
                    recheck.add(source)
                    shadowed[kind].add(ident)
    gone = {kind: set(old_docs[kind]) - set(new_first[kind]) for kind in _TABLE}
    touched = {kind: gone[kind] | shadowed[kind] | {
        ident for ident, item in new_first[kind].items()
        if ident in old_docs[kind] and to_doc(item.model) != old_docs[kind][ident]} for kind in _TABLE}
    awards = old_awards | {item.model.award for s in changed_states.values() for item in s.items["recognitions"]}

    c, r, ro = t.credentials, t.recognitions, t.roles
    queries: list[tuple[set[str], Any]] = [
        # references to ids that are gone
        (gone["competency"], lambda ch: select(t.competencies.c.source).where(t.competencies.c.broader.in_(ch))),
        (gone["competency"], lambda ch: select(ro.c.source).join(t.role_needs, t.role_needs.c.role == ro.c.id)
         .where(t.role_needs.c.competency.in_(ch))),
        (gone["competency"], lambda ch: select(c.c.source).join(t.teaches, t.teaches.c.credential == c.c.id)
         .where(t.teaches.c.competency.in_(ch))),
        (gone["competency"], lambda ch: select(c.c.source).join(t.requires, t.requires.c.credential == c.c.id)
         .where(t.requires.c.needs_competency.in_(ch))),
        (gone["provider"], lambda ch: select(r.c.source).where(r.c.provider.in_(ch))),
        (gone["credential"], lambda ch: select(c.c.source).join(t.requires, t.requires.c.credential == c.c.id)
         .where(t.requires.c.needs_credential.in_(ch))),
        (gone["credential"], lambda ch: select(r.c.source).where(r.c.credential.in_(ch))),
        # what reads a touched item's content: EU quality assurance, award rules, members' ECTS
        (touched["provider"], lambda ch: select(c.c.source).where(c.c.provider.in_(ch))),
        (touched["credential"], lambda ch: select(r.c.source).where(r.c.award.in_(ch))),
        (touched["credential"], lambda ch: select(c.c.source).join(t.award_components,
                                                                    t.award_components.c.award == c.c.id)
         .where(t.award_components.c.credential.in_(ch))),
        # awards whose recognised credits change
        (awards, lambda ch: select(c.c.source).where(c.c.id.in_(ch))),
    ]
    for idents, make in queries:
        for chunk in _chunks(idents):
            recheck |= _sources_of(conn, make(chunk))
    if gone["credential"]:  # 'equivalent_to' has no column: scan the agreements that use it
        rows = conn.execute(select(r.c.source, r.c.doc).where(r.c.doc.contains('"equivalent_to":', autoescape=True)))
        for source, doc in rows:
            if json.loads(doc).get("equivalent_to") in gone["credential"]:
                recheck.add(source)
    return recheck - old


def _recognised(conn: Connection, ids: _Ids, awards: set[str], view: _StoreView,
                rank: Mapping[str, int]) -> dict[str, list[tuple[tuple[int, int], RecognitionAgreement]]]:
    """Agreements of unchanged, not rechecked files towards the checked awards, keyed as the loader orders them."""
    out: dict[str, list[tuple[tuple[int, int], RecognitionAgreement]]] = defaultdict(list)
    credentials = ids.first["credential"]
    r = t.recognitions
    for chunk in _chunks(awards):
        rows = conn.execute(select(r.c.award, r.c.source, r.c.pos, r.c.doc).where(r.c.award.in_(chunk)))
        for award, source, pos, doc in rows:
            if source in view.hidden or source not in rank:
                continue
            # as the loader: only towards an award that exists and has rules
            if award in credentials and credentials[award].model.award is not None:
                out[award].append(((rank[source], pos), RecognitionAgreement.model_validate(json.loads(doc))))
    return out


def _broader_circles(state: _State, comps: _Layered, starts: Iterable[str], view: _StoreView) -> None:
    """Report new circles of 'broader' links: walk from each changed competency, gather who leads in."""
    seen: set[str] = set()
    circles: list[list[str]] = []
    for start in sorted(starts):
        chain: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in seen and node not in chain and node in comps:
            chain[node] = len(chain)
            node = comps[node].model.broader
        if node is not None and node in chain:
            circles.append(list(chain)[chain[node]:])
        seen.update(chain)
    if not circles:
        return
    basin = {n for circle in circles for n in circle}
    frontier = set(basin)
    while frontier:  # every competency whose chain leads into a circle, so the report starts where the loader's does
        nxt: set[str] = set()
        for ident, item in comps.local.items():
            if item.model.broader in frontier and ident not in basin:
                nxt.add(ident)
        for chunk in _chunks(frontier):
            rows = view.conn.execute(select(t.competencies.c.id, t.competencies.c.source)
                                     .where(t.competencies.c.broader.in_(chunk)))
            nxt |= {ident for ident, source in rows
                    if source not in view.hidden and ident not in basin and ident not in comps.local}
        basin |= nxt
        frontier = nxt
    _check_broader_cycles(state, {n: comps[n] for n in basin})


def _prerequisite_cycles(state: _State, ids: _Ids, meta: CatalogueMeta, edges: Mapping[str, list[_Edge]],
                         starts: Iterable[str], view: _StoreView, rank: Mapping[str, int]) -> None:
    """Report cycles through changed credentials: search what they reach, local edges then the store's."""
    local = {item.model.id for item in state.items["credentials"]}
    credentials = ids.first["credential"]
    succ: dict[str, list[str]] = {}
    frontier = set(starts)
    visited = set(frontier)
    while frontier:
        view.prefetch("credential", (n for n in frontier if n not in local))
        stored = [n for n in frontier if n not in local and n in credentials]
        out: dict[str, set[str]] = {n: {e[0] for e in edges.get(n, [])} for n in frontier if n in local}
        for n in stored:
            out[n] = set()
        for chunk in _chunks(stored):
            q = t.requires.c
            for src, dst in view.conn.execute(select(q.credential, q.needs_credential)
                                              .where(q.credential.in_(chunk), q.needs_credential.is_not(None))):
                out[src].add(dst)
            a = t.award_components.c
            for src, dst in view.conn.execute(select(a.award, a.credential).where(a.award.in_(chunk))):
                out[src].add(dst)
        nxt: set[str] = set()
        for n, targets in out.items():
            succ[n] = sorted(targets)
            nxt |= targets - visited
        visited |= nxt
        frontier = nxt
    for path in _cycle_paths(succ):
        start, second = path[0], path[1]
        own = edges.get(start, []) if start in local else _stored_edges(start, ids, meta, view, rank)
        item, sub = next(((e[1], e[2]) for e in own if e[0] == second), (credentials[start], ()))
        state.add(item, sub, "prerequisite cycle: " + " -> ".join(path) + " (each needs the next first)")


def _stored_edges(ident: str, ids: _Ids, meta: CatalogueMeta, view: _StoreView,
                  rank: Mapping[str, int]) -> list[_Edge]:
    """The edges of an unchanged credential as the loader finds them (its file read, its problems dropped)."""
    stored = ids.first["credential"][ident]
    item = view.read_item("credential", ident, stored.file)
    if item is None:
        return []
    scratch = _State(strict=view.strict)
    scratch.items["credentials"].append(item)
    return _check_items(scratch, ids, meta, rank=rank, recognised=defaultdict(list),
                        broader_cycles=False).get(ident, [])


def validate_changes(conn: Connection, sources: Mapping[str, bytes], changed: Sequence[str],
                     removed: Sequence[str], stored: Mapping[str, FileProblems], *,
                     strict: bool) -> Outcome | None:
    """Validate a catalogue whose store holds its last build, reading only what a change can affect.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The store, holding the last successful build of these folders.
    sources : mapping of str to bytes
        Every file of the catalogue now.
    changed : sequence of str
        Files added or changed since the last build.
    removed : sequence of str
        Sources the store holds that are no longer there.
    stored : mapping of str to FileProblems
        The stored problems of every unchanged file.
    strict : bool
        Missing EU standard elements are errors.

    Returns
    -------
    Outcome or None
        None when only a full validation can tell (the catalogue's meta changed).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _validate_changes(conn, sources, changed, removed, stored, strict=strict)
    finally:
        if was_enabled:
            gc.enable()


def _validate_changes(conn: Connection, sources: Mapping[str, bytes], changed: Sequence[str],
                      removed: Sequence[str], stored: Mapping[str, FileProblems], *,
                      strict: bool) -> Outcome | None:
    names = sorted(sources)
    rank = {name: i for i, name in enumerate(names)}
    old = set(changed) | set(removed)
    meta_rows = dict(conn.execute(select(t.store_meta.c.key, t.store_meta.c.value)
                                  .where(t.store_meta.c.key.in_(("catalogue_meta", "meta_source")))).all())
    meta_source = json.loads(meta_rows["meta_source"]) if "meta_source" in meta_rows else None
    if meta_source in removed:
        return None
    changed_states = _read_files(sorted(changed, key=rank.__getitem__), sources, strict)
    metas = [(n, s.meta_item) for n, s in changed_states.items() if s.meta_item is not None]
    if any(s.meta_broken for s in changed_states.values()):
        return None
    kept_meta: tuple[str, CatalogueMeta] | None = None
    if meta_source in changed_states:  # its file changed: go on only if the meta did not
        if len(metas) != 1 or metas[0][0] != meta_source or \
                to_doc(metas[0][1].model) != meta_rows.get("catalogue_meta"):
            return None
        kept_meta = (meta_source, metas[0][1].model)
    elif metas:
        return None
    if any(s.unreadable for s in changed_states.values()):
        # the loader then reports only what reading found, in every file
        reading = [p for n in names for p in (changed_states[n].problems if n in changed_states
                                              else stored[n].reading)]
        return Outcome(problems=_ordered(reading, rank))

    recheck = _rechecks(conn, changed_states, old, rank) & set(sources)
    states = {**changed_states, **_read_files(sorted(recheck, key=rank.__getitem__), sources, strict)}
    view = _StoreView(conn, old | recheck, sources, strict)
    state = _merge(states, rank, strict)
    meta = CatalogueMeta.model_validate(json.loads(meta_rows["catalogue_meta"])) \
        if "catalogue_meta" in meta_rows else CatalogueMeta()

    ids = _Ids()
    for kind in _TABLE:
        ids.first[kind] = _Layered(kind, view)
    for section, items in state.items.items():  # the references the checks will ask about, at once
        if section != "meta":
            view.prefetch(_KIND[section], (i.model.id for i in items))
    refs = _references(state)
    for kind, idents in refs.items():
        view.prefetch(kind, idents)
    _index_ids(state, ids)
    awards = {i.model.id for i in state.items["credentials"] if i.model.award is not None}
    edges = _check_items(state, ids, meta, rank=rank, recognised=_recognised(conn, ids, awards, view, rank),
                         broader_cycles=False)
    changed_set = set(changed)
    _broader_circles(state, ids.first["competency"],  # type: ignore[arg-type]
                     (i.model.id for i in state.items["competencies"] if i.file in changed_set), view)
    _prerequisite_cycles(state, ids, meta, edges,
                         {i.model.id for i in state.items["credentials"] if i.file in changed_set}, view, rank)

    checked = set(states)
    reading = [p for n in names for p in (states[n].problems if n in checked else stored[n].reading)]
    checks = [p for n in names if n not in checked for p in stored[n].checks] + state.problems
    problems = _ordered(reading + checks, rank)
    if any(p.is_error for p in problems):
        return Outcome(problems=problems, rechecked=tuple(sorted(recheck, key=rank.__getitem__)))
    fresh: dict[str, list[Problem]] = {n: [] for n in checked}
    for p in _ordered(state.problems, rank):  # without errors, every one is located in a checked file
        if p.file in fresh:
            fresh[p.file].append(p)
    return Outcome(problems=problems, items=_items_by_file(state, changed),
                   files={n: FileProblems(tuple(states[n].problems) if n in states else (), tuple(c))
                          for n, c in fresh.items()},
                   rechecked=tuple(sorted(recheck, key=rank.__getitem__)), meta=kept_meta)


def _references(state: _State) -> dict[str, set[str]]:
    """Ids the checked items name, by kind (only to ask the store for them at once)."""
    out: dict[str, set[str]] = defaultdict(set)
    for item in state.items["competencies"]:
        if item.model.broader:
            out["competency"].add(item.model.broader)
    for item in state.items["roles"]:
        out["competency"] |= {n.competency for n in item.model.needs}
    for item in state.items["recognitions"]:
        rec = item.model
        out["provider"].add(rec.provider)
        out["credential"] |= {rec.credential, rec.award} | ({rec.equivalent_to} if rec.equivalent_to else set())
    for item in state.items["credentials"]:
        cred = item.model
        out["provider"].add(cred.provider)
        out["competency"] |= {x.competency for x in cred.teaches}
        for group in cred.requires:
            for alt in group.any_of:
                if alt.credential:
                    out["credential"].add(alt.credential)
                elif alt.competency:
                    out["competency"].add(alt.competency)
        if cred.award is not None:
            out["credential"] |= set(rule_credentials(cred.award.rule))
    return out
