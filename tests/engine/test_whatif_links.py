"""What-ifs in a shared link: written by one function, read back exactly by the other, broken ones said.

Properties with Hypothesis: any what-ifs the advisor can set survive the round trip through
query parameters (as a browser would carry them); hostile values are left out with the
parameter named, never raising. ``WhatIf.from_scenario`` inverts ``WhatIf.apply``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode

from hypothesis import given
from hypothesis import strategies as st

from planner.catalogue.models import Holding
from planner.engine.scenario import Scenario
from planner.engine.whatif import WhatIf, what_if_name, what_ifs_from_query, what_ifs_to_query

ids = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)
limit = st.none() | st.floats(0.5, 80, allow_nan=False).map(lambda x: round(x, 2))
what_if = st.builds(lambda b, h, a, c: (b, h, tuple(dict.fromkeys(a)), tuple(dict.fromkeys(c))),
                    st.none() | st.floats(0, 1_000_000, allow_nan=False), limit, st.lists(ids, max_size=4),
                    st.lists(ids, max_size=4))
BASE = Scenario(target="role:data-analyst", budget=1500, start=dt.date(2027, 1, 4),
                holdings=[Holding(credential="osa-sql-basics", earned=dt.date(2026, 5, 1))])


@given(st.lists(what_if, min_size=1, max_size=2))
def test_what_ifs_round_trip_through_a_link(values):
    what_ifs = [WhatIf(name=what_if_name(i), budget=b, hours_per_week=h, avoid_providers=a, add_holdings=c)
                for i, (b, h, a, c) in enumerate(values, 1)]
    carried = parse_qs(urlencode(what_ifs_to_query(what_ifs)), keep_blank_values=True)  # as a browser sends it
    found, ignored = what_ifs_from_query(carried)
    assert found == what_ifs and ignored == []


@given(st.text(max_size=300))
def test_any_text_in_a_link_gives_what_ifs_or_says_what_was_left_out(text):
    found, ignored = what_ifs_from_query({"whatif1": text, "whatif2": "budget=12;hours=none"})
    assert len(found) + len(ignored) == 2
    assert all(message.startswith("whatif1:") for message in ignored)


def test_broken_values_are_named_and_the_rest_kept():
    found, ignored = what_ifs_from_query({"whatif1": "budget=lots;hours=8", "whatif2": "budget=none;hours=100"})
    assert found == []
    assert ignored == ["whatif1: 'budget=lots;hours=8' left out ('lots' is not a number)",
                       "whatif2: 'budget=none;hours=100' left out (Input should be less than or equal to 80)"]
    assert what_ifs_from_query({"whatif2": "budget=5"}) == ([], [])  # numbered from 1, without gaps
    assert what_ifs_from_query({"whatif1": "x" * 5000})[1] == ["whatif1: longer than 4000 characters; left out"]


def test_from_scenario_inverts_apply():
    w = WhatIf(name="What if A", budget=None, hours_per_week=6.0, avoid_providers=("thr",),
               add_holdings=("osa-python-data",))
    assert WhatIf.from_scenario("What if A", BASE, w.apply(BASE)) == w
    assert not WhatIf.unchanged("What if B", BASE).changes(BASE) and w.changes(BASE)
