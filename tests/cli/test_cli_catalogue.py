"""``planner validate`` and ``planner info``: exit codes, output, and files left untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASE = Path(__file__).parents[1] / "data" / "bad" / "base"


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "broken"
    shutil.copytree(BASE, root)
    roles = root / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("level: 3}", "level: 9}"), encoding="utf-8")
    (root / "junk.yaml").write_bytes(b"\x00\xff\xfe garbage \x81")
    return root


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_clean_catalogue(capsys):
    before = digest(BASE)
    code, out, err = run(["validate", str(BASE)], capsys)
    assert code == 0 and err == ""
    assert out.strip().splitlines()[-1] == f"OK: {BASE}: 4 file(s), 0 error(s), 0 warning(s)"
    assert digest(BASE) == before


def test_validate_reports_errors_and_leaves_files_untouched(broken, capsys):
    before = digest(broken)
    code, out, err = run(["validate", str(broken)], capsys)
    assert code == 1
    lines = out.strip().splitlines()
    assert any(line.startswith(f"{broken / 'junk.yaml'}:1: file is not valid UTF-8") for line in lines)
    assert lines[-1].startswith(f"FAILED: {broken}: 5 file(s), 1 error(s)")
    assert "Traceback" not in out + err
    assert digest(broken) == before


def test_validate_semantic_error_is_located(tmp_path, capsys):
    root = tmp_path / "c"
    shutil.copytree(BASE, root)
    roles = root / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("level: 3}", "level: 9}"), encoding="utf-8")
    code, out, _ = run(["validate", str(root)], capsys)
    assert code == 1
    assert f"{roles}:9: roles[data-analyst].needs[0].level: level 9 is outside" in out


def test_validate_json_output(broken, capsys):
    code, out, _ = run(["validate", str(broken), "--format", "json"], capsys)
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"ok", "path", "strict", "errors", "warnings", "counts"}
    assert data["ok"] is False and data["strict"] is False and data["path"] == str(broken)
    assert data["counts"] == {"files": 5, "errors": 1, "warnings": 0}
    (error,) = data["errors"]
    assert set(error) == {"file", "line", "column", "field", "message", "severity"}
    assert error["file"] == str(broken / "junk.yaml") and error["line"] == 1


def test_validate_strict(tmp_path, capsys):
    root = tmp_path / "c"
    shutil.copytree(BASE, root)
    creds = root / "credentials.yaml"
    creds.write_text(creds.read_text(encoding="utf-8").replace("    eqf_level: 6\n", "", 1), encoding="utf-8")
    code, out, _ = run(["validate", str(root)], capsys)
    assert code == 0 and "missing EU standard element(s): eqf_level (warning)" in out
    code, out, _ = run(["validate", str(root), "--strict", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["strict"] is True and data["counts"]["errors"] == 1


def test_validate_missing_directory(tmp_path, capsys):
    code, out, err = run(["validate", str(tmp_path / "absent")], capsys)
    assert code == 1 and "no such file or directory" in out and err == ""


def test_validate_default_directory(tmp_path, monkeypatch, capsys):
    (tmp_path / "catalogue").mkdir()
    shutil.copy(BASE / "roles.yaml", tmp_path / "catalogue" / "roles.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["validate"], capsys)
    # roles alone name competencies that are not there: errors, found in ./catalogue
    assert code == 1 and "catalogue/roles.yaml:9: roles[data-analyst].needs[0].competency" in out


def test_info_text_and_json(capsys):
    code, out, _ = run(["info", str(BASE)], capsys)
    assert code == 0
    assert "2 providers, 4 competencies, 6 credentials, 2 awards, 1 roles, 1 recognitions" in out
    assert "micro_credential" in out and "college-west" in out
    code, out, _ = run(["info", str(BASE), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["counts"]["credentials"] == 6
    assert data["by_sector"] == {"data and AI": 6} and data["currencies"] == {"EUR": 4, "GBP": 1}


def test_info_on_broken_catalogue(broken, capsys):
    code, out, err = run(["info", str(broken)], capsys)
    assert code == 1 and out == ""
    assert "not valid UTF-8" in err and "Traceback" not in err


def test_console_script_in_subprocess(broken):
    before = digest(broken)
    proc = subprocess.run([sys.executable, "-m", "planner", "validate", str(broken), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["ok"] is False
    assert "Traceback" not in proc.stderr
    assert digest(broken) == before


def test_bundled_catalogue_validates(capsys):
    catalogue = ROOT / "catalogue"
    if not any(catalogue.rglob("*.yaml")) and not any(catalogue.rglob("*.yml")):
        pytest.fail("the bundled catalogue has no YAML files: the project ships it")
    before = digest(catalogue)
    code, out, _ = run(["validate", str(catalogue)], capsys)
    assert code == 0, out
    assert digest(catalogue) == before
    code, out, _ = run(["info", str(catalogue), "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["counts"]["credentials"] > 0
