"""Logins: the lockout after wrong passwords (django-axes) at both sign-in forms, kept in the
database and lifted by the cool-off; sessions that change key at sign-in, end at sign-out and
end when left idle (core/logins.py)."""

import logging

import pytest
from axes.models import AccessAttempt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from core import roles
from people.factories import UserFactory

PASSWORD = "the-right-password-17"
ADMIN_LOGIN = "/admin/login/"
PUBLIC_LOGIN = "/accounts/login/"
LOGINS = [ADMIN_LOGIN, PUBLIC_LOGIN]


@pytest.fixture
def writer(db):
    return UserFactory(username="writer", password=PASSWORD, groups=[roles.EDITORS])


@pytest.fixture
def chen(db):
    return UserFactory(username="chen", password=PASSWORD, groups=[roles.REPRESENTATIVES])


def credentials(password=PASSWORD, username="writer"):
    return {"username": username, "password": password}


def fail_until_locked(client, login):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(login, credentials("wrong"))
    return response


def session_of(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db
class TestLockout:
    @pytest.mark.parametrize("login", LOGINS)
    def test_wrong_passwords_lock_out_even_the_right_one_and_say_so_in_the_log(
        self, writer, login, caplog
    ):
        client = Client()
        with caplog.at_level(logging.WARNING):
            for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
                assert client.post(login, credentials("wrong")).status_code == 200
            assert "locked out" not in caplog.text
            response = client.post(login, credentials("wrong"))
        assert response.status_code == 429
        # One line that says whom, from where and at which form (axes' own masks them).
        (line,) = [r for r in caplog.records if r.name == "core.logins"]
        assert line.levelno == logging.WARNING
        assert line.getMessage() == f"Login locked out: user 'writer' from 127.0.0.1 at {login}"
        assert client.post(login, credentials()).status_code == 429
        assert "_auth_user_id" not in client.session

    @pytest.mark.parametrize(
        ("locked_at", "tried_at"), [(ADMIN_LOGIN, PUBLIC_LOGIN), (PUBLIC_LOGIN, ADMIN_LOGIN)]
    )
    def test_a_lockout_at_one_form_holds_at_the_other(self, writer, locked_at, tried_at):
        fail_until_locked(Client(), locked_at)
        assert Client().post(tried_at, credentials()).status_code == 429
        assert Client().post(locked_at, credentials()).status_code == 429

    def test_the_lockout_is_kept_in_the_database_that_every_process_shares(self, writer):
        # The database handler: not a process's memory, nor a cache that may be local to it.
        assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
        fail_until_locked(Client(), ADMIN_LOGIN)
        (attempt,) = AccessAttempt.objects.filter(username="writer")
        assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
        # What another process knows: the database alone (no cache, a new client).
        cache.clear()
        assert Client().post(ADMIN_LOGIN, credentials()).status_code == 429
        # Removed behind the site (as `manage.py axes_reset` does), the lockout is gone.
        AccessAttempt.objects.all().delete()
        assert Client().post(ADMIN_LOGIN, credentials()).status_code == 302

    @pytest.mark.parametrize("login", LOGINS)
    def test_the_cool_off_ends_it_and_retrying_does_not_extend_it(self, writer, login, clock):
        client = Client()
        fail_until_locked(client, login)
        clock.advance(minutes=10)
        # A retry during the lockout is refused, and does not start the fifteen minutes again.
        assert client.post(login, credentials("wrong")).status_code == 429
        clock.advance(minutes=4)
        assert client.post(login, credentials()).status_code == 429
        clock.advance(minutes=1, seconds=1)
        assert client.post(login, credentials()).status_code == 302
        assert client.session["_auth_user_id"] == str(writer.pk)

    def test_a_success_clears_the_count(self, writer):
        client = Client()
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            client.post(ADMIN_LOGIN, credentials("wrong"))
        assert client.post(ADMIN_LOGIN, credentials()).status_code == 302
        # A fresh count: one more wrong password does not lock the account.
        assert Client().post(ADMIN_LOGIN, credentials("wrong")).status_code == 200
        assert Client().post(ADMIN_LOGIN, credentials()).status_code == 302


@pytest.mark.django_db
class TestSessions:
    @pytest.mark.parametrize("login", LOGINS)
    def test_signing_in_changes_the_session_key(self, writer, login):
        client = Client()
        before = client.session
        before["seen"] = True
        before.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
        assert client.post(login, credentials()).status_code == 302
        after = session_of(client)
        assert after != before.session_key
        # The key from before the sign-in is gone, not signed in.
        assert not Session.objects.filter(session_key=before.session_key).exists()
        assert Session.objects.get(session_key=after).get_decoded()["_auth_user_id"] == str(
            writer.pk
        )

    @pytest.mark.parametrize(
        ("login", "logout", "protected"),
        [
            (ADMIN_LOGIN, "/admin/logout/", "/admin/"),
            (PUBLIC_LOGIN, "/accounts/logout/", "/admin/"),
        ],
    )
    def test_signing_out_ends_the_session_for_good(self, writer, login, logout, protected):
        client = Client()
        client.post(login, credentials())
        old_key = session_of(client)
        assert client.get(protected).status_code == 200
        assert client.post(logout).status_code == 302
        assert not Session.objects.filter(session_key=old_key).exists()
        # Whoever kept the old cookie (a copy of it) is not signed in with it.
        thief = Client()
        thief.cookies[settings.SESSION_COOKIE_NAME] = old_key
        response = thief.get(protected)
        assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)


@pytest.mark.django_db
class TestIdleSessions:
    @pytest.fixture(autouse=True)
    def idle_timeout(self, settings):
        settings.SESSION_IDLE_SECONDS = 30 * 60

    def test_the_setting_is_on_outside_the_tests(self):
        from cms.settings import base

        assert base.SESSION_IDLE_SECONDS == 30 * 60
        assert "core.logins.IdleTimeoutMiddleware" in base.MIDDLEWARE

    def test_an_idle_admin_session_is_signed_out(self, writer, clock):
        client = Client()
        client.post(ADMIN_LOGIN, credentials())
        key = session_of(client)
        clock.advance(minutes=31)
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)
        assert not Session.objects.filter(session_key=key).exists()

    def test_an_active_session_goes_on(self, writer, clock):
        client = Client()
        client.post(ADMIN_LOGIN, credentials())
        # Two hours, a request every twenty minutes: never idle for thirty.
        for _step in range(6):
            clock.advance(minutes=20)
            assert client.get("/admin/").status_code == 200
        # Then one long pause.
        clock.advance(minutes=30, seconds=1)
        assert client.get("/admin/").status_code == 302

    def test_a_representatives_idle_session_ends_too(self, chen, clock):
        client = Client()
        client.post(PUBLIC_LOGIN, credentials(username="chen"))
        assert client.session["_auth_user_id"] == str(chen.pk)
        clock.advance(minutes=29)
        client.get("/")
        assert client.session["_auth_user_id"] == str(chen.pk)
        clock.advance(minutes=31)
        client.get("/")
        assert "_auth_user_id" not in client.session
