"""Replay the smallest disagreements between engine and oracle found so far.

Each ``tests/oracle/cases/*.json`` holds a catalogue, profile, target, objective and
number of alternatives on which the engine once broke the semantics, with the findings
it produced then (``findings``: what the engine said and what the oracle says). Add new
ones with ``python -m tests.oracle_hunt CATEGORY``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.oracle.strategies import Scenario
from tests.oracle_hunt import run_case

CASES = sorted((Path(__file__).resolve().parents[1] / "oracle" / "cases").glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_saved_case_agrees_with_the_oracle(path: Path) -> None:
    data = json.loads(path.read_text())
    scenario = Scenario(data["catalogue"], data["profile"], data["target"])
    report = run_case(scenario, data["objective"], data["alternatives"])
    assert not report.findings, f"{report}\n(first seen: {data['findings']})"
