"""The synthetic catalogue generator used by the benchmarks."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pytest

from benchmarks.synthetic import generate, generate_data, main, write_yaml
from planner.catalogue.models import Catalogue, RuleAllOf, RuleCredential, RuleCredits, RuleNOf


def _walk(rule):
    yield rule
    if isinstance(rule, RuleAllOf):
        for child in rule.all_of:
            yield from _walk(child)
    elif isinstance(rule, RuleNOf):
        for child in rule.of:
            yield from _walk(child)


@pytest.fixture(scope="module")
def cat500() -> Catalogue:
    return generate(500, seed=11)


def test_same_seed_same_catalogue_and_other_seed_differs() -> None:
    assert generate_data(300, seed=4) == generate_data(300, seed=4)
    assert generate_data(300, seed=4) != generate_data(300, seed=5)


@pytest.mark.parametrize("n", [1, 2, 7, 40, 199, 200, 333, 500])
def test_size_is_exact_and_validates(n: int) -> None:
    cat = generate(n, seed=n)
    assert isinstance(cat, Catalogue)
    assert len(cat.credentials) == n
    assert len({c.id for c in cat.credentials}) == n


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_data(0)
    with pytest.raises(ValueError, match="negative"):
        generate_data(10, n_roles=-1)


def test_n_roles_is_honoured() -> None:
    assert len(generate(120, seed=1, n_roles=17).roles) == 17


def test_no_prerequisite_cycles_even_through_competencies(cat500: Catalogue) -> None:
    # strict sense: a competency requirement links to every credential teaching it at >= level
    teachers: dict[str, list[tuple[int, str]]] = {}
    for cred in cat500.credentials:
        for t in cred.teaches:
            teachers.setdefault(t.competency, []).append((t.level, cred.id))
    graph = nx.DiGraph()
    graph.add_nodes_from(c.id for c in cat500.credentials)
    n_edges_competency = 0
    for cred in cat500.credentials:
        for group in cred.requires:
            for alt in group.any_of:
                if alt.credential is not None:
                    graph.add_edge(cred.id, alt.credential)
                else:
                    for level, other in teachers.get(alt.competency, []):
                        if level >= alt.level:
                            graph.add_edge(cred.id, other)
                            n_edges_competency += 1
    assert n_edges_competency > 0  # the check is not vacuous
    assert nx.is_directed_acyclic_graph(graph), nx.find_cycle(graph)


def test_references_exist_and_award_rules_are_satisfiable(cat500: Catalogue) -> None:
    creds = {c.id: c for c in cat500.credentials}
    comps = {c.id for c in cat500.competencies}
    providers = {p.id for p in cat500.providers}
    assert cat500.awards, "the catalogue has certificates and degrees"
    for cred in cat500.credentials:
        assert cred.provider in providers
        for t in cred.teaches:
            assert t.competency in comps
            assert 1 <= t.level <= 4
        for group in cred.requires:
            for alt in group.any_of:
                assert (alt.credential in creds) if alt.credential else (alt.competency in comps)
    for award in cat500.awards:
        nodes = list(_walk(award.award.rule))
        for node in nodes:
            if isinstance(node, RuleCredential):
                assert node.credential in creds and node.credential != award.id
            elif isinstance(node, RuleCredits):
                assert all(c in creds for c in node.from_)
                assert sum(creds[c].ects or 0 for c in node.from_) >= node.credits
            elif isinstance(node, RuleNOf):
                assert node.n_of <= len(node.of)
    for rec in cat500.recognitions:
        award = creds[rec.award]
        assert rec.credential in creds and award.award is not None
        assert creds[rec.credential].provider != rec.provider
        nodes = list(_walk(award.award.rule))
        if rec.equivalent_to:
            assert rec.equivalent_to in {n.credential for n in nodes if isinstance(n, RuleCredential)}
        if rec.pool:
            assert rec.pool in {n.id for n in nodes if isinstance(n, RuleCredits)}


def test_realistic_shape(cat500: Catalogue) -> None:
    types = Counter(c.type.value for c in cat500.credentials)
    small = types["micro_credential"] + types["course"] + types["badge"]
    assert small / len(cat500.credentials) > 0.75
    assert types["certificate"] > 0 and types["industry_certification"] > 0
    assert types["master"] + types["bachelor"] >= 1
    assert all(1 <= len(c.teaches) <= 4 for c in cat500.credentials if c.award is None)
    assert any(len(g.any_of) > 1 for c in cat500.credentials for g in c.requires)
    industry = [c for c in cat500.credentials if c.type.value == "industry_certification"]
    assert any(c.credit_validity_years for c in industry)
    assert {p.kind.value for p in cat500.providers} == {"university", "vet_college", "industry",
                                                       "online_platform", "other"}
    assert len({p.country for p in cat500.providers}) >= 3
    # every price can be converted: the rate table covers every currency used
    currencies = {c.cost.currency for c in cat500.credentials if c.cost}
    assert len(currencies) >= 2
    assert currencies <= set(cat500.meta.exchange_rates) | {cat500.meta.base_currency}
    # the broader hierarchy exists, points to real competencies and is acyclic
    comps = {c.id: c for c in cat500.competencies}
    broader = nx.DiGraph((c.id, c.broader) for c in cat500.competencies if c.broader)
    assert broader.number_of_edges() > 0 and all(b in comps for _, b in broader.edges)
    assert nx.is_directed_acyclic_graph(broader)


def test_roles_need_5_to_12_competencies_mostly_teachable() -> None:
    cat = generate(500, seed=3, n_roles=200)
    best: dict[str, int] = {}
    for cred in cat.credentials:
        for t in cred.teaches:
            best[t.competency] = max(best.get(t.competency, 0), t.level)
    teachable = 0
    for role in cat.roles:
        assert 5 <= len(role.needs) <= 12
        assert any(n.essential for n in role.needs) and any(not n.essential for n in role.needs)
        if all(best.get(n.competency, 0) >= n.level for n in role.needs if n.essential):
            teachable += 1
    # mostly teachable, with a few deliberate gaps
    assert 0.85 * len(cat.roles) <= teachable < len(cat.roles)


def test_yaml_round_trip_through_the_loader(tmp_path) -> None:
    from planner.catalogue.loader import validate

    data = generate_data(300, seed=2)
    files = write_yaml(data, tmp_path, chunk=100)
    assert len([f for f in files if f.name.startswith("02-credentials")]) == 3
    report = validate(tmp_path)
    assert report.ok, [str(p) for p in report.errors][:5]
    assert len(report.catalogue.credentials) == 300
    assert report.catalogue == Catalogue.model_validate(data)


def test_cli_writes_a_catalogue_directory(tmp_path, capsys) -> None:
    assert main(["--credentials", "120", "--seed", "9", "--out", str(tmp_path / "cat")]) == 0
    assert "generated 120 credentials" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "cat").iterdir())[0] == "00-meta.yaml"
