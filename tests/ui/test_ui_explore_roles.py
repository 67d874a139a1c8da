"""The explorer's roles and their labour-market figures: shown as given, sortable, nothing made up."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from planner.catalogue.models import Outlook, Wage
from planner.ui.explore_page import role_rows


def _with_outlooks(cat):
    day = dt.date(2025, 1, 1)
    figures = {
        "data-scientist": Outlook(openings=23400, median_wage=Wage(amount=112590, currency="USD", period="year"),
                                  source="BLS", as_of=day),
        "data-analyst": Outlook(median_wage=Wage(amount=4000, currency="EUR", period="month"), source="T", as_of=day),
        "phlebotomist": Outlook(openings=500, median_wage=Wage(amount=20, currency="EUR", period="hour"), source="T",
                                as_of=day),
        "nurse-general-care": Outlook(openings=9000, median_wage=Wage(amount=1, currency="XYZ", period="year"),
                                      source="T", as_of=day),
    }
    roles = [r.model_copy(update={"outlook": figures.get(r.id)}) for r in cat.roles]
    return cat.model_copy(update={"roles": roles})


def test_rows_sort_by_openings_and_yearly_wage_with_missing_figures_last(sample_catalogue) -> None:
    cat = _with_outlooks(sample_catalogue)
    by_openings = role_rows(cat, "openings")
    assert by_openings[0]["role"] == "Data scientist"
    assert [r["openings"] for r in by_openings[:3]] == [23400, 9000, 500]
    assert all(r["openings"] is None for r in by_openings[3:])
    by_wage = role_rows(cat, "median wage a year")
    yearly = [r["median wage a year (EUR)"] for r in by_wage]
    # USD 112,590 × 0.92 a year; EUR 4,000 × 12; an hourly wage and a currency without a rate are not converted
    assert yearly[:2] == [round(112590 * 0.92), 48000] and all(v is None for v in yearly[2:])
    hourly = next(r for r in by_wage if r["role"] == "Phlebotomist")
    assert hourly["median wage"] == "20 EUR per hour" and hourly["median wage a year (EUR)"] is None
    titles = [r["role"] for r in role_rows(cat, "title")]
    assert titles == sorted(titles, key=str.lower)
    blank = next(r for r in by_wage if r["role"] == "Cloud engineer")
    assert (blank["openings"], blank["median wage"], blank["source"], blank["as of"]) == (None, None, None, None)


def test_the_explorer_shows_the_roles_section(sample_catalogue) -> None:
    at = AppTest.from_string("from planner.ui.explore_page import page\npage()\n", default_timeout=60).run()
    assert not at.exception and not at.error
    roles = at.dataframe[1].value
    assert len(roles) == len(sample_catalogue.roles) and roles["openings"].isna().all()
    assert any("0 of 19 roles have labour-market figures" in c.value for c in at.caption)
    at.radio(key="ex_role_sort").set_value("openings").run()
    assert not at.exception and len(at.dataframe[1].value) == len(sample_catalogue.roles)
