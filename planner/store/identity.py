"""Who is acting: the signed-in person, or the local single user.

The UI resolves an :class:`Identity` (from OpenID Connect claims, or the local default when
the app runs without sign-in on localhost); the store maps it to a user with a role and
scopes every query by it. Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["LOCAL_IDENTITY", "Identity", "SignInError", "identity_from_claims"]


@dataclass(frozen=True)
class Identity:
    """A person as the identity provider names them.

    Parameters
    ----------
    issuer : str
        The OpenID Connect issuer (``"local"`` in single-user mode).
    subject : str
        The issuer's stable id for the person (``sub`` claim).
    email : str or None
        E-mail address, when the provider gives one.
    name : str or None
        Display name, when the provider gives one.
    email_verified : bool
        Whether the provider says it checked that the person controls ``email``
        (``email_verified`` claim). Only a verified address of the configured issuer can
        grant a role (:func:`planner.store.access.initial_role`).
    """

    issuer: str
    subject: str
    email: str | None = None
    name: str | None = None
    email_verified: bool = False

    @property
    def key(self) -> str:
        """One string naming the person across issuers."""
        return f"{self.issuer}|{self.subject}"


#: The one user of a local, single-user run (no sign-in configured).
LOCAL_IDENTITY = Identity(issuer="local", subject="local-user", name="Local user")


class SignInError(ValueError):
    """The identity provider's claims do not name a person."""


def identity_from_claims(claims: Mapping[str, object]) -> Identity:
    """Map OpenID Connect claims (the app's sign-in, the API's bearer tokens) to an :class:`Identity`.

    Parameters
    ----------
    claims : mapping
        At least ``iss`` and ``sub``; ``email``, ``email_verified`` and ``name`` when the
        provider sends them.

    Returns
    -------
    Identity
        The person; ``name`` falls back to ``preferred_username`` or the e-mail address.
        The e-mail counts as verified only when ``email_verified`` is true (the JSON value,
        or the string ``"true"`` some providers send); anything else is unverified.

    Raises
    ------
    SignInError
        When ``iss`` or ``sub`` is missing or empty: without both, two people could collide.
    """
    def text(key: str) -> str | None:
        value = claims.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    issuer, subject = text("iss"), text("sub")
    if issuer is None or subject is None:
        missing = " and ".join(k for k, v in (("iss", issuer), ("sub", subject)) if v is None)
        raise SignInError(f"the identity provider did not send {missing}")
    email = text("email")
    name = text("name") or text("preferred_username") or email
    verified = claims.get("email_verified")
    return Identity(issuer=issuer, subject=subject, email=email, name=name,
                    email_verified=email is not None and (verified is True or verified == "true"))
