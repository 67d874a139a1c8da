"""Role reachability with a brute-force engine (known answers) and the real route engine."""

from __future__ import annotations

import pytest

from planner.analysis.reachability import role_reachability, typical_profile
from planner.catalogue.models import Catalogue
from tests.analysis.test_analysis_coverage import AS_OF, brute_engine, mini_catalogue, mini_data


def _with_sectors() -> Catalogue:
    data = mini_data()
    for cred in data["credentials"]:
        if cred["id"] in ("py1", "py2", "ml1", "stats1"):
            cred["sector"] = "data"
    data["roles"][0]["sector"] = "data"
    return Catalogue.model_validate(data)


def test_typical_profile_definition() -> None:
    cat = _with_sectors()
    profile = typical_profile(cat, cat.role("analyst"), as_of=AS_OF)
    # py1 is the data sector's only prerequisite-free credential that others require
    assert [h.credential for h in profile.holdings] == ["py1"]
    assert [(c.competency, c.level) for c in profile.competencies] == [("comm", 1)]  # transversal
    other = typical_profile(cat, cat.role("mleng"), as_of=AS_OF)  # no sector: no holding
    assert other.holdings == []


def test_reachability_known_answers() -> None:
    result = role_reachability(_with_sectors(), engine=brute_engine, as_of=AS_OF)
    assert [r.role_id for r in result.roles] == ["analyst", "mleng", "researcher"]
    analyst, mleng, researcher = result.roles
    assert analyst.from_zero.reachable is True
    cheap = analyst.from_zero.cheapest
    assert cheap.cost == 900 and cheap.credential_ids == ("py1", "py2", "sql1", "stats1")
    assert cheap.providers == ("col", "onl", "uni")
    assert analyst.from_zero.fastest.weeks == 16
    assert analyst.from_typical.cheapest.cost == 800  # py1 already held
    assert mleng.from_zero.reachable is False and mleng.from_zero.cheapest is None
    assert researcher.from_typical.reachable is False
    assert result.reachable_from_zero == 1 and result.engine_available


def test_engine_failure_is_reported_not_raised() -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("solver exploded")

    result = role_reachability(mini_catalogue(), roles=["analyst"], engine=broken, as_of=AS_OF)
    (row,) = result.roles
    assert row.from_zero.reachable is None
    assert "solver exploded" in row.from_zero.reasons[0]


def test_reachability_with_the_route_engine() -> None:
    pytest.importorskip("planner.engine.routing", reason="the route engine (planner.engine.routing) is not written yet")
    from planner.engine.routing import recommend

    result = role_reachability(_with_sectors(), engine=recommend, as_of=AS_OF)
    analyst, mleng, researcher = result.roles
    assert analyst.from_zero.reachable and analyst.from_zero.cheapest.cost == pytest.approx(900)
    assert set(analyst.from_zero.cheapest.credential_ids) == {"py1", "py2", "sql1", "stats1"}
    assert analyst.from_typical.cheapest.cost == pytest.approx(800)
    assert mleng.from_zero.reachable is False and mleng.from_zero.reasons  # ethics is not taught
    assert researcher.from_zero.reachable is False


def test_reachability_on_sample_catalogue(catalogue_dir) -> None:
    if not any(catalogue_dir.glob("*.y*ml")):
        pytest.fail("the bundled sample catalogue is missing: the project ships it")
    pytest.importorskip("planner.engine.routing", reason="the route engine (planner.engine.routing) is not written yet")
    from planner.catalogue.loader import load

    cat = load(catalogue_dir)
    some = sorted(r.id for r in cat.roles)[:3]
    result = role_reachability(cat, roles=some, as_of=AS_OF)
    assert [r.role_id for r in result.roles] == some
    for r in result.roles:
        if r.from_zero.reachable:
            assert r.from_zero.cheapest.cost <= r.from_zero.fastest.cost + 1e-6
            assert r.from_zero.fastest.weeks <= r.from_zero.cheapest.weeks
            # a head start never makes the cheapest route dearer
            assert r.from_typical.reachable
            assert r.from_typical.cheapest.cost <= r.from_zero.cheapest.cost + 1e-6


def test_cheapest_only_and_empty_typical_profile_reuses_searches() -> None:
    calls = []

    def counting(*args, **kwargs):
        calls.append((args[2].id, kwargs["objective"]))
        return brute_engine(*args, **kwargs)

    data = mini_data()
    data["competencies"] = [c for c in data["competencies"] if c["id"] != "comm"]
    for cred in data["credentials"]:
        cred["teaches"] = [t for t in cred["teaches"] if t["competency"] != "comm"]
    data["roles"][1]["needs"] = [n for n in data["roles"][1]["needs"] if n["competency"] != "comm"]
    result = role_reachability(Catalogue.model_validate(data), roles=["analyst"], engine=counting,
                               as_of=AS_OF, fastest=False)
    (row,) = result.roles
    # no transversal competencies and no sector: the typical profile is empty, so one search
    assert calls == [("analyst", "cost")]
    assert row.from_typical == row.from_zero and row.from_zero.fastest is None
    assert not result.fastest_searched
