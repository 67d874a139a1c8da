"""The Plan page with uploaded Open Badges 3.0 / CLR 2.0 credentials (AppTest): the table of statuses,
what counts (verified, or self-declared when ticked), the route and the handout saying which."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from planner.ui.text import md_escape
from planner.verify.review import NO_HOLDING
from tests.verify.test_verify_review import CLR20, CONTEXTS, OB30, TEAM_CATALOGUE, tampered_badge, upload

# the session plans on a small catalogue that has the fixtures' "Teamwork" as a credential
SCRIPT = f"""
import streamlit as st
from planner.ui.plan_page import page
from planner.ui.state import remember_upload
if "catalogue_upload" not in st.session_state:
    remember_upload({{"team.yaml": {TEAM_CATALOGUE!r}}}, "test: team")
page()
"""


@pytest.fixture(autouse=True)
def contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    if not CONTEXTS.is_dir():
        pytest.skip(f"reference contexts not found at {CONTEXTS}")
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(CONTEXTS))


def _app(**query: str) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.query_params.update({"target": "role:team-counter", **query})
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _uploader(at: AppTest):
    [uploader] = [u for u in at.get("file_uploader") if u.label.startswith("Add credentials you hold")]
    return uploader


def _upload(at: AppTest, *files) -> AppTest:
    _uploader(at).set_value([(f.name, f.data, "application/json") for f in files]).run()
    _ok(at)
    return at


def _table(at: AppTest, *, raw: bool = False) -> list[dict[str, str]]:
    [table] = at.table  # the only table on the page; its cells are Markdown
    rows = table.value.to_dict("records")
    return rows if raw else [{k: str(v).replace("\\", "") for k, v in r.items()} for r in rows]


def _steps(at: AppTest) -> list[str]:
    out = []
    for m in at.markdown:
        head = m.value.split("** · ")[0]
        if head.startswith("**") and ". " in head and head[2].isdigit():
            out.append(head.split(". ", 1)[1].replace("\\", ""))
    return out


def _counted(at: AppTest) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("- ") and " · earned " in m.value]


def _handout(at: AppTest, downloads: dict[str, bytes]) -> str:
    assert "plan.md" in downloads, list(downloads)
    return downloads["plan.md"].decode("utf-8").replace("\\", "")


def test_table_shows_each_credential_and_the_verified_one_counts(downloads) -> None:
    at = _app()
    assert sorted(_steps(at)) == ["Counting basics", "Teamwork"]
    _upload(at, upload(CLR20 / "simple.json", "transcript.json"), upload(OB30 / "simple-err-expired.json"),
            upload(OB30 / "simple-err-type.json"), tampered_badge())
    rows = [(r["credential"], r["catalogue credential"], r["status"]) for r in _table(at)]
    assert rows == [
        ("Teamwork (transcript.json)", "Teamwork", "verified"),
        ("Teamwork (simple-err-expired.json)", "Teamwork", "expired"),
        ("Example University Degree (simple-err-type.json)", NO_HOLDING, "unverifiable"),
        ("Teamwork (tampered.json)", "Teamwork", "signature invalid"),
    ]
    reasons = [r["reason"] for r in _table(at)]
    assert reasons[0] == "" and "expired on 2010-01-01" in reasons[1] and "OtherCredential" in reasons[2]
    assert _steps(at) == ["Counting basics"]  # Teamwork is held, verified: not taught again
    assert _counted(at) == ["- Teamwork · earned 01 Jan 2010 · **verified: its signed credential checked**"]
    assert any("verification does not travel in a link" in c.value for c in at.caption)
    assert "Holds Teamwork (earned 01 Jan 2010, verified)." in _handout(at, downloads)


def test_tampered_badge_is_not_counted_until_declared(downloads) -> None:
    at = _upload(_app(), tampered_badge())
    assert [r["status"] for r in _table(at)] == ["signature invalid"]
    assert sorted(_steps(at)) == ["Counting basics", "Teamwork"]  # not counted: still to be taken
    assert _counted(at) == []
    box = at.checkbox(key="sc_vc_declare_teamwork")
    assert box.label.replace("\\", "") == "Count Teamwork as self-declared (signature invalid)"
    box.check().run()
    _ok(at)
    assert _steps(at) == ["Counting basics"]
    assert _counted(at) == ["- Teamwork · earned 01 Jan 2010 · **self-declared: on your word, not checked**"]
    assert "Holds Teamwork (earned 01 Jan 2010, self-declared)." in _handout(at, downloads)
    assert not any("verification does not travel" in c.value for c in at.caption)


def test_expired_badge_cannot_be_declared() -> None:
    at = _upload(_app(), upload(OB30 / "simple-err-expired.json"))
    assert [r["status"] for r in _table(at)] == ["expired"]
    assert not [c for c in at.checkbox if (c.key or "").startswith("sc_vc_declare_")]
    assert sorted(_steps(at)) == ["Counting basics", "Teamwork"]


def test_the_share_link_carries_holdings_as_declared() -> None:
    at = _upload(_app(), upload(CLR20 / "simple.json"))
    assert at.query_params["have"] in ("teamwork@2010-01-01", ["teamwork@2010-01-01"])
    opened = _app(have="teamwork@2010-01-01")  # whoever opens the link has not uploaded anything
    assert _steps(opened) == ["Counting basics"]
    assert _counted(opened) == ["- Teamwork · earned 01 Jan 2010 · **self-declared: on your word, not checked**"]


def test_removing_the_uploads_forgets_them() -> None:
    at = _upload(_app(), upload(OB30 / "simple.json"))
    assert _steps(at) == ["Counting basics"]
    at.button(key="vc_forget").click().run()
    _ok(at)
    assert sorted(_steps(at)) == ["Counting basics", "Teamwork"]
    assert not at.table and _uploader(at).value in (None, [])


def test_markup_in_an_uploaded_file_stays_text() -> None:
    doc = json.loads(upload(OB30 / "simple.json").data)
    doc["credentialSubject"]["achievement"]["name"] = "**Team** <img src=x onerror=alert(1)> [go](http://e.x)"
    at = _app()
    _uploader(at).set_value(
        [("<b>x</b>.json", json.dumps(doc).encode(), "application/json")]).run()
    assert not at.exception
    [row] = _table(at, raw=True)
    shown = "**Team** <img src=x onerror=alert(1)> [go](http://e.x) (<b>x</b>.json)"
    assert row["credential"] == md_escape(shown)  # Markdown cells: every markup character escaped
    assert row["status"] == "signature invalid" and row["catalogue credential"] == "not in this catalogue"
    for element in (*at.markdown, *at.caption, *at.error, *at.warning):
        assert "<img" not in element.value and "](http" not in element.value


def test_reopening_a_plan_drops_the_uploaded_credentials() -> None:
    # a saved plan or plan file is put in the form by restore_plan (the caseload's and compare page's button)
    script = SCRIPT + (
        "from planner.engine.scenario import Scenario\n"
        "from planner.ui.workspace import restore_plan\n"
        "st.button('reopen', key='t_reopen', on_click=restore_plan,\n"
        "          args=(Scenario(target='role:team-counter'), '', ()))\n")
    at = AppTest.from_string(script, default_timeout=60)
    at.query_params["target"] = "role:team-counter"
    at.run()
    _upload(at, upload(OB30 / "simple.json"))
    assert _steps(at) == ["Counting basics"]
    at.button(key="t_reopen").click().run()
    _ok(at)
    assert sorted(_steps(at)) == ["Counting basics", "Teamwork"] and _counted(at) == []


def test_a_saved_plan_reads_back_its_holdings_as_self_declared(tmp_path, monkeypatch) -> None:
    from planner.store.records import open_store

    url = f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    at = _upload(_app(), upload(CLR20 / "simple.json"), tampered_badge())
    assert not [c for c in at.checkbox if (c.key or "").startswith("sc_vc_declare_")]  # a verified copy decides
    at.button(key="rec_save").click().run()
    _ok(at)
    where = at.session_state["rec_open"]
    store = open_store(url)
    try:
        saved = store.plan(store.local_user(), where["plan"])
    finally:
        store.engine.dispose()
    # what the store gives back is the learner's word until the credential is uploaded and verified again
    assert [(h.credential, h.verification) for h in saved.scenario.holdings] == [("teamwork", "declared")]


def test_other_pages_plan_with_the_uploaded_holdings() -> None:
    # the compare page (and its handouts) read the form through current_scenario
    script = SCRIPT + (
        "from planner.ui.scenario_form import current_scenario\n"
        "from planner.ui.state import active_catalogue\n"
        "s = current_scenario(active_catalogue().catalogue)\n"
        "st.text('holdings: ' + repr([(h.credential, h.verification) for h in s.holdings]))\n")
    at = AppTest.from_string(script, default_timeout=60)
    at.query_params["target"] = "role:team-counter"
    at.run()
    _upload(at, tampered_badge())
    assert "holdings: []" in [t.value for t in at.text]
    at.checkbox(key="sc_vc_declare_teamwork").check().run()
    assert "holdings: [('teamwork', 'declared')]" in [t.value for t in at.text]
    _upload(at, upload(OB30 / "simple.json"))
    assert "holdings: [('teamwork', 'verified')]" in [t.value for t in at.text]


def test_without_a_context_cache_the_page_says_why_nothing_verifies(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("PLANNER_CONTEXT_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the default cache folder: empty
    at = _upload(_app(), upload(OB30 / "simple.json"))
    [row] = _table(at)
    assert row["status"] == "unverifiable" and "not available offline" in row["reason"]
    assert any("run `planner verify --fetch-contexts`" in w.value.replace("\\", "") for w in at.warning)
    assert at.checkbox(key="sc_vc_declare_teamwork").value is False
    assert sorted(_steps(at)) == ["Counting basics", "Teamwork"]


def test_a_broken_upload_is_a_located_error_not_a_traceback() -> None:
    at = _app()
    _uploader(at).set_value([("broken.json", b'{"a": 1,\n "b": }', "application/json")]).run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]
    assert errors and errors[0].startswith("broken.json:2:") and "invalid JSON" in errors[0]
    assert sorted(_steps(at)) == ["Counting basics", "Teamwork"]


@pytest.mark.parametrize("case", ["lists-it", "lists-another", "lists-none"])
def test_issuer_column_and_what_counts_agree_with_the_cli_rule(case) -> None:
    # the same rule as recommend --have-file
    # (tests/verify/test_verify_issuer.py checks the CLI against review_credentials)
    from tests.verify.test_verify_issuer import CASES, clr_review, team_yaml

    issuers, counts = CASES[case]
    script = SCRIPT.replace(repr(TEAM_CATALOGUE), repr(team_yaml(issuers)))
    assert script != SCRIPT
    at = AppTest.from_string(script, default_timeout=60)
    at.query_params["target"] = "role:team-counter"
    at.run()
    _upload(at, upload(CLR20 / "simple.json"))
    expected = clr_review(issuers)
    [row] = _table(at)
    assert row["status"] == "verified" and row["issuer"] == expected.rows[0].issuer
    boxes = [c for c in at.checkbox if (c.key or "").startswith("sc_vc_declare_")]
    assert _counted(at) == (["- Teamwork · earned 01 Jan 2010 · **verified: its signed credential checked**"]
                            if counts else [])
    assert sorted(_steps(at)) == (["Counting basics"] if counts else ["Counting basics", "Teamwork"])
    assert len(boxes) == (0 if counts else 1)
    if not counts:
        assert "not by Team College" in boxes[0].label
        boxes[0].check().run()
        _ok(at)
        assert [(h.credential, h.verification) for h in expected.holdings({"teamwork"})] == [("teamwork", "declared")]
        assert _steps(at) == ["Counting basics"]
        assert _counted(at) == ["- Teamwork · earned 01 Jan 2010 · **self-declared: on your word, not checked**"]


def test_a_badge_issued_to_someone_else_is_said_and_never_counted() -> None:
    at = _app()
    at.text_input(key="sc_vc_learner_ids").set_value("did:example:me, me@example.org").run()
    _upload(at, upload(CLR20 / "simple.json"))
    [row] = _table(at)
    assert row["status"] == "verified"
    assert row["reason"].startswith("issued to someone else (did:example:ebfeb1f712ebc6f1c276e12ec21), not to you")
    assert not [c for c in at.checkbox if (c.key or "").startswith("sc_vc_declare_")]  # not even self-declared
    assert _counted(at) == [] and sorted(_steps(at)) == ["Counting basics", "Teamwork"]
    # the learner's own identifier: it counts again
    at.text_input(key="sc_vc_learner_ids").set_value("did:example:ebfeb1f712ebc6f1c276e12ec21").run()
    _ok(at)
    assert _counted(at) == ["- Teamwork · earned 01 Jan 2010 · **verified: its signed credential checked**"]
