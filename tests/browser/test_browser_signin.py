"""Sign-in end to end: the app configured for OpenID Connect, a real provider running locally.

``oidc-provider-mock`` serves discovery, authorisation, token and userinfo endpoints on
127.0.0.1; the app gets an ``[auth]`` secrets section pointing at it. The browser signs in
as an advisor, sees their name, and signs out again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.browser_support import (
    ARTIFACTS,
    UI_MS,
    auth_secrets,
    require_browser,
    running_app,
    running_oidc_provider,
    sign_in,
)

pytestmark = pytest.mark.browser

ADVISOR = {"sub": "advisor-ada", "name": "Ada Advisor", "email": "ada.advisor@example.org"}


@pytest.fixture(scope="module")
def signed_in_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app requiring sign-in at a local OpenID Connect provider that knows one advisor."""
    require_browser()
    with running_oidc_provider([ADVISOR]) as issuer, running_app(
        secrets_toml=auth_secrets(issuer), name="streamlit-signin", tmp_dir=tmp_path_factory.mktemp("secrets"),
    ) as url:
        yield url


def test_advisor_signs_in_through_the_local_provider_and_out_again(signed_in_app: str, page) -> None:
    from playwright.sync_api import expect

    page.goto(signed_in_app)
    # nothing of the planner before sign-in
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=UI_MS)
    assert page.get_by_text("Route 1", exact=True).count() == 0
    page.screenshot(path=str(ARTIFACTS / "signin.png"))
    sign_in(page, signed_in_app, ADVISOR["sub"])
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Signed in as", exact=False)).to_contain_text(ADVISOR["name"], timeout=UI_MS)
    expect(sidebar.get_by_text(ADVISOR["email"], exact=False)).to_be_visible(timeout=UI_MS)
    # the planner itself now runs
    page.goto(f"{signed_in_app}/plan?target=role:data-analyst")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "signed-in.png"))
    sidebar.get_by_role("button", name="Sign out").click()
    # the provider confirms the end of the session, then sends the browser back to the app
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=UI_MS)
