"""Compiled catalogues: a catalogue built into SQLite or PostgreSQL and queried by index.

The YAML folder stays the authoring format; ``planner catalogue build DIR --into URL``
compiles it (incrementally) and the engine then asks the store only for what a question
needs. :func:`resolve_catalogue` lets every caller accept either a folder or a URL.
"""

from __future__ import annotations

from planner.store.catalogue.engine import StoreError, is_store_url, normalise_url
from planner.store.catalogue.reader import CatalogueStore, SearchHit, SearchPage, open_catalogue
from planner.store.catalogue.resolve import CatalogueSource, resolve_catalogue

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
