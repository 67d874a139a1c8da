"""Incremental builds of a compiled catalogue: exactly what a full validation gives.

The specification is the loader's full validation of the edited folder: an incremental
build must report the same problems (errors and warnings, located, in order) and reach the
same verdict; when it succeeds the store must hold exactly what a fresh full build of the
edited folder holds (items, index rows, and the problems kept for the next build); when
it fails the store must not change.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from planner.catalogue.loader import catalogue_files, validate_texts
from planner.store.catalogue import buildstate
from planner.store.catalogue import schema as t
from planner.store.catalogue.build import BuildResult, build
from planner.store.catalogue.engine import open_engine
from tests.conftest import CATALOGUE_DIR
from tests.store.catalogue_store_pg import cluster, create_database, postgres_bin

_TABLES = [*t.metadata.sorted_tables, *buildstate.metadata.sorted_tables]


# --------------------------------------------------------------------------- helpers


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a canonical order.

    Left out: search rows' row numbers, and the generation token every write replaces (two
    builds of the same files are the same store, written at different times).
    """
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            out = {}
            for table in _TABLES:
                if table.name not in names:
                    out[table.name] = []
                    continue
                cols = [c for c in table.columns if c.name != "rowid"]
                rows = (tuple(r) for r in conn.execute(select(*cols)))
                out[table.name] = sorted((r for r in rows if not (table is t.store_meta and r[0] == t.GENERATION)),
                                         key=repr)
            if conn.dialect.name == "sqlite":  # the full-text index agrees with its rows
                conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
        return out
    finally:
        engine.dispose()


def full_report(src: Path):
    """What the loader says of the folder, read as a build reads it."""
    sources, problems = catalogue_files(src)
    assert not problems
    return validate_texts(dict(sources))


def check_build(src: Path, url: str, work: Path, *, strict: bool = False) -> BuildResult:
    """Build incrementally; assert it equals the full validation and a fresh full build."""
    before = dump(url)
    result = build([src], url, strict=strict)
    sources, _ = catalogue_files(src)
    expected = validate_texts(dict(sources), strict=strict)
    assert result.ok == expected.ok
    want = expected.problems if not expected.ok else expected.warnings
    assert [str(p) for p in result.problems] == [str(p) for p in want]
    assert list(result.problems) == list(want)
    if result.ok:
        fresh = f"sqlite:///{work / 'fresh.db'}"
        Path(work / "fresh.db").unlink(missing_ok=True)
        assert build([src], fresh, strict=strict, full=True).ok
        assert dump(url) == dump(fresh)
    else:
        assert dump(url) == before
    return result


class NothingToEdit(Exception):
    """An edit found nothing to work on (earlier edits removed it)."""


def draw_from(data: st.DataObject, options: list[Any]) -> Any:
    if not options:
        raise NothingToEdit
    return data.draw(st.sampled_from(options))


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return "unreadable"  # an earlier round broke it: no item to edit


class Folder:
    """The YAML files of a catalogue folder as data, edited and written back."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, Any] = {str(p.relative_to(root)): _load(p) for p in sorted(root.rglob("*.yaml"))}
        self.dirty: set[str] = set()
        self.raw: dict[str, str] = {}
        self.meta_changed = False  # the catalogue's meta edited, removed or unreadable

    def items(self, section: str) -> list[tuple[str, int, dict[str, Any]]]:
        return [(rel, i, item) for rel, data in sorted(self.files.items())
                if isinstance(data, dict) and isinstance(data.get(section), list)
                for i, item in enumerate(data[section]) if isinstance(item, dict)]

    def pick(self, data: st.DataObject, section: str) -> tuple[str, int, dict[str, Any]]:
        return draw_from(data, self.items(section))

    def add(self, rel: str, section: str, item: dict[str, Any]) -> None:
        data = self.files.get(rel)
        if not isinstance(data, dict):
            data = self.files[rel] = {}
        if not isinstance(data.get(section), list):
            data[section] = []
        data[section].append(item)
        self.dirty.add(rel)

    def write(self) -> None:
        for rel in sorted(self.dirty):
            path = self.root / rel
            if rel in self.raw:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(self.raw[rel], encoding="utf-8")
            elif self.files.get(rel, "gone") == "gone":
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(yaml.safe_dump(self.files[rel], sort_keys=False, allow_unicode=True),
                                encoding="utf-8")


def _edges(folder: Folder) -> list[tuple[str, str, str]]:
    """(file of b, a, b) for every credential a that needs b (prerequisite or award component)."""
    out = []
    where = {item["id"]: rel for rel, _, item in folder.items("credentials")}

    def walk(rule: Any) -> list[str]:
        if not isinstance(rule, dict):
            return []
        if "credential" in rule:
            return [rule["credential"]]
        if "from" in rule:
            return list(rule["from"])
        return [m for child in rule.get("all_of", rule.get("of", [])) for m in walk(child)]

    for _, _, item in folder.items("credentials"):
        needed = [alt["credential"] for g in item.get("requires", []) for alt in g.get("any_of", [g])
                  if "credential" in alt]
        needed += walk(item.get("award", {}).get("rule"))
        out += [(where[b], item["id"], b) for b in needed if b in where]
    return out


# --------------------------------------------------------------------------- edits

SECTIONS = ("providers", "competencies", "credentials", "roles", "recognitions")


def e_field(data: st.DataObject, f: Folder) -> None:
    """Change a field another item's checks read (ECTS, a title, quality assurance, credits)."""
    what = data.draw(st.sampled_from(["ects", "title", "qa", "credits"]))
    section = {"ects": "credentials", "title": "credentials", "qa": "providers", "credits": "recognitions"}[what]
    rel, _, item = f.pick(data, section)
    if what == "ects":
        value = data.draw(st.sampled_from([None, 0.5, 2, 5, 30, 120]))
        if value is None:
            item.pop("ects", None)
        else:
            item["ects"] = value
    elif what == "title":
        item["title"] = "Renamed " + item["title"]
    elif what == "qa":
        if "quality_assurance" in item:
            del item["quality_assurance"]
        else:
            item["quality_assurance"] = {"type": "external", "body": "A body"}
    else:
        item["credits"] = data.draw(st.sampled_from([1, 5, 40, 200]))
    f.dirty.add(rel)


def e_delete(data: st.DataObject, f: Folder) -> None:
    """Delete an item (others may name it)."""
    section = data.draw(st.sampled_from(SECTIONS))
    rel, i, _ = f.pick(data, section)
    del f.files[rel][section][i]
    f.dirty.add(rel)


def e_delete_needed(data: st.DataObject, f: Folder) -> None:
    """Delete, or rename, a credential another file's credential needs (a prerequisite, a component)."""
    rel, _, b = draw_from(data, [e for e in _edges(f) if _file_of(f, "credentials", e[1]) != e[0]])
    items = f.files[rel]["credentials"]
    item = next(i for i in items if i["id"] == b)
    if data.draw(st.booleans()):
        items.remove(item)
    else:
        item["id"] = b + "-v2"
    f.dirty.add(rel)


def e_dangling(data: st.DataObject, f: Folder) -> None:
    """Add a credential naming an id that does not exist (a typo of one that does, or none)."""
    _, _, model = f.pick(data, "credentials")
    item = copy.deepcopy(model)
    item["id"] = "zz-new-" + data.draw(st.sampled_from(["a", "b"]))
    item.pop("award", None)
    kind = data.draw(st.sampled_from(["provider", "requires", "teaches"]))
    typo = data.draw(st.sampled_from(["typo", "none"]))
    if kind == "provider":
        item["provider"] = item["provider"][:-1] + "q" if typo == "typo" else "nowhere-college"
    elif kind == "requires":
        other = f.pick(data, "credentials")[2]["id"]
        item["requires"] = [{"credential": other[:-1] + "q" if typo == "typo" else "no-such-course"}]
    else:
        comp = f.pick(data, "competencies")[2]["id"]
        item["teaches"] = [{"competency": comp + "s" if typo == "typo" else "no-such-skill", "level": 1}]
    rel = data.draw(st.sampled_from([r for r, _, _ in f.items("credentials")] + ["extra/new.yaml"]))
    f.add(rel, "credentials", item)


def e_cycle(data: st.DataObject, f: Folder) -> None:
    """Close a prerequisite cycle: b, which a needs, now requires a."""
    rel, a, b = draw_from(data, _edges(f))
    item = next(i for r, _, i in f.items("credentials") if i["id"] == b)
    item.setdefault("requires", []).append({"credential": a})
    f.dirty.add(rel)


def e_requires(data: st.DataObject, f: Folder) -> None:
    """Add a prerequisite between two credentials (may close a cycle with another edit)."""
    rel, _, item = f.pick(data, "credentials")
    other = f.pick(data, "credentials")[2]["id"]
    item.setdefault("requires", []).append({"any_of": [{"credential": other}]})
    f.dirty.add(rel)


def e_duplicate(data: st.DataObject, f: Folder) -> None:
    """Copy an item into another file (a duplicate id)."""
    section = data.draw(st.sampled_from(SECTIONS))
    rel, _, item = f.pick(data, section)
    target = data.draw(st.sampled_from(sorted({r for r in f.files if r != rel} | {"extra/dup.yaml", "a0.yaml"})))
    f.add(target, section, copy.deepcopy(item))


def e_remove_file(data: st.DataObject, f: Folder) -> None:
    """Remove a file (others may name its items; the meta may go with it)."""
    rel = data.draw(st.sampled_from(sorted(r for r, d in f.files.items() if d != "gone")))
    f.files[rel] = "gone"
    f.dirty.add(rel)
    f.meta_changed |= rel == "catalogue.yaml"


def e_rename(data: st.DataObject, f: Folder) -> None:
    """Rename an id (references to it break, with a hint)."""
    rel, _, item = f.pick(data, data.draw(st.sampled_from(SECTIONS)))
    item["id"] = item["id"] + data.draw(st.sampled_from(["-v2", "x"]))
    f.dirty.add(rel)


def e_broader(data: st.DataObject, f: Folder) -> None:
    """Give competencies a broader one, perhaps in a circle."""
    chain = [f.pick(data, "competencies") for _ in range(data.draw(st.integers(1, 3)))]
    circle = data.draw(st.booleans())
    for k, (rel, _, item) in enumerate(chain):
        nxt = chain[(k + 1) % len(chain)] if circle or k + 1 < len(chain) else f.pick(data, "competencies")
        item["broader"] = nxt[2]["id"]
        f.dirty.add(rel)


def e_award(data: st.DataObject, f: Folder) -> None:
    """Take the award rules from an award, or add a recognition agreement towards one."""
    if data.draw(st.booleans()):
        awards = [(r, i, it) for r, i, it in f.items("credentials") if "award" in it]
        rel, _, item = draw_from(data, awards)
        del item["award"]
        f.dirty.add(rel)
    else:
        rel, _, rec = f.pick(data, "recognitions")
        new = copy.deepcopy(rec)
        new["id"] = rec["id"] + "-more"
        new["credits"] = data.draw(st.sampled_from([3, 60]))
        change = data.draw(st.sampled_from(["pool", "equivalent", "none"]))
        if change == "pool":
            new.pop("equivalent_to", None)
            new["pool"] = data.draw(st.sampled_from(["msc-electives", "no-pool"]))
        elif change == "equivalent":
            new.pop("pool", None)
            new["equivalent_to"] = f.pick(data, "credentials")[2]["id"]
        f.add(data.draw(st.sampled_from([rel, "extra/recs.yaml"])), "recognitions", new)


def e_meta(data: st.DataObject, f: Folder) -> None:
    """Change the catalogue's meta (every level and cost depends on it)."""
    meta = f.files["catalogue.yaml"]["meta"] if isinstance(f.files.get("catalogue.yaml"), dict) else None
    if meta is None:
        return
    if data.draw(st.booleans()):
        meta["level_scale"]["max"] = 3
    else:
        meta["exchange_rates"].pop("USD", None)
    f.dirty.add("catalogue.yaml")
    f.meta_changed = True


def e_unreadable(data: st.DataObject, f: Folder) -> None:
    """Break a file's YAML."""
    rel = data.draw(st.sampled_from(sorted(r for r, d in f.files.items() if d != "gone")))
    f.raw[rel] = "credentials:\n  - id: [unclosed\n"
    f.dirty.add(rel)
    f.meta_changed |= rel == "catalogue.yaml"


def e_malformed(data: st.DataObject, f: Folder) -> None:
    """Make an item fail its shape (its id is then known but not checkable)."""
    section = data.draw(st.sampled_from(SECTIONS))
    rel, _, item = f.pick(data, section)
    item["unexpected_key"] = 1
    f.dirty.add(rel)


def e_move(data: st.DataObject, f: Folder) -> None:
    """Move an item to another (maybe new) file."""
    section = data.draw(st.sampled_from(SECTIONS))
    rel, i, item = f.pick(data, section)
    del f.files[rel][section][i]
    f.dirty.add(rel)
    target = data.draw(st.sampled_from(sorted({r for r in f.files if r != rel} | {"zz/moved.yaml"})))
    f.add(target, section, item)


def e_rewrite(data: st.DataObject, f: Folder) -> None:
    """Rewrite a file with the same content (new layout, same items), or add an empty file."""
    if data.draw(st.booleans()):
        f.dirty.add(data.draw(st.sampled_from(sorted(r for r, d in f.files.items() if d != "gone"))))
    else:
        f.raw["extra/empty.yaml"] = "# nothing yet\n"
        f.dirty.add("extra/empty.yaml")


EDITS = [e_field, e_delete, e_delete_needed, e_dangling, e_cycle, e_requires, e_duplicate, e_remove_file, e_rename,
         e_broader, e_award, e_meta, e_unreadable, e_malformed, e_move, e_rewrite]


# --------------------------------------------------------------------------- fixtures


class Base:
    """A store built (in full) from a copy of the bundled catalogue, restored before each case.

    The folder is always restored to the same place, so that the store's file names (and
    the problems it keeps, which name them) stay those of the folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "work"
        self.src = self.work / "cat"
        self.db = self.work / "store.db"
        self.url = f"sqlite:///{self.db}"
        shutil.copytree(CATALOGUE_DIR, self.src)
        result = build([self.src], self.url)
        assert result.ok and result.full
        shutil.copytree(self.work, root / "pristine")

    def restore(self) -> tuple[Path, str, Path]:
        """Folder, store URL and a scratch folder, as right after the first build."""
        shutil.rmtree(self.work)
        shutil.copytree(self.root / "pristine", self.work)
        return self.src, self.url, self.work


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    return Base(tmp_path_factory.mktemp("incremental"))


# --------------------------------------------------------------------------- the property


#: Random edit rounds per run: 30 in CI (each builds a store twice); PLANNER_INCREMENTAL_EXAMPLES=400
#: for a deeper search (400 passed when the incremental build was written).
EXAMPLES = int(os.environ.get("PLANNER_INCREMENTAL_EXAMPLES", "30"))


# no shrinking: a failing case already names its edits, and shrinking builds take minutes
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_incremental_build_equals_a_full_validation(data, base):
    src, url, work = base.restore()
    # one or two rounds of edits, each built: a build starts from what the last one kept
    meta_differs = False  # from the meta of the last successful build
    for _ in range(data.draw(st.integers(1, 2))):
        folder = Folder(src)
        for _ in range(data.draw(st.integers(1, 3))):
            with contextlib.suppress(NothingToEdit):  # earlier edits removed what this one needs
                data.draw(st.sampled_from(EDITS))(data, folder)
        folder.write()
        result = check_build(src, url, work)
        meta_differs |= folder.meta_changed
        if not meta_differs and folder.dirty:
            assert not result.full  # incremental whenever the meta stays
        meta_differs &= not result.ok


# --------------------------------------------------------------------------- each cross-file rule


def _file_of(folder: Folder, section: str, ident: str) -> str:
    return next(rel for rel, _, item in folder.items(section) if item["id"] == ident)


def _item(folder: Folder, section: str, ident: str) -> dict[str, Any]:
    return next(item for _, _, item in folder.items(section) if item["id"] == ident)


def test_an_edit_nothing_else_reads_checks_only_its_file(base):
    src, url, work = base.restore()
    folder = Folder(src)
    _item(folder, "roles", "data-analyst")["title"] = "Data wrangler"
    folder.dirty.add("roles.yaml")
    folder.write()
    result = check_build(src, url, work)
    assert result.ok and not result.full
    assert result.written == (str(src / "roles.yaml"),) and result.rechecked == ()
    assert result.problems  # the unchanged files' warnings are still reported (kept from the last build)


def test_a_removed_provider_is_reported_where_unchanged_files_name_it(base):
    src, url, work = base.restore()
    folder = Folder(src)
    providers = folder.files["providers.yaml"]["providers"]
    providers[:] = [p for p in providers if p["id"] != "noordhaven-university"]
    folder.dirty.add("providers.yaml")
    folder.write()
    result = check_build(src, url, work)
    assert not result.ok and not result.full
    creds = str(src / "credentials" / "noordhaven-university.yaml")
    assert creds in result.rechecked and str(src / "recognitions.yaml") in result.rechecked
    assert any(p.file == creds and p.field.endswith(".provider") and "unknown provider 'noordhaven-university'"
               in p.message for p in result.problems)


@pytest.mark.parametrize("name", ["aa.yaml", "zz.yaml"])
def test_a_duplicate_id_is_reported_at_the_later_copy(base, name):
    src, url, work = base.restore()
    folder = Folder(src)
    comp = folder.items("competencies")[0]
    folder.add(name, "competencies", copy.deepcopy(comp[2]))
    folder.write()
    result = check_build(src, url, work)
    dup = [p for p in result.problems if "duplicate competency id" in p.message]
    later, first = (str(src / comp[0]), str(src / name)) if name == "aa.yaml" else (str(src / name), str(src / comp[0]))
    assert len(dup) == 1 and dup[0].file == later and f"first defined at {first}:" in dup[0].message


def test_a_prerequisite_closing_a_cycle_is_reported_from_the_smallest_id(base):
    src, url, work = base.restore()
    folder = Folder(src)
    # a requires b (not through an award: b's change does not recheck a's file); a < b, other files
    pairs = [(a, b) for rel_b, a, b in _edges(folder) if a < b and _file_of(folder, "credentials", a) != rel_b
             and "award" not in _item(folder, "credentials", a)]
    a, b = pairs[0]
    _item(folder, "credentials", b).setdefault("requires", []).append({"credential": a})
    folder.dirty.add(_file_of(folder, "credentials", b))
    folder.write()
    result = check_build(src, url, work)
    a_file = str(src / _file_of(folder, "credentials", a))
    assert a_file not in result.rechecked  # the report's edge is read from the unchanged file
    cycle = [p for p in result.problems if "prerequisite cycle" in p.message]
    assert len(cycle) == 1 and cycle[0].file == a_file and cycle[0].message.startswith(f"prerequisite cycle: {a} ->")


def test_a_broader_circle_is_reported_where_the_smallest_chain_enters_it(base):
    src, url, work = base.restore()
    folder = Folder(src)
    comps = sorted(folder.items("competencies"), key=lambda x: x[2]["id"])
    (rel_c, _, c), (rel_b, _, b), (rel_a, _, a) = comps[0], comps[5], comps[-1]
    assert rel_c != rel_a or rel_c != rel_b
    c["broader"] = a["id"]  # first a valid link from the smallest id into what becomes a circle
    folder.dirty.add(rel_c)
    folder.write()
    assert check_build(src, url, work).ok
    folder = Folder(src)
    _item(folder, "competencies", a["id"])["broader"] = b["id"]
    _item(folder, "competencies", b["id"])["broader"] = a["id"]
    folder.dirty |= {rel_a, rel_b}
    folder.write()
    result = check_build(src, url, work)
    circle = [p for p in result.problems if "goes round in a circle" in p.message]
    # entered from c (smallest, unchanged): at a, not at b where a walk from b would start
    assert len(circle) == 1 and circle[0].message.endswith(f"{a['id']} -> {b['id']} -> {a['id']}")


def test_a_circle_closed_by_a_changed_competency_is_located_in_an_unchanged_file(base):
    src, url, work = base.restore()
    folder = Folder(src)
    comps = sorted(folder.items("competencies"), key=lambda x: x[2]["id"])
    (rel_b, _, b), (rel_a, _, a) = comps[0], comps[-1]
    assert rel_a != rel_b
    b["broader"] = a["id"]
    folder.dirty.add(rel_b)
    folder.write()
    assert check_build(src, url, work).ok
    folder = Folder(src)
    _item(folder, "competencies", a["id"])["broader"] = b["id"]
    folder.dirty.add(rel_a)
    folder.write()
    result = check_build(src, url, work)
    circle = [p for p in result.problems if "goes round in a circle" in p.message]
    # the walk from the smallest id (b, unchanged and not rechecked) meets the circle at b
    assert str(src / rel_b) not in result.rechecked
    assert len(circle) == 1 and circle[0].file == str(src / rel_b) and circle[0].line is not None


def test_an_award_is_rechecked_when_a_member_in_another_file_changes(base):
    src, url, work = base.restore()
    folder = Folder(src)
    award = "nhu-msc-data-science"
    members = [b for _, a, b in _edges(folder) if a == award]
    # first move the award's members to a file of their own (a valid catalogue still)
    home = _file_of(folder, "credentials", award)
    for member in members:
        item = _item(folder, "credentials", member)
        folder.files[home]["credentials"].remove(item)
        folder.add("credentials/zz-members.yaml", "credentials", item)
    folder.dirty.add(home)
    folder.write()
    assert check_build(src, url, work).ok
    folder = Folder(src)
    for member in members:
        _item(folder, "credentials", member)["ects"] = 0.5
    folder.dirty.add("credentials/zz-members.yaml")
    folder.write()
    result = check_build(src, url, work)
    assert str(src / home) in result.rechecked
    assert any(p.file == str(src / home) and "can never be met" in p.message for p in result.problems)


def test_agreements_towards_an_award_without_rules_fail(base):
    src, url, work = base.restore()
    folder = Folder(src)
    del _item(folder, "credentials", "nhu-msc-data-science")["award"]
    folder.dirty.add(_file_of(folder, "credentials", "nhu-msc-data-science"))
    folder.write()
    result = check_build(src, url, work)
    assert any(p.file == str(src / "recognitions.yaml") and "has no award rules" in p.message
               for p in result.problems)


def test_a_removed_component_named_by_equivalent_to_fails(base):
    src, url, work = base.restore()
    folder = Folder(src)
    rel = _file_of(folder, "credentials", "wsu-infection-prevention")
    folder.files[rel]["credentials"] = [c for c in folder.files[rel]["credentials"]
                                        if c["id"] != "wsu-infection-prevention"]
    folder.dirty.add(rel)
    folder.write()
    result = check_build(src, url, work)
    assert any(p.file == str(src / "recognitions.yaml") and p.field.endswith("equivalent_to")
               for p in result.problems)


def test_a_provider_losing_quality_assurance_updates_unchanged_files_warnings(base):
    src, url, work = base.restore()
    folder = Folder(src)
    del _item(folder, "providers", "rheinau-tu")["quality_assurance"]
    folder.dirty.add("providers.yaml")
    folder.write()
    result = check_build(src, url, work)
    creds = str(src / "credentials" / "rheinau-tu.yaml")
    assert result.ok and creds in result.rechecked
    assert any(p.file == creds and "quality_assurance" in p.message for p in result.problems)
    # the next build (another file) still reports them: they were kept for the rechecked file
    folder = Folder(src)
    _item(folder, "roles", "data-analyst")["title"] = "Data wrangler"
    folder.dirty.add("roles.yaml")
    folder.write()
    again = check_build(src, url, work)
    assert again.rechecked == () and any(p.file == creds and "quality_assurance" in p.message
                                         for p in again.problems)


def test_a_meta_change_validates_everything(base):
    src, url, work = base.restore()
    folder = Folder(src)
    folder.files["catalogue.yaml"]["meta"]["level_scale"]["max"] = 3
    folder.dirty.add("catalogue.yaml")
    folder.write()
    result = check_build(src, url, work)
    assert result.full and not result.ok


def test_an_unreadable_changed_file_reports_only_reading_problems(base):
    src, url, work = base.restore()
    (src / "roles.yaml").write_text("roles:\n  - id: [unclosed\n", encoding="utf-8")
    result = check_build(src, url, work)
    assert not result.ok and not result.full
    assert {p.file for p in result.problems if p.is_error} == {str(src / "roles.yaml")}


def test_another_strictness_or_lost_problems_validate_everything(base):
    src, url, work = base.restore()
    (src / "roles.yaml").write_text((src / "roles.yaml").read_text(encoding="utf-8") + "\n# edited\n",
                                    encoding="utf-8")
    strict = check_build(src, url, work, strict=True)
    assert strict.full and not strict.ok  # the bundled catalogue lacks EU elements: errors when strict
    engine = open_engine(url)
    with engine.begin() as conn:
        conn.execute(buildstate.build_files.delete())
    engine.dispose()
    relaxed = check_build(src, url, work)
    assert relaxed.full and relaxed.ok


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="module")
def pg_server():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
                    "(apt-get install -y postgresql); the SQLite cases cover the same code")
    with cluster() as url:
        yield url


def test_incremental_build_on_postgresql(base, pg_server):
    src, _, work = base.restore()
    url = create_database(pg_server, "incremental")
    assert build([src], url).full
    folder = Folder(src)
    del _item(folder, "providers", "rheinau-tu")["quality_assurance"]
    folder.dirty.add("providers.yaml")
    folder.write()
    assert check_build(src, url, work).rechecked  # ok, warnings of an unchanged file updated
    folder = Folder(src)
    rel, a, b = next(e for e in _edges(folder) if e[1] < e[2])
    _item(folder, "credentials", b).setdefault("requires", []).append({"credential": a})
    folder.files["providers.yaml"]["providers"].pop()
    folder.dirty |= {rel, "providers.yaml"}
    folder.write()
    failed = check_build(src, url, work)
    assert not failed.ok and any("prerequisite cycle" in p.message for p in failed.problems)
