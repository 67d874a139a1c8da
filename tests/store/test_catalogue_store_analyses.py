"""Institution analyses, validate, info and export on a compiled catalogue: the folder's answers.

The in-memory catalogue is the specification: a provider's report on its analysis
sub-catalogue must be the folder's report for that provider (with the scope's roles), on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from sqlalchemy import delete, update

from planner.catalogue.loader import catalogue_summary
from planner.cli import main
from planner.outputs.report import build_report, to_json, to_markdown
from planner.store.catalogue import open_catalogue
from planner.store.catalogue import schema as t
from planner.store.catalogue import scope as scope_module
from planner.store.catalogue.build import build
from planner.store.catalogue.engine import open_engine
from planner.store.catalogue.reader import ScopeTooLarge
from tests.conftest import CATALOGUE_DIR
from tests.store import test_catalogue_store as _base

# the store fixtures (SQLite, and PostgreSQL in a throw-away cluster) of the store's own tests
pg_server, store_url, bundled_sqlite, _app = _base.pg_server, _base.store_url, _base.bundled_sqlite, _base._app

AS_OF = dt.date(2026, 9, 1)
WHATIF_PROVIDER = "noordhaven-university"


def _split(report) -> tuple[dict, dict]:
    data = json.loads(to_json(report))
    return data, data.pop("names")


def _assert_same_report(folder, scope, **kw) -> None:
    """The store scope's report equals the folder's for the same provider and roles."""
    expected = build_report(folder, provider=scope.provider, roles=scope.roles, as_of=AS_OF, **kw)
    got = build_report(scope.catalogue, as_of=AS_OF, **scope.report_kwargs(), **kw)
    want_data, want_names = _split(expected)
    got_data, got_names = _split(got)
    differ = sorted(k for k in want_data if want_data[k] != got_data.get(k))
    assert got_data == want_data, (scope.provider, differ)
    assert got_names.items() <= want_names.items()
    assert to_markdown(got) == to_markdown(expected)  # every title the report shows is known to the scope


# --------------------------------------------------------------------------- the reports


def test_reports_on_a_store_equal_the_folders_whole_and_per_provider(store_url, sample_catalogue):
    assert build([CATALOGUE_DIR], store_url).ok
    store = open_catalogue(store_url)
    try:
        whole = store.analysis_scope()
        assert whole.roles is None and whole.counts is None
        _assert_same_report(sample_catalogue, whole, fastest=False)
        sizes = []
        for provider in sorted(p.id for p in sample_catalogue.providers):
            scope = store.analysis_scope(provider)
            assert scope.provider == provider and scope.roles is not None
            sizes.append(len(scope.catalogue.credentials))
            # the route searches (reachability, what-if) on every provider: the slow part, so the
            # fastest-route search is left out (its wall-clock limit could end it differently)
            _assert_same_report(sample_catalogue, scope, fastest=False)
        assert min(sizes) < len(sample_catalogue.credentials)  # a part, not the whole catalogue again
    finally:
        store.close()


def test_a_provider_scope_holds_its_recognitions_and_whatif_candidates(bundled_sqlite, sample_catalogue):
    store = open_catalogue(bundled_sqlite)
    try:
        for provider in sorted(p.id for p in sample_catalogue.providers):
            scope = store.analysis_scope(provider)
            own = {c.id for c in sample_catalogue.credentials if c.provider == provider}
            touching = {a.id for a in sample_catalogue.recognitions
                        if a.credential in own or a.award in own}
            assert touching <= {a.id for a in scope.catalogue.recognitions}, provider
            assert own <= {c.id for c in scope.catalogue.credentials}
    finally:
        store.close()


def test_a_large_store_needs_a_provider(bundled_sqlite, monkeypatch, capsys):
    store = open_catalogue(bundled_sqlite)
    try:
        with pytest.raises(ScopeTooLarge, match="pass --provider"):
            store.analysis_scope(max_credentials=100)
        with pytest.raises(KeyError):
            store.analysis_scope("no-such-provider")
    finally:
        store.close()
    monkeypatch.setattr(scope_module, "MAX_WHOLE_CREDENTIALS", 100)
    assert main(["coverage", bundled_sqlite, "--no-routes"]) == 1
    assert "pass --provider (the store has 134 credentials" in capsys.readouterr().err
    assert main(["coverage", bundled_sqlite, "--provider", "nope", "--no-routes"]) == 1
    assert "unknown provider 'nope'" in capsys.readouterr().err
    assert main(["coverage", bundled_sqlite, "--provider", "openskills-academy", "--award", "wsu-bsc-nursing",
                 "--no-routes"]) == 1
    assert "--award must be one of 'openskills-academy'" in capsys.readouterr().err


def test_cli_coverage_on_a_store_prints_the_folders_report(bundled_sqlite, sample_catalogue, capsys):
    provider = "openskills-academy"
    assert main(["coverage", bundled_sqlite, "--provider", provider, "--format", "json", "--as-of",
                 AS_OF.isoformat(), "--no-routes", "--scheduler", "none"]) == 0
    got = json.loads(capsys.readouterr().out)
    store = open_catalogue(bundled_sqlite)
    try:
        roles = store.analysis_scope(provider).roles
    finally:
        store.close()
    expected = json.loads(to_json(build_report(sample_catalogue, provider=provider, roles=roles, as_of=AS_OF,
                                               reachability=False, whatif=False)))
    got.pop("names")
    expected.pop("names")
    assert got == expected
    assert got["counts"]["credentials"] == len(sample_catalogue.credentials)  # the whole store's counts


# --------------------------------------------------------------------------- validate, info


def test_validate_a_store_prints_counts_and_exits_0(bundled_sqlite, sample_catalogue, capsys):
    assert main(["validate", bundled_sqlite]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and f"{len(sample_catalogue.credentials)} credentials" in out
    assert main(["validate", bundled_sqlite, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["errors"] == [] and data["items"]["credential"] == len(sample_catalogue.credentials)


def test_validate_finds_dangling_references_located_at_their_source(tmp_path, sample_catalogue, capsys):
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    assert build([CATALOGUE_DIR], url).ok
    needed = next(c for c in sample_catalogue.credentials
                  if any(a.credential == c.id for d in sample_catalogue.credentials
                         for g in d.requires for a in g.any_of))
    dependant = next(d for d in sample_catalogue.credentials
                     if any(a.credential == needed.id for g in d.requires for a in g.any_of))
    engine = open_engine(url)
    with engine.begin() as conn:  # what a faulty importer or a hand edit could leave behind
        conn.execute(delete(t.credentials).where(t.credentials.c.id == needed.id))
        conn.execute(update(t.role_needs).where(t.role_needs.c.role == sample_catalogue.roles[0].id)
                     .values(competency="no-such-skill"))
    engine.dispose()
    assert main(["validate", url]) == 1
    out = capsys.readouterr().out
    assert f"credentials[{dependant.id}].requires: unknown credential '{needed.id}'" in out
    assert f"roles[{sample_catalogue.roles[0].id}].needs: unknown competency 'no-such-skill'" in out
    assert "the build wrote" in out  # the source lost an item
    line = next(x for x in out.splitlines() if dependant.id in x)
    assert line.split(":")[0].endswith(".yaml")  # located at the file the item came from
    assert out.rstrip().splitlines()[-1].startswith("FAILED")


def test_validate_refuses_another_format(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert build([CATALOGUE_DIR], url).ok
    engine = open_engine(url)
    with engine.begin() as conn:
        conn.execute(update(t.store_meta).where(t.store_meta.c.key == "format_version").values(value="0"))
    engine.dispose()
    assert main(["validate", url]) == 1
    assert "rebuild it" in capsys.readouterr().err


def test_info_on_a_store_counts_like_the_folder(bundled_sqlite, sample_catalogue, capsys):
    assert main(["info", bundled_sqlite, "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    summary = catalogue_summary(sample_catalogue)
    assert info["counts"] == summary["counts"]
    largest = max(summary["by_provider"].items(), key=lambda kv: (kv[1], [-ord(ch) for ch in kv[0]]))
    assert info["providers"]["by_credentials"][0][0] == largest[0]
    assert info["providers"]["by_credentials"][0][3] == largest[1]
    assert len(info["sources"]) == len(list(CATALOGUE_DIR.rglob("*.yaml")))
    assert main(["info", bundled_sqlite]) == 0
    assert "build sources" in capsys.readouterr().out


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("fmt", ["ctdl", "ob3"])
def test_export_from_a_store_equals_the_folders(fmt, bundled_sqlite, sample_catalogue, capsys):
    def export(*args: str) -> str:
        assert main(["export", fmt, *args]) == 0, capsys.readouterr().err
        return capsys.readouterr().out

    provider = "openskills-academy"
    folder = export("--catalogue", str(CATALOGUE_DIR), "--provider", provider)
    assert export("--catalogue", bundled_sqlite, "--provider", provider) == folder
    assert provider in folder
    award = next(a.id for a in sample_catalogue.awards)
    assert (export("--catalogue", bundled_sqlite, "--credential", award)
            == export("--catalogue", str(CATALOGUE_DIR), "--credential", award))
    assert export("--catalogue", bundled_sqlite) == export("--catalogue", str(CATALOGUE_DIR))


def test_export_from_a_store_refuses_unknown_ids(bundled_sqlite, capsys):
    assert main(["export", "ctdl", "--catalogue", bundled_sqlite, "--credential", "nope"]) == 1
    assert "unknown credential nope" in capsys.readouterr().err
    assert main(["export", "ctdl", "--catalogue", bundled_sqlite, "--provider", "nope"]) == 1
    assert "unknown provider nope" in capsys.readouterr().err


# --------------------------------------------------------------------------- the what-if on a process cluster


def test_whatif_on_a_local_process_cluster_on_a_store_scope_equals_serial(bundled_sqlite):
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    from planner.analysis.recognition import recognition_whatif

    store = open_catalogue(bundled_sqlite)
    try:
        scope = store.analysis_scope(WHATIF_PROVIDER)
    finally:
        store.close()
    serial = recognition_whatif(scope.catalogue, provider=WHATIF_PROVIDER, as_of=AS_OF)
    assert serial.candidates and serial.searches > 10  # a real what-if, not an empty one
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    try:
        with distributed.Client(cluster) as client:
            with distributed.get_task_stream(client) as stream:
                parallel = recognition_whatif(scope.catalogue, provider=WHATIF_PROVIDER, as_of=AS_OF,
                                              scheduler=client)
            pids = client.run(os.getpid)  # worker address -> process id
    finally:
        cluster.close()
    assert parallel == serial
    # the route searches ran as tasks in the two worker processes, not in this one
    ran_on = {task["worker"] for task in stream.data if "_costs" in str(task["key"])}
    assert ran_on and ran_on <= set(pids) and os.getpid() not in pids.values()


# --------------------------------------------------------------------------- the pages on a store


def _open(at, name: str):
    pages = {info.get("url_pathname") or "plan": h for h, info in at._registered_pages.items()}
    at._page_hash = pages[name]
    return at.run()


def test_coverage_page_on_a_store_shows_the_folders_figures(monkeypatch, bundled_sqlite, sample_catalogue):
    at = _open(_app(monkeypatch, bundled_sqlite), "coverage")
    assert not at.exception and not at.error, [e.value for e in at.error]
    provider = "noordhaven-university"
    at.text_input(key="cov_store_provider_q").set_value("noordhaven").run()
    picker = at.selectbox(key="cov_store_provider")
    name = next(p.name for p in sample_catalogue.providers if p.id == provider)
    found = [o for o in picker.options if o == name]  # labelled by name, as on the folder's page
    assert found and len(picker.options) < len(sample_catalogue.providers)  # found by the search
    picker.set_value(provider).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    store = open_catalogue(bundled_sqlite)
    try:
        roles = store.analysis_scope(provider).roles
    finally:
        store.close()
    expected = build_report(sample_catalogue, provider=provider, roles=roles, as_of=dt.date.today(),
                            reachability=False, whatif=False)
    shown = {m.label: m.value for m in at.metric}
    cov, orph = expected.coverage, expected.orphans
    assert shown["Awards stackable"] == f"{sum(a.stackable for a in cov.awards)} of {len(cov.awards)}"
    assert shown["Competency gaps"] == str(len(expected.gaps.gaps))
    assert shown["Orphans / dead ends"] == f"{len(orph.orphans)} / {len(orph.dead_ends)}"
    assert shown["EU elements complete"] == f"{100 * expected.quality.mean_completeness:.0f}%"
    assert len(cov.awards) > 0  # the provider has awards: the comparison covers stacking
    # the recognition what-if, on the provider's scope, measures what the folder measures
    at.button(key="cov_whatif_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    whatif = build_report(sample_catalogue, provider=provider, roles=roles, as_of=dt.date.today(),
                          reachability=False).whatif
    assert whatif.candidates
    from planner.ui.coverage_page import whatif_rows

    rows = whatif_rows(whatif, sample_catalogue)
    tables = [t.value for t in at.dataframe if "towards award" in t.value.columns]
    if rows:  # the ranking of agreements that change something, with the measured costs target by target
        [ranked] = tables
        assert list(ranked["recognise"]) == [r["recognise"] for r in rows]
        assert list(ranked["effects"]) == [r["effects"] for r in rows]
    else:  # none changes anything on the folder: the store's page says so too, with no ranking
        assert not tables
        assert any(c.value.startswith("None of them would open a target") for c in at.caption)


def test_compare_page_on_a_store_searches_the_target_and_compares_like_the_folder(monkeypatch, bundled_sqlite,
                                                                                 sample_catalogue):
    from planner.catalogue.models import Constraints, LearnerProfile, Target
    from planner.engine.routing import recommend

    at = _open(_app(monkeypatch, bundled_sqlite), "compare")
    at.text_input(key="sc_target_search_q").set_value("data analyst").run()
    picker = at.selectbox(key="sc_target")
    assert "Role · Data analyst" in picker.options and len(picker.options) <= 26  # one page of hits
    picker.set_value("role:data-analyst").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.subheader][:2] == ["Current plan", "What if A"]
    start = dt.date.today()
    expected = recommend(sample_catalogue, LearnerProfile(constraints=Constraints(start=start)),
                         Target.parse("role:data-analyst"), alternatives=3, today=start)
    costs = [m.value for m in at.metric if m.label.startswith("Cost")]
    assert costs[0] == f"{expected.routes[0].total_cost:,.0f}"  # the current plan's card
    # a what-if excluding a provider is answered on the same sub-catalogue as on the folder
    avoided = expected.routes[0].steps[0].provider_id
    at.multiselect(key="cmp1_avoid").set_value([avoided]).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    other = recommend(sample_catalogue, LearnerProfile(constraints=Constraints(start=start,
                                                                               avoid_providers=[avoided])),
                      Target.parse("role:data-analyst"), alternatives=1, today=start)
    costs = [m.value for m in at.metric if m.label.startswith("Cost")]
    assert costs[1] == f"{other.routes[0].total_cost:,.0f}"


def test_a_route_exported_from_a_store_equals_the_folders(tmp_path, bundled_sqlite, capsys):
    def run(*args: str) -> str:
        assert main(list(args)) == 0, capsys.readouterr().err
        return capsys.readouterr().out

    plan = run("recommend", "--catalogue", str(CATALOGUE_DIR), "--target", "role:data-analyst", "--start",
               "2026-09-01", "--format", "json")
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan)
    for how in (["--plan", str(plan_file)], ["--target", "role:data-analyst", "--start", "2026-09-01"]):
        folder = run("export", "ctdl-pathway", "--catalogue", str(CATALOGUE_DIR), *how)
        assert run("export", "ctdl-pathway", "--catalogue", bundled_sqlite, *how) == folder, how
        assert "ceterms:Pathway" in folder
