"""Dask worker preload for tests: this worker runs another version of the planner."""

from __future__ import annotations

import planner

planner.__version__ = "0.0.0-other"
