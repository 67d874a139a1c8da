"""The scenario form's audience widget (prices per audience), driven with Streamlit's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

SCRIPT = '''
import streamlit as st
from planner.catalogue.models import Catalogue
from planner.ui.scenario_form import restore_from_link, scenario_form

DATA = {
    "meta": {"exchange_rates": {"USD": 0.5}},
    "providers": [{"id": "cc", "name": "Community College", "country": "US", "kind": "vet_college"}],
    "credentials": [
        {"id": "state", "title": "State course", "provider": "cc", "type": "course", "duration_weeks": 4,
         "costs": [{"audience": "in-state", "price": "100 USD"}, {"audience": "out-of-state", "price": "500 USD"}]},
        {"id": "cert", "title": "Certificate", "provider": "cc", "type": "certificate",
         "award": {"rule": {"all_of": [{"credential": "state"}]}}},
    ],
}
if not PRICED:
    DATA["credentials"][0] = {**DATA["credentials"][0], "costs": [], "cost": "100 USD"}
catalogue = Catalogue.model_validate(DATA)
for message in restore_from_link(catalogue):
    st.warning(message)
scenario = scenario_form(catalogue)
st.text("audiences=" + (",".join(scenario.audiences) if scenario else "invalid"))
'''
LABEL = "Your audience, for prices per audience (empty: the lowest price)"


def _app(priced: bool = True, **query: str) -> AppTest:
    at = AppTest.from_string(f"PRICED = {priced}\n" + SCRIPT, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _widget(at: AppTest):
    return [m for m in at.multiselect if m.label == LABEL]


def test_audience_widget_sets_the_scenario():
    at = _app()
    assert not at.exception, [e.value for e in at.exception]
    (widget,) = _widget(at)
    assert widget.options == ["in-state", "out-of-state"]
    assert at.text[-1].value == "audiences="
    widget.set_value(["out-of-state"]).run()
    assert not at.exception
    assert at.text[-1].value == "audiences=out-of-state"


def test_no_widget_without_prices_per_audience():
    at = _app(priced=False)
    assert not at.exception and _widget(at) == []


def test_a_shared_link_restores_the_audience():
    at = _app(target="award:cert", audiences="out-of-state")
    assert not at.exception, [e.value for e in at.exception]
    (widget,) = _widget(at)
    assert widget.value == ["out-of-state"] and at.text[-1].value == "audiences=out-of-state"
