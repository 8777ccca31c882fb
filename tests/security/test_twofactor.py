"""Two-step verification for the admin (core/twofactor.py): who must use it, enrolment, codes
after the password, recovery codes, the limits on guessing, and the reset of a lost phone.

Each test signs in through the real sign-in forms with a password, as staff do."""

import re
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.core.management import call_command
from django.test import Client

from core import roles
from core.twofactor import ENROL_KEY
from people.factories import UserFactory
from tests.support import ui

PASSWORD = "the-right-password-17"
ADMIN_LOGIN = "/admin/login/"
PUBLIC_LOGIN = "/accounts/login/"
VERIFY = "/admin/two-factor/"
ENROL = "/admin/two-factor/enrol/"
CODES = "/admin/two-factor/recovery-codes/"
# Admin views of every kind: the dashboard, pages, snippets, users, reports, the account.
ADMIN_PATHS = [
    "/admin/",
    "/admin/pages/",
    "/admin/users/",
    "/admin/snippets/",
    "/admin/reports/site-history/",
    "/admin/account/",
]
WRONG_CODE = "000000"


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


def staff(username, *groups, **fields):
    return UserFactory(username=username, password=PASSWORD, groups=list(groups), **fields)


@pytest.fixture
def boss(db):
    """An administrator (superuser)."""
    return staff("boss", is_superuser=True, is_staff=True)


@pytest.fixture
def watcher(db):
    """A supervisor."""
    return staff("watcher", roles.SUPERVISORS)


@pytest.fixture
def writer(db):
    """An editor: offered two-step verification, not required."""
    return staff("writer", roles.EDITORS)


def sign_in(user, path=ADMIN_LOGIN):
    client = Client()
    response = client.post(path, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:2000]
    return client


def enrolled(user):
    """Give ``user`` a confirmed authenticator and two recovery codes; gives them."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery")
    for code in ("abcdefgh", "ijklmnop"):
        StaticToken.objects.create(device=static, token=code)
    return device, ["abcdefgh", "ijklmnop"]


def code_of(device, key=None):
    """The code the phone shows now for ``device`` (or for the hex ``key``)."""
    if key is not None:
        return f"{totp(bytes.fromhex(key)):06d}"
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def redirected_to(response, path):
    return response.status_code == 302 and response["Location"].split("?")[0] == path


def text(response):
    return response.content.decode()


def reaches(client, path):
    """The view answers itself: a page, or its own redirect (a supervisor may not see every
    admin view), never one to the two-step verification."""
    response = client.get(path)
    if response.status_code == 302:
        return "/admin/two-factor/" not in response["Location"]
    return response.status_code == 200


@pytest.mark.django_db
class TestRequiredRoles:
    @pytest.mark.parametrize("who", ["boss", "watcher"])
    def test_without_a_device_every_admin_view_sends_to_enrolment(self, request, who):
        user = request.getfixturevalue(who)
        client = sign_in(user)
        for path in ADMIN_PATHS:
            response = client.get(path)
            assert redirected_to(response, ENROL), path
            assert response["Location"].endswith(f"?next={path}")
        # A form posted to an admin view is refused the same way, and does nothing.
        response = client.post("/admin/account/", {"name_email-first_name": "改名"})
        assert redirected_to(response, ENROL)
        user.refresh_from_db()
        assert user.first_name != "改名"
        # Signing in at the public login changes nothing for the admin.
        client = sign_in(user, PUBLIC_LOGIN)
        assert redirected_to(client.get("/admin/"), ENROL)

    def test_a_wrong_code_at_enrolment_is_refused_and_changes_nothing(self, boss):
        client = sign_in(boss)
        page = client.get(ENROL)
        assert page.status_code == 200
        key = client.session[ENROL_KEY]
        response = client.post(ENROL, {"otp_token": WRONG_CODE, "next": "/admin/"})
        assert response.status_code == 200
        assert ui(
            "zh-hans",
            "That code is not right: nothing was changed. Check that the clock of your "
            "phone is right, and type the code the app shows now.",
        ) in text(response)
        assert not TOTPDevice.objects.exists()
        assert not StaticDevice.objects.exists()
        # The same key waits for the right code; the admin stays shut.
        assert client.session[ENROL_KEY] == key
        assert redirected_to(client.get("/admin/"), ENROL)
        # Letters are no code either.
        response = client.post(ENROL, {"otp_token": "abcdef"})
        assert response.status_code == 200
        assert not TOTPDevice.objects.exists()

    @pytest.mark.parametrize("who", ["boss", "watcher"])
    def test_enrolment_confirms_the_device_and_shows_the_recovery_codes_once(
        self, request, who, clock
    ):
        user = request.getfixturevalue(who)
        client = sign_in(user)
        page = text(client.get(f"{ENROL}?next=/admin/pages/"))
        # The key, as the person types it into the app, and its QR code drawn on the page.
        secret = re.search(r"data-twofactor-secret>([A-Z2-7 ]+)<", page).group(1)
        key = client.session[ENROL_KEY]
        from base64 import b32decode

        assert b32decode(secret.replace(" ", "")).hex() == key
        assert "<svg" in page and "otpauth://totp/" in page

        response = client.post(ENROL, {"otp_token": code_of(None, key), "next": "/admin/pages/"})
        assert redirected_to(response, CODES)
        (device,) = TOTPDevice.objects.filter(user=user)
        assert device.confirmed and device.key == key
        # The recovery codes: shown once, the ones kept.
        shown = text(client.get(response["Location"]))
        codes = sorted(
            c.replace(" ", "") for c in re.findall(r"<li><code>([a-z2-7 ]+)</code></li>", shown)
        )
        kept = sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
        assert len(codes) == settings.TWO_FACTOR_RECOVERY_CODES == 10
        assert codes == kept
        again = client.get(CODES)
        assert again.status_code == 302
        assert not any(code in text(client.get("/admin/")) for code in codes)
        # This session is verified: the admin opens.
        assert client.get("/admin/").status_code == 200
        assert all(reaches(client, path) for path in ADMIN_PATHS)
        assert ENROL_KEY not in client.session

    @pytest.mark.parametrize("who", ["boss", "watcher"])
    def test_the_next_sign_in_asks_for_a_code(self, request, who, clock):
        user = request.getfixturevalue(who)
        device, _codes = enrolled(user)
        client = sign_in(user)
        for path in ADMIN_PATHS:
            assert redirected_to(client.get(path), VERIFY), path
        response = client.post(VERIFY, {"otp_token": WRONG_CODE, "next": "/admin/pages/"})
        assert response.status_code == 200
        assert ui("zh-hans", "That code is not right. Try again.") in text(response)
        assert redirected_to(client.get("/admin/"), VERIFY)

        clock.advance(seconds=5)  # past the wait after a wrong code
        session_before = client.session.session_key
        response = client.post(VERIFY, {"otp_token": code_of(device), "next": "/admin/pages/"})
        assert response.status_code == 302 and response["Location"] == "/admin/pages/"
        assert client.session.session_key != session_before
        for path in ADMIN_PATHS:
            assert reaches(client, path), path
        assert client.get("/admin/").status_code == 200

    def test_a_code_works_once(self, boss, clock):
        device, _codes = enrolled(boss)
        code = code_of(device)
        first = sign_in(boss)
        assert redirected_to(first.post(VERIFY, {"otp_token": code}), "/admin/")
        # Seen over a shoulder, the same code opens nothing.
        second = sign_in(boss)
        response = second.post(VERIFY, {"otp_token": code})
        assert response.status_code == 200
        assert redirected_to(second.get("/admin/"), VERIFY)

    def test_a_recovery_code_works_once(self, boss, clock):
        _device, (code, other) = enrolled(boss)
        client = sign_in(boss)
        # As it is written on paper: in groups, in capitals.
        response = client.post(VERIFY, {"otp_token": f"{code[:4].upper()} {code[4:].upper()}"})
        assert redirected_to(response, "/admin/")
        assert client.get("/admin/").status_code == 200
        assert list(StaticToken.objects.values_list("token", flat=True)) == [other]

        clock.advance(seconds=5)
        client = sign_in(boss)
        response = client.post(VERIFY, {"otp_token": code})
        assert response.status_code == 200
        assert redirected_to(client.get("/admin/"), VERIFY)

    def test_new_recovery_codes_replace_the_old_ones(self, boss, clock):
        device, (old, _other) = enrolled(boss)
        client = sign_in(boss)
        client.post(VERIFY, {"otp_token": code_of(device)})
        status = text(client.get(ENROL))
        assert ui("zh-hans", "Two-step verification is on for your account.") in status
        response = client.post(CODES)
        assert redirected_to(response, CODES)
        shown = text(client.get(response["Location"]))
        codes = re.findall(r"<li><code>([a-z2-7 ]+)</code></li>", shown)
        assert len(codes) == 10
        assert not StaticToken.objects.filter(token=old).exists()

    def test_the_next_address_stays_on_this_site(self, boss, clock):
        device, _codes = enrolled(boss)
        client = sign_in(boss)
        response = client.post(
            VERIFY, {"otp_token": code_of(device), "next": "https://evil.example/admin/"}
        )
        assert redirected_to(response, "/admin/")


@pytest.mark.django_db
class TestOfferedRoles:
    def test_an_editor_is_not_forced_but_may_enrol(self, writer, clock):
        client = sign_in(writer)
        for path in ["/admin/", "/admin/pages/", "/admin/account/"]:
            assert client.get(path).status_code == 200, path
        # The account page offers it.
        assert ENROL in text(client.get("/admin/account/"))
        page = client.get(ENROL)
        assert page.status_code == 200
        key = client.session[ENROL_KEY]
        assert redirected_to(client.post(ENROL, {"otp_token": code_of(None, key)}), CODES)
        assert TOTPDevice.objects.get(user=writer).confirmed

        # From now on the editor is asked too.
        clock.advance(seconds=30)
        client = sign_in(writer)
        assert redirected_to(client.get("/admin/pages/"), VERIFY)
        device = TOTPDevice.objects.get(user=writer)
        assert redirected_to(client.post(VERIFY, {"otp_token": code_of(device)}), "/admin/")
        assert client.get("/admin/pages/").status_code == 200

    def test_an_editor_without_a_device_has_nothing_to_verify(self, writer):
        client = sign_in(writer)
        assert redirected_to(client.get(VERIFY), "/admin/")

    def test_the_public_login_does_not_ask_a_representative(self, db):
        rep = staff("chen", roles.REPRESENTATIVES)
        client = Client()
        response = client.post(PUBLIC_LOGIN, {"username": "chen", "password": PASSWORD})
        assert response.status_code == 302 and "two-factor" not in response["Location"]
        response = client.get(response["Location"])
        assert response.status_code == 200
        assert client.session["_auth_user_id"] == str(rep.pk)


@pytest.mark.django_db
class TestGuessing:
    def test_right_after_a_wrong_code_even_the_right_one_waits(self, boss, clock):
        device, _codes = enrolled(boss)
        client = sign_in(boss)
        client.post(VERIFY, {"otp_token": WRONG_CODE})
        response = client.post(VERIFY, {"otp_token": code_of(device)})
        assert response.status_code == 200
        assert redirected_to(client.get("/admin/"), VERIFY)
        # The device counts in the database: every process of the site sees the wait.
        device.refresh_from_db()
        assert device.throttling_failure_count == 1

    def test_wrong_codes_lock_the_account_out_and_end_the_session(self, boss, clock, caplog):
        device, _codes = enrolled(boss)
        client = sign_in(boss)
        for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
            clock.advance(seconds=2**attempt)  # past each wait, so that every code is tried
            response = client.post(VERIFY, {"otp_token": f"{attempt:06d}"})
        assert response.status_code == 429
        assert "Locking out" in caplog.text
        (attempt,) = AccessAttempt.objects.filter(username="boss")
        assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
        assert "000001" not in attempt.post_data  # the codes typed are not kept
        # The session is over; the right password is refused until the cool-off ends.
        assert client.get("/admin/").status_code == 302
        assert "_auth_user_id" not in client.session
        response = Client().post(ADMIN_LOGIN, {"username": "boss", "password": PASSWORD})
        assert response.status_code == 429

        clock.advance(minutes=16)
        client = sign_in(boss)
        response = client.post(VERIFY, {"otp_token": code_of(device)})
        assert redirected_to(response, "/admin/")


@pytest.mark.django_db
class TestLostPhone:
    def test_reset_two_factor_sends_the_user_to_enrol_again(self, watcher, clock):
        device, _codes = enrolled(watcher)
        client = sign_in(watcher)
        client.post(VERIFY, {"otp_token": code_of(device)})
        assert client.get("/admin/").status_code == 200

        out = StringIO()
        call_command("reset_two_factor", "watcher", stdout=out)
        assert "watcher" in out.getvalue()
        assert not TOTPDevice.objects.filter(user=watcher).exists()
        assert not StaticDevice.objects.filter(user=watcher).exists()
        # The session verified with the lost phone no longer reaches the admin.
        assert redirected_to(client.get("/admin/"), ENROL)

    def test_reset_of_an_unknown_user_fails(self, db):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="nobody"):
            call_command("reset_two_factor", "nobody", stdout=StringIO())


@pytest.mark.django_db
def test_off_only_where_the_settings_say(settings, boss):
    """The tests' own settings leave it off for the tests that are not about it; every other
    settings module has it on."""
    from cms.settings import base

    assert base.TWO_FACTOR_ENFORCED is True
    assert "Supervisors" in base.TWO_FACTOR_REQUIRED_GROUPS
    settings.TWO_FACTOR_ENFORCED = False
    client = sign_in(boss)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_demo_gives_its_administrator_and_supervisor_the_known_key(clock):
    from base64 import b32decode

    from home.management.commands import seed_demo

    out = StringIO()
    command = seed_demo.Command(stdout=out)
    users = command.seed_accounts(password=PASSWORD)
    command.seed_two_factor(users)
    key = b32decode(seed_demo.DEMO_TWO_FACTOR_KEY).hex()
    assert set(
        TOTPDevice.objects.filter(key=key, confirmed=True).values_list("user__username", flat=True)
    ) == {"admin", "supervisor"}
    assert seed_demo.DEMO_TWO_FACTOR_KEY in out.getvalue()
    # An account that set up its own keeps it when the demo is seeded again.
    admin_device = TOTPDevice.objects.get(user__username="admin")
    admin_device.key = "ab" * 20
    admin_device.save()
    command.seed_two_factor(users)
    assert TOTPDevice.objects.get(user__username="admin").key == "ab" * 20
    # The demo's supervisor signs in with a code from the known key.
    client = sign_in(users["supervisor"])
    assert redirected_to(client.get("/admin/"), VERIFY)
    response = client.post(VERIFY, {"otp_token": f"{totp(bytes.fromhex(key)):06d}"})
    assert redirected_to(response, "/admin/")
    assert client.get("/admin/").status_code == 200
