"""Forms on cached pages (core/csrf.py): a resident given a blog post, a briefing, a hearing or
the request form from the cache can post on it with no JavaScript and no token; a post from
another site is refused, as is an anonymous one that says nothing of where it comes from."""

import datetime

import pytest
from bs4 import BeautifulSoup

from django.test import Client
from django.utils import timezone

from blog.factories import BlogPageFactory
from core.cache import HEADER
from duty.models import DutyRecord
from hearings.factories import BriefingPageFactory, HearingPageFactory
from opinions.models import Opinion, OpinionState
from tests.support import logged_in

SITE = "http://testserver"
ENGLISH = {"accept-language": "en"}


@pytest.fixture
def caching(settings, site_settings):
    settings.PAGE_CACHE_SECONDS = 300
    return settings


@pytest.fixture
def pages(db, caching):
    now = timezone.now()
    return {
        "blog post": BlogPageFactory(slug="parking"),
        "briefing": BriefingPageFactory(starts_at=now - datetime.timedelta(days=2)),
        "hearing": HearingPageFactory(
            consultation_opens=now - datetime.timedelta(days=1),
            consultation_closes=now + datetime.timedelta(days=5),
            starts_at=now + datetime.timedelta(days=6),
        ),
    }


def opinion(body="建议晚上把小区门口的临时车位开放给居民。"):
    return {"author_name": "3号楼老李", "contact": "", "body": body, "website": ""}


def the_form(response):
    return BeautifulSoup(response.content.decode(), "html.parser").select_one("form[method=post]")


def from_the_cache(path):
    """The page as the second anonymous reader gets it: from the cache."""
    Client().get(path, headers=ENGLISH)
    response = Client().get(path, headers=ENGLISH)
    assert response[HEADER] == "hit"
    return response


@pytest.mark.parametrize("kind", ["blog post", "briefing", "hearing"])
def test_a_resident_posts_an_opinion_from_a_cached_page(pages, kind):
    page = pages[kind]
    form = the_form(from_the_cache(page.url))
    assert form.select_one("input[name=csrfmiddlewaretoken]") is None

    # A browser with no JavaScript sends the form's fields, and says where the form was.
    resident = Client(enforce_csrf_checks=True)
    response = resident.post(form["action"], opinion(), headers={"origin": SITE})

    assert response.status_code == 302
    (kept,) = Opinion.objects.all()
    assert kept.page_id == page.pk
    assert kept.state == OpinionState.PENDING


class TestPostsThatAreRefused:
    def test_from_another_site(self, pages):
        page = pages["blog post"]
        response = Client(enforce_csrf_checks=True).post(
            page.url, opinion(), headers={"origin": "https://evil.example"}
        )
        assert response.status_code == 403
        assert not Opinion.objects.exists()

    def test_from_a_sandboxed_or_privacy_stripped_origin(self, pages):
        response = Client(enforce_csrf_checks=True).post(
            pages["blog post"].url, opinion(), headers={"origin": "null"}
        )
        assert response.status_code == 403
        assert not Opinion.objects.exists()

    def test_from_the_same_host_over_another_scheme(self, pages):
        response = Client(enforce_csrf_checks=True).post(
            pages["blog post"].url, opinion(), headers={"origin": "https://testserver"}
        )
        assert response.status_code == 403
        assert not Opinion.objects.exists()

    def test_saying_nothing_of_where_it_comes_from_and_carrying_no_token(self, pages):
        response = Client(enforce_csrf_checks=True).post(pages["blog post"].url, opinion())
        assert response.status_code == 403
        assert not Opinion.objects.exists()

    def test_a_logged_in_user_still_needs_the_token(self, pages, representative):
        client = logged_in(representative)
        client.handler.enforce_csrf_checks = True
        page = pages["blog post"]
        response = client.post(page.url, opinion(), headers={"origin": SITE})
        assert response.status_code == 403
        assert not Opinion.objects.exists()

        # Their page is rendered for them, with a token, which is accepted.
        form = the_form(client.get(page.url, headers=ENGLISH))
        token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]
        response = client.post(
            page.url, {**opinion(), "csrfmiddlewaretoken": token}, headers={"origin": SITE}
        )
        assert response.status_code == 302
        assert Opinion.objects.count() == 1

    def test_the_admin_login_still_needs_the_token(self, caching, superuser):
        response = Client(enforce_csrf_checks=True).post(
            "/admin/login/",
            {"username": superuser.username, "password": "password"},
            headers={"origin": SITE},
        )
        assert response.status_code == 403


def test_a_resident_files_a_request_from_the_cached_form(caching):
    form = the_form(from_the_cache("/duty/request/"))
    assert form.select_one("input[name=csrfmiddlewaretoken]") is None
    response = Client(enforce_csrf_checks=True).post(
        "/duty/request/",
        {
            "resident_name": "李秀英",
            "resident_contact": "13712345678",
            "place": "5号楼2单元",
            "category": "repair",
            "request": "楼道灯不亮，晚上上下楼很危险。",
            "website": "",
        },
        headers={"origin": SITE},
    )
    assert response.status_code == 302
    assert DutyRecord.objects.count() == 1

    refused = Client(enforce_csrf_checks=True).post(
        "/duty/request/", {"request": "x"}, headers={"origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    assert DutyRecord.objects.count() == 1
