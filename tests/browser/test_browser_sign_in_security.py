"""Browser flows of sign-in security: an admin is sent to set up the second step, then signs in with a code."""

from __future__ import annotations

import pyotp
import pytest

from organet.auth import secondfactor
from organet.auth.models import SecondFactor
from organet.testing import db_session, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

PASSWORD = "een lange zin als wachtwoord"


def _code(app, user_id: int, step_back: bool = False) -> str:
    with db_session(app) as session:
        factor = session.get(SecondFactor, user_id)
        if step_back:
            factor.last_step -= 4  # as if the last code was a minute ago
        return pyotp.TOTP(secondfactor.secret_of(app.state.site, factor)).now()


def test_admin_sets_up_the_second_step_then_signs_in_with_a_code(make_app, make_user, live_url, page):
    app = make_app(require_second_factor=True)
    root = make_user(app, "root", role="admin", password=PASSWORD)
    base = live_url(app)
    sign_in_page(page, base, "root", PASSWORD)
    assert page.url.endswith("/account/second-factor")
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    page.get_by_label("Code").fill(_code(app, root.id))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved them").click()
    page.wait_for_load_state()
    assert page.url.endswith("/account/security")
    page.get_by_role("button", name="Sign out everywhere").click()
    page.wait_for_load_state()
    sign_in_page(page, base, "root", PASSWORD)
    assert "/login/second-factor" in page.url
    page.get_by_label("Code").fill(_code(app, root.id, step_back=True))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    page.goto(base + "/admin/")
    assert page.url.endswith("/admin/")
