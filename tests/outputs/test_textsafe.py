"""The escaping functions, one per output kind, as properties over any text."""

from __future__ import annotations

import html as html_lib
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from planner.outputs import textsafe

CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# text with plenty of what matters: escapes, controls, markup characters, line breaks
ALPHABET = st.sampled_from(list("\x1b\x07\x9b\x9d\x00\r\n\t\u202e\u2066[]()!<>*_`#|-+=.:&\\$~{}\"' aZ9/é"))
hostile = st.lists(ALPHABET | st.characters() | st.sampled_from(
    ["\x1b[31m", "\x1b]8;;https://e/\x07", "\x1b\\", "](javascript:", "<script>", "<img src=x onerror=1>",
     "https://evil.example", "www.evil.example", ":red[", ":material/home:", "1. ", "# ", "---", "|"]),
    max_size=40).map("".join)
MD = MarkdownIt("commonmark", {"html": True}).enable("table")


@settings(max_examples=400)
@given(hostile)
def test_terminal_text_has_no_control_characters(text: str) -> None:
    out = textsafe.terminal(text)
    assert not CONTROL.search(out)
    assert "\n" not in textsafe.terminal(text, multiline=False)


def test_terminal_keeps_the_words_and_drops_the_sequences() -> None:
    raw = "\x1b[1;31mRed\x1b[0m \x1b]8;;https://evil/\x07link\x1b]8;;\x07 \x1b]0;title\x1b\\ok\u202eev\x9b2J"
    assert textsafe.terminal(raw) == "Red link okev"


@settings(max_examples=400)
@given(hostile)
def test_markdown_shows_text_exactly_and_makes_no_markup(text: str) -> None:
    escaped = textsafe.markdown(text)
    rendered = MD.render(escaped)
    # one paragraph (or nothing), no link, image, heading, list, table, code, emphasis, raw HTML
    assert not re.search(r"<(?!/?p>)[a-z]", rendered), rendered
    shown = html_lib.unescape(rendered.removeprefix("<p>").removesuffix("</p>\n")).strip()
    assert shown == textsafe.plain(text).strip()


@settings(max_examples=200)
@given(st.lists(hostile, min_size=1, max_size=5).map("\n".join))
def test_multiline_markdown_keeps_the_lines(text: str) -> None:
    rendered = MD.render(textsafe.markdown(text, multiline=True))
    assert not re.search(r"<(?!/?p>|br />)[a-z]", rendered), rendered
    shown = [html_lib.unescape(x).strip() for x in re.split(r"<br />\n|</?p>\n?", rendered)]
    expected = [" ".join(line.split()) for line in textsafe.plain(text, multiline=True).split("\n")]
    assert [x for x in shown if x] == [x for x in expected if x]


@settings(max_examples=300)
@given(hostile)
def test_html_and_plotly_text_has_no_tag(text: str) -> None:
    for out in (textsafe.html(text), textsafe.plotly(text)):
        assert "<" not in out and ">" not in out and not CONTROL.search(out.replace("\n", " "))
    assert html_lib.unescape(textsafe.html(text)) == textsafe.plain(text, multiline=True)


@settings(max_examples=300)
@given(st.recursive(st.none() | st.booleans() | st.integers() | hostile,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile, inner, max_size=3),
                    max_leaves=10))
def test_json_text_keeps_the_value(value: object) -> None:
    text = textsafe.json_text(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert not CONTROL.search(text.replace("\n", ""))
