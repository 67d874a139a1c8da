"""``planner users``, ``planner caseload`` and ``planner plans save|show``: the set-up an institution scripts.

On SQLite and PostgreSQL, through the library's access rules: an administrator (named in
PLANNER_ADMINS) registers an advisor and a learner and assigns the learner; the advisor
saves a plan file with two what-ifs and notes for that learner, then recommend output as the
next version; ``plans show`` gives every version with its what-ifs, notes and progress; the
learner sees their own plans and nobody else's. Every refusal is one located line, exit 1.
"""

from __future__ import annotations

import json

import pytest

from planner.cli import main
from planner.engine.routing import recommend
from planner.engine.scenario import Scenario
from planner.engine.whatif import WhatIf
from planner.outputs.export import plan_to_json
from planner.store.identity import Identity
from planner.store.records import open_store

IDP = "https://id.example.org"
AMY, ADA, LEA = f"{IDP}|amy", f"{IDP}|ada", f"{IDP}|lea"


def run(capsys, db: str, *args: str, who: str | None = None) -> tuple[int, str, str]:
    extra = ["--database", db] + (["--as", who] if who else [])
    code = main([*args, *extra])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(db_url, monkeypatch) -> str:
    monkeypatch.setenv("PLANNER_ADMINS", AMY)
    return db_url


@pytest.fixture
def plan_file(tmp_path, sample_catalogue):
    scenario = Scenario(target="role:data-analyst", budget=3000)
    rec = recommend(sample_catalogue, scenario.to_profile(), scenario.to_target(), alternatives=2)
    first = sample_catalogue.credential(rec.best.credential_ids[0])
    what_ifs = [WhatIf(name="What if A", budget=900.0), WhatIf(name="What if B", avoid_providers=(first.provider,))]
    path = tmp_path / "plan.json"
    path.write_text(plan_to_json(rec, 0, notes="Evening classes only", alternatives=2, what_ifs=what_ifs))
    return path, rec


def _set_up(capsys, db: str) -> tuple[int, int]:
    code, out, err = run(capsys, db, "users", "add", ADA, "--name", "Ada Advisor", "--role", "advisor", who=AMY)
    assert code == 0, err
    code, out, _ = run(capsys, db, "users", "add", LEA, "--name", "Lea Learner", "--format", "json", who=AMY)
    lea = json.loads(out)
    assert (code, lea["role"], lea["identity"]) == (0, "learner", LEA)
    users = {u["identity"]: u for u in json.loads(run(capsys, db, "users", "list", "--format", "json", who=AMY)[1])}
    assert [users[k]["role"] for k in (AMY, ADA, LEA)] == ["admin", "advisor", "learner"]
    code, out, _ = run(capsys, db, "caseload", "assign", "--advisor", str(users[ADA]["id"]), "--user",
                       str(lea["id"]), "--format", "json", who=AMY)
    assigned = json.loads(out)
    assert code == 0 and assigned["learner_user"] == lea["id"]
    return users[ADA]["id"], assigned["learner"]


def test_an_institution_scripts_users_caseloads_and_plans(capsys, db, plan_file, tmp_path, sample_catalogue):
    path, rec = plan_file
    _ada, learner = _set_up(capsys, db)
    code, out, _ = run(capsys, db, "caseload", "list", "--format", "json", who=ADA)
    assert code == 0 and [(r["learner"], r["name"], r["plan"]) for r in json.loads(out)] == [
        (learner, "Lea Learner", None)]
    # the advisor saves the app's plan file: route, two what-ifs and the notes
    code, out, err = run(capsys, db, "plans", "save", "--learner", str(learner), str(path), "--format", "json",
                         who=ADA)
    saved = json.loads(out)
    assert code == 0, err
    assert (saved["version"], saved["what_ifs"], saved["notes"]) == (1, 2, "Evening classes only")
    assert saved["chosen"] == list(rec.best.credential_ids)
    # recommend output as the next version of the same plan
    assert main(["recommend", "--target", "role:data-analyst", "--alternatives", "2", "--format", "json"]) == 0
    (tmp_path / "rec.json").write_text(capsys.readouterr().out)
    code, out, err = run(capsys, db, "plans", "save", "--learner", str(learner), str(tmp_path / "rec.json"),
                         "--route", "2", "--plan", str(saved["plan"]), who=ADA)
    assert code == 0 and f"saved plan {saved['plan']} version 2 for learner {learner}" in out, err
    # progress on a step, then everything shown: newest version first, what-ifs described with names
    store = open_store(db)
    advisor = store.user_for(Identity(IDP, "ada"))
    step = store.plan(advisor, saved["plan"]).chosen[0]
    store.set_progress(advisor, saved["plan"], step, "completed")
    code, out, _ = run(capsys, db, "plans", "show", "--learner", str(learner), "--format", "json", who=LEA)
    shown = json.loads(out)
    assert code == 0 and shown["learner"]["name"] == "Lea Learner"
    [plan] = shown["plans"]
    assert [v["version"] for v in plan["versions"]] == [2, 1]
    first = plan["versions"][1]
    provider = sample_catalogue.provider(sample_catalogue.credential(rec.best.credential_ids[0]).provider).name
    assert [w["name"] for w in first["what_ifs"]] == ["What if A", "What if B"]
    assert first["what_ifs"][0]["description"].startswith("budget 900 EUR")
    assert first["what_ifs"][1]["description"].endswith(f"excluding {provider}")
    assert first["notes"] == "Evening classes only" and first["saved_by"] == "Ada Advisor"
    assert plan["versions"][0]["what_ifs"] == [] and plan["completed"] == 1
    assert {"credential": step, "status": "completed"}.items() <= plan["progress"][0].items()
    code, text, _ = run(capsys, db, "plans", "show", "--learner", str(learner), who=ADA)
    assert code == 0 and "What if A: budget 900 EUR" in text and "notes: Evening classes only" in text
    assert f"- {sample_catalogue.credential(step).title}: completed on " in text


def test_refusals_are_one_located_line(capsys, db, plan_file):
    path, _ = plan_file
    ada, learner = _set_up(capsys, db)
    local = run(capsys, db, "caseload", "list")  # the local user's own caseload: themselves
    assert local[0] == 0 and "Local user" in local[1]
    cases = [
        (["users", "list"], ADA, "planner users list: advisor 'Ada Advisor' may not list users: only admins may"),
        (["caseload", "list"], LEA, "planner caseload list: learner 'Lea Learner' may not use caseload"),
        (["plans", "show", "--learner", str(learner + 1)], LEA,
         "planner plans show: learner 'Lea Learner' may not read"),
        (["plans", "save", "--learner", str(learner), str(path)], LEA, None),  # their own record: allowed
        (["caseload", "unassign", "--advisor", str(ada), "--learner", "999"], AMY,
         "planner caseload unassign: learner 999 is not on the caseload of user"),
        (["users", "role", str(ada + 100), "admin"], AMY, "planner users role: no user"),
        (["plans", "save", "--learner", str(learner), str(path.parent / "missing.json")], ADA,
         "planner plans save: " + str(path.parent / "missing.json") + ": "),
    ]
    for args, who, message in cases:
        code, _out, err = run(capsys, db, *args, who=who)
        if message is None:
            assert code == 0, err
            continue
        assert code == 1 and err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err, err
    # the last administrator keeps their role; a usage error names the argument
    amy = json.loads(run(capsys, db, "users", "list", "--format", "json", who=AMY)[1])[0]
    code, _, err = run(capsys, db, "users", "role", str(amy["id"]), "advisor", who=AMY)
    assert code == 1 and "last administrator" in err
    code, _, err = run(capsys, db, "users", "add", "no-bar-here", who=AMY)
    assert code == 1 and "expected ISSUER|SUBJECT" in err
