"""Fill the JSON-LD context cache, once and explicitly: from the network or from a folder.

Verification never fetches (see :mod:`planner.verify.loader`); these functions are the
separate step that puts the pinned contexts into the cache. :func:`fetch_contexts` asks
only for the allow-listed URLs, over HTTPS (redirects only to HTTPS), reads at most
:data:`~planner.verify.loader.MAX_CONTEXT_BYTES` with a timeout, and writes a file only
when its bytes match a pin. :func:`copy_contexts` does the same from a local folder, for an
install without network. :func:`fill_on_first_use` is what the app calls: one attempt per
process and cache folder, stopped at the first network failure.
"""

from __future__ import annotations

import http.client
import os
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.catalogue.inputs import InputError, read_bytes
from planner.outputs.writes import WriteError, write_atomic
from planner.verify.loader import (
    KNOWN_CONTEXTS,
    MAX_CONTEXT_BYTES,
    SOURCE_NAMES,
    default_context_dir,
    missing_contexts,
    pin_problem,
)

__all__ = ["ContextOutcome", "Opener", "copy_contexts", "fetch_contexts", "fill_on_first_use", "https_opener"]

#: where a validator checkout keeps its contexts, tried when a folder has them not at its top
VALIDATOR_CONTEXTS = Path("inspector-vc/src/main/resources/contexts")

#: seconds to wait for each context
FETCH_TIMEOUT = 20.0

#: ``opener(url, timeout)`` -> a readable response (closed by the caller via ``with``)
Opener = Callable[[str, float], Any]

# outcomes after which the cache serves the context
_OBTAINED = ("cached", "fetched", "copied")


@dataclass(frozen=True)
class ContextOutcome:
    """What happened to one allow-listed context.

    Attributes
    ----------
    url : str
        The context URL.
    outcome : str
        ``cached`` (already there and matching its pin), ``fetched``, ``copied``,
        ``refused`` (bytes not matching the pin, or too large), ``failed`` (network),
        ``missing`` (not in the source folder) or ``skipped`` (not tried after a network failure).
    detail : str
        The reason or the file written.

    """

    url: str
    outcome: str
    detail: str = ""

    @property
    def obtained(self) -> bool:
        """True when the cache now serves this context."""
        return self.outcome in _OBTAINED

    def describe(self) -> str:
        """``URL: outcome[: detail]`` for a report line."""
        return f"{self.url}: {self.outcome}" + (f": {self.detail}" if self.detail else "")


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect (w3id.org and purl addresses redirect) only to another HTTPS address."""

    max_redirections = 5

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urllib.parse.urlsplit(newurl).scheme != "https":
            raise urllib.error.URLError(f"redirected to {newurl}, which is not HTTPS")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def https_opener(url: str, timeout: float) -> Any:
    """Open ``url`` over HTTPS only (certificate checked), asking for JSON-LD.

    Parameters
    ----------
    url : str
        An ``https://`` address.
    timeout : float
        Seconds to wait for the connection and each read.

    Raises
    ------
    urllib.error.URLError
        When the address is not HTTPS, a redirect leaves HTTPS, or the request fails.

    """
    if urllib.parse.urlsplit(url).scheme != "https":
        raise urllib.error.URLError(f"{url} is not HTTPS")
    # only the handlers needed: no file://, ftp:// or plain http:// handler is installed
    director = urllib.request.OpenerDirector()
    for handler in (urllib.request.HTTPSHandler(context=ssl.create_default_context()), _HttpsOnlyRedirects(),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()):
        director.add_handler(handler)
    request = urllib.request.Request(url, headers={
        "Accept": "application/ld+json, application/json;q=0.9", "User-Agent": "stackable-planner"})
    return director.open(request, timeout=timeout)


def _cached(folder: Path, url: str) -> bool:
    try:
        return pin_problem(url, read_bytes(folder / KNOWN_CONTEXTS[url], max_bytes=MAX_CONTEXT_BYTES)) is None
    except InputError:
        return False


def _store(folder: Path, url: str, data: bytes, done: str) -> ContextOutcome:
    """Write ``data`` for ``url`` when it is within the size cap and matches its pin."""
    if len(data) > MAX_CONTEXT_BYTES:
        return ContextOutcome(url, "refused", f"larger than {MAX_CONTEXT_BYTES} bytes; nothing written")
    problem = pin_problem(url, data)
    if problem:
        return ContextOutcome(url, "refused", f"{problem}; nothing written")
    target = folder / KNOWN_CONTEXTS[url]
    # pinned bytes are UTF-8 JSON, so the text round-trips to the very same bytes
    write_atomic(target, data.decode("utf-8"))
    return ContextOutcome(url, done, os.fspath(target))


def _folder(directory: str | os.PathLike[str] | None) -> Path:
    folder = Path(directory) if directory else default_context_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fetch_contexts(directory: str | os.PathLike[str] | None = None, *, opener: Opener | None = None,
                   timeout: float = FETCH_TIMEOUT, stop_on_failure: bool = False) -> tuple[ContextOutcome, ...]:
    """Download the pinned allow-listed contexts the cache lacks, checking each against its pin.

    Parameters
    ----------
    directory : str or PathLike, optional
        The cache folder (default: :func:`~planner.verify.loader.default_context_dir`); created
        when absent.
    opener : callable, optional
        ``opener(url, timeout)`` returning a response with ``read(n)`` usable in ``with``
        (default: :func:`https_opener`). Only allow-listed, pinned URLs are passed to it.
    timeout : float
        Seconds to wait for each context.
    stop_on_failure : bool
        Try no further URL after a network failure (the rest are ``skipped``).

    Returns
    -------
    tuple of ContextOutcome
        One per allow-listed URL, in :data:`~planner.verify.loader.KNOWN_CONTEXTS` order.

    Raises
    ------
    OSError
        When the cache folder cannot be created.
    planner.outputs.writes.WriteError
        When a checked file cannot be written.

    """
    folder = _folder(directory)
    open_url = opener or https_opener
    out: list[ContextOutcome] = []
    for url in KNOWN_CONTEXTS:
        if _cached(folder, url):
            out.append(ContextOutcome(url, "cached"))
            continue
        if stop_on_failure and any(o.outcome == "failed" for o in out):
            out.append(ContextOutcome(url, "skipped", "not tried after a network failure"))
            continue
        try:
            with open_url(url, timeout) as response:
                data = response.read(MAX_CONTEXT_BYTES + 1)  # one byte more tells an oversized file
        except (OSError, http.client.HTTPException, ValueError) as exc:
            # an HTTP error says its status; other URL errors wrap the cause in .reason
            reason = exc if isinstance(exc, urllib.error.HTTPError) else getattr(exc, "reason", None) or exc
            out.append(ContextOutcome(url, "failed", str(reason) or type(exc).__name__))
            continue
        out.append(_store(folder, url, data, "fetched"))
    return tuple(out)


def copy_contexts(source: str | os.PathLike[str], directory: str | os.PathLike[str] | None = None
                  ) -> tuple[ContextOutcome, ...]:
    """Copy the pinned contexts the cache lacks from a local folder, checking each against its pin.

    Parameters
    ----------
    source : str or PathLike
        A folder of context files under their cache names, or a checkout of 1EdTech's
        validator (its ``inspector-vc/src/main/resources/contexts/`` is looked in too).
    directory : str or PathLike, optional
        The cache folder (default: :func:`~planner.verify.loader.default_context_dir`).

    Returns
    -------
    tuple of ContextOutcome
        One per allow-listed URL, in :data:`~planner.verify.loader.KNOWN_CONTEXTS` order.

    Raises
    ------
    NotADirectoryError
        When ``source`` is not a folder.
    planner.outputs.writes.WriteError
        When a checked file cannot be written.

    """
    origin = Path(source)
    if not origin.is_dir():
        raise NotADirectoryError(20, "not a folder", os.fspath(origin))
    folder = _folder(directory)
    out: list[ContextOutcome] = []
    for url, name in KNOWN_CONTEXTS.items():
        if _cached(folder, url):
            out.append(ContextOutcome(url, "cached"))
            continue
        names = (name, *SOURCE_NAMES.get(url, ()))
        candidates = [place / n for place in (origin, origin / VALIDATOR_CONTEXTS) for n in names]
        found = [p for p in candidates if p.is_file()]
        if not found:
            out.append(ContextOutcome(url, "missing", f"no {name} in {origin}"))
            continue
        # the first copy that matches a pin; else the first one's refusal says why
        outcomes = [_copy_one(folder, url, path) for path in found]
        out.append(next((o for o in outcomes if o.obtained), outcomes[0]))
    return tuple(out)


def _copy_one(folder: Path, url: str, path: Path) -> ContextOutcome:
    try:
        data = read_bytes(path, max_bytes=MAX_CONTEXT_BYTES)
    except InputError as exc:
        return ContextOutcome(url, "refused", str(exc))
    return _store(folder, url, data, "copied")


_FIRST_USE_LOCK = threading.Lock()
_FIRST_USE_DONE: set[str] = set()


def fill_on_first_use(directory: str | os.PathLike[str] | None = None, *, timeout: float = 5.0
                      ) -> tuple[ContextOutcome, ...]:
    """Fetch the contexts the cache lacks, once per process and cache folder (what the app does).

    Parameters
    ----------
    directory : str or PathLike, optional
        The cache folder (default: :func:`~planner.verify.loader.default_context_dir`).
    timeout : float
        Seconds to wait for each context; the first network failure stops the attempt.

    Returns
    -------
    tuple of ContextOutcome
        What happened, or nothing when the cache is complete or this folder was tried before.

    """
    folder = Path(directory) if directory else default_context_dir()
    with _FIRST_USE_LOCK:
        if os.fspath(folder) in _FIRST_USE_DONE or not missing_contexts(folder):
            return ()
        _FIRST_USE_DONE.add(os.fspath(folder))
        try:
            # the module attribute, looked up now: tests replace it with a local server
            return fetch_contexts(folder, opener=https_opener, timeout=timeout, stop_on_failure=True)
        except (OSError, WriteError) as exc:  # a cache folder that cannot be made or written: go on without
            return (ContextOutcome("", "failed", str(exc)),)
