"""Stackable pathway planner: plan micro-credential routes to roles and degrees.

The public entry points are imported lazily so that ``import planner`` stays cheap and
never pulls in the UI stack.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load", "recommend"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "load":
        from planner.catalogue.loader import load

        return load
    if name == "recommend":
        from planner.engine.routing import recommend

        return recommend
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
