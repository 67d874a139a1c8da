"""Hostile catalogue text, ids, links and notes pushed through every output: all inert.

One catalogue whose titles, labels, provider name, learning outcomes and stackability note
carry terminal escape sequences (colour, screen clearing, an OSC 8 hyperlink), a C1 control,
a right-to-left override, Markdown links / images / headings / table pipes and raw HTML
(``<script>``, ``<img onerror>``). Each output must show the words but never act on them:

- terminal text: no control character but the newline;
- JSON: the exact value survives, and nothing a terminal acts on is printed raw;
- Markdown: rendered by a CommonMark renderer (raw HTML allowed, tables on), it makes no
  link, image, script, heading from catalogue text, and no table row gains cells;
- HTML: no tag or attribute from catalogue text;
- PDF: no control bytes;
- Streamlit pages: catalogue text sits in text elements, or escaped in Markdown ones.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from planner.catalogue.loader import load
from planner.catalogue.models import LearnerProfile, Target
from planner.cli import main
from planner.engine.routing import recommend
from planner.outputs import export
from planner.outputs.report import build_report, to_html, to_json, to_markdown, to_text

# --------------------------------------------------------------------------- the hostile text

ESCAPES = ("\x1b[31mRED\x1b[0m \x1b]8;;https://evil.example/\x07osc-link\x1b]8;;\x07 \x1b[2J"
           "\x9b1;31mC1 \u202eevil-rtl")
MARKUP = ("[x](javascript:alert(1)) ![i](https://evil.example/i.png) <script>alert(1)</script> "
          "<img src=x onerror=alert(1)> :red[hi] a | b")
HOSTILE = f"{ESCAPES} {MARKUP}"
#: A block as a description or a note might hold it: a heading, a table, a list, more lines.
BLOCK = f"# heading\n| a | b |\n|---|---|\n- item *em*\n{HOSTILE}"
#: An id-like string, as a link or a flag may carry one.
ID_LIKE = "x](javascript:alert(1))\x1b[2J<b>"

START = "2027-01-04"
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # all but \n
LIVE_HTML = re.compile(r"<(a|img|script|iframe|h[1-6]|svg)\b", re.IGNORECASE)


def hostile_data(text: str = HOSTILE) -> dict[str, Any]:
    """A small valid catalogue whose every free-text field carries ``text``."""
    block = BLOCK.replace(HOSTILE, text)

    def _title(tag: str) -> str:
        return f"# {tag} {text}"  # a heading marker at the start, too

    cred = {"provider": "evil", "type": "micro_credential", "ects": 5, "hours": 125, "eqf_level": 5,
            "assessment": ["exam"], "participation": "online", "languages": ["en"], "duration_weeks": 6,
            "hours_per_week": 10, "runs": {"rolling": True}, "learning_outcomes": [block], "stackability": block}
    return {
        "meta": {"name": f"Hostile {text}"},
        "providers": [{"id": "evil", "name": f"Provider {text}", "country": "NL", "kind": "university"}],
        "competencies": [{"id": "c1", "label": f"Skill one {text}"}, {"id": "c2", "label": "Skill two"}],
        "credentials": [
            {**cred, "id": "a", "title": _title("Alpha"), "cost": "100 EUR",
             "teaches": [{"competency": "c1", "level": 2}]},
            {**cred, "id": "b", "title": _title("Beta"), "cost": "200 EUR", "requires": [{"credential": "a"}],
             "teaches": [{"competency": "c2", "level": 2}]},
            {**cred, "id": "w", "title": _title("Award"), "type": "certificate", "ects": 10,
             "award": {"rule": {"all_of": [{"credential": "a"}, {"credential": "b"}]}}},
        ],
        "roles": [{"id": "r", "title": _title("Role"),
                   "needs": [{"competency": "c1", "level": 2}, {"competency": "c2", "level": 2}]}],
    }


def hostile_yaml() -> bytes:
    # safe_dump writes the control characters as YAML escapes ("\e", "\x9B"): a valid file
    return yaml.safe_dump(hostile_data(), allow_unicode=True, sort_keys=False).encode("utf-8")


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.yaml").write_bytes(hostile_yaml())
    return folder


@pytest.fixture(scope="module")
def catalogue(hostile_dir: Path):
    return load(hostile_dir)


@pytest.fixture(scope="module")
def recommendation(catalogue):
    import datetime as dt

    profile = LearnerProfile(name=f"Learner {HOSTILE}"[:300])
    rec = recommend(catalogue, profile, Target.parse("role:r"), today=dt.date.fromisoformat(START))
    assert rec.best is not None and [s.credential_id for s in rec.best.steps] == ["a", "b"]
    return rec


# --------------------------------------------------------------------------- checks


def _no_control(text: str, where: str) -> None:
    found = CONTROL.findall(text)
    assert not found, f"{where}: control characters {sorted(set(found))!r}"


def _shows_the_words(text: str, where: str) -> None:
    # the escaping keeps what a person should read
    for word in ("RED", "osc-link", "evil-rtl", "alert"):
        assert word in text, f"{where}: {word!r} was lost"


_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def _inert_markdown(text: str, where: str, *, trusted_headings: int | None = None) -> str:
    _no_control(text, where)
    rendered = _MD.render(text)
    tags = [t.lower() for t in LIVE_HTML.findall(rendered)]
    headings = [t for t in tags if t.startswith("h")]
    others = [t for t in tags if not t.startswith("h")]
    assert not others, f"{where}: live {others} in {rendered[:2000]}"
    if trusted_headings is not None:
        assert len(headings) == trusted_headings, f"{where}: catalogue text made a heading"
    else:
        assert not headings, f"{where}: catalogue text made a heading"
    # Streamlit's own Markdown extensions: :colour[…] and :icon: directives
    unescaped = re.sub(r"\\.", "", text)
    assert not re.search(r":[a-z]+\[", unescaped), f"{where}: a Streamlit directive survived"
    assert "javascript:" not in unescaped, f"{where}: a javascript: URL survived unescaped"
    return rendered


def _table_rows_keep_their_cells(rendered: str, where: str) -> None:
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        heads = len(re.findall(r"<th\b", table))
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
            assert len(re.findall(r"<td\b", row)) == heads, f"{where}: a pipe split a table row"


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_json_strings(k), *_json_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


# --------------------------------------------------------------------------- command line


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_text_output_has_no_control_characters(hostile_dir: Path, capsys) -> None:
    d = str(hostile_dir)
    runs = {
        "validate": _run(capsys, "validate", d),
        "info": _run(capsys, "info", d),
        "recommend": _run(capsys, "recommend", "--catalogue", d, "--target", "role:r", "--start", START,
                          "--terms", "2"),
        "coverage": _run(capsys, "coverage", d, "--as-of", START),
        "recommend --have": _run(capsys, "recommend", "--catalogue", d, "--target", "role:r",
                                 "--have", f"{ID_LIKE}@2024-01-01"),
        "recommend --target": _run(capsys, "recommend", "--catalogue", d, "--target", f"role:{ID_LIKE}"),
        "export": _run(capsys, "export", "ctdl", "--catalogue", d),
    }
    for name, (_code, out, err) in runs.items():
        _no_control(out, f"{name} stdout")
        _no_control(err, f"{name} stderr")
    assert runs["recommend"][0] == 0 and runs["coverage"][0] == 0
    _shows_the_words(runs["recommend"][1], "recommend")
    _shows_the_words(runs["coverage"][1], "coverage")
    assert runs["recommend --have"][0] == 1 and runs["recommend --target"][0] == 1
    assert "javascript" in runs["recommend --have"][2]  # the bad id is named, without its escape sequence


def test_cli_json_keeps_the_value_and_prints_nothing_a_terminal_acts_on(hostile_dir: Path, capsys) -> None:
    d = str(hostile_dir)
    for argv in (("validate", d, "--format", "json"), ("info", d, "--format", "json"),
                 ("recommend", "--catalogue", d, "--target", "role:r", "--start", START, "--format", "json"),
                 ("coverage", d, "--as-of", START, "--format", "json", "--no-routes"),
                 ("export", "ctdl", "--catalogue", d)):
        code, out, err = _run(capsys, *argv)
        assert code == 0, (argv, err)
        _no_control(out, f"{argv[0]} json")
        strings = _json_strings(json.loads(out))
        if argv[0] in ("recommend", "coverage"):
            assert any(HOSTILE in s for s in strings), f"{argv[0]}: the exact text is not in the JSON"


def test_coverage_text_markdown_and_html_are_inert(catalogue) -> None:
    import datetime as dt

    report = build_report(catalogue, as_of=dt.date.fromisoformat(START))
    text = to_text(report)
    _no_control(text, "coverage text")
    _shows_the_words(text, "coverage text")
    md = to_markdown(report)
    headings = len(re.findall(r"^#{1,6} ", md, flags=re.M))  # the report's own title and sections
    rendered = _inert_markdown(md, "coverage markdown", trusted_headings=headings)
    _table_rows_keep_their_cells(rendered, "coverage markdown")
    _shows_the_words(rendered, "coverage markdown")
    json.loads(to_json(report))
    _no_control(to_json(report), "coverage json")
    _no_control(to_html(report, figures=False), "coverage html")  # (plotly.js itself holds tabs and such)
    page = to_html(report, catalogue=catalogue)
    for raw in ("<script>alert", "<img src=x", "onerror=alert(1)>", '<a href="javascript'):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the plotly figures: their JSON strings carry no tag either
    specs = re.findall(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{", page, flags=re.S)
    assert specs
    for spec in specs:
        for s in _json_strings(json.loads(spec)):
            assert not re.search(r"<(a|img|script)\b", s) and not CONTROL.search(s), s


def test_handouts_are_inert(recommendation, catalogue) -> None:
    route = recommendation.best
    md = export.route_to_markdown(recommendation, route, catalogue, notes=BLOCK)
    headings = len(re.findall(r"^#{1,6} ", md, flags=re.M))
    rendered = _inert_markdown(md, "handout markdown", trusted_headings=headings)
    _table_rows_keep_their_cells(rendered, "handout markdown")
    _shows_the_words(rendered, "handout markdown")
    assert "# heading" in rendered and "| a | b |" in rendered  # the note shows as typed …
    assert rendered.index("# heading") < rendered.index("- item *em*")  # … in its order, line by line

    # the core font writes text as bytes, so the raw PDF can be searched
    pdf = export.route_to_pdf(recommendation, route, catalogue, notes=BLOCK, font="core")
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", pdf.replace(b"\r\n", b"\n").split(b"stream")[0]
                         + b"".join(re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.S)))
    assert b"RED" in pdf and b"osc-link" in pdf
    # with the Unicode font (glyph codes and an embedded font), what the PDF shows is checked instead
    from tests.outputs.test_export import _pdf_text

    shown = _pdf_text(export.route_to_pdf(recommendation, route, catalogue, notes=BLOCK))
    assert not CONTROL.search(shown) and "RED" in shown and "osc-link" in shown

    plan = export.plan_to_json(recommendation, 0, notes=BLOCK)
    _no_control(plan, "plan file")
    assert json.loads(plan)["notes"] == BLOCK  # JSON keeps the exact value
    assert export.plan_from_json(plan).notes == BLOCK


def test_markdown_link_and_image_syntax_is_never_live() -> None:
    # markup alone (no control characters): links, images and HTML stay text in both Markdown outputs
    import datetime as dt

    from planner.catalogue.models import Catalogue

    catalogue = Catalogue.model_validate(hostile_data(MARKUP))
    report = build_report(catalogue, as_of=dt.date.fromisoformat(START), reachability=False, whatif=False)
    md = to_markdown(report)
    _inert_markdown(md, "coverage markdown", trusted_headings=len(re.findall(r"^#{1,6} ", md, flags=re.M)))
    rec = recommend(catalogue, LearnerProfile(), Target.parse("role:r"), today=dt.date.fromisoformat(START))
    md = export.route_to_markdown(rec, rec.best, catalogue, notes=MARKUP)
    _inert_markdown(md, "handout markdown", trusted_headings=len(re.findall(r"^#{1,6} ", md, flags=re.M)))


# --------------------------------------------------------------------------- Streamlit pages

#: Elements Streamlit renders as Markdown (their value / label) and the text-only ones.
MARKDOWN_VALUES = ("markdown", "caption", "header", "subheader", "title", "warning", "error", "info", "success",
                   "toast")
LABELLED = ("button", "checkbox", "radio", "selectbox", "multiselect", "slider", "date_input", "number_input",
            "text_input", "text_area", "tab", "expander", "metric", "download_button", "toggle", "file_uploader")


def _walk(node: Any):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _check_page(at: AppTest, where: str) -> int:
    """Every element of a page holds catalogue text inertly; returns how many carried it."""
    assert not at.exception, [e.value for e in at.exception]
    carried = 0
    for node in _walk(at._tree):
        kind = getattr(node, "type", None)
        texts: list[str] = []
        if kind in MARKDOWN_VALUES:
            texts.append(str(node.value))
        if kind in LABELLED and getattr(node, "label", None):
            texts.append(str(node.label))
        if kind == "radio":  # radio options render Markdown too
            texts += [str(o) for o in node.options]
        for text in texts:
            _inert_markdown(text, f"{where}: {kind}")
            carried += "RED" in text
        if kind == "plotly_chart":
            for s in _json_strings(json.loads(node.proto.spec)):
                assert not re.search(r"<(a|img|script)\b", s) and not CONTROL.search(s), (where, s)
    assert "This page failed" not in str([e.value for e in at.error])
    return carried


@pytest.fixture(scope="module")
def hostile_digest() -> object:
    at = AppTest.from_string("from planner.ui.upload_page import page\npage()\n", default_timeout=60).run()
    at.file_uploader(key="up_files").set_value(("evil](javascript:alert(1)).yaml", hostile_yaml(),
                                                "application/yaml")).run()
    _check_page(at, "upload page, validated")
    at.button(key="up_use").click().run()
    _check_page(at, "upload page, in use")
    return at.session_state["catalogue_upload"]  # the session's own catalogue (its files)


def _page(module: str, digest: object, **query: str) -> AppTest:
    at = AppTest.from_string(f"from planner.ui.{module} import page\npage()\n", default_timeout=120)
    at.session_state["catalogue_upload"] = digest
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def test_plan_page_is_inert(hostile_digest: object) -> None:
    at = _page("plan_page", hostile_digest, target="role:r", start=START)
    assert _check_page(at, "plan page") > 0  # the hostile titles were shown, escaped
    assert any("Alpha" in m.value for m in at.markdown)
    assert any("RED" in t.value for t in at.text)  # explanations and descriptions: text elements
    # holding the hostile credential and knowing the hostile skill: their names go into widget labels
    at = _page("plan_page", hostile_digest, target="role:r", start=START, have="a@2026-01-01", know="c1=1")
    assert _check_page(at, "plan page with holdings") > 0


def test_plan_page_link_with_hostile_ids_is_inert(hostile_digest: object) -> None:
    at = _page("plan_page", hostile_digest, target="role:r", have=f"{ID_LIKE}@2024-01-01", know=f"{ID_LIKE}=2",
               avoid_providers=ID_LIKE)
    _check_page(at, "plan page, hostile link")
    warning = " ".join(w.value for w in at.warning)
    assert "javascript" in warning and "left out" in warning  # says what was ignored, escaped
    at = _page("plan_page", hostile_digest, target=f"role:{ID_LIKE}")
    _check_page(at, "plan page, hostile target")
    assert at.warning and "could not be opened" in at.warning[0].value


def test_compare_page_is_inert(hostile_digest: object) -> None:
    at = AppTest.from_string("from planner.ui.compare_page import page\npage()\n", default_timeout=120)
    at.session_state["catalogue_upload"] = hostile_digest
    at.session_state["cmp_notes"] = BLOCK
    at.run()
    assert _check_page(at, "compare page") > 0
    assert any(a.value == BLOCK for a in at.text_area)  # the note is kept exactly in its text box


@pytest.mark.parametrize("module", ["coverage_page", "explore_page"])
def test_institution_pages_are_inert(hostile_digest: object, module: str) -> None:
    at = _page(module, hostile_digest)
    _check_page(at, module)
    if module == "explore_page":
        assert any("RED" in t.value for t in at.text)  # every EU element: a text element
        assert "RED" in " ".join(map(str, at.dataframe[0].value["title"]))


def test_plan_file_errors_on_the_compare_page_are_escaped() -> None:
    # a plan file's own text comes back in the error that names what is wrong with it
    for plan in ({"format": "stackable-planner-plan", "version": MARKUP},
                 {"format": "stackable-planner-plan", "version": 1, HOSTILE: 1}):
        at = AppTest.from_string("from planner.ui.compare_page import page\npage()\n", default_timeout=120).run()
        at.file_uploader(key="cmp_plan_upload").set_value(
            ("plan.json", json.dumps(plan).encode(), "application/json")).run()
        _check_page(at, "compare page, hostile plan file")
        errors = [e.value for e in at.error if "plan file could not be opened" in e.value]
        assert errors and "javascript" in errors[0].replace("\\", "")
