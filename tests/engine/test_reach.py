"""``reach()`` on the bundled catalogue: every role and award listed, each exactly as ``recommend`` says it.

The figures of a target must be those ``recommend`` gives for it with the same profile,
objective and time budget (a property over random learners); the ranking is by the
objective; filters, limits and the JSON form behave as documented.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalogue.models import Catalogue, LearnerProfile, Objective, Target, rule_credentials
from planner.engine.reach import (
    ReachError,
    ReachOptions,
    candidate_targets,
    list_targets,
    reach,
    reach_to_json,
)
from planner.engine.routing import recommend

START = dt.date(2026, 9, 1)


def _profile(**data) -> LearnerProfile:
    data.setdefault("constraints", {})
    data["constraints"] = {"start": START.isoformat(), **data["constraints"]}
    return LearnerProfile.model_validate(data)


def _all_targets(cat) -> set[str]:
    return {f"role:{r.id}" for r in cat.roles} | {f"award:{a.id}" for a in cat.awards}


@pytest.fixture(scope="module")
def analyst(sample_catalogue):
    profile = _profile(holdings=[{"credential": "osa-sql-basics", "earned": "2026-05-01"}],
                       competencies=[{"competency": "use-databases", "level": 2}])
    return profile, reach(sample_catalogue, profile)


def test_every_role_and_award_is_listed_once(sample_catalogue, analyst) -> None:
    _, result = analyst
    names = [e.target for e in result.entries]
    assert len(names) == len(set(names)) == len(sample_catalogue.roles) + len(sample_catalogue.awards)
    assert set(names) == _all_targets(sample_catalogue)
    assert result.complete and result.searched == result.within_filters == len(names)
    # the bundled catalogue's one deliberate gap is unreachable, with its diagnosis in one line
    wind = next(e for e in result.unreachable if e.id == "onshore-wind-energy-engineer")
    assert "teaches" in wind.diagnosis and "\n" not in wind.diagnosis and wind.diagnoses[0].code == "no_teacher"


def test_ranked_by_the_objective_and_numbered(analyst) -> None:
    _, result = analyst
    costs = [e.cost for e in result.ranked]
    assert costs == sorted(costs) and len(costs) > 20
    assert [e.rank for e in result.ranked] == list(range(1, len(costs) + 1))
    assert all(e.status == "reachable" and e.steps == len(e.credential_ids) for e in result.ranked)


def test_share_already_met_counts_essential_needs(sample_catalogue, analyst) -> None:
    _, result = analyst
    analyst_role = next(e for e in result.entries if e.target == "role:data-analyst")
    # SQL for Beginners teaches query languages 2 and use databases 2: two of the role's eight (both at 2)
    essential = {n.competency for n in sample_catalogue.role("data-analyst").needs if n.essential}
    assert len(essential) == 8
    assert analyst_role.met_text == "2 of 8 essential needs"
    assert analyst_role.met_share == 0.25


def test_an_award_already_held_is_met_and_its_rules_progress_shows(sample_catalogue) -> None:
    cert = "nhu-cert-applied-data-analytics"
    result = reach(sample_catalogue, _profile(holdings=[{"credential": cert, "earned": "2026-06-01"}]),
                   ReachOptions(kind="award"))
    assert [e.target for e in result.met] == [f"award:{cert}"]
    assert result.met[0].met_text == "held"
    # the master's degree counts the certificate: part of its rules is already met
    msc = next(e for e in result.entries if e.id == "nhu-msc-data-science")
    assert 0 < msc.met_share < 1 and msc.met_text.endswith("of its rules")


learners = st.fixed_dictionaries({
    "holdings": st.lists(st.sampled_from(["osa-sql-basics", "osa-python-data", "lfp-hygiene-healthcare",
                                          "osa-energy-transition", "idc-digital-essentials",
                                          "lg-security-fundamentals"]), max_size=3, unique=True),
    "know": st.lists(st.tuples(st.sampled_from(["use-databases", "query-languages", "normalise-data",
                                                "cloud-technologies"]), st.integers(1, 3)),
                     max_size=2, unique_by=lambda t: t[0]),
    "hours": st.sampled_from([None, 8.0, 15.0]),
    "budget": st.sampled_from([None, 1500.0, 4000.0]),
    # the time objective is checked against brute force on small catalogues (test_reach_oracle.py) and on
    # the bundled one by the CLI test: here, with a weekly-hours limit, one example can take minutes
    "objective": st.sampled_from([Objective.COST, Objective.WORKLOAD]),
})


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(learners)
def test_each_target_is_exactly_what_recommend_gives(sample_catalogue, learner) -> None:
    """The issue's check: for random learners, every target's figures equal ``recommend``'s best route."""
    constraints = {k: v for k, v in (("hours_per_week", learner["hours"]),
                                     ("budget", learner["budget"] and {"amount": learner["budget"],
                                                                       "currency": "EUR"})) if v}
    profile = _profile(holdings=[{"credential": c, "earned": "2026-03-01"} for c in learner["holdings"]],
                       competencies=[{"competency": k, "level": lv} for k, lv in learner["know"]],
                       constraints=constraints)
    # a generous time budget on both sides: proofs must not depend on how busy the machine is
    result = reach(sample_catalogue, profile, ReachOptions(objective=learner["objective"], time_limit=120))
    assert {e.target for e in result.entries} == _all_targets(sample_catalogue)
    for entry in result.entries:
        rec = recommend(sample_catalogue, profile, Target.parse(entry.target), objective=learner["objective"],
                        alternatives=1, today=START, time_limit=120)
        best = rec.best
        if entry.status == "met":
            assert rec.diagnoses and rec.diagnoses[0].code == "already_met"
        elif entry.status == "reachable":
            assert best is not None, entry.target
            assert entry.proved and best.proved_optimal, f"{entry.target}: a search stopped by its time limit"
            assert (entry.cost, entry.hours, entry.credential_ids) == \
                (best.total_cost, best.total_hours, best.credential_ids), entry.target
            if entry.finish_proved and best.schedule_proved_optimal:  # else a best-found date, timing-dependent
                assert entry.weeks == best.weeks, entry.target
        else:
            assert best is None and rec.diagnoses and entry.diagnosis, entry.target
    measures = [e.measure(learner["objective"]) for e in result.ranked]
    assert measures == sorted(measures)


def test_filters_select_targets_before_any_search(sample_catalogue) -> None:
    roles = list_targets(sample_catalogue, ReachOptions(kind="role"))
    assert {t.kind for t in roles} == {"role"} and len(roles) == len(sample_catalogue.roles)
    energy = list_targets(sample_catalogue, ReachOptions(sector="green ENERGY"))
    assert energy and all((sample_catalogue.role(t.id).sector if t.kind == "role"
                           else sample_catalogue.credential(t.id).sector) == "Green energy" for t in energy)
    nhu = list_targets(sample_catalogue, ReachOptions(provider="noordhaven-university"))
    awards = {t.id for t in nhu if t.kind == "award"}
    assert awards == {a.id for a in sample_catalogue.awards if a.provider == "noordhaven-university"}
    # a role is kept when one of the provider's credentials teaches one of its essential needs at its level
    role_ids = {t.id for t in nhu if t.kind == "role"}
    assert "data-scientist" in role_ids and "nurse-general-care" not in role_ids


def test_limits_hide_targets_and_top_cuts_the_list(sample_catalogue) -> None:
    profile = _profile()
    whole = reach(sample_catalogue, profile)
    cheap = reach(sample_catalogue, profile, ReachOptions(max_cost=1000, max_weeks=30, top=3))
    within = [e for e in whole.ranked if e.cost <= 1000 and e.weeks <= 30]
    assert [e.target for e in cheap.ranked] == [e.target for e in within[:3]]
    assert cheap.hidden == len(whole.ranked) - len(within) and cheap.beyond_top == len(within) - 3
    assert cheap.next_step is not None and cheap.next_step.considered == 3


@pytest.mark.parametrize("options, message", [
    ({"objective": "credit"}, "cost, time or workload"),
    ({"objective": "speed"}, "cost, time or workload"),
    ({"top": 0}, "top"),
    ({"max_cost": float("nan")}, "max cost"),
    ({"max_weeks": -1}, "max weeks"),
    ({"kind": "competencies"}, "role or award"),
    ({"time_limit": 0}, "time limit"),
])
def test_bad_options_are_named(options, message) -> None:
    with pytest.raises(ReachError, match=message):
        ReachOptions(**options)


def test_many_targets_search_the_candidates_closest_first(sample_catalogue) -> None:
    profile = _profile(holdings=[{"credential": "osa-sql-basics", "earned": "2026-05-01"}],
                       competencies=[{"competency": "perform-data-cleansing", "level": 2}])
    # known: perform-data-cleansing 2 (declared), query-languages 2, use-databases 2, sql 2 (SQL for Beginners).
    # Roles needing one of them: data analyst (3 of 8 essential needs met), data scientist (2 of 9: its
    # cleansing need is level 3), database administrator (0 of 10: query languages at 3); no award names the course.
    options = ReachOptions(exhaustive_limit=5, search_limit=2)
    found = candidate_targets(sample_catalogue, profile, options)
    assert not found.exhaustive and found.within_filters == len(_all_targets(sample_catalogue))
    assert [str(t) for t in found.targets] == ["role:data-analyst", "role:data-scientist"]
    wider = candidate_targets(sample_catalogue, profile, ReachOptions(exhaustive_limit=5, search_limit=10))
    assert [str(t) for t in wider.targets[:3]] == ["role:data-analyst", "role:data-scientist",
                                                   "role:database-administrator"]
    # fewer than ten share something: the other targets of the holding's sector follow, smallest first
    rest = wider.targets[3:]
    assert len(rest) == 7
    sizes = []
    for t in rest:
        item = sample_catalogue.role(t.id) if t.kind == "role" else sample_catalogue.credential(t.id)
        assert item.sector == "Data and AI"
        sizes.append(len({n.competency for n in item.needs if n.essential}) if t.kind == "role"
                     else len(set(rule_credentials(item.award.rule))))
    assert sizes == sorted(sizes)
    result = reach(sample_catalogue, profile, options)
    assert not result.complete and result.searched == 2 and "were searched exactly" in result.note
    empty = reach(sample_catalogue, _profile(), options)
    assert empty.searched == 0 and "add what you know or hold" in empty.note and empty.next_step is None
    # an award counting a holding is a candidate: the certificate names the SQL course in its rules
    holder = _profile(holdings=[{"credential": "nhu-sql-databases", "earned": "2026-05-01"}])
    awards = candidate_targets(sample_catalogue, holder, ReachOptions(exhaustive_limit=5, kind="award"))
    assert "award:nhu-cert-applied-data-analytics" in {str(t) for t in awards.targets}


def test_json_form_is_stable(sample_catalogue, analyst) -> None:
    profile, result = analyst
    data = reach_to_json(result)
    assert data["version"] == 1 and data["measure"] == "cost" and data["complete"] is True
    first = data["ranked"][0]
    for key in ("rank", "target", "title", "status", "cost", "weeks", "hours", "steps", "credential_ids", "proved",
                "met_share", "first_steps"):
        assert key in first
    assert "route" not in first
    step = data["next_step"]
    assert step["headline"].startswith("take ") and step["serves"] and len(step["effects"]) == step["considered"]
    assert json.loads(json.dumps(data)) == data
    assert reach_to_json(reach(sample_catalogue, profile)) | {"seconds": None} == data | {"seconds": None}


def test_a_roles_labour_market_figures_travel_with_its_line(sample_catalogue) -> None:
    import datetime as dt

    from planner.catalogue.models import Outlook, Wage

    outlook = Outlook(openings=23400, median_wage=Wage(amount=112590, currency="USD", period="year"),
                      source="U.S. Bureau of Labor Statistics", as_of=dt.date(2024, 5, 31))
    roles = [r.model_copy(update={"outlook": outlook}) if r.id == "data-scientist" else r
             for r in sample_catalogue.roles]
    cat = Catalogue(meta=sample_catalogue.meta, providers=sample_catalogue.providers,
                    competencies=sample_catalogue.competencies, credentials=sample_catalogue.credentials,
                    roles=roles, recognitions=sample_catalogue.recognitions)
    result = reach(cat, _profile(), ReachOptions(kind="role"))
    lines = {e.id: e for e in result.entries}
    assert lines["data-scientist"].outlook == outlook
    assert all(e.outlook is None for e in result.entries if e.id != "data-scientist")
    data = {e["id"]: e for e in reach_to_json(result)["ranked"]}
    assert data["data-scientist"]["outlook"]["median_wage"] == {"amount": 112590.0, "currency": "USD",
                                                                "period": "year"}
    assert "outlook" not in data["data-analyst"]


@pytest.mark.parametrize("objective, measure", [(Objective.TIME, "weeks"), (Objective.WORKLOAD, "hours")])
def test_time_and_workload_rank_by_their_own_measure(sample_catalogue, objective, measure) -> None:
    result = reach(sample_catalogue, _profile(), ReachOptions(objective=objective))
    values = [getattr(e, measure) for e in result.ranked]
    assert values == sorted(values)
    # on the bundled catalogue the fastest (lightest) targets are not the cheapest: the order is the objective's
    assert [e.cost for e in result.ranked] != sorted(e.cost for e in result.ranked)
