"""Which catalogue a session uses, loaded once per catalogue content.

The app's catalogue is the folder named by ``$PLANNER_CATALOGUE`` (as for the command
line), else the bundled one; a compiled catalogue (a database URL there) is searched page
by page instead (:func:`active_store`). A session may use a catalogue of its own, uploaded
on 'Your own catalogue': its files stay with the session (session state) for as long as the
session lives, so no other session's uploads can push it out. The number of sessions that
hold an upload at once is bounded (:data:`MAX_KEPT_UPLOADS`); an upload beyond it is
refused with a message, and nobody's catalogue is ever swapped for another without a word.
Loaded catalogues and their graphs live in ``st.cache_resource``, keyed by a digest of
their content (an upload) or of their files' sizes and times (a folder), so sessions share
one copy and an edited folder is reloaded.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import networkx as nx
import streamlit as st

from planner.catalogue.graph import build_graph
from planner.catalogue.loader import default_catalogue_dir, validate, validate_texts
from planner.catalogue.models import Catalogue

__all__ = ["MAX_KEPT_UPLOADS", "UPLOAD_REFUSED", "ActiveCatalogue", "active_catalogue", "active_store",
           "app_catalogue_label", "bundled_digest", "remember_upload", "store_analysis_scope",
           "store_subcatalogue", "use_bundled"]

_KEY = "catalogue_upload"  # the session's own catalogue: an _Upload, or absent
#: Session-state key of the message saying why an upload was not taken (plain text).
UPLOAD_REFUSED = "catalogue_upload_refused"
#: Sessions that may hold an uploaded catalogue at once (each at most the upload limits,
#: 20 MB): what the server keeps in memory for uploads stays bounded.
MAX_KEPT_UPLOADS = 32


@dataclass(frozen=True)
class ActiveCatalogue:
    """The catalogue a page works on, its graph, and where it came from."""

    catalogue: Catalogue
    graph: nx.MultiDiGraph
    digest: str
    label: str


@dataclass(frozen=True, eq=False)
class _Upload:
    """A session's uploaded catalogue: held in its session state, counted while it lives."""

    digest: str
    label: str
    files: Mapping[str, bytes]


class _LiveUploads:
    """The uploads sessions hold now (weakly: a session that ends frees its place)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: weakref.WeakSet[_Upload] = weakref.WeakSet()


@st.cache_resource
def _live_uploads() -> _LiveUploads:
    return _LiveUploads()


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


def _app_folder() -> Path | None:
    """The folder (or YAML file) ``$PLANNER_CATALOGUE`` names; None for the bundled one or a store."""
    from planner.store.catalogue.resolve import resolve_catalogue

    source = resolve_catalogue(None)
    if source.is_store:
        return None
    folder = Path(source.location)
    return None if folder.resolve() == Path(default_catalogue_dir()).resolve() else folder


def _folder_digest(folder: Path) -> str:
    # sizes and modification times: cheap on a large folder, and an edited file is reloaded
    files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*.y*ml") if p.is_file())
    h = hashlib.sha256(str(folder.resolve()).encode())
    for p in files:
        stat = p.stat()
        h.update(f"{p}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]


def app_catalogue_label() -> str:
    """How the app's own catalogue (not an upload) is named: the bundled one or ``$PLANNER_CATALOGUE``'s."""
    folder = _app_folder()
    return "the bundled catalogue" if folder is None else f"the app's catalogue ({folder})"


@st.cache_resource(show_spinner="Loading the catalogue…", max_entries=8)
def _load_bundled(digest: str) -> tuple[Catalogue, nx.MultiDiGraph]:
    report = validate(Path(default_catalogue_dir()))
    if report.catalogue is None:
        raise RuntimeError("; ".join(str(p) for p in report.errors[:5]))
    return report.catalogue, build_graph(report.catalogue)


@st.cache_resource(show_spinner="Loading the catalogue…", max_entries=4)
def _load_folder(digest: str, folder: str) -> tuple[Catalogue, nx.MultiDiGraph]:
    report = validate(Path(folder))
    if report.catalogue is None:
        more = f" (and {len(report.errors) - 5} more)" if len(report.errors) > 5 else ""
        raise RuntimeError(f"the catalogue in {folder} (PLANNER_CATALOGUE) is not valid: "
                           + "; ".join(str(p) for p in report.errors[:5]) + more)
    return report.catalogue, build_graph(report.catalogue)


@st.cache_resource(show_spinner="Loading the catalogue…", max_entries=MAX_KEPT_UPLOADS)
def _load_uploaded(digest: str, _files: Mapping[str, bytes]) -> tuple[Catalogue, nx.MultiDiGraph]:
    report = validate_texts(_files)
    if report.catalogue is None:
        raise RuntimeError("; ".join(str(p) for p in report.errors[:5]))
    return report.catalogue, build_graph(report.catalogue)


def remember_upload(files: Mapping[str, bytes], label: str) -> str | None:
    """Make an uploaded (already validated) catalogue the session's catalogue; return its digest.

    A button callback. The files stay with the session; when :data:`MAX_KEPT_UPLOADS`
    other sessions hold an upload already, this one is refused: None is returned and
    :data:`UPLOAD_REFUSED` in session state says why.
    """
    s = st.session_state
    s.pop(UPLOAD_REFUSED, None)
    upload = _Upload(_digest(files), label, MappingProxyType(dict(files)))
    live = _live_uploads()
    with live.lock:
        mine = s.get(_KEY)
        others = [u for u in live.held if u is not mine]
        if len(others) >= MAX_KEPT_UPLOADS:
            s[UPLOAD_REFUSED] = (
                f"This catalogue was not taken: {len(others)} other sessions use catalogues of their own, the most "
                f"the server keeps at once ({MAX_KEPT_UPLOADS}). Try again later, or ask for it to be installed "
                "as the app's catalogue (PLANNER_CATALOGUE).")
            return None
        if isinstance(mine, _Upload):
            live.held.discard(mine)
        live.held.add(upload)
        s[_KEY] = upload
    return upload.digest


def use_bundled() -> None:
    """Switch the session back to the app's own catalogue (the bundled one or ``$PLANNER_CATALOGUE``'s)."""
    upload = st.session_state.pop(_KEY, None)
    if isinstance(upload, _Upload):
        live = _live_uploads()
        with live.lock:
            live.held.discard(upload)


def active_catalogue() -> ActiveCatalogue:
    """The catalogue this session uses: its upload when it chose one, else the app's catalogue."""
    upload = st.session_state.get(_KEY)
    if isinstance(upload, _Upload):
        catalogue, graph = _load_uploaded(upload.digest, upload.files)
        return ActiveCatalogue(catalogue, graph, upload.digest, upload.label)
    folder = _app_folder()
    if folder is not None:
        digest = _folder_digest(folder)
        catalogue, graph = _load_folder(digest, str(folder))
        return ActiveCatalogue(catalogue, graph, digest, f"{catalogue.meta.name} ({folder})")
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
