"""Start the real app (and a local OpenID Connect provider) for the headless-browser tests.

* :func:`running_app` — ``streamlit run app.py`` on a free 127.0.0.1 port, optionally with a
  secrets file (sign-in); killed with its process group afterwards.
* :func:`running_oidc_provider` — ``oidc-provider-mock`` (a real OpenID Connect provider for
  tests, from PyPI) on a free port, with predefined users.
* :func:`auth_secrets` — the ``[auth]`` section that points the app at that provider.
* :func:`sign_in` — press "Sign in" in the app and choose a user on the provider's page.
* :func:`settle` — wait until a Streamlit page has finished drawing; :func:`shoot` — a
  screenshot in ``tests/artifacts/`` (and ``$PLANNER_SCREENSHOTS`` when set, to refresh the
  README's pictures).

The fixtures built on these (the plain app, Chromium, a page) are in ``conftest.py``.

Everything runs from the repository as it is; a secrets file is written to a temporary
directory and handed to Streamlit with ``--secrets.files``, so ``.streamlit/`` is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
STARTUP_SECONDS = 120  # a loaded 2-core CI machine imports plotly and streamlit slowly
UI_MS = 120_000  # the longest wait for one step of a page on a loaded 2-core machine
VIEWPORT = {"width": 1400, "height": 1000}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_browser() -> None:
    """Skip the test, with the reason, when Debian's Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (install Debian's 'chromium' package)")
    pytest.importorskip("playwright.sync_api", reason="the 'playwright' Python package is not installed")


def _wait(url: str, proc: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}; see {log}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not ready after {STARTUP_SECONDS} s; see {log}")
        time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> None:
    # the process and anything it started share its own process group
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@contextlib.contextmanager
def running_app(*, secrets_toml: str | None = None, name: str = "streamlit-server",
                tmp_dir: Path | None = None) -> Iterator[str]:
    """Run ``streamlit run app.py`` and yield its base URL (``http://127.0.0.1:PORT``).

    Parameters
    ----------
    secrets_toml
        Text of a secrets file to use instead of ``.streamlit/secrets.toml``; ``{port}`` in
        it is replaced by the app's port (the sign-in redirect URI needs it).
    name
        Name of the server's log file in ``tests/artifacts/``.
    tmp_dir
        Where to write the secrets file (required with ``secrets_toml``).
    """
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"{name}.log"
    args = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
            "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"]
    env = dict(os.environ)
    if secrets_toml is not None:
        if tmp_dir is None:
            raise ValueError("a secrets file needs tmp_dir")
        path = tmp_dir / "secrets.toml"
        path.write_text(secrets_toml.replace("{port}", str(port)), encoding="utf-8")
        args += ["--secrets.files", str(path)]
        env["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the local provider speaks plain http
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait(f"{url}/_stcore/health", proc, "streamlit", log_path)
            yield url
        finally:
            _stop(proc)


@contextlib.contextmanager
def running_oidc_provider(users: Sequence[Mapping[str, str]]) -> Iterator[str]:
    """Run ``oidc-provider-mock`` with predefined users and yield its issuer URL.

    Parameters
    ----------
    users
        Claims of each user; every one needs ``sub`` (``name`` and ``email`` are sent with
        the ``profile`` and ``email`` scopes the app asks for).
    """
    pytest.importorskip("oidc_provider_mock", reason="the 'oidc-provider-mock' package is not installed")
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "oidc-provider.log"
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in users:
        args += ["--user-claims", json.dumps(dict(user))]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            issuer = f"http://127.0.0.1:{port}"
            _wait(f"{issuer}/.well-known/openid-configuration", proc, "oidc-provider-mock", log_path)
            yield issuer
        finally:
            _stop(proc)


def auth_secrets(issuer: str) -> str:
    """The secrets file that makes the app require sign-in at ``issuer`` (``{port}``: the app's port)."""
    return (
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "stackable-planner"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )


def sign_in(page, app_url: str, subject: str, *, timeout_ms: int = 120_000) -> None:
    """Open the app, press "Sign in", and authorise as ``subject`` on the provider's page."""
    page.goto(app_url)
    page.get_by_role("button", name="Sign in").click(timeout=timeout_ms)
    # the provider's authorisation page lists its predefined users as buttons
    page.get_by_role("button", name=subject, exact=True).click(timeout=timeout_ms)
    page.wait_for_url(f"{app_url}/**", timeout=timeout_ms)


def settle(page, *, pause_ms: int = 300, lead_ms: int = 0) -> None:
    """Wait until the page's script has run and its elements are drawn (not grey skeletons).

    ``lead_ms`` first gives a key press or click time to start the script (before it starts
    there is no running indicator to wait for).
    """
    if lead_ms:
        page.wait_for_timeout(lead_ms)
    page.wait_for_load_state("networkidle", timeout=UI_MS)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=UI_MS)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=UI_MS)
    page.wait_for_timeout(pause_ms)


def publish(path: Path) -> None:
    """Copy a picture to ``$PLANNER_SCREENSHOTS`` (relative to the repository) when it is set."""
    extra = os.environ.get("PLANNER_SCREENSHOTS")
    if extra:
        target = ROOT / extra
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)


def shoot(page, name: str, *, full_page: bool = False, grow: bool = False) -> Path:
    """Screenshot to ``tests/artifacts/NAME.png`` (and publish it); the path.

    ``grow`` takes the whole page: Streamlit scrolls inside its main block, so the window
    grows to that block's height for the picture and shrinks back afterwards.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if grow:
        height = page.evaluate(
            "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
        page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(int(height) + 40, 1000), 6000)})
        page.wait_for_timeout(800)
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(VIEWPORT)
    else:
        page.screenshot(path=str(path), full_page=full_page)
    publish(path)
    return path
