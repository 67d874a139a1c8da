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
    upload = at.session_state["catalogue_upload"]  # the session keeps its own files
    assert dict(upload.files) == {"tiny.yaml": TINY}

    # the learner's page plans on it in the same session
    plan = AppTest.from_string("from planner.ui.plan_page import page\npage()\n", default_timeout=60)
    plan.session_state["catalogue_upload"] = upload
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
    explore.session_state["catalogue_upload"] = upload
    explore.session_state["ex_price"] = (0.0, 12000.0)  # the bundled catalogue's price range
    explore.session_state["ex_provider"] = ["OpenSkills Academy"]
    explore.run()
    assert not explore.exception
    assert list(explore.dataframe[0].value["title"]) == ["Counting basics"]

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
    upload = at.session_state["catalogue_upload"]

    plan = AppTest.from_string("from planner.ui.plan_page import page\npage()\n", default_timeout=60)
    plan.session_state["catalogue_upload"] = upload
    plan.run()
    assert not plan.exception
    step = next(m.value for m in plan.markdown if m.value.startswith("**1. "))
    title_part = step[len("**1. "):step.index("** · ")]
    assert title_part.replace("\\", "") == evil  # every character still there …
    for ch in "<>*[]():":
        assert all(title_part[i - 1] == "\\" for i, c in enumerate(title_part) if c == ch)  # … and escaped

    explore = AppTest.from_string("from planner.ui.explore_page import page\npage()\n", default_timeout=60)
    explore.session_state["catalogue_upload"] = upload
    explore.run()
    assert evil in [t.value for t in explore.text]  # st.text: shown exactly as typed


def test_a_new_upload_replaces_the_previous_one() -> None:
    # the bad catalogue first, then the fixed one: the fixed one alone is checked, never both together
    at = _page()
    at.file_uploader(key="up_files").set_value(("tiny.yaml", BROKEN, "application/yaml")).run()
    assert any("error(s)" in e.value for e in at.error)
    assert [u.key for u in at.get("file_uploader")] == ["up_files_1"]  # a fresh, empty uploader
    at.file_uploader(key="up_files_1").set_value(("tiny-fixed.yaml", TINY, "application/yaml")).run()
    assert not at.exception and not at.error
    assert any(s.value.startswith("Valid: 1 credentials, 1 roles") for s in at.success)
    at.button(key="up_use").click().run()
    assert dict(at.session_state["catalogue_upload"].files) == {"tiny-fixed.yaml": TINY}


_SESSION = """
import streamlit as st
from planner.ui.state import UPLOAD_REFUSED, active_catalogue, remember_upload
if st.session_state.get("want_upload"):
    st.session_state["want_upload"] = False
    remember_upload({"c.yaml": st.session_state["yaml"]}, st.session_state["label"])
st.text(active_catalogue().label)
st.text(st.session_state.get(UPLOAD_REFUSED, ""))
"""


def _session_uploading(i: int) -> AppTest:
    at = AppTest.from_string(_SESSION, default_timeout=60)
    at.session_state["yaml"] = TINY.replace(b"name: Tiny college", f"name: Tiny college {i}".encode())
    at.session_state["label"] = f"upload: college-{i}.yaml"
    at.session_state["want_upload"] = True
    return at.run()


def test_uploads_are_never_swapped_out_and_the_bound_is_said() -> None:
    import gc

    from planner.ui import state

    state._live_uploads.clear()  # count only this test's sessions
    first = _session_uploading(0)
    assert first.text[0].value == "upload: college-0.yaml"
    others = [_session_uploading(i) for i in range(1, state.MAX_KEPT_UPLOADS)]
    assert all(not o.text[1].value for o in others)  # 32 sessions hold their own catalogue
    late = _session_uploading(99)
    assert late.text[0].value.startswith("bundled: ")  # refused, and it says why:
    assert f"{state.MAX_KEPT_UPLOADS} other sessions use catalogues of their own" in late.text[1].value
    assert first.run().text[0].value == "upload: college-0.yaml"  # the first session still has its own
    del others[0]  # a session that ends frees its place
    gc.collect()
    late.session_state["want_upload"] = True
    assert late.run().text[0].value == "upload: college-99.yaml" and not late.text[1].value


def test_the_app_uses_the_folder_planner_catalogue_names(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "college"
    folder.mkdir()
    (folder / "tiny.yaml").write_bytes(TINY)
    monkeypatch.setenv("PLANNER_CATALOGUE", str(folder))
    explore = AppTest.from_string("from planner.ui.explore_page import page\npage()\n", default_timeout=60).run()
    assert not explore.exception and not explore.error
    assert list(explore.dataframe[0].value["title"]) == ["Counting basics"]
    at = _page()
    assert f"Tiny college ({folder})" in at.info[0].value.replace("\\", "")
    assert at.button(key="up_bundled").label == f"Use the app's catalogue ({folder})"
    (folder / "tiny.yaml").write_bytes(BROKEN)  # edited: reloaded, and the problem is said, not hidden
    explore.run()
    errors = [e.value.replace("\\", "") for e in explore.error]
    assert any("(PLANNER_CATALOGUE) is not valid" in e and "got 'two'" in e for e in errors), errors
