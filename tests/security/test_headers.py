"""The security headers: the Content-Security-Policy on public pages, on the admin and on pages
answered from the page cache (core/csp.py, core/cache.py), and what production adds (HSTS,
nosniff, the referrer and opener policies, frames)."""

import base64
import hashlib
import re

import pytest
from csp.constants import NONCE, SELF

from django.conf import settings as django_settings
from django.http import HttpResponse
from django.template.loader import get_template
from django.test import Client, RequestFactory

from core.cache import HEADER, PageCacheMiddleware
from core.csp import CSPMiddleware
from core.models import CommunitySettings
from tests.deploy import production
from tests.support import logged_in

CSP = "Content-Security-Policy"
ENGLISH = {"accept-language": "en"}
ONE_YEAR = 365 * 24 * 60 * 60

# What every page carries, public or admin.
COMMON = {
    "default-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def directives(response):
    """The response's policy as {directive: [sources]}."""
    header = response[CSP]
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in policy, f"{name} twice in {header}"
        policy[name] = sources
    return policy


def assert_no_other_host(policy):
    for name, sources in policy.items():
        for source in sources:
            assert not re.match(r"(https?:|\*|//)", source) and "." not in source.strip("'="), (
                f"{name} names another host: {source}"
            )


@pytest.fixture
def caching(settings, site):
    """The page cache on, as in production (as tests/cache does it)."""
    settings.PAGE_CACHE_SECONDS = 300
    CommunitySettings.for_site(site)
    return settings


class TestPublicPages:
    def test_a_public_page_allows_the_sites_own_files_and_nothing_inline(self, topic):
        response = Client().get(topic.url, headers=ENGLISH)
        assert response.status_code == 200
        policy = directives(response)
        for name, sources in COMMON.items():
            assert policy[name] == sources, name
        assert policy["script-src"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["style-src"][0] == "'self'"
        for name in ("script-src", "style-src"):
            assert "'unsafe-inline'" not in policy[name]
            assert "'unsafe-eval'" not in policy[name]
            assert not any(source.startswith("'nonce-") for source in policy[name])
        assert_no_other_host(policy)

    def test_no_public_page_template_of_ours_holds_inline_script_or_style(self, topic):
        page = Client().get(topic.url, headers=ENGLISH).content.decode()
        assert "<script" not in page
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", page)

    def test_the_server_error_page_style_is_the_one_the_policy_allows(self):
        """500.html is self-contained: its <style> is allowed by its hash, nothing else."""
        source = get_template("500.html").template.source
        (style,) = re.findall(r"<style>(.*?)</style>", source, re.S)
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        allowed = django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
        assert f"'sha256-{digest}'" in allowed, "500.html's <style> changed: update its hash"
        assert "style=" not in source and "<script" not in source

    def test_static_files_carry_the_policy_too(self, db):
        response = Client().get("/static/css/site.css")
        assert response.status_code == 200
        assert directives(response)["script-src"] == ["'self'"]


class TestAdmin:
    def test_the_admin_relaxes_scripts_styles_and_images_only(self, superuser, topic):
        public = directives(Client().get(topic.url, headers=ENGLISH))
        response = logged_in(superuser).get("/admin/")
        assert response.status_code == 200
        policy = directives(response)
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["img-src"] == ["'self'", "data:", "blob:"]
        relaxed = {"script-src", "style-src", "img-src"}
        assert {k: v for k, v in policy.items() if k not in relaxed} == {
            k: v for k, v in public.items() if k not in relaxed
        }
        assert_no_other_host(policy)

    def test_the_admin_login_and_a_page_preview_have_the_admins_policy(self, superuser, topic):
        login = Client().get("/admin/login/")
        assert directives(login)["script-src"] == ["'self'", "'unsafe-inline'"]
        preview = logged_in(superuser).get(f"/admin/pages/{topic.pk}/edit/preview/")
        assert preview.status_code == 200
        assert directives(preview)["frame-ancestors"] == ["'self'"]

    def test_a_public_page_seen_by_a_signed_in_editor_keeps_the_strict_policy(
        self, superuser, topic
    ):
        response = logged_in(superuser).get(topic.url, headers=ENGLISH)
        assert response.status_code == 200
        assert directives(response)["script-src"] == ["'self'"]


class TestMediaElsewhere:
    def test_images_from_the_media_bucket_are_allowed_from_its_host_alone(self, settings):
        """Production with a bucket (and a CDN's name for it): the renditions come from there."""
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "community-media",
                    "custom_domain": "media.community.example",
                },
            },
        }
        chain = CSPMiddleware(lambda request: HttpResponse("ok"))
        public = directives(chain(RequestFactory().get("/blog/")))
        admin = directives(chain(RequestFactory().get("/admin/")))
        assert public["img-src"] == ["'self'", "data:", "https://media.community.example"]
        assert admin["img-src"] == ["'self'", "data:", "blob:", "https://media.community.example"]
        assert public["script-src"] == ["'self'"]

    def test_media_on_the_sites_own_disk_adds_no_host(self, settings):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
        chain = CSPMiddleware(lambda request: HttpResponse("ok"))
        assert directives(chain(RequestFactory().get("/blog/")))["img-src"] == ["'self'", "data:"]


class TestCachedPages:
    def test_a_page_from_the_cache_carries_the_same_policy(self, caching, topic):
        first = Client().get(topic.url, headers=ENGLISH)
        second = Client().get(topic.url, headers=ENGLISH)
        assert (first[HEADER], second[HEADER]) == ("miss", "hit")
        assert second[CSP] == first[CSP]
        assert directives(second)["script-src"] == ["'self'"]
        assert second["X-Content-Type-Options"] == "nosniff"
        assert second["X-Frame-Options"] == first["X-Frame-Options"]

    def test_a_changed_policy_reaches_pages_already_kept(self, caching, topic):
        """The policy is added in front of the page cache, never kept with the page."""
        assert Client().get(topic.url, headers=ENGLISH)[HEADER] == "miss"
        policy = django_settings.CONTENT_SECURITY_POLICY
        caching.CONTENT_SECURITY_POLICY = {
            **policy,
            "DIRECTIVES": {**policy["DIRECTIVES"], "script-src": ["'none'"]},
        }
        kept = Client().get(topic.url, headers=ENGLISH)
        assert kept[HEADER] == "hit"
        assert directives(kept)["script-src"] == ["'none'"]

    def test_a_page_that_used_a_nonce_is_never_kept(self, caching, db):
        """A nonce replayed to the next reader would be a nonce anyone can read in advance."""

        policy = django_settings.CONTENT_SECURITY_POLICY
        caching.CONTENT_SECURITY_POLICY = {
            **policy,
            "DIRECTIVES": {**policy["DIRECTIVES"], "script-src": [SELF, NONCE]},
        }

        def view(request):
            return HttpResponse(f'<script nonce="{request.csp_nonce}">go()</script>')

        chain = CSPMiddleware(PageCacheMiddleware(view))
        answers = [chain(RequestFactory().get("/blog/with-a-script/")) for _ in range(2)]
        nonces = []
        for response in answers:
            assert HEADER not in response
            (nonce,) = re.findall(r'nonce="([^"]+)"', response.content.decode())
            assert f"'nonce-{nonce}'" in directives(response)["script-src"]
            nonces.append(nonce)
        assert nonces[0] != nonces[1]


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    """A response's headers over HTTPS (behind the proxy), and the settings, in production."""
    database = tmp_path_factory.mktemp("headers") / "empty.sqlite3"
    return production.django_code(
        """
        from django.conf import settings
        from django.test import Client

        response = Client(HTTP_HOST="community.example.org").get(
            "/healthz", HTTP_X_FORWARDED_PROTO="https"
        )
        print(json.dumps({
            "headers": dict(response.headers),
            "policy": settings.CONTENT_SECURITY_POLICY,
            "hsts": settings.SECURE_HSTS_SECONDS,
        }, default=str))
        """,
        DATABASE_URL=f"sqlite:///{database}",
    )


class TestProduction:
    def test_hsts_nosniff_referrer_opener_and_frames(self, answer):
        headers = answer["headers"]
        assert answer["hsts"] >= ONE_YEAR
        hsts = headers["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= ONE_YEAR
        assert "includeSubDomains" in hsts
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"

    def test_production_enforces_the_same_policy_as_every_environment(self, answer):
        assert CSP in answer["headers"]
        assert "Content-Security-Policy-Report-Only" not in answer["headers"]
        assert answer["policy"] == {
            "DIRECTIVES": django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        }
        assert "script-src 'self';" in answer["headers"][CSP] + ";"
