"""Competency gaps on the mini catalogue (see tests/analysis/test_analysis_coverage.py)."""

from __future__ import annotations

import pytest

from planner.analysis.gaps import competency_gaps
from tests.analysis.test_analysis_coverage import mini_catalogue


def test_gaps_ranked_by_roles_blocked() -> None:
    result = competency_gaps(mini_catalogue())
    assert [g.competency_id for g in result.gaps] == ["ethics", "stats", "comm"]
    ethics, stats, comm = result.gaps
    assert (ethics.kind, ethics.needed_level, ethics.best_taught_level) == ("not_taught", 2, 0)
    assert ethics.roles_blocked == ("mleng", "researcher")
    assert (stats.kind, stats.needed_level, stats.best_taught_level) == ("level_too_low", 3, 2)
    assert stats.roles_blocked == ("researcher",)  # the analyst's level-2 need is met
    assert comm.roles_blocked == () and comm.roles_optional == ("mleng",)
    assert result.roles_considered == 3


def test_gaps_for_one_provider_say_who_else_teaches() -> None:
    result = competency_gaps(mini_catalogue(), provider="onl")
    assert [g.competency_id for g in result.gaps] == ["ethics", "stats", "ml", "py", "comm"]
    by_id = {g.competency_id: g for g in result.gaps}
    assert by_id["stats"].roles_blocked == ("analyst", "researcher")
    assert (by_id["ml"].kind, by_id["ml"].best_taught_level, by_id["ml"].taught_elsewhere) == (
        "level_too_low", 2, 3)
    assert by_id["py"].taught_elsewhere == 2 and by_id["ethics"].taught_elsewhere == 0
    assert "sql" not in by_id  # onl teaches it at the needed level


def test_gaps_on_sample_catalogue(catalogue_dir) -> None:
    if not any(catalogue_dir.glob("*.y*ml")):
        pytest.fail("the bundled sample catalogue is missing: the project ships it")
    from planner.catalogue.loader import load

    cat = load(catalogue_dir)
    result = competency_gaps(cat)
    best = {}
    for cred in cat.credentials:
        for t in cred.teaches:
            best[t.competency] = max(best.get(t.competency, 0), t.level)
    for gap in result.gaps:
        assert best.get(gap.competency_id, 0) == gap.best_taught_level < gap.needed_level
    blocked = [len(g.roles_blocked) for g in result.gaps]
    assert blocked == sorted(blocked, reverse=True)
