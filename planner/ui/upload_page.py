"""Your own catalogue: upload YAML files or a zip for this session, with located errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from planner.catalogue.loader import ValidationReport, validate_texts
from planner.catalogue.upload import MAX_FILE_BYTES, MAX_TOTAL_BYTES, UploadError, read_upload
from planner.ui.boundary import page_boundary
from planner.ui.state import UPLOAD_REFUSED, active_catalogue, app_catalogue_label, remember_upload, use_bundled
from planner.ui.text import md_escape

__all__ = ["PENDING", "page", "problem_rows", "show_validation"]


def problem_rows(report: ValidationReport) -> list[dict[str, Any]]:
    """One row per problem, errors first: severity, file, line, column, field, message.

    Parameters
    ----------
    report : ValidationReport
        From :func:`planner.catalogue.loader.validate_texts`.

    Returns
    -------
    list of dict
        Plain values, shown as text in a table.

    """
    ordered = sorted(report.problems, key=lambda p: p.severity != "error")  # stable: keeps file/line order
    return [{"severity": p.severity, "file": p.file, "line": p.line, "column": p.column, "field": p.field,
             "message": p.message} for p in ordered]


def show_validation(files: Mapping[str, bytes], label: str) -> bool:
    """Validate uploaded catalogue files and show the outcome; True when they can be used.

    Parameters
    ----------
    files : mapping of str to bytes
        What :func:`planner.catalogue.upload.read_upload` returned.
    label : str
        How the catalogue is named once used.

    Returns
    -------
    bool
        Whether the catalogue is valid (a button to use it is then shown).

    """
    with st.spinner("Validating…"):
        report = validate_texts(files)
    rows = problem_rows(report)
    errors = sum(r["severity"] == "error" for r in rows)
    warnings = len(rows) - errors
    if errors or report.catalogue is None:
        st.error(f"{errors} error(s) and {warnings} warning(s): fix the errors and upload again. "
                 "Each row names the file and line.")
        st.dataframe(rows, hide_index=True, width="stretch")
        return False
    cat = report.catalogue
    st.success(f"Valid: {len(cat.credentials)} credentials, {len(cat.roles)} roles, {len(cat.awards)} awards"
               + (f", {warnings} warning(s)." if warnings else "."))
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    # a callback, so the page redraws with the new catalogue already active
    st.button("Use this catalogue for this session", key="up_use", type="primary", on_click=remember_upload,
              args=(dict(files), label))
    return True


#: The newest upload, shown until the next one replaces it: {"label", "files"} or {"label", "problems"}.
PENDING = "up_pending"
_ROUND = "up_round"  # uploads so far: each one gets a fresh uploader, so files never pile up


def _uploader_key() -> str:
    n = st.session_state.get(_ROUND, 0)
    return "up_files" if n == 0 else f"up_files_{n}"


def _take_upload(uploaded: list[Any]) -> None:
    """Read what the uploader holds into PENDING and empty the uploader: a new upload replaces the last."""
    label = "upload: " + ", ".join(sorted(f.name for f in uploaded))
    try:
        files = read_upload((f.name, f.getvalue()) for f in uploaded)
    except UploadError as exc:
        st.session_state[PENDING] = {"label": label, "problems": list(exc.problems)}
    else:
        st.session_state[PENDING] = {"label": label, "files": files}
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1


@page_boundary("Your own catalogue")
def page() -> None:
    """Draw the upload page."""
    st.header("Your own catalogue")
    refused = st.session_state.pop(UPLOAD_REFUSED, None)
    if refused:
        st.error(md_escape(refused))
    try:
        active = active_catalogue()
        st.info(f"This session uses the catalogue **{md_escape(active.label)}** "
                f"({len(active.catalogue.credentials)} credentials).")
    except Exception as exc:  # a page reports its own failures
        st.error(f"The current catalogue could not be loaded: {md_escape(exc)}")
    st.write(
        "Upload catalogue YAML files or one zip of them. They are validated and used for this session "
        "only; the app's catalogue is never changed. The format is described by `catalogue/schema.json`. "
        "Choose all the files of a catalogue together (or one zip): a new upload replaces the previous one."
    )
    st.button(f"Use {app_catalogue_label()}", key="up_bundled", on_click=use_bundled)
    uploaded = st.file_uploader(
        "Catalogue files", type=["yaml", "yml", "zip"], accept_multiple_files=True, key=_uploader_key(),
        max_upload_size=max(1, MAX_TOTAL_BYTES // (1024 * 1024)),  # MB; the browser refuses bigger files
        help=f"At most {MAX_FILE_BYTES // (1024 * 1024)} MB a file and {MAX_TOTAL_BYTES // (1024 * 1024)} MB "
             "in all. A new upload replaces the previous one.",
    )
    if uploaded:
        _take_upload(uploaded)
        st.rerun()  # draws a fresh, empty uploader: the next upload replaces this one
    pending = st.session_state.get(PENDING)
    if not pending:
        return
    st.subheader(md_escape(pending["label"].removeprefix("upload: ")), anchor=False)
    if "problems" in pending:
        st.error("The upload was refused:")
        st.dataframe([{"problem": p} for p in pending["problems"]], hide_index=True, width="stretch")
        return
    try:
        show_validation(pending["files"], pending["label"])
    except Exception as exc:  # validation never raises by contract; say so plainly if it does
        st.error(f"The catalogue could not be checked: {md_escape(exc)}")
