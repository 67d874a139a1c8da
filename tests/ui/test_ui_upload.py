"""The 'Your own catalogue' page with AppTest: located errors, refused uploads, a session-only catalogue."""

from __future__ import annotations

import hashlib
import io
import zipfile

from streamlit.testing.v1 import AppTest

from planner.catalogue.loader import validate_texts
from planner.ui.upload_page import problem_rows
from tests.conftest import CATALOGUE_DIR, ROOT

TINY = b"""\
meta:
  name: Tiny college
providers:
  - id: tiny-college
    name: Tiny College
    country: NL
    kind: university
competencies:
  - id: counting
    label: Counting
credentials:
  - id: counting-basics
    title: Counting basics
    provider: tiny-college
    type: micro_credential
    cost: 10 EUR
    teaches:
      - {competency: counting, level: 2}
roles:
  - id: counter
    title: Professional counter
    needs:
      - {competency: counting, level: 2}
"""
BROKEN = TINY.replace(b"level: 2}\nroles", b"level: two}\nroles")


def _bundled_fingerprint() -> str:
    h = hashlib.sha256()
    for p in sorted(CATALOGUE_DIR.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(CATALOGUE_DIR)).encode() + p.read_bytes())
    return h.hexdigest()


def _page() -> AppTest:
    return AppTest.from_string("from planner.ui.upload_page import page\npage()\n", default_timeout=60).run()


def test_problem_rows_put_errors_first_with_file_and_line() -> None:
    report = validate_texts({"tiny.yaml": BROKEN})
    rows = problem_rows(report)
    assert rows[0]["severity"] == "error"
    line = next(i for i, text in enumerate(BROKEN.decode().splitlines(), 1) if "two" in text)
    assert (rows[0]["file"], rows[0]["line"]) == ("tiny.yaml", line)
    severities = [r["severity"] for r in rows]
    assert severities == sorted(severities, key=lambda s: s != "error")


def test_broken_catalogue_shows_errors_with_file_and_line() -> None:
    at = _page()
    assert not at.exception
    at.file_uploader(key="up_files").set_value(("tiny.yaml", BROKEN, "application/yaml")).run()
    assert not at.exception
    assert any("error(s)" in e.value and "file and line" in e.value for e in at.error)
    table = at.dataframe[0].value
    errors = table[table["severity"] == "error"]
    line = next(i for i, text in enumerate(BROKEN.decode().splitlines(), 1) if "two" in text)
    assert list(errors["file"]) == ["tiny.yaml"] and list(errors["line"]) == [line]
    assert not [b for b in at.button if b.key == "up_use"]  # a broken catalogue cannot be used


def test_unsafe_zip_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("cat/tiny.yaml", TINY)
        zf.writestr("../../catalogue/providers.yaml", b"providers: []\n")
    at = _page()
    at.file_uploader(key="up_files").set_value(("cat.zip", buf.getvalue(), "application/zip")).run()
    assert not at.exception
    assert any(e.value == "The upload was refused:" for e in at.error)
    problems = list(at.dataframe[0].value["problem"])
    assert problems == ["cat.zip: refused entry '../../catalogue/providers.yaml' (absolute path or '..')"]


def test_valid_upload_is_used_for_the_session_only() -> None:
    before = _bundled_fingerprint()
    at = _page()
    at.file_uploader(key="up_files").set_value(("tiny.yaml", TINY, "application/yaml")).run()
    assert not at.exception and not at.error
    assert any(s.value.startswith("Valid: 1 credentials, 1 roles") for s in at.success)
    at.button(key="up_use").click().run()
    assert not at.exception
    assert "upload: tiny.yaml" in at.info[0].value.replace("\\", "")  # the page names the uploaded catalogue
    assert at.session_state["catalogue_digest"]  # the session keeps only a digest

    # the learner's page plans on it in the same session
    plan = AppTest.from_string("from planner.ui.plan_page import page\npage()\n", default_timeout=60)
    plan.session_state["catalogue_digest"] = at.session_state["catalogue_digest"]
    # choices made on the bundled catalogue earlier in the session: unknown here, dropped quietly
    plan.session_state["sc_held"] = ["osa-sql-basics"]
    plan.session_state["sc_avoid_providers"] = ["learngrid"]
    plan.session_state["sc_target"] = "role:data-analyst"
    plan.run()
    assert not plan.exception and not plan.error
    assert plan.selectbox(key="sc_target").options == ["Role · Professional counter"]
    assert any("Counting basics" in m.value for m in plan.markdown)
    assert plan.multiselect(key="sc_held").value == [] and plan.multiselect(key="sc_avoid_providers").value == []
    explore = AppTest.from_string("from planner.ui.explore_page import page\npage()\n", default_timeout=60)
    explore.session_state["catalogue_digest"] = at.session_state["catalogue_digest"]
    explore.session_state["ex_price"] = (0.0, 12000.0)  # the bundled catalogue's price range
    explore.session_state["ex_provider"] = ["OpenSkills Academy"]
    explore.run()
    assert not explore.exception
    assert list(explore.dataframe[0].value["id"]) == ["counting-basics"]

    at.button(key="up_bundled").click().run()
    assert "bundled" in at.info[0].value
    assert _bundled_fingerprint() == before  # nothing was written to the bundled catalogue
    assert not list(ROOT.glob("catalogue/**/tiny*"))


def test_catalogue_text_is_never_markup() -> None:
    evil = "<b>Counting</b> **basics** [click](javascript:alert(1)) :red[x]"
    text = TINY.replace(b"title: Counting basics", f'title: "{evil}"'.encode())
    at = _page()
    at.file_uploader(key="up_files").set_value(("evil.yaml", text, "application/yaml")).run()
    at.button(key="up_use").click().run()
    digest = at.session_state["catalogue_digest"]

    plan = AppTest.from_string("from planner.ui.plan_page import page\npage()\n", default_timeout=60)
    plan.session_state["catalogue_digest"] = digest
    plan.run()
    assert not plan.exception
    step = next(m.value for m in plan.markdown if m.value.startswith("**1. "))
    title_part = step[len("**1. "):step.index("** · ")]
    assert title_part.replace("\\", "") == evil  # every character still there …
    for ch in "<>*[]():":
        assert all(title_part[i - 1] == "\\" for i, c in enumerate(title_part) if c == ch)  # … and escaped

    explore = AppTest.from_string("from planner.ui.explore_page import page\npage()\n", default_timeout=60)
    explore.session_state["catalogue_digest"] = digest
    explore.run()
    assert evil in [t.value for t in explore.text]  # st.text: shown exactly as typed
