"""Every page that shows personal data or a user's own state says ``Cache-Control:
no-store``: no browser cache, shared computer or proxy keeps it. An opinion's and a request's
status page (whoever holds the reference), the login page, and everything rendered for a
logged-in user (each page names them; the vote pages show their own ballot). Anonymous
public pages stay cacheable."""

import pytest

from django.test import Client

from core.cache import HEADER
from duty.factories import DutyRecordFactory
from opinions.factories import OpinionFactory
from tests.support import logged_in
from votes.models import MotionState

from .conftest import LOGIN, login_data, opinion_data, request_data


def assert_not_kept(response):
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control, (response.status_code, cache_control)
    assert "public" not in cache_control


@pytest.mark.django_db
class TestAnonymousPagesOfOnesOwn:
    def test_an_opinions_status_page(self, client, topic):
        sent = client.post(topic.url, opinion_data())
        assert sent.status_code == 302
        assert_not_kept(client.get(sent["Location"]))
        opinion = OpinionFactory(page=topic)
        for path in (
            f"/opinions/{opinion.reference}/",
            f"/opinions/{opinion.reference.lower()}/",  # the redirect to its one address
            "/opinions/0000-0000-0000-0000/",  # no such opinion
        ):
            assert_not_kept(client.get(path))

    def test_a_requests_status_page(self, client):
        filed = client.post("/duty/request/", request_data())
        assert filed.status_code == 302
        response = client.get(filed["Location"])  # "?filed=1": just filed
        assert response.status_code == 200
        assert_not_kept(response)
        record = DutyRecordFactory()
        for path in (
            f"/duty/request/{record.reference}/",
            f"/duty/request/{record.reference.lower()}/",
            "/duty/request/0000-0000-0000-0000/",
        ):
            assert_not_kept(client.get(path))

    def test_the_login_page_and_a_failed_login(self, client, chen):
        assert_not_kept(client.get(LOGIN))
        assert_not_kept(client.post(LOGIN, login_data("wrong")))

    def test_with_the_page_cache_on_they_are_never_kept(self, client, settings):
        settings.PAGE_CACHE_SECONDS = 300
        record = DutyRecordFactory()
        path = f"/duty/request/{record.reference}/"
        for _ in range(2):
            response = client.get(path)
            assert_not_kept(response)
            assert HEADER not in response


@pytest.mark.django_db
class TestALoggedInUser:
    def test_the_vote_pages(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        client = logged_in(person.user)
        assert_not_kept(client.get("/votes/"))
        assert_not_kept(client.get(f"/votes/{motion.pk}/"))
        option = motion.options.order_by("sort_order").first()
        # The confirmation step, then the ballot, then the page saying it is recorded.
        assert_not_kept(client.post(f"/votes/{motion.pk}/", {"option": option.pk}))
        cast = client.post(f"/votes/{motion.pk}/", {"option": option.pk, "confirm": "1"})
        assert cast.status_code == 302
        assert_not_kept(cast)
        assert_not_kept(client.get(f"/votes/{motion.pk}/"))

    @pytest.mark.search_index
    def test_every_public_page_they_read(self, chen, topic):
        client = logged_in(chen)
        for path in ("/", topic.url, "/duty/", "/search/?q=停车", "/votes/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert_not_kept(response)

    def test_the_admin(self, moderator):
        assert_not_kept(logged_in(moderator).get("/admin/"))

    def test_logging_in_and_out(self, client, chen):
        response = client.post(LOGIN, login_data())
        assert response.status_code == 302
        assert_not_kept(response)


@pytest.mark.django_db
class TestAnonymousPublicPages:
    def test_stay_cacheable(self, topic, make_motion):
        motion = make_motion(MotionState.OPEN)
        client = Client()
        for path in ("/", topic.url, "/votes/", f"/votes/{motion.pk}/", "/duty/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "no-store" not in response.get("Cache-Control", ""), path
