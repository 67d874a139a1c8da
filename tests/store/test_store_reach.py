"""``reach`` on a compiled catalogue: indexed candidates equal the in-memory ones; every line equals the folder's.

The in-memory catalogue is the specification: the store's candidate queries must pick the
same targets in the same order as :func:`planner.engine.reach.candidate_targets` on the same
data, and a search on the store (a sub-catalogue per target) must give the figures the
whole catalogue gives.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from planner.catalogue.loader import load
from planner.catalogue.models import Catalogue, LearnerProfile
from planner.engine.reach import ReachOptions, candidate_targets, reach_to_json
from planner.store.catalogue import open_catalogue
from planner.store.catalogue.build import build
from planner.store.catalogue.reach import (
    DASK_MIN_CORES,
    DASK_THRESHOLD,
    choose_scheduler,
    run_reach,
    store_candidates,
)
from tests.conftest import CATALOGUE_DIR

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import synthetic

START = dt.date(2026, 9, 1)
N = 1600  # two fields of study of the national generator


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> tuple[Catalogue, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('reach') / 'national.db'}"
    synthetic.write_national(url, N, seed=5)
    data: dict[str, list] = {}
    meta = None
    for section, item in synthetic.stream_national(N, seed=5):
        if section == "meta":
            meta = item
        else:
            data.setdefault(section, []).append(item)
    return Catalogue.model_validate({"meta": meta, **data}), url


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('reach') / 'bundled.db'}"
    assert build([CATALOGUE_DIR], url).ok
    return url


def _learners(cat: Catalogue) -> list[LearnerProfile]:
    """Learners holding a few of the catalogue's credentials and knowing a competency or two."""
    plain = [c.id for c in cat.credentials if c.award is None]
    comps = [c.id for c in cat.competencies]
    out = [LearnerProfile.model_validate({"constraints": {"start": START.isoformat()}})]
    for k in (0, 7, 200, 901):
        out.append(LearnerProfile.model_validate({
            "holdings": [{"credential": plain[(k * 37 + j * 11) % len(plain)], "earned": "2026-01-10"}
                         for j in range(1 + k % 3)],
            "competencies": [{"competency": comps[(k * 13) % len(comps)], "level": 1 + k % 3}],
            "constraints": {"start": START.isoformat()}}))
    return out


@pytest.mark.parametrize("filters", [{}, {"kind": "role"}, {"kind": "award"}, {"sector": "HEALTH"},
                                     {"provider": "awarding"}, {"sector": "data", "kind": "award"}])
def test_store_candidates_equal_the_catalogues(national, filters) -> None:
    cat, url = national
    if filters.get("provider") == "awarding":  # a provider that awards something in the second field
        filters = {"provider": next(a.provider for a in cat.awards if a.id.startswith("f0001-"))}
    store = open_catalogue(url)
    found = 0
    try:
        for profile in _learners(cat):
            options = ReachOptions(today=START, exhaustive_limit=0, search_limit=60, **filters)
            mine, theirs = store_candidates(store, profile, options), candidate_targets(cat, profile, options)
            assert mine == theirs, (filters, profile.holdings)
            found += len(mine.targets)
            everything = ReachOptions(today=START, **filters)
            assert {str(t) for t in store_candidates(store, profile, everything).targets} == \
                {str(t) for t in candidate_targets(cat, profile, everything).targets}
    finally:
        store.close()
    assert found, f"no learner had a candidate with {filters}: the comparison would prove nothing"


def test_candidates_share_something_with_the_learner(national) -> None:
    cat, url = national
    profile = _learners(cat)[2]
    store = open_catalogue(url)
    try:
        found = store_candidates(store, profile, ReachOptions(today=START, exhaustive_limit=0, search_limit=500))
    finally:
        store.close()
    held = {h.credential for h in profile.holdings}
    known = {c.competency for c in profile.competencies}
    for h in held:
        known |= {t.competency for t in cat.credential(h).teaches}
    named = {a.id: set(synthetic_rule_ids(a)) for a in cat.awards}
    agreed = {r.award for r in cat.recognitions if r.credential in held}
    assert found.targets
    sectors = {cat.credential(h).sector for h in held}

    def shares(target) -> bool:
        if target.kind == "role":
            return bool(known & {n.competency for n in cat.role(target.id).needs})
        return bool(named[target.id] & held) or target.id in agreed

    flags = [shares(t) for t in found.targets]
    assert flags == sorted(flags, reverse=True), "every target sharing something comes before the others"
    for target, shared in zip(found.targets, flags, strict=True):
        if not shared:  # the rest: the holdings' sectors
            item = cat.role(target.id) if target.kind == "role" else cat.credential(target.id)
            assert item.sector in sectors


def synthetic_rule_ids(award) -> list[str]:
    from planner.catalogue.models import rule_credentials

    return list(rule_credentials(award.award.rule))


def test_reach_on_the_store_equals_reach_on_the_folder(bundled_store) -> None:
    cat = load(CATALOGUE_DIR)
    profile = LearnerProfile.model_validate({
        "holdings": [{"credential": "osa-python-data", "earned": "2026-02-01"}],
        "competencies": [{"competency": "use-databases", "level": 2}],
        "constraints": {"start": START.isoformat(), "hours_per_week": 15}})
    options = ReachOptions(top=12)
    folder = reach_to_json(run_reach(cat, profile, options, scheduler=None))
    store = open_catalogue(bundled_store)
    try:
        compiled = reach_to_json(run_reach(store, profile, options, scheduler=None))
    finally:
        store.close()
    assert compiled["ranked"] == folder["ranked"]
    assert compiled["unreachable"] == folder["unreachable"] and compiled["met"] == folder["met"]
    assert compiled["next_step"] == folder["next_step"] and compiled["next_step"] is not None


def test_store_searches_on_a_dask_cluster_give_the_serial_answer(bundled_store) -> None:
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    profile = LearnerProfile.model_validate({"constraints": {"start": START.isoformat()}})
    options = ReachOptions(kind="award", top=4)
    store = open_catalogue(bundled_store)
    seen: list[tuple[str, int, int]] = []
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0")
    try:
        serial = reach_to_json(run_reach(store, profile, options, scheduler=None))
        with distributed.Client(cluster) as client:
            parallel = reach_to_json(run_reach(store, profile, options, scheduler=client,
                                               progress=lambda *p: seen.append(p)))
    finally:
        cluster.close()
        store.close()
    assert parallel["ranked"] == serial["ranked"] and parallel["next_step"] == serial["next_step"]
    assert ("ranking", 9, 9) in seen and ("next step", 4, 4) in seen


def test_auto_starts_a_cluster_only_where_it_pays() -> None:
    assert choose_scheduler("auto", 10, cores=16) is None
    assert choose_scheduler("auto", DASK_THRESHOLD + 1, cores=DASK_MIN_CORES) == "local"
    assert choose_scheduler("auto", DASK_THRESHOLD + 1, cores=2) is None  # measured: slower on 2 cores
    assert choose_scheduler(None, 10_000) is None and choose_scheduler("local", 1) == "local"


def test_the_page_on_a_compiled_catalogue_ranks_what_the_plan_page_holds(monkeypatch, bundled_store) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("PLANNER_CATALOGUE", bundled_store)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    pages = {info.get("url_pathname") or "plan": h for h, info in at._registered_pages.items()}
    at.session_state["sc_held"] = ["osa-python-data"]  # what the Plan page's form holds
    at.session_state["sc_held_date_osa-python-data"] = dt.date(2026, 2, 1)
    at.session_state["sc_start"] = START
    at._page_hash = pages["reach"]
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    profile = LearnerProfile.model_validate({"holdings": [{"credential": "osa-python-data", "earned": "2026-02-01"}],
                                             "constraints": {"start": START.isoformat()}})
    store = open_catalogue(bundled_store)
    try:
        expected = run_reach(store, profile, ReachOptions(top=10, today=START), scheduler=None)
    finally:
        store.close()
    assert list(at.table[0].value["target"]) == [e.title for e in expected.ranked]
    assert any("compiled catalogue" in c.value for c in at.caption)


def test_one_json_request_gives_the_json_the_cli_prints(bundled_store, capsys) -> None:
    """The HTTP API's form: the same answer as ``planner reach --format json`` for the same learner."""
    import json

    from pydantic import ValidationError

    from planner.cli import main
    from planner.engine.reach import ReachError
    from planner.store.catalogue.reach import reach_request

    request = {"profile": {"holdings": [{"credential": "osa-python-data", "earned": "2026-02-01"}],
                           "constraints": {"start": START.isoformat()}},
               "options": {"kind": "role", "top": 5, "objective": "time"}}
    store = open_catalogue(bundled_store)
    try:
        answer = reach_request(store, json.loads(json.dumps(request)), scheduler=None)
        with pytest.raises(ReachError, match="unknown key"):
            reach_request(store, {"learner": {}})
        with pytest.raises(ReachError, match="top: expected int"):
            reach_request(store, {"options": {"top": "5"}})
        with pytest.raises(ValidationError):
            reach_request(store, {"profile": {"holdings": "none"}})
    finally:
        store.close()
    assert main(["reach", "--catalogue", bundled_store, "--have", "osa-python-data@2026-02-01", "--start",
                 START.isoformat(), "--kind", "role", "--top", "5", "--objective", "time", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert answer["ranked"] == printed["ranked"] and answer["next_step"] == printed["next_step"]
    assert answer["options"] == printed["options"] and answer["holdings"] == printed["holdings"]
