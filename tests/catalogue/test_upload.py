"""planner.catalogue.upload: what an uploaded catalogue may contain before it is validated."""

from __future__ import annotations

import io
import zipfile

import pytest

import planner.catalogue.upload as upload
from planner.catalogue.loader import validate_texts
from planner.catalogue.upload import MAX_FILE_BYTES, UploadError, read_upload

GOOD_YAML = b"""\
meta:
  name: Tiny
providers:
  - id: p1
    name: Provider One
    country: NL
    kind: university
competencies:
  - id: c1
    label: Counting
credentials:
  - id: k1
    title: Counting basics
    provider: p1
    type: micro_credential
    teaches:
      - {competency: c1, level: 1}
"""


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_yaml_files_pass_through_unchanged() -> None:
    files = read_upload([("a.yaml", GOOD_YAML), ("b.yml", b"roles: []\n")])
    assert files == {"a.yaml": GOOD_YAML, "b.yml": b"roles: []\n"}


def test_valid_zip_keeps_only_catalogue_files_named_by_their_path() -> None:
    data = _zip({"cat/providers.yaml": GOOD_YAML, "cat/README.md": b"# hi", "__MACOSX/cat/._x.yaml": b"junk",
                 "cat/.hidden.yaml": b"x: 1", "cat/schema.json": b"{}"})
    files = read_upload([("mine.zip", data)])
    assert files == {"mine.zip/cat/providers.yaml": GOOD_YAML}
    # what comes out is what validate_texts takes
    report = validate_texts(files)
    assert report.catalogue is not None, report.problems
    assert [c.id for c in report.catalogue.credentials] == ["k1"]


@pytest.mark.parametrize("bad", ["../evil.yaml", "cat/../../evil.yaml", "/etc/evil.yaml"])
def test_zip_with_escaping_entry_is_refused(bad: str) -> None:
    with pytest.raises(UploadError) as info:
        read_upload([("mine.zip", _zip({"ok.yaml": GOOD_YAML, bad: b"x: 1"}))])
    assert any(bad in p and "refused" in p for p in info.value.problems), info.value.problems


def test_wrong_type_is_refused_with_its_name() -> None:
    with pytest.raises(UploadError) as info:
        read_upload([("notes.txt", b"hello"), ("ok.yaml", GOOD_YAML)])
    assert info.value.problems == ["notes.txt: not a catalogue file (expected .yaml, .yml or .zip)"]


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(UploadError, match=r"fake\.zip: not a valid zip file"):
        read_upload([("fake.zip", b"PK no really")])


def test_empty_upload_is_refused() -> None:
    with pytest.raises(UploadError, match="no catalogue files"):
        read_upload([("only-docs.zip", _zip({"README.md": b"hi"}))])


def test_oversize_yaml_file_is_refused() -> None:
    big = b"#" * (MAX_FILE_BYTES + 1)
    with pytest.raises(UploadError) as info:
        read_upload([("big.yaml", big)])
    assert info.value.problems[0].startswith("big.yaml:") and "limit" in info.value.problems[0]


def test_oversize_total_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(UploadError, match="exceeds 1,000 bytes in total"):
        read_upload([("a.yaml", b"#" * 600), ("b.yaml", b"#" * 600)])


def test_oversize_zip_member_is_refused_without_reading_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload, "MAX_FILE_BYTES", 100)
    data = _zip({"big.yaml": b"#" * 5000, "ok.yaml": b"roles: []\n"})
    with pytest.raises(UploadError) as info:
        read_upload([("z.zip", data)])
    assert info.value.problems == ["z.zip/big.yaml: 5,000 bytes; the limit is 100"]


def test_zip_bomb_total_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload, "MAX_TOTAL_BYTES", 3000)
    # highly compressible members: small upload, large once unpacked
    data = _zip({f"f{i}.yaml": b"#" * 1000 for i in range(5)})
    assert len(data) < 3000
    with pytest.raises(UploadError, match="once unpacked"):
        read_upload([("bomb.zip", data)])


def test_too_many_zip_members_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload, "MAX_FILES", 3)
    with pytest.raises(UploadError, match="4 files; the limit is 3"):
        read_upload([("many.zip", _zip({f"f{i}.yaml": b"roles: []\n" for i in range(4)}))])


def test_broken_yaml_is_located_by_file_and_line() -> None:
    broken = GOOD_YAML.replace(b"level: 1", b"level: lots")
    files = read_upload([("mine.zip", _zip({"cat/all.yaml": broken}))])
    report = validate_texts(files)
    assert report.catalogue is None
    errors = [p for p in report.problems if p.severity == "error"]
    assert len(errors) == 1, errors
    lots_line = next(i for i, line in enumerate(broken.decode().splitlines(), 1) if "lots" in line)
    assert (errors[0].file, errors[0].line) == ("mine.zip/cat/all.yaml", lots_line)
    assert "level" in errors[0].field


def test_damaged_zip_entry_is_reported_not_raised() -> None:
    data = bytearray(_zip({"ok.yaml": b"roles: []\n", "bad.yaml": b"x: " + b"1" * 400}))
    # flip bytes inside bad.yaml's compressed data: the CRC check then fails on reading
    start = data.index(b"bad.yaml") + len(b"bad.yaml")
    for i in range(start + 2, start + 8):
        data[i] ^= 0xFF
    with pytest.raises(UploadError) as info:
        read_upload([("z.zip", bytes(data))])
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("z.zip/bad.yaml: cannot be unpacked")
