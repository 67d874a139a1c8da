"""The catalogue one API process serves: a folder of YAML or a compiled store, read alike.

Route questions are answered as the CLI answers them: on a folder with the whole validated
catalogue, on a compiled store with the sub-catalogue the question needs
(:meth:`planner.store.catalogue.CatalogueStore.subcatalogue`). Search and item look-ups
always go through a compiled store's reader (full-text search, paging, every row checked
as it is read): a folder is compiled once, at start, into a private SQLite store
(:func:`planner.store.catalogue.build.write_catalogue`), so the API has one search rule
whatever it serves. One store connection pool is kept for the process.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from planner.catalogue.models import Catalogue, LearnerProfile, Provider, Target
from planner.store.catalogue.reader import CatalogueStore, open_catalogue
from planner.store.catalogue.resolve import CatalogueSource, resolve_catalogue

__all__ = ["CatalogueError", "CatalogueService"]


class CatalogueError(ValueError):
    """The configured catalogue cannot be served (it does not validate, or cannot be opened)."""


class CatalogueService:
    """The catalogue of one process.

    Parameters
    ----------
    location : str, optional
        A folder or a compiled store's URL (default: ``$PLANNER_CATALOGUE``, else the bundled one).

    Raises
    ------
    CatalogueError
        When the folder has errors (every problem listed) or the store cannot be opened.
    """

    def __init__(self, location: str | None = None) -> None:
        from planner.store.catalogue.engine import StoreError

        self.source: CatalogueSource = resolve_catalogue(location)
        self.folder: Catalogue | None = None
        self._tmp: Path | None = None
        try:
            if self.source.is_store:
                self.store: CatalogueStore = open_catalogue(self.source.location)
            else:
                self.folder = self._validated(self.source.location)
                self.store = self._compiled(self.folder)
        except StoreError as exc:
            self.close()
            raise CatalogueError(str(exc)) from None

    @staticmethod
    def _validated(location: str) -> Catalogue:
        from planner.catalogue.loader import validate

        report = validate(Path(location))
        if report.catalogue is None:
            raise CatalogueError("\n".join(str(p) for p in report.errors) or f"{location}: not a catalogue")
        return report.catalogue

    def _compiled(self, catalogue: Catalogue) -> CatalogueStore:
        from planner.store.catalogue.build import write_catalogue

        self._tmp = Path(tempfile.mkdtemp(prefix="planner-api-"))
        url = f"sqlite:///{self._tmp / 'catalogue.db'}"
        write_catalogue(catalogue, url, source=f"folder:{self.source.location}")
        return open_catalogue(url)

    @property
    def name(self) -> str:
        """What is served: the folder's path, or the store's URL with its password hidden."""
        return self.source.location if self.folder is not None else self.store.url

    def catalogue_for(self, profile: LearnerProfile, target: Target, *, credit_award: str | None = None) -> Catalogue:
        """The catalogue a route question is answered on (as ``planner recommend`` takes it)."""
        if self.folder is not None:
            return self.folder
        return self.store.subcatalogue(profile, target, credit_award=credit_award)

    def with_credentials(self, ids: Iterable[str]) -> Catalogue:
        """A catalogue holding at least these credentials (those that exist) and their providers."""
        if self.folder is not None:
            return self.folder
        known = sorted({i for i in ids if self.store.get("credential", i) is not None})
        return self.store.closure(known)

    def providers_with_issuers(self) -> list[Provider]:
        """The catalogue's trust list: every provider that lists Open Badges issuers."""
        if self.folder is not None:
            return [p for p in self.folder.providers if p.issuers]
        return self.store.providers_with_issuers()

    def analysis_scope(self, provider: str | None) -> tuple[Catalogue, dict[str, Any]]:
        """The catalogue an analysis runs on and the report keywords of a store's scope.

        Raises
        ------
        planner.store.catalogue.reader.ScopeTooLarge
            For a whole store above the limit (the message says to name a provider).
        KeyError
            For a provider the store does not have.
        """
        if self.folder is not None:
            return self.folder, {}
        scope = self.store.analysis_scope(provider)
        kwargs = scope.report_kwargs()
        kwargs.pop("provider")
        return scope.catalogue, kwargs

    def close(self) -> None:
        """Release the store's connections and remove a folder's private copy."""
        store = getattr(self, "store", None)
        if store is not None:
            store.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
