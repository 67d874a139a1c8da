r"""Text leaving the planner, made inert for where it goes: one function per output kind.

Catalogue text, learner notes, link values and ids are data, never markup or terminal
commands. Every output calls exactly one of these functions on such text:

- :func:`terminal` — CLI text output: control characters, ANSI/OSC escape sequences and
  bidirectional overrides removed (newlines kept where the caller says so).
- :func:`json_text` — CLI JSON output: JSON stays JSON; characters a terminal would act on
  (C1 controls, bidirectional overrides) are written as ``\uXXXX`` escapes, same value.
- :func:`markdown` — Markdown (handouts, the coverage report, and Streamlit elements that
  render Markdown: ``st.markdown``, ``st.caption``, ``st.warning`` / ``st.error`` /
  ``st.info`` / ``st.success``, widget labels): every markup character backslash-escaped,
  so links, images, raw HTML, emphasis, headings and table pipes show as typed.
- :func:`html` — HTML pages: :func:`html.escape` after removing control characters.
- :func:`plotly` — plotly labels and hover text (plotly renders a few HTML tags).
- :func:`plain` — the first step of all of them (and of the PDF handout's text): escape
  sequences, control characters and bidirectional overrides removed.

Streamlit rule: catalogue and user text goes into text elements (``st.text``,
``st.dataframe``, option labels of select boxes) as it is, or into Markdown-rendering
elements only through :func:`markdown`.
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["html", "json_text", "markdown", "plain", "plotly", "terminal"]

# ESC-introduced sequences: CSI (ESC [ … final), OSC / DCS / SOS / PM / APC (ended by BEL or
# ESC \ or running to the end), and two-character escapes. The bodies are bounded character
# classes, so matching is linear in the length of the text.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC (8-bit forms below)
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|\x1b[ -/]*[0-~]?"  # other escapes (charset selection, keypad modes …)
)
# bidirectional embeddings, overrides and isolates: they reorder what is shown around them
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "]")
_CONTROL_KEEP_NOTHING = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + "]")
_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")

# characters that are markup anywhere in a line (CommonMark, GitHub tables, raw HTML and
# Streamlit's :colour[…] / :icon: / $math$ / ~strike~). A ":" followed by text is escaped
# too (it starts Streamlit icons and bare-URL autolinks such as https://…), and so is the
# dot of "www." (GitHub autolinks it). ( ) are escaped although [ already is: "](" never
# appears, whatever a renderer's link rules.
_INLINE = re.compile(r"([\\`*_{}\[\]()<>|~$&]|:(?=\S))|(?<![^\W_])(www)(\.)", re.IGNORECASE)
# markup only at the start of a line: headings, quotes, list items, setext underlines
_LINE_START = re.compile(r"^( *)(?:([#>+=-])|([0-9]{1,9})([.)])(?!\S))")


def plain(text: object, *, multiline: bool = False) -> str:
    r"""Text without escape sequences, control characters or bidirectional overrides.

    Parameters
    ----------
    text : object
        Any value; it is converted with :func:`str`.
    multiline : bool
        Keep line breaks (normalised to ``\n``); otherwise every run of whitespace,
        line breaks included, becomes one space.

    Returns
    -------
    str
        The printable text. Tabs become spaces.

    """
    out = _ESCAPES.sub("", str(text)).replace("\t", " ")
    if multiline:
        out = _NEWLINES.sub("\n", out)
        return _CONTROL.sub("", out)
    return " ".join(_CONTROL_KEEP_NOTHING.sub(" ", out).split())


def terminal(text: object, *, multiline: bool = True) -> str:
    """Text safe to print on a terminal: nothing in it can move the cursor, recolour or link.

    Parameters
    ----------
    text : object
        The whole output or one value; converted with :func:`str`.
    multiline : bool
        Keep line breaks (the default, for whole outputs); ``False`` flattens one value
        onto one line.

    Returns
    -------
    str
        The text with escape sequences, C0/C1 control characters (other than the kept
        newlines) and bidirectional overrides removed.

    """
    if multiline:
        return plain(text, multiline=True)
    return plain(text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f" + _BIDI + "\u2028\u2029]")


def json_text(text: str) -> str:
    r"""A JSON document with the characters a terminal acts on written as ``\uXXXX``.

    :func:`json.dumps` already escapes C0 controls; with ``ensure_ascii=False`` it leaves
    C1 controls and bidirectional overrides raw. Outside strings JSON is ASCII, so the
    replacement only ever happens inside strings and the decoded value is unchanged.

    Parameters
    ----------
    text : str
        A JSON document.

    Returns
    -------
    str
        The same document, safe to print.

    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def markdown(text: object, *, multiline: bool = False) -> str:
    r"""Text Markdown shows exactly as typed: links, images, HTML, emphasis and pipes inert.

    Parameters
    ----------
    text : object
        Any value; it is converted with :func:`str`.
    multiline : bool
        Keep the text's line breaks as Markdown hard breaks (for notes); otherwise it is
        put on one line (for table cells, list items and labels).

    Returns
    -------
    str
        The text with every markup character backslash-escaped, safe next to trusted
        formatting (``**{markdown(title)}**``) and at the start of a line.

    """
    if not multiline:
        return _markdown_line(plain(text))
    lines = [_markdown_line(" ".join(line.split())) for line in plain(text, multiline=True).split("\n")]
    # a blank line stays a paragraph break; other breaks are hard breaks (backslash at the end)
    out: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        out.append(line + ("\\" if line and nxt else ""))
    return "\n".join(out).strip("\n")


def _markdown_line(line: str) -> str:
    out = _INLINE.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\.", line)
    return _LINE_START.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2)
                                                    else f"{m.group(3)}\\{m.group(4)}"), out, count=1)


def html(text: object) -> str:
    """Text for HTML element content or a quoted attribute value.

    Parameters
    ----------
    text : object
        Any value; it is converted with :func:`str`.

    Returns
    -------
    str
        Escaped text (``& < > " '``) without control characters or bidirectional overrides;
        line breaks are kept (they are whitespace in HTML).

    """
    return _html.escape(plain(text, multiline=True), quote=True)


def plotly(text: object) -> str:
    """Text for a plotly label or hover text (plotly renders ``<b>``, ``<a href>`` …).

    Parameters
    ----------
    text : object
        Any value; it is converted with :func:`str`.

    Returns
    -------
    str
        One line with ``&``, ``<`` and ``>`` escaped and control characters removed.

    """
    return plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
