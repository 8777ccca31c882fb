"""Two-step verification in a real browser, and a login lockout across two processes.

The browser tests' site runs the test settings, where two-step verification is off (every other
browser test signs staff in with the password alone). These start a second gunicorn on the same
database with it on (``CMS_TEST_TWO_FACTOR=on``), as production and ``make run`` have it: a
second process of the same site, which also shows that a lockout begun on one is kept on the
other (django-axes counts in the database).
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.support import DEMO_PASSWORD, ZH, check_axe, ui
from tests.servers import free_port, start_gunicorn, stop, wait_until_healthy

SERVER_START_TIMEOUT = 60  # seconds


@pytest.fixture(scope="module")
def enforcing_site(e2e_site):
    """The e2e database served by a second gunicorn, with two-step verification on."""
    env = {**e2e_site.env, "CMS_TEST_TWO_FACTOR": "on"}
    port = free_port()
    log_path = e2e_site.workdir / "gunicorn-two-factor.log"
    server = start_gunicorn(env, log_path, port=port, options=["--threads", "2"])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, log_path, timeout=SERVER_START_TIMEOUT)
        yield url
    finally:
        stop(server)


def make_user(manage_shell, username, superuser=False):
    maker = "create_superuser" if superuser else "create_user"
    manage_shell(
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.{maker}({username!r}, {username + '@community.invalid'!r}, "
        f"{DEMO_PASSWORD!r})"
    )


def sign_in(page, base, username, password=DEMO_PASSWORD):
    page.goto(f"{base}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name=ui(ZH, "Sign in")).click()


def test_an_administrator_enrols_then_signs_in_with_a_recovery_code(
    page, enforcing_site, manage_shell
):
    make_user(manage_shell, "guardian", superuser=True)
    sign_in(page, enforcing_site, "guardian")
    # No admin view before two-step verification is on: the enrolment instead.
    expect(page).to_have_url(re.compile(r"/admin/two-factor/enrol/\?next=/admin/$"))
    expect(
        page.get_by_role("heading", name=ui(ZH, "Turn on two-step verification"))
    ).to_be_visible()
    expect(page.locator(".twofactor-qr svg")).to_be_visible()
    check_axe(page)
    page.goto(f"{enforcing_site}/admin/pages/")
    expect(page).to_have_url(re.compile(r"/admin/two-factor/enrol/"))

    # The phone: the key typed into an authenticator app, which shows the code.
    secret = page.locator("[data-twofactor-secret]").inner_text().replace(" ", "")
    code = f"{totp(b32decode(secret)):06d}"
    page.get_by_label(ui(ZH, "Code")).fill(code)
    page.get_by_role("button", name=ui(ZH, "Confirm")).click()

    expect(page.get_by_role("heading", name=ui(ZH, "Your recovery codes"))).to_be_visible()
    codes = [
        c.replace(" ", "") for c in page.locator("[data-twofactor-codes] code").all_inner_texts()
    ]
    assert len(codes) == 10
    page.get_by_role("link", name=ui(ZH, "I have kept them: continue")).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/$"))

    # Signed out and in again: the code, here a recovery code, before the dashboard.
    page.context.clear_cookies()
    sign_in(page, enforcing_site, "guardian")
    expect(page).to_have_url(re.compile(r"/admin/two-factor/\?next=/admin/$"))
    check_axe(page)
    page.get_by_label(ui(ZH, "Code")).fill("000000")
    page.get_by_role("button", name=ui(ZH, "Verify")).click()
    expect(page.get_by_text(ui(ZH, "That code is not right. Try again."))).to_be_visible()
    page.wait_for_timeout(1100)  # the wait after a wrong code
    page.get_by_label(ui(ZH, "Code")).fill(codes[0])
    page.get_by_role("button", name=ui(ZH, "Verify")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    # The recovery code is used up.
    page.context.clear_cookies()
    sign_in(page, enforcing_site, "guardian")
    page.get_by_label(ui(ZH, "Code")).fill(codes[0])
    page.get_by_role("button", name=ui(ZH, "Verify")).click()
    expect(page).to_have_url(re.compile(r"/admin/two-factor/"))
    expect(page.get_by_text(ui(ZH, "That code is not right. Try again."))).to_be_visible()


def test_a_lockout_on_one_process_holds_on_the_other(page, base_url, enforcing_site, manage_shell):
    make_user(manage_shell, "lockme")
    # Five wrong passwords at the public login of the first process...
    for _attempt in range(5):
        page.goto(f"{base_url}/accounts/login/")
        page.locator("#id_username").fill("lockme")
        page.locator("#id_password").fill("wrong")
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", name=ui(ZH, "Too many failed logins"))).to_be_visible()
    # ...and the right one at the admin of the other: refused all the same.
    sign_in(page, enforcing_site, "lockme")
    expect(page.get_by_role("heading", name=ui(ZH, "Too many failed logins"))).to_be_visible()
