"""Catalogue search and items, on a folder and on a compiled store alike; credentials verified by the one rule.

The verification test uses 1EdTech's validator fixtures from the reference folder
(``1edtech-digital-credentials-public-validator``: an OB 3.0 badge and a CLR 2.0 signed with
the fixtures' keys), as ``tests/verify/test_verify_review.py`` does.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from planner.cli import main
from tests.api.conftest import START, client_for
from tests.conftest import CATALOGUE_DIR


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> str:
    """The bundled catalogue compiled into an SQLite store."""
    from planner.store.catalogue.build import build

    url = f"sqlite:///{tmp_path_factory.mktemp('compiled') / 'catalogue.db'}"
    assert build([CATALOGUE_DIR], url).ok
    return url


def test_search_pages_and_items(client):
    first = client.get("/credentials", params={"q": "data", "page_size": 5}).json()
    assert first["total"] > 5 and first["pages"] == -(-first["total"] // 5) and len(first["items"]) == 5
    second = client.get("/credentials", params={"q": "data", "page_size": 5, "page": 2}).json()
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert all(i["kind"] == "credential" for i in first["items"])
    awards = client.get("/awards", params={"page_size": 200}).json()
    assert awards["items"] and all(i["is_award"] for i in awards["items"])
    award = client.get(f"/awards/{awards['items'][0]['id']}").json()
    assert award["award"] is not None
    plain = next(i for i in first["items"] if not i["is_award"])
    assert client.get(f"/awards/{plain['id']}").status_code == 404
    assert client.get(f"/credentials/{plain['id']}").json()["title"] == plain["title"]
    role = client.get("/roles", params={"q": "analyst"}).json()["items"][0]
    assert client.get(f"/roles/{role['id']}").json()["needs"]
    missing = client.get("/roles/no-such-role")
    assert missing.status_code == 404 and missing.json()["detail"] == "role 'no-such-role': not in this catalogue"
    assert client.get("/credentials", params={"q": "x" * 201}).status_code == 422
    assert client.get("/credentials", params={"page_size": 201}).status_code == 422


def test_a_compiled_store_answers_as_the_folder(settings, compiled, capsys):
    with client_for(settings) as folder, client_for(replace(settings, catalogue=compiled)) as store:
        for path, params in (("/credentials", {"q": "data sci", "page_size": 50}), ("/roles", {"page_size": 50}),
                             ("/awards", {}), ("/credentials/osa-python-data", {}), ("/roles/data-analyst", {})):
            assert folder.get(path, params=params).json() == store.get(path, params=params).json()
        assert store.get("/catalogue").json()["compiled"] and not folder.get("/catalogue").json()["compiled"]
        assert store.get("/catalogue").json()["counts"] == folder.get("/catalogue").json()["counts"]
        question = {"target": "role:data-analyst", "alternatives": 2,
                    "profile": {"constraints": {"start": START.isoformat()}}}
        answer = store.post("/routes", json=question).json()
        reach = store.post("/reach", json={"profile": question["profile"], "options": {"top": 5, "time_limit": 30}})
    # on a store, the CLI answers on the question's sub-catalogue too: the same document
    assert main(["recommend", "--catalogue", compiled, "--target", "role:data-analyst", "-k", "2", "--start",
                 START.isoformat(), "--format", "json"]) == 0
    assert answer == json.loads(capsys.readouterr().out)
    assert main(["reach", "--catalogue", compiled, "--start", START.isoformat(), "--top", "5", "--time-limit", "30",
                 "--scheduler", "none", "--format", "json"]) == 0
    assert reach.json() == json.loads(capsys.readouterr().out)


def test_a_folder_with_errors_is_refused_at_start(tmp_path):
    from planner.api.catalogue import CatalogueError, CatalogueService

    (tmp_path / "bad.yaml").write_text("credentials:\n  - id: x\n    title: X\n    provider: nobody\n")
    with pytest.raises(CatalogueError, match=r"bad\.yaml"):
        CatalogueService(str(tmp_path))


# ------------------------------------------------------------------ verification

VALIDATOR = Path("1edtech-digital-credentials-public-validator")


def _reference(relative: Path) -> Path:
    from tests.conftest import reference_file

    return reference_file(str(relative))


def _file(path: Path, name: str | None = None, data: bytes | None = None) -> dict[str, str]:
    return {"name": name or path.name, "content": base64.b64encode(data or path.read_bytes()).decode()}


def test_credentials_are_verified_and_counted_by_the_one_rule(settings, tmp_path, monkeypatch):
    from planner.catalogue.inputs import NamedBytes
    from planner.catalogue.loader import validate
    from planner.verify.holdings import holdings_from_files
    from planner.verify.review import review_credentials
    from planner.verify.trust import TrustList
    from tests.verify.test_verify_review import TEAM_CATALOGUE

    contexts = _reference(VALIDATOR / "inspector-vc/src/main/resources/contexts")
    clr = _reference(VALIDATOR / "inspector-clr/src/test/resources/clr20/simple.json")
    badge = _reference(VALIDATOR / "inspector-vc/src/test/resources/ob30/simple.json")
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(contexts))
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "team.yaml").write_bytes(TEAM_CATALOGUE)
    tampered = json.loads(badge.read_bytes())
    tampered["credentialSubject"]["achievement"]["description"] = "Edited by the holder."
    files = [_file(clr, "transcript.json"), _file(badge, "tampered.json", json.dumps(tampered).encode())]
    day = dt.date(2026, 1, 5)
    with client_for(replace(settings, catalogue=str(tmp_path / "team"))) as client:
        answer = client.post("/credentials/verify", json={"credentials": files, "at": day.isoformat()})
        declared = client.post("/credentials/verify", json={"credentials": files[1:], "at": day.isoformat(),
                                                            "declare": ["teamwork"]})
        broken = client.post("/credentials/verify", json={"credentials": [{"name": "x.json", "content": "!!"}]})
    assert answer.status_code == 200, answer.text
    # the library's own review of the same bytes, as the Plan page and --have-file make it
    catalogue = validate(tmp_path / "team").catalogue
    found = holdings_from_files([NamedBytes(f["name"], base64.b64decode(f["content"])) for f in files], today=day,
                                trust=TrustList.from_providers(catalogue.providers))
    review = review_credentials(found, catalogue)
    assert answer.json()["credential_files"] == [row.to_json() for row in review.rows]
    assert [r["status"] for r in answer.json()["credential_files"]] == ["verified", "signature invalid"]
    assert answer.json()["holdings"] == [h.model_dump(mode="json") for h in review.holdings()]
    assert answer.json()["holdings"] == [{"credential": "teamwork", "earned": "2010-01-01",
                                          "verification": "verified"}]
    assert declared.json()["holdings"] == [{"credential": "teamwork", "earned": "2010-01-01",
                                            "verification": "declared"}]
    assert broken.status_code == 422 and broken.json()["detail"] == "request body: credentials.0.content: not base64"
