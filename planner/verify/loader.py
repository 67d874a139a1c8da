"""The one JSON-LD document loader: known context URLs read from a local cache, never the network.

Verifying a Data Integrity proof needs the JSON-LD contexts a credential names. Fetching
them at verification time would let whoever serves a context change what a signature
means, and would make verification depend on the network; so only the URLs in
:data:`KNOWN_CONTEXTS` are loaded, each from a file of the context cache directory.

The cache directory is the ``directory`` argument, else ``PLANNER_CONTEXT_DIR``, else the
user cache folder (``$XDG_CACHE_HOME/stackable-planner/contexts``, else
``~/.cache/stackable-planner/contexts``). The product does not ship the context files; an
explicit step fills the cache (``planner verify --fetch-contexts``, or ``--contexts-from DIR``
offline, see :mod:`planner.verify.contexts`). A URL that is not known, or whose file is
absent, is recorded in :attr:`ContextLoader.missing` and the credential is reported as
unverifiable rather than fetched.

Each context with a copy in 1EdTech's validator (``inspector-vc/src/main/resources/contexts/``)
is pinned in :data:`CONTEXT_PINS` by the SHA-256 of that copy's exact bytes: a cached file
that does not match its pin is refused with the reason, never used. The Data Integrity,
Multikey and Ed25519Signature2020 contexts have no such reference copy, so they are left
unpinned: they are read from the cache only when someone put them there, and never fetched
or copied by the planner.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["CONTEXT_DIR_ENV", "CONTEXT_PINS", "KNOWN_CONTEXTS", "MAX_CONTEXT_BYTES", "ContextLoader",
           "ContextUnavailableError", "default_context_dir", "missing_contexts", "pin_problem"]

#: environment variable naming the context cache directory
CONTEXT_DIR_ENV = "PLANNER_CONTEXT_DIR"

#: context URL -> file name in the cache directory (the names 1EdTech's validator uses)
KNOWN_CONTEXTS: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "2018-credentials-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-2.0.1.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json": "clr-v2p0.json",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-2020-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
}

#: context URL -> SHA-256 (hex) of its exact bytes, as 1EdTech's validator keeps it
#: (``inspector-vc/src/main/resources/contexts/``); URLs absent here are unpinned
CONTEXT_PINS: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2":
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    "https://www.w3.org/2018/credentials/v1":
        "3d0b277522ed24385c850b9882b9688687189b8f37a9bd9f1577e348b1019c44",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json":
        "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json":
        "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json":
        "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json":
        "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json":
        "e198d7b517d74c5036434ce495086f67b10244709e9a3df9dcb7f8b1579b6167",
}

#: largest context or status list file read (bytes)
MAX_CONTEXT_BYTES = 2_000_000


def default_context_dir() -> Path:
    """The context cache folder: ``$PLANNER_CONTEXT_DIR``, else the user cache folder.

    Returns
    -------
    Path
        ``$PLANNER_CONTEXT_DIR`` when set, else ``$XDG_CACHE_HOME/stackable-planner/contexts``,
        else ``~/.cache/stackable-planner/contexts`` (it need not exist).

    """
    named = os.environ.get(CONTEXT_DIR_ENV)
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "stackable-planner" / "contexts"


def pin_problem(url: str, data: bytes) -> str | None:
    """Why ``data`` may not stand for the context at ``url``, or None when it matches its pin.

    Parameters
    ----------
    url : str
        A context URL; an unpinned one has no problem to report.
    data : bytes
        The exact bytes offered for it.

    """
    pin = CONTEXT_PINS.get(url)
    if pin is None:
        return None
    digest = hashlib.sha256(data).hexdigest()
    if digest != pin:
        return f"SHA-256 {digest[:16]}… does not match the pinned {pin[:16]}… (altered, or another version)"
    return None


def missing_contexts(directory: str | Path | None = None) -> tuple[str, ...]:
    """The pinned context URLs the cache cannot serve (file absent, too large, or not matching its pin).

    Parameters
    ----------
    directory : str or Path, optional
        The cache folder (default: :func:`default_context_dir`).

    """
    folder = Path(directory) if directory else default_context_dir()
    out = []
    for url in CONTEXT_PINS:
        path = folder / KNOWN_CONTEXTS[url]
        try:
            ok = path.is_file() and path.stat().st_size <= MAX_CONTEXT_BYTES and not pin_problem(url, path.read_bytes())
        except OSError:
            ok = False
        if not ok:
            out.append(url)
    return tuple(out)


class ContextUnavailableError(Exception):
    """A document the loader may not or cannot provide offline."""

    def __init__(self, url: str, reason: str | None = None) -> None:
        super().__init__(f"context {url} refused: {reason}" if reason else f"context {url} not available offline")
        self.url = url
        self.reason = reason


class ContextLoader:
    """A pyld document loader over an allow-list of URLs mapped to local files.

    Parameters
    ----------
    directory : str or Path, optional
        The context cache directory (default: :func:`default_context_dir`).
    extra : mapping of str to Path, optional
        Further URL -> file pairs, e.g. a status list credential saved locally.

    """

    def __init__(self, directory: str | Path | None = None, extra: Mapping[str, Path] | None = None) -> None:
        self.directory = Path(directory) if directory else default_context_dir()
        self.extra = dict(extra or {})
        self.missing: list[str] = []
        #: URL -> why its cached file was refused (e.g. it does not match its pin)
        self.refused: dict[str, str] = {}
        self._cache: dict[str, Any] = {}

    def path_for(self, url: str) -> Path | None:
        """The local file for ``url``, or None when it is not allowed or not present."""
        if url in self.extra:
            return Path(self.extra[url])
        name = KNOWN_CONTEXTS.get(url)
        if name is None:
            return None
        path = self.directory / name
        return path if path.is_file() else None

    def load(self, url: str) -> Any:
        """The parsed JSON document at ``url``.

        Raises
        ------
        ContextUnavailableError
            When the URL is not on the allow-list or its file is absent, too large, not
            matching its pin or not JSON.
        """
        if url in self._cache:
            return self._cache[url]
        path = self.path_for(url)
        try:
            if path is None or path.stat().st_size > MAX_CONTEXT_BYTES:
                raise ContextUnavailableError(url)
            data = path.read_bytes()
            # a status list given as ``extra`` is the user's own file; cached contexts must match their pin
            problem = None if url in self.extra else pin_problem(url, data)
            if problem:
                self.refused[url] = f"cache file {path.name}: {problem}"
                raise ContextUnavailableError(url, self.refused[url])
            document = json.loads(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.missing.append(url)
            raise ContextUnavailableError(url) from exc
        except ContextUnavailableError:
            self.missing.append(url)
            raise
        self._cache[url] = document
        return document

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        """The pyld ``documentLoader`` interface."""
        return {"contextUrl": None, "documentUrl": url, "document": self.load(url),
                "contentType": "application/ld+json"}
