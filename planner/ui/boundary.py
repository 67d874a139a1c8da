"""One error boundary per page: bad input gives a plain message, a bug asks to be reported.

Every page function is wrapped in :func:`page_boundary`. What a hostile or broken input can
raise (the planner's own errors, validation errors, numbers or dates out of range, text that
does not decode, files that cannot be read) is shown as a plain, escaped error and the rest
of the app keeps working. Anything else is a bug: the learner sees "internal error, please
report it" with a reference, and the traceback and the page's input (its query parameters)
go to the server log under that reference, never to the page.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from planner.boundary import describe_input_error
from planner.outputs.textsafe import markdown

__all__ = ["page_boundary", "show_failure"]

log = logging.getLogger("planner.ui")

F = TypeVar("F", bound=Callable[..., None])


def show_failure(what: str, exc: BaseException) -> None:
    """Show a failure on the page: the input problem in plain words, or a bug to report.

    Parameters
    ----------
    what : str
        What failed, in words for the user ("The route search", "Drawing the timeline").
    exc : BaseException
        The exception caught.

    """
    message = describe_input_error(exc)  # the CLI's reading of input errors, shared
    if message is not None:
        st.error(f"{markdown(what)} failed: {markdown(message)}")
        return
    ref = uuid.uuid4().hex[:8]
    try:
        query = {k: st.query_params[k] for k in st.query_params}
    except Exception:  # the query itself may be what broke; the log still gets the traceback
        query = {}
    log.error("internal error %s in %s; query parameters %r", ref, what, query, exc_info=exc)
    st.error(f"{markdown(what)} failed: internal error, please report it (reference {ref}). "
             "The rest of the app keeps working.")


def page_boundary(what: str) -> Callable[[F], F]:
    """Wrap a page function so that nothing it raises escapes as a traceback.

    Parameters
    ----------
    what : str
        The page's name, used in the message ("Plan a route").

    Returns
    -------
    callable
        A decorator. Streamlit's own control flow (rerun, stop) derives from
        ``BaseException`` and passes through.

    """
    def wrap(page: F) -> F:
        @functools.wraps(page)
        def run(*args: object, **kwargs: object) -> None:
            try:
                page(*args, **kwargs)
            except Exception as exc:  # the page's one boundary
                show_failure(f"The page '{what}'", exc)

        return run  # type: ignore[return-value]

    return wrap
