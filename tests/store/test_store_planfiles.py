"""Plans in and out of the store as files: what-ifs and notes kept, the file's route kept, history read.

A plan file written by the app (with two what-ifs and notes) saved for a learner reads back
with the same what-ifs, notes and route; ``planner recommend --format json`` output saves the
route it names; a route the catalogue no longer gives is refused with the reason. Every
version's what-ifs are read back from the store; two versions are compared.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from planner.engine.routing import recommend
from planner.engine.whatif import WhatIf
from planner.outputs.export import PlanFileError, plan_from_json, plan_to_json
from planner.store.history import compare_versions, plan_histories
from planner.store.planfiles import plan_file_of, read_plan_source, route_for, save_plan_source, saved_what_ifs

from .conftest import START

WHAT_IFS = (WhatIf(name="What if A", budget=900.0, hours_per_week=6.0),
            WhatIf(name="What if B", budget=None, hours_per_week=None, avoid_providers=("open-skills-academy",)))


@pytest.fixture
def me(store):
    user = store.local_user()
    return user, store.own_learner_id(user)


def test_a_plan_file_with_what_ifs_and_notes_saves_and_reads_back(store, me, sample_catalogue, analyst):
    user, learner = me
    scenario, rec = analyst
    text = plan_to_json(rec, 1, notes="Talk about\nevening classes", alternatives=scenario.alternatives,
                        what_ifs=WHAT_IFS)
    assert [w["name"] for w in json.loads(text)["what_ifs"]] == ["What if A", "What if B"]
    source = read_plan_source(text)
    assert source.what_ifs == WHAT_IFS and source.chosen == rec.routes[1].credential_ids
    saved = save_plan_source(store, user, learner, source, sample_catalogue)
    assert saved.chosen == rec.routes[1].credential_ids  # the file's route, not the best one
    assert saved.notes == "Talk about\nevening classes"
    # the store keeps each what-if as the scenario it describes; read back, they are the same what-ifs
    assert [w.budget for w in saved.whatifs] == [900.0, None]
    assert saved_what_ifs(store.plan(user, saved.plan_id)) == WHAT_IFS
    # and out again as a plan file, equal in what matters
    out = plan_from_json(plan_file_of(saved).to_json())
    assert (out.chosen, out.notes, tuple(out.what_ifs)) == (list(saved.chosen), saved.notes, WHAT_IFS)


def test_recommend_output_saves_the_route_it_names(store, me, sample_catalogue, catalogue_dir, capsys):
    from planner.cli import main

    user, learner = me
    assert main(["recommend", "--catalogue", str(catalogue_dir), "--target", "role:data-analyst",
                 "--alternatives", "3", "--start", START.isoformat(), "--format", "json"]) == 0
    text = capsys.readouterr().out
    routes = json.loads(text)["routes"]
    source = read_plan_source(text, route=2)
    assert source.kind == "recommend output" and source.chosen == tuple(routes[1]["credential_ids"])
    saved = save_plan_source(store, user, learner, source, sample_catalogue)
    assert list(saved.chosen) == routes[1]["credential_ids"] and saved.target == "role:data-analyst"
    # a second save of the same file is the plan's next version
    again = save_plan_source(store, user, learner, source, sample_catalogue, plan_id=saved.plan_id)
    assert (again.plan_id, again.version, again.based_on) == (saved.plan_id, 2, 1)
    with pytest.raises(PlanFileError, match="route 4 does not exist"):
        read_plan_source(text, route=4)


def test_a_route_outside_the_ranked_ones_is_kept_exactly_or_refused_with_the_reason(sample_catalogue, analyst):
    _scenario, rec = analyst
    source = read_plan_source(plan_to_json(rec, 0, alternatives=1))
    # a route with a step the target does not need: the engine would never rank it, the file chose it
    spare = next(c.id for c in sample_catalogue.credentials
                 if c.id not in rec.best.credential_ids and not c.award and not c.requires)
    padded = dataclasses.replace(source, chosen=(*source.chosen, spare))
    with pytest.raises(PlanFileError, match="needs only"):
        route_for(sample_catalogue, padded)
    gone = dataclasses.replace(source, chosen=(*source.chosen, "no-such-course"))
    with pytest.raises(PlanFileError, match="no credential 'no-such-course'"):
        route_for(sample_catalogue, gone)
    # the best route, found among the ranked ones
    found, index = route_for(sample_catalogue, source)
    assert found.routes[index].credential_ids == rec.best.credential_ids


@pytest.mark.parametrize("text, message", [
    ("[1, 2]", "not a plan file"),
    ('{"routes": [], "target": "role:data-analyst"}', "route 1 does not exist"),
    ('{"routes": [{"credential_ids": "x"}], "target": "role:data-analyst"}', "credential_ids: expected a list"),
    ('{"routes": [{"credential_ids": []}], "target": "nowhere"}', "invalid recommend output"),
    ('{"format": "stackable-planner-plan", "version": 1}', "invalid plan file"),
    ("{", "not a JSON file"),
])
def test_files_that_are_no_plan_are_refused_with_the_field(text, message):
    with pytest.raises(PlanFileError, match=message):
        read_plan_source(text)


def test_history_lists_versions_what_ifs_and_progress_and_compares_two(store, me, sample_catalogue, analyst):
    user, learner = me
    scenario, rec = analyst
    v1 = store.save_plan(user, learner, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                         whatifs=[w.apply(scenario) for w in WHAT_IFS], notes="first")
    store.set_progress(user, v1.plan_id, v1.chosen[0], "completed", on=START)
    later = scenario.model_copy(update={"budget": None})
    rec2 = recommend(sample_catalogue, later.to_profile(), later.to_target(), objective="time", today=START)
    v2 = store.save_plan(user, learner, scenario=later, catalogue=sample_catalogue, recommendation=rec2,
                         notes="second", plan_id=v1.plan_id, based_on=1)
    [history] = plan_histories(store, user, learner)
    assert [v.version for v in history.versions] == [1, 2] and history.latest == v2
    assert history.what_ifs(1) == WHAT_IFS and history.what_ifs() == ()
    assert history.progress[v1.chosen[0]].status == "completed" and history.completed == (v1.chosen[0],)
    assert history.to_go == tuple(c for c in v2.chosen if c != v1.chosen[0])
    with pytest.raises(KeyError):
        history.version(3)
    diff = compare_versions(history.version(1), history.version(2))
    assert set(diff.added) == set(v2.chosen) - set(v1.chosen)
    assert set(diff.removed) == set(v1.chosen) - set(v2.chosen)
    assert diff.notes_changed and not diff.target_changed and diff.what_ifs == (WHAT_IFS, ())
    assert diff.cost == (v1.route.summary.total_cost, v2.route.summary.total_cost)


def test_a_replan_keeps_the_what_ifs_and_notes_in_its_version(store, me, sample_catalogue, analyst):
    from planner.store.replan import accept_replan, replan

    user, learner = me
    scenario, rec = analyst
    v1 = store.save_plan(user, learner, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                         whatifs=[w.apply(scenario) for w in WHAT_IFS], notes="first")
    store.set_progress(user, v1.plan_id, v1.chosen[0], "completed", on=START)
    v2 = accept_replan(store, user, replan(store, user, v1.plan_id, sample_catalogue, today=START),
                       sample_catalogue)
    assert v2.version == 2 and v1.chosen[0] not in v2.chosen
    assert saved_what_ifs(store.plan(user, v1.plan_id)) == WHAT_IFS and v2.notes == "first"
