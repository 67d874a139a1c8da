"""Orphans, dead ends and near-duplicates on the mini catalogue."""

from __future__ import annotations

import pytest

from planner.analysis.orphans import orphans_and_dead_ends
from tests.analysis.test_analysis_coverage import AS_OF, mini_catalogue


def test_orphans_dead_ends_duplicates() -> None:
    result = orphans_and_dead_ends(mini_catalogue(), as_of=AS_OF)
    # py1 teaches python only at level 1 (the analyst needs 2) and counts towards nothing;
    # viz2 serves only an optional need; awards are never orphans
    assert [o.credential_id for o in result.orphans] == ["lonely", "mlonl", "py1", "viz2"]
    assert next(o for o in result.orphans if o.credential_id == "py1").unlocks == ("py2",)
    assert [d.credential_id for d in result.dead_ends] == ["dead", "msc"]
    dead, msc = result.dead_ends
    assert dead.reasons == ("needs stats at level 4 (taught at most at level 2)",)
    assert msc.reasons == ("its award rules cannot be met with earnable credentials",)
    assert [(d.credential_ids, d.providers, d.teaches) for d in result.duplicates] == [
        (("ml1", "mlonl"), ("onl", "uni"), (("ml", 2),)),
        (("viz1", "viz2"), ("onl",), (("viz", 2),)),
    ]


def test_provider_scope() -> None:
    result = orphans_and_dead_ends(mini_catalogue(), provider="col", as_of=AS_OF)
    assert [o.credential_id for o in result.orphans] == ["lonely", "py1"]
    assert [d.credential_id for d in result.dead_ends] == ["dead"]
    assert result.duplicates == ()


def test_dead_end_through_a_dead_prerequisite() -> None:
    from planner.catalogue.models import Catalogue
    from tests.analysis.test_analysis_coverage import mini_data

    data = mini_data()
    data["credentials"][0]["requires"] = [{"credential": "dead"}]  # py1 now needs the dead end
    result = orphans_and_dead_ends(Catalogue.model_validate(data), as_of=AS_OF)
    ids = [d.credential_id for d in result.dead_ends]
    # py2 and ml1 need python, so they fall too; the certificate still has viz1 only: 1 of 2
    assert ids == ["cert", "dead", "ml1", "msc", "py1", "py2"]
    py1 = next(d for d in result.dead_ends if d.credential_id == "py1")
    assert py1.reasons == ("needs credential dead (cannot be earned)",)


def test_orphans_on_sample_catalogue(catalogue_dir) -> None:
    if not any(catalogue_dir.glob("*.y*ml")):
        pytest.fail("the bundled sample catalogue is missing: the project ships it")
    from planner.catalogue.loader import load

    cat = load(catalogue_dir)
    result = orphans_and_dead_ends(cat, as_of=AS_OF)
    award_ids = {a.id for a in cat.awards}
    assert not award_ids & {o.credential_id for o in result.orphans}
    for group in result.duplicates:
        teach_sets = {tuple(sorted((t.competency, t.level) for t in cat.credential(c).teaches))
                      for c in group.credential_ids}
        assert len(teach_sets) == 1
