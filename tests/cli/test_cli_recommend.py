"""``planner recommend``: text and JSON output, exit codes, bad input without tracebacks."""

from __future__ import annotations

import json

import pytest

from planner.cli import main

BASE = ["recommend", "--catalogue", "catalogue", "--start", "2027-01-04"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*BASE, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_stable_and_complete(capsys, catalogue_dir, monkeypatch):
    monkeypatch.chdir(catalogue_dir.parent)
    code, out, _ = run(capsys, "--target", "role:data-analyst", "--alternatives", "2", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["version"] == 1 and data["feasible"] is True and data["target"] == "role:data-analyst"
    assert len(data["routes"]) == 2
    route = data["routes"][0]
    for key in ("rank", "credential_ids", "steps", "total_cost", "currency", "start", "finish", "weeks",
                "proved_optimal", "schedule"):
        assert key in route
    assert route["steps"][0]["explanation"]
    assert [s["credential_id"] for s in route["steps"]] == route["credential_ids"]
    # same input, same output
    _, out2, _ = run(capsys, "--target", "role:data-analyst", "--alternatives", "2", "--format", "json")
    assert json.loads(out2) == data


def test_text_output_reads_like_a_plan(capsys, catalogue_dir, monkeypatch):
    monkeypatch.chdir(catalogue_dir.parent)
    code, out, _ = run(capsys, "--target", "role:data-analyst", "--have", "osa-sql-basics@2026-05-01",
                       "--know", "use-databases=2", "--objective", "time", "--hours-per-week", "12")
    assert code == 0
    assert "Route 1:" in out and "proved optimal" in out
    assert "osa-sql-basics" not in out.split("Route 1:")[1].split("Route 2:")[0].replace(
        "SQL for Beginners", "")  # held credentials are not recommended


def test_infeasible_budget_exits_1_with_the_fix(capsys, catalogue_dir, monkeypatch):
    monkeypatch.chdir(catalogue_dir.parent)
    code, out, _ = run(capsys, "--target", "role:data-scientist", "--budget", "1500EUR")
    assert code == 1
    assert "cheapest route costs" in out and "nearest fix: budget" in out


@pytest.mark.parametrize("args, message", [
    (["--target", "role:no-such-role"], "no-such-role"),
    (["--target", "nonsense"], "--target"),
    (["--target", "role:data-analyst", "--budget", "lots"], "--budget"),
    (["--target", "role:data-analyst", "--know", "python"], "--know"),
    (["--target", "role:data-analyst", "--have", "x@yesterday"], "--have"),
    (["--target", "role:data-analyst", "--avoid-provider", "nobody"], "nobody"),
])
def test_bad_input_is_reported_without_traceback(capsys, catalogue_dir, monkeypatch, args, message):
    monkeypatch.chdir(catalogue_dir.parent)
    code, out, err = run(capsys, *args)
    assert code == 1
    assert message in err
    assert "Traceback" not in err + out


def test_broken_catalogue_gives_located_errors(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text("credentials:\n  - id: x\n    title: [unclosed\n", encoding="utf-8")
    code = main(["recommend", "--catalogue", str(tmp_path), "--target", "role:x"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "bad.yaml:" in err and "Traceback" not in err


def test_balanced_plan_spreads_route_one_over_terms(capsys, catalogue_dir, monkeypatch, sample_catalogue):
    monkeypatch.chdir(catalogue_dir.parent)
    code, out, _ = run(capsys, "--target", "role:data-analyst", "--alternatives", "1", "--terms", "3",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    plan = data["balanced_plan"]
    route = data["routes"][0]
    assert plan["feasible"] and plan["terms"] == 3
    assert sum(plan["term_hours"]) == pytest.approx(route["total_hours"])
    term = {s["credential_id"]: s["term"] for s in plan["steps"]}
    assert set(term) == set(route["credential_ids"])
    for cid in route["credential_ids"]:
        for group in sample_catalogue.credential(cid).requires:
            ids = [a.credential for a in group.any_of if a.credential in term]
            if ids and len(ids) == len(group.any_of):
                assert min(term[i] for i in ids) < term[cid]


def test_pareto_and_weights(capsys, catalogue_dir, monkeypatch):
    monkeypatch.chdir(catalogue_dir.parent)
    code, out, _ = run(capsys, "--target", "role:data-analyst", "--hours-per-week", "40", "--pareto",
                       "--weights", "cost=1,time=1", "--format", "json")
    assert code == 0
    data = json.loads(out)
    front = data["pareto"]
    assert len(front) >= 2
    assert [p["cost"] for p in front] == sorted(p["cost"] for p in front)
    assert [p["weeks"] for p in front] == sorted((p["weeks"] for p in front), reverse=True)
    # the weighted route is on (or dominated by nothing on) the front
    best = data["routes"][0]
    assert not any(p["cost"] < best["total_cost"] and p["weeks"] < best["weeks"] for p in front)
    code, _, err = run(capsys, "--target", "role:data-analyst", "--weights", "speed=2")
    assert code == 1 and "--weights" in err
