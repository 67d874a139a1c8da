"""``planner reach``: every target's figures equal ``planner recommend --target``'s; text, JSON, bad input."""

from __future__ import annotations

import json

import pytest

from planner.cli import main

LEARNER = ["--start", "2026-09-01", "--have", "osa-python-data@2026-02-01", "--know", "use-databases=2",
           "--hours-per-week", "15"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def reach_json(catalogue_dir) -> dict:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["reach", "--catalogue", str(catalogue_dir), *LEARNER, "--format", "json"]) == 0
    return json.loads(buffer.getvalue())


def test_every_target_equals_planner_recommend(capsys, catalogue_dir, reach_json, sample_catalogue) -> None:
    """The issue's check through the commands themselves: reach's line == recommend --target's route 1."""
    entries = reach_json["ranked"] + reach_json["met"] + reach_json["unreachable"]
    assert len(entries) == len(sample_catalogue.roles) + len(sample_catalogue.awards)
    for entry in entries:
        code, out, _ = run(capsys, "recommend", "--catalogue", str(catalogue_dir), *LEARNER,
                           "--target", entry["target"], "--format", "json")
        rec = json.loads(out)
        if entry["status"] == "reachable":
            route = rec["routes"][0]
            assert entry["proved"] and route["proved_optimal"], f"{entry['target']}: stopped by its time limit"
            assert (entry["cost"], entry["hours"], entry["credential_ids"]) == (
                route["total_cost"], route["total_hours"], route["credential_ids"]), entry["target"]
            if entry["finish_proved"] and route["schedule_proved_optimal"]:  # else best found in time
                assert entry["weeks"] == route["weeks"], entry["target"]
        elif entry["status"] == "unreachable":
            assert code == 1 and not rec["routes"]
            assert entry["diagnoses"][0]["message"] == rec["diagnoses"][0]["message"]
        else:
            assert rec["diagnoses"][0]["code"] == "already_met"


def test_json_ranks_by_cost_and_names_the_next_step(reach_json) -> None:
    costs = [e["cost"] for e in reach_json["ranked"]]
    assert costs == sorted(costs) and reach_json["measure"] == "cost"
    step = reach_json["next_step"]
    assert step["serves"] and set(step["serves"]) <= {e["target"] for e in reach_json["ranked"][:10]}
    for target in step["serves"]:
        entry = next(e for e in reach_json["ranked"] if e["target"] == target)
        assert step["credential_id"] in entry["credential_ids"]
    assert reach_json["holdings"][0]["credential"] == "osa-python-data"


def test_text_lists_targets_unreachable_ones_and_the_next_step(capsys, catalogue_dir) -> None:
    code, out, err = run(capsys, "reach", "--catalogue", str(catalogue_dir), *LEARNER, "--top", "5",
                         "--objective", "time")
    assert code == 0, err
    assert "ranked by weeks" in out and "  1. " in out and "  5. " in out and "  6. " not in out
    assert "Not reachable with your constraints:" in out and "Onshore wind energy engineer" in out
    assert "Next best step: take " in out and "closest to you" in out
    assert "Holdings: osa-python-data (self-declared)" in out


def test_filters_on_the_command_line(capsys, catalogue_dir) -> None:
    code, out, _ = run(capsys, "reach", "--catalogue", str(catalogue_dir), "--start", "2026-09-01", "--kind", "award",
                       "--provider", "noordhaven-university", "--max-cost", "5000", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["ranked"]
    assert all(e["kind"] == "award" and e["provider"] == "noordhaven-university" and e["cost"] <= 5000
               for e in data["ranked"])
    assert data["hidden"] >= 1  # the master's degree costs more


@pytest.mark.parametrize("args, message", [
    (["--top", "0"], "top"),
    (["--max-cost", "lots"], "--max-cost"),
    (["--max-weeks", "1.5"], "--max-weeks"),
    (["--have", "no-such-course"], "no-such-course"),
    (["--know", "python"], "--know"),
    (["--time-limit", "0"], "time limit"),
    (["--scheduler", "nowhere"], "scheduler"),
])
def test_bad_input_is_one_located_line(capsys, catalogue_dir, args, message) -> None:
    code, out, err = run(capsys, "reach", "--catalogue", str(catalogue_dir), "--start", "2026-09-01", *args)
    assert code == 1 and not out
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_credit_is_not_a_ranking_objective(capsys, catalogue_dir) -> None:
    code, _, err = run(capsys, "reach", "--catalogue", str(catalogue_dir), "--objective", "credit")
    assert code == 1 and "invalid choice" in err


class _Terminal:
    """A stand-in for a terminal's standard error: tqdm draws only on one."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_the_progress_bar_follows_both_phases(sample_catalogue) -> None:
    from planner.catalogue.models import LearnerProfile
    from planner.cli.reach_cmd import Bars
    from planner.engine.reach import ReachOptions
    from planner.store.catalogue.reach import run_reach

    screen = _Terminal()
    bars = Bars(file=screen)
    result = run_reach(sample_catalogue, LearnerProfile.model_validate({"constraints": {"start": "2026-09-01"}}),
                       ReachOptions(kind="award", top=3), scheduler=None, progress=bars)
    bars.close()
    assert "reach: ranking" in screen.text and f"{result.searched}/{result.searched}" in screen.text
    assert "reach: next step" in screen.text and "3/3" in screen.text
