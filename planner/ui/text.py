"""Small helpers every page shares: catalogue text as plain text, and errors a page reports itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

__all__ = ["md_escape", "reported"]

# every character Markdown (and Streamlit's extensions: :colour[], $math$, ~strike~) gives meaning to
_MARKUP = "\\`*_{}[]()#+-.!|<>$~:"


def md_escape(text: object) -> str:
    """Neutralise Markdown and HTML in catalogue text so it shows exactly as typed.

    Parameters
    ----------
    text : object
        Any value; it is converted with :func:`str`.

    Returns
    -------
    str
        The text with every markup character backslash-escaped and line breaks flattened,
        safe to put inside ``st.markdown`` / labels next to trusted formatting.

    """
    out = " ".join(str(text).split())
    for ch in _MARKUP:
        out = out.replace(ch, "\\" + ch)
    return out


@contextmanager
def reported(what: str) -> Iterator[None]:
    """Show a failure inside the block as a plain-language error instead of a traceback.

    Streamlit's own control flow (rerun, stop) derives from ``BaseException`` and passes.
    """
    try:
        yield
    except Exception as exc:  # a page reports its own failures and keeps the rest working
        st.error(f"{what} failed: {exc}" if str(exc) else f"{what} failed ({type(exc).__name__}).")
