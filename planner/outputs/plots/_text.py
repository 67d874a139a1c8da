"""Catalogue text inside plotly labels: escaped, so it is shown exactly as written."""

from __future__ import annotations

from planner.outputs import textsafe

__all__ = ["escape", "wrap"]

#: Escape ``&``, ``<`` and ``>`` and drop control characters: plotly renders a few HTML tags
#: in labels and hover text. The one rule for plotly text lives in :mod:`planner.outputs.textsafe`.
escape = textsafe.plotly


def wrap(text: str, width: int = 22, lines: int = 3) -> str:
    """A label as at most ``lines`` escaped lines of about ``width`` characters (``…`` when cut)."""
    out: list[str] = []
    line = ""
    for word in textsafe.plain(text).split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "<br>".join(escape(x) for x in out)
