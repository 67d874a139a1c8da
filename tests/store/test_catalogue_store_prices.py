"""New credential fields (prices per audience, mode sets, ranges, credit units, CTIDs) through a compiled store."""

from __future__ import annotations

import datetime as dt

import yaml

from planner.catalogue.loader import load
from planner.catalogue.models import Constraints, LearnerProfile, Target
from planner.engine.results import to_jsonable
from planner.engine.routing import recommend
from planner.store.catalogue import open_catalogue
from planner.store.catalogue.build import build

START = dt.date(2027, 1, 4)
CATALOGUE = {
    "meta": {"name": "Prices", "exchange_rates": {"USD": 0.5}},
    "providers": [{"id": "cc", "name": "Community College", "country": "US", "kind": "vet_college",
                   "ctid": "ce-6a62b250-a1a2-4d31-a702-cdc2437efd31"}],
    "competencies": [{"id": "k", "label": "K"}],
    "credentials": [
        {"id": "state", "title": "State course", "provider": "cc", "type": "course", "hours": 160, "min_hours": 120,
         "duration_weeks": 12, "min_duration_weeks": 8, "participation": ["online", "onsite"],
         "credit": {"value": 3, "unit": "semester_hour"}, "ctid": "ce-cef8a76d-f168-0513-8fac-0b8dc60ef853",
         "teaches": [{"competency": "k", "level": 2}],
         "costs": [{"audience": "in-state", "price": "100 USD", "label": "In-State"},
                   {"audience": "out-of-state", "price": "500 USD"}]},
        {"id": "other", "title": "Other", "provider": "cc", "type": "course", "duration_weeks": 2, "cost": "40 EUR"},
        {"id": "cert", "title": "Certificate", "provider": "cc", "type": "certificate",
         "award": {"rule": {"all_of": [{"credential": "state"}, {"credential": "other"}]}}},
    ],
}


def test_new_fields_survive_a_build_and_a_read(tmp_path):
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "catalogue.yaml").write_text(yaml.safe_dump(CATALOGUE, sort_keys=False))
    catalogue = load(folder)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build([folder], url)
    store = open_catalogue(url)
    target = Target(kind="award", id="cert")
    for audiences in ([], ["out-of-state"]):
        profile = LearnerProfile(constraints=Constraints(start=START, audiences=audiences))
        read = store.subcatalogue(profile, target)
        for cid in ("state", "other", "cert"):
            assert read.credential(cid) == catalogue.credential(cid)
        assert read.provider("cc") == catalogue.provider("cc")
        a = recommend(catalogue, profile, target, today=START)
        b = store.recommend(profile, target, today=START)
        assert to_jsonable(a.routes) == to_jsonable(b.routes)
        assert a.best.total_cost == (250 + 40 if audiences else 50 + 40)
    store.close()
