"""Stacking coverage on a small hand-built catalogue with known answers.

This module also holds the shared mini catalogue and a brute-force route engine used by
the other ``test_analysis_*`` modules (imported from here).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from planner.analysis._common import obtainability
from planner.analysis.coverage import stacking_coverage
from planner.catalogue.models import Catalogue, LearnerProfile, Objective, Target
from planner.engine.results import Recommendation, Route, Step

AS_OF = dt.date(2026, 1, 1)

_COST = {"py1": 100, "py2": 100, "stats1": 500, "ml1": 300, "viz1": 150, "viz2": 120, "sql1": 200, "dead": 50,
         "lonely": 80, "mlonl": 250, "cert": 0, "msc": 0}
_PROVIDER = {"py1": "col", "py2": "col", "dead": "col", "lonely": "col", "stats1": "uni", "ml1": "uni",
             "cert": "uni", "msc": "uni", "viz1": "onl", "viz2": "onl", "sql1": "onl", "mlonl": "onl"}


def _cred(cid: str, *teaches: tuple[str, int], ects: float = 3, **kw: Any) -> dict:
    full = {
        "id": cid, "title": f"Course {cid}", "provider": _PROVIDER[cid], "type": "micro_credential",
        "learning_outcomes": [f"Can do {cid}"], "ects": ects, "hours": 27 * ects, "eqf_level": 5,
        "assessment": ["exam"], "participation": "online", "languages": ["en"],
        "cost": {"amount": _COST[cid], "currency": "EUR"}, "duration_weeks": 4, "hours_per_week": 10,
        "runs": {"rolling": True},
        "teaches": [{"competency": c, "level": lv} for c, lv in teaches],
    }
    full.update(kw)
    return {k: v for k, v in full.items() if v is not None}


def mini_data() -> dict:
    """The shared mini catalogue (see the test modules for the known answers)."""
    return {
        "providers": [
            {"id": "uni", "name": "University", "country": "DE", "kind": "university",
             "quality_assurance": {"type": "external", "body": "Accreditation council"}},
            {"id": "col", "name": "College", "country": "NL", "kind": "vet_college",
             "quality_assurance": {"type": "internal"}},
            {"id": "onl", "name": "Online <b>Academy</b>", "country": "FR", "kind": "online_platform"},
        ],
        "competencies": [{"id": c, "label": c.title()} for c in ("py", "stats", "ml", "viz", "sql", "ethics")]
        + [{"id": "comm", "label": "Communication", "type": "transversal"}],
        "credentials": [
            _cred("py1", ("py", 1)),
            _cred("py2", ("py", 2), requires=[{"credential": "py1"}]),
            _cred("stats1", ("stats", 2), ects=5, type="course", hours=140,
                  quality_assurance={"type": "internal"}),
            _cred("ml1", ("ml", 2), ects=5, requires=[{"competency": "py", "level": 2}]),
            _cred("viz1", ("viz", 2), ects=2, hours=100, learning_outcomes=None, eqf_level=None),
            _cred("viz2", ("viz", 2), ects=2),
            _cred("sql1", ("sql", 2), ects=4),
            _cred("dead", ("ml", 3), ects=5, requires=[{"competency": "stats", "level": 4}]),
            _cred("lonely", ("comm", 1), type="course"),
            _cred("mlonl", ("ml", 2), ects=6),
            _cred("cert", ects=15, type="certificate", award={"rule": {"all_of": [
                {"credential": "stats1"},
                {"n_of": 2, "of": [{"credential": "py2"}, {"credential": "ml1"}, {"credential": "viz1"}]},
            ]}}),
            _cred("msc", ects=90, type="master", award={"rpl_cap": 10, "credit_validity_years": 0.3, "rule": {
                "all_of": [{"credential": "cert"},
                           {"credits": 12, "from": ["ml1", "dead"], "id": "electives"}]}}),
        ],
        "recognitions": [
            {"id": "r-sql", "provider": "uni", "credential": "sql1", "award": "msc", "credits": 4,
             "pool": "electives"},
            {"id": "r-old", "provider": "uni", "credential": "viz2", "award": "msc", "credits": 2,
             "valid_until": "2020-01-01"},
        ],
        "roles": [
            {"id": "analyst", "title": "Data analyst",
             "needs": [{"competency": "py", "level": 2}, {"competency": "stats", "level": 2},
                       {"competency": "sql", "level": 2},
                       {"competency": "viz", "level": 1, "essential": False}]},
            {"id": "mleng", "title": "ML engineer",
             "needs": [{"competency": "ml", "level": 3}, {"competency": "ethics", "level": 1},
                       {"competency": "comm", "level": 2, "essential": False}]},
            {"id": "researcher", "title": "Researcher",
             "needs": [{"competency": "ethics", "level": 2}, {"competency": "stats", "level": 3}]},
        ],
    }


def mini_catalogue() -> Catalogue:
    return Catalogue.model_validate(mini_data())


def brute_engine(catalogue: Catalogue, profile: LearnerProfile, target: Target, *,
                 objective: Objective = Objective.COST, alternatives: int = 1, **_: Any) -> Recommendation:
    """Exhaustive route search for tiny catalogues, with the recommend() signature.

    A subset of non-award credentials works when, with held credentials added, the target
    is met: an award becomes obtainable (prerequisites and rules, recognitions included),
    or every essential role need is taught at its level by an obtainable credential.
    Cost objective: cheapest; time: fewest total weeks (sequential), then cheapest.
    """
    held = {h.credential for h in profile.holdings}
    known = {c.competency: c.level for c in profile.competencies}
    pool = sorted(c.id for c in catalogue.credentials if not c.is_award and c.id not in held)
    awards = [c for c in catalogue.credentials if c.is_award]
    by_id = {c.id: c for c in catalogue.credentials}
    best = None
    for size in range(len(pool) + 1):
        for subset in itertools.combinations(pool, size):
            chosen = set(subset) | held
            sub = Catalogue.model_construct(**{**{k: getattr(catalogue, k) for k in Catalogue.model_fields},
                                               "credentials": [by_id[c] for c in sorted(chosen)] + awards})
            ob = obtainability(sub, AS_OF)
            if not set(subset) <= ob.obtainable:
                continue
            if target.kind == "award":
                ok = target.id in ob.obtainable
            else:
                levels = dict(known)
                for cid in ob.obtainable:
                    for t in by_id[cid].teaches:
                        levels[t.competency] = max(levels.get(t.competency, 0), t.level)
                ok = all(levels.get(n.competency, 0) >= n.level
                         for n in catalogue.role(target.id).needs if n.essential)
            if not ok:
                continue
            cost = sum(_COST[c] for c in subset)
            weeks = sum(by_id[c].duration_weeks or 0 for c in subset)
            key = (cost, weeks, subset) if objective == Objective.COST else (weeks, cost, subset)
            if best is None or key < best[0]:
                best = (key, subset, cost, weeks)
    if best is None:
        return Recommendation(target, profile, objective, ())
    _, subset, cost, weeks = best
    steps = tuple(Step(c, c, by_id[c].provider, _COST[c], _COST[c], "EUR", by_id[c].ects or 0, 0, None, None)
                  for c in subset)
    route = Route(1, subset, steps, float(cost), "EUR", 0.0, 0.0, AS_OF, AS_OF, weeks, objective,
                  float(cost), True)
    return Recommendation(target, profile, objective, (route,))


# --------------------------------------------------------------------------- tests


def test_obtainability_fixpoint() -> None:
    ob = obtainability(mini_catalogue(), AS_OF)
    assert ob.obtainable == {"py1", "py2", "stats1", "ml1", "viz1", "viz2", "sql1", "lonely", "mlonl", "cert"}
    assert ob.unmet_groups["dead"] == (0,)
    assert "msc" in ob.award_rules_unmet


def test_certificate_is_stackable() -> None:
    cov = stacking_coverage(mini_catalogue(), award="cert", as_of=AS_OF)
    (cert,) = cov.awards
    assert cert.stackable and cert.no_route == ()
    assert [r.path for r in cert.rules] == ["0", "0.0", "0.1", "0.1.0", "0.1.1", "0.1.2"]
    assert cert.rules[2].kind == "n_of" and cert.rules[2].reachable == 3 and cert.rules[2].needed == 2
    # stats1 5 + py2 3 + ml1 5 + viz1 2 = 15 = the certificate's ECTS
    assert cert.listed_credits == 15 and cert.max_stackable_credits == 15
    assert {(p.provider_id, p.credits) for p in cert.by_provider} == {("uni", 10), ("col", 3), ("onl", 2)}
    assert cert.share_stackable == 1.0


def test_master_pool_has_no_stackable_route_and_caps_apply() -> None:
    cov = stacking_coverage(mini_catalogue(), provider="uni", as_of=AS_OF)
    assert [a.award_id for a in cov.awards] == ["cert", "msc"]
    msc = cov.awards[1]
    assert not msc.stackable
    assert msc.no_route == ("0.1",)  # the electives pool; the certificate itself is fine
    pool = msc.rules[2]
    assert pool.kind == "credits" and pool.needed == 12
    assert pool.reachable == 9  # ml1 5 + recognised sql1 4 (the expired viz2 agreement does not count)
    assert pool.via == ("ml1", "sql1") and pool.via_recognition == ("r-sql",) and pool.blocked == ("dead",)
    # cert 15 + ml1 5 + sql1 4 = 24, but credit lasts 0.3 years: at most 18 ECTS at 60 a year
    assert msc.listed_credits == 20 and msc.recognised_credits == 4
    assert msc.max_stackable_credits == pytest.approx(18)
    assert any("expires" in n for n in msc.notes)
    assert ("onl", 4.0, 1, True) in {(p.provider_id, p.credits, p.credentials, p.recognised)
                                      for p in msc.by_provider}


def test_rpl_cap_limits_recognised_credit() -> None:
    data = mini_data()
    msc = next(c for c in data["credentials"] if c["id"] == "msc")
    msc["award"]["rpl_cap"] = 3
    del msc["award"]["credit_validity_years"]
    cov = stacking_coverage(Catalogue.model_validate(data), award="msc", as_of=AS_OF)
    (award,) = cov.awards
    assert award.rules[2].reachable == 8  # 5 + min(4, 3)
    assert award.recognised_credits_counted == 3 and award.max_stackable_credits == 23


def test_recognition_as_equivalent_makes_a_component_stackable() -> None:
    data = mini_data()
    # dead is the only way to meet a core component; an agreement makes mlonl its equivalent
    data["credentials"][-1]["award"]["rule"]["all_of"].append({"credential": "dead"})
    before = stacking_coverage(Catalogue.model_validate(data), award="msc", as_of=AS_OF).awards[0]
    assert "0.2" in before.no_route
    data["recognitions"].append({"id": "r-eq", "provider": "uni", "credential": "mlonl", "award": "msc",
                                 "credits": 5, "equivalent_to": "dead"})
    after = stacking_coverage(Catalogue.model_validate(data), award="msc", as_of=AS_OF).awards[0]
    assert "0.2" not in after.no_route
    assert after.rules[-1].via_recognition == ("r-eq",)


def test_coverage_on_sample_catalogue(catalogue_dir) -> None:
    if not any(catalogue_dir.glob("*.y*ml")):
        pytest.fail("the bundled sample catalogue is missing: the project ships it")
    from planner.catalogue.loader import load

    cat = load(catalogue_dir)
    cov = stacking_coverage(cat, as_of=AS_OF)
    assert len(cov.awards) == len(cat.awards) >= 5
    assert any(a.stackable for a in cov.awards)
    for a in cov.awards:
        assert a.max_stackable_credits <= (a.award_ects or float("inf")) + 1e-9
        if a.rpl_cap is not None:
            assert a.recognised_credits_counted <= a.rpl_cap + 1e-9
