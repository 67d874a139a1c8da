"""Shared fixtures: the bundled catalogue and the reference data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE_DIR = ROOT / "catalogue"
REFERENCE_DIR = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def catalogue_dir() -> Path:
    return CATALOGUE_DIR


@pytest.fixture(scope="session")
def sample_catalogue():
    """The bundled catalogue, loaded once per test session."""
    from planner.catalogue import load

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
