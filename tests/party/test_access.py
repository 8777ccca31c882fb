"""Who sees the contact data of the registers (issue 13's promise): a person's phone and
address, a party member's workplace, its party organisation and where their organisation
relation is held.

Only the roles that keep the registers see them (meeting clerks keep the persons, the
party-affairs office keeps persons and party members; supervisors read every record); duty
cadres see the register's names but never its contact data, editors and moderators not even
the register; history masks them for everyone else; the public site shows none of it. Each
role tries the listing, the inspect and edit views, the export and the History centre of
persons and of party members, and the public site is searched for them.
"""

import csv
import datetime
import io
import json

import pytest
from bs4 import BeautifulSoup

from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appraisals.factories import AppraisalFactory
from audit.diff import HIDDEN
from core import roles
from core.transitions import perform
from party.factories import (
    FeedbackSheetFactory,
    MeetingFactory,
    PartyMemberFactory,
    ReportedActivityFactory,
)
from party.models import AttendanceStatus
from people.factories import CadreFactory, PersonFactory
from tests.audit.support import entries_for
from tests.support import logged_in

pytestmark = pytest.mark.django_db

ROLES = [
    "editor",
    "moderator",
    "clerk",
    "cadre",
    "supervisor",
    "office",
    "representative",
    "anonymous",
]
# Who may open the register of persons, who may see its contact data, who may change it.
SEE_PERSONS = {"clerk", "cadre", "supervisor", "office"}
SEE_PERSON_CONTACT = {"clerk", "supervisor", "office"}
EDIT_PERSONS = {"clerk", "office"}
# Who may open the party members (and their contact data), who may change them.
SEE_MEMBERS = {"supervisor", "office"}
EDIT_MEMBERS = {"office"}
# Who may open the History centre.
SEE_HISTORY = {"supervisor"}

PHONE = "13955550001"
BUILDING = "梧桐苑8号楼"
WORKPLACE = "区人民医院"
ORGANISATION = "区人民医院党委"
RELATION = "阜阳市颍州区某村党支部"
MEMBER_CONTACT = (PHONE, BUILDING, WORKPLACE, ORGANISATION)
MIGRANT_CONTACT = ("13955550002", RELATION)
CADRE_PHONE = "13955550009"
LEAVE = "住院治疗中请假"

PERSONS = "/admin/snippets/people/person/"
MEMBERS = "/admin/snippets/party/partymember/"


def refused(response):
    """Refused as the admin refuses: 403 or 404, back to the dashboard with a message, or to
    the login page (no admin access, or not logged in)."""
    if response.status_code in (403, 404):
        return True
    if response.status_code != 302:
        return False
    location = response["Location"]
    return location.rstrip("/").endswith("/admin") or "/login/" in location


def shown(response, *texts):
    """Which of ``texts`` the response shows (a CSV export read as text)."""
    if not hasattr(response, "_text"):
        # A streamed export can be read once: keep what it said.
        content = response.getvalue() if response.streaming else response.content
        response._text = content.decode("utf-8-sig", errors="replace")
    body = response._text
    return {text for text in texts if text in body}


@pytest.fixture
def users(editor, moderator, clerk, cadre, supervisor, representative, make_user):
    return {
        "editor": editor,
        "moderator": moderator,
        "clerk": clerk,
        "cadre": cadre,
        "supervisor": supervisor,
        "office": make_user(roles.PARTY_OFFICE, username="party-office"),
        "representative": representative,
        "anonymous": None,
    }


@pytest.fixture
def client_of(users):
    def client(role):
        user = users[role]
        return Client() if user is None else logged_in(user)

    return client


@pytest.fixture
def member(users):
    """An in-service party member whose address, phone and workplace were changed once, by
    the office, with history."""
    member = PartyMemberFactory(
        in_service=True,
        person__name="郑在职",
        person__phone="13900000000",
        person__building=BUILDING,
        person__unit="3单元",
        workplace="市第三中学",
        workplace_organisation=ORGANISATION,
    )
    office = users["office"]
    person = member.person
    person.phone = PHONE
    person._history_user = office
    person.save()
    member.workplace = WORKPLACE
    member._history_user = office
    member.save()
    return member


@pytest.fixture
def migrant():
    return PartyMemberFactory(
        migrant=True,
        person__name="冯流动",
        person__phone="13955550002",
        relation_held_at=RELATION,
    )


@pytest.mark.parametrize("role", ROLES)
class TestPersons:
    def test_listing_and_search(self, role, client_of, member):
        client = client_of(role)
        response = client.get(PERSONS)
        if role not in SEE_PERSONS:
            assert refused(response)
            assert not shown(response, *MEMBER_CONTACT, "郑在职")
            return
        assert response.status_code == 200
        assert "郑在职" in response.content.decode()
        # The address column for the register's keepers only; never a phone or a workplace.
        assert shown(response, *MEMBER_CONTACT) == (
            {BUILDING} if role in SEE_PERSON_CONTACT else set()
        )
        # Searching by building would tell who lives there.
        found = client.get(PERSONS, {"q": "梧桐苑"})
        assert ("郑在职" in found.content.decode()) == (role in SEE_PERSON_CONTACT)

    def test_inspect_and_edit(self, role, client_of, member):
        client = client_of(role)
        person = member.person
        inspect = client.get(f"{PERSONS}inspect/{person.pk}/")
        edit = client.get(f"{PERSONS}edit/{person.pk}/")
        if role not in SEE_PERSONS:
            assert refused(inspect) and refused(edit)
            assert not shown(inspect, *MEMBER_CONTACT) and not shown(edit, *MEMBER_CONTACT)
            return
        assert inspect.status_code == 200
        expected = {PHONE, BUILDING} if role in SEE_PERSON_CONTACT else set()
        assert shown(inspect, *MEMBER_CONTACT) == expected
        if role in EDIT_PERSONS:
            assert edit.status_code == 200
            assert shown(edit, *MEMBER_CONTACT) == {PHONE, BUILDING}
        else:
            assert refused(edit)
            assert not shown(edit, *MEMBER_CONTACT)

    @pytest.mark.parametrize("export", ["csv", "xlsx"])
    def test_export(self, role, client_of, member, export):
        response = client_of(role).get(PERSONS, {"export": export})
        if role not in SEE_PERSONS:
            assert refused(response)
            return
        assert response.status_code == 200
        if export == "csv":
            rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
            cells = {cell for row in rows for cell in row}
            assert "郑在职" in cells
            expected = {PHONE, BUILDING} if role in SEE_PERSON_CONTACT else set()
            assert {PHONE, BUILDING} & cells == expected
            assert WORKPLACE not in cells


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.search_index
def test_the_person_chooser_shows_no_contact_data(role, client_of, member):
    """The chooser other forms use to pick a person (a shift's cadre, a member's person)
    lists names only, and finds nobody by address or phone, whoever opens it."""
    client = client_of(role)
    url = reverse("wagtailsnippetchoosers_people_person:choose")
    for query in ({}, {"q": "梧桐苑"}, {"q": PHONE}):
        response = client.get(url, query)
        if response.status_code != 200:
            assert refused(response)
            continue
        html = json.loads(response.content)["html"] if "json" in response["Content-Type"] else ""
        html = html or response.content.decode()
        if query:
            # It says what was searched for, and nothing else of the register.
            html = html.replace(query["q"], "")
        assert not {text for text in MEMBER_CONTACT if text in html}
        if query:
            assert "郑在职" not in html


@pytest.mark.parametrize("role", ROLES)
class TestPartyMembers:
    def test_listing_inspect_and_edit(self, role, client_of, member, migrant):
        client = client_of(role)
        views = {
            "list": client.get(MEMBERS),
            "inspect": client.get(f"{MEMBERS}inspect/{member.pk}/"),
            "inspect migrant": client.get(f"{MEMBERS}inspect/{migrant.pk}/"),
            "edit": client.get(f"{MEMBERS}edit/{member.pk}/"),
            "card": client.get(reverse("party_contact_card", args=[member.pk])),
            "cards": client.get(reverse("party_contact_cards")),
        }
        everything = (*MEMBER_CONTACT, *MIGRANT_CONTACT)
        if role not in SEE_MEMBERS:
            for name, response in views.items():
                assert refused(response), name
                assert not shown(response, *everything, member.card_number), name
            return
        for name, response in views.items():
            if name == "edit" and role not in EDIT_MEMBERS:
                assert refused(response)
                assert not shown(response, *everything)
            else:
                assert response.status_code == 200, name
        assert shown(views["inspect"], WORKPLACE, ORGANISATION) == {WORKPLACE, ORGANISATION}
        assert shown(views["inspect migrant"], RELATION) == {RELATION}
        # A card is handed to the member: nothing personal on it, whoever prints it.
        assert shown(views["card"], member.card_number) == {member.card_number}
        assert not shown(views["card"], *MEMBER_CONTACT)

    def test_export(self, role, client_of, member, migrant):
        response = client_of(role).get(MEMBERS, {"export": "csv"})
        if role not in SEE_MEMBERS:
            assert refused(response)
            assert not shown(response, *MEMBER_CONTACT, *MIGRANT_CONTACT)
            return
        assert response.status_code == 200
        assert shown(response, *MEMBER_CONTACT, *MIGRANT_CONTACT) == {
            *MEMBER_CONTACT,
            *MIGRANT_CONTACT,
        }


@pytest.fixture
def organisation_life(users, member):
    """A held meeting (the member on leave, with a reason), a reported activity, a feedback
    sheet for the member's workplace, and a year-end appraisal of a cadre of the register."""
    office = users["office"]
    today = timezone.localdate()
    meeting = MeetingFactory(branch=member.branch, date=today - datetime.timedelta(days=30))
    perform(meeting, "take_roll", office, roll={member.pk: (AttendanceStatus.ON_LEAVE, LEAVE)})
    cadre = CadreFactory(name="卢干部", phone=CADRE_PHONE, building=BUILDING)
    return {
        "meeting": meeting,
        "attendance": meeting.attendances.get(),
        "activity": ReportedActivityFactory(member=member, date=today),
        "sheet": FeedbackSheetFactory(member=member, year=today.year - 1),
        "appraisal": AppraisalFactory(cadre=cadre, year=today.year),
    }


def organisation_life_views(records):
    """Every admin view of organisation life and the appraisals: (name, url, who may open it)."""
    views = []
    for name, base in (
        ("meeting", "/admin/snippets/party/meeting/"),
        ("attendance", "/admin/snippets/party/attendance/"),
        ("activity", "/admin/snippets/party/reportedactivity/"),
        ("sheet", "/admin/snippets/party/feedbacksheet/"),
        ("appraisal", "/admin/snippets/appraisals/appraisal/"),
    ):
        pk = records[name].pk
        # Attendance changes only through a meeting's roll: nobody edits a row.
        editors = set() if name == "attendance" else EDIT_MEMBERS
        views += [
            (f"{name} list", base, SEE_MEMBERS),
            (f"{name} export", f"{base}?export=csv", SEE_MEMBERS),
            (f"{name} inspect", f"{base}inspect/{pk}/", SEE_MEMBERS),
            (f"{name} edit", f"{base}edit/{pk}/", editors),
        ]
    views += [
        ("attendance report", reverse("party_attendance_report"), SEE_MEMBERS),
        (
            "participation report",
            f"{reverse('party_participation_report')}?export=csv",
            SEE_MEMBERS,
        ),
        (
            "feedback sheet print",
            reverse("party_feedback_sheet_print", args=[records["sheet"].pk]),
            SEE_MEMBERS,
        ),
        (
            "appraisal sheet",
            reverse("appraisals_sheet", args=[records["appraisal"].pk]),
            SEE_MEMBERS,
        ),
        ("appraisal sheets", reverse("appraisals_sheets"), SEE_MEMBERS),
    ]
    return views


@pytest.mark.parametrize("role", ROLES)
def test_organisation_life_and_appraisals(role, client_of, organisation_life):
    """Meetings, their roll, activities, feedback sheets and appraisals are the office's (and
    the supervisors', read-only); none of them shows a phone or an address to anyone; the
    feedback sheet, which goes to the member's workplace, names it."""
    client = client_of(role)
    for name, url, allowed in organisation_life_views(organisation_life):
        response = client.get(url)
        if role not in allowed:
            assert refused(response), (name, url)
            assert not shown(response, *MEMBER_CONTACT, CADRE_PHONE, LEAVE), name
            continue
        assert response.status_code == 200, (name, url)
        assert not shown(response, PHONE, BUILDING, CADRE_PHONE), name
        if name in ("sheet export", "feedback sheet print"):
            assert shown(response, WORKPLACE) == {WORKPLACE}, name


def history_urls(member):
    """The History centre's listing, the person's timeline, and the entries of the changes
    to the person's phone and the member's workplace."""
    person = member.person
    return {
        "index": reverse("audit_history:index"),
        "person entry": reverse("audit_history:inspect", args=[entries_for(person).last().pk]),
        "member entry": reverse("audit_history:inspect", args=[entries_for(member).last().pk]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_history_centre(role, client_of, member):
    client = client_of(role)
    responses = {name: client.get(url) for name, url in history_urls(member).items()}
    if role not in SEE_HISTORY:
        for name, response in responses.items():
            assert refused(response), name
            assert not shown(response, *MEMBER_CONTACT), name
        return
    assert all(response.status_code == 200 for response in responses.values())
    assert shown(responses["person entry"], PHONE) == {PHONE}
    assert f"<ins>{PHONE}</ins>" in responses["person entry"].content.decode()
    assert f"<ins>{WORKPLACE}</ins>" in responses["member entry"].content.decode()


def test_history_masks_contact_data_for_everyone_else(make_user, member):
    """Someone who may read history but keeps no register (an auditor's group) sees that a
    phone, an address or a workplace changed, never what it was."""
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "view_auditentry"],
            content_type__app_label__in=["wagtailadmin", "audit"],
        )
    )
    client = logged_in(make_user("Auditors", username="auditor"))
    for name, url in history_urls(member).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert not shown(response, *MEMBER_CONTACT, "13900000000", "市第三中学"), name
    person_entry = client.get(history_urls(member)["person entry"]).content.decode()
    member_entry = client.get(history_urls(member)["member entry"]).content.decode()
    assert f"<ins>{HIDDEN}</ins>" in person_entry
    assert f"<ins>{HIDDEN}</ins>" in member_entry


class TestThePublicSite:
    @pytest.fixture(autouse=True)
    def _register(self, home_page, member, migrant):
        PersonFactory(name="郑公开", phone="13955550003", building=BUILDING)

    SECRETS = (*MEMBER_CONTACT, *MIGRANT_CONTACT, "13955550003", "郑在职", "冯流动")

    @pytest.mark.parametrize("path", ["/", "/sitemap.xml"])
    def test_nothing_of_it_on_the_pages(self, client, path):
        response = client.get(path)
        assert response.status_code == 200
        assert not shown(response, *self.SECRETS)

    @pytest.mark.parametrize("query", ["郑在职", PHONE, "梧桐苑", WORKPLACE, RELATION])
    @pytest.mark.search_index
    def test_search_finds_none_of_it(self, client, query):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        page = BeautifulSoup(response.content.decode(), "html.parser")
        results = " ".join(found.get_text() for found in page.select(".results"))
        assert not {secret for secret in self.SECRETS if secret in results}
        # The page repeats what was typed, and nothing else of the registers.
        rest = page.get_text().replace(query, "")
        assert not {secret for secret in self.SECRETS if secret in rest}

    @pytest.mark.parametrize("path", ["/party/", "/people/", f"/party/{1}/"])
    def test_no_public_path_to_the_registers(self, client, path):
        assert client.get(path).status_code == 404
