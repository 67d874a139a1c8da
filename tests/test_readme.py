"""The README stays honest: its Python example runs, every CLI command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from planner.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_example_runs(capsys, monkeypatch):
    monkeypatch.chdir(README.parent)
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert re.search(r"^1 \d", out, re.M), out  # a first route was printed


def test_every_command_is_documented():
    text = README.read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"planner {name}" in text, name


def test_two_set_up_commands_and_ci_agree():
    text = README.read_text(encoding="utf-8")
    assert "streamlit run app.py" in text
    assert "bash .ci/run" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pytest" in ci


def test_esco_is_credited():
    assert "This service uses the ESCO classification of the European Commission." in README.read_text(
        encoding="utf-8")
