"""``--catalogue`` accepts a folder of YAML or a compiled catalogue's URL: one entry point for both."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from planner.catalogue.models import Catalogue, LearnerProfile, Target
from planner.store.urls import is_store_url, mask_url

__all__ = ["ENV_VAR", "CatalogueSource", "is_store_url", "resolve_catalogue"]

#: Environment variable naming the catalogue (folder or URL) the app and CLI use by default.
ENV_VAR = "PLANNER_CATALOGUE"


@dataclass(frozen=True)
class CatalogueSource:
    """Where the catalogue comes from: a YAML ``folder`` or a compiled ``store`` (URL).

    Both answer :meth:`catalogue_for`: the folder with the whole validated catalogue, the
    store with the small catalogue the question needs.
    """

    kind: Literal["folder", "store"]
    location: str

    @property
    def is_store(self) -> bool:
        """True for a compiled catalogue."""
        return self.kind == "store"

    def open_store(self) -> Any:
        """The :class:`~planner.store.catalogue.CatalogueStore` (stores only)."""
        from planner.store.catalogue.reader import open_catalogue

        if not self.is_store:
            raise ValueError(f"{mask_url(self.location)} is a folder, not a compiled catalogue")
        return open_catalogue(self.location)

    def load(self) -> Catalogue:
        """The whole catalogue of a folder (validated; raises ``CatalogueError`` listing every problem)."""
        from planner.catalogue.loader import load

        if self.is_store:
            raise ValueError(f"{mask_url(self.location)} is a compiled catalogue: ask it with catalogue_for()")
        return load(self.location)

    def catalogue_for(self, profile: LearnerProfile, target: Target, *, credit_award: str | None = None) -> Catalogue:
        """The catalogue to answer a route question with (whole folder, or the store's sub-catalogue)."""
        if not self.is_store:
            return self.load()
        store = self.open_store()
        try:
            return store.subcatalogue(profile, target, credit_award=credit_award)
        finally:
            store.close()


def resolve_catalogue(value: str | os.PathLike[str] | None = None) -> CatalogueSource:
    """Resolve ``--catalogue`` (or ``$PLANNER_CATALOGUE``, or the default folder).

    Parameters
    ----------
    value : str or path-like, optional
        A folder or YAML file, an SQLite file ending ``.db``/``.sqlite``, or a database
        URL (``sqlite:///…``, ``postgresql://…``).

    Returns
    -------
    CatalogueSource
    """
    from planner.catalogue.loader import default_catalogue_dir

    text = str(value) if value is not None else os.environ.get(ENV_VAR, "")
    if not text:
        return CatalogueSource("folder", str(default_catalogue_dir()))
    if is_store_url(text) or (Path(text).suffix.lower() in (".db", ".sqlite", ".sqlite3") and Path(text).is_file()):
        return CatalogueSource("store", text)
    return CatalogueSource("folder", text)
