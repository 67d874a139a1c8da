"""planner.engine.scenario: the shareable-link encoding, its errors, and fitting a scenario to a catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.catalogue.models import CompetencyLevel, Holding, Objective, Target
from planner.engine.scenario import Scenario, ScenarioError, fit_to_catalogue, from_query, to_query

ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    start = draw(st.none() | days)
    deadline = None
    if start is not None and draw(st.booleans()):
        deadline = start + dt.timedelta(days=draw(st.integers(1, 3000)))
    return Scenario(
        target=f"{draw(st.sampled_from(['role', 'award']))}:{draw(ids)}",
        # one entry per credential / competency (the form has one widget each)
        holdings=[Holding(credential=c, earned=d)
                  for c, d in draw(st.lists(st.tuples(ids, days), max_size=4, unique_by=lambda t: t[0]))],
        competencies=[CompetencyLevel(competency=c, level=lv)
                      for c, lv in draw(st.lists(st.tuples(ids, st.integers(0, 10)), max_size=4,
                                                 unique_by=lambda t: t[0]))],
        budget=draw(st.none() | st.floats(0, 1_000_000, allow_nan=False)),
        currency=draw(st.sampled_from(["EUR", "SEK", "CHF"])),
        hours_per_week=draw(st.none() | st.floats(0.5, 80, allow_nan=False)),
        start=start,
        deadline=deadline,
        modes=draw(st.lists(st.sampled_from(["online", "onsite", "blended"]), max_size=3, unique=True)),
        languages=draw(st.lists(st.from_regex(r"[a-z]{2}", fullmatch=True), max_size=3)),
        countries=draw(st.lists(st.from_regex(r"[A-Z]{2}", fullmatch=True), max_size=3)),
        avoid_providers=draw(st.lists(ids, max_size=3)),
        audiences=draw(st.lists(ids, max_size=3)),
        objective=draw(st.sampled_from(list(Objective))),
        alternatives=draw(st.integers(1, 10)),
    )


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_query_round_trip(scenario: Scenario) -> None:
    query = to_query(scenario)
    assert all(isinstance(v, str) for v in query.values())
    assert from_query(query) == scenario


@settings(max_examples=50, deadline=None)
@given(scenarios())
def test_round_trip_survives_list_valued_params(scenario: Scenario) -> None:
    # Streamlit / urllib may hand every value as a list; the last one counts
    query = {k: ["ignored", v] for k, v in to_query(scenario).items()}
    assert from_query(query) == scenario


def test_query_is_minimal_and_readable() -> None:
    s = Scenario(target="role:data-analyst", holdings=[Holding(credential="osa-sql-basics",
                                                               earned=dt.date(2024, 5, 1))],
                 competencies=[CompetencyLevel(competency="python", level=2)], budget=1500.0, currency="EUR",
                 hours_per_week=12.5)
    assert to_query(s) == {"target": "role:data-analyst", "have": "osa-sql-basics@2024-05-01",
                           "know": "python=2", "budget": "1500", "currency": "EUR", "hours_per_week": "12.5"}


def test_numbers_are_not_rounded() -> None:
    # ":g" formatting would turn 123456.5 into "123456"
    s = Scenario(target="role:x", budget=123456.5, hours_per_week=7.25)
    assert from_query(to_query(s)).budget == 123456.5


@pytest.mark.parametrize(("params", "field"), [
    ({}, "target"),
    ({"target": "job:x"}, "target"),
    ({"target": "role:Not Valid"}, "target"),
    ({"target": "role:x", "have": "osa-sql@2024-13-01"}, "have"),
    ({"target": "role:x", "have": "osa-sql"}, "have"),
    ({"target": "role:x", "know": "python"}, "know"),
    ({"target": "role:x", "know": "python=high"}, "know"),
    ({"target": "role:x", "budget": "lots"}, "budget"),
    ({"target": "role:x", "budget": "-5"}, "budget"),
    ({"target": "role:x", "hours_per_week": "200"}, "hours_per_week"),
    ({"target": "role:x", "start": "yesterday"}, "start"),
    ({"target": "role:x", "start": "2026-05-01", "deadline": "2026-01-01"}, "deadline"),
    ({"target": "role:x", "modes": "online,telepathy"}, "modes"),
    ({"target": "role:x", "objective": "happiness"}, "objective"),
    ({"target": "role:x", "alternatives": "50"}, "alternatives"),
    ({"target": "role:x", "currency": "euro"}, "currency"),
])
def test_broken_links_name_the_field(params: dict[str, str], field: str) -> None:
    with pytest.raises(ScenarioError) as info:
        from_query(params)
    assert str(info.value).startswith(f"{field}"), str(info.value)


def test_profile_and_target_carry_the_constraints() -> None:
    s = Scenario(target="award:nhu-msc-data-science", budget=900, currency="SEK", hours_per_week=10,
                 start=dt.date(2027, 1, 1), deadline=dt.date(2028, 1, 1), modes=["online"],
                 avoid_providers=["learngrid"])
    assert s.to_target() == Target(kind="award", id="nhu-msc-data-science")
    c = s.to_profile().constraints
    assert (c.budget.amount, c.budget.currency, c.hours_per_week, c.modes, c.avoid_providers) == (
        900, "SEK", 10, ["online"], ["learngrid"])
    back = Scenario.from_parts(s.to_target(), s.to_profile(), objective=s.objective, alternatives=s.alternatives)
    assert back == s


def test_fit_to_catalogue_drops_unknown_ids(sample_catalogue) -> None:
    s = Scenario(target="role:data-analyst",
                 holdings=[Holding(credential="osa-sql-basics", earned=dt.date(2024, 1, 1)),
                           Holding(credential="no-such-thing", earned=dt.date(2024, 1, 1))],
                 competencies=[CompetencyLevel(competency="nope", level=2)], currency="XYZ",
                 avoid_providers=["learngrid", "ghost-college"], languages=["xx"])
    fitted, problems = fit_to_catalogue(s, sample_catalogue)
    assert [h.credential for h in fitted.holdings] == ["osa-sql-basics"]
    assert fitted.competencies == [] and fitted.avoid_providers == ["learngrid"] and fitted.languages == []
    assert fitted.currency == sample_catalogue.meta.base_currency
    joined = " | ".join(problems)
    for expected in ("have: unknown credential 'no-such-thing'", "know: unknown competency 'nope'",
                     "avoid_providers: unknown provider 'ghost-college'", "currency: 'XYZ'", "languages"):
        assert expected in joined


def test_fit_to_catalogue_refuses_an_unknown_target(sample_catalogue) -> None:
    with pytest.raises(ScenarioError, match=r"^target: 'role:astronaut'"):
        fit_to_catalogue(Scenario(target="role:astronaut"), sample_catalogue)
    with pytest.raises(ScenarioError, match="without award rules"):
        fit_to_catalogue(Scenario(target="award:osa-sql-basics"), sample_catalogue)


def test_fit_to_catalogue_needs_an_award_for_the_credit_objective(sample_catalogue) -> None:
    fitted, problems = fit_to_catalogue(Scenario(target="role:data-analyst", objective="credit"), sample_catalogue)
    assert fitted.objective == Objective.COST
    assert problems == ["objective: 'credit' needs an award as the target; using 'cost'"]
    award = Scenario(target="award:nhu-msc-data-science", objective="credit")
    assert fit_to_catalogue(award, sample_catalogue) == (award, [])


def test_audiences_travel_through_links_plan_files_and_profiles() -> None:
    s = Scenario(target="award:cert", audiences=["out-of-state", "member"])
    assert to_query(s)["audiences"] == "out-of-state,member"
    assert from_query(to_query(s)).audiences == ["out-of-state", "member"]
    assert s.to_profile().constraints.audiences == ["out-of-state", "member"]
    assert Scenario.from_parts(s.to_target(), s.to_profile()).audiences == ["out-of-state", "member"]
    with pytest.raises(ScenarioError, match="audiences"):
        from_query({"target": "award:cert", "audiences": "In State!"})
