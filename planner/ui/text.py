"""Small helpers every page shares: catalogue text as plain text, and errors a page reports itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from planner.outputs import textsafe

__all__ = ["md_escape", "reported"]

#: Catalogue and user text inside anything Streamlit renders as Markdown (``st.markdown``,
#: ``st.caption``, ``st.warning`` / ``st.error`` / ``st.info`` / ``st.success``, widget and
#: button labels): every markup character escaped, line breaks flattened. Text elements
#: (``st.text``, ``st.dataframe``, select-box options) take the text as it is.
md_escape = textsafe.markdown


@contextmanager
def reported(what: str) -> Iterator[None]:
    """Show a failure inside the block as a plain-language error instead of a traceback.

    Bad input is said in plain (escaped) words; a bug asks to be reported (see
    :func:`planner.ui.boundary.show_failure`). Streamlit's own control flow (rerun, stop)
    derives from ``BaseException`` and passes.
    """
    from planner.ui.boundary import show_failure

    try:
        yield
    except Exception as exc:  # a page reports its own failures and keeps the rest working
        show_failure(what, exc)
