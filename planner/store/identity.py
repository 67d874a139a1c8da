"""Who is acting: the signed-in person, or the local single user.

The UI resolves an :class:`Identity` (from OpenID Connect claims, or the local default when
the app runs without sign-in on localhost); the store maps it to a user with a role and
scopes every query by it. Nothing here imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LOCAL_IDENTITY", "Identity"]


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
