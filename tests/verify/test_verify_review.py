"""Uploaded credentials matched to a catalogue: a row per credential, only verified ones count unless declared."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalogue.inputs import NamedBytes, use_limits
from planner.catalogue.loader import validate_texts
from planner.catalogue.models import Holding
from planner.engine.scenario import Scenario, read_link, to_query
from planner.verify import ContextLoader, Status
from planner.verify.holdings import FileHoldings, holdings_from_files
from planner.verify.review import NO_HOLDING, NOT_IN_CATALOGUE, merge_holdings, review_credentials
from planner.verify.trust import TrustList
from tests.conftest import REFERENCE_DIR

VALIDATOR = REFERENCE_DIR / "1edtech-digital-credentials-public-validator"
CONTEXTS = VALIDATOR / "inspector-vc/src/main/resources/contexts"
OB30 = VALIDATOR / "inspector-vc/src/test/resources/ob30"
CLR20 = VALIDATOR / "inspector-clr/src/test/resources/clr20"
DAY = dt.date(2026, 1, 5)

# the trust list: the keys the validator's fixtures are signed with, listed by a provider of their own
# (so that Team College's own issuer list stays free for the tests of which issuer is the provider's)
FIXTURE_ISSUERS = b"""\
  - id: fixture-issuers
    name: 1EdTech test issuers
    country: US
    kind: other
    issuers:
      - id: https://example.com/issuers/876543
        keys: [z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi, z6MkvREVgsHx7Ppae68vCoByy73ZD4aMSJiPML2cryVL8JAx]
      - id: https://example.edu/issuers/565049
        keys: [z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi]
      - id: https://1edtech.edu/issuers/565049
        keys: [z6Mknyb2Gb4NxzW3xSr9ChTtdQZ1zs77piQ3r9SaJ9vMzmrs]
"""

# a catalogue that has the validator fixtures' achievement ("Teamwork") as a credential
TEAM_CATALOGUE_TEXT = b"""\
meta:
  name: Teamwork college
providers:
  - id: team-college
    name: Team College
    country: NL
    kind: university
FIXTURE_ISSUERS_HERE
competencies:
  - id: collaboration
    label: Collaboration
  - id: counting
    label: Counting
credentials:
  - id: teamwork
    title: Teamwork
    provider: team-college
    type: micro_credential
    cost: 100 EUR
    teaches:
      - {competency: collaboration, level: 2}
  - id: counting-basics
    title: Counting basics
    provider: team-college
    type: micro_credential
    cost: 10 EUR
    teaches:
      - {competency: counting, level: 2}
roles:
  - id: team-counter
    title: Team counter
    needs:
      - {competency: collaboration, level: 2}
      - {competency: counting, level: 2}
"""
TEAM_CATALOGUE = TEAM_CATALOGUE_TEXT.replace(b"FIXTURE_ISSUERS_HERE\n", FIXTURE_ISSUERS)


@pytest.fixture(autouse=True)
def contexts(monkeypatch: pytest.MonkeyPatch) -> Path:
    if not CONTEXTS.is_dir():
        pytest.skip(f"reference contexts not found at {CONTEXTS}")
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(CONTEXTS))
    return CONTEXTS


@pytest.fixture(scope="module")
def team_catalogue():
    report = validate_texts({"team.yaml": TEAM_CATALOGUE})
    assert report.catalogue is not None, [str(p) for p in report.errors]
    return report.catalogue


@pytest.fixture(scope="module")
def mixed_found(team_catalogue):
    """One verified badge (Teamwork, from the validator) and one tampered badge of another catalogue credential."""
    if not CONTEXTS.is_dir():
        pytest.skip(f"reference contexts not found at {CONTEXTS}")
    doc = json.loads(upload(OB30 / "simple.json").data)
    doc["credentialSubject"]["achievement"]["name"] = "Counting basics"  # breaks the signature
    files = [upload(OB30 / "simple.json"), NamedBytes("counting.json", json.dumps(doc).encode())]
    return holdings_from_files(files, today=DAY, loader=ContextLoader(CONTEXTS), trust=team_trust())


# only the verifier's hand-over keeps "verified": a Holding built from plain values is declared
VERIFIED_TEAMWORK = Holding(credential="teamwork", earned=dt.date(2010, 1, 1)).model_copy(
    update={"verification": "verified"})


def test_a_holding_built_or_read_from_outside_is_declared():
    assert Holding(credential="teamwork", earned=dt.date(2010, 1, 1), verification="verified").verification == \
        "declared"
    assert Holding.model_validate({"credential": "teamwork", "earned": "2010-01-01",
                                   "verification": "verified"}).verification == "declared"


def team_trust() -> TrustList:
    """The trust list of the Team catalogue: the fixtures' issuers and their keys."""
    return TrustList.from_providers(validate_texts({"team.yaml": TEAM_CATALOGUE}).catalogue.providers)


def read_files(files, **kwargs) -> FileHoldings:
    """The files read and verified as the Plan page does on the Team catalogue (its trust list confirms issuers)."""
    return holdings_from_files(files, **{"trust": team_trust(), **kwargs})


def upload(path: Path, name: str | None = None) -> NamedBytes:
    if not path.is_file():
        pytest.skip(f"reference file not found: {path}")
    return NamedBytes(name or path.name, path.read_bytes())


def tampered_badge() -> NamedBytes:
    """The validator's valid OB3 badge with its achievement's description edited after signing."""
    doc = json.loads(upload(OB30 / "simple.json").data)
    doc["credentialSubject"]["achievement"]["description"] = "Edited by the holder."
    return NamedBytes("tampered.json", json.dumps(doc).encode())


def test_uploaded_bytes_read_exactly_as_the_same_file_on_disk():
    path = CLR20 / "simple.json"
    from_disk = read_files([path], today=DAY)
    from_upload = read_files([upload(path, str(path))], today=DAY)
    assert from_upload.holdings == from_disk.holdings and from_upload.checks == from_disk.checks
    assert [(f.title, f.holding, f.verification.status) for f in from_upload.found] == [
        ("Teamwork", "teamwork", Status.VERIFIED)]


def test_each_fixture_gets_its_row(team_catalogue):
    files = [upload(CLR20 / "simple.json", "transcript.json"), upload(OB30 / "simple-err-expired.json"),
             upload(OB30 / "simple-err-type.json"), tampered_badge()]
    review = review_credentials(read_files(files, today=DAY), team_catalogue)
    rows = [(r.file, r.title, r.match_title, r.status, r.declarable) for r in review.rows]
    assert rows == [
        ("transcript.json", "Teamwork", "Teamwork", Status.VERIFIED, False),
        ("simple-err-expired.json", "Teamwork", "Teamwork", Status.EXPIRED, False),  # expired: the import holds nothing
        ("simple-err-type.json", "Example University Degree", NO_HOLDING, Status.UNVERIFIABLE, False),
        ("tampered.json", "Teamwork", "Teamwork", Status.SIGNATURE_INVALID, False),  # a verified copy decides
    ]
    assert "expired on 2010-01-01" in review.rows[1].reason
    assert "OtherCredential" in review.rows[2].reason
    # the CLR's badge verified: Teamwork counts, verified, whatever the tampered copy says
    assert review.holdings() == (VERIFIED_TEAMWORK,)
    assert review.holdings({"teamwork"}) == review.holdings()


def test_a_tampered_badge_counts_only_when_declared(team_catalogue):
    review = review_credentials(read_files([tampered_badge()], today=DAY), team_catalogue)
    assert [r.status for r in review.rows] == [Status.SIGNATURE_INVALID]
    assert review.holdings() == ()
    assert review.holdings({"counting-basics"}) == ()  # ticking another credential does not count this one
    assert review.holdings({"teamwork"}) == (
        Holding(credential="teamwork", earned=dt.date(2010, 1, 1), verification="declared"),)


def test_a_credential_the_catalogue_lacks_is_listed_and_never_counts(sample_catalogue):
    review = review_credentials(read_files([upload(OB30 / "simple.json")], today=DAY), sample_catalogue)
    assert [(r.title, r.match_title, r.status, r.declarable) for r in review.rows] == [
        ("Teamwork", NOT_IN_CATALOGUE, Status.VERIFIED, False)]
    assert review.holdings({"teamwork"}) == ()


def test_matched_by_title_when_the_ids_differ(team_catalogue):
    renamed = validate_texts({"team.yaml": TEAM_CATALOGUE.replace(b"id: teamwork", b"id: tw-101")}).catalogue
    review = review_credentials(read_files([upload(OB30 / "simple.json")], today=DAY), renamed)
    assert [h.credential for h in review.holdings()] == ["tw-101"]
    assert review.rows[0].match == "tw-101"


def test_an_upload_over_the_size_limit_is_a_located_problem(team_catalogue):
    with use_limits(max_file_bytes=100):
        found = read_files([upload(OB30 / "simple.json", "big.json")], today=DAY)
    review = review_credentials(found, team_catalogue)
    assert review.holdings() == () and review.rows == ()
    assert [str(p) for p in review.unreadable] and all(p.file == "big.json" for p in review.unreadable)
    assert "limit" in str(review.unreadable[0])


def test_broken_json_upload_is_located():
    found = read_files([NamedBytes("broken.json", b'{"a": 1,\n "b": }')], today=DAY)
    assert found.holdings == ()
    assert [(p.file, p.line) for p in found.problems if p.severity == "error"][:1] == [("broken.json", 2)]


def test_uploaded_holdings_replace_typed_ones():
    typed = [Holding(credential="teamwork", earned=dt.date(2024, 1, 1)),
             Holding(credential="counting-basics", earned=dt.date(2024, 1, 1))]
    verified = VERIFIED_TEAMWORK
    assert merge_holdings(typed, [verified]) == [typed[1], verified]


def test_a_share_link_cannot_claim_verified():
    verified = VERIFIED_TEAMWORK
    scenario = Scenario(target="role:team-counter", holdings=[verified])
    query = to_query(scenario)
    assert "verified" not in json.dumps(query)
    read, ignored = read_link({**query, "have": query["have"] + "@verified"})  # a hand-edited link
    assert [h.verification for h in read.holdings] in ([], ["declared"])
    read, ignored = read_link(query)
    assert ignored == [] and read.holdings == [verified.model_copy(update={"verification": "declared"})]


def test_an_expired_badge_alone_gives_nothing_to_declare(team_catalogue):
    review = review_credentials(read_files([upload(OB30 / "simple-err-expired.json")], today=DAY),
                                team_catalogue)
    assert [(r.status, r.declarable) for r in review.rows] == [(Status.EXPIRED, False)]
    assert review.holdings({"teamwork"}) == ()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(declared=st.sets(st.sampled_from(["teamwork", "counting-basics", "nope", ""]) | st.text(max_size=8)))
def test_ticks_count_only_unverified_catalogue_credentials_as_declared(declared, team_catalogue, mixed_found):
    review = review_credentials(mixed_found, team_catalogue)
    counted = review.holdings(declared)
    # nothing counts that the catalogue lacks; verified ones count whatever is ticked; a tick adds
    # exactly the declarable credentials it names, marked declared
    assert {h.credential for h in counted} <= {c.id for c in team_catalogue.credentials}
    verified = {h.credential for h in review.holdings() if h.verification == "verified"}
    assert {h.credential for h in counted if h.verification == "verified"} == verified
    declarable = {r.match for r in review.rows if r.declarable}
    assert {h.credential for h in counted if h.verification == "declared"} == declarable & set(declared)


def test_a_verified_row_says_what_was_not_checked(team_catalogue):
    # complete.json names a 1EdTech revocation list, which is not read offline
    review = review_credentials(read_files([upload(OB30 / "complete.json")], today=DAY), team_catalogue)
    [row] = review.rows
    assert row.status is Status.VERIFIED and "1EdTechRevocationList not checked" in row.reason
