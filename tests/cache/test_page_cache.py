"""The page cache (core/cache.py): anonymous readers are answered from the shared cache, and
nothing of one visitor reaches another."""

import datetime

import pytest
from bs4 import BeautifulSoup

from django.test import Client
from django.utils import timezone

from blog.factories import BlogPageFactory
from core.cache import FIGURE_SECONDS, HEADER, purge, until_purged
from hearings.factories import HearingPageFactory
from opinions.factories import OpinionFactory
from tests.support import logged_in

ENGLISH = {"accept-language": "en"}
CHINESE = {"accept-language": "zh-CN"}


@pytest.fixture
def caching(settings, site_settings):
    """The page cache on, as in production, with the site's settings made first."""
    settings.PAGE_CACHE_SECONDS = 300
    return settings


@pytest.fixture
def post(db, caching):
    return BlogPageFactory(title="小区停车难，大家怎么看？", slug="parking")


def read(client, path, **headers):
    return client.get(path, headers=headers or ENGLISH)


def text(response):
    return BeautifulSoup(response.content.decode(), "html.parser").get_text(" ", strip=True)


class TestAnonymousReaders:
    def test_the_second_reader_is_answered_from_the_cache_without_a_query(
        self, post, django_assert_num_queries
    ):
        first = read(Client(), post.url)
        assert first.status_code == 200
        assert first[HEADER] == "miss"
        with django_assert_num_queries(0):
            second = read(Client(), post.url)
        assert second.status_code == 200
        assert second[HEADER] == "hit"
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
        assert second["Content-Language"] == "en"

    def test_a_kept_page_sets_no_cookie_and_holds_no_token(self, post):
        first = read(Client(), post.url)
        second = read(Client(), post.url)
        for response in (first, second):
            assert not response.cookies
            assert "Set-Cookie" not in response
            assert b"csrfmiddlewaretoken" not in response.content
        # The opinion form is on the page all the same.
        page = BeautifulSoup(second.content.decode(), "html.parser")
        assert page.select_one("form.opinion-form textarea[name=body]") is not None

    def test_each_language_is_kept_apart(self, post):
        english = read(Client(), post.url, **ENGLISH)
        chinese = read(Client(), post.url, **CHINESE)
        assert english[HEADER] == chinese[HEADER] == "miss"
        assert english["Content-Language"] == "en"
        assert chinese["Content-Language"] == "zh-hans"
        assert "Give your opinion" in text(read(Client(), post.url, **ENGLISH))
        assert "发表意见" in text(read(Client(), post.url, **CHINESE))

    def test_the_language_cookie_chooses_the_copy(self, post):
        read(Client(), post.url, **CHINESE)
        client = Client()
        client.cookies["django_language"] = "en"
        response = read(client, post.url, **CHINESE)
        assert response[HEADER] == "miss"
        assert response["Content-Language"] == "en"

    def test_each_query_string_is_kept_apart(self, post, superuser):
        from core.transitions import perform

        for n in range(12):
            perform(OpinionFactory(page=post, body=f"意见第{n}条"), "approve", superuser)
        first_page = read(Client(), post.url)
        second_page = read(Client(), f"{post.url}?opinions=2")
        assert second_page[HEADER] == "miss"
        assert second_page.content != first_page.content
        assert read(Client(), f"{post.url}?opinions=2")[HEADER] == "hit"

    def test_the_page_cache_can_be_turned_off(self, post, settings):
        settings.PAGE_CACHE_SECONDS = 0
        read(Client(), post.url)
        assert HEADER not in read(Client(), post.url)


class TestReadersWhoAreNotAnonymous:
    def test_a_logged_in_user_is_never_given_the_kept_page(self, post, representative):
        representative.first_name = "陈国强"
        representative.save()
        read(Client(), post.url)
        response = read(logged_in(representative), post.url)
        assert HEADER not in response
        assert "陈国强" in text(response)
        assert b"csrfmiddlewaretoken" in response.content

    def test_what_a_logged_in_user_was_shown_is_never_kept(self, post, representative):
        representative.first_name = "陈国强"
        representative.save()
        read(logged_in(representative), post.url)
        anonymous = read(Client(), post.url)
        assert anonymous[HEADER] == "miss"
        assert "陈国强" not in text(anonymous)
        assert b"csrfmiddlewaretoken" not in anonymous.content

    def test_a_reader_with_a_session_or_a_message_gets_a_page_of_their_own(self, post):
        read(Client(), post.url)
        for cookie in ("sessionid", "messages"):
            client = Client()
            client.cookies[cookie] = "something"
            assert HEADER not in read(client, post.url)


class TestNeverKept:
    def test_the_admin_and_the_login(self, caching, superuser):
        for path in ("/admin/login/", "/accounts/login/"):
            read(Client(), path)
            assert HEADER not in read(Client(), path)
        client = logged_in(superuser)
        read(client, "/admin/")
        assert HEADER not in read(client, "/admin/")

    def test_an_opinions_status_page(self, post):
        opinion = OpinionFactory(page=post)
        path = f"/opinions/{opinion.reference}/"
        first = read(Client(), path)
        assert first.status_code == 200
        assert "no-cache" in first["Cache-Control"] or "no-store" in first["Cache-Control"]
        assert HEADER not in read(Client(), path)

    def test_a_page_that_is_not_found(self, post):
        read(Client(), "/blog/no-such-post/")
        response = read(Client(), "/blog/no-such-post/")
        assert response.status_code == 404
        assert HEADER not in response

    def test_a_post(self, post):
        response = Client().post(post.url, {"body": ""}, headers={"origin": "http://testserver"})
        assert response.status_code == 400
        assert HEADER not in response

    def test_a_page_that_sets_a_cookie(self, caching):
        # The language switch sets one; it is never kept even were it asked for twice.
        client = Client()
        client.get("/language/?language=en&next=/")
        assert HEADER not in client.get("/language/?language=en&next=/")


class TestPagesThatChangeWithTheClock:
    def test_a_hearing_page_is_kept_no_longer_than_its_consultation_is_open(self, caching, clock):
        clock.set(timezone.localtime().replace(hour=12, minute=0))
        now = timezone.now()
        hearing = HearingPageFactory(
            consultation_opens=now - datetime.timedelta(days=3),
            consultation_closes=now + datetime.timedelta(minutes=2),
            starts_at=now + datetime.timedelta(days=2),
        )
        first = read(Client(), hearing.url)
        assert BeautifulSoup(first.content.decode(), "html.parser").select_one("form.opinion-form")
        assert read(Client(), hearing.url)[HEADER] == "hit"

        clock.advance(minutes=2, seconds=1)
        after = read(Client(), hearing.url)
        assert after[HEADER] == "miss"
        page = BeautifulSoup(after.content.decode(), "html.parser")
        assert page.select_one("form.opinion-form") is None

    @pytest.mark.parametrize("meeting", ["past", "coming", "past, another open"])
    def test_the_front_page_is_kept_no_longer_than_until_the_next_consultation_opens(
        self, caching, clock, meeting
    ):
        # Whether or not the front page lists anything else, the hearing whose consultation
        # opens in four minutes joins its list then.
        clock.set(timezone.localtime().replace(hour=12, minute=0))
        now = timezone.now()
        starts = now + datetime.timedelta(days=2 if meeting == "coming" else -1)
        if meeting == "past, another open":
            # The opening is read beside the open consultations, the first list.
            HearingPageFactory(
                title="停车位听证会",
                consultation_opens=now - datetime.timedelta(days=1),
                consultation_closes=now + datetime.timedelta(days=9),
                starts_at=now - datetime.timedelta(days=2),
            )
        HearingPageFactory(
            title="加装电梯听证会",
            consultation_opens=now + datetime.timedelta(minutes=4),
            consultation_closes=now + datetime.timedelta(days=5),
            starts_at=starts,
        )
        assert "加装电梯听证会" not in text(read(Client(), "/")) or meeting == "coming"
        assert read(Client(), "/")[HEADER] == "hit"

        # Four minutes: sooner than a kept page's own end (five minutes in these tests).
        clock.advance(minutes=4, seconds=1)
        after = read(Client(), "/")
        assert after[HEADER] == "miss"
        assert "加装电梯听证会" in text(after)

    def test_no_page_is_kept_past_midnight(self, post, clock):
        local = timezone.localtime()
        clock.set(local.replace(hour=23, minute=59, second=0, microsecond=0))
        read(Client(), post.url)
        assert read(Client(), post.url)[HEADER] == "hit"
        clock.advance(seconds=61)
        assert read(Client(), post.url)[HEADER] == "miss"

    def test_a_page_lives_at_most_the_set_time(self, post, clock):
        clock.set(timezone.localtime().replace(hour=12, minute=0))
        read(Client(), post.url)
        clock.advance(seconds=299)
        assert read(Client(), post.url)[HEADER] == "hit"
        clock.advance(seconds=2)
        assert read(Client(), post.url)[HEADER] == "miss"


class TestPagesWithAToken:
    def test_a_page_holding_a_token_is_never_kept_even_when_no_cookie_is_set(self, caching):
        """A reader who came with a CSRF cookie already is not sent one again, yet a form's
        token is made from their secret: such a page is never kept."""
        from django.http import HttpResponse
        from django.middleware.csrf import get_token
        from django.test import RequestFactory

        from core.cache import PageCacheMiddleware

        def view_with_a_form(request):
            request.META["CSRF_COOKIE"] = "a" * 32  # the reader's own, from their cookie
            return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

        def plain_view(request):
            return HttpResponse("<p>no form</p>")

        middleware = PageCacheMiddleware(view_with_a_form)
        for _ in range(2):
            response = middleware(RequestFactory().get("/a-form/"))
            assert not response.cookies
            assert HEADER not in response

        plain = PageCacheMiddleware(plain_view)
        assert plain(RequestFactory().get("/no-form/"))[HEADER] == "miss"
        assert plain(RequestFactory().get("/no-form/"))[HEADER] == "hit"


class TestFiguresKeptUntilPurged:
    """``until_purged``: a figure a page shows, counted once and kept until what purges its
    page changes, whether or not the page cache is on."""

    def counter(self):
        counts = []

        def read():
            counts.append(len(counts) + 1)
            return len(counts)

        return read, counts

    def test_counted_once_then_read(self, db):
        read, counts = self.counter()
        assert until_purged("/volunteers/", "days:2026", read) == 1
        assert until_purged("/volunteers/", "days:2026", read) == 1
        assert counts == [1]
        # Another figure, or another year, is its own.
        assert until_purged("/volunteers/", "days:2025", read) == 2

    def test_counted_again_after_its_pages_are_purged_and_only_then(self, db):
        read, counts = self.counter()
        until_purged("/volunteers/", "days:2026", read)
        purge("/duty/", "/honour-roll/")
        assert until_purged("/volunteers/", "days:2026", read) == 1
        purge("/volunteers/")
        assert until_purged("/volunteers/", "days:2026", read) == 2
        purge(everything=True)  # every page, so this one too
        assert until_purged("/volunteers/", "days:2026", read) == 3

    def test_a_count_made_before_a_change_commits_is_not_kept(
        self, db, django_capture_on_commit_callbacks
    ):
        """A reader counts while a change is being written (before it commits, so from what
        was there before): what it keeps is under a version the commit replaces."""
        read, counts = self.counter()
        with django_capture_on_commit_callbacks(execute=True):
            purge("/volunteers/")  # the change's save, not yet committed
            assert until_purged("/volunteers/", "days:2026", read) == 1
        assert until_purged("/volunteers/", "days:2026", read) == 2

    def test_kept_for_a_day_at_most(self, db, clock):
        read, counts = self.counter()
        until_purged("/volunteers/", "days:2026", read)
        clock.advance(seconds=FIGURE_SECONDS - 1)
        assert until_purged("/volunteers/", "days:2026", read) == 1
        clock.advance(seconds=2)
        assert until_purged("/volunteers/", "days:2026", read) == 2
