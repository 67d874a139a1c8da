"""One question under many single-agreement variants: the shared work gives what one search per variant gives.

``agreement_costs`` must return, for every agreement, exactly the cost that ``recommend`` gives on a
copy of the catalogue with that agreement added (``cheapest_cost(with_agreement(...))``), and must get
there without one search per agreement. Catalogues: the bundled one (``catalogue/``) and synthetic ones
(``benchmarks/synthetic.py``, with certificates stacking into degrees).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import pytest

from benchmarks.synthetic import generate
from planner.catalogue.models import (
    Constraints,
    LearnerProfile,
    RecognitionAgreement,
    RuleCredits,
    Target,
    rule_credentials,
)
from planner.engine import variants
from planner.engine.problem import build_problem
from planner.engine.rules import rule_nodes
from planner.engine.selection import cheapest_per_switch, solve
from planner.engine.variants import agreement_costs, cheapest_cost, with_agreement

DAY = dt.date(2026, 1, 15)
PROFILE = LearnerProfile(name="from zero", constraints=Constraints(start=DAY))


def _agreements(catalogue, award_ids, per_award: int = 4) -> list[RecognitionAgreement]:
    """Agreements like the what-if's: another provider's credential with ECTS counts towards an award
    (in its first pool, or standing in for a component when the award has no pool)."""
    out = []
    for award_id in award_ids:
        award = catalogue.credential(award_id)
        names = set(rule_credentials(award.award.rule))
        has_pool = any(isinstance(n, RuleCredits) for n in rule_nodes(award.award.rule))
        others = [c for c in sorted(catalogue.credentials, key=lambda c: c.id)
                  if c.ects and c.provider != award.provider and c.id not in names and not c.award]
        for k, cred in enumerate(others[:per_award]):
            out.append(RecognitionAgreement(
                id=f"t-{award_id}-{k}", provider=award.provider, credential=cred.id, award=award_id,
                credits=cred.ects, equivalent_to=None if has_pool else sorted(names)[k % len(names)]))
    return out


def _one_by_one(catalogue, target, agreements):
    return (cheapest_cost(catalogue, PROFILE, target, today=DAY),
            tuple(cheapest_cost(with_agreement(catalogue, a), PROFILE, target, today=DAY) for a in agreements))


def _targets(catalogue, n_awards: int, n_roles: int) -> list[Target]:
    awards = sorted(a.id for a in catalogue.awards)
    return ([Target(kind="award", id=a) for a in awards[:n_awards]]
            + [Target(kind="role", id=r.id) for r in sorted(catalogue.roles, key=lambda r: r.id)[:n_roles]])


def test_bundled_catalogue_every_target_every_agreement(sample_catalogue) -> None:
    cat = sample_catalogue
    agreements = _agreements(cat, sorted(a.id for a in cat.awards), per_award=3)
    changed = 0
    for target in _targets(cat, 9, 8):
        shared = agreement_costs(cat, PROFILE, target, agreements, today=DAY)
        assert shared == _one_by_one(cat, target, agreements), target
        changed += sum(after != shared[0] for after in shared[1])
    assert changed >= 3  # the comparison covers agreements that do change a cost


@pytest.mark.parametrize("seed", [4, 6])
def test_synthetic_certificates_and_degrees(seed: int) -> None:
    """Degrees count certificates, so an agreement towards a certificate can change a degree's cost.

    (Seeds whose degree solves in seconds; seeds 1-3 and 5 agree too, in half a minute each.)
    """
    cat = generate(200, seed=seed)
    certificates = sorted(a.id for a in cat.awards if "degree" not in a.id)
    degree = next(a.id for a in cat.awards if "degree" in a.id)
    inside = [c for c in rule_credentials(cat.credential(degree).award.rule) if c in certificates]
    agreements = _agreements(cat, inside[:4], per_award=3) + _agreements(cat, certificates[-2:], per_award=2)
    changed = 0
    for target in [Target(kind="award", id=degree), *(Target(kind="award", id=a) for a in inside[:2]),
                   *_targets(cat, 0, 2)]:
        shared = agreement_costs(cat, PROFILE, target, agreements, today=DAY)
        assert shared == _one_by_one(cat, target, agreements), target
        changed += sum(after != shared[0] for after in shared[1])
    assert changed >= 4  # certificate agreements lower the degree's cost, and the certificates'


def test_awkward_agreements_are_measured_the_plain_way(sample_catalogue) -> None:
    """An agreement naming a credential that already counts, the same agreement twice, one out of
    force and one for an award the question never reaches: each still gets its own variant's cost."""
    cat = sample_catalogue
    msc = cat.credential("nhu-msc-data-science")
    component = sorted(rule_credentials(msc.award.rule))[0]
    plain = _agreements(cat, ["nhu-msc-data-science"], per_award=2)
    agreements = [
        *plain,
        plain[0].model_copy(update={"id": "twice"}),
        RecognitionAgreement(id="already", provider=msc.provider, credential=component,
                             award=msc.id, credits=5.0),
        plain[1].model_copy(update={"id": "lapsed", "valid_until": DAY - dt.timedelta(days=1)}),
        *_agreements(cat, ["wsu-cert-health-promotion-ipc"], per_award=1),
    ]
    target = Target(kind="award", id=msc.id)
    assert agreement_costs(cat, PROFILE, target, agreements, today=DAY) == _one_by_one(cat, target, agreements)


def test_shared_work_needs_one_search_per_target(sample_catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    """Agreements that cannot matter need no search, and the others share one model: ``recommend``
    runs once (the baseline), however many agreements there are."""
    cat = sample_catalogue
    agreements = _agreements(cat, sorted(a.id for a in cat.awards), per_award=3)
    calls: list[Target] = []
    real = variants.recommend

    def counting(catalogue, profile, target, **kwargs):
        calls.append(target)
        return real(catalogue, profile, target, **kwargs)

    monkeypatch.setattr(variants, "recommend", counting)
    for target in _targets(cat, 9, 4):
        calls.clear()
        agreement_costs(cat, PROFILE, target, agreements, today=DAY)
        assert calls == [target], f"{target}: {len(calls)} searches, only the baseline expected"


@pytest.mark.parametrize("seed", [4, 6])
def test_switches_of_several_awards_each_as_its_agreement_alone(seed: int) -> None:
    """``cheapest_per_switch`` asks one award's switches at a time, each solve requiring a switch to be
    used: every switch's cost must still be that of its agreement alone (``recommend`` on a catalogue
    copy), with several awards each having more than one switch below the baseline."""
    cat = generate(200, seed=seed)
    certificates = sorted(a.id for a in cat.awards if "degree" not in a.id)
    degree = next(a.id for a in cat.awards if "degree" in a.id)
    inside = [c for c in rule_credentials(cat.credential(degree).award.rule) if c in certificates]
    agreements = _agreements(cat, inside[:4], per_award=3) + _agreements(cat, certificates[-2:], per_award=2)
    target = Target(kind="award", id=degree)
    before = cheapest_cost(cat, PROFILE, target, today=DAY)
    base = build_problem(cat, PROFILE, target, today=DAY)
    exact = solve(base)[0].cost
    assert before == round(exact, 2)
    union = build_problem(cat, PROFILE, target, today=DAY, extra_agreements=agreements)
    switches = sorted({(a.award, a.credential) for a in agreements})
    result = cheapest_per_switch(union, switches, below=exact)
    assert result.proved
    for a in agreements:
        alone = cheapest_cost(with_agreement(cat, a), PROFILE, target, today=DAY)
        pair = (a.award, a.credential)
        if pair in result.found:
            assert round(result.found[pair][1], 2) == alone, a.id
            assert alone < before, a.id
        else:
            assert alone == before, a.id
    per_award = Counter(award for award, _ in result.found)
    assert len(per_award) >= 2 and max(per_award.values()) >= 2  # the loop per award and across awards


def test_a_baseline_not_proved_cheapest_is_no_bound(sample_catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared model may only drop sets that use no switch when the baseline is proved cheapest:
    a baseline found but not proved (a search stopped by its time limit) sends every agreement that
    reaches the problem to its own search."""
    cat = sample_catalogue
    agreements = _agreements(cat, ["nhu-msc-data-science"], per_award=3)
    target = Target(kind="award", id="nhu-msc-data-science")
    real = variants.recommend
    calls: list[Target] = []

    def unproved(catalogue, profile, target, **kwargs):
        calls.append(target)
        rec = real(catalogue, profile, target, **kwargs)
        routes = tuple(dataclasses.replace(r, proved_optimal=False) for r in rec.routes)
        return dataclasses.replace(rec, routes=routes)

    monkeypatch.setattr(variants, "recommend", unproved)
    before, after = agreement_costs(cat, PROFILE, target, agreements, today=DAY)
    assert len(calls) == 1 + len(agreements)
    monkeypatch.setattr(variants, "recommend", real)
    assert (before, after) == _one_by_one(cat, target, agreements)
