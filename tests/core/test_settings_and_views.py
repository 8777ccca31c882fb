"""Production settings, the client's address, and the project's own views and error pages.

The production settings read the environment when they are imported, so each case runs in
a fresh interpreter with exactly the environment it names.
"""

import json
import secrets
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from axes.models import AccessAttempt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.db.models import F
from django.template.loader import get_template
from django.test import Client, RequestFactory

from core.net import client_ip
from home.models import HomePage
from people.factories import UserFactory
from tests.servers import clean_environment


def run_python(*args, **environment):
    env = clean_environment(**environment)
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_environment(**extra):
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "community.example.org, www.community.example.org",
        **extra,
    }


def production_settings(**environment):
    """The production settings a fresh interpreter sees with ``environment``."""
    code = textwrap.dedent(
        """
        import json
        from cms.settings import production as s

        print(json.dumps({
            "DEBUG": s.DEBUG,
            "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
            "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
            "CACHES": s.CACHES,
            "SESSION_ENGINE": getattr(s, "SESSION_ENGINE", None),
            "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
            "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
            "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
            "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
            "STORAGES": s.STORAGES,
            "DATABASES": s.DATABASES,
            "MEDIA_ROOT": str(s.MEDIA_ROOT),
            "TRUSTED_PROXIES": s.TRUSTED_PROXIES,
            "WAGTAILADMIN_BASE_URL": s.WAGTAILADMIN_BASE_URL,
        }))
        """
    )
    result = run_python("-c", code, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# Production settings ------------------------------------------------------------------


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("-c", "import cms.settings.production", ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY in the environment" in result.stderr


def test_production_refuses_an_empty_secret_key():
    result = run_python("-c", "import cms.settings.production", SECRET_KEY="")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_reads_its_environment(tmp_path):
    values = production_settings(
        **production_environment(
            REDIS_URL="redis://cache.internal:6379/1",
            DATABASE_URL="postgres://u@h/dbname",
            MEDIA_ROOT=str(tmp_path / "media"),
        )
    )

    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["community.example.org", "www.community.example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://community.example.org",
        "https://www.community.example.org",
    ]
    assert values["WAGTAILADMIN_BASE_URL"] == "https://community.example.org"

    cache = values["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/1"
    # Several instances behind the load balancer must share sessions.
    assert values["SESSION_ENGINE"] in (
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
        "django.contrib.sessions.backends.db",
    )

    assert tuple(values["SECURE_PROXY_SSL_HEADER"]) == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    # No proxy is believed until the environment names it (TRUSTED_PROXIES).
    assert values["TRUSTED_PROXIES"] == []

    assert (
        values["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "dbname"
    assert database["USER"] == "u"
    assert database["HOST"] == "h"
    assert values["MEDIA_ROOT"] == str(tmp_path / "media")


def test_production_without_redis_keeps_a_local_cache():
    values = production_settings(**production_environment())

    assert values["CACHES"]["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache"
    # Without DATABASE_URL, the embedded default.
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    ("module", "engine"),
    [
        ("cms.settings.dev", "django.db.backends.postgresql"),
        # Django's, with the tests' quicker flush (tests/postgresql/base.py).
        ("cms.settings.test", "tests.postgresql"),
    ],
)
def test_every_settings_module_honours_database_url(module, engine):
    code = f"import json, {module} as s; print(json.dumps(s.DATABASES['default']))"
    result = run_python("-c", code, DATABASE_URL="postgres://u@h/dbname")

    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout.strip().splitlines()[-1])
    assert database["ENGINE"] == engine
    assert database["NAME"] == "dbname"


@pytest.mark.parametrize("module", ["cms.settings.dev", "cms.settings.test"])
def test_an_empty_database_url_means_the_embedded_default(module):
    """``DATABASE_URL=`` (set but empty, as a blank line of an env file leaves it) is the same
    as no DATABASE_URL, not a settings error."""
    code = f"import json, {module} as s; print(json.dumps(s.DATABASES['default']))"
    result = run_python("-c", code, DATABASE_URL=" ")

    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout.strip().splitlines()[-1])
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"].endswith("db.sqlite3")


def test_deploy_check_reports_nothing():
    result = run_python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        **production_environment(),
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_sends_plain_http_to_https_but_not_the_health_check(tmp_path):
    """TLS ends at the proxy: X-Forwarded-Proto tells the site the request was secure."""
    code = textwrap.dedent(
        """
        import json
        import django
        django.setup()
        from django.test import Client

        client = Client(HTTP_HOST="community.example.org")
        plain = client.get("/about/")
        health = client.get("/healthz")
        secure = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
        print(json.dumps({
            "plain": [plain.status_code, plain.get("Location")],
            "health": health.status_code,
            "secure": [secure.status_code, secure.get("Strict-Transport-Security")],
        }))
        """
    )
    result = run_python(
        "-c",
        code,
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        **production_environment(),
    )

    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["plain"] == [301, "https://community.example.org/about/"]
    assert answers["health"] == 200
    assert answers["secure"][0] == 200
    assert "max-age=" in answers["secure"][1]


# The client's address -----------------------------------------------------------------


@pytest.fixture
def rf():
    return RequestFactory()


def test_client_ip_trusts_no_forwarded_header_by_default(rf, settings):
    assert settings.TRUSTED_PROXIES == []
    request = rf.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert client_ip(request) == "198.51.100.9"


def test_client_ip_takes_the_hop_the_trusted_proxy_appended(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    request = rf.get(
        "/",
        REMOTE_ADDR="10.0.0.2",
        # The first entry is whatever the client wrote; the last is what the proxy saw.
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )

    assert client_ip(request) == "203.0.113.7"


def test_client_ip_with_two_trusted_proxies(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="1.2.3.4,203.0.113.7 , 10.0.0.2"
    )

    assert client_ip(request) == "203.0.113.7"


def test_client_ip_without_a_forwarded_header_behind_a_proxy(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.2")

    assert client_ip(request) == "10.0.0.2"


# Health check -------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    # A load balancer must never be answered from a cache.
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("the database is gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert "gone" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_only_answers_reads(client):
    assert client.post("/healthz").status_code == 405


# Language -----------------------------------------------------------------------------


def test_switching_language_sets_the_cookie_and_goes_back(client):
    response = client.get("/language/", {"language": "en", "next": "/about/"})

    assert response.status_code == 302
    assert response["Location"] == "/about/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", ""]
)
def test_switching_language_never_leaves_the_site(client, next_url):
    response = client.get("/language/", {"language": "en", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switching_to_an_unknown_language_sets_no_cookie(client):
    response = client.get("/language/", {"language": "xx", "next": "/about/"})

    assert response.status_code == 302
    assert response["Location"] == "/about/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_switching_language_is_a_plain_link(client):
    assert client.post("/language/", {"language": "en"}).status_code == 405


@pytest.mark.django_db
def test_the_browser_language_chooses_the_page_language(client, home_page):
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/")

    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert chinese.status_code == 200
    assert '<html lang="zh-hans">' in chinese.content.decode()
    # Any cache between the site and the reader must keep the two languages apart.
    vary = {value.strip().lower() for value in english["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


@pytest.mark.django_db
def test_the_language_cookie_wins_over_the_browser(client, home_page):
    client.get("/language/", {"language": "en", "next": "/"})

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert '<html lang="en">' in response.content.decode()


# Error pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_address_answers_the_friendly_404(client, home_page):
    assert not settings.DEBUG, "the error pages are the real ones only with DEBUG off"
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    content = response.content.decode()
    assert "<h1>Page not found</h1>" in content
    assert 'href="/search/"' in content
    # It is the site's own page, with the header and the language switch.
    assert '<html lang="en">' in content
    assert "/language/?language=zh-hans" in content


@pytest.mark.django_db
def test_the_404_speaks_chinese_by_default(client, home_page):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "页面未找到" in response.content.decode()


def test_the_500_template_renders_without_context():
    html = get_template("500.html").render()

    assert "<!DOCTYPE html>" in html
    assert "服务暂时不可用" in html
    assert "Something went wrong" in html
    # Self-contained: nothing to fetch from a static server that may be the one failing.
    assert "<link" not in html
    assert "<script" not in html


@pytest.mark.django_db
def test_a_failing_page_answers_500_with_the_self_contained_page(home_page, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(HomePage, "get_context", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/")

    assert response.status_code == 500
    content = response.content.decode()
    assert "服务暂时不可用" in content
    assert "boom" not in content


# Login protection (django-axes) -------------------------------------------------------

PASSWORD = "the-right-password-17"


@pytest.fixture
def representative(db):
    return UserFactory(username="chen", password=PASSWORD, groups=["Representatives"])


def log_in(client, password, username="chen", **extra):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def test_a_wrong_password_shows_a_clear_error_and_changes_nothing(client, representative):
    response = log_in(client, "wrong")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content
    assert "Please enter a correct username and password" in content
    assert "_auth_user_id" not in client.session
    representative.refresh_from_db()
    assert representative.last_login is None
    assert representative.check_password(PASSWORD)


def test_an_unknown_user_gets_the_same_error(client, representative):
    response = log_in(client, PASSWORD, username="nobody")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert not get_user_model().objects.filter(username="nobody").exists()


def test_the_right_password_logs_in(client, representative):
    response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(representative.pk)
    representative.refresh_from_db()
    assert representative.last_login is not None


def test_five_wrong_passwords_lock_the_account(client, representative):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200
    # The failure that reaches the limit is already answered with the lock...
    assert log_in(client, "wrong").status_code == 429

    # ...and from then on even the right password is refused.
    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many failed logins" in content
    assert "This account has been locked for 15 minutes" in content
    assert "_auth_user_id" not in client.session


def lock_out(client):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429


def age_attempts(minutes):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_the_lock_holds_for_fifteen_minutes(client, representative):
    lock_out(client)
    age_attempts(14)

    assert log_in(client, PASSWORD).status_code == 429


def test_the_lock_lifts_after_fifteen_minutes(client, representative):
    lock_out(client)
    age_attempts(16)

    assert log_in(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(representative.pk)


def test_four_wrong_passwords_do_not_lock(client, representative):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")

    assert log_in(client, PASSWORD).status_code == 302


def test_a_success_resets_the_count(client, representative):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")

    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_holds_one_user_name_only(client, representative):
    UserFactory(username="li", password=PASSWORD)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")

    assert log_in(client, PASSWORD).status_code == 429
    assert log_in(client, PASSWORD, username="li").status_code == 302


def test_a_forged_forwarded_header_does_not_dodge_the_lock(client, representative):
    """With no proxy trusted, X-Forwarded-For is the client's own word and changes nothing."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")

    response = log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_lock_follows_the_forwarded_address(
    client, representative, settings
):
    # The test client's requests come from 127.0.0.1: here, the proxy.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # Another resident behind the same proxy is not locked out with the attacker.
    assert log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302


def test_the_admin_login_is_protected_too(client, representative):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "chen", "password": "wrong"})

    response = client.post("/admin/login/", {"username": "chen", "password": PASSWORD})

    assert response.status_code == 429
