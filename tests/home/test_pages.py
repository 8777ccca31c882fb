"""The page tree, the front page, the main navigation, plain pages, the sitemap and 404."""

from urllib.parse import urlparse
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from core.models import CommunitySettings
from home.models import HomePage, StandardPage
from people.factories import UserFactory
from tests.support import ui

from .factories import StandardPageFactory, heading, paragraph, quote

ENGLISH = {"accept-language": "en"}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


class PageTreeTests(WagtailPageTestCase):
    """Where each page type may stand (bakerydemo and rca pin these the same way)."""

    @classmethod
    def setUpTestData(cls):
        cls.root = Page.get_first_root_node()
        cls.home = HomePage.objects.get()

    def test_home_page_stands_only_under_the_root_type(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(StandardPage, HomePage)

    def test_standard_page_stands_under_the_home_page_and_standard_pages_only(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanNotCreateAt(Page, StandardPage)
        self.assertFalse(StandardPage.can_create_at(self.root))
        self.assertTrue(StandardPage.can_create_at(self.home))

    def test_one_home_page_per_parent(self):
        # The root already holds the site's front page: no second one beside it...
        self.assertFalse(HomePage.can_create_at(self.root))
        # ...but another bare parent may take one, and then no more.
        other = self.root.add_child(instance=Page(title="另一站点", slug="other-site"))
        self.assertTrue(HomePage.can_create_at(other))
        other.add_child(instance=HomePage(title="另一首页", slug="other-home"))
        self.assertFalse(HomePage.can_create_at(other))

    def test_an_administrator_creates_a_standard_page_with_a_body(self):
        self.client.force_login(UserFactory(is_superuser=True, is_staff=True))
        data = nested_form_data(
            {
                "title": "办事指南",
                "slug": "guide",
                "introduction": "常办事项。",
                "body": streamfield([("paragraph", rich_text("<p>居住证明当场出具。</p>"))]),
            }
        )
        self.assertCanCreate(self.home, StandardPage, data)
        page = StandardPage.objects.get(slug="guide")
        self.assertTrue(page.live)
        self.assertPageIsRenderable(page)
        self.assertContains(self.client.get(page.url), "居住证明当场出具。")


@pytest.mark.django_db
class TestFrontPage:
    @pytest.fixture(autouse=True)
    def _community(self, site, home_page):
        CommunitySettings.objects.update_or_create(
            site=site, defaults={"community_name": "测试社区", "committee_name": "测试居委会"}
        )
        home_page.introduction = "欢迎来到测试社区。\n第二行。"
        home_page.save_revision().publish()

    def test_shows_the_community_name_from_the_settings(self, client):
        page = soup(client.get("/"))
        assert page.select_one(".site-header__name a").get_text(strip=True) == "测试社区"
        assert "测试社区" in page.title.get_text()

    def test_shows_the_introduction(self, client):
        lead = soup(client.get("/")).select_one(".page-intro .lead")
        assert lead.get_text() == "欢迎来到测试社区。第二行。"
        assert lead.find("br") is not None

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_every_section_says_nothing_yet_when_empty(self, client, home_page, language):
        with translation.override(language):
            expected = [(str(s["title"]), str(s["empty"])) for s in home_page.front_page_sections()]
            expected.append((_("Notice board"), _("Nothing on the notice board yet.")))
        response = client.get("/", headers={"accept-language": language})
        sections = soup(response).select("main section")
        shown = [(s.h2.get_text(), s.select_one("p.empty").get_text()) for s in sections]
        assert shown == expected
        assert len(shown) == 6

    def test_sections_in_english(self, client):
        sections = soup(client.get("/", headers=ENGLISH)).select("main section")
        assert [s.h2.get_text() for s in sections] == [
            "Latest notices",
            "Open consultations",
            "Upcoming meetings",
            "Open votes",
            "This month's duty roster",
            "Notice board",
        ]
        assert sections[0].select_one("p.empty").get_text() == "No notices at the moment."

    def test_links_to_the_request_form_the_roster_and_votes(self, client):
        page = soup(client.get("/", headers=ENGLISH))
        services = page.select_one("main .services__links")
        assert [(a["href"], a.get_text(strip=True)) for a in services.find_all("a")] == [
            ("/duty/request/", "File an after-hours request"),
            ("/duty/", "This month's duty roster"),
            ("/votes/", "Votes and results"),
        ]
        more = {a["href"]: a.get_text() for a in page.select("main .section__more a")}
        assert more == {"/votes/": "All votes and results", "/duty/": "The whole roster"}

    def test_has_the_follow_my_request_box(self, client):
        box = soup(client.get("/", headers=ENGLISH)).select_one("main form.follow-box")
        assert (box["action"], box["method"]) == ("/duty/follow/", "get")
        assert box.select_one("label[for=follow-reference]").get_text() == "Your reference"


@pytest.mark.django_db
class TestMainNavigation:
    @pytest.fixture(autouse=True)
    def _pages(self, home_page):
        self.listed = StandardPageFactory(title="关于我们", slug="about", show_in_menus=True)
        self.second = StandardPageFactory(title="联系我们", slug="contact", show_in_menus=True)
        StandardPageFactory(title="不在菜单", slug="unlisted", show_in_menus=False)
        StandardPageFactory(title="草稿页面", slug="draft", show_in_menus=True, state="draft")
        StandardPageFactory(title="已撤下", slug="gone", show_in_menus=True, state="unpublished")
        StandardPageFactory(title="下级页面", slug="child", show_in_menus=True, parent=self.listed)

    def nav_links(self, response):
        nav = soup(response).select_one("header nav")
        return [(a["href"], a.get_text(strip=True)) for a in nav.find_all("a")]

    def test_lists_live_menu_children_of_the_home_page_in_tree_order(self, client):
        links = self.nav_links(client.get("/", headers=ENGLISH))
        assert links[:3] == [("/", "Home"), ("/about/", "关于我们"), ("/contact/", "联系我们")]

    def test_links_to_every_public_service_after_the_pages(self, client):
        links = self.nav_links(client.get("/", headers=ENGLISH))
        assert links[3:] == [
            ("/votes/", "Votes and results"),
            ("/duty/", "Duty roster"),
            ("/duty/request/", "File a request"),
            ("/volunteers/", "Volunteers"),
            ("/cobuilding/", "Co-building"),
            ("/honour-roll/", "Honour roll"),
        ]

    def test_the_services_in_chinese_say_vote_not_number_of_votes(self, client):
        links = dict(self.nav_links(client.get("/", headers={"accept-language": "zh-hans"})))
        assert links["/votes/"] == ui("zh-hans", "Votes and results")
        assert links["/duty/"] == ui("zh-hans", "Duty roster")
        assert links["/duty/request/"] == ui("zh-hans", "File a request")
        assert "票数" not in links["/votes/"]

    @pytest.mark.parametrize(
        ("path", "current"),
        [
            ("/votes/", "/votes/"),
            ("/duty/", "/duty/"),
            ("/duty/posts/", "/duty/"),
            ("/duty/request/", "/duty/request/"),
        ],
    )
    def test_marks_the_current_service(self, client, path, current):
        nav = soup(client.get(path)).select_one("header nav")
        assert [a["href"] for a in nav.select('a[aria-current="page"]')] == [current]

    def test_shows_the_published_title_not_a_draft_one(self, client):
        self.listed.title = "未发布的新标题"
        self.listed.save_revision()
        links = self.nav_links(client.get("/"))
        assert ("/about/", "关于我们") in links
        assert "未发布的新标题" not in client.get("/").content.decode()

    def test_marks_the_current_page(self, client):
        nav = soup(client.get("/contact/")).select_one("header nav")
        assert [a["href"] for a in nav.select('a[aria-current="page"]')] == ["/contact/"]
        nav = soup(client.get("/about/child/")).select_one("header nav")
        assert [a["href"] for a in nav.select('a[aria-current="page"]')] == ["/about/"]


@pytest.mark.django_db
def test_standard_page_renders_its_stream_field_body(client, home_page):
    StandardPageFactory(
        title="关于居委会",
        slug="about",
        introduction="社区简介。",
        body=[
            heading("我们的职责"),
            paragraph("<p>召集<b>居民代表会议</b>。</p>"),
            quote("为人民服务"),
        ],
    )
    response = client.get("/about/")
    assert response.status_code == 200
    article = soup(response).select_one("article")
    assert article.h1.get_text() == "关于居委会"
    assert article.select_one(".lead").get_text() == "社区简介。"
    assert [h.get_text() for h in article.find_all("h2")] == ["我们的职责"]
    assert article.select_one(".rich-text b").get_text() == "居民代表会议"
    assert article.blockquote.get_text(strip=True) == "为人民服务"


@pytest.mark.django_db
def test_sitemap_lists_live_pages_only(client, home_page):
    StandardPageFactory(slug="about")
    StandardPageFactory(slug="about-child", parent=StandardPage.objects.get(slug="about"))
    StandardPageFactory(slug="draft", state="draft")
    StandardPageFactory(slug="gone", state="unpublished")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = ElementTree.fromstring(response.content).findall("s:url/s:loc", namespace)
    paths = sorted(urlparse(loc.text).path for loc in locations)
    # Beside the pages: the services that are not pages (tests/votes/test_sitemap.py).
    assert paths == [
        "/",
        "/about/",
        "/about/about-child/",
        "/duty/",
        "/duty/posts/",
        "/duty/request/",
        "/votes/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/no-such-page/", "/draft/", "/gone/", "/about/nothing/"])
def test_unknown_draft_or_withdrawn_path_gives_404(client, home_page, path):
    StandardPageFactory(slug="about")
    StandardPageFactory(slug="draft", state="draft")
    StandardPageFactory(slug="gone", state="unpublished")

    response = client.get(path)

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assert soup(response).find("a", href=reverse("search")) is not None
