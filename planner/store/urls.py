"""Database URLs: telling one from a folder path.

Both stores (learners' records and compiled catalogues) and every entry point that takes
``--catalogue`` or ``--db`` ask this module, so a URL is recognised the same way everywhere.
"""

from __future__ import annotations

__all__ = ["is_store_url"]

_SCHEMES = ("sqlite", "postgresql", "postgres")


def is_store_url(text: str) -> bool:
    """Whether ``text`` names a database (``sqlite:///…``, ``postgresql://…``) rather than a folder.

    Parameters
    ----------
    text : str
        A ``--catalogue`` value, a ``PLANNER_CATALOGUE`` setting or a ``--db`` URL.

    Returns
    -------
    bool
    """
    scheme = text.split(":", 1)[0].split("+", 1)[0].lower() if "://" in text else ""
    return scheme in _SCHEMES
