"""docs/security.md names a test for each threat: every test it names exists.

A row cites ``tests/…/test_x.py::test_name`` and may continue with ``::other_test`` for
the same file, or name the file once in the table's header (``test (`tests/….py`, …)``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_FILE = re.compile(r"`(tests/[\w/]+\.py)")
_CITE = re.compile(r"`(?:(tests/[\w/]+\.py))?::(\w+)")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_every_test_named_in_security_md_exists() -> None:
    cited: list[tuple[str, str]] = []
    current = None
    for line in (ROOT / "docs" / "security.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            current = None  # a citation never carries over into another section
        for match in _FILE.finditer(line):
            if "::" not in line[match.end():match.end() + 2]:
                current = match.group(1)  # a header naming the file of the rows below
        for file, name in _CITE.findall(line):
            current = file or current
            assert current, f"{name} is cited without a file: {line}"
            cited.append((current, name))
    assert len(cited) >= 10
    missing = [f"{f}::{n}" for f, n in cited if not (ROOT / f).is_file() or n not in _tests_in(ROOT / f)]
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"
