"""Route searches for the pages, cached per catalogue content and scenario."""

from __future__ import annotations

import streamlit as st

from planner.catalogue.models import VERIFIED_HOLDINGS, Catalogue
from planner.engine.results import Recommendation, Route
from planner.engine.routing import pareto, recommend
from planner.engine.scenario import Scenario

__all__ = ["cached_pareto", "cached_recommend"]


def _own(scenario_json: str) -> Scenario:
    # the session's own scenario, serialised only to key the cache: its verified holdings stay verified
    return Scenario.model_validate_json(scenario_json, context={VERIFIED_HOLDINGS: True})


@st.cache_data(max_entries=256, show_spinner=False)
def _recommend(digest: str, scenario_json: str, _catalogue: Catalogue) -> Recommendation:
    scenario = _own(scenario_json)
    return recommend(_catalogue, scenario.to_profile(), scenario.to_target(), objective=scenario.objective,
                     alternatives=scenario.alternatives, today=scenario.start)


@st.cache_data(max_entries=64, show_spinner=False)
def _pareto(digest: str, scenario_json: str, _catalogue: Catalogue) -> tuple[Route, ...]:
    scenario = _own(scenario_json)
    return pareto(_catalogue, scenario.to_profile(), scenario.to_target(), today=scenario.start)


def cached_recommend(catalogue: Catalogue, digest: str, scenario: Scenario) -> Recommendation:
    """Recommend routes for a scenario; cached by catalogue digest and scenario."""
    return _recommend(digest, scenario.model_dump_json(), catalogue)


def cached_pareto(catalogue: Catalogue, digest: str, scenario: Scenario) -> tuple[Route, ...]:
    """The cost × time front for a scenario; cached like :func:`cached_recommend`."""
    return _pareto(digest, scenario.model_dump_json(), catalogue)
