"""Recognition what-if: effects measured by re-running a route engine (known answers)."""

from __future__ import annotations

import pytest

from planner.analysis.recognition import recognition_whatif
from tests.analysis.test_analysis_coverage import AS_OF, brute_engine, mini_catalogue


def _summary(result):
    return [(c.award_id, c.credential_id, c.unlocked, c.saving) for c in result.candidates]


def test_whatif_ranks_measured_effects() -> None:
    result = recognition_whatif(mini_catalogue(), provider="uni", engine=brute_engine, as_of=AS_OF)
    # msc's electives pool reaches 9 of 12 ECTS; recognising mlonl (6 ECTS, within the RPL cap
    # of 10 with sql1's 4) opens it. For the certificate, py1 standing in for py2 saves py2's
    # 100 EUR and viz2 for viz1 saves 30; mlonl for ml1 saves nothing.
    assert _summary(result) == [
        ("msc", "mlonl", 1, 0.0),
        ("cert", "py1", 0, 100.0),
        ("cert", "viz2", 0, 30.0),
        ("cert", "mlonl", 0, 0.0),
    ]
    top = result.candidates[0]
    assert (top.pool, top.equivalent_to, top.credits, top.provider_id) == ("electives", None, 6, "uni")
    effect = next(e for e in top.effects if e.target == "award:msc")
    assert effect.before is None and effect.after == 1450 and effect.unlocked
    py1 = result.candidates[1]
    assert py1.equivalent_to == "py2" and py1.pool is None  # the certificate has no credit pool
    cert_effect = next(e for e in py1.effects if e.target == "award:cert")
    assert (cert_effect.before, cert_effect.after) == (850, 750)
    assert dict(result.baseline)["award:cert"] == 850 and dict(result.baseline)["award:msc"] is None
    assert result.searches == 22


def test_whatif_scoped_to_one_award_is_exhaustive() -> None:
    result = recognition_whatif(mini_catalogue(), award="msc", engine=brute_engine, as_of=AS_OF)
    assert _summary(result) == [("msc", "mlonl", 1, 0.0)]
    assert [e.target for e in result.candidates[0].effects] == ["award:msc", "role:mleng"]
    # every candidate towards the certificate is measured on every target (no search limit)
    cert = recognition_whatif(mini_catalogue(), award="cert", engine=brute_engine, as_of=AS_OF)
    assert [c.credential_id for c in cert.candidates] == ["py1", "viz2", "mlonl"]
    assert cert.searches == len(cert.baseline) + sum(len(c.effects) for c in cert.candidates)


def test_whatif_without_engine_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.analysis.recognition as whatif

    monkeypatch.setattr(whatif, "load_engine", lambda: None)
    result = whatif.recognition_whatif(mini_catalogue(), award="msc", as_of=AS_OF)
    assert not result.engine_available and "not available" in result.note and result.candidates == ()


def test_whatif_with_the_route_engine() -> None:
    pytest.importorskip("planner.engine.routing", reason="the route engine (planner.engine.routing) is not written yet")
    from planner.engine.routing import recommend

    result = recognition_whatif(mini_catalogue(), provider="uni", engine=recommend, as_of=AS_OF)
    # the exact engine agrees with brute force on every measured effect
    assert _summary(result) == _summary(recognition_whatif(mini_catalogue(), provider="uni",
                                                           engine=brute_engine, as_of=AS_OF))
    top = result.candidates[0]
    assert (top.award_id, top.credential_id, top.unlocked) == ("msc", "mlonl", 1)
    effect = next(e for e in top.effects if e.target == "award:msc")
    assert effect.before is None and effect.after == pytest.approx(1450)


def test_whatif_on_sample_catalogue_never_makes_things_worse(catalogue_dir) -> None:
    if not any(catalogue_dir.glob("*.y*ml")):
        pytest.fail("the bundled sample catalogue is missing: the project ships it")
    pytest.importorskip("planner.engine.routing", reason="the route engine (planner.engine.routing) is not written yet")
    from planner.catalogue.loader import load

    cat = load(catalogue_dir)
    award = next(a.id for a in sorted(cat.awards, key=lambda a: a.id) if a.provider != "")
    result = recognition_whatif(cat, award=award, as_of=AS_OF, max_candidates=3, max_roles=1)
    assert result.engine_available and result.searches > 0
    for cand in result.candidates:
        assert cand.award_id == award and cand.credential_provider_id != cand.provider_id
        for effect in cand.effects:
            # one more way to earn credit can only keep or lower the cheapest cost
            if effect.before is not None:
                assert effect.after is not None and effect.after <= effect.before + 1e-6
    keys = [(-c.unlocked, -c.saving) for c in result.candidates]
    assert keys == sorted(keys)


@pytest.mark.parametrize("source", ["bundled", "synthetic-150-seed-3", "synthetic-120-seed-5"])
def test_shared_work_gives_the_same_ranking_as_one_search_at_a_time(source, sample_catalogue) -> None:
    """The exhaustive what-if measuring each target once with every candidate on it (``reuse``)
    ranks exactly as measuring one candidate at a time: candidates, effects, baseline, counts."""
    import datetime as dt

    from benchmarks.synthetic import generate

    if source == "bundled":
        catalogue = sample_catalogue
    else:
        _, n, _, seed = source.split("-")
        catalogue = generate(int(n), seed=int(seed))
    day = dt.date(2026, 1, 15)
    shared = recognition_whatif(catalogue, as_of=day)
    alone = recognition_whatif(catalogue, as_of=day, reuse=False)
    assert any(c.helps for c in shared.candidates)  # something measured to compare
    assert shared == alone


@pytest.fixture(scope="module")
def synthetic_10k():
    import datetime as dt

    from benchmarks.synthetic import generate
    from planner.analysis.recognition import obtainability

    catalogue = generate(10_000, seed=1)
    return catalogue, obtainability(catalogue, dt.date(2026, 1, 15))


@pytest.mark.parametrize("award", ["s000-c0008-cert2", "s003-c0075-cert2", "s006-c0129-cert0",
                                   "s007-c0142-cert1", "s010-c0203-cert1", "s012-c0233-cert2"])
def test_awards_whose_switch_model_highs_presolve_got_wrong(award, synthetic_10k) -> None:
    """Awards of the 10k synthetic catalogue (``benchmarks/synthetic.py``, seed 1) whose switch model
    HiGHS 1.16's presolve got wrong: a solve error, or a proof of infeasibility while an agreement
    lowers the cost (s006-c0129-cert0 with every switch in one model, the others one award at a time,
    s003-c0075-cert2 and s012-c0233-cert2 with the presolve rules enumeration and dual fixing off).
    Shared work must still rank as one search at a time."""
    import datetime as dt

    day = dt.date(2026, 1, 15)
    catalogue, obtain = synthetic_10k
    shared = recognition_whatif(catalogue, award=award, as_of=day, obtain=obtain)
    alone = recognition_whatif(catalogue, award=award, as_of=day, obtain=obtain, reuse=False)
    assert sum(c.helps for c in shared.candidates) >= 2  # more than one agreement lowers a cost
    assert shared == alone
