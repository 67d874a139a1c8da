"""Who is acting in this session: the signed-in person, or the local single user.

With no ``[auth]`` section in ``.streamlit/secrets.toml`` the app runs single-user on
localhost and everyone is :data:`planner.store.identity.LOCAL_IDENTITY`. With one, Streamlit's
built-in OpenID Connect sign-in (``st.login``) is required, and the provider's claims
become an :class:`~planner.store.identity.Identity`. Pages ask :func:`acting_identity`, nothing else.
"""

from __future__ import annotations

import streamlit as st

from planner.store.identity import LOCAL_IDENTITY, Identity, SignInError, identity_from_claims
from planner.ui.text import md_escape

__all__ = ["SignInError", "acting_identity", "auth_configured", "identity_from_claims", "require_sign_in"]


def auth_configured() -> bool:
    """Whether sign-in is configured (an ``[auth]`` section in the app's secrets)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or an unreadable one: the local single-user default
        return False


def acting_identity() -> Identity:
    """The person acting in this session; the local user when sign-in is not configured.

    Raises
    ------
    SignInError
        When sign-in is configured but nobody is signed in (pages run only after
        :func:`require_sign_in`, so this means a programming error) or the claims are unusable.
    """
    if not auth_configured():
        return LOCAL_IDENTITY
    if not st.user.is_logged_in:
        raise SignInError("nobody is signed in")
    return identity_from_claims(st.user.to_dict())


def require_sign_in() -> Identity:
    """Show the sign-in screen and stop the run until someone is signed in; then a sign-out button.

    Returns
    -------
    Identity
        The acting person (the local user in single-user mode).
    """
    if not auth_configured():
        st.sidebar.caption("Single-user mode on this computer (no sign-in configured).")
        return LOCAL_IDENTITY
    if not st.user.is_logged_in:
        st.header("Stackable pathway planner")
        st.write("Sign in to see and plan your learners' routes.")
        if st.button("Sign in", type="primary", key="auth_sign_in"):
            st.login()
        st.stop()
    try:
        identity = identity_from_claims(st.user.to_dict())
    except SignInError as exc:
        st.error(f"Sign-in failed: {exc}. Sign out and try again, or ask your administrator.")
        if st.button("Sign out", key="auth_sign_out_failed"):
            st.logout()
        st.stop()
    st.sidebar.caption(f"Signed in as **{md_escape(identity.name or identity.subject)}**"
                       + (f" ({md_escape(identity.email)})" if identity.email and identity.email != identity.name
                          else ""))
    if st.sidebar.button("Sign out", key="auth_sign_out"):
        st.logout()
    return identity

