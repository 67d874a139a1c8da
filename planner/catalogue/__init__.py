"""The catalogue layer: what the planner knows, read safely and checked.

``models`` (pydantic classes for credentials, awards, roles, learners), ``loader`` (YAML
folders read with positions and validated as a whole), ``yamlsafe`` and ``inputs`` (the one
input layer: size, depth and type limits before parsing), ``upload`` (catalogues uploaded in
the app), ``schema`` (the published JSON Schema) and ``graph`` (the NetworkX view and its
queries). Nothing here imports from the layers above (engine, analysis, outputs, store,
entry points).

``load`` is re-exported lazily, so ``from planner.catalogue import load`` works without
importing the YAML stack for users of ``planner.catalogue.models`` alone.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load"]


def __getattr__(name: str) -> Any:
    if name == "load":
        from planner.catalogue.loader import load

        return load
    raise AttributeError(f"module 'planner.catalogue' has no attribute {name!r}")
