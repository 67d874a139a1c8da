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



#: Under pytest-xdist (``.ci/run``: ``--dist loadgroup --no-loadscope-reorder``) each file whose
#: fixtures start a server (a Streamlit app, an OpenID provider, API replicas) runs on one worker, so
#: its server starts once, and the longest work starts first, so no worker is left with a long test
#: at the end while the others wait. The order: the 20-session load test, the whole-journey and
#: accessibility walks, the other browser files, the API files, the long properties, the rest.
_FIRST = (
    "tests/browser/test_load_sessions.py",
    "tests/browser/test_accessibility.py",
    "tests/browser/test_browser_roles.py",
    "tests/browser/test_keyboard_journey.py",
    "tests/browser/",
    "tests/api/",
    "tests/store/test_catalogue_store_incremental.py",
    "tests/cli/test_cli_reach.py",
    "tests/engine/test_reach",
    "tests/store/",
)
_ONE_WORKER = ("tests/browser/", "tests/api/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group each server-starting file on one xdist worker and put the longest work first."""
    root = Path(str(config.rootpath))

    def rank(item: pytest.Item) -> int:
        relative = Path(str(item.path)).relative_to(root).as_posix()
        return next((i for i, prefix in enumerate(_FIRST) if relative.startswith(prefix)), len(_FIRST))

    for item in items:
        relative = Path(str(item.path)).relative_to(root).as_posix()
        if relative.startswith(_ONE_WORKER):
            item.add_marker(pytest.mark.xdist_group(relative))
    items.sort(key=rank)  # stable: each file keeps its own order
