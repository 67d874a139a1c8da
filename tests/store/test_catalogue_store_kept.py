"""An open store keeps each target's walk: what it returns is what a store opened afresh returns.

:meth:`planner.store.catalogue.CatalogueStore.subcatalogue` keeps the learner-independent
part of a question (the target's walk) and finishes it per learner. These tests compare a
long-lived store, asked many questions in a row, with a store opened for each question
(nothing kept), and show that a write to the store is seen at once.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalogue.models import Catalogue, Constraints, Holding, LearnerProfile, Target
from planner.store.catalogue import open_catalogue
from planner.store.catalogue import reader as store_reader
from planner.store.catalogue.build import build
from planner.store.catalogue.collect import Collector
from tests.conftest import CATALOGUE_DIR


def _targets(catalogue: Catalogue) -> list[Target]:
    return ([Target(kind="role", id=r.id) for r in catalogue.roles]
            + [Target(kind="award", id=a.id) for a in catalogue.awards]
            + [Target.parse("competencies:python-programming=2,use-spreadsheets=2")])


def _fresh(url: str, profile: LearnerProfile, target: Target, credit_award: str | None) -> Catalogue:
    """The question's sub-catalogue walked whole for this learner, nothing kept (the specification)."""
    store = open_catalogue(url)
    try:
        with store._connect() as conn:
            return Collector(conn).collect(profile, target, credit_award, store.meta)
    finally:
        store.close()


@pytest.fixture(scope="module")
def bundled_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('kept') / 'bundled.db'}"
    assert build([CATALOGUE_DIR], url).ok
    return url


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_long_lived_store_answers_as_a_fresh_one(data, bundled_url, sample_catalogue):
    url = bundled_url
    creds = [c.id for c in sample_catalogue.credentials]
    comps = [c.id for c in sample_catalogue.competencies]
    providers = [p.id for p in sample_catalogue.providers]
    targets = _targets(sample_catalogue)
    store = open_catalogue(url)
    try:
        # a run of questions, targets repeating, learners adding nothing or something to what a target needs
        for _ in range(data.draw(st.integers(2, 8), label="questions")):
            profile = LearnerProfile(
                holdings=[Holding(credential=c, earned=dt.date(2024, 6, 1))
                          for c in data.draw(st.lists(st.sampled_from([*creds, "no-such-credential"]),
                                                      max_size=3, unique=True))],
                competencies=[{"competency": c, "level": 2}
                              for c in data.draw(st.lists(st.sampled_from(comps), max_size=2, unique=True))],
                constraints=Constraints(
                    avoid_credentials=data.draw(st.lists(st.sampled_from(creds), max_size=2)),
                    avoid_providers=data.draw(st.lists(st.sampled_from(providers), max_size=1))))
            target = data.draw(st.sampled_from(targets))
            credit_award = data.draw(st.sampled_from([None, *[a.id for a in sample_catalogue.awards]]))
            kept = store.subcatalogue(profile, target, credit_award=credit_award)
            assert kept == _fresh(url, profile, target, credit_award), (target, profile)
    finally:
        store.close()


def test_the_same_question_twice_shares_one_catalogue_and_a_learner_who_adds_gets_their_own(bundled_url):
    url = bundled_url
    store = open_catalogue(url)
    target = Target.parse("role:data-analyst")
    first = store.subcatalogue(LearnerProfile(), target)
    assert store.subcatalogue(LearnerProfile(), target) is first  # kept, not walked again
    outside = next(c.id for c in open_catalogue(url).search("", 1, 200).hits
                   if c.kind == "credential" and not any(x.id == c.id for x in first.credentials))
    holder = LearnerProfile(holdings=[Holding(credential=outside, earned=dt.date(2025, 1, 1))])
    theirs = store.subcatalogue(holder, target)
    assert outside in {c.id for c in theirs.credentials}
    assert outside not in {c.id for c in store.subcatalogue(LearnerProfile(), target).credentials}
    store.close()


@pytest.mark.parametrize("interval", [0.0, 0.5])
def test_a_write_to_the_store_is_seen_by_a_store_already_open(tmp_path, monkeypatch, interval):
    # the generation token is read at most every GENERATION_SECONDS: a write is seen within that time
    monkeypatch.setattr(store_reader, "GENERATION_SECONDS", interval)
    src = tmp_path / "cat"
    shutil.copytree(CATALOGUE_DIR, src)
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert build([src], url).ok
    store = open_catalogue(url)
    target = Target.parse("role:data-analyst")
    before = store.subcatalogue(LearnerProfile(), target).credential("osa-python-data")
    assert before.cost.amount == 49

    path = src / "credentials" / "openskills-academy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cost: {amount: 49, currency: EUR}",
                                                             "cost: {amount: 59, currency: EUR}", 1),
                    encoding="utf-8")
    assert build([src], url).written == (str(path),)
    if interval:
        time.sleep(interval + 0.05)
    assert store.subcatalogue(LearnerProfile(), target).credential("osa-python-data").cost.amount == 59

    (src / "recognitions.yaml").unlink()  # a build that only removes a file changes the store too
    assert build([src], url).removed == (str(src / "recognitions.yaml"),)
    if interval:
        time.sleep(interval + 0.05)
    assert store.subcatalogue(LearnerProfile(), target).recognitions == []
    assert store.subcatalogue(LearnerProfile(), target) == _fresh(url, LearnerProfile(), target, None)
    store.close()


def test_kept_walks_are_bounded(bundled_url, sample_catalogue, monkeypatch):
    monkeypatch.setattr(store_reader, "KEPT_TARGETS", 2)
    url = bundled_url
    store = open_catalogue(url)
    for target in _targets(sample_catalogue)[:5]:
        assert store.subcatalogue(LearnerProfile(), target) == _fresh(url, LearnerProfile(), target, None)
        assert len(store._kept) <= 2
    monkeypatch.setattr(store_reader, "KEPT_CREDENTIALS", 1)  # any walk is over it: none is kept
    store.subcatalogue(LearnerProfile(), _targets(sample_catalogue)[0])
    assert len(store._kept) == 0
    store.close()
