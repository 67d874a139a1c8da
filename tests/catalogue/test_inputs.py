"""Hostile inputs on every path: limits before reading, located errors, exit 1, safe writes.

Each test names the class of problem it guards (readers without limits, errors outside
the contract, files and writes, recursion). Commands that could hang or exhaust memory
on a regression run in a subprocess with a timeout and an address-space limit.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import resource
import stat
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from planner.catalogue import inputs
from planner.catalogue.inputs import InputError
from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 1536 * 2**20

OB3 = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Teamwork",
    "issuer": {"id": "https://example.org/issuer", "type": ["Profile"], "name": "Example"},
    "validFrom": "2010-01-01T00:00:00Z",
    "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
        "id": "https://example.org/a/1", "type": ["Achievement"], "name": "Teamwork", "description": "d",
        "criteria": {"narrative": "n"}}},
}


def _limit_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def planner(*args: str, timeout: float = 60, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m planner`` with bounded memory; a hang fails the test (TimeoutExpired)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_limit_memory, env=env, cwd=cwd)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def gz_bomb(path: Path, expanded: int) -> Path:
    """A small .gz that unpacks to ``expanded`` bytes: one compressed member repeated."""
    member = gzip.compress(b"\0" * (64 * 2**20), compresslevel=9)
    path.write_bytes(member * (expanded // (64 * 2**20)))
    return path


# --------------------------------------------------------------------------- readers without limits


def test_profile_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    proc = planner("recommend", "--target", "role:data-analyst", "--profile", str(fifo), timeout=30)
    assert proc.returncode == 1
    assert f"{fifo}: is a named pipe (FIFO)" in proc.stderr and "Traceback" not in proc.stderr


def test_catalogue_path_that_is_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "catalogue.yaml"
    os.mkfifo(fifo)
    proc = planner("validate", str(fifo), timeout=30)
    assert proc.returncode == 1 and "named pipe" in proc.stdout + proc.stderr


def test_profile_over_the_size_cap_is_refused_before_reading(tmp_path):
    big = tmp_path / "huge.yaml"
    with big.open("wb") as fh:  # sparse: 25 MB on paper, nothing on disk
        fh.truncate(25 * 2**20)
    proc = planner("recommend", "--target", "role:data-analyst", "--profile", str(big))
    assert proc.returncode == 1
    assert f"{big}: file is 26,214,400 bytes; the limit is" in proc.stderr


def test_max_file_mb_lowers_and_raises_the_cap(tmp_path, capsys):
    profile = tmp_path / "profile.yaml"
    profile.write_text("# padding\n" * 150_000 + "holdings: []\n", encoding="utf-8")  # 1.5 MB
    code, _, err = run(capsys, "--max-file-mb", "1", "recommend", "-t", "role:data-analyst",
                       "--profile", str(profile), "--format", "json")
    assert code == 1 and "the limit is 1 MB" in err and "--max-file-mb" in err
    code, out, err = run(capsys, "recommend", "-t", "role:data-analyst", "--profile", str(profile),
                         "--max-file-mb", "2", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["feasible"] is True
    code, _, err = run(capsys, "--max-file-mb", "nan", "validate")
    assert code == 1 and "megabytes" in err


def test_deep_profile_is_a_located_error(tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5_000 + "]" * 5_000, encoding="utf-8")
    code, _, err = run(capsys, "recommend", "--target", "role:data-analyst", "--profile", str(deep))
    assert code == 1
    assert err.startswith(f"planner recommend: {deep}:1:") and "nesting" in err


def test_gz_bomb_of_4_gb_is_capped(tmp_path):
    bomb = gz_bomb(tmp_path / "skills_en.csv.gz", 4 * 2**30)
    assert bomb.stat().st_size < 5 * 2**20
    proc = planner("import", "esco", str(bomb), "--into", str(tmp_path / "cat"), timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert f"{bomb}: unpacks to more than 100 MB" in proc.stderr
    assert not (tmp_path / "cat").exists()


def test_gunzip_stops_at_the_cap_and_reads_several_members():
    data = gzip.compress(b"a" * 1000) + gzip.compress(b"b" * 1000)
    assert inputs.gunzip(data, "x.gz") == b"a" * 1000 + b"b" * 1000
    with pytest.raises(InputError, match="unpacks to more than 1,500 bytes"):
        inputs.gunzip(data, "x.gz", max_bytes=1500)
    with pytest.raises(InputError, match="cut short"):
        inputs.gunzip(data[:20], "x.gz")


def test_import_into_rereads_existing_yaml_with_the_safe_loader(tmp_path, capsys, monkeypatch):
    import yaml

    into = tmp_path / "cat"
    into.mkdir()
    (into / "deep.yaml").write_text("x: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    ob3 = tmp_path / "badge.json"
    ob3.write_text(json.dumps(OB3), encoding="utf-8")

    def forbidden(*_a, **_k):
        raise AssertionError("plain yaml.safe_load used on catalogue files")

    monkeypatch.setattr(yaml, "safe_load", forbidden)
    code, _, err = run(capsys, "import", "ob3", str(ob3), "--into", str(into))
    assert code == 1, err
    assert f"{into / 'deep.yaml'}:1:" in err and "nested more than 100 levels" in err
    assert "Traceback" not in err and sorted(p.name for p in into.iterdir()) == ["deep.yaml"]


@pytest.mark.parametrize("digits", [5_000, 101])
def test_long_integers_in_imported_json_are_located(tmp_path, capsys, digits):
    doc = tmp_path / "big.json"
    doc.write_text('{"@graph": [{"@type": "ceterms:Certificate",\n "x": ' + "9" * digits + "}]}",
                   encoding="utf-8")
    code, _, err = run(capsys, "import", "ctdl", str(doc), "--into", str(tmp_path / "cat"))
    assert code == 1
    assert f"{doc}:2:7: a number with {digits:,} digits; the limit is 100" in err


@pytest.mark.parametrize("fmt", ["ctdl", "ob3", "elm", "badgr", "esco"])
def test_deep_json_in_every_json_importer_is_located(tmp_path, capsys, fmt):
    doc = tmp_path / "deep.json"
    doc.write_text('{"a":\n' + "[" * 150 + "]" * 150 + "}", encoding="utf-8")
    code, _, err = run(capsys, "import", fmt, str(doc), "--into", str(tmp_path / "cat"))
    assert code == 1
    assert f"{doc}:2:100: nested more than 100 levels deep" in err


def test_parse_json_refuses_nan_and_keeps_numbers():
    assert inputs.parse_json('{"a": [1, 2.5, -3]}', "x.json") == {"a": [1, 2.5, -3]}
    with pytest.raises(InputError, match=r"NaN is not a JSON number"):
        inputs.parse_json('{"a": NaN}', "x.json")
    with pytest.raises(InputError) as info:
        inputs.parse_json('{"a": 1,}', "x.json")
    assert info.value.problem.line == 1 and info.value.problem.message.startswith("invalid JSON")


# --------------------------------------------------------------------------- errors outside the contract


def test_export_to_a_directory_is_a_located_error_and_creates_nothing(tmp_path, capsys):
    target = tmp_path / "out"
    target.mkdir()
    code, _, err = run(capsys, "export", "ctdl", "--output", str(target))
    assert code == 1
    assert f"planner export: {target}: cannot write: it is a directory" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and not list(target.iterdir())


def test_a_bug_says_internal_error_and_saves_a_report(tmp_path, capsys, monkeypatch):
    from planner.cli import catalogue_cmds

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def broken(_catalogue):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(catalogue_cmds, "catalogue_summary", broken, raising=False)
    import planner.catalogue.loader

    monkeypatch.setattr(planner.catalogue.loader, "catalogue_summary", broken)
    code, _, err = run(capsys, "info")
    assert code == 1
    assert "internal error, please report (ZeroDivisionError)" in err and "Traceback" not in err
    report = Path(err.rsplit("details saved to ", 1)[1].strip())
    assert report.is_relative_to(tmp_path / "cache")
    text = report.read_text(encoding="utf-8")
    assert '"info"' in text and "Traceback" in text and "planted" in text


@pytest.mark.parametrize(("exc", "words"), [
    (RecursionError("maximum recursion depth exceeded"), "too deeply"),
    (MemoryError(), "too large"),
    (OverflowError("date value out of range"), "out of range"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not valid UTF-8"),
    (NotImplementedError("zip file version 9.9"), "does not read"),
    (IsADirectoryError(21, "Is a directory", "some/dir"), "some/dir: is a directory"),
    (zipfile.BadZipFile("File is not a zip file"), "not a valid zip file"),
    (json.JSONDecodeError("Expecting value", "x", 0), "invalid JSON"),
])
def test_input_exceptions_become_one_located_line(capsys, monkeypatch, exc, words):
    from planner.cli import catalogue_cmds

    def raising(_args):
        raise exc

    monkeypatch.setattr(catalogue_cmds, "cmd_validate", raising, raising=False)
    parser_args = ["validate", str(ROOT / "catalogue")]
    import planner.cli as cli

    real = cli.build_parser

    def patched():
        parser = real()
        parser._subparsers._group_actions[0].choices["validate"].set_defaults(handler=raising)
        return parser

    monkeypatch.setattr(cli, "build_parser", patched)
    code, _, err = run(capsys, *parser_args)
    assert code == 1
    assert err.count("\n") == 1 and words in err and "internal error" not in err


def test_usage_errors_exit_1(capsys):
    code, _, err = run(capsys, "recommend", "--target", "role:x", "--start", "9999-99-99")
    assert code == 1 and "--start" in err


def _zip_with(entry: bytes = b"roles: []\n") -> bytearray:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("cat/a.yaml", entry)
    return bytearray(buf.getvalue())


def test_upload_zip_with_undecodable_entry_name_is_refused():
    from planner.catalogue.upload import UploadError, read_upload

    data = _zip_with()
    central = data.index(b"PK\x01\x02")
    flags = int.from_bytes(data[central + 8:central + 10], "little") | 0x800  # "names are UTF-8"
    data[central + 8:central + 10] = flags.to_bytes(2, "little")
    data[central + 46] = 0xFF  # first byte of the name: not UTF-8
    with pytest.raises(UploadError) as info:
        read_upload([("mine.zip", bytes(data))])
    assert "mine.zip: not a valid zip file" in info.value.problems[0]


def test_upload_zip_of_an_unknown_version_is_refused():
    from planner.catalogue.upload import UploadError, read_upload

    data = _zip_with()
    central = data.index(b"PK\x01\x02")
    data[central + 6:central + 8] = (99).to_bytes(2, "little")  # needs zip version 9.9
    with pytest.raises(UploadError) as info:
        read_upload([("mine.zip", bytes(data))])
    assert "mine.zip: not a valid zip file (NotImplementedError)" in info.value.problems[0]


# --------------------------------------------------------------------------- files and writes


def test_symlink_out_of_the_catalogue_folder_is_never_read(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "providers.yaml").write_text("providers: []\n", encoding="utf-8")
    (cat / "passwd.yaml").symlink_to("/etc/passwd" if Path("/etc/passwd").exists() else secret)
    (cat / "secret.yaml").symlink_to(secret)
    (cat / "inside.yaml").symlink_to(cat / "providers.yaml")  # a link within the folder is fine
    code, out, err = run(capsys, "validate", str(cat))
    assert code == 1
    assert "root:" not in out + err
    assert f"{cat / 'passwd.yaml'}: is a symbolic link that leads outside {cat}" in out + err
    assert f"{cat / 'secret.yaml'}: is a symbolic link that leads outside" in out + err
    assert "inside.yaml:" not in out + err


def test_symlinked_folder_inside_a_catalogue_does_not_lead_out(tmp_path):
    from planner.catalogue.loader import catalogue_files

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text("roles: []\n", encoding="utf-8")
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "sub").symlink_to(outside, target_is_directory=True)
    (cat / "ok.yaml").write_text("roles: []\n", encoding="utf-8")
    sources, problems = catalogue_files(cat)
    assert [Path(n).name for n, _ in sources] == ["ok.yaml"]
    assert all("outside" in p.message for p in problems)


def test_read_bytes_refuses_directories_devices_and_links_out(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        inputs.read_bytes(tmp_path)
    if Path("/dev/null").exists():
        with pytest.raises(InputError, match="is a device"):
            inputs.read_bytes("/dev/null")
    (tmp_path / "link").symlink_to("/etc/hostname" if Path("/etc/hostname").exists() else "/dev/null")
    with pytest.raises(InputError, match="leads outside"):
        inputs.read_bytes(tmp_path / "link", within=tmp_path)


def test_half_failed_import_leaves_nothing(tmp_path, capsys):
    into = tmp_path / "cat"
    into.mkdir()
    existing = into / "imported-badge-profile.json"
    existing.write_text("{}\n", encoding="utf-8")
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(OB3), encoding="utf-8")
    code, _, err = run(capsys, "import", "ob3", str(badge), "--into", str(into))
    assert code == 1 and "nothing was written" in err
    assert sorted(p.name for p in into.iterdir()) == ["imported-badge-profile.json"]
    assert existing.read_text(encoding="utf-8") == "{}\n"


def test_write_failing_half_way_takes_back_what_was_written(tmp_path, monkeypatch):
    from planner.outputs import writes
    calls = []
    real = os.replace

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(writes.os, "replace", failing)
    with pytest.raises(writes.WriteError, match="nothing was written"):
        writes.write_files_atomic([(tmp_path / "a.yaml", "a: 1\n"), (tmp_path / "b.json", "{}\n")])
    assert list(tmp_path.iterdir()) == []


def test_written_files_follow_the_umask(tmp_path, capsys):
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(OB3), encoding="utf-8")
    old = os.umask(0o022)
    try:
        code, _, err = run(capsys, "import", "ob3", str(badge), "--into", str(tmp_path / "cat"))
        assert code == 0, err
        code, _, err = run(capsys, "export", "ctdl", "--output", str(tmp_path / "x.json"))
        assert code == 0, err
        os.umask(0o077)
        code, _, err = run(capsys, "export", "ctdl", "--output", str(tmp_path / "private.json"))
    finally:
        os.umask(old)
    for name in ("cat/imported-badge.yaml", "cat/imported-badge-profile.json", "x.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_uploads_with_the_same_name_are_reported():
    from planner.catalogue.upload import UploadError, read_upload

    with pytest.raises(UploadError) as info:
        read_upload([("a.yaml", b"roles: []\n"), ("a.yaml", b"providers: []\n")])
    assert info.value.problems == ["a.yaml: two uploaded files have this name; rename one and upload again"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.yaml", b"roles: []\n")
        zf.writestr("a.yaml", b"providers: []\n")
    with pytest.raises(UploadError, match="two uploaded files have this name"):
        read_upload([("z.zip", buf.getvalue())])


# --------------------------------------------------------------------------- recursion


def chain_catalogue(path: Path, n: int) -> Path:
    """A valid catalogue whose only route is a prerequisite chain of ``n`` credentials."""
    parts = ["meta:\n  name: Chain\nproviders:\n  - {id: p1, name: P, country: NL, kind: university}\n"
             "competencies:\n  - {id: c1, label: C}\nroles:\n  - id: r\n    title: R\n    needs:\n"
             "      - {competency: c1, level: 1}\ncredentials:\n"]
    for i in range(n):
        parts.append(f"  - {{id: k{i}, title: K{i}, provider: p1, type: micro_credential, duration_weeks: 1, "
                     "hours_per_week: 1")
        if i:
            parts.append(f", requires: [{{any_of: [{{credential: k{i - 1}}}]}}]")
        if i == n - 1:
            parts.append(", teaches: [{competency: c1, level: 1}]")
        parts.append("}\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def test_long_prerequisite_chain_validates_explains_and_reports(tmp_path, capsys):
    import datetime as dt

    from planner.catalogue.graph import build_graph, prerequisite_closure, walk_rules
    from planner.catalogue.loader import load
    from planner.catalogue.models import LearnerProfile, RuleAllOf, RuleCredential, Target
    from planner.engine.explain import explain_steps

    path = chain_catalogue(tmp_path / "chain.yaml", 1_100)
    catalogue = load(path)
    assert len(prerequisite_closure(build_graph(catalogue), "k1099")) == 1_099
    ids = [c.id for c in catalogue.credentials]
    steps = explain_steps(catalogue, LearnerProfile(), Target.parse("role:r"), ids, [], held=[],
                          required=[("c1", 1)], optional=[], today=dt.date(2027, 1, 4))
    assert len(steps) == 1_100
    rule = RuleCredential(credential="k0")
    for _ in range(2_000):  # deeper than Python's recursion limit
        rule = RuleAllOf(all_of=[rule])
    assert sum(1 for _ in walk_rules(rule)) == 2_001
    code, _, err = run(capsys, "coverage", str(path), "--format", "json")
    assert code == 0, err


def test_long_chain_cycle_is_found_without_recursion(tmp_path):
    from planner.catalogue.loader import validate

    path = chain_catalogue(tmp_path / "chain.yaml", 1_100)
    text = path.read_text(encoding="utf-8").replace(
        "{id: k0, title: K0, provider: p1, type: micro_credential, duration_weeks: 1, hours_per_week: 1",
        "{id: k0, title: K0, provider: p1, type: micro_credential, duration_weeks: 1, hours_per_week: 1, "
        "requires: [{any_of: [{credential: k1099}]}]")
    path.write_text(text, encoding="utf-8")
    (problem,) = [p for p in validate(path).errors if "prerequisite cycle" in p.message]
    assert problem.message.count("->") == 1_100


def test_recommend_on_a_long_chain_keeps_the_contract(tmp_path):
    path = chain_catalogue(tmp_path / "chain.yaml", 1_100)
    proc = planner("recommend", "-c", str(path), "-t", "role:r", timeout=300)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    if proc.returncode == 1:
        assert proc.stderr.startswith(f"planner recommend: {path}: ")


def test_recommend_on_a_long_chain_finds_the_route(tmp_path, capsys):
    path = chain_catalogue(tmp_path / "chain.yaml", 1_100)
    code, out, err = run(capsys, "recommend", "-c", str(path), "-t", "role:r", "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)["routes"][0]["credential_ids"]) == 1_100


def test_zlib_error_in_gzip_is_located(tmp_path, capsys):
    bad = tmp_path / "skills.csv.gz"
    good = gzip.compress(b"conceptUri,preferredLabel\n" * 100)
    bad.write_bytes(good[:12] + bytes(b ^ 0xFF for b in good[12:40]) + good[40:])
    code, _, err = run(capsys, "import", "esco", str(bad), "--into", str(tmp_path / "cat"))
    assert code == 1 and f"{bad}: the file looks gzipped but cannot be unpacked" in err
    assert zlib  # the module whose error is translated


def test_security_page_states_the_limits_in_force():
    from planner.catalogue import upload, yamlsafe
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    rows = {token: line for line in page.splitlines() if line.startswith("|")
            for token in line.split("`")[1::2]}
    assert f"| {inputs.MAX_FILE_BYTES // 2**20} MB |" in rows["inputs.MAX_FILE_BYTES"]
    assert f"| {inputs.MAX_EXPANDED_BYTES // 2**20} MB " in rows["inputs.MAX_EXPANDED_BYTES"]
    assert f"| {inputs.MAX_DEPTH} levels |" in rows["inputs.MAX_DEPTH"]
    assert f"| {inputs.MAX_INT_DIGITS} |" in rows["inputs.MAX_INT_DIGITS"]
    assert f"| {yamlsafe.MAX_FILE_BYTES // 2**20} MB |" in rows["yamlsafe.MAX_FILE_BYTES"]
    assert f"| {yamlsafe.MAX_DEPTH} levels |" in rows["yamlsafe.MAX_DEPTH"]
    assert f"| {upload.MAX_FILE_BYTES // 2**20} MB / {upload.MAX_TOTAL_BYTES // 2**20} MB |" in \
        rows["upload.MAX_FILE_BYTES"]
    assert "docs/security.md" in (ROOT / "README.md").read_text(encoding="utf-8")
