"""The public co-building pages: the published joint activities with their photos, a page at a
time and by kind, and one activity's page; drafts are not shown, bad input gets a clear page,
and nothing about the residents taking part or the partners' contact persons."""

import datetime
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.images import get_image_model
from wagtail.images.models import Filter

from cobuilding import views
from cobuilding.demo import _picture
from cobuilding.factories import JointActivityFactory, PartnerFactory
from cobuilding.models import ActivityKind, ActivityState
from core.transitions import perform
from people.factories import PersonFactory
from tests.support import ui

pytestmark = pytest.mark.django_db

INDEX = "/cobuilding/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def make_photo(title="楼道整治现场", description="志愿者清理楼道"):
    image = get_image_model()(
        title=title,
        description=description,
        file=ImageFile(_picture(ActivityKind.ENVIRONMENT), name="test-activity.png"),
    )
    image.save()
    return image


@pytest.fixture
def partner():
    return PartnerFactory(name="市第三中学", contact_person="何丽君", contact_phone="13912345678")


@pytest.fixture
def publish(office, partner):
    """``publish(**fields)``: an activity with ``partner``, published by the office."""

    def make(**fields):
        fields.setdefault("date", datetime.date.today() - datetime.timedelta(days=3))
        activity = JointActivityFactory(partners=[partner], **fields)
        perform(activity, "publish", office)
        activity.refresh_from_db()
        return activity

    return make


class TestTheList:
    def test_shows_published_activities_newest_first_not_drafts(self, client, publish, partner):
        today = datetime.date.today()
        publish(title="邻里文化节", date=today - datetime.timedelta(days=20))
        publish(title="楼道环境整治", date=today - datetime.timedelta(days=2))
        JointActivityFactory(title="筹备中的义诊", partners=[partner])

        response = client.get(INDEX)

        assert response.status_code == 200
        titles = [h.get_text(strip=True) for h in soup(response).select("main h2")]
        assert titles == ["楼道环境整治", "邻里文化节"]
        assert "筹备中的义诊" not in response.content.decode()

    def test_each_activity_says_what_when_where_with_whom_and_how_many(self, client, publish):
        activity = publish(
            title="平安巡逻",
            kind=ActivityKind.SECURITY,
            place="社区广场",
            participant_count=42,
            outcome="排查消防隐患五处",
        )

        html = soup(client.get(INDEX, **ENGLISH)).select_one("main .activity").get_text(" ")

        assert "平安巡逻" in html
        assert "社区广场" in html
        assert "市第三中学" in html
        assert "排查消防隐患五处" in html
        assert "42 participants" in html
        assert ui("en", "security defended together").capitalize() in html
        assert activity.date.strftime("%Y") in html

    def test_never_the_residents_taking_part_nor_the_partners_contact(
        self, client, publish, partner
    ):
        activity = publish(title="便民服务进社区")
        activity.participants.set([PersonFactory(name="郑秀英", phone="13811112222")])

        for path in (INDEX, f"{INDEX}{activity.pk}/"):
            html = client.get(path).content.decode()
            assert "便民服务进社区" in html
            for private in ("郑秀英", "13811112222", "何丽君", "13912345678", partner.address):
                assert private not in html, (path, private)

    def test_in_english_and_in_chinese(self, client, publish):
        publish()

        english = soup(client.get(INDEX, **ENGLISH))
        chinese = soup(client.get(INDEX, **CHINESE))

        assert english.h1.get_text(strip=True) == "Co-building activities"
        assert chinese.h1.get_text(strip=True) == ui("zh-hans", "Co-building activities")
        assert english.html["lang"] == "en"
        assert chinese.html["lang"] == "zh-hans"

    def test_nothing_published_says_so(self, client):
        response = client.get(INDEX, **ENGLISH)

        assert response.status_code == 200
        assert "No co-building activity is published here yet." in response.content.decode()

    def test_pages_of_ten(self, client, publish):
        for n in range(views.PER_PAGE + 2):
            publish(title=f"活动{n:02d}", date=datetime.date(2026, 1, 1) + datetime.timedelta(n))

        first = soup(client.get(INDEX))
        second = soup(client.get(f"{INDEX}?page=2"))

        assert len(first.select("main .activity")) == views.PER_PAGE
        assert [h.get_text(strip=True) for h in second.select("main .activity h2")] == [
            "活动01",
            "活动00",
        ]
        assert first.select_one('a[rel="next"]')["href"] == "?page=2"


class TestTheKindFilter:
    def test_shows_only_that_kind_and_keeps_it_across_pages(self, client, publish):
        publish(title="楼道环境整治", kind=ActivityKind.ENVIRONMENT)
        publish(title="邻里文化节", kind=ActivityKind.CULTURE)

        page = soup(client.get(f"{INDEX}?kind=culture"))

        assert [h.get_text(strip=True) for h in page.select("main .activity h2")] == ["邻里文化节"]
        assert page.select_one("#filter-kind option[selected]")["value"] == "culture"
        assert [o["value"] for o in page.select("#filter-kind option")] == [
            "",
            *ActivityKind.values,
        ]

    @pytest.mark.parametrize("kind", ["nonsense", "<script>", "环境", "culture'"])
    def test_an_unknown_kind_says_so_and_shows_all(self, client, publish, kind):
        publish(title="楼道环境整治")

        response = client.get(INDEX, {"kind": kind}, **ENGLISH)

        assert response.status_code == 200
        page = soup(response)
        assert page.select_one("main .error").get_text(strip=True) == (
            "Choose a kind of activity from the list."
        )
        assert "楼道环境整治" in page.get_text()
        assert "<script>" not in response.content.decode().split("<main", 1)[1]

    @pytest.mark.parametrize("number", ["abc", "-1", "0", "²", ""])
    def test_a_page_number_that_is_not_one_gives_the_first_page(self, client, publish, number):
        publish(title="楼道环境整治")

        response = client.get(INDEX, {"page": number})

        assert response.status_code == 200
        assert "楼道环境整治" in response.content.decode()

    @pytest.mark.parametrize("number", ["50", "99999999999999999999"])
    def test_a_page_past_the_end_is_empty_not_an_error(self, client, publish, number):
        publish()

        response = client.get(INDEX, {"page": number}, **ENGLISH)

        assert response.status_code == 200
        assert "No co-building activity is published here yet." in response.content.decode()


class TestOneActivity:
    def test_a_published_activity_has_its_page(self, client, publish):
        activity = publish(title="邻里文化节", outcome="文艺汇演八个节目\n开放学校操场")

        response = client.get(f"{INDEX}{activity.pk}/", **ENGLISH)

        assert response.status_code == 200
        page = soup(response)
        assert page.h1.get_text(strip=True) == "邻里文化节"
        assert page.title.get_text().startswith("邻里文化节")
        assert "市第三中学" in page.select_one("dl.facts").get_text()
        assert page.find("h2", string="Outcome of the activity") is not None
        assert page.select_one(f'main a[href="{INDEX}"]') is not None

    def test_the_list_links_to_it(self, client, publish):
        activity = publish()

        link = soup(client.get(INDEX)).select_one("main .activity h2 a")

        assert link["href"] == f"{INDEX}{activity.pk}/"

    def test_a_draft_is_not_found(self, client, partner):
        draft = JointActivityFactory(partners=[partner], title="筹备中的义诊")

        response = client.get(f"{INDEX}{draft.pk}/", **ENGLISH)

        assert response.status_code == 404
        assert "404.html" in [template.name for template in response.templates]
        assert "筹备中的义诊" not in response.content.decode()
        assert "There is no published co-building activity at this address." in (
            response.content.decode()
        )

    def test_a_withdrawn_activity_is_not_found(self, client, publish, office):
        activity = publish(title="撤回的活动")
        perform(activity, "withdraw", office, reason="照片需要更换")
        assert activity.state == ActivityState.DRAFT

        assert client.get(f"{INDEX}{activity.pk}/").status_code == 404
        assert "撤回的活动" not in client.get(INDEX).content.decode()

    @pytest.mark.parametrize("path", ["999999/", "99999999999999999999999/", "abc/", "0/"])
    def test_an_unknown_address_is_not_found(self, client, home_page, path):
        assert client.get(f"{INDEX}{path}").status_code == 404


class TestPhotos:
    def test_a_photo_through_renditions_with_srcset_and_alt_text(self, client, publish):
        activity = publish(photo=make_photo())

        for path, spec in (
            (INDEX, views.LIST_PHOTO),
            (f"{INDEX}{activity.pk}/", views.DETAIL_PHOTO),
        ):
            img = soup(client.get(path)).select_one("main img")
            assert img["alt"] == "志愿者清理楼道"
            assert img["src"].startswith("/media/images/")
            assert img["width"] and img["height"]
            assert len(img["srcset"].split(",")) == len(Filter.expand_spec(spec))
            assert "sizes" in img.attrs
            # Nothing from another host.
            assert img["src"].startswith("/") and all(
                part.strip().startswith("/") for part in img["srcset"].split(",")
            )

    def test_an_activity_without_photo_has_no_image(self, client, publish):
        publish()

        assert soup(client.get(INDEX)).select_one("main img") is None

    def test_the_photos_cost_the_same_queries_whatever_their_number(self, client, publish):
        """The renditions are prefetched with the activities: no query per photo."""
        publish(photo=make_photo())
        # The renditions are made once, as the first reader asks for them (which saves the
        # image, and so changes the site's version: the next reader reads the site afresh).
        client.get(INDEX)
        client.get(INDEX)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(INDEX).status_code == 200
            return len(captured)

        one = queries()
        for n in range(4):
            publish(title=f"活动{n}", photo=make_photo(title=f"照片{n}"))
        client.get(INDEX)
        client.get(INDEX)

        assert queries() == one


class TestWhereResidentsFindIt:
    def test_the_main_menu_links_to_it(self, client, home_page):
        nav = soup(client.get("/", **ENGLISH)).select_one("header nav")

        assert nav.find("a", href=INDEX).get_text(strip=True) == "Co-building"

    def test_the_sitemap_lists_the_published_activities(self, client, home_page, publish, partner):
        published = publish()
        draft = JointActivityFactory(partners=[partner])

        response = client.get("/sitemap.xml", HTTP_HOST="community.example")

        namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
        locations = [
            loc.text for loc in ElementTree.fromstring(response.content).iter(f"{namespace}loc")
        ]
        assert "http://community.example/cobuilding/" in locations
        assert f"http://community.example/cobuilding/{published.pk}/" in locations
        assert f"http://community.example/cobuilding/{draft.pk}/" not in locations

    def test_no_activity_no_sitemap_entry(self, client, home_page):
        assert b"/cobuilding/" not in client.get("/sitemap.xml").content

    def test_only_get_and_head(self, client):
        assert client.post(INDEX).status_code == 405
