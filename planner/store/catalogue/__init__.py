"""Compiled catalogues: a catalogue built into SQLite or PostgreSQL and queried by index.

The YAML folder stays the authoring format; ``planner catalogue build DIR --into URL``
compiles it (incrementally) and the engine then asks the store only for what a question
needs. :func:`resolve_catalogue` lets every caller accept either a folder or a URL.

Names are imported lazily: resolving a folder must not pay for importing SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CatalogueSource",
    "CatalogueStore",
    "SearchHit",
    "SearchPage",
    "StoreError",
    "is_store_url",
    "normalise_url",
    "open_catalogue",
    "resolve_catalogue",
]

_WHERE = {
    "CatalogueSource": "resolve", "resolve_catalogue": "resolve", "is_store_url": "resolve",
    "StoreError": "engine", "normalise_url": "engine",
    "CatalogueStore": "reader", "SearchHit": "reader", "SearchPage": "reader", "open_catalogue": "reader",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
