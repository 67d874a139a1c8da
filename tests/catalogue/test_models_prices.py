"""The model's prices per audience, duration ranges, mode sets, credit units and CTIDs: what it refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from planner.catalogue.models import Constraints, Credential

BASE = {"id": "c", "title": "C", "provider": "p", "type": "course"}


@pytest.mark.parametrize(("extra", "message"), [
    ({"cost": "10 EUR", "costs": [{"price": "10 EUR"}]}, "not both"),
    ({"costs": [{"audience": "member", "price": "1 EUR"}, {"audience": "member", "price": "2 EUR"}]}, "one price"),
    ({"min_duration_weeks": 4}, "min_duration_weeks needs duration_weeks"),
    ({"min_duration_weeks": 9, "duration_weeks": 8}, "min_duration_weeks needs duration_weeks"),
    ({"min_hours": 30, "hours": 20}, "min_hours needs hours"),
    ({"credit": {"value": 4, "max_value": 3, "unit": "ects"}}, "max_value 3 is below"),
    ({"credit": {"value": 4, "unit": "furlongs"}}, "Input should be"),
    ({"ctid": "ce-not-a-uuid"}, "String should match"),
    ({"ctid": "ce-CEF8A76D-F168-0513-8FAC-0B8DC60EF853"}, "String should match"),  # stored in lower case
    ({"costs": [{"audience": "In State", "price": "1 EUR"}]}, "String should match"),
    ({"participation": ["online", "by pigeon"]}, "Input should be"),
])
def test_refused(extra, message):
    with pytest.raises(ValidationError, match=message):
        Credential.model_validate({**BASE, **extra})


def test_modes_are_a_set_and_one_may_be_written_alone():
    assert Credential.model_validate({**BASE, "participation": "online"}).participation == ["online"]
    both = Credential.model_validate({**BASE, "participation": ["blended", "online", "online"]})
    assert both.participation == ["online", "blended"]


def test_prices_for_anyone_may_repeat_and_ranges_may_be_equal():
    cred = Credential.model_validate({**BASE, "costs": [{"price": "1 EUR"}, {"price": "2 EUR"}],
                                      "min_duration_weeks": 8, "duration_weeks": 8})
    assert len(cred.costs) == 2


def test_a_learner_belongs_to_at_most_ten_audiences():
    with pytest.raises(ValidationError):
        Constraints(audiences=[f"a{i}" for i in range(11)])
