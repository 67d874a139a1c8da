"""The reach chart and its table: one point per listed target, shapes per kind, names escaped, the ring."""

from __future__ import annotations

import dataclasses

from planner.catalogue.models import LearnerProfile
from planner.engine.reach import ReachOptions, reach
from planner.outputs.plots.reach import reach_chart, reach_rows


def test_points_table_and_ring_agree(sample_catalogue) -> None:
    result = reach(sample_catalogue, LearnerProfile.model_validate({"constraints": {"start": "2026-09-01"}}),
                   ReachOptions(top=12))
    fig = reach_chart(result)
    kinds = {t.name: t for t in fig.data}
    roles, awards = kinds["Roles"], kinds["Awards"]
    assert roles.marker.symbol == "circle" and awards.marker.symbol == "diamond"  # shape, not only colour
    assert len(roles.x) + len(awards.x) == len(result.ranked) == 12
    points = sorted(zip([*roles.customdata, *awards.customdata], [*roles.x, *awards.x], [*roles.y, *awards.y],
                        strict=True))
    assert points == sorted((e.target, e.weeks, e.cost) for e in result.ranked)
    ring = next(t for t in fig.data if t.name.startswith("Next step on its route"))
    assert len(ring.x) == len(result.next_step.serves)
    rows = reach_rows(result)
    assert [r["target"] for r in rows] == [e.title for e in result.ranked]
    assert [r["next step on its route"] == "yes" for r in rows] == [e.target in result.next_step.serves
                                                                    for e in result.ranked]


def test_catalogue_text_is_escaped_in_hover_labels(sample_catalogue) -> None:
    result = reach(sample_catalogue, LearnerProfile.model_validate({"constraints": {"start": "2026-09-01"}}),
                   ReachOptions(top=2, kind="role"))
    first = dataclasses.replace(result.ranked[0], title="<script>alert(1)</script> & co")
    fig = reach_chart(dataclasses.replace(result, ranked=(first, *result.ranked[1:])))
    hover = fig.data[0].text[0]
    assert "<script>" not in hover and "&lt;script&gt;" in hover and "&amp; co" in hover
