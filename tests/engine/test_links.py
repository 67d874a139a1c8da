"""Shareable links never break the Plan page: what cannot be applied is left out, and said once.

Each broken link class below once made the page fail for the rest of the session (a
duplicate widget key, a date past the date widget's maximum, a level in other digits).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from planner.catalogue.models import MAX_DATE
from planner.engine.scenario import MAX_LINK_ITEMS, ScenarioError, read_link

PAGE = "from planner.ui.plan_page import page\npage()\n"
GOOD = {"target": "role:data-analyst", "budget": "1500", "currency": "EUR", "start": "2027-01-04"}


def _app(**query: str) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _works(at: AppTest) -> None:
    """No exception element, the form is drawn, and the page shows routes or says why not."""
    assert not at.exception, [e.value[:300] for e in at.exception]
    assert not any("This page failed" in e.value or "internal error" in e.value for e in at.error), \
        [e.value for e in at.error]
    assert at.selectbox(key="sc_target").value
    answered = (any(m.value.startswith("**Route 1**") for m in at.markdown)
                or any("No route reaches" in e.value for e in at.error) or at.success or at.error)
    assert answered


def _one_warning(at: AppTest) -> str:
    assert len(at.warning) == 1, [w.value for w in at.warning]
    return at.warning[0].value.replace("\\", "")


@pytest.mark.parametrize(("query", "said", "check"), [
    # a held credential twice: two date widgets with one key
    ({"have": "osa-sql-basics@2024-01-01,osa-sql-basics@2024-02-01"}, "given more than once",
     lambda at: at.multiselect(key="sc_held").value == ["osa-sql-basics"]),
    # a start past the date widget's maximum (and the default deadline a year later)
    ({"start": "9999-12-01"}, "2200-12-31", lambda at: at.date_input(key="sc_start").value != dt.date(9999, 12, 1)),
    # a level written with Arabic-Indic or superscript digits
    ({"know": "use-databases=٣"}, "ASCII digits", lambda at: at.multiselect(key="sc_known").value == []),
    ({"know": "use-databases=²"}, "ASCII digits", lambda at: at.multiselect(key="sc_known").value == []),
    # absurd numbers
    ({"budget": "1e308"}, "budget", lambda at: at.checkbox(key="sc_use_budget").value is False),
    ({"hours_per_week": "nan"}, "finite", lambda at: at.checkbox(key="sc_use_hours").value is False),
    ({"alternatives": "9" * 60}, "alternatives", lambda at: at.slider(key="sc_alternatives").value == 3),
    # unknown ids
    ({"have": "ghost@2024-01-01", "avoid_providers": "nobody"}, "ghost",
     lambda at: at.multiselect(key="sc_avoid_providers").value == []),
])
def test_a_bad_part_of_a_link_is_left_out_with_one_warning(query, said, check) -> None:
    at = _app(**{"target": "role:data-analyst", "start": "2027-01-04", **query})
    _works(at)
    warning = _one_warning(at)
    assert warning.startswith("Part of the shared link was left out") and said in warning, warning
    assert check(at)
    # the rest of the link was applied, and the session keeps working
    assert at.selectbox(key="sc_target").value == "role:data-analyst"
    at.selectbox(key="sc_target").set_value("role:energy-manager").run()
    _works(at)


def test_the_latest_supported_start_date_is_accepted_and_the_deadline_fits() -> None:
    at = _app(target="role:data-analyst", start=MAX_DATE.isoformat())
    _works(at)
    assert at.date_input(key="sc_start").value == MAX_DATE
    assert not at.warning


def test_what_was_ignored_is_escaped() -> None:
    at = _app(target="role:data-analyst", have="x](javascript:alert(1))@2024-01-01")
    _works(at)
    raw = at.warning[0].value
    unescaped = re.sub(r"\\.", "", raw)  # what Markdown would still act on
    assert "javascript" in raw and "javascript:" not in unescaped and "[" not in unescaped and "](" not in unescaped


# --------------------------------------------------------------------------- properties

FRAGMENTS = ["osa-sql-basics@2024-01-01", "use-databases=2", "use-databases=٣", "x@9999-12-31", "1e308", "nan",
             "-1", "inf", "0", "9" * 40, "online", "telepathy", "2027-01-04", "2199-12-31", "2301-01-01",
             "role:data-analyst", "award:nhu-msc-data-science", "role:<b>", "[x](javascript:1)", "\x1b[31m",
             "\u202e", ",", "@", "=", "%", "", "learngrid", "en", "NL", "credit", "time", "SEK", "XYZ"]
KEYS = ["target", "have", "know", "budget", "currency", "hours_per_week", "start", "deadline", "modes",
        "languages", "countries", "avoid_providers", "objective", "alternatives", "junk"]

values = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), min_size=1, max_size=4).map(",".join)
queries = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(queries)
def test_read_link_never_fails_but_with_a_scenario_error(query: dict[str, str]) -> None:
    try:
        scenario, ignored = read_link({**GOOD, **query})
    except ScenarioError as exc:
        assert str(exc).startswith("target:")
        return
    assert all(isinstance(m, str) and m for m in ignored)
    assert len({h.credential for h in scenario.holdings}) == len(scenario.holdings)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_read_link_survives_any_query_string(text: str) -> None:
    params = dict(parse_qsl(text, keep_blank_values=True))
    with contextlib.suppress(ScenarioError):  # a missing or broken target: said, nothing else fails
        read_link(params)


def test_a_very_long_link_keeps_its_first_entries() -> None:
    have = ",".join(f"c{i}@2024-01-01" for i in range(MAX_LINK_ITEMS + 50))
    scenario, ignored = read_link({"target": "role:x", "have": have})
    assert len(scenario.holdings) == MAX_LINK_ITEMS
    assert any(f"only the first {MAX_LINK_ITEMS}" in m for m in ignored)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(KEYS), values), min_size=1, max_size=5))
def test_mutated_links_never_break_the_plan_page(mutations: list[tuple[str, str]]) -> None:
    query = dict(GOOD)
    for key, value in mutations:
        query[key] = value
    # through a real query string, as a browser would hand it over
    params = dict(parse_qsl(urlencode(query), keep_blank_values=True))
    at = _app(**{k: v for k, v in params.items() if re.fullmatch(r"[a-z_]+", k)})
    _works(at)
    assert len(at.warning) <= 1
    at.run()  # the next run in the same session works too
    _works(at)
