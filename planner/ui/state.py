"""Which catalogue a session uses, loaded once per catalogue content.

Session state holds only a digest naming the catalogue; the loaded catalogue and its
graph live in ``st.cache_resource``, keyed by that digest, so every session that uses the
same content shares one copy and an edited file is reloaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import streamlit as st

from planner.catalogue.graph import build_graph
from planner.catalogue.loader import default_catalogue_dir, validate, validate_texts
from planner.catalogue.models import Catalogue

__all__ = ["ActiveCatalogue", "active_catalogue", "active_store", "bundled_digest", "remember_upload",
           "store_analysis_scope",
           "store_subcatalogue", "use_bundled"]

_KEY = "catalogue_digest"
#: Uploaded catalogues kept server-side (session state holds only their digest).
MAX_KEPT_UPLOADS = 32


@dataclass(frozen=True)
class ActiveCatalogue:
    """The catalogue a page works on, its graph, and where it came from."""

    catalogue: Catalogue
    graph: nx.MultiDiGraph
    digest: str
    label: str


def _digest(files: Mapping[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode())
        h.update(b"\0")
        h.update(files[name])
    return h.hexdigest()[:16]


def _bundled_files() -> dict[str, bytes]:
    root = default_catalogue_dir()
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.y*ml")) if p.is_file()}


def bundled_digest() -> str:
    """Digest of the bundled catalogue's current content."""
    return _digest(_bundled_files())


@st.cache_resource(show_spinner="Loading the catalogue…", max_entries=8)
def _load_bundled(digest: str) -> tuple[Catalogue, nx.MultiDiGraph]:
    report = validate(Path(default_catalogue_dir()))
    if report.catalogue is None:
        raise RuntimeError("; ".join(str(p) for p in report.errors[:5]))
    return report.catalogue, build_graph(report.catalogue)


@st.cache_resource(show_spinner="Loading the catalogue…", max_entries=8)
def _load_uploaded(digest: str, _files: Mapping[str, bytes]) -> tuple[Catalogue, nx.MultiDiGraph]:
    report = validate_texts(_files)
    if report.catalogue is None:
        raise RuntimeError("; ".join(str(p) for p in report.errors[:5]))
    return report.catalogue, build_graph(report.catalogue)


@st.cache_resource
def _upload_store() -> dict[str, tuple[str, dict[str, bytes]]]:
    return {}


def remember_upload(files: Mapping[str, bytes], label: str) -> str:
    """Make an uploaded (already validated) catalogue the session's catalogue; return its digest."""
    digest = _digest(files)
    store = _upload_store()
    store[digest] = (label, dict(files))
    while len(store) > MAX_KEPT_UPLOADS:  # oldest first: dicts keep insertion order
        store.pop(next(iter(store)))
    st.session_state[_KEY] = digest
    return digest


def use_bundled() -> None:
    """Switch the session back to the bundled catalogue."""
    st.session_state.pop(_KEY, None)


def active_catalogue() -> ActiveCatalogue:
    """The catalogue this session uses: an upload when one was chosen, else the bundled one."""
    digest = st.session_state.get(_KEY)
    uploads = _upload_store()
    if digest and digest in uploads:
        label, files = uploads[digest]
        catalogue, graph = _load_uploaded(digest, files)
        return ActiveCatalogue(catalogue, graph, digest, label)
    bundled = bundled_digest()
    catalogue, graph = _load_bundled(bundled)
    return ActiveCatalogue(catalogue, graph, bundled, f"bundled: {catalogue.meta.name}")


@st.cache_resource(show_spinner="Opening the compiled catalogue…", max_entries=4)
def _open_store(url: str):  # type: ignore[no-untyped-def]
    from planner.store.catalogue import open_catalogue

    return open_catalogue(url)


def active_store():  # type: ignore[no-untyped-def]
    """The compiled catalogue named by ``$PLANNER_CATALOGUE`` (a database URL), or None.

    With a store the pages search it page by page and plan on the small catalogue each
    target needs (:func:`store_subcatalogue`); they never list the whole catalogue.
    """
    from planner.store.catalogue.resolve import resolve_catalogue

    source = resolve_catalogue(None)
    return _open_store(source.location) if source.is_store else None


@st.cache_resource(show_spinner="Collecting what this target needs…", max_entries=64)
def store_subcatalogue(url: str, target: str) -> Catalogue:
    """The store's sub-catalogue for ``target`` (any learner: holdings only narrow it), cached."""
    from planner.catalogue.models import LearnerProfile, Target

    return _open_store(url).subcatalogue(LearnerProfile(), Target.parse(target))


@st.cache_resource(show_spinner="Collecting what this provider's analyses need…", max_entries=16)
def store_analysis_scope(url: str, provider: str | None):  # type: ignore[no-untyped-def]
    """The store's analysis scope for ``provider`` (or the whole small store), cached."""
    return _open_store(url).analysis_scope(provider)
