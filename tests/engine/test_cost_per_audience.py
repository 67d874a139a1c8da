"""Prices per audience: alternatives, the learner's own when given, else the lowest; never summed.

``docs/semantics.md`` ("Cost of a credential") is the rule; :func:`planner.engine.rules.credential_cost`
is its one implementation, and every caller (the selection MILP through the problem's costs,
budget checks, explanations, handouts, analyses) is checked here to use it.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from planner.catalogue.models import Catalogue, Constraints, LearnerProfile, Money, Target
from planner.engine.problem import build_problem
from planner.engine.routing import recommend
from planner.engine.rules import credential_cost
from planner.outputs.handout import route_to_markdown

START = dt.date(2027, 1, 4)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    """A certificate of two courses; one course is priced per residency (in-state 100, out-of-state 500 USD)."""
    return Catalogue.model_validate({
        "meta": {"exchange_rates": {"USD": 0.5}},
        "providers": [{"id": "cc", "name": "Community College", "country": "US", "kind": "vet_college"}],
        "competencies": [{"id": "k", "label": "K"}],
        "credentials": [
            {"id": "state", "title": "State course", "provider": "cc", "type": "course", "ects": 5,
             "duration_weeks": 4, "hours_per_week": 5, "teaches": [{"competency": "k", "level": 2}],
             "costs": [{"audience": "in-state", "price": "100 USD", "label": "In-State Tuition"},
                       {"audience": "out-of-state", "price": "500 USD", "label": "Out-of-State Tuition"}]},
            {"id": "other", "title": "Other course", "provider": "cc", "type": "course", "ects": 5,
             "duration_weeks": 4, "hours_per_week": 5, "cost": "40 EUR"},
            {"id": "cert", "title": "Certificate", "provider": "cc", "type": "certificate",
             "award": {"rule": {"all_of": [{"credential": "state"}, {"credential": "other"}]}}},
            {"id": "priced-anyone", "title": "Anyone or members", "provider": "cc", "type": "course",
             "costs": [{"price": "300 EUR"}, {"audience": "member", "price": "200 EUR"}]},
            {"id": "krona", "title": "Priced in SEK", "provider": "cc", "type": "course",
             "teaches": [{"competency": "k", "level": 1}],
             "costs": [{"audience": "member", "price": "10 EUR"}, {"audience": "resident", "price": "900 SEK"}]},
        ],
    })


def profile(**constraints) -> LearnerProfile:
    return LearnerProfile(constraints=Constraints(start=START, **constraints))


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(("cid", "audiences", "base", "audience", "basis"), [
    ("state", ["out-of-state"], 250.0, "out-of-state", "audience"),
    ("state", ["in-state"], 50.0, "in-state", "audience"),
    ("state", [], 50.0, "in-state", "lowest"),  # no audience given: the lowest, and said so
    ("state", ["member"], 50.0, "in-state", "lowest-other"),  # none fits: the lowest, and said so
    ("state", ["member", "out-of-state"], 250.0, "out-of-state", "audience"),
    ("other", ["out-of-state"], 40.0, None, "single"),
    ("cert", [], 0.0, None, "unpriced"),
    ("priced-anyone", ["member"], 200.0, "member", "audience"),
    ("priced-anyone", ["resident"], 300.0, None, "lowest"),  # only the price for anyone fits
    ("krona", ["member"], 10.0, "member", "audience"),  # the SEK price is not compared: it does not fit
])
def test_the_price_a_learner_pays(cat, cid, audiences, base, audience, basis):
    choice = credential_cost(cat, cat.credential(cid), audiences)
    assert (choice.base, choice.audience, choice.basis) == (base, audience, basis)
    assert choice.missing_rate is None


def test_a_compared_price_without_a_rate_cannot_be_priced(cat):
    choice = credential_cost(cat, cat.credential("krona"), [])
    assert choice.missing_rate == "SEK" and math.isinf(choice.base)
    target = Target.parse("competencies:k=1")
    assert "SEK" in build_problem(cat, profile(), target, today=START).excluded["krona"]
    # a member compares only the euro price, so the course can be chosen
    assert "krona" not in build_problem(cat, profile(audiences=["member"]), target, today=START).excluded


def test_never_the_sum_of_the_prices(cat):
    for audiences in ([], ["in-state"], ["out-of-state"], ["in-state", "out-of-state"]):
        base = credential_cost(cat, cat.credential("state"), audiences).base
        assert base in (50.0, 250.0), audiences  # 100 or 500 USD, never 600


# --------------------------------------------------------------------------- every caller uses it


def test_route_cost_uses_the_learners_audience_and_says_which(cat):
    target = Target(kind="award", id="cert")
    mine = recommend(cat, profile(audiences=["out-of-state"]), target).best
    assert mine.total_cost == pytest.approx(250 + 40)
    (step,) = [s for s in mine.steps if s.credential_id == "state"]
    assert (step.cost, step.cost_amount, step.cost_currency) == (250.0, 500.0, "USD")
    assert step.cost_note == "price for out-of-state" and "price for out-of-state" in step.explanation
    lowest = recommend(cat, profile(), target).best
    assert lowest.total_cost == pytest.approx(50 + 40)
    (step,) = [s for s in lowest.steps if s.credential_id == "state"]
    assert step.cost_note.startswith("lowest of 2 prices (in-state)")


def test_budget_checks_the_learners_own_price(cat):
    target = Target(kind="award", id="cert")
    budget = Money(amount=200, currency="EUR")
    assert recommend(cat, profile(budget=budget, audiences=["in-state"]), target).feasible
    out = build_problem(cat, profile(budget=budget, audiences=["out-of-state"]), target, today=START)
    assert "costs 250.00 EUR, above the budget" in out.excluded["state"]
    assert not recommend(cat, profile(budget=budget, audiences=["out-of-state"]), target).feasible


def test_the_handout_says_which_price(cat):
    target = Target(kind="award", id="cert")
    rec = recommend(cat, profile(audiences=["out-of-state"]), target)
    text = route_to_markdown(rec, rec.best, cat)
    assert "price for out-of-state" in text and "500 USD" in text
