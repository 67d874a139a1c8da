"""The library never imports Streamlit: only planner/ui/ may."""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import planner

CORE = ["planner", "planner.catalogue.models", "planner.catalogue.loader", "planner.catalogue.schema",
        "planner.catalogue.yamlsafe", "planner.cli", "planner.cli.catalogue_cmds", "planner.catalogue.graph"]


def imported_after(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(planner.__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_core_modules_do_not_import_streamlit():
    present = [name for name in CORE if importlib.util.find_spec(name) is not None]
    assert "planner.catalogue.loader" in present
    loaded = imported_after(present)
    assert "planner.catalogue.loader" in loaded
    assert not {name for name in loaded if name == "streamlit" or name.startswith("streamlit.")}


def test_no_library_module_imports_streamlit():
    # every planner module outside planner.ui, imported together
    names = sorted(
        info.name for info in pkgutil.walk_packages(planner.__path__, "planner.")
        if not info.name.startswith("planner.ui") and info.name != "planner.__main__"
    )
    loaded = imported_after(names)
    assert set(names) <= loaded
    assert "streamlit" not in loaded
