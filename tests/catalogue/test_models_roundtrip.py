"""Every catalogue and learner model survives dump -> validate unchanged (python and JSON)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from planner.catalogue import models as m
from planner.catalogue.loader import load

BASE = Path(__file__).parents[1] / "data" / "bad" / "base"

QA = m.QualityAssurance(type="external", body="NVAO", description="Programme accreditation")
RULE = m.RuleAllOf(
    label="Core and electives",
    all_of=[
        m.RuleCredential(credential="core-1"),
        m.RuleNOf(n_of=2, label="Two of three", of=[
            m.RuleCredential(credential="e1"),
            m.RuleCredential(credential="e2"),
            m.RuleAllOf(all_of=[m.RuleCredential(credential="e3"), m.RuleCredential(credential="e4")]),
        ]),
        m.RuleCredits(credits=15, from_=["e1", "e2", "e5"], id="pool", label="Free electives"),
    ],
)
CREDENTIAL = m.Credential(
    id="cred-1", title="Data analysis", provider="uni", type="micro_credential", sector="data",
    description="Hands-on", url="https://example.org/c",
    learning_outcomes=["Clean data", "Build dashboards"], ects=5, hours=125, eqf_level=6,
    assessment=["project", "exam"], participation="blended", quality_assurance=QA, languages=["en", "nl"],
    supervision="supervised_with_id_check", stackability="Counts towards the certificate",
    duration_weeks=8, min_duration_weeks=6, min_hours=100, hours_per_week=15.5,
    costs=[m.CostOption(audience="in-state", price=m.Money(amount=450, currency="EUR"), label="In-State"),
           m.CostOption(price=m.Money(amount=900, currency="EUR"))],
    runs=m.Runs(intakes=["09-01", "02-01"]), credit_validity_years=5,
    credit=m.CreditValue(value=3, max_value=4, unit="semester_hour"),
    ctid="ce-cef8a76d-f168-0513-8fac-0b8dc60ef853",
    teaches=[m.CompetencyLevel(competency="k1", level=2)],
    requires=[m.RequirementGroup(any_of=[m.RequirementAlternative(credential="c0"),
                                         m.RequirementAlternative(competency="k0", level=1)])],
    award=m.AwardSpec(rule=RULE, rpl_cap=30, credit_validity_years=10),
)
SAMPLES: dict[type[BaseModel], BaseModel] = {
    m.Money: m.Money(amount=1200.5, currency="GBP"),
    m.CostOption: m.CostOption(audience="member", price=m.Money(amount=80, currency="USD"), label="Members"),
    m.CreditValue: m.CreditValue(value=10, unit="other", unit_label="Continuing education hours"),
    m.LevelScale: m.LevelScale(min=0, max=5, labels={0: "none", 5: "expert"}),
    m.QualityAssurance: QA,
    m.CompetencyLevel: m.CompetencyLevel(competency="k1", level=3),
    m.Runs: m.Runs(rolling=True),
    m.RequirementAlternative: m.RequirementAlternative(competency="k1", level=2),
    m.RequirementGroup: m.RequirementGroup(any_of=[m.RequirementAlternative(credential="c1")]),
    m.RuleCredential: m.RuleCredential(credential="c1"),
    m.RuleAllOf: RULE,
    m.RuleNOf: RULE.all_of[1],
    m.RuleCredits: RULE.all_of[2],
    m.AwardSpec: CREDENTIAL.award,
    m.CatalogueMeta: m.CatalogueMeta(name="C", description="d", level_scale=m.LevelScale(), base_currency="EUR",
                                     exchange_rates={"GBP": 1.17, "DKK": 0.134}, rates_as_of=dt.date(2025, 1, 1)),
    m.Competency: m.Competency(id="k1", label="analyse data", framework="esco",
                               uri="http://data.europa.eu/esco/skill/x", type="skill", broader="k0",
                               description="d"),
    m.Provider: m.Provider(id="uni", name="Uni", country="NL", kind="university", quality_assurance=QA,
                           website="https://uni.example", ctid="ce-6a62b250-a1a2-4d31-a702-cdc2437efd31", issuers=[
                               "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
                               {"id": "https://uni.example/issuer", "keys": [
                                   "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
                                   {"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "kid": "k1"}]}]),
    m.TrustedIssuer: m.TrustedIssuer(id="did:web:uni.example",
                                     keys=["z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"]),
    m.IssuerJwk: m.IssuerJwk(kty="OKP", crv="Ed25519", x="A" * 43, alg="EdDSA", use="sig"),
    m.Credential: CREDENTIAL,
    m.RecognitionAgreement: m.RecognitionAgreement(
        id="r1", provider="uni", credential="x", award="cred-1", credits=5, equivalent_to="e1", pool="pool",
        valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2026, 1, 1), note="n"),
    m.RoleNeed: m.RoleNeed(competency="k1", level=2, essential=False),
    m.Wage: m.Wage(amount=52000, currency="EUR", period="year"),
    m.Outlook: m.Outlook(openings=1200, median_wage=m.Wage(amount=4300.5, currency="SEK", period="month"),
                         source="Statistics agency", as_of=dt.date(2025, 6, 30), code="2511",
                         url="https://stats.example/2511"),
    m.Role: m.Role(id="role", title="Analyst", esco_uri="http://data.europa.eu/esco/occupation/x",
                   isco_code="2511", soc_code="15-2051.01", sector="data", description="d",
                   needs=[m.RoleNeed(competency="k1", level=2)],
                   outlook=m.Outlook(openings=10, source="S", as_of=dt.date(2025, 1, 1))),
    m.Holding: m.Holding(credential="c1", earned=dt.date(2023, 6, 30)),
    m.Constraints: m.Constraints(
        budget=m.Money(amount=2000, currency="EUR"), hours_per_week=10, min_hours_per_week=2,
        start=dt.date(2025, 9, 1), deadline=dt.date(2026, 9, 1), modes=["online"], languages=["en"],
        countries=["NL"], avoid_providers=["p"], avoid_credentials=["c"], max_credentials_per_term=2,
        audiences=["in-state", "member"]),
    m.Target: m.Target(kind="competencies", competencies=[m.CompetencyLevel(competency="k1", level=2)]),
}
SAMPLES[m.LearnerProfile] = m.LearnerProfile(
    name="Ana", holdings=[SAMPLES[m.Holding]], competencies=[SAMPLES[m.CompetencyLevel]],
    constraints=SAMPLES[m.Constraints])
SAMPLES[m.Catalogue] = m.Catalogue(
    meta=SAMPLES[m.CatalogueMeta], providers=[SAMPLES[m.Provider]], competencies=[SAMPLES[m.Competency]],
    credentials=[CREDENTIAL], roles=[SAMPLES[m.Role]], recognitions=[SAMPLES[m.RecognitionAgreement]])


def test_every_public_model_has_a_sample():
    public = {getattr(m, name) for name in m.__all__}
    models = {obj for obj in public if isinstance(obj, type) and issubclass(obj, BaseModel)}
    assert models - set(SAMPLES) == set()


@pytest.mark.parametrize("model", list(SAMPLES), ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("by_alias", [True, False])
def test_python_round_trip(model, by_alias):
    original = SAMPLES[model]
    again = model.model_validate(original.model_dump(by_alias=by_alias))
    assert again == original


@pytest.mark.parametrize("model", list(SAMPLES), ids=lambda cls: cls.__name__)
def test_json_round_trip(model):
    original = SAMPLES[model]
    assert model.model_validate_json(original.model_dump_json(by_alias=True)) == original


def test_rule_tree_keeps_its_shape():
    again = m.AwardSpec.model_validate(CREDENTIAL.award.model_dump(by_alias=True))
    assert isinstance(again.rule, m.RuleAllOf)
    kinds = [type(child).__name__ for child in again.rule.all_of]
    assert kinds == ["RuleCredential", "RuleNOf", "RuleCredits"]
    assert isinstance(again.rule.all_of[1].of[2], m.RuleAllOf)
    assert again.rule.all_of[2].from_ == ["e1", "e2", "e5"]
    assert "from" in CREDENTIAL.award.model_dump(by_alias=True)["rule"]["all_of"][2]


@pytest.mark.parametrize(("text", "amount", "currency"), [
    ("450 EUR", 450, "EUR"), ("1,200.50 gbp", 1200.5, "GBP"), ("  99DKK ", 99, "DKK"), ("10_000 SEK", 10000, "SEK"),
])
def test_money_shorthand(text, amount, currency):
    money = m.Money.model_validate(text)
    assert (money.amount, money.currency) == (amount, currency)
    assert m.Money.model_validate(money.model_dump()) == money
    assert m.Money.model_validate(str(money).replace(",", "")) == m.Money(amount=round(amount), currency=currency)


def test_money_shorthand_rejects_nonsense():
    with pytest.raises(ValidationError):
        m.Money.model_validate("cheap")


def test_requirement_shorthand_round_trip():
    group = m.RequirementGroup.model_validate({"competency": "k1", "level": 2})
    assert group == m.RequirementGroup(any_of=[m.RequirementAlternative(competency="k1", level=2)])
    assert m.RequirementGroup.model_validate(group.model_dump()) == group


def test_target_text_round_trip():
    for text in ("role:data-analyst", "award:master", "competencies:k1=2,k2=3"):
        assert str(m.Target.parse(text)) == text


def test_loaded_catalogue_round_trip():
    catalogue = load(BASE)
    assert m.Catalogue.model_validate(catalogue.model_dump(by_alias=True)) == catalogue
    assert m.Catalogue.model_validate_json(catalogue.model_dump_json()) == catalogue
