"""Compiled catalogues: routes identical to the YAML catalogue's, on SQLite and PostgreSQL.

The store answers a question from a small sub-catalogue collected by indexed queries;
every test here compares with the in-memory catalogue, which is the specification.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from planner.catalogue.loader import load
from planner.catalogue.models import Catalogue, Constraints, Holding, LearnerProfile, Target
from planner.cli import main
from planner.engine.results import to_jsonable
from planner.engine.routing import recommend
from planner.store.catalogue import StoreError, open_catalogue, resolve_catalogue
from planner.store.catalogue.build import build
from planner.store.catalogue.engine import open_engine
from planner.store.catalogue.schema import store_meta
from tests.conftest import CATALOGUE_DIR, reference_file
from tests.store.catalogue_store_pg import cluster, create_database, postgres_bin

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import synthetic

START = dt.date(2026, 9, 1)
SYNTHETIC_N = 1600  # two fields of study of the national generator


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def pg_server():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
                    "(apt-get install -y postgresql); the SQLite runs cover the same code")
    with cluster() as url:
        yield url


_counter = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """An empty store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cat.db'}"
    server = request.getfixturevalue("pg_server")
    return create_database(server, f"t{next(_counter)}")


@pytest.fixture(scope="session")
def bundled_sqlite(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'bundled.db'}"
    assert build([CATALOGUE_DIR], url).ok
    return url


@pytest.fixture(scope="session")
def synthetic_catalogue() -> Catalogue:
    data: dict[str, list] = {}
    meta = None
    for section, item in synthetic.stream_national(SYNTHETIC_N, seed=3):
        if section == "meta":
            meta = item
        else:
            data.setdefault(section, []).append(item)
    return Catalogue.model_validate({"meta": meta, **data})


def _same(catalogue, store, profile, target, **kw) -> None:
    """The store's recommendation equals the in-memory catalogue's (routes, diagnoses, candidates)."""
    try:
        a = recommend(catalogue, profile, target, today=START, **kw)
    except Exception as exc:  # bad input must be refused the same way
        with pytest.raises(type(exc)) as info:
            store.recommend(profile, target, today=START, **kw)
        assert str(info.value) == str(exc)
        return
    b = store.recommend(profile, target, today=START, **kw)
    ra, rb = to_jsonable(a.routes), to_jsonable(b.routes)
    if not all(r.proved_optimal and r.schedule_proved_optimal for r in (*a.routes, *b.routes)):
        # a search stopped by the engine's wall-clock limits (a loaded machine) may end differently
        # from one run to the next: then only the proved part, the chosen sets and their cost, must agree
        ra = [(sorted(r["credential_ids"]), r["total_cost"]) for r in ra]
        rb = [(sorted(r["credential_ids"]), r["total_cost"]) for r in rb]
    differ = sorted({k for x, y in zip(ra, rb, strict=False) if isinstance(x, dict) for k in x if x[k] != y.get(k)})
    assert rb == ra, (target, differ)
    assert to_jsonable(b.diagnoses) == to_jsonable(a.diagnoses), target
    assert b.candidates == a.candidates, target


def _targets(catalogue: Catalogue) -> list[Target]:
    return ([Target(kind="role", id=r.id) for r in catalogue.roles]
            + [Target(kind="award", id=a.id) for a in catalogue.awards])


# --------------------------------------------------------------------------- routes


def test_every_bundled_target_routes_identically(store_url, sample_catalogue):
    assert build([CATALOGUE_DIR], store_url).ok
    store = open_catalogue(store_url)
    try:
        tight = LearnerProfile(constraints=Constraints(budget="300 EUR", modes=["online"], start=START))
        for target in _targets(sample_catalogue):
            _same(sample_catalogue, store, LearnerProfile(), target, alternatives=3)
            _same(sample_catalogue, store, tight, target)  # infeasible ones: diagnoses must agree too
    finally:
        store.close()


def test_synthetic_targets_route_identically(store_url, synthetic_catalogue):
    counts = synthetic.write_national(store_url, SYNTHETIC_N, seed=3)
    assert counts["credentials"] == SYNTHETIC_N
    store = open_catalogue(store_url)
    try:
        assert store.counts()["credential"] == SYNTHETIC_N
        # roles and certificates; not the degrees: their schedules (40+ steps) hit the engine's time
        # limits on a loaded machine, so "proved" and best-found dates vary from run to run
        roles = [Target(kind="role", id=r.id) for r in synthetic_catalogue.roles]
        certs = [Target(kind="award", id=a.id) for a in synthetic_catalogue.awards if a.type.value == "certificate"]
        for target in [*roles[::5], *certs[::8]]:
            _same(synthetic_catalogue, store, LearnerProfile(), target, alternatives=2)
        held = synthetic_catalogue.credentials[5].id
        profile = LearnerProfile(holdings=[Holding(credential=held, earned=dt.date(2025, 1, 1))],
                                 constraints=Constraints(hours_per_week=12))
        # cost and credit: searches that finish well inside the time limit, so "proved" is deterministic
        for target in [*roles[2::9], *certs[3::11]]:
            _same(synthetic_catalogue, store, profile, target,
                  objective="credit" if target.kind == "award" else "cost")
    finally:
        store.close()


def test_subcatalogue_is_small_and_holds_every_candidate(bundled_sqlite, sample_catalogue):
    store = open_catalogue(bundled_sqlite)
    target = Target.parse("role:data-analyst")
    sub = store.subcatalogue(LearnerProfile(), target)
    rec = recommend(sample_catalogue, LearnerProfile(), target, today=START)
    assert len(sub.credentials) < len(sample_catalogue.credentials) / 2
    assert rec.candidates <= len(sub.credentials)
    assert {r.id for r in sub.roles} == {"data-analyst"}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_profile_routes_identically(data, bundled_sqlite, sample_catalogue):
    # the sub-catalogue ignores the learner: holdings, known levels and constraints must not matter
    creds = [c.id for c in sample_catalogue.credentials]
    comps = [c.id for c in sample_catalogue.competencies]
    holdings = data.draw(st.lists(st.sampled_from(creds), max_size=3, unique=True))
    known = data.draw(st.lists(st.tuples(st.sampled_from(comps), st.integers(1, 4)), max_size=3))
    profile = LearnerProfile(
        holdings=[Holding(credential=c, earned=dt.date(2024, 6, 1)) for c in holdings],
        competencies=[{"competency": c, "level": lv} for c, lv in known],
        constraints=Constraints(hours_per_week=data.draw(st.sampled_from([None, 20.0])),
                                avoid_credentials=data.draw(st.lists(st.sampled_from(creds), max_size=2))),
    )
    target = data.draw(st.sampled_from(_targets(sample_catalogue)))
    # not "time": a time-limited search may prove optimality in one run and not in the next
    objective = data.draw(st.sampled_from(["cost", "workload", "credit"]))
    credit_award = data.draw(st.sampled_from([None, *[a.id for a in sample_catalogue.awards]]))
    store = open_catalogue(bundled_sqlite)
    try:
        _same(sample_catalogue, store, profile, target, objective=objective, credit_award=credit_award)
    finally:
        store.close()


# --------------------------------------------------------------------------- build


def test_incremental_build_rewrites_only_changed_files(tmp_path):
    src = tmp_path / "cat"
    shutil.copytree(CATALOGUE_DIR, src)
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = build([src], url)
    assert first.ok and len(first.written) == len(list(src.rglob("*.yaml")))
    again = build([src], url)
    assert again.written == () and again.removed == ()

    roles = src / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("title: Data analyst", "title: Data wrangler"),
                     encoding="utf-8")
    third = build([src], url)
    assert third.written == (str(roles),)
    store = open_catalogue(url)
    assert store.get("role", "data-analyst").title == "Data wrangler"
    assert [h.id for h in store.search("wrangler").hits] == ["data-analyst"]
    assert store.search("wrangler").total == 1
    assert "Data analyst" not in {h.title for h in store.search("data analyst", 1, 200).hits}
    before = store.counts()

    (src / "recognitions.yaml").unlink()
    fourth = build([src], url)
    assert fourth.removed == (str(src / "recognitions.yaml"),)
    assert store.counts()["recognition"] == 0
    assert store.counts()["credential"] == before["credential"]
    store.close()


def test_invalid_catalogue_leaves_the_store_unchanged(tmp_path, capsys):
    src = tmp_path / "cat"
    shutil.copytree(CATALOGUE_DIR, src)
    db = tmp_path / "s.db"
    assert main(["catalogue", "build", str(src), "--into", str(db)]) == 0
    roles = src / "roles.yaml"
    text = roles.read_text(encoding="utf-8")
    roles.write_text(text.replace("title: Data analyst", "title: Data wrangler", 1)
                     .replace("level: 2", "level: nine", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["catalogue", "build", str(src), "--into", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"{roles}:" in err and "level" in err and "Traceback" not in err
    store = open_catalogue(str(db))
    assert store.get("role", "data-analyst").title == "Data analyst"
    store.close()


def test_another_format_version_says_rebuild(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert build([CATALOGUE_DIR], url).ok
    engine = open_engine(url)
    with engine.begin() as conn:
        conn.execute(update(store_meta).where(store_meta.c.key == "format_version").values(value="999"))
    engine.dispose()
    with pytest.raises(StoreError, match="rebuild"):
        open_catalogue(url)
    code = main(["recommend", "--catalogue", url, "--target", "role:data-analyst"])
    assert code == 1 and "rebuild" in capsys.readouterr().err


def test_not_a_store_is_refused_without_creating_one(tmp_path, capsys):
    missing = tmp_path / "none.db"
    with pytest.raises(StoreError, match="no such compiled catalogue"):
        open_catalogue(f"sqlite:///{missing}")
    assert not missing.exists()
    assert main(["catalogue", "search", "data", "--catalogue", f"sqlite:///{missing}"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert main(["catalogue", "build", str(tmp_path / "nowhere"), "--into", str(tmp_path / "x.db")]) == 1


# --------------------------------------------------------------------------- search


def test_search_pages_through_every_match_once(bundled_sqlite, sample_catalogue):
    store = open_catalogue(bundled_sqlite)
    first = store.search("data", 1, 4)
    seen = []
    for page in range(1, first.pages + 1):
        seen += [(h.kind, h.id) for h in store.search("data", page, 4).hits]
    assert len(seen) == len(set(seen)) == first.total > 4
    expected = {c.id for c in sample_catalogue.credentials if "data" in c.title.lower()}
    assert expected <= {i for k, i in seen if k == "credential"}
    awards = store.search("", 1, 200, kinds=("credential",), awards_only=True)
    assert {h.id for h in awards.hits} == {a.id for a in sample_catalogue.awards}
    browse = store.search("", 2, 10)
    assert browse.total == len(sample_catalogue.credentials) + len(sample_catalogue.roles)
    # query syntax in user text is inert; limits are enforced before querying
    assert store.search('"data* OR (', 1, 5).total == store.search("data or", 1, 5).total
    with pytest.raises(ValueError):
        store.search("x" * 500)
    with pytest.raises(ValueError):
        store.search("data", 1, 10_000)
    store.close()


def test_search_on_postgresql_matches_sqlite(pg_server, bundled_sqlite):
    url = create_database(pg_server, "search_cmp")
    assert build([CATALOGUE_DIR], url).ok
    pg, lite = open_catalogue(url), open_catalogue(bundled_sqlite)
    for words in ("data", "nursing care", "cyber secur", "zzz"):
        a, b = pg.search(words, 1, 200), lite.search(words, 1, 200)
        assert a.total == b.total, words
        assert {h.id for h in a.hits} == {h.id for h in b.hits}, words
    pg.close()
    lite.close()


# --------------------------------------------------------------------------- CLI and importers


def test_cli_recommend_on_a_store_prints_what_the_folder_gives(store_url, capsys):
    assert main(["catalogue", "build", str(CATALOGUE_DIR), "--into", store_url]) == 0
    capsys.readouterr()
    args = ["recommend", "--target", "award:nhu-cert-applied-data-analytics", "-k", "2", "--start", "2026-09-01",
            "--have", "osa-sql-basics@2026-01-10", "--format", "json"]
    assert main([*args, "--catalogue", str(CATALOGUE_DIR)]) == 0
    folder = json.loads(capsys.readouterr().out)
    assert main([*args, "--catalogue", store_url]) == 0
    assert json.loads(capsys.readouterr().out) == folder
    assert main(["catalogue", "search", "data analyst", "--catalogue", store_url, "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert {"kind": "role", "id": "data-analyst", "title": "Data analyst", "is_award": False} in hits


def test_resolve_catalogue_picks_folder_or_store(tmp_path, monkeypatch, bundled_sqlite):
    monkeypatch.delenv("PLANNER_CATALOGUE", raising=False)
    assert resolve_catalogue(None).kind == "folder"
    assert resolve_catalogue(str(CATALOGUE_DIR)).kind == "folder"
    assert resolve_catalogue("postgresql://u@h/db").is_store
    assert resolve_catalogue(bundled_sqlite).is_store
    assert resolve_catalogue(bundled_sqlite.removeprefix("sqlite:///")).is_store  # an existing .db file
    monkeypatch.setenv("PLANNER_CATALOGUE", bundled_sqlite)
    source = resolve_catalogue(None)
    assert source.is_store
    sub = source.catalogue_for(LearnerProfile(), Target.parse("role:data-analyst"))
    assert sub.has("role", "data-analyst") and len(sub.credentials) < 134


def test_ctdl_import_writes_into_a_store(tmp_path, capsys):
    files = [str(reference_file(f"credentialengine-schema-development/pathways/HeriotWatt/{n}"))
             for n in ("pathway.json", "courses.json")]
    url = f"sqlite:///{tmp_path / 'imp.db'}"
    assert main(["import", "ctdl", *files, "--into", url]) == 0, capsys.readouterr().err
    folder = tmp_path / "cat"
    assert main(["import", "ctdl", *files, "--into", str(folder)]) == 0
    store = open_catalogue(url)
    catalogue = load(folder)
    assert store.counts()["credential"] == len(catalogue.credentials) == 49
    # re-importing the same files replaces them rather than duplicating
    assert main(["import", "ctdl", *files, "--into", url]) == 0
    assert store.counts()["credential"] == 49
    for award in catalogue.awards:
        _same(catalogue, store, LearnerProfile(), Target(kind="award", id=award.id))
    store.close()


# --------------------------------------------------------------------------- app on a store


def _app(monkeypatch, url: str):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("PLANNER_CATALOGUE", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_plan_page_on_a_store_searches_targets_and_plans_like_the_folder(monkeypatch, bundled_sqlite,
                                                                        sample_catalogue):
    at = _app(monkeypatch, bundled_sqlite)
    at.text_input(key="sc_target_search_q").set_value("energy manager").run()
    picker = at.selectbox(key="sc_target")
    assert "Role · Energy manager" in picker.options and len(picker.options) <= 26  # a page (+ the current one)
    picker.set_value("role:energy-manager").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    # the form offers only what this target needs, never the whole catalogue
    held = at.multiselect(key="sc_held")
    assert 0 < len(held.options) < len(sample_catalogue.credentials)
    start = at.session_state["sc_start"]
    expected = recommend(sample_catalogue, LearnerProfile(constraints=Constraints(start=start)),
                         Target.parse("role:energy-manager"), alternatives=3, today=start)
    costs = [m.value for m in at.metric if m.label.startswith("Cost")]
    assert costs == [f"{r.total_cost:,.0f}" for r in expected.routes]
    shown = " ".join(m.value for m in at.markdown)  # route 1's steps, in order
    titles = [step.title for step in expected.routes[0].steps]
    assert all(t in shown for t in titles) and sorted(titles, key=shown.index) == titles
    # searching for another target keeps the chosen one in the picker, by its title
    at.text_input(key="sc_target_search_q").set_value("nurse").run()
    picker = at.selectbox(key="sc_target")
    assert picker.value == "role:energy-manager" and picker.format_func(picker.value) == "Role · Energy manager"


def test_explore_page_on_a_store_pages_through_search_results(monkeypatch, bundled_sqlite, sample_catalogue):
    at = _app(monkeypatch, bundled_sqlite)
    pages = {info.get("url_pathname") or "plan": h for h, info in at._registered_pages.items()}
    at._page_hash = pages["explore"]
    at.run()
    assert not at.exception and not at.error
    at.text_input(key="ex_store_q").set_value("data").run()
    assert "id" not in at.dataframe[0].value.columns  # titles, never ids
    first = list(at.selectbox(key="ex_store_detail").options)
    assert len(first) == 25 and len(at.dataframe[0].value) == 25  # one page, not every match
    at.number_input(key="ex_store_page").set_value(2).run()
    second = list(at.selectbox(key="ex_store_detail").options)
    assert second and not set(first) & set(second)
    chosen = at.selectbox(key="ex_store_detail").value
    assert sample_catalogue.credential(chosen).title in [t.value for t in at.text]


# --------------------------------------------------------------------------- national generator


def test_national_generator_streams_a_valid_catalogue_of_the_exact_size(synthetic_catalogue):
    import inspect
    import itertools

    stream = synthetic.stream_national(10**6, seed=3)
    assert inspect.isgenerator(stream)  # items come one by one, never as one list
    first = list(itertools.islice(stream, 200))
    assert first[0][0] == "meta" and first == list(itertools.islice(synthetic.stream_national(10**6, seed=3), 200))
    cat = synthetic_catalogue
    assert len(cat.credentials) == SYNTHETIC_N
    countries = {c for c, _, _ in synthetic.NATIONAL_COUNTRIES}
    assert len(countries) == 27 and {p.country for p in cat.providers} <= countries
    assert {c.sector for c in cat.credentials} <= set(synthetic.NATIONAL_SECTORS)
    assert len(synthetic.NATIONAL_SECTORS) == 20
    # about 50k providers at 1.08M credentials: 37 per field of 800
    assert len(cat.providers) == 37 * len(synthetic.national_fields(SYNTHETIC_N))
    assert len(synthetic.national_fields(1_080_000)) * 37 == 49_950
    # the loader accepts it as one catalogue: every reference resolves, no cycles
    import yaml

    from planner.catalogue.loader import validate_texts

    data = cat.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert validate_texts({"national.yaml": yaml.safe_dump(data)}).ok


def test_cli_build_says_how_much_it_validated_and_full_validates_everything(tmp_path, capsys):
    src = tmp_path / "cat"
    shutil.copytree(CATALOGUE_DIR, src)
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["catalogue", "build", str(src), "--into", url]) == 0
    assert "the whole catalogue validated" in capsys.readouterr().out  # a new store
    roles = src / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("title: Data analyst", "title: Data wrangler"),
                     encoding="utf-8")
    assert main(["catalogue", "build", str(src), "--into", url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["validated"] == "changed files"
    roles.write_text(roles.read_text(encoding="utf-8").replace("title: Data wrangler", "title: Data analyst"),
                     encoding="utf-8")
    assert main(["catalogue", "build", str(src), "--into", url, "--full", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["validated"] == "full" and out["written"] == [str(roles)]
