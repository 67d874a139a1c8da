"""Shared fixtures: the bundled catalogue and the reference data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE_DIR = ROOT / "catalogue"
# PLANNER_REFERENCE_DIR points elsewhere when the checkout is not beside ../shared
REFERENCE_DIR = Path(os.environ.get("PLANNER_REFERENCE_DIR") or ROOT.parent / "shared" / "reference")


@pytest.fixture(scope="session")
def catalogue_dir() -> Path:
    return CATALOGUE_DIR


@pytest.fixture(scope="session")
def sample_catalogue():
    """The bundled catalogue, loaded once per test session."""
    from planner.catalogue.loader import load

    return load(CATALOGUE_DIR)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """``../shared/reference``; tests that need it skip when it is absent."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE_DIR} (it lives beside the project, not in it)")
    return REFERENCE_DIR


def reference_file(relative: str) -> Path:
    """A file under ``../shared/reference``, or skip the test with the reason."""
    path = REFERENCE_DIR / relative
    if not path.exists():
        pytest.skip(f"reference file not found: {path}")
    return path


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What each Streamlit download button would serve, by file name (captured from the media store)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, (bytes, str)):
            served[filename] = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return served


@pytest.fixture(autouse=True, scope="session")
def _private_learner_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' saved plans out of the user's own data directory."""
    import os

    if "PLANNER_DATABASE_URL" not in os.environ:
        os.environ["PLANNER_DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('store') / 'planner.sqlite3'}"


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Give every test the ``__main__`` it started with.

    An ``AppTest`` runs its script as ``__main__`` and leaves it there; a process started
    later by ``spawn`` (Dask's nannies, the store's race workers) runs ``__main__`` again
    first, so it would run a Streamlit page outside Streamlit and die on start.
    """
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main

