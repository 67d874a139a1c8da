"""Plan drift, re-planning from today, and the `planner plans` / `planner learner` commands."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest

from planner.catalogue.models import Catalogue
from planner.cli import main
from planner.store.replan import accept_replan, check_plans, replan

from .conftest import START

LATER = dt.date(2027, 2, 1)


def changed(catalogue: Catalogue, edit) -> Catalogue:
    data = catalogue.model_dump(mode="json", by_alias=True, exclude_none=True)
    edit(data)
    return Catalogue.model_validate(data)


def cred(data, cid):
    return next(c for c in data["credentials"] if c["id"] == cid)


@pytest.fixture
def saved(store, sample_catalogue, analyst):
    scenario, rec = analyst
    me = store.local_user()
    learner = store.caseload(me)[0].learner_id
    plan = store.save_plan(me, learner, scenario=scenario, catalogue=sample_catalogue, recommendation=rec)
    return me, plan


def test_an_unchanged_catalogue_leaves_every_plan_standing(store, sample_catalogue, saved):
    me, plan = saved
    [check] = check_plans(store, sample_catalogue, me, today=LATER)
    assert check.holds and (check.plan_id, check.version) == (plan.plan_id, 1)
    assert all(not row.drift for row in store.caseload(me, catalogue=sample_catalogue, today=LATER))


def test_each_kind_of_catalogue_change_is_named(store, sample_catalogue, saved):
    me, plan = saved
    a, b, c, d = plan.chosen

    def edit(data):
        cred(data, a)["cost"] = {"amount": 450.0, "currency": "EUR"}
        cred(data, b)["runs"] = {"intakes": ["09-01"]}
        cred(data, c)["id"] = "renamed-cleaning"  # same title, new id
        cred(data, d)["title"] = "Data Mining, Revised"

    reasons = {(r.code, r.credential_id): r.message
               for r in check_plans(store, changed(sample_catalogue, edit), me, today=LATER,
                                    feasibility=False)[0].reasons}
    titles = {s.credential_id: s.title for s in plan.route.summary.steps}
    was = sample_catalogue.credential(a).cost
    assert reasons[("price_changed", a)] == f"the price of '{titles[a]}' changed from {was} to 450 EUR"
    assert reasons[("intake_dropped", b)] == f"'{titles[b]}' no longer starts any week"
    assert reasons[("renamed", c)] == f"'{titles[c]}' now has the id 'renamed-cleaning' ('{c}' is gone)"
    assert reasons[("renamed", d)] == f"'{titles[d]}' is now called 'Data Mining, Revised'"
    assert len(reasons) == 4

    retired = changed(sample_catalogue, lambda data: data["credentials"].remove(cred(data, b)))
    [check] = check_plans(store, retired, me, today=LATER, feasibility=False)
    assert [(r.code, r.credential_id) for r in check.reasons] == [("retired", b)]
    # the caseload badge says the same, without running the engine
    row = store.caseload(me, catalogue=retired, today=LATER)[0]
    assert [r.code for r in row.drift] == ["retired"]


def test_a_plan_that_no_longer_reaches_its_target_is_infeasible(store, sample_catalogue, saved):
    me, plan = saved
    comp = sample_catalogue.competencies[0].id

    def edit(data):
        role = next(r for r in data["roles"] if r["id"] == "data-analyst")
        role["needs"].append({"competency": comp, "level": 10, "essential": True})  # nobody teaches level 10

    [check] = check_plans(store, changed(sample_catalogue, edit), me, today=LATER)
    assert [r.code for r in check.reasons] == ["role_changed", "infeasible"]
    # a change that leaves a route open is not called infeasible
    cheaper = changed(sample_catalogue,
                      lambda data: cred(data, plan.chosen[0]).update(cost={"amount": 10.0, "currency": "EUR"}))
    assert [r.code for r in check_plans(store, cheaper, me, today=LATER)[0].reasons] == ["price_changed"]


def test_award_rules_and_recognition_expiry(store, sample_catalogue):
    from planner.engine.scenario import Scenario

    me = store.local_user()
    learner = store.caseload(me)[0].learner_id
    award = "nhu-msc-data-science"
    agreement = next(r for r in sample_catalogue.recognitions if r.award == award and r.valid_until)
    scenario = Scenario(target=f"award:{award}", start=START)
    store.save_plan(me, learner, scenario=scenario, catalogue=sample_catalogue)
    [check] = check_plans(store, sample_catalogue, me, today=agreement.valid_until, feasibility=False)
    assert check.holds
    after = agreement.valid_until + dt.timedelta(days=1)
    [check] = check_plans(store, sample_catalogue, me, today=after, feasibility=False)
    assert [(r.code, r.message) for r in check.reasons] == [
        ("recognition_expired", f"the recognition agreement '{agreement.id}' ended on "
                                f"{agreement.valid_until.isoformat()}")]

    def edit(data):
        cred(data, award)["award"]["rpl_cap"] = 1.0

    [check] = check_plans(store, changed(sample_catalogue, edit), me, today=START, feasibility=False)
    assert [r.code for r in check.reasons] == ["award_rule_changed"]


def test_replan_from_today_after_a_completed_step(store, sample_catalogue, saved):
    me, plan = saved
    first = plan.chosen[0]
    store.set_progress(me, plan.plan_id, first, "completed", on=LATER)
    proposal = replan(store, me, plan.plan_id, sample_catalogue, today=LATER)
    assert proposal.completed == (first,)
    assert first in {h.credential for h in proposal.scenario.holdings}
    assert set(proposal.kept) == set(plan.chosen[1:]) and not proposal.changed
    steps = {s.credential_id: s.cost for s in plan.route.summary.steps}
    assert proposal.cost_before == pytest.approx(sum(steps[c] for c in plan.chosen[1:]))
    assert proposal.cost_after == proposal.recommendation.best.total_cost
    assert proposal.recommendation.best.start == LATER
    assert store.plan(me, plan.plan_id).version == 1  # nothing saved yet
    new = accept_replan(store, me, proposal, sample_catalogue)
    assert (new.version, new.based_on) == (2, 1)
    assert first not in new.chosen


def test_replan_after_a_credential_is_retired_shows_what_changes(store, sample_catalogue, saved):
    me, plan = saved
    gone = plan.chosen[1]
    retired = changed(sample_catalogue, lambda data: data["credentials"].remove(cred(data, gone)))
    proposal = replan(store, me, plan.plan_id, retired, today=LATER)
    assert gone in proposal.removed and proposal.added
    assert proposal.changed and proposal.cost_after != proposal.cost_before


def test_cli_plans_check_and_learner_export_erase(tmp_path, monkeypatch, capsys, catalogue_dir, analyst,
                                                  sample_catalogue, db_url):
    from planner.store.records import open_store

    monkeypatch.setenv("PLANNER_DATABASE_URL", db_url)
    scenario, rec = analyst
    store = open_store()
    me = store.local_user()
    learner = store.caseload(me)[0].learner_id
    plan = store.save_plan(me, learner, scenario=scenario, catalogue=sample_catalogue, recommendation=rec)
    assert main(["plans", "check"]) == 0
    assert "1 plan(s) checked, 0 no longer hold" in capsys.readouterr().out

    copy = tmp_path / "catalogue"
    shutil.copytree(catalogue_dir, copy)
    cid = plan.chosen[0]
    cred = sample_catalogue.credential(cid)
    path = next(p for p in sorted(copy.rglob("*.yaml")) if f"id: {cid}\n" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    block = text.index(f"id: {cid}\n")
    price = re.compile(r"cost: \{amount: [0-9.]+, currency: ([A-Z]{3})\}").search(text, block)
    assert price and price.start() < text.find("- id:", block + 1) % len(text)  # this credential's own price
    path.write_text(text[:price.start()] + f"cost: {{amount: 12345, currency: {price.group(1)}}}"
                    + text[price.end():], encoding="utf-8")
    assert main(["plans", "check", "--catalogue", str(copy), "--learner", str(learner), "--format", "json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["drifted"] == 1
    assert data["plans"][0]["reasons"] == [{
        "code": "price_changed", "credential": cid,
        "message": f"the price of '{cred.title}' changed from {cred.cost} to 12,345 {price.group(1)}"}]

    out = tmp_path / "me.json"
    assert main(["learner", "export", str(learner), "--output", str(out)]) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["plans"][0]["versions"][0]["route"]["chosen"] == list(plan.chosen)
    assert main(["learner", "export", "999"]) == 1
    assert "may not export learner 999" in capsys.readouterr().err
    assert main(["learner", "erase", str(learner)]) == 1  # needs --yes
    assert main(["learner", "erase", str(learner), "--yes"]) == 0
    assert main(["learner", "export", str(learner)]) == 1
    assert store.audit_entries(learner)[-1].action == "erase"
    assert main(["plans", "check", "--database", "nonsense://"]) == 1
    store.engine.dispose()
