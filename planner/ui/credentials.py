"""The learner's uploaded Open Badges 3.0 / CLR 2.0 credentials on the Plan page.

The files (JSON, baked PNG / SVG badges, VC-JWT) go through the input layer
(:class:`planner.catalogue.inputs.NamedBytes`) into the same reader and verification the
CLI's ``--have-file`` uses (:func:`planner.verify.holdings.holdings_from_files`), under the
same limits, with the catalogue's trust list confirming issuers; :mod:`planner.verify.review`
matches them to the catalogue and decides what counts. This module only draws: the
uploader, the learner's identifiers, the table, a "count as self-declared" tick for each
unverified credential, and what counts. When the context cache lacks contexts, the first
upload tries once to fill it over the network (:func:`planner.verify.contexts.fill_on_first_use`).

Session state keeps what was read (no bytes): the uploader forgets its files when another
page is shown, the verification is kept until the learner removes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import streamlit as st

from planner.catalogue.inputs import NamedBytes
from planner.catalogue.models import Catalogue, Holding
from planner.ui.text import md_escape
from planner.verify.contexts import fill_on_first_use
from planner.verify.files import MAX_FILE_BYTES
from planner.verify.holdings import holdings_from_files
from planner.verify.loader import missing_contexts
from planner.verify.review import CredentialReview, review_credentials
from planner.verify.trust import TrustList
from planner.verify.words import COUNTS

__all__ = ["DECLARE", "FOUND", "UPLOAD", "credentials_section", "forget", "uploaded_holdings"]

UPLOAD = "vc_files"  # the uploader widget's key, with the generation after it
_GENERATION = "vc_generation"  # a new key empties the uploader (its files cannot be set from code)
# kept across pages by the scenario form's keep_state (prefix "sc_"): what was read, and the ticks
FOUND = "sc_vc_found"  # {"key": (digest, day), "found": FileHoldings}
DECLARE = "sc_vc_declare_"  # + catalogue credential id: counted as self-declared
LEARNER_IDS = "sc_vc_learner_ids"  # the learner's e-mail / DID as badges name them
LABEL = "Add credentials you hold (Open Badges 3.0 / CLR 2.0: JSON, a baked PNG or SVG badge, or a VC-JWT)"
EXPANDER = "Credentials you hold as Open Badges 3.0 / CLR 2.0 files: verified before they count"


def _digest(files: list[NamedBytes]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.data).digest())
    return h.hexdigest()


def _uploader_key() -> str:
    return f"{UPLOAD}_{st.session_state.get(_GENERATION, 0)}"


def forget() -> None:
    """Drop the uploaded credentials, the learner's ticks and the uploader's files (a button callback)."""
    for key in [k for k in st.session_state if isinstance(k, str) and (k == FOUND or k.startswith(DECLARE))]:
        del st.session_state[key]
    st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1


def _when_changed() -> None:
    if not st.session_state.get(_uploader_key()):  # every file removed from the uploader
        forget()


def _declared() -> set[str]:
    return {k[len(DECLARE):] for k, v in st.session_state.items()
            if isinstance(k, str) and k.startswith(DECLARE) and v is True}


def _learner_ids() -> tuple[str, ...]:
    text = st.session_state.get(LEARNER_IDS) or ""
    return tuple(part.strip() for part in str(text).replace(";", ",").split(",") if part.strip())


def _review(catalogue: Catalogue) -> CredentialReview | None:
    kept = st.session_state.get(FOUND)
    return review_credentials(kept["found"], catalogue, _learner_ids()) if kept else None


def uploaded_holdings(catalogue: Catalogue) -> tuple[Holding, ...]:
    """The holdings the session's uploaded credentials give (without drawing anything).

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue planned on (a credential it does not have never counts).

    Returns
    -------
    tuple of Holding
        Verified ones, and unverified ones the learner ticked, marked ``declared``.

    """
    review = _review(catalogue)
    return review.holdings(_declared()) if review else ()


def _trust_key(trust: TrustList) -> str:
    return hashlib.sha256(b"".join(k.issuer.encode() + b"\0" + k.key for k in trust.keys)).hexdigest()


def _read(files: list[NamedBytes], day: dt.date, catalogue: Catalogue) -> None:
    trust = TrustList.from_providers(catalogue.providers)  # the catalogue planned on confirms issuers
    key = (_digest(files), day.isoformat(), _trust_key(trust))
    kept = st.session_state.get(FOUND)
    if kept and kept["key"] == key:
        return
    with st.spinner("Verifying the credentials…"):
        fill_on_first_use()  # one try per process; offline it fails at once and verification goes on
        found = holdings_from_files(files, today=day, trust=trust)
    st.session_state[FOUND] = {"key": key, "found": found}


def credentials_section(catalogue: Catalogue, day: dt.date) -> tuple[Holding, ...]:
    """Draw the uploader and what it found, in an expander; return the holdings that count.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue planned on.
    day : datetime.date
        The day validity is judged at (the plan's start, as the CLI does).

    Returns
    -------
    tuple of Holding
        As :func:`uploaded_holdings`.

    """
    with st.expander(EXPANDER, expanded=FOUND in st.session_state, icon=":material/verified:"):
        return _section(catalogue, day)


def _section(catalogue: Catalogue, day: dt.date) -> tuple[Holding, ...]:
    uploaded = st.file_uploader(
        LABEL, type=["json", "png", "svg", "jwt", "txt"], accept_multiple_files=True, key=_uploader_key(),
        on_change=_when_changed, max_upload_size=max(1, MAX_FILE_BYTES // 1_000_000),
        help="Each credential is checked offline: its signature, that the key is its issuer's (a did:key issuer, "
             "or the keys the catalogue lists for the provider), its validity dates and whether it was revoked. "
             "Verified ones count; one that does not verify counts only if you tick it as self-declared.")
    st.text_input("Your e-mail or DID as your badges name you (optional)", key=LEARNER_IDS,
                  help="When given, a badge issued to someone else is said and never counted as yours.")
    if uploaded:
        _read([NamedBytes(f.name, f.getvalue()) for f in uploaded], day, catalogue)
    review = _review(catalogue)
    if review is None:
        return ()
    if missing_contexts():
        st.warning("This server's JSON-LD context cache lacks contexts credentials need, so a credential that "
                   "needs one cannot be verified here; each can still be counted as self-declared. To fill the "
                   "cache, run `planner verify --fetch-contexts` on the server (offline: "
                   "`planner verify --contexts-from DIR` with a folder of context files), or start the app with "
                   "PLANNER_CONTEXT_DIR naming a folder that holds them.")
    for problem in review.unreadable:
        st.error(md_escape(str(problem)))
    if review.rows:
        # st.table wraps long reasons instead of clipping them, and renders Markdown in cells: escape each
        st.table([{k: md_escape(v) for k, v in row.cells().items()} for row in review.rows], border="horizontal")
    declarable = {row.match: row for row in review.rows if row.declarable and row.match}
    for cid, row in sorted(declarable.items()):
        st.checkbox(f"Count {md_escape(row.match_title)} as self-declared ({md_escape(row.outcome)})",
                    key=DECLARE + cid,
                    help="It did not verify, or not as issued by the credential's provider: it counts on your "
                         "word only, and the plan says so.")
    counted = review.holdings(_declared())
    if counted:
        st.caption("Counted from these files: " + "; ".join(
            f"{md_escape(catalogue.credential(h.credential).title)} ({COUNTS[h.verification]})" for h in counted))
    else:
        st.caption("Nothing from these files counts yet.")
    st.button("Remove the uploaded credentials", key="vc_forget", on_click=forget)
    return counted
