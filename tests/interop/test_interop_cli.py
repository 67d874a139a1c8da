"""``planner import`` / ``planner export`` end to end, through ``planner.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.interop import ctdl, registry
from planner.interop._result import InteropError
from tests.conftest import reference_file

PATHWAYS = "credentialengine-schema-development/pathways"


def hw_files() -> list[str]:
    return [str(reference_file(f"{PATHWAYS}/HeriotWatt/{n}")) for n in ("pathway.json", "courses.json")]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_writes_a_catalogue_file_that_loads(tmp_path, capsys):
    from planner.catalogue.loader import load

    into = tmp_path / "cat"
    code, out, err = run(capsys, "import", "ctdl", *hw_files(), "--into", str(into))
    assert code == 0, err
    written = into / "imported-pathway.yaml"
    assert written.is_file() and "49 credentials" in out
    assert "grade constraint" in err  # warnings are shown
    catalogue = load(into)
    assert len(catalogue.credentials) == 49 and len(catalogue.awards) == 4
    assert not list(into.glob(".*.tmp"))  # atomic write leaves nothing behind

    before = written.read_text()
    code, _, err = run(capsys, "import", "ctdl", *hw_files(), "--into", str(into))
    assert code == 1 and "--force" in err and written.read_text() == before
    code, _, err = run(capsys, "import", "ctdl", *hw_files(), "--into", str(into), "--force")
    assert code == 0, err


def test_malformed_input_exits_1_with_location_and_no_traceback(tmp_path, capsys):
    path = reference_file(f"{PATHWAYS}/Kansas/HutchinsonWeldingAAS.json")
    code, _, err = run(capsys, "import", "ctdl", str(path), "--into", str(tmp_path / "cat"))
    assert code == 1
    assert f"{path}:443:" in err and "Traceback" not in err
    assert not (tmp_path / "cat").exists()
    code, _, err = run(capsys, "import", "ctdl", str(tmp_path / "missing.json"), "--into", str(tmp_path))
    assert code == 1 and "not found" in err


def test_several_imports_share_one_catalogue(tmp_path, capsys):
    from planner.catalogue.loader import load

    into = tmp_path / "cat"
    badgr_file = reference_file(f"{PATHWAYS}/Badgr/French-B-A-Marketable-Skills.json")
    comptia = reference_file(f"{PATHWAYS}/CompTIA/CompTIA-IT_Networking_Specialist.jsonld")
    assert run(capsys, "import", "badgr", str(badgr_file), "--into", str(into))[0] == 0
    code, out, err = run(capsys, "import", "ctdl", str(comptia), "--into", str(into), "--name", "comptia")
    assert code == 0, err
    assert "1 already in the catalogue" in out  # the shared unknown provider is not repeated
    catalogue = load(into)
    assert len(catalogue.credentials) == 30 + 9


def test_import_that_clashes_with_the_catalogue_writes_nothing(tmp_path, capsys):
    into = tmp_path / "cat"
    into.mkdir()
    (into / "mine.yaml").write_text(
        "providers:\n- id: unknown-provider\n  name: Someone else\n  country: FI\n  kind: university\n")
    comptia = reference_file(f"{PATHWAYS}/CompTIA/CompTIA-IT_Networking_Specialist.jsonld")
    code, _, err = run(capsys, "import", "ctdl", str(comptia), "--into", str(into))
    assert code == 1 and "unknown-provider" in err and "nothing was written" in err
    assert sorted(p.name for p in into.iterdir()) == ["mine.yaml"]


def test_export_ctdl_reimports_identically(tmp_path, capsys):
    into = tmp_path / "cat"
    assert run(capsys, "import", "ctdl", *hw_files(), "--into", str(into))[0] == 0
    out_file = tmp_path / "export.json"
    code, _, err = run(capsys, "export", "ctdl", "--catalogue", str(into), "--output", str(out_file))
    assert code == 0, err
    assert ctdl.import_files([out_file]).catalogue == ctdl.import_files([Path(f) for f in hw_files()]).catalogue
    code, out, _ = run(capsys, "export", "ctdl", "--catalogue", str(into), "--credential", "f27px-praxis")
    assert code == 0
    graph = json.loads(out)["@graph"]
    assert [n["@type"] for n in graph] == ["ceterms:CredentialOrganization", "ceterms:Course"]
    code, _, err = run(capsys, "export", "ctdl", "--catalogue", str(into), "--credential", "nope")
    assert code == 1 and "unknown credential 'nope'" in err and "Traceback" not in err


def test_export_route_as_pathway_from_plan_and_from_target(tmp_path, capsys):
    pytest.importorskip("planner.engine.routing", reason="the route engine is not built yet")
    into = tmp_path / "cat"
    comptia = reference_file(f"{PATHWAYS}/CompTIA/CompTIA-IT_Networking_Specialist.jsonld")
    assert run(capsys, "import", "ctdl", str(comptia), "--into", str(into))[0] == 0
    code, plan, err = run(capsys, "recommend", "--catalogue", str(into), "--target", "award:it-networking-specialist",
                          "--start", "2026-09-01", "--format", "json")
    assert code == 0, err
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan)
    code, out, err = run(capsys, "export", "ctdl-pathway", "--catalogue", str(into), "--plan", str(plan_file))
    assert code == 0, err
    graph = json.loads(out)["@graph"]
    (pathway,) = [n for n in graph if n["@type"] == "ceterms:Pathway"]
    steps = [n for n in graph if n["@type"] == "ceterms:CredentialComponent" and "ceasn:isChildOf" in n]
    assert len(steps) == 8
    # the chain survives as the order of the step components, both ways
    assert sum(len(n.get("ceterms:precededBy", [])) for n in steps) == 7
    assert sum(len(n.get("ceterms:precedes", [])) for n in steps) == 7
    code, out2, err = run(capsys, "export", "ctdl-pathway", "--catalogue", str(into), "--target",
                          "award:it-networking-specialist", "--start", "2026-09-01")
    assert code == 0, err
    assert json.loads(out2)["@graph"][0]["ceterms:ctid"] == pathway["ceterms:ctid"]
    code, _, err = run(capsys, "export", "ctdl-pathway", "--catalogue", str(into), "--plan", str(tmp_path / "x.json"))
    assert code == 1 and "not found" in err
    code, _, err = run(capsys, "export", "ctdl-pathway", "--catalogue", str(into))
    assert code == 1 and "--plan" in err


def test_registry_knows_every_format_and_rejects_others():
    assert set(registry.FORMATS) == {"ctdl", "badgr", "ob3", "clr", "elm", "esco", "onet"}
    assert registry.importer("CTDL") is ctdl
    with pytest.raises(InteropError, match=r"unknown format 'xml'.*badgr, clr, ctdl"):
        registry.import_files("xml", [])


def test_export_several_credentials_after_one_flag(tmp_path, capsys):
    into = tmp_path / "cat"
    assert run(capsys, "import", "ctdl", *hw_files(), "--into", str(into))[0] == 0
    code, out, err = run(capsys, "export", "ctdl", "-c", str(into), "--credential", "f27px-praxis",
                         "f17lp-logic-and-proof")
    assert code == 0, err
    names = [n["ceterms:name"]["en"] for n in json.loads(out)["@graph"] if n["@type"] == "ceterms:Course"]
    assert names == ["Logic and Proof", "Praxis"]


def test_esco_import_selects_occupations_as_roles(tmp_path, capsys):
    from planner.catalogue.loader import load
    from planner.cli import main
    from tests.conftest import reference_file

    sample = "esco-tabiya-sample/data-sets/csv/sample/"
    files = [str(reference_file(sample + name)) for name in
             ("occupations.csv", "skills.csv", "occupation_to_skill_relations.csv")]
    into = tmp_path / "cat"
    into.mkdir()
    assert main(["import", "esco", *files, "--select", "data scientist", "--into", str(into)]) == 0
    cat = load(into)
    assert [r.title for r in cat.roles] == ["data scientist"]
    assert cat.roles[0].esco_uri and all(n.competency for n in cat.roles[0].needs)
