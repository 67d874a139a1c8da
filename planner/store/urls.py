"""Database URLs: telling one from a folder path, checking it, and showing it without its password.

Both stores (learners' records and compiled catalogues) and every entry point that takes
``--catalogue``, ``--into`` or ``--database`` ask this module, so a URL is recognised,
checked and shown the same way everywhere. :func:`mask_url` is the one way a URL enters a
message; :func:`redact` takes a password out of text that came from elsewhere (a driver's
own error message).
"""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url

from planner.store.errors import StoreError

__all__ = ["DRIVERS", "DatabaseUrlError", "is_store_url", "mask_url", "parse_url", "redact"]

_SCHEMES = ("sqlite", "postgresql", "postgres")
#: The backends this planner speaks, each with the one driver it uses (what is installed with it).
DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}
MAX_URL = 2000
_USERINFO = re.compile(r"^(?P<head>[A-Za-z][\w+.-]*://[^:/@?#]*):(?P<secret>.*)@(?P<tail>[^@]*)$", re.S)
_QUERY_SECRET = re.compile(r"(?i)([?&](?:password|passwd|pwd|sslpassword|sslkey)=)[^&#]*")
MASK = "***"


class DatabaseUrlError(StoreError, ValueError):
    """A database URL that is malformed or names a backend or driver this planner does not use."""


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


def mask_url(url: str | URL) -> str:
    """``url`` as it may be shown: the password (and any ``password=`` query value) replaced by ``***``.

    Works on text that does not parse as a URL too, and masks generously: everything
    between the user name and the *last* ``@`` is hidden, so a password holding an
    unescaped ``@`` is not half shown.

    Parameters
    ----------
    url : str or sqlalchemy.engine.URL
        The URL, or any text that may be one.

    Returns
    -------
    str

    Examples
    --------
    >>> mask_url("postgresql://planner:s3cret@db.example/planner")
    'postgresql://planner:***@db.example/planner'
    """
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
    match = _USERINFO.match(text)
    if match:
        text = f"{match['head']}:{MASK}@{match['tail']}"
    return _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, text)


def _secrets(url: str | URL) -> set[str]:
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
    found: set[str] = set()
    match = _USERINFO.match(text)
    if match and match["secret"]:
        found.add(match["secret"])
    found.update(m.group(0).split("=", 1)[1] for m in _QUERY_SECRET.finditer(text))
    try:
        parsed = url if isinstance(url, URL) else make_url(text)
        if parsed.password:
            found.add(str(parsed.password))
    except Exception:
        pass
    from urllib.parse import quote

    return {s for s in found | {quote(s, safe="") for s in found} if s}


def redact(message: str, *urls: str | URL | None) -> str:
    """``message`` with every password of ``urls`` replaced by ``***`` (for drivers' own error texts).

    Parameters
    ----------
    message : str
        Text that may quote a password (a driver error, a connection string).
    *urls : str or URL or None
        The URLs whose passwords must not be shown.

    Returns
    -------
    str
    """
    for url in urls:
        if url is None:
            continue
        for secret in sorted(_secrets(url), key=len, reverse=True):
            if len(secret) >= 4:
                message = message.replace(secret, MASK)
            else:  # a very short password: only where it stands as one, not inside every word
                message = re.sub(rf"(:|password=|pwd=){re.escape(secret)}(@|&|\s|$)", rf"\g<1>{MASK}\g<2>", message)
    return message


def parse_url(text: str | URL) -> URL:
    """Check a database URL and return it with the driver this planner uses.

    ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://`` (psycopg 3, installed
    with the planner); ``sqlite://`` (in memory) and ``sqlite:///FILE`` stay as they are.

    Parameters
    ----------
    text : str or URL
        The URL as the user gave it.

    Returns
    -------
    sqlalchemy.engine.URL

    Raises
    ------
    DatabaseUrlError
        Located at the (masked) URL: not a URL, another database, another driver, a port
        out of range, or control characters.
    """
    shown = mask_url(text)
    raw = text.render_as_string(hide_password=False) if isinstance(text, URL) else str(text)
    if len(raw) > MAX_URL:
        raise DatabaseUrlError(f"database URL {shown[:80]}…: longer than {MAX_URL} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise DatabaseUrlError(f"database URL {shown!r}: holds control characters")
    try:
        url = text if isinstance(text, URL) else make_url(raw)
        port = url.port
    except Exception as exc:
        raise DatabaseUrlError(f"database URL {shown}: not a valid URL ({redact(str(exc), raw)})") from None
    backend = {"postgres": "postgresql"}.get(url.get_backend_name(), url.get_backend_name())
    if backend not in DRIVERS:
        raise DatabaseUrlError(f"database URL {shown}: unsupported database '{backend}'; "
                               "use sqlite:///FILE or postgresql://USER@HOST/DATABASE")
    driver = url.get_driver_name() if "+" in url.drivername else DRIVERS[backend]
    if driver != DRIVERS[backend]:
        raise DatabaseUrlError(f"database URL {shown}: unsupported driver '{driver}' for {backend}; "
                               f"this planner uses {backend}+{DRIVERS[backend]}")
    if port is not None and not 0 < port < 65536:
        raise DatabaseUrlError(f"database URL {shown}: port {port} is out of range (1-65535)")
    if backend == "postgresql" and not url.database:
        raise DatabaseUrlError(f"database URL {shown}: names no database (postgresql://USER@HOST/DATABASE)")
    return url.set(drivername=f"{backend}+{driver}") if backend == "postgresql" else url
