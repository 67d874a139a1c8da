"""The one JSON-LD document loader: known context URLs read from a local cache, never the network.

Verifying a Data Integrity proof needs the JSON-LD contexts a credential names. Fetching
them at verification time would let whoever serves a context change what a signature
means, and would make verification depend on the network; so only the URLs in
:data:`KNOWN_CONTEXTS` are loaded, each from a file of the context cache directory.

The cache directory is ``PLANNER_CONTEXT_DIR`` (or the ``directory`` argument). The product
does not ship the context files: point the variable at a folder holding them (for example
1EdTech's validator's ``inspector-vc/src/main/resources/contexts/``). A URL that is not
known, or whose file is absent, is recorded in :attr:`ContextLoader.missing` and the
credential is reported as unverifiable rather than fetched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["CONTEXT_DIR_ENV", "KNOWN_CONTEXTS", "MAX_CONTEXT_BYTES", "ContextLoader", "ContextUnavailableError"]

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

#: largest context or status list file read (bytes)
MAX_CONTEXT_BYTES = 2_000_000


class ContextUnavailableError(Exception):
    """A document the loader may not or cannot provide offline."""

    def __init__(self, url: str) -> None:
        super().__init__(f"context {url} not available offline")
        self.url = url


class ContextLoader:
    """A pyld document loader over an allow-list of URLs mapped to local files.

    Parameters
    ----------
    directory : str or Path, optional
        The context cache directory (default: ``$PLANNER_CONTEXT_DIR``; none means no
        context is available and every signed credential is unverifiable).
    extra : mapping of str to Path, optional
        Further URL -> file pairs, e.g. a status list credential saved locally.

    """

    def __init__(self, directory: str | Path | None = None, extra: Mapping[str, Path] | None = None) -> None:
        if directory is None:
            directory = os.environ.get(CONTEXT_DIR_ENV) or None
        self.directory = Path(directory) if directory else None
        self.extra = dict(extra or {})
        self.missing: list[str] = []
        self._cache: dict[str, Any] = {}

    def path_for(self, url: str) -> Path | None:
        """The local file for ``url``, or None when it is not allowed or not present."""
        if url in self.extra:
            return Path(self.extra[url])
        name = KNOWN_CONTEXTS.get(url)
        if name is None or self.directory is None:
            return None
        path = self.directory / name
        return path if path.is_file() else None

    def load(self, url: str) -> Any:
        """The parsed JSON document at ``url``.

        Raises
        ------
        ContextUnavailableError
            When the URL is not on the allow-list or its file is absent, too large or not JSON.
        """
        if url in self._cache:
            return self._cache[url]
        path = self.path_for(url)
        try:
            if path is None or path.stat().st_size > MAX_CONTEXT_BYTES:
                raise ContextUnavailableError(url)
            document = json.loads(path.read_text(encoding="utf-8"))
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
