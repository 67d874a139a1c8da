"""Your own catalogue: upload YAML files or a zip for this session, with located errors."""

from __future__ import annotations

import streamlit as st

from planner.catalogue import validate_texts
from planner.ui.state import active_catalogue, remember_upload, use_bundled
from planner.upload import MAX_TOTAL_BYTES, UploadError, read_upload

__all__ = ["page"]


def page() -> None:
    """Draw the upload page."""
    st.header("Your own catalogue")
    try:
        active = active_catalogue()
        st.info(f"This session uses the catalogue **{active.label.replace('*', '')}** "
                f"({len(active.catalogue.credentials)} credentials).")
    except Exception as exc:  # a page reports its own failures
        st.error(f"The current catalogue could not be loaded: {exc}")
    st.write(
        "Upload catalogue YAML files or one zip of them. They are validated and used for this session "
        "only; the bundled catalogue is never changed. The format is described by `catalogue/schema.json`."
    )
    uploaded = st.file_uploader(
        "Catalogue files", type=["yaml", "yml", "zip"], accept_multiple_files=True, key="up_files",
        help=f"At most {MAX_TOTAL_BYTES // (1024 * 1024)} MB in all.",
    )
    c1, c2 = st.columns(2)
    if c2.button("Use the bundled catalogue", key="up_bundled"):
        use_bundled()
        st.success("Back to the bundled catalogue.")
    if not uploaded:
        return
    try:
        files = read_upload((f.name, f.getvalue()) for f in uploaded)
    except UploadError as exc:
        st.error("The upload was refused:")
        st.table([{"problem": p} for p in exc.problems])
        return
    with st.spinner("Validating…"):
        report = validate_texts(files)
    errors = [p for p in report.problems if p.severity == "error"]
    warnings = [p for p in report.problems if p.severity == "warning"]
    rows = [{"severity": p.severity, "file": p.file, "line": p.line, "field": p.field, "message": p.message}
            for p in [*errors, *warnings]]
    if errors:
        st.error(f"{len(errors)} error(s) and {len(warnings)} warning(s): fix the errors and upload again.")
        st.dataframe(rows, hide_index=True, width="stretch")
        return
    st.success(f"Valid: {len(report.catalogue.credentials)} credentials, {len(report.catalogue.roles)} roles"
               + (f", {len(warnings)} warning(s)." if warnings else "."))
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    if c1.button("Use this catalogue for this session", key="up_use", type="primary"):
        names = ", ".join(sorted(f.name for f in uploaded))
        remember_upload(files, f"upload: {names}")
        st.success("This session now plans on your catalogue.")
