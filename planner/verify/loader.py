"""The one JSON-LD document loader: known context URLs read from a local cache, never the network.

Verifying a Data Integrity proof needs the JSON-LD contexts a credential names. Fetching
them at verification time would let whoever serves a context change what a signature
means, and would make verification depend on the network; so only the URLs in
:data:`KNOWN_CONTEXTS` are loaded, each from a file of the context cache directory, and
each must match its SHA-256 pin (:data:`CONTEXT_PINS`) byte for byte.

The cache directory is the ``directory`` argument, else ``PLANNER_CONTEXT_DIR``, else the
user cache folder (``$XDG_CACHE_HOME/stackable-planner/contexts``, else
``~/.cache/stackable-planner/contexts``). The product does not ship the context files; an
explicit step fills the cache (``planner verify --fetch-contexts``, or ``--contexts-from DIR``
offline, see :mod:`planner.verify.contexts`). A URL that is not known, or whose file is
absent, is recorded in :attr:`ContextLoader.missing` and the credential is reported as
unverifiable, with the URL and the command that fixes it, rather than fetched.

The pins are the SHA-256 of published copies: 1EdTech's validator
(``inspector-vc/src/main/resources/contexts/``) for the VC, Open Badges and CLR contexts,
and Digital Bazaar's context packages for Data Integrity, Multikey, Ed25519Signature2020
and the Bitstring Status List. Where two published copies differ only in white space, both
digests are pinned (the JSON-LD they give is the same).

Status lists are not contexts: a status list file the user names (``--status-list
URL=FILE``) is read by :meth:`ContextLoader.status_list` only, and may never stand for a
context URL.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.catalogue.inputs import InputError, parse_json, read_bytes

__all__ = ["CONTEXT_DIR_ENV", "CONTEXT_PINS", "FIX_HINT", "KNOWN_CONTEXTS", "MAX_CONTEXT_BYTES", "SOURCE_NAMES",
           "ContextLoader", "ContextUnavailableError", "StatusListUnavailableError", "default_context_dir",
           "missing_contexts", "pin_problem"]

#: environment variable naming the context cache directory
CONTEXT_DIR_ENV = "PLANNER_CONTEXT_DIR"

#: what a missing or refused context's reason says to do about it
FIX_HINT = ("run `planner verify --fetch-contexts` once (offline: `planner verify --contexts-from DIR` "
            "with a folder of published context files)")

OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/"
CLR2 = "https://purl.imsglobal.org/spec/clr/v2p0/"

#: context URL -> file name in the cache directory (the names 1EdTech's validator uses)
KNOWN_CONTEXTS: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "2018-credentials-v1.jsonld",
    OB3 + "context-3.0.3.json": "ob-v3p0-3.0.3.json",
    OB3 + "context-3.0.2.json": "ob-v3p0-3.0.2.json",
    OB3 + "context-3.0.1.json": "ob-v3p0-3.0.1.json",
    OB3 + "context.json": "ob-v3p0.json",
    OB3 + "extensions.json": "ob-v3p0-extensions.json",
    CLR2 + "context-2.0.1.json": "clr-v2p0-2.0.1.json",
    CLR2 + "context.json": "clr-v2p0.json",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-2020-v1.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "credentials-status-v1.jsonld",
}

#: other names a published copy of a context goes by (looked for when copying from a folder)
SOURCE_NAMES: dict[str, tuple[str, ...]] = {
    "https://w3id.org/security/suites/ed25519-2020/v1": ("suites-ed25519-2020.jsonld",
                                                         "security-suites-ed25519-2020-v1.jsonld"),
}

#: context URL -> the SHA-256 (hex) digests of its exact bytes that are accepted
CONTEXT_PINS: dict[str, tuple[str, ...]] = {
    "https://www.w3.org/ns/credentials/v2":
        ("59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",),
    "https://www.w3.org/2018/credentials/v1":
        ("3d0b277522ed24385c850b9882b9688687189b8f37a9bd9f1577e348b1019c44",),
    OB3 + "context-3.0.3.json": ("3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84",),
    OB3 + "context-3.0.2.json": ("bba433989e1e700ca60838a3c22378e7d8381aeb0c9590f9ddf84d1714f10296",),
    OB3 + "context-3.0.1.json": ("cfc147db5fd5e3575b06bd471fe04784e92de69296f64a351b8dff0ec3372e9c",),
    OB3 + "context.json": ("b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",),
    OB3 + "extensions.json": ("146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",),
    CLR2 + "context-2.0.1.json": ("880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6",),
    CLR2 + "context.json": ("e198d7b517d74c5036434ce495086f67b10244709e9a3df9dcb7f8b1579b6167",),
    # w3id.org's copy (= the validator's suites-ed25519-2020.jsonld) and the validator's re-indented one
    "https://w3id.org/security/suites/ed25519-2020/v1":
        ("b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
         "67646fbc0d6582ad7fbf08ccf0d3a4bedbb4177fd2d63385de52dc1b092ed6c5"),
    # Digital Bazaar's data-integrity-context, and the validator's copy (same JSON, other white space)
    "https://w3id.org/security/data-integrity/v1":
        ("b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
         "c6e5073f4bd4bf6d08f245736e6f32c29b012860b18583644b2d71e1de862669"),
    "https://w3id.org/security/data-integrity/v2":
        ("0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",),
    "https://w3id.org/security/multikey/v1":
        ("c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",),
    "https://www.w3.org/ns/credentials/status/v1":
        ("fd08cbf28ddd829ab2f1978c48f43ab07a112c1c90245a0cfac7ba721c65170c",),
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
    """Why ``data`` may not stand for the context at ``url``, or None when it matches a pin.

    Parameters
    ----------
    url : str
        A known context URL (an unknown one always has a problem).
    data : bytes
        The exact bytes offered for it.

    """
    pins = CONTEXT_PINS.get(url)
    if pins is None:
        return "not a known context"
    digest = hashlib.sha256(data).hexdigest()
    if digest not in pins:
        return f"SHA-256 {digest[:16]}… does not match the pinned {pins[0][:16]}… (altered, or another version)"
    return None


def _cached_bytes(folder: Path, url: str) -> bytes | None:
    """The bytes of the cache file for ``url`` when it is a regular file within the size cap."""
    try:
        return read_bytes(folder / KNOWN_CONTEXTS[url], max_bytes=MAX_CONTEXT_BYTES)
    except InputError:
        return None


def missing_contexts(directory: str | Path | None = None) -> tuple[str, ...]:
    """The known context URLs the cache cannot serve (file absent, too large, or not matching its pin).

    Parameters
    ----------
    directory : str or Path, optional
        The cache folder (default: :func:`default_context_dir`).

    """
    folder = Path(directory) if directory else default_context_dir()
    out = []
    for url in KNOWN_CONTEXTS:
        data = _cached_bytes(folder, url)
        if data is None or pin_problem(url, data):
            out.append(url)
    return tuple(out)


class ContextUnavailableError(Exception):
    """A document the loader may not or cannot provide offline."""

    def __init__(self, url: str, reason: str | None = None) -> None:
        what = f"context {url} refused: {reason}" if reason else f"context {url} not available offline"
        super().__init__(f"{what}; {FIX_HINT}" if url in KNOWN_CONTEXTS else what)
        self.url = url
        self.reason = reason


class StatusListUnavailableError(Exception):
    """A status list that was not given, or whose file cannot be read."""


class ContextLoader:
    """A pyld document loader over the pinned contexts, and the user's status list files.

    Parameters
    ----------
    directory : str or Path, optional
        The context cache directory (default: :func:`default_context_dir`).
    status_lists : mapping of str to Path, optional
        Status list URL -> a file holding that status list credential (``--status-list``).

    Raises
    ------
    ValueError
        When a status list URL is a context URL: a status list can never replace a context.

    """

    def __init__(self, directory: str | Path | None = None, status_lists: Mapping[str, Path] | None = None) -> None:
        self.directory = Path(directory) if directory else default_context_dir()
        self.status_lists = {url: Path(path) for url, path in (status_lists or {}).items()}
        clash = sorted(set(self.status_lists) & set(KNOWN_CONTEXTS))
        if clash:
            raise ValueError(f"--status-list {clash[0]}: that URL is a JSON-LD context; a status list can never "
                             "stand for a context")
        self.missing: list[str] = []
        #: URL -> why its cached file was refused (e.g. it does not match its pin)
        self.refused: dict[str, str] = {}
        self._cache: dict[str, Any] = {}
        self._lists: dict[str, Any] = {}
        #: pyld's context resolver for this loader (processed contexts, from its pinned files only)
        self.resolved: dict[str, Any] = {}

    def path_for(self, url: str) -> Path | None:
        """The cache file for a known context URL, or None when the URL is not known."""
        name = KNOWN_CONTEXTS.get(url)
        return None if name is None else self.directory / name

    def load(self, url: str) -> Any:
        """The parsed pinned context at ``url``.

        Raises
        ------
        ContextUnavailableError
            When the URL is not on the allow-list, or its file is absent, not a regular
            file, too large, not matching its pin or not JSON.
        """
        if url in self._cache:
            return self._cache[url]
        path = self.path_for(url)
        try:
            if path is None:
                raise ContextUnavailableError(url, "not a context the planner knows (only pinned contexts are read)")
            try:
                data = read_bytes(path, max_bytes=MAX_CONTEXT_BYTES)
            except InputError:
                raise ContextUnavailableError(url) from None
            problem = pin_problem(url, data)
            if problem:
                self.refused[url] = f"cache file {path.name}: {problem}"
                raise ContextUnavailableError(url, self.refused[url])
            try:
                document = json.loads(data.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ContextUnavailableError(url, "not JSON") from None
        except ContextUnavailableError:
            self.missing.append(url)
            raise
        self._cache[url] = document
        return document

    def status_list(self, url: str) -> Any:
        """The status list credential the user gave for ``url`` (a regular file, read with the input limits).

        Raises
        ------
        StatusListUnavailableError
            When no file was given for the URL, or it cannot be read as JSON.
        """
        if url in self._lists:
            return self._lists[url]
        path = self.status_lists.get(url)
        if path is None:
            raise StatusListUnavailableError(f"status list {url} not available offline (give it with "
                                             "--status-list URL=FILE)")
        try:
            document = parse_json(read_bytes(path, max_bytes=MAX_CONTEXT_BYTES).decode("utf-8"), str(path))
        except InputError as exc:
            raise StatusListUnavailableError(f"status list {url}: {exc}") from None
        except UnicodeDecodeError:
            raise StatusListUnavailableError(f"status list {url}: {path} is not UTF-8 text") from None
        self._lists[url] = document
        return document

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        """The pyld ``documentLoader`` interface: pinned contexts only."""
        return {"contextUrl": None, "documentUrl": url, "document": self.load(url),
                "contentType": "application/ld+json"}
