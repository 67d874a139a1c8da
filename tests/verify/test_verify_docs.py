"""docs/security.md names, for each verification threat, the test that covers it: those tests exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _named_tests() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = text[text.index("## Verifying credentials: threats"):]
    section = section[:section.index("\n## ", 10)]
    out = []
    for row in section.splitlines():
        if not row.startswith("| ") or row.startswith("| threat"):
            continue
        current = None  # "::name" alone refers to the file named before it in the row
        for match in re.finditer(r"`([\w/]*test_\w+\.py)?::(test_\w+)`", row):
            current = match.group(1) or current
            out.append((current, match.group(2)))
    return out


def test_every_threat_names_an_existing_test():
    named = _named_tests()
    assert len(named) >= 25, named
    for file, name in named:
        path = ROOT / file if "/" in file else ROOT / "tests" / "verify" / file
        assert path.is_file(), file
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in functions, f"{file}::{name} is named in docs/security.md but does not exist"
