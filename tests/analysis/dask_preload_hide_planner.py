"""Dask worker preload for tests: this worker cannot import the planner.

Started with ``LocalCluster(preload=[this file])``, the worker drops any planner module
already imported and refuses every later import of one, as a worker installed without
the planner would.
"""

from __future__ import annotations

import importlib.abc
import sys


class _NoPlanner(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name == "planner" or name.startswith("planner."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


for _name in [m for m in sys.modules if m == "planner" or m.startswith("planner.")]:
    del sys.modules[_name]
sys.meta_path.insert(0, _NoPlanner())
