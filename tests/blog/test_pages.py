"""The blog column: where its pages stand, the index with its filters and pages, the RSS
feed, and the latest notices on the front page."""

import datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from django.utils import timezone

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from blog.factories import BlogPageFactory, blog_index
from blog.models import BlogIndexPage, BlogKind, BlogPage
from home.models import HomePage, StandardPage
from tests.home.factories import StandardPageFactory

ENGLISH = {"accept-language": "en"}
TODAY = datetime.date(2026, 3, 1)


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def listed(response):
    """The titles the index lists, in order."""
    return [h.get_text(strip=True) for h in soup(response).select(".post-list .post__title")]


def post(title, days_ago=0, **fields):
    return BlogPageFactory(title=title, date=TODAY - datetime.timedelta(days=days_ago), **fields)


class PageTreeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = HomePage.objects.get()

    def test_the_index_stands_only_under_the_front_page(self):
        self.assertAllowedParentPageTypes(BlogIndexPage, {HomePage})
        self.assertCanCreateAt(HomePage, BlogIndexPage)
        self.assertCanNotCreateAt(Page, BlogIndexPage)
        self.assertCanNotCreateAt(StandardPage, BlogIndexPage)
        self.assertCanNotCreateAt(BlogIndexPage, BlogIndexPage)

    def test_there_is_at_most_one_index(self):
        self.assertTrue(BlogIndexPage.can_create_at(self.home))
        blog_index()
        self.assertFalse(BlogIndexPage.can_create_at(self.home))

    def test_posts_stand_only_under_the_index_and_have_no_children(self):
        self.assertAllowedParentPageTypes(BlogPage, {BlogIndexPage})
        self.assertAllowedSubpageTypes(BlogIndexPage, {BlogPage})
        self.assertAllowedSubpageTypes(BlogPage, set())
        self.assertCanNotCreateAt(HomePage, BlogPage)
        self.assertCanNotCreateAt(StandardPage, BlogPage)
        self.assertCanNotCreateAt(BlogPage, BlogPage)
        self.assertCanNotCreateAt(BlogPage, StandardPage)

    def test_a_post_is_renderable(self):
        page = BlogPageFactory(
            title="停水通知",
            kind=BlogKind.NOTICE,
            body=[{"type": "paragraph", "value": "<p>周六停水。</p>"}],
            tags=["物业"],
        )
        self.assertPageIsRenderable(page)
        self.assertPageIsRenderable(blog_index())
        self.assertPageIsRoutable(blog_index(), "feed/")


@pytest.mark.django_db
class TestPostPage:
    def test_shows_kind_date_title_body_and_tags_linking_to_the_index(self, client):
        page = post(
            "停水通知",
            kind=BlogKind.NOTICE,
            introduction="周六上午停水。",
            body=[{"type": "paragraph", "value": "<p>请提前<b>储水</b>。</p>"}],
            tags=["物业", "停水 通知"],
        )
        response = client.get(page.url, headers=ENGLISH)
        article = soup(response).select_one("article")
        assert article.h1.get_text() == "停水通知"
        assert article.select_one(".post__kind").get_text(strip=True).startswith("Notice")
        assert article.select_one("time")["datetime"] == TODAY.isoformat()
        assert article.select_one(".lead").get_text() == "周六上午停水。"
        assert article.select_one(".rich-text b").get_text() == "储水"
        tags = {a.get_text(): a["href"] for a in article.select("a.tag")}
        assert tags == {
            "物业": "/blog/?tag=%E7%89%A9%E4%B8%9A",
            "停水 通知": "/blog/?tag=%E5%81%9C%E6%B0%B4%20%E9%80%9A%E7%9F%A5",
        }
        assert listed(client.get(tags["停水 通知"])) == ["停水通知"]

    def test_a_draft_post_is_not_served(self, client):
        page = post("草稿", live=False)
        assert client.get(page.url).status_code == 404


@pytest.mark.django_db
class TestIndex:
    @pytest.fixture(autouse=True)
    def _posts(self):
        post("停车议题", 3, kind=BlogKind.TOPIC, tags=["停车", "议事"])
        post("供暖通知", 1, kind=BlogKind.NOTICE, tags=["物业"])
        post("志愿服务日", 12, kind=BlogKind.REPORT, tags=["志愿服务"])
        post("花园议题", 10, kind=BlogKind.TOPIC, tags=["议事"])
        post("接种通知", 5, kind=BlogKind.NOTICE, tags=["健康"])
        post("草稿通知", 0, kind=BlogKind.NOTICE, tags=["议事", "草稿标签"], live=False)

    def test_lists_live_posts_newest_first(self, client):
        response = client.get("/blog/")
        assert response.status_code == 200
        assert listed(response) == ["供暖通知", "停车议题", "接种通知", "花园议题", "志愿服务日"]

    def test_the_same_day_lists_the_later_published_first(self, client):
        post("同日第二篇", 1)
        assert listed(client.get("/blog/"))[:2] == ["同日第二篇", "供暖通知"]

    def test_filters_by_kind(self, client):
        response = client.get("/blog/", {"kind": "notice"})
        assert listed(response) == ["供暖通知", "接种通知"]
        assert soup(response).select_one("#filter-kind option[selected]")["value"] == "notice"
        assert listed(client.get("/blog/", {"kind": "topic"})) == ["停车议题", "花园议题"]

    def test_filters_by_tag(self, client):
        response = client.get("/blog/", {"tag": "议事"})
        assert listed(response) == ["停车议题", "花园议题"]
        assert soup(response).select_one("#filter-tag option[selected]")["value"] == "议事"

    def test_filters_by_kind_and_tag(self, client):
        assert listed(client.get("/blog/", {"kind": "topic", "tag": "停车"})) == ["停车议题"]
        response = client.get("/blog/", {"kind": "report", "tag": "停车"}, headers=ENGLISH)
        assert listed(response) == []
        assert "No post matches these filters." in response.content.decode()

    def test_an_unknown_kind_says_so_and_shows_all(self, client):
        response = client.get("/blog/", {"kind": "<script>x</script>"}, headers=ENGLISH)
        assert response.status_code == 200
        alert = soup(response).select_one('[role="alert"]').get_text()
        assert alert == "There is no such kind of post; all kinds are shown."
        assert len(listed(response)) == 5
        assert "<script>x</script>" not in response.content.decode()

    def test_an_unknown_tag_lists_nothing(self, client):
        response = client.get("/blog/", {"tag": "没有这个标签"}, headers=ENGLISH)
        assert response.status_code == 200
        assert listed(response) == []
        assert "No post matches these filters." in response.content.decode()

    @pytest.mark.parametrize("tag", ["x" * 5000, "'\"<>%00", "议事\x00"])
    def test_a_junk_tag_is_no_error(self, client, tag):
        assert client.get("/blog/", {"tag": tag}).status_code == 200

    def test_the_tag_menu_offers_tags_of_live_posts_only(self, client):
        tags = [o["value"] for o in soup(client.get("/blog/")).select("#filter-tag option")]
        assert tags[0] == ""
        assert sorted(tags[1:]) == sorted(["健康", "停车", "志愿服务", "物业", "议事"])
        assert tags[1:] == sorted(tags[1:])

    def test_a_draft_is_never_listed(self, client):
        for query in ({}, {"kind": "notice"}, {"tag": "议事"}, {"tag": "草稿标签"}):
            assert "草稿通知" not in listed(client.get("/blog/", query))

    def test_a_post_taken_down_leaves_the_list(self, client):
        BlogPage.objects.get(title="供暖通知").unpublish()
        assert "供暖通知" not in listed(client.get("/blog/"))

    def test_the_kind_menu_offers_every_kind(self, client):
        options = soup(client.get("/blog/")).select("#filter-kind option")
        assert [o["value"] for o in options] == ["", "topic", "notice", "report"]


@pytest.mark.django_db
class TestIndexPagination:
    @pytest.fixture(autouse=True)
    def _posts(self):
        for n in range(13):
            post(f"帖子{n:02d}", n, kind=BlogKind.NOTICE if n % 2 else BlogKind.TOPIC)

    def test_ten_a_page(self, client):
        first = client.get("/blog/")
        second = client.get("/blog/", {"page": 2})
        assert listed(first) == [f"帖子{n:02d}" for n in range(10)]
        assert listed(second) == [f"帖子{n:02d}" for n in range(10, 13)]
        assert soup(first).select_one("a[rel=next]")["href"] == "?page=2"
        assert soup(second).select_one("a[rel=prev]")["href"] == "?page=1"
        assert soup(second).select_one("a[rel=next]") is None

    def test_the_pager_keeps_the_filters(self, client):
        response = client.get("/blog/", {"kind": "topic"})
        assert len(listed(response)) == 7
        assert soup(response).select_one("nav.pagination") is None
        many = client.get("/blog/", {"tag": ""})
        assert soup(many).select_one("a[rel=next]")["href"] == "?page=2"
        for n in range(13, 20):
            post(f"帖子{n:02d}", n, kind=BlogKind.TOPIC)
        response = client.get("/blog/", {"kind": "topic"})
        assert soup(response).select_one("a[rel=next]")["href"] == "?kind=topic&tag=&page=2"
        assert len(listed(client.get("/blog/", {"kind": "topic", "page": 2}))) == 4

    @pytest.mark.parametrize("junk", ["abc", "", "-1", "0", "1.5", "1e3", "%00", "1; drop table"])
    def test_a_junk_page_number_shows_the_first_page(self, client, junk):
        response = client.get("/blog/", {"page": junk})
        assert response.status_code == 200
        assert listed(response)[0] == "帖子00"

    def test_a_page_past_the_end_is_empty_not_an_error(self, client):
        for number in ("3", "99999999999999999999999"):
            response = client.get("/blog/", {"page": number})
            assert response.status_code == 200
            assert listed(response) == []


def feed(client, path="/blog/feed/"):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return response, ElementTree.fromstring(response.content)


@pytest.mark.django_db
class TestFeed:
    def test_is_rss_2_of_the_latest_posts_with_links(self, client):
        post("较早的议题", 4, introduction="旧导语")
        latest = post("最新的通知", 1, kind=BlogKind.NOTICE, introduction="新导语")
        post("草稿", 0, live=False)

        _, rss = feed(client)

        assert rss.tag == "rss"
        assert rss.get("version") == "2.0"
        channel = rss.find("channel")
        assert channel.findtext("title") == blog_index().title
        # Links lead to the host the reader used (the test client's), not the Site record's.
        assert channel.findtext("link") == "http://testserver/blog/"
        items = channel.findall("item")
        assert [i.findtext("title") for i in items] == ["最新的通知", "较早的议题"]
        first = items[0]
        assert first.findtext("link") == f"http://testserver{latest.url}"
        assert first.findtext("description") == "新导语"
        assert first.findtext("category") == "通知"  # the kind, in the site's language
        assert first.find("guid").get("isPermaLink") == "false"
        published = parsedate_to_datetime(first.findtext("pubDate"))
        assert abs(published - timezone.now()) < datetime.timedelta(minutes=5)

    def test_links_carry_the_host_the_reader_used(self, client):
        latest = post("停水通知", 1, kind=BlogKind.NOTICE)
        response = client.get("/blog/feed/", HTTP_HOST="community.example")
        channel = ElementTree.fromstring(response.content).find("channel")
        assert channel.findtext("link") == "http://community.example/blog/"
        (item,) = channel.findall("item")
        assert item.findtext("link") == f"http://community.example{latest.url}"
        assert item.findtext("guid").startswith("http://community.example/blog/")
        assert "localhost" not in response.content.decode()

    def test_lists_at_most_twenty(self, client):
        for n in range(21):
            post(f"帖子{n:02d}", n)
        _, rss = feed(client)
        titles = [i.findtext("title") for i in rss.iter("item")]
        assert titles == [f"帖子{n:02d}" for n in range(20)]

    def test_titles_and_introductions_are_escaped(self, client):
        post("<b>停水</b> & 通知", introduction='<script>alert("x")</script>')
        response, rss = feed(client)
        raw = response.content.decode()
        assert "<b>停水</b>" not in raw
        assert "<script>" not in raw
        assert "&lt;b&gt;停水&lt;/b&gt; &amp; 通知" in raw
        (item,) = rss.iter("item")
        assert item.findtext("title") == "<b>停水</b> & 通知"
        assert item.findtext("description") == '<script>alert("x")</script>'

    def test_the_index_links_to_its_feed(self, client):
        blog_index()
        page = soup(client.get("/blog/"))
        link = page.select_one('link[rel=alternate][type="application/rss+xml"]')
        assert link["href"] == "/blog/feed/"

    def test_is_well_formed_without_posts(self, client):
        blog_index()
        _, rss = feed(client)
        assert rss.find("channel").findall("item") == []


@pytest.mark.django_db
class TestFrontPageNotices:
    def test_the_front_page_lists_the_latest_notices(self, client):
        notices = [post(f"通知{n}", n, kind=BlogKind.NOTICE) for n in range(7)]
        post("议题不算通知", 0, kind=BlogKind.TOPIC)
        post("草稿通知", 0, kind=BlogKind.NOTICE, live=False)

        section = soup(client.get("/")).select_one(".section--notices")

        links = [(a.get_text(), a["href"]) for a in section.select("a")]
        assert links == [(notice.title, notice.url) for notice in notices[:5]]

    def test_the_latest_notices_are_the_five_newest_live_notices(self, home_page):
        for n in range(7):
            post(f"通知{n}", n, kind=BlogKind.NOTICE)
        post("草稿通知", 0, kind=BlogKind.NOTICE, live=False)
        notices = home_page.latest_notices()
        assert [notice["title"] for notice in notices] == [f"通知{n}" for n in range(5)]


@pytest.mark.django_db
def test_a_standard_page_beside_the_column_does_not_disturb_it(client):
    StandardPageFactory(slug="about")
    post("一篇", 0)
    assert listed(client.get("/blog/")) == ["一篇"]


@pytest.mark.django_db
def test_the_tag_menu_follows_what_is_published(client):
    """The tag menu is read once per version of the site: publishing a post with a new tag,
    or unpublishing the only post with one, shows on the next read."""

    def offered():
        return {o["value"] for o in soup(client.get("/blog/")).select("#filter-tag option")}

    only = post("供暖通知", 1, tags=["物业"])
    assert offered() == {"", "物业"}
    draft = post("停车议题", 0, tags=["停车"], live=False)
    assert offered() == {"", "物业"}

    draft.save_revision().publish()
    assert offered() == {"", "物业", "停车"}

    only.unpublish()
    assert offered() == {"", "停车"}
