"""``--resolve-issuers``: fetch an issuer's published document over HTTPS, only when asked.

Offline is the default: verification reads no network. When the user asks, an issuer that
is a ``did:web`` (its DID document at ``https://HOST/.well-known/did.json``, or
``https://HOST/PATH/did.json``) or an ``https://`` issuer profile URL is fetched once, over
HTTPS only (redirects only to HTTPS), at most :data:`MAX_DOCUMENT_BYTES`, with a timeout; the
document must name the issuer as its ``id``, and only the keys it lists for assertions
count (:func:`planner.verify.trust.keys_of_document`). Answers are kept for a day in the
user cache folder (``…/stackable-planner/issuers/``) and for the run in memory; a failure
is remembered for the run and said in :attr:`IssuerResolver.failures`.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import time
import urllib.error
import urllib.parse
from pathlib import Path
from typing import Any

from planner.catalogue.inputs import InputError, parse_json, read_bytes
from planner.outputs.writes import WriteError, write_atomic
from planner.verify.contexts import Opener
from planner.verify.trust import MAX_ISSUER_DOCUMENT_BYTES, IssuerDocumentError, TrustList, keys_of_document

__all__ = ["CACHE_SECONDS", "MAX_DOCUMENT_BYTES", "RESOLVE_TIMEOUT", "IssuerResolver", "document_url"]

#: largest issuer document fetched (bytes)
MAX_DOCUMENT_BYTES = MAX_ISSUER_DOCUMENT_BYTES
#: seconds to wait for an issuer's document
RESOLVE_TIMEOUT = 10.0
#: how long a fetched document is reused from the cache folder (seconds)
CACHE_SECONDS = 24 * 3600


def document_url(issuer: str) -> str | None:
    """The HTTPS address of an issuer's published document, or None when it has none.

    ``did:web:HOST`` -> ``https://HOST/.well-known/did.json``; ``did:web:HOST:a:b`` ->
    ``https://HOST/a/b/did.json`` (``%3A`` in HOST is a port); an ``https://`` issuer is its
    own address. Anything else (``http://``, ``urn:``, other DID methods) has none.
    """
    if issuer.startswith("did:web:"):
        parts = issuer[len("did:web:"):].split("#", 1)[0].split(":")
        host = urllib.parse.unquote(parts[0])
        if not host or "/" in host or "@" in host:
            return None
        path = "/".join(urllib.parse.quote(urllib.parse.unquote(p), safe="") for p in parts[1:])
        return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"
    if urllib.parse.urlsplit(issuer).scheme == "https":
        return issuer.split("#", 1)[0]
    return None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "stackable-planner" / "issuers"


class IssuerResolver:
    """Fetches issuers' documents over HTTPS, with a size cap, a timeout and a cache.

    Parameters
    ----------
    opener : callable, optional
        ``opener(url, timeout)`` -> a response with ``read(n)`` usable in ``with`` (default:
        :func:`planner.verify.contexts.https_opener`, HTTPS only).
    timeout : float
        Seconds to wait for each document.
    cache_dir : Path, optional
        Where fetched documents are kept for :data:`CACHE_SECONDS` (default: the user cache
        folder); ``False`` keeps nothing on disk.

    """

    def __init__(self, opener: Opener | None = None, *, timeout: float = RESOLVE_TIMEOUT,
                 cache_dir: Path | bool | None = None) -> None:
        if opener is None:
            from planner.verify.contexts import https_opener

            opener = https_opener
        self.opener = opener
        self.timeout = timeout
        self.cache_dir = None if cache_dir is False else _cache_dir() if cache_dir in (None, True) else cache_dir
        self.memory: dict[str, TrustList] = {}
        #: issuer -> why its document could not be used
        self.failures: dict[str, str] = {}
        #: the addresses asked for, in order (each at most once a run)
        self.fetched: list[str] = []

    def __call__(self, issuer: str) -> TrustList:
        """The keys the issuer's own published document lists for it (empty when none, or on failure)."""
        if issuer in self.memory:
            return self.memory[issuer]
        url = document_url(issuer)
        trust = TrustList()
        if url is None:
            self.failures[issuer] = f"{issuer} has no HTTPS document to resolve (did:web and https:// issuers do)"
        else:
            try:
                document = self._document(url)
                trust = TrustList(tuple(k for k in keys_of_document(document, url).keys if k.issuer == issuer))
                if not trust.keys:
                    self.failures[issuer] = f"{url} is not {issuer}'s document (its id differs)"
            except (IssuerDocumentError, ValueError) as exc:
                self.failures[issuer] = str(exc)
        self.memory[issuer] = trust
        return trust

    def _cache_file(self, url: str) -> Path | None:
        return None if self.cache_dir is None else Path(self.cache_dir) / (hashlib.sha256(url.encode()).hexdigest()
                                                                           + ".json")

    def _document(self, url: str) -> Any:
        cached = self._cache_file(url)
        if cached is not None:
            try:
                if time.time() - cached.stat().st_mtime < CACHE_SECONDS:
                    return parse_json(read_bytes(cached, max_bytes=MAX_DOCUMENT_BYTES).decode("utf-8"), str(cached))
            except (OSError, InputError, UnicodeDecodeError):
                pass
        self.fetched.append(url)
        try:
            with self.opener(url, self.timeout) as response:
                data = response.read(MAX_DOCUMENT_BYTES + 1)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason = exc if isinstance(exc, urllib.error.HTTPError) else getattr(exc, "reason", None) or exc
            raise ValueError(f"{url}: {reason or type(exc).__name__}") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"{url}: larger than {MAX_DOCUMENT_BYTES:,} bytes; not read")
        try:
            text = data.decode("utf-8")
            document = parse_json(text, url)
        except (UnicodeDecodeError, InputError) as exc:
            raise ValueError(f"{url}: not a JSON document ({exc})") from None
        if cached is not None:
            # a cache that cannot be written costs a fetch next time, nothing else
            with contextlib.suppress(OSError, WriteError):
                cached.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(cached, json.dumps(document))
        return document
