"""The notice board: promoted opinions on the front page and on /blog/, each with its source
page, its original text, who promoted it and when."""

import pytest
from bs4 import BeautifulSoup

from django.utils import formats, timezone, translation

from wagtail.models import PageViewRestriction

from blog.factories import BlogPageFactory, blog_index
from core import roles
from core.transitions import perform
from opinions.models import OpinionState

from .conftest import ENGLISH

S = OpinionState


def board(client, path):
    response = client.get(path, headers=ENGLISH)
    assert response.status_code == 200
    section = BeautifulSoup(response.content.decode(), "html.parser").select_one(".notice-board")
    assert section is not None, f"no notice board on {path}"
    return section


def items(section):
    return [item.blockquote.get_text() for item in section.select(".notice-board__item")]


@pytest.fixture
def promoter(make_user):
    return make_user(roles.MODERATORS, username="zhao", first_name="赵", last_name="审核")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/blog/"])
class TestNoticeBoard:
    def test_shows_promoted_opinions_with_their_page_who_and_when(
        self, client, path, topic, make_opinion, promoter
    ):
        blog_index()
        opinion = make_opinion(S.APPROVED, page=topic, author_name="3号楼老李", body="夜间\n开放")
        perform(opinion, "promote", promoter)
        opinion.refresh_from_db()

        (item,) = board(client, path).select(".notice-board__item")

        assert item.blockquote.get_text() == "夜间开放"
        assert item.blockquote.find("br") is not None
        meta = item.select_one(".meta").get_text(" ", strip=True)
        assert "3号楼老李" in meta
        assert "赵 审核" in meta
        local = timezone.localtime(opinion.promoted_at)
        with translation.override("en"):
            assert formats.date_format(local, "DATE_FORMAT") in meta
        link = item.select_one(".meta a")
        assert (link.get_text(), link["href"]) == (topic.title, topic.url)

    def test_only_promoted_ones_newest_promotion_first(
        self, client, path, topic, make_opinion, moderator
    ):
        blog_index()
        first = make_opinion(S.PROMOTED, page=topic, body="先上墙")
        make_opinion(S.APPROVED, page=topic, body="只是批准")
        make_opinion(S.PENDING, page=topic, body="待审核")
        make_opinion(S.REJECTED, page=topic, body="被拒绝")
        make_opinion(S.SPAM, page=topic, body="广告")
        make_opinion(S.PROMOTED, page=topic, body="后上墙")
        assert items(board(client, path)) == ["后上墙", "先上墙"]

        perform(first, "demote", moderator)
        assert items(board(client, path)) == ["后上墙"]

    def test_empty_says_so(self, client, path, topic):
        blog_index()
        section = board(client, path)
        assert items(section) == []
        assert section.select_one(".empty").get_text() == "Nothing on the notice board yet."

    def test_opinions_of_a_withdrawn_page_leave_the_board(self, client, path, make_opinion, topic):
        blog_index()
        gone = BlogPageFactory(slug="withdrawn", title="已撤下的议题")
        make_opinion(S.PROMOTED, page=gone, body="撤下页面上的意见")
        make_opinion(S.PROMOTED, page=topic, body="仍在的意见")
        gone.unpublish()
        assert items(board(client, path)) == ["仍在的意见"]
        assert gone.url not in str(board(client, path))

    def test_opinions_of_a_private_page_stay_off_the_public_board(
        self, client, path, make_opinion, topic
    ):
        blog_index()
        private = BlogPageFactory(slug="members-only", title="仅限党员的议题")
        PageViewRestriction.objects.create(page=private, restriction_type="login")
        make_opinion(S.PROMOTED, page=private, body="内部意见")
        make_opinion(S.PROMOTED, page=topic, body="公开意见")
        assert items(board(client, path)) == ["公开意见"]


@pytest.mark.django_db
def test_a_restriction_on_an_ancestor_keeps_them_off_the_front_page(client, make_opinion, topic):
    make_opinion(S.PROMOTED, page=topic, body="公开意见")
    assert items(board(client, "/")) == ["公开意见"]
    PageViewRestriction.objects.create(page=blog_index(), restriction_type="login")
    assert items(board(client, "/")) == []
