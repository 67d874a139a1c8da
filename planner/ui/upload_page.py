"""Your own catalogue: upload YAML files or a zip for this session, with located errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from planner.catalogue.loader import ValidationReport, validate_texts
from planner.catalogue.upload import MAX_FILE_BYTES, MAX_TOTAL_BYTES, UploadError, read_upload
from planner.ui.boundary import page_boundary
from planner.ui.state import active_catalogue, remember_upload, use_bundled
from planner.ui.text import md_escape

__all__ = ["page", "problem_rows", "show_validation"]


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


@page_boundary("Your own catalogue")
def page() -> None:
    """Draw the upload page."""
    st.header("Your own catalogue")
    try:
        active = active_catalogue()
        st.info(f"This session uses the catalogue **{md_escape(active.label)}** "
                f"({len(active.catalogue.credentials)} credentials).")
    except Exception as exc:  # a page reports its own failures
        st.error(f"The current catalogue could not be loaded: {md_escape(exc)}")
    st.write(
        "Upload catalogue YAML files or one zip of them. They are validated and used for this session "
        "only; the bundled catalogue is never changed. The format is described by `catalogue/schema.json`."
    )
    st.button("Use the bundled catalogue", key="up_bundled", on_click=use_bundled)
    uploaded = st.file_uploader(
        "Catalogue files", type=["yaml", "yml", "zip"], accept_multiple_files=True, key="up_files",
        max_upload_size=max(1, MAX_TOTAL_BYTES // (1024 * 1024)),  # MB; the browser refuses bigger files
        help=f"At most {MAX_FILE_BYTES // (1024 * 1024)} MB a file and {MAX_TOTAL_BYTES // (1024 * 1024)} MB "
             "in all.",
    )
    if not uploaded:
        return
    try:
        files = read_upload((f.name, f.getvalue()) for f in uploaded)
    except UploadError as exc:
        st.error("The upload was refused:")
        st.dataframe([{"problem": p} for p in exc.problems], hide_index=True, width="stretch")
        return
    try:
        show_validation(files, "upload: " + ", ".join(sorted(f.name for f in uploaded)))
    except Exception as exc:  # validation never raises by contract; say so plainly if it does
        st.error(f"The catalogue could not be checked: {md_escape(exc)}")
