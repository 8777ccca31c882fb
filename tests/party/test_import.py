"""Importing party members from the office's spreadsheets (party.imports): persons found or
added, the category's fields and PartyMember.clean on every row, all or nothing, the history of
member and person, Chinese headings and labels, GB18030, and the roles that may not import."""

import csv
import datetime
import io

import pytest
import time_machine

from django.urls import reverse

from core import imports, roles
from party.factories import PartyMemberFactory
from party.imports import PARTY_MEMBERS
from party.models import Category, PartyMember
from people.factories import PersonFactory
from people.models import Person
from tests.support import csv_bytes, logged_in, stored_uploads, xlsx_bytes
from tests.support import upload as upload_file

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/party/import/"
CONFIRM_URL = "/admin/party/import/confirm/"
LIST_URL = "/admin/snippets/party/partymember/"

ENGLISH = [
    "name",
    "building",
    "unit",
    "phone",
    "category",
    "party branch",
    "joined the party",
    "workplace",
    "party organisation of the workplace",
    "contact hours",
    "membership held at",
    "in the community since",
]
CHINESE = [
    "姓名",
    "楼栋",
    "单元",
    "电话",
    "类别",
    "所在党支部",
    "入党日期",
    "工作单位",
    "工作单位党组织",
    "联系时间",
    "组织关系所在",
    "来社区时间",
]

TODAY = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(autouse=True)
def frozen():
    """The date joined is checked against today."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


def upload(client, name, content):
    return upload_file(client, UPLOAD_URL, name, content)


def kinds(response):
    return [(row["line"], row["kind"]) for row in response.context["preview"].rows]


def row(name, category, **cells):
    values = {
        "building": "",
        "unit": "",
        "phone": "",
        "branch": "第一党支部",
        "joined": "2001-07-01",
        "workplace": "",
        "organisation": "",
        "hours": "",
        "held_at": "",
        "since": "",
        **cells,
    }
    return [
        name,
        values["building"],
        values["unit"],
        values["phone"],
        category,
        values["branch"],
        values["joined"],
        values["workplace"],
        values["organisation"],
        values["hours"],
        values["held_at"],
        values["since"],
    ]


GOOD = [
    ENGLISH,
    row("王建华", "registered", building="3号楼", unit="1单元", phone="13900000021"),
    row(
        "刘芳",
        "In service here",
        phone="13900000022",
        workplace="区人民医院",
        organisation="区人民医院党委",
        hours="周六上午",
    ),
    row(
        "陈强",
        "migrant",
        phone="13900000023",
        held_at="安徽省阜阳市某村党支部",
        since="2023/3/1",
    ),
]
BAD = [
    ENGLISH,
    row("王建华", "registered", phone="13900000021"),
    row("刘芳", "in_service", phone="13900000022"),  # no workplace
    row("陈强", "registered", joined="2027-01-01"),  # in the future
    row("赵敏", "honorary"),
    row("孙丽", "registered", joined="yesterday"),
    row("周杰", "registered", phone="123"),
]


class TestPreviewAndConfirm:
    @pytest.mark.parametrize(
        "name,content", [("bad.csv", csv_bytes(BAD)), ("bad.xlsx", xlsx_bytes(BAD))]
    )
    def test_every_bad_row_is_named_and_nothing_is_saved(self, office, name, content):
        response = upload(logged_in(office), name, content)

        assert kinds(response) == [
            (2, "new"),
            (3, "error"),
            (4, "error"),
            (5, "error"),
            (6, "error"),
            (7, "error"),
        ]
        rows = response.context["preview"].rows
        assert any("工作单位" in e or "workplace" in e.lower() for e in rows[1]["errors"])
        assert any("入党日期" in e or "joined" in e for e in rows[2]["errors"])
        assert any("honorary" in e for e in rows[3]["errors"])
        assert any("2024-07-01" in e for e in rows[4]["errors"])
        assert any("电话" in e or "phone" in e for e in rows[5]["errors"])
        assert response.context["token"] is None
        assert PartyMember.objects.count() == 0
        assert Person.objects.count() == 0
        assert PartyMember.history.count() == Person.history.count() == 0

    def test_a_stored_bad_file_is_refused_on_confirm(self, office):
        token = imports.keep_upload(
            csv_bytes(BAD), "csv", "bad.csv", office, PARTY_MEMBERS.url_name
        )

        response = logged_in(office).post(CONFIRM_URL, {"upload": token})

        assert response.context["preview"].bad == 5
        assert PartyMember.objects.count() == 0
        assert Person.objects.count() == 0

    def test_a_good_file_adds_persons_and_members_with_their_history(self, office):
        # One person is in the register already: the row finds them by name and phone.
        existing = PersonFactory(name="王建华", phone="13900000021", is_volunteer=True)
        client = logged_in(office)
        preview = upload(client, "党员名册.csv", csv_bytes(GOOD))
        assert kinds(preview) == [(2, "new"), (3, "new"), (4, "new")]

        response = client.post(CONFIRM_URL, {"upload": preview.context["token"]})

        assert response.status_code == 302
        assert response["Location"] == LIST_URL
        assert Person.objects.count() == 3
        wang = PartyMember.objects.get(person=existing)
        liu = PartyMember.objects.get(person__name="刘芳")
        chen = PartyMember.objects.get(person__name="陈强")
        assert (wang.category, wang.branch, wang.joined_on) == (
            Category.REGISTERED,
            "第一党支部",
            datetime.date(2001, 7, 1),
        )
        assert (liu.category, liu.workplace, liu.workplace_organisation, liu.contact_hours) == (
            Category.IN_SERVICE,
            "区人民医院",
            "区人民医院党委",
            "周六上午",
        )
        assert (chen.category, chen.relation_held_at, chen.here_since) == (
            Category.MIGRANT,
            "安徽省阜阳市某村党支部",
            datetime.date(2023, 3, 1),
        )
        assert all(
            member.person.is_party_member for member in PartyMember.objects.select_related("person")
        )
        for member in (wang, liu, chen):
            (created,) = member.history.all()
            assert created.history_user_id == office.pk
            assert "党员名册.csv" in created.history_change_reason
        # The persons the import added, and the one it made a member, carry it too.
        for person in Person.objects.all():
            latest = person.history.first()
            assert latest.history_user_id == office.pk
            assert "党员名册.csv" in latest.history_change_reason
        assert stored_uploads() == []

    def test_a_row_for_a_member_updates_their_record(self, office):
        member = PartyMemberFactory(
            person=PersonFactory(name="王建华", building="3号楼", unit="1单元", phone=""),
            branch="第一党支部",
        )
        client = logged_in(office)
        rows = [
            ["姓名", "楼栋", "单元", "所在党支部", "类别"],
            ["王建华", "3号楼", "1单元", "第二党支部", ""],
        ]
        preview = upload(client, "update.csv", csv_bytes(rows))
        assert kinds(preview) == [(2, "update")]

        client.post(CONFIRM_URL, {"upload": preview.context["token"]})

        member.refresh_from_db()
        assert (member.branch, member.category) == ("第二党支部", Category.REGISTERED)
        assert PartyMember.objects.count() == 1
        changed = member.history.first()
        assert (changed.history_type, changed.history_user_id) == ("~", office.pk)
        assert "update.csv" in changed.history_change_reason


class TestFiles:
    def test_xlsx_with_chinese_headings_labels_and_date_cells(self, office):
        rows = [
            CHINESE,
            [
                "刘芳",
                "",
                "",
                13900000022,
                "在职党员（到社区报到）",
                "第一党支部",
                datetime.datetime(1999, 7, 1),
                "区人民医院",
                "区人民医院党委",
                "周六上午",
                "",
                "",
            ],
        ]
        client = logged_in(office)
        preview = upload(client, "名册.xlsx", xlsx_bytes(rows))
        assert kinds(preview) == [(2, "new")]

        client.post(CONFIRM_URL, {"upload": preview.context["token"]})

        member = PartyMember.objects.get()
        assert (member.category, member.joined_on, member.person.phone) == (
            Category.IN_SERVICE,
            datetime.date(1999, 7, 1),
            "13900000022",
        )

    def test_gb18030_csv(self, office):
        rows = [
            CHINESE,
            row("欧阳娜娜", "流动党员", held_at="安徽省阜阳市某村党支部", since="2023年3月1日"),
        ]
        client = logged_in(office)
        preview = upload(client, "名册.csv", csv_bytes(rows, encoding="gb18030"))
        assert kinds(preview) == [(2, "new")]

        client.post(CONFIRM_URL, {"upload": preview.context["token"]})

        member = PartyMember.objects.get()
        assert (member.person.name, member.category, member.here_since) == (
            "欧阳娜娜",
            Category.MIGRANT,
            datetime.date(2023, 3, 1),
        )

    def test_a_file_without_the_needed_columns_is_refused(self, office):
        response = upload(logged_in(office), "p.csv", csv_bytes([["所在党支部"], ["第一党支部"]]))

        (error,) = response.context["form"].errors["file"]
        assert "姓名" in error or "name" in error
        assert PartyMember.objects.count() == 0

    def test_the_template_file_has_every_heading(self, office):
        response = logged_in(office).get(reverse("party_import_template", args=["csv"]))

        text = response.content.decode("utf-8-sig")
        assert next(csv.reader(io.StringIO(text))) == CHINESE


class TestRoles:
    def test_the_listing_offers_import_to_the_office_only(self, office, supervisor):
        assert UPLOAD_URL.encode() in logged_in(office).get(LIST_URL).content
        assert UPLOAD_URL.encode() not in logged_in(supervisor).get(LIST_URL).content

    @pytest.mark.parametrize("role", ["clerk", "supervisor", "editor", "cadre"])
    def test_wrong_roles_are_refused_and_nothing_changes(self, request, role):
        user = request.getfixturevalue(role)
        client = logged_in(user)
        token = imports.keep_upload(csv_bytes(GOOD), "csv", "p.csv", user, PARTY_MEMBERS.url_name)

        responses = [
            client.get(UPLOAD_URL),
            upload(client, "p.csv", csv_bytes(GOOD)),
            client.post(CONFIRM_URL, {"upload": token}),
            client.get(reverse("party_import_template", args=["xlsx"])),
        ]

        assert all(
            response.status_code == 403
            or (response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin"))
            for response in responses
        ), [response.status_code for response in responses]
        assert PartyMember.objects.count() == 0
        assert not Person.objects.filter(name__in=["刘芳", "陈强"]).exists()
