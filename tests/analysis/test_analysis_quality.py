"""Quality against the EU standard elements on the mini catalogue."""

from __future__ import annotations

import pytest

from planner.analysis.quality import quality_report
from tests.analysis.test_analysis_coverage import mini_catalogue


def test_per_credential_elements_and_workload() -> None:
    result = quality_report(mini_catalogue())
    by_id = {q.credential_id: q for q in result.credentials}
    assert list(by_id) == sorted(by_id)
    viz1 = by_id["viz1"]
    # no outcomes, no EQF level, and neither it nor its provider names any QA
    assert viz1.missing == ("learning_outcomes", "eqf_level", "quality_assurance")
    assert viz1.completeness == pytest.approx(4 / 7)
    assert viz1.hours_per_ects == 50 and viz1.workload_flag
    stats1 = by_id["stats1"]
    assert stats1.missing == () and stats1.hours_per_ects == 28 and not stats1.workload_flag
    assert stats1.external_qa  # its own QA is internal, but its provider's is external
    assert not by_id["py1"].external_qa  # the college has internal QA only
    assert "supervision" in by_id["py1"].missing_optional


def test_per_provider_and_overall() -> None:
    result = quality_report(mini_catalogue())
    onl = next(p for p in result.providers if p.provider_id == "onl")
    assert onl.credentials == 4
    assert onl.mean_completeness == pytest.approx((4 + 6 * 3) / 28)
    assert (onl.share_complete, onl.share_external_qa, onl.workload_flags) == (0, 0, 1)
    assert onl.most_missing == (("quality_assurance", 4), ("eqf_level", 1), ("learning_outcomes", 1))
    assert [p.provider_id for p in result.providers] == ["col", "onl", "uni"]
    assert result.share_external_qa == pytest.approx(4 / 12)
    assert dict(result.missing_counts)["quality_assurance"] == 4
    only = quality_report(mini_catalogue(), provider="uni")
    assert [p.provider_id for p in only.providers] == ["uni"] and only.share_external_qa == 1


def test_quality_on_sample_catalogue(catalogue_dir) -> None:
    if not any(catalogue_dir.glob("*.y*ml")):
        pytest.fail("the bundled sample catalogue is missing: the project ships it")
    from planner.catalogue.loader import load

    cat = load(catalogue_dir)
    result = quality_report(cat)
    assert len(result.credentials) == len(cat.credentials)
    assert 0 < result.mean_completeness <= 1
    for q in result.credentials:
        if q.hours_per_ects is not None:
            assert q.workload_flag == (not 25 <= q.hours_per_ects <= 30)
