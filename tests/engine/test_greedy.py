"""The greedy baseline route finder used by the benchmarks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from benchmarks.greedy import Greedy, greedy_route
from benchmarks.synthetic import generate
from planner.catalogue.models import (
    Catalogue,
    LearnerProfile,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
    Target,
)

TODAY = dt.date(2026, 9, 1)


# --------------------------------------------------------------------------- independent checker


def _rule_met(cat: Catalogue, award, rule, have: set[str], held: set[str]) -> bool:
    recs = [r for r in cat.recognitions if r.award == award.id and r.is_valid_on(TODAY)]
    if isinstance(rule, RuleCredential):
        return rule.credential in have or any(
            r.equivalent_to == rule.credential and r.credential in have for r in recs)
    if isinstance(rule, RuleAllOf):
        return all(_rule_met(cat, award, c, have, held) for c in rule.all_of)
    if isinstance(rule, RuleNOf):
        return sum(_rule_met(cat, award, c, have, held) for c in rule.of) >= rule.n_of
    assert isinstance(rule, RuleCredits)
    new = sum(cat.credential(c).ects or 0 for c in rule.from_ if c in have and c not in held)
    prior = sum(cat.credential(c).ects or 0 for c in rule.from_ if c in held)
    prior += sum(r.credits for r in recs if r.pool == rule.id and r.credential in have
                 and r.credential not in rule.from_)
    cap = award.award.rpl_cap if award.award.rpl_cap is not None else float("inf")
    return new + min(prior, cap) >= rule.credits - 1e-9


def check_route(cat: Catalogue, profile: LearnerProfile, target: Target, ids: tuple[str, ...]) -> float:
    """Replay ``ids`` in order; assert it is a valid route reaching the target; return its cost."""
    held = {h.credential for h in profile.holdings}
    have = set(held)
    known: dict[str, int] = {c.competency: c.level for c in profile.competencies}
    for cid in held:
        for t in cat.credential(cid).teaches:
            known[t.competency] = max(known.get(t.competency, 0), t.level)
    assert len(set(ids)) == len(ids), "a credential is taken twice"
    cost = 0.0
    for cid in ids:
        cred = cat.credential(cid)
        assert cid not in held, f"{cid} is already held"
        assert cid not in profile.constraints.avoid_credentials
        for group in cred.requires:
            assert any(
                (alt.credential in have) if alt.credential else known.get(alt.competency, 0) >= alt.level
                for alt in group.any_of
            ), f"{cid} taken before its prerequisite group {group} is met"
        if cred.award is not None:
            assert _rule_met(cat, cred, cred.award.rule, have, held), f"award {cid} rules not met"
        have.add(cid)
        cost += cat.to_base(cred.cost) if cred.cost else 0.0
        for t in cred.teaches:
            known[t.competency] = max(known.get(t.competency, 0), t.level)
    if target.kind == "role":
        for need in cat.role(target.id).needs:
            if need.essential:
                assert known.get(need.competency, 0) >= need.level, f"{need} not met"
    elif target.kind == "award":
        assert target.id in have
    else:
        for comp in target.competencies:
            assert known.get(comp.competency, 0) >= comp.level
    return cost


# --------------------------------------------------------------------------- generated catalogues


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_greedy_reaches_teachable_roles_with_valid_routes(seed: int) -> None:
    cat = generate(400, seed=seed, n_roles=40)
    greedy = Greedy(cat)
    profile = LearnerProfile(constraints={"start": TODAY})
    met = 0
    for role in cat.roles:
        target = Target(kind="role", id=role.id)
        result = greedy.route(profile, target)
        if result.met:
            met += 1
            assert result.cost == pytest.approx(check_route(cat, profile, target, result.credential_ids))
        else:
            assert result.reason.startswith("stuck")
    assert met >= 0.8 * len(cat.roles)


@pytest.mark.parametrize("seed", [0, 5])
def test_greedy_earns_every_generated_award_with_valid_routes(seed: int) -> None:
    cat = generate(400, seed=seed)
    greedy = Greedy(cat)
    profile = LearnerProfile(constraints={"start": TODAY})
    for award in cat.awards:
        target = Target(kind="award", id=award.id)
        result = greedy.route(profile, target)
        assert result.met, (award.id, result.reason)
        assert result.credential_ids[-1] == award.id
        assert result.cost == pytest.approx(check_route(cat, profile, target, result.credential_ids))


def test_holdings_and_declared_competencies_shorten_the_route() -> None:
    cat = generate(300, seed=7, n_roles=10)
    greedy = Greedy(cat)
    role = next(r for r in cat.roles if greedy.route(LearnerProfile(), Target(kind="role", id=r.id)).met)
    target = Target(kind="role", id=role.id)
    plain = greedy.route(LearnerProfile(constraints={"start": TODAY}), target)
    first = plain.credential_ids[0]
    profile = LearnerProfile(holdings=[{"credential": first, "earned": "2026-01-10"}],
                             constraints={"start": TODAY})
    with_holding = greedy.route(profile, target)
    assert first not in with_holding.credential_ids
    assert with_holding.cost < plain.cost
    check_route(cat, profile, target, with_holding.credential_ids)
    knows_all = LearnerProfile(competencies=[{"competency": n.competency, "level": n.level}
                                             for n in role.needs])
    done = greedy.route(knows_all, target)
    assert done.met and done.credential_ids == () and done.cost == 0


# --------------------------------------------------------------------------- hand-made cases


def _cat(credentials: list[dict[str, Any]], **extra: Any) -> Catalogue:
    comps = sorted({t["competency"] for c in credentials for t in c.get("teaches", [])} | {"x", "y", "z"})
    data: dict[str, Any] = {
        "meta": {"exchange_rates": {"GBP": 1.2}},
        "providers": [{"id": "p", "name": "P", "country": "DE", "kind": "university"},
                      {"id": "q", "name": "Q", "country": "GB", "kind": "online_platform"}],
        "competencies": [{"id": c, "label": c.upper()} for c in comps],
        "credentials": [{"provider": "p", "type": "micro_credential", "title": c["id"].upper(), **c}
                        for c in credentials],
    }
    data.update(extra)
    return Catalogue.model_validate(data)


def _teach(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"competency": c, "level": lv} for c, lv in pairs]


def test_greedy_takes_best_coverage_per_cost_and_needed_prerequisites() -> None:
    cat = _cat(
        [
            {"id": "a", "cost": "100 EUR", "teaches": _teach(("x", 1))},
            {"id": "b", "cost": "150 EUR", "teaches": _teach(("x", 1), ("y", 1))},
            {"id": "c", "cost": "100 EUR", "teaches": _teach(("y", 1))},
            {"id": "e", "cost": "10 EUR", "teaches": _teach(("w", 1))},
            {"id": "f", "cost": "50 EUR", "teaches": _teach(("v", 1))},
            # z at 2 needs e, or w at level 1, or v at level 1: e is the cheapest way
            {"id": "d", "cost": "100 GBP", "teaches": _teach(("z", 2)), "provider": "q", "hours_per_week": 10,
             "requires": [{"any_of": [{"credential": "f"}, {"competency": "w", "level": 1}]}]},
        ],
        roles=[{"id": "r", "title": "R", "needs": [
            {"competency": "x", "level": 1}, {"competency": "y", "level": 1},
            {"competency": "z", "level": 2}, {"competency": "v", "level": 3, "essential": False}]}],
    )
    result = greedy_route(cat, LearnerProfile(), Target(kind="role", id="r"))
    assert result.met
    assert result.credential_ids == ("b", "e", "d")  # b covers two for 150; e before d
    assert result.cost == pytest.approx(150 + 10 + 120)
    # avoiding b forces a + c (1 per 100 EUR each: ties go to the cheaper, then the smaller id),
    # taken before e + d (1 per 130 EUR); avoiding the online provider makes z unreachable
    avoid_b = LearnerProfile(constraints={"avoid_credentials": ["b"]})
    assert greedy_route(cat, avoid_b, Target(kind="role", id="r")).credential_ids == ("a", "c", "e", "d")
    # d needs 10 hours a week: a learner with 8 cannot take it
    role_r = Target(kind="role", id="r")
    assert not greedy_route(cat, LearnerProfile(constraints={"hours_per_week": 8}), role_r).met
    assert greedy_route(cat, LearnerProfile(constraints={"hours_per_week": 10}), role_r).met
    onsite_only = LearnerProfile(constraints={"avoid_providers": ["q"]})
    stuck = greedy_route(cat, onsite_only, Target(kind="role", id="r"))
    assert not stuck.met and "z at level 2" in stuck.reason
    # an ad-hoc competency target
    comps = greedy_route(cat, LearnerProfile(), Target.parse("competencies:y=1"))
    assert comps.credential_ids == ("c",)


def test_expired_holdings_count_for_nothing_and_may_be_retaken() -> None:
    cat = _cat([{"id": "a", "cost": "100 EUR", "teaches": _teach(("x", 3)), "credit_validity_years": 2}],
               roles=[{"id": "r", "title": "R", "needs": [{"competency": "x", "level": 3}]}])
    target = Target(kind="role", id="r")
    start = {"start": TODAY}
    fresh = LearnerProfile(holdings=[{"credential": "a", "earned": "2025-10-01"}], constraints=start)
    old = LearnerProfile(holdings=[{"credential": "a", "earned": "2020-10-01"}], constraints=start)
    assert greedy_route(cat, fresh, target).credential_ids == ()
    assert greedy_route(cat, old, target).credential_ids == ("a",)


def test_award_takes_cheapest_children_and_recognised_equivalents() -> None:
    cat = _cat(
        [
            {"id": "m1", "ects": 5, "cost": "300 EUR", "teaches": _teach(("x", 1))},
            {"id": "m2", "ects": 5, "cost": "100 EUR", "teaches": _teach(("x", 1))},
            {"id": "m3", "ects": 5, "cost": "200 EUR", "teaches": _teach(("x", 1))},
            {"id": "m4", "ects": 10, "cost": "250 EUR", "teaches": _teach(("y", 1))},
            {"id": "core", "ects": 5, "cost": "900 EUR", "teaches": _teach(("z", 1))},
            {"id": "other", "ects": 5, "cost": "100 GBP", "provider": "q", "teaches": _teach(("z", 1))},
            {"id": "cert", "type": "certificate", "cost": "50 EUR", "award": {"rule": {"all_of": [
                {"credential": "core"},
                {"n_of": 2, "of": [{"credential": "m1"}, {"credential": "m2"}, {"credential": "m3"}]},
                {"credits": 10, "from": ["m1", "m2", "m3", "m4"], "id": "pool"},
            ]}}},
        ],
        recognitions=[{"id": "rec", "provider": "p", "credential": "other", "award": "cert", "credits": 5,
                       "equivalent_to": "core"}],
    )
    result = greedy_route(cat, LearnerProfile(), Target(kind="award", id="cert"), today=TODAY)
    assert result.met
    # 'other' (120 EUR) stands in for 'core' (900); m2 + m3 are the two cheapest modules and
    # already give the 10 credits, so m4 is not needed
    assert set(result.credential_ids) == {"other", "m2", "m3", "cert"}
    assert result.credential_ids[-1] == "cert"
    assert result.cost == pytest.approx(120 + 100 + 200 + 50)


def test_unknown_targets_are_reported_not_raised() -> None:
    cat = _cat([{"id": "a", "cost": "1 EUR", "teaches": _teach(("x", 1))}])
    assert not greedy_route(cat, LearnerProfile(), Target(kind="role", id="nope")).met
    res = greedy_route(cat, LearnerProfile(), Target(kind="award", id="a"))
    assert not res.met and "not an award" in res.reason
