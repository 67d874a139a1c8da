"""EDC files as wallets and issuers write them: JAdES-signed, ``{"credential": …}``-wrapped, XML.

Sources: the European Commission's European Learning Model repository
(``european-commission-empl/European-Learning-Model`` at ``9d7c5d22002237c3afeb1750b7038e6fe2cdd371``,
EUPL-1.2): ``Credentials/JSON-LD Examples (ELM v3)/Sample-MC-Annex1-unsigned.jsonld`` is in
``../shared/reference/elm-european-learning-model/`` (README section 7); its signed
(``-signed.jsonld``, JAdES) and uploadable (``-unsigned-uploadable.json``, wrapped) forms and the
ELM v2 XML examples are read from a snapshot of that repository when one is on this machine
(``$PLANNER_ELM_REPO``, a git directory), and those tests skip, naming it, when it is not.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

from planner.interop.elm import import_files
from tests.conftest import reference_file

MC = "elm-european-learning-model/Credentials/JSON-LD Examples (ELM v3)/Sample-MC-Annex1-unsigned.jsonld"
ELM_REPO = Path(os.environ.get("PLANNER_ELM_REPO",
                               "/work/.mirror/european-commission-empl+European-Learning-Model/repo"))
HEADER = json.dumps({"alg": "RS256"}).encode()
SIGNATURES = [{"protected": "eyJhbGciOiJSUzI1NiJ9", "signature": "c2lnbmF0dXJl"}]  # not checked on import


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.fixture(scope="module")
def unsigned() -> tuple[str, dict]:
    text = reference_file(MC).read_text(encoding="utf-8")
    return text, json.loads(text)


@pytest.fixture(scope="module")
def expected(unsigned) -> dict:
    result = import_files([reference_file(MC)])
    assert result.ok, result.errors
    return result.catalogue


def _imported(tmp_path: Path, content: str | bytes, name: str = "edc.json"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return import_files([path])


@pytest.mark.parametrize("form", ["json-payload", "base64url-payload", "compact", "wrapped", "wrapped-jades"])
def test_signed_and_wrapped_forms_read_the_same_credential(tmp_path, unsigned, expected, form):
    text, _doc = unsigned
    jades = {"payload": text, "signatures": SIGNATURES}
    content = {
        "json-payload": json.dumps(jades),
        "base64url-payload": json.dumps({"payload": b64url(text.encode()), "signatures": SIGNATURES}),
        "compact": ".".join([b64url(HEADER), b64url(text.encode()), "c2ln"]),
        "wrapped": json.dumps({"credential": json.loads(text)}),
        "wrapped-jades": json.dumps({"credential": jades}),
    }[form]
    result = _imported(tmp_path, content)
    assert result.ok, [str(p) for p in result.errors]
    assert result.catalogue == expected
    assert not any("type is" in p.message for p in result.problems)
    if form != "wrapped":
        assert any("JAdES-signed" in p.message and "not checked" in p.message for p in result.warnings)


def test_a_payload_that_is_no_json_is_said_by_name(tmp_path):
    result = _imported(tmp_path, json.dumps({"payload": "bm90IGpzb24", "signatures": SIGNATURES}))
    (error,) = result.errors
    assert "JAdES-signed credential whose payload" in error.message and error.pointer == "$.payload"


def test_xml_is_refused_by_name(tmp_path):
    result = _imported(tmp_path, '<?xml version="1.0" encoding="UTF-8"?>\n<europassCredential/>', "edc.xml")
    (error,) = result.errors
    assert "European Digital Credential in XML" in error.message and "JSON-LD" in error.message


# --------------------------------------------------------------------------- the repository's own files


def _repo_file(path: str) -> bytes:
    if not (ELM_REPO / "HEAD").exists():
        pytest.skip(f"no snapshot of european-commission-empl/European-Learning-Model at {ELM_REPO} "
                    "(set PLANNER_ELM_REPO to a git directory of it)")
    found = subprocess.run(["git", "--git-dir", str(ELM_REPO), "show", f"HEAD:{path}"], capture_output=True,
                           check=False, timeout=60)
    if found.returncode != 0:
        pytest.skip(f"{path} is not in the snapshot at {ELM_REPO}")
    return found.stdout


@pytest.mark.parametrize("name", ["Sample-MC-Annex1-signed.jsonld", "Sample-MC-Annex1-unsigned-uploadable.json",
                                  "Sample-CertOfPart-signed.jsonld", "Sample-CertOfPart-unsigned-uploadable.json"])
def test_the_published_signed_and_uploadable_files(tmp_path, name):
    content = _repo_file(f"Credentials/JSON-LD Examples (ELM v3)/{name}")
    result = _imported(tmp_path, content, name)
    assert result.ok, [str(p) for p in result.errors]
    assert result.catalogue["credentials"], name
    assert not any("type is" in p.message for p in result.problems)


def test_the_published_xml_is_refused_by_name(tmp_path):
    content = _repo_file("Credentials/XML Examples (ELM v2)/EDC_DiplomaSupplement_AA.xml")
    result = _imported(tmp_path, content, "diploma.xml")
    (error,) = result.errors
    assert "European Digital Credential in XML" in error.message
