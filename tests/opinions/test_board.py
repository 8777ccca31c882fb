"""The notice board as the public pages print it (``opinions.board``): the opinions of
``Opinion.objects.notice_board()``, in one query, each line in the reader's language."""

import pytest

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from core import roles
from core.sitewide import SiteMiddleware
from core.transitions import perform
from opinions.board import notice_board
from opinions.models import Opinion, OpinionState

pytestmark = pytest.mark.django_db


def reader_request():
    request = RequestFactory().get("/")
    SiteMiddleware(lambda request: None)(request)
    return request


def test_the_items_are_the_board_in_one_query(make_opinion, make_user, topic):
    moderator = make_user(roles.MODERATORS, username="m1", first_name="赵", last_name="审核")
    plain = make_user(roles.MODERATORS, username="moderator-2")
    for author, by in (("老李 <b>", moderator), ("王阿姨", plain), ("张老师", moderator)):
        opinion = make_opinion(OpinionState.APPROVED, page=topic, author_name=author)
        perform(opinion, "promote", by)
    request = reader_request()

    with CaptureQueriesContext(connection) as queries, translation.override("en"):
        items = notice_board(request, limit=2)
    # Beside the view restrictions, which a request reads once for all its lists.
    own = [q["sql"] for q in queries.captured_queries if "pageviewrestriction" not in q["sql"]]
    assert len(own) == 1

    expected = list(Opinion.objects.notice_board(limit=2))
    assert [item.body for item in items] == [opinion.body for opinion in expected]
    newest, second = items
    assert (newest.page_title, newest.page_url) == (topic.title, topic.url)
    with translation.override("en"):
        day = date_format(timezone.localtime(expected[0].promoted_at), "DATE_FORMAT")
    assert newest.byline == "— 张老师, on"
    assert newest.posted == f"posted to the board by 赵 审核 on {day}"
    # No full name: the username, as Opinion.promoted_by_name says.
    assert second.posted.startswith("posted to the board by moderator-2 on ")
    assert second.byline == "— 王阿姨, on"


def test_the_words_are_the_readers_language_and_names_are_escaped(make_opinion, moderator, topic):
    opinion = make_opinion(OpinionState.APPROVED, page=topic, author_name="老李 <b>")
    perform(opinion, "promote", moderator)
    with translation.override("zh-hans"):
        (item,) = notice_board(reader_request())
    assert item.byline == "—— 老李 &lt;b&gt;，关于"
    assert item.posted.startswith("由 moderator 于 ")


def test_an_empty_board(topic):
    assert notice_board(reader_request()) == []
