"""Attendance at organisation life: the year's counts per member in one query, the
"absent too often" rule at its threshold and at the year's boundaries, the read-only
listing with its filters, search and export, who may see it, and the masked reasons."""

import csv
import datetime
import io

import pytest
import time_machine

from django.db import IntegrityError

from core import roles
from party.factories import AttendanceFactory, MeetingFactory, PartyMemberFactory
from party.models import ABSENCES_TOO_MANY, Attendance, MeetingKind, PartyMember
from tests.support import logged_in, ui

from .orglife_support import (
    ABSENT,
    ATTENDANCE_URL,
    LEAVE,
    PRESENT,
    branch_of,
    held_meeting,
    refused,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


def day(year, month, date):
    return datetime.date(year, month, date)


def export_rows(user, **query):
    response = logged_in(user).get(ATTENDANCE_URL, {**query, "export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))


class TestTheYear:
    def test_the_rows_of_a_year_run_from_the_first_of_january_to_the_last_of_december(self, office):
        members = branch_of(1)
        for date in [day(2024, 12, 31), day(2025, 1, 1), day(2025, 12, 31), day(2026, 1, 1)]:
            held_meeting(office, members, [ABSENT], date=date)
        dates = sorted(Attendance.objects.in_year(2025).values_list("date", flat=True))
        assert dates == [day(2025, 1, 1), day(2025, 12, 31)]

    def test_with_attendance_counts_each_status_in_one_query(
        self, office, django_assert_num_queries
    ):
        members = branch_of(2)
        guest = PartyMemberFactory(branch="第二党支部", in_service=True)
        held_meeting(office, members, [PRESENT, LEAVE], date=day(2025, 12, 31))
        held_meeting(office, members, [ABSENT, LEAVE], date=day(2026, 1, 1))
        held_meeting(office, members, [PRESENT, ABSENT], date=day(2026, 2, 1))
        meeting = MeetingFactory(branch="第一党支部", date=day(2026, 3, 1))
        from core.transitions import perform

        perform(
            meeting,
            "take_roll",
            office,
            roll={members[0].pk: (PRESENT, ""), members[1].pk: (PRESENT, "")},
            invited=[guest],
        )
        with django_assert_num_queries(1):
            counts = {
                m.pk: (m.present_count, m.leave_count, m.absent_count, m.invited_count)
                for m in PartyMember.objects.with_attendance(2026)
            }
        assert counts == {
            members[0].pk: (2, 0, 1, 0),
            members[1].pk: (1, 1, 1, 0),
            guest.pk: (1, 0, 0, 1),
        }
        assert PartyMember.objects.with_attendance(2025).get(pk=members[1].pk).leave_count == 1

    def test_absent_too_often_from_the_threshold_on(self, office):
        assert ABSENCES_TOO_MANY == 3
        members = branch_of(3)
        statuses = [
            [ABSENT, ABSENT, LEAVE],
            [ABSENT, ABSENT, LEAVE],
            [ABSENT, PRESENT, LEAVE],
            [ABSENT, ABSENT, LEAVE],
        ]
        dates = [day(2025, 12, 31), day(2026, 1, 1), day(2026, 2, 1), day(2026, 3, 1)]
        for date, row in zip(dates, statuses, strict=True):
            held_meeting(office, members, row, date=date)
        # 2026: the first member is absent from exactly three meetings, the second from two,
        # the third was on leave each time (leave is not absence).
        assert list(PartyMember.objects.absent_too_often(2026)) == [members[0]]
        # The meeting of the last day of 2025 counts for 2025 only.
        assert list(PartyMember.objects.absent_too_often(2025)) == []

    def test_activities_combine_with_the_attendance_without_multiplying(self, office):
        from party.factories import ReportedActivityFactory

        member = PartyMemberFactory(in_service=True)
        held_meeting(office, [member], [PRESENT], date=day(2026, 2, 1))
        held_meeting(office, [member], [PRESENT], date=day(2026, 3, 1))
        ReportedActivityFactory(member=member, date=day(2026, 4, 1), hours=2)
        ReportedActivityFactory(member=member, date=day(2026, 5, 1), hours="1.5")
        ReportedActivityFactory(member=member, date=day(2025, 5, 1), hours=9)
        row = PartyMember.objects.with_attendance(2026).with_activities(2026).get()
        assert (row.present_count, row.activity_count, str(row.activity_hours)) == (
            2,
            2,
            "3.5",
        )


class TestTheRows:
    def test_one_row_per_member_and_meeting(self, office):
        members = branch_of(1)
        meeting = held_meeting(office, members, [PRESENT])
        with pytest.raises(IntegrityError):
            AttendanceFactory(meeting=meeting, member=members[0])

    def test_the_row_takes_the_meetings_date_and_kind(self):
        row = AttendanceFactory(
            meeting=MeetingFactory(date=day(2026, 5, 4), kind=MeetingKind.COMMITTEE)
        )
        assert (row.date, row.kind) == (day(2026, 5, 4), MeetingKind.COMMITTEE)


class TestTheListing:
    def test_filters_by_year_kind_status_and_branch_and_searches_names(self, office):
        first = branch_of(2)
        second = branch_of(1, branch="第二党支部")
        held_meeting(office, first, [ABSENT, PRESENT], date=day(2025, 12, 31))
        held_meeting(office, first, [PRESENT, LEAVE], date=day(2026, 1, 1), kind=MeetingKind.LESSON)
        held_meeting(office, second, [ABSENT], date=day(2026, 2, 1))
        rows = export_rows(office, year=2025)
        assert sorted((row[5], row[8]) for row in rows[1:]) == [
            ("第一党支部党员0", ui("zh-hans", "absent without leave")),
            ("第一党支部党员1", ui("zh-hans", "present")),
        ]
        assert len(export_rows(office, year=2026)) == 1 + 3
        assert len(export_rows(office, kind=MeetingKind.LESSON)) == 1 + 2
        assert len(export_rows(office, status=ABSENT)) == 1 + 2
        assert len(export_rows(office, branch="第二党支部")) == 1 + 1
        assert len(export_rows(office, q="党员1")) == 1 + 2
        assert len(export_rows(office, member=first[1].pk, year=2026)) == 1 + 1
        assert len(export_rows(office, card=second[0].card_number)) == 1 + 1

    def test_the_export_holds_the_reason_and_typed_text_stays_text(self, office):
        (member,) = branch_of(1)
        meeting = MeetingFactory()
        from core.transitions import perform

        perform(meeting, "take_roll", office, roll={member.pk: (LEAVE, "=HYPERLINK(1)")})
        rows = export_rows(office)
        assert "'=HYPERLINK(1)" in rows[1]
        assert member.card_number in rows[1]

    def test_the_listing_answers_newest_first_with_a_page_of_rows(self, office):
        members = branch_of(2)
        held_meeting(office, members, [PRESENT, ABSENT], date=day(2026, 1, 5))
        held_meeting(office, members, [PRESENT, PRESENT], date=day(2026, 5, 5))
        response = logged_in(office).get(ATTENDANCE_URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("2026") > 0
        dates = [row.date for row in response.context["object_list"]]
        assert dates == sorted(dates, reverse=True)

    def test_read_only_for_everyone_deleted_by_administrators_only(self, office, superuser):
        members = branch_of(1)
        held_meeting(office, members, [PRESENT])
        row = Attendance.objects.get()
        for user in [office, superuser]:
            client = logged_in(user)
            assert client.get(ATTENDANCE_URL).status_code == 200
            assert client.get(f"{ATTENDANCE_URL}inspect/{row.pk}/").status_code == 200
            for url in [f"{ATTENDANCE_URL}add/", f"{ATTENDANCE_URL}edit/{row.pk}/"]:
                assert refused(client.get(url)), (user.username, url)
                assert refused(client.post(url, {"status": ABSENT})), (user.username, url)
        assert refused(logged_in(office).post(f"{ATTENDANCE_URL}delete/{row.pk}/"))
        row.refresh_from_db()
        assert row.status == PRESENT

    def test_supervisors_read_the_others_see_nothing(
        self, office, supervisor, editor, moderator, clerk, make_user
    ):
        members = branch_of(1)
        held_meeting(office, members, [LEAVE])
        row = Attendance.objects.get()
        assert logged_in(supervisor).get(ATTENDANCE_URL).status_code == 200
        assert len(export_rows(supervisor)) == 2
        for user in [editor, moderator, clerk, make_user(roles.DUTY_CADRES, username="duty")]:
            client = logged_in(user)
            for url in [
                ATTENDANCE_URL,
                f"{ATTENDANCE_URL}?export=csv",
                f"{ATTENDANCE_URL}inspect/{row.pk}/",
            ]:
                response = client.get(url)
                assert refused(response), (user.username, url)
                assert "出差" not in response.content.decode()

    def test_history_masks_the_reason_for_those_who_may_not_see_attendance(
        self, office, supervisor, make_user
    ):
        from django.contrib.auth.models import Group, Permission

        from audit.diff import HIDDEN
        from tests.audit.support import entries_for

        auditors = Group.objects.create(name="Auditors")
        auditors.permissions.set(
            Permission.objects.filter(
                codename__in=["access_admin", "view_auditentry"],
                content_type__app_label__in=["wagtailadmin", "audit"],
            )
        )
        auditor = make_user("Auditors", username="auditor")
        (member,) = branch_of(1)
        meeting = MeetingFactory()
        from core.transitions import perform

        perform(meeting, "take_roll", office, roll={member.pk: (LEAVE, "住院做手术")})
        row = Attendance.objects.get()
        url = f"/admin/history/entry/{entries_for(row).last().pk}/"
        masked = logged_in(auditor).get(url).content.decode()
        assert "住院做手术" not in masked
        assert HIDDEN in masked
        shown = logged_in(supervisor).get(url).content.decode()
        assert "住院做手术" in shown
