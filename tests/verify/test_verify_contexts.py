"""The pinned context cache: filled only by an explicit fetch or copy, checked against pins on write and read.

No real network: a local HTTP server in a thread serves the reference copies (or altered
ones), and an opener sends each allow-listed HTTPS URL to it; the server records every
request so that a request outside the allow-list would show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from planner.cli import main
from planner.verify import ContextLoader, Status, verify_file
from planner.verify import contexts as contexts_mod
from planner.verify.contexts import copy_contexts, fetch_contexts, https_opener
from planner.verify.loader import (
    CONTEXT_PINS,
    KNOWN_CONTEXTS,
    MAX_CONTEXT_BYTES,
    SOURCE_NAMES,
    default_context_dir,
    missing_contexts,
)
from tests.conftest import REFERENCE_DIR
from tests.verify_signing import CONTEXT_SOURCES, all_contexts

VALIDATOR = "1edtech-digital-credentials-public-validator/"
OB30 = VALIDATOR + "inspector-vc/src/test/resources/ob30/"
CLR20 = VALIDATOR + "inspector-clr/src/test/resources/clr20/"
CONTEXTS = VALIDATOR + "inspector-vc/src/main/resources/contexts"
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
VERIFYING = [OB30 + "simple.json", OB30 + "complete.json", OB30 + "endorsement-valid.json", CLR20 + "simple.json"]
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def reference_contexts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every pinned context under its cache name, copied from the published copies in the reference folder."""
    return all_contexts(tmp_path_factory.mktemp("reference-contexts"))


def _fixture(relative: str) -> Path:
    path = REFERENCE_DIR / relative
    if not path.is_file():
        pytest.skip(f"reference file not found: {path}")
    return path


def _local_path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"/{parts.netloc}{parts.path}"


class _Server:
    """A local server: ``files`` maps request paths to bytes; ``requests`` records every path asked for."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server calls it by this name
                owner.requests.append(self.path)
                body = owner.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(self, url: str, body: bytes) -> None:
        self.files[_local_path(url)] = body

    def opener(self, url: str, timeout: float):
        """Send an allow-listed HTTPS URL to this server instead of the network."""
        return urllib.request.urlopen(self.base + _local_path(url), timeout=timeout)

    def requested_urls(self) -> set[str]:
        by_path = {_local_path(u): u for u in KNOWN_CONTEXTS}
        unknown = [p for p in self.requests if p not in by_path]
        assert not unknown, f"requests outside the allow-list: {unknown}"
        return {by_path[p] for p in self.requests}


@pytest.fixture
def server(reference_contexts: Path) -> Iterator[_Server]:
    srv = _Server()
    for url in KNOWN_CONTEXTS:
        srv.serve(url, (reference_contexts / KNOWN_CONTEXTS[url]).read_bytes())
    thread = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def _verify_all(folder: Path) -> dict[str, Status]:
    out = {}
    for relative in VERIFYING:
        checked = verify_file(_fixture(relative), loader=ContextLoader(folder), at=AT)
        out[relative] = checked.results[0].status
    return out


def test_pins_match_the_reference_copies(reference_contexts: Path) -> None:
    # every context the planner knows is pinned, and a published copy of each matches its pin
    assert set(CONTEXT_PINS) == set(KNOWN_CONTEXTS)
    for url in KNOWN_CONTEXTS:
        digest = hashlib.sha256((reference_contexts / KNOWN_CONTEXTS[url]).read_bytes()).hexdigest()
        assert digest in CONTEXT_PINS[url], url
    # and every published copy in the reference folder of a context the planner knows is accepted
    names = {n: u for u, n in KNOWN_CONTEXTS.items()}
    names.update({n: u for u, alts in SOURCE_NAMES.items() for n in alts})
    for source in CONTEXT_SOURCES:
        for path in (REFERENCE_DIR / source).iterdir():
            if path.name in names:
                assert hashlib.sha256(path.read_bytes()).hexdigest() in CONTEXT_PINS[names[path.name]], path


def test_fetch_fills_the_cache_and_the_fixtures_verify(server: _Server, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "contexts"
    assert set(_verify_all(cache).values()) == {Status.UNVERIFIABLE}  # nothing cached yet
    outcomes = fetch_contexts(cache, opener=server.opener)
    by_url = {o.url: o.outcome for o in outcomes}
    assert list(by_url) == list(KNOWN_CONTEXTS)
    assert {u for u, o in by_url.items() if o == "fetched"} == set(CONTEXT_PINS)
    # only the pinned allow-listed URLs were asked for, each once
    assert server.requested_urls() == set(CONTEXT_PINS) and len(server.requests) == len(CONTEXT_PINS)
    assert missing_contexts(cache) == ()
    # the signatures are now checked (their https:// issuers are not in any trust list)
    assert set(_verify_all(cache).values()) == {Status.ISSUER_NOT_CONFIRMED}
    # a second run finds everything cached and asks for nothing
    again = fetch_contexts(cache, opener=server.opener)
    assert {o.outcome for o in again if o.url in CONTEXT_PINS} == {"cached"}
    assert len(server.requests) == len(CONTEXT_PINS)


def test_a_tampered_served_context_is_refused_and_not_written(server: _Server, tmp_path: Path) -> None:
    original = server.files[_local_path(OB_303)]
    server.serve(OB_303, original.replace(b'"@protected": true', b'"@protected": false', 1))
    assert server.files[_local_path(OB_303)] != original
    outcomes = {o.url: o for o in fetch_contexts(tmp_path, opener=server.opener)}
    assert outcomes[OB_303].outcome == "refused" and "does not match the pinned" in outcomes[OB_303].detail
    assert not outcomes[OB_303].obtained
    assert not (tmp_path / KNOWN_CONTEXTS[OB_303]).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left
    assert missing_contexts(tmp_path) == (OB_303,)


def test_network_failures_and_oversized_files_are_reported_per_url(server: _Server, tmp_path: Path) -> None:
    del server.files[_local_path(VC2)]
    server.serve(OB_303, b" " * (MAX_CONTEXT_BYTES + 10))
    outcomes = {o.url: o for o in fetch_contexts(tmp_path, opener=server.opener)}
    assert outcomes[VC2].outcome == "failed" and "404" in outcomes[VC2].detail
    assert outcomes[OB_303].outcome == "refused" and "larger than" in outcomes[OB_303].detail
    assert not (tmp_path / KNOWN_CONTEXTS[VC2]).exists() and not (tmp_path / KNOWN_CONTEXTS[OB_303]).exists()
    assert sum(o.outcome == "fetched" for o in outcomes.values()) == len(CONTEXT_PINS) - 2


def test_a_tampered_cache_file_is_refused_when_read(reference_contexts: Path, tmp_path: Path) -> None:
    assert all(o.obtained for o in copy_contexts(reference_contexts, tmp_path))
    assert set(_verify_all(tmp_path).values()) == {Status.ISSUER_NOT_CONFIRMED}
    target = tmp_path / KNOWN_CONTEXTS[VC2]
    target.write_bytes(target.read_bytes() + b"\n")  # still the same JSON, but not the pinned bytes
    assert missing_contexts(tmp_path) == (VC2,)
    loader = ContextLoader(tmp_path)
    result = verify_file(_fixture(OB30 + "simple.json"), loader=loader, at=AT).results[0]
    assert result.status is Status.UNVERIFIABLE
    assert f"context {VC2} refused" in result.reason and "does not match the pinned" in result.reason
    assert VC2 in loader.refused


def test_copy_from_a_validator_checkout_finds_the_contexts(reference_contexts: Path, tmp_path: Path) -> None:
    checkout = REFERENCE_DIR / VALIDATOR
    outcomes = copy_contexts(checkout, tmp_path)
    # the validator keeps the VC, OB, CLR, Data Integrity v1 and Ed25519-2020 contexts, not the others
    folder = checkout / "inspector-vc/src/main/resources/contexts"
    lacking = {u for u, n in KNOWN_CONTEXTS.items()
               if not any((folder / name).is_file() for name in (n, *SOURCE_NAMES.get(u, ())))}
    assert {"https://w3id.org/security/multikey/v1", "https://www.w3.org/ns/credentials/status/v1"} <= lacking
    assert {o.url for o in outcomes if o.outcome == "copied"} == set(CONTEXT_PINS) - lacking
    assert {o.url for o in outcomes if o.outcome == "missing"} == lacking
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(KNOWN_CONTEXTS[u] for u in set(CONTEXT_PINS) - lacking)
    # an altered copy in the source is refused, the cached good one stays
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(reference_contexts / KNOWN_CONTEXTS[VC2], source)
    (source / KNOWN_CONTEXTS[VC2]).write_bytes(b"{}")
    fresh = tmp_path / "fresh"
    outcome = {o.url: o for o in copy_contexts(source, fresh)}
    assert outcome[VC2].outcome == "refused" and not (fresh / KNOWN_CONTEXTS[VC2]).exists()
    assert outcome[OB_303].outcome == "missing"


def test_the_https_opener_refuses_plain_http(server: _Server) -> None:
    with pytest.raises(urllib.error.URLError, match="not HTTPS"):
        https_opener(server.base + _local_path(VC2), 5)
    assert server.requests == []


def test_default_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PLANNER_CONTEXT_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_context_dir() == tmp_path / "stackable-planner" / "contexts"
    assert ContextLoader().directory == tmp_path / "stackable-planner" / "contexts"
    monkeypatch.setenv("PLANNER_CONTEXT_DIR", str(tmp_path / "named"))
    assert default_context_dir() == tmp_path / "named"


def test_cli_fetch_prints_each_url_and_fails_when_a_pinned_one_is_lost(
        server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(contexts_mod, "https_opener", server.opener)
    del server.files[_local_path(VC2)]
    assert main(["verify", "--fetch-contexts", "--contexts", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"{VC2}: failed: HTTP Error 404" in captured.out
    assert f"{OB_303}: fetched: {tmp_path / KNOWN_CONTEXTS[OB_303]}" in captured.out
    assert "1 pinned context(s) could not be obtained" in captured.err
    # the lost one served again: the next run fetches it only, succeeds, and verifies a fixture in the same go
    server.serve(VC2, (REFERENCE_DIR / CONTEXTS / KNOWN_CONTEXTS[VC2]).read_bytes())
    before = len(server.requests)
    simple = _fixture(OB30 + "simple.json")
    # the cache is complete, so the signature is checked: valid, though the issuer is in no trust list (exit 1)
    assert main(["verify", "--fetch-contexts", "--contexts", str(tmp_path), "--at", "2026-01-01", str(simple)]) == 1
    out = capsys.readouterr().out
    assert f"{VC2}: fetched" in out and f"{OB_303}: cached" in out and "signature valid, issuer not confirmed" in out
    assert server.requests[before:] == [_local_path(VC2)]


def test_cli_contexts_from_and_its_errors(reference_contexts: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture) -> None:
    cache = tmp_path / "cache"
    assert main(["verify", "--contexts-from", str(reference_contexts), "--contexts", str(cache)]) == 0
    assert f"{VC2}: copied" in capsys.readouterr().out
    assert main(["verify", "--contexts-from", str(tmp_path / "nowhere")]) == 1
    assert f"--contexts-from {tmp_path / 'nowhere'}: not a folder" in capsys.readouterr().err
    assert main(["verify"]) == 1
    assert "--fetch-contexts" in capsys.readouterr().err
    # a cache folder that cannot be made: a located message, no traceback
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["verify", "--contexts-from", str(reference_contexts), "--contexts", str(blocker / "sub")]) == 1
    err = capsys.readouterr().err
    assert str(blocker / "sub") in err and "Traceback" not in err


def test_the_app_fills_the_cache_once_on_first_use(server: _Server, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.verify.contexts import fill_on_first_use

    monkeypatch.setattr(contexts_mod, "https_opener", server.opener)
    monkeypatch.setattr(contexts_mod, "_FIRST_USE_DONE", set())
    # offline (the first request fails): one try, the rest skipped, nothing written, not tried again
    offline = tmp_path / "offline"
    monkeypatch.setattr(contexts_mod, "https_opener", lambda url, timeout: (_ for _ in ()).throw(
        urllib.error.URLError("Name or service not known")))
    outcomes = fill_on_first_use(offline)
    assert [o.outcome for o in outcomes].count("failed") == 1
    assert {o.outcome for o in outcomes} == {"failed", "skipped"}
    assert fill_on_first_use(offline) == () and missing_contexts(offline) == tuple(KNOWN_CONTEXTS)
    # online: every context fetched and checked against its pin; a complete cache asks for nothing
    monkeypatch.setattr(contexts_mod, "https_opener", server.opener)
    online = tmp_path / "online"
    assert {o.outcome for o in fill_on_first_use(online)} == {"fetched"}
    assert missing_contexts(online) == ()
    before = len(server.requests)
    monkeypatch.setattr(contexts_mod, "_FIRST_USE_DONE", set())
    assert fill_on_first_use(online) == () and len(server.requests) == before
