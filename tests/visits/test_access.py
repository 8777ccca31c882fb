"""Who reaches the households, visits and promises: duty cadres and the party-affairs office
record them, supervisors read them, editors, moderators and meeting clerks see nothing. The
households' names, phones and addresses and what the visits found are personal: the History
centre masks them for anyone who may not see them, and the public site never shows them."""

import datetime

import pytest
from bs4 import BeautifulSoup

from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from audit.diff import HIDDEN
from core import roles
from people.factories import CadreFactory
from tests.audit.support import entries_for
from tests.support import logged_in, ui
from visits.factories import HouseholdFactory, PromiseFactory, VisitFactory
from visits.models import Household, Promise, PromiseState, Visit

pytestmark = pytest.mark.django_db

HEAD, PHONE, BUILDING = "韩困难", "13712345678", "梧桐苑9号楼"
RECORDERS = ("cadre", "party")
READERS = ("supervisor",)
NOBODY = ("editor", "moderator", "clerk")


@pytest.fixture
def users(editor, moderator, clerk, cadre, supervisor, make_user):
    return {
        "editor": editor,
        "moderator": moderator,
        "clerk": clerk,
        "cadre": cadre,
        "supervisor": supervisor,
        "party": make_user(roles.PARTY_OFFICE, username="party"),
    }


@pytest.fixture
def household(cadre):
    household = HouseholdFactory(head_name=HEAD, phone="13700000000", building=BUILDING)
    household.phone = PHONE
    household._history_user = cadre
    household.save()
    return household


def refused(response):
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and (
        response["Location"].rstrip("/").endswith("/admin") or "/login/" in response["Location"]
    )


LISTINGS = [
    "wagtailsnippets_visits_household:list",
    "wagtailsnippets_visits_visit:list",
    "wagtailsnippets_visits_promise:list",
    "visits_tallies",
]


@pytest.mark.parametrize("role", [*RECORDERS, *READERS, *NOBODY])
def test_the_listings_and_the_tallies(role, users, household):
    client = logged_in(users[role])
    for name in LISTINGS:
        response = client.get(reverse(name))
        if role in NOBODY:
            assert refused(response), (role, name)
            assert HEAD not in response.content.decode(), (role, name)
        else:
            assert response.status_code == 200, (role, name)
    if role not in NOBODY:
        listing = client.get(reverse(LISTINGS[0])).content.decode()
        assert HEAD in listing and PHONE in listing


@pytest.mark.parametrize("role", [*READERS, *NOBODY])
def test_only_the_recorders_add_a_household(role, users):
    response = logged_in(users[role]).post(
        reverse("wagtailsnippets_visits_household:add"),
        {"building": "1号楼", "head_name": "不该有", "category": "other", "is_active": "on"},
    )
    assert refused(response)
    assert not Household.objects.filter(head_name="不该有").exists()


@pytest.mark.parametrize("role", RECORDERS)
def test_the_recorders_record_a_visit_with_its_promises(role, users, household, time_machine):
    time_machine.move_to(datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC), tick=False)
    visitor = CadreFactory(name="吴走访")
    response = logged_in(users[role]).post(
        reverse("wagtailsnippets_visits_visit:add"),
        {
            "household": household.pk,
            "date": "2026-08-03",
            "visitors": [visitor.pk],
            "circumstances": "老两口，儿子在外地",
            "opinions": "希望加装电梯",
            "circumstances_known": "on",
            "promises_made": "联系物业修楼道灯\n\n帮助申请临时救助",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (visit,) = Visit.objects.all()
    assert list(visit.visitors.all()) == [visitor]
    assert sorted(visit.promises.values_list("description", "state")) == [
        ("帮助申请临时救助", PromiseState.OPEN),
        ("联系物业修楼道灯", PromiseState.OPEN),
    ]
    (created,) = visit.history.all()
    assert created.history_user == users[role]
    assert not Household.objects.not_visited_in(visit.household and _half(visit.date)).exists()


def _half(day):
    from visits.models import half_year

    return half_year(day)


def test_a_visit_dated_tomorrow_is_refused(cadre, household, time_machine):
    time_machine.move_to(datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC), tick=False)
    response = logged_in(cadre).post(
        reverse("wagtailsnippets_visits_visit:add"),
        {"household": household.pk, "date": "2026-08-04", "visitors": [CadreFactory().pk]},
    )
    assert response.status_code == 200
    assert not Visit.objects.exists()
    assert ui("zh-hans", "A visit cannot be dated in the future.") in response.content.decode()


class TestTheDashboardPanel:
    def test_the_cadre_sees_the_households_due_and_the_open_promises(self, cadre, time_machine):
        time_machine.move_to(datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC), tick=False)
        HouseholdFactory.create_batch(2)
        visited = HouseholdFactory()
        PromiseFactory(visit=VisitFactory(household=visited, date=datetime.date(2026, 8, 1)))
        kept = PromiseFactory(visit__household=visited, visit__date=datetime.date(2026, 7, 2))
        Promise.objects.filter(pk=kept.pk).update(state=PromiseState.DONE)

        page = BeautifulSoup(
            logged_in(cadre).get(reverse("wagtailadmin_home")).content, "html.parser"
        )

        due = page.select_one('[data-visits-panel="due"]')
        promises = page.select_one('[data-visits-panel="promises"]')
        assert "2" in due.get_text() and "1" in promises.get_text()
        assert due.a["href"].startswith(reverse("wagtailsnippets_visits_household:list"))
        assert "due=true" in due.a["href"]
        assert promises.a["href"].endswith("?state=open")

    @pytest.mark.parametrize("role", NOBODY)
    def test_not_on_the_dashboard_of_the_others(self, role, users):
        page = logged_in(users[role]).get(reverse("wagtailadmin_home")).content.decode()
        assert "data-visits-panel" not in page


def test_the_due_listing_lists_only_the_households_not_visited(supervisor, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 3, 2, tzinfo=datetime.UTC), tick=False)
    HouseholdFactory(head_name="钱未访")
    VisitFactory(household__head_name="孙已访", date=datetime.date(2026, 3, 1))
    page = logged_in(supervisor).get(
        reverse("wagtailsnippets_visits_household:list"), {"due": "true"}
    )
    text = page.content.decode()
    assert "钱未访" in text and "孙已访" not in text


@pytest.mark.parametrize(
    ("role", "offered"), [("cadre", True), ("party", True), ("supervisor", False)]
)
def test_record_a_visit_is_offered_only_to_those_who_add_visits(role, offered, users, household):
    page = logged_in(users[role]).get(reverse("wagtailsnippets_visits_household:list"))
    add = reverse("wagtailsnippets_visits_visit:add") + f"?household={household.pk}"
    assert (add in page.content.decode()) is offered


def test_the_history_centre_masks_the_household_for_others(make_user, household, supervisor):
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "view_auditentry"],
            content_type__app_label__in=["wagtailadmin", "audit"],
        )
    )
    entry = reverse("audit_history:inspect", args=[entries_for(household).last().pk])

    masked = logged_in(make_user("Auditors", username="auditor")).get(entry)
    assert masked.status_code == 200
    assert PHONE not in masked.content.decode() and HEAD not in masked.content.decode()
    assert f"<ins>{HIDDEN}</ins>" in masked.content.decode()

    shown = logged_in(supervisor).get(entry).content.decode()
    assert f"<ins>{PHONE}</ins>" in shown


def test_the_history_centre_masks_what_a_visit_found(make_user, supervisor):
    visit = VisitFactory(circumstances="丈夫患尿毒症透析", opinions="反映低保金额偏低")
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "view_auditentry"],
            content_type__app_label__in=["wagtailadmin", "audit"],
        )
    )
    entry = reverse("audit_history:inspect", args=[entries_for(visit).last().pk])
    masked = logged_in(make_user("Auditors", username="auditor")).get(entry).content.decode()
    assert "尿毒症" not in masked and "低保金额" not in masked
    assert "尿毒症" in logged_in(supervisor).get(entry).content.decode()


class TestThePublicSite:
    @pytest.fixture(autouse=True)
    def _records(self, home_page, household):
        VisitFactory(household=household, circumstances="韩家欠费")

    @pytest.mark.parametrize("path", ["/", "/sitemap.xml"])
    def test_nothing_of_it_on_the_pages(self, path):
        response = Client().get(path)
        assert response.status_code == 200
        body = response.content.decode()
        assert HEAD not in body and PHONE not in body and BUILDING not in body

    @pytest.mark.parametrize("query", [HEAD, PHONE, BUILDING, "韩家欠费"])
    @pytest.mark.search_index
    def test_search_finds_none_of_it(self, query):
        response = Client().get("/search/", {"q": query})
        assert response.status_code == 200
        rest = BeautifulSoup(response.content.decode(), "html.parser").get_text().replace(query, "")
        assert HEAD not in rest and PHONE not in rest and BUILDING not in rest

    def test_the_admin_is_closed_to_visitors(self, household):
        response = Client().get(reverse("wagtailsnippets_visits_household:list"))
        assert refused(response)
