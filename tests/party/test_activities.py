"""What in-service and migrant members report doing "eight hours away" (报到, 志愿服务,
办实事, 议事), the yearly feedback sheet to an in-service member's workplace organisation
(draft, then sent), who may do what, their exports, and the demo of organisation life."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from core import roles
from core.transitions import TransitionRefused, perform
from party import demo as party_demo
from party.factories import FeedbackSheetFactory, PartyMemberFactory, ReportedActivityFactory
from party.models import (
    ABSENCES_TOO_MANY,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    FeedbackSheet,
    FeedbackSheetState,
    Meeting,
    MeetingKind,
    MeetingState,
    PartyMember,
    ReportedActivity,
)
from people import demo as people_demo
from people.factories import UserFactory
from tests.support import kept_for_the_scope, logged_in, ui

from .orglife_support import ACTIVITIES_URL, SHEETS_URL, refused, transition_url

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


@pytest.fixture
def wrong_users(editor, moderator, clerk, make_user):
    return [editor, moderator, clerk, make_user(roles.DUTY_CADRES, username="duty")]


def export(user, url, **query):
    response = logged_in(user).get(url, {**query, "export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))


def activity_data(member, **changes):
    return {
        "member": member.pk,
        "date": "2026-06-13",
        "kind": ActivityKind.PRACTICAL,
        "hours": "2.5",
        "description": "帮助小区协调修缮路灯",
        "change_reason": "",
        **changes,
    }


class TestReportedActivities:
    @pytest.mark.parametrize("trait", ["in_service", "migrant"])
    def test_the_office_records_an_activity_of_an_in_service_or_migrant_member(self, office, trait):
        member = PartyMemberFactory(**{trait: True})
        response = logged_in(office).post(f"{ACTIVITIES_URL}add/", activity_data(member))
        assert response.status_code == 302
        activity = ReportedActivity.objects.get()
        assert (activity.member, activity.hours) == (member, Decimal("2.5"))
        (created,) = activity.history.all()
        assert (created.history_type, created.history_user_id) == ("+", office.pk)

    def test_a_registered_member_is_refused_with_a_message(self, office):
        member = PartyMemberFactory()
        activity = ReportedActivity(
            member=member,
            date=datetime.date(2026, 6, 1),
            kind=ActivityKind.VOLUNTEER,
            description="试",
            hours=1,
        )
        with pytest.raises(ValidationError) as error:
            activity.clean()
        assert error.value.message_dict["member"] == [
            ui(
                "zh-hans",
                "Only in-service and migrant members report their activities here; "
                "a registered member's organisation life is their branch's meetings.",
            )
        ]
        # The form offers only those members: another is not a valid choice.
        response = logged_in(office).post(f"{ACTIVITIES_URL}add/", activity_data(member))
        assert response.status_code == 200
        assert not ReportedActivity.objects.exists()

    def test_not_in_the_future_and_hours_in_reason(self, office):
        member = PartyMemberFactory(in_service=True)
        client = logged_in(office)
        for bad in [{"date": "2026-06-16"}, {"hours": "0"}, {"hours": "25"}, {"hours": "x"}]:
            response = client.post(f"{ACTIVITIES_URL}add/", activity_data(member, **bad))
            assert response.status_code == 200, bad
        assert not ReportedActivity.objects.exists()
        assert (
            client.post(
                f"{ACTIVITIES_URL}add/", activity_data(member, date="2026-06-15")
            ).status_code
            == 302
        )

    def test_the_year_filter_and_the_export(self, office):
        member = PartyMemberFactory(in_service=True, person__name="李在职")
        ReportedActivityFactory(member=member, date=datetime.date(2025, 12, 31))
        ReportedActivityFactory(member=member, date=datetime.date(2026, 1, 1))
        assert len(export(office, ACTIVITIES_URL, year=2025)) == 1 + 1
        rows = export(office, ACTIVITIES_URL, year=2026)
        assert len(rows) == 1 + 1
        assert "李在职" in rows[1] and member.card_number in rows[1]
        assert ReportedActivity.objects.in_year(2026).count() == 1

    def test_supervisors_read_and_the_others_see_nothing(self, supervisor, wrong_users):
        activity = ReportedActivityFactory()
        client = logged_in(supervisor)
        assert client.get(ACTIVITIES_URL).status_code == 200
        assert client.get(f"{ACTIVITIES_URL}inspect/{activity.pk}/").status_code == 200
        assert refused(client.get(f"{ACTIVITIES_URL}add/"))
        assert refused(client.post(f"{ACTIVITIES_URL}add/", activity_data(activity.member)))
        for user in wrong_users:
            client = logged_in(user)
            for url in [ACTIVITIES_URL, f"{ACTIVITIES_URL}inspect/{activity.pk}/"]:
                assert refused(client.get(url)), (user.username, url)
            assert refused(client.post(f"{ACTIVITIES_URL}add/", activity_data(activity.member)))
        assert ReportedActivity.objects.count() == 1


class TestFeedbackSheets:
    def test_the_office_sends_a_sheet_and_the_day_is_stamped(self, office):
        sheet = FeedbackSheetFactory(year=2025)
        response = logged_in(office).post(
            transition_url(SHEETS_URL, sheet, "send"), {"reason": "已寄送单位党委"}
        )
        assert response.status_code == 302
        sheet.refresh_from_db()
        assert (sheet.state, sheet.sent_on) == (FeedbackSheetState.SENT, datetime.date(2026, 6, 15))
        created, sent = sheet.history.order_by("history_id")
        assert (sent.state, sent.history_user_id, sent.history_change_reason) == (
            FeedbackSheetState.SENT,
            office.pk,
            "已寄送单位党委",
        )
        with pytest.raises(TransitionRefused):
            perform(sheet, "send", office)

    def test_the_wrong_roles_may_not_send(self, supervisor, wrong_users):
        sheet = FeedbackSheetFactory()
        for user in [supervisor, *wrong_users]:
            with pytest.raises(PermissionDenied):
                perform(sheet, "send", user)
            assert refused(logged_in(user).post(transition_url(SHEETS_URL, sheet, "send"), {}))
        sheet.refresh_from_db()
        assert (sheet.state, sheet.sent_on) == (FeedbackSheetState.DRAFT, None)

    def test_only_for_in_service_members_once_a_year(self, office):
        for member in [PartyMemberFactory(), PartyMemberFactory(migrant=True)]:
            sheet = FeedbackSheet(member=member, year=2025, comments="试")
            with pytest.raises(ValidationError) as error:
                sheet.clean()
            assert error.value.message_dict["member"] == [
                ui(
                    "zh-hans",
                    "A feedback sheet goes to the workplace of an in-service member only.",
                )
            ]
        sheet = FeedbackSheetFactory(year=2025)
        with pytest.raises(IntegrityError):
            FeedbackSheetFactory(member=sheet.member, year=2025)

    def test_a_sent_sheet_is_kept_as_sent(self, office):
        sheet = FeedbackSheetFactory(year=2025)
        perform(sheet, "send", office)
        data = {
            "member": sheet.member.pk,
            "year": 2025,
            "comments": "改过的意见",
            "change_reason": "改",
        }
        response = logged_in(office).post(f"{SHEETS_URL}edit/{sheet.pk}/", data)
        assert response.status_code == 200
        sheet.refresh_from_db()
        assert sheet.comments != "改过的意见"

    def test_the_office_writes_a_sheet_in_the_admin(self, office):
        member = PartyMemberFactory(in_service=True)
        client = logged_in(office)
        data = {"member": member.pk, "year": 2026, "comments": "表现突出", "change_reason": ""}
        assert client.post(f"{SHEETS_URL}add/", data).status_code == 302
        assert client.post(f"{SHEETS_URL}add/", {**data, "year": 2027}).status_code == 200
        assert FeedbackSheet.objects.get().year == 2026

    def test_the_listing_exports_and_filters_by_state(self, office):
        FeedbackSheetFactory(year=2025, member__person__name="已寄出的")
        sent = FeedbackSheet.objects.get()
        perform(sent, "send", office)
        FeedbackSheetFactory(year=2026, member__person__name="草稿中的")
        rows = export(office, SHEETS_URL, state=FeedbackSheetState.DRAFT)
        assert len(rows) == 2 and "草稿中的" in rows[1]
        assert len(export(office, SHEETS_URL)) == 3

    def test_the_other_roles_see_no_sheet(self, wrong_users, supervisor):
        sheet = FeedbackSheetFactory()
        assert logged_in(supervisor).get(SHEETS_URL).status_code == 200
        assert refused(logged_in(supervisor).get(f"{SHEETS_URL}edit/{sheet.pk}/"))
        for user in wrong_users:
            assert refused(logged_in(user).get(SHEETS_URL)), user.username


def seed(scale, office):
    people_demo.seed(scale=scale, users={})
    users = {"party": office}
    return party_demo.seed(scale=scale, users=users) + party_demo.seed_organisation_life(
        scale=scale, users=users
    )


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """The demo of organisation life at scale 1, seeded once for the class's tests by the
    party office: ``(office, how many records it created)``. Each test runs in a savepoint
    inside it, so that what one test adds is gone before the next."""

    def build():
        with time_machine.travel(TODAY, tick=False):
            office = UserFactory(groups=[roles.PARTY_OFFICE], username="party-office")
            return office, seed(1, office)

    yield from kept_for_the_scope(django_db_blocker, build)


class TestDemo:
    @pytest.fixture
    def office(self, seeded, db):
        office, _created = seeded
        return office

    def test_it_shows_every_state(self, seeded, office):
        _office, created = seeded
        assert created > 0
        assert set(Meeting.objects.values_list("kind", flat=True)) == set(MeetingKind.values)
        assert set(Meeting.objects.values_list("state", flat=True)) == set(MeetingState.values)
        for kind in MeetingKind:
            assert Meeting.objects.held().filter(kind=kind).exists()
            assert Meeting.objects.planned().filter(kind=kind).exists()
        statuses = set(Attendance.objects.values_list("status", flat=True))
        assert statuses == set(AttendanceStatus.values)
        assert not Attendance.objects.on_leave().filter(reason="").exists()
        assert Attendance.objects.invited().exists()
        assert PartyMember.objects.absent_too_often(2026).exists()
        absentee = PartyMember.objects.absent_too_often(2026).first()
        assert absentee.absent_count >= ABSENCES_TOO_MANY
        kinds = set(ReportedActivity.objects.values_list("kind", flat=True))
        assert kinds == set(ActivityKind.values)
        states = set(FeedbackSheet.objects.values_list("state", flat=True))
        assert states == set(FeedbackSheetState.values)
        assert FeedbackSheet.objects.sent().filter(sent_on__isnull=True).count() == 0
        corrected = Attendance.history.filter(history_change_reason="补交请假条，改为请假")
        assert corrected.exists()
        (row,) = Attendance.objects.filter(meeting__topic__isnull=False)[:1]
        assert row.history.earliest().history_user_id == office.pk

    def test_it_is_idempotent(self, office):
        counts = [M.objects.count() for M in (Meeting, Attendance, ReportedActivity, FeedbackSheet)]
        assert seed(1, office) == 0
        assert counts == [
            M.objects.count() for M in (Meeting, Attendance, ReportedActivity, FeedbackSheet)
        ]

    def test_scale_multiplies_every_model(self, office):
        once = [M.objects.count() for M in (Meeting, Attendance, ReportedActivity, FeedbackSheet)]
        seed(2, office)
        twice = [M.objects.count() for M in (Meeting, Attendance, ReportedActivity, FeedbackSheet)]
        assert all(b >= 2 * a - a // 4 for a, b in zip(once, twice, strict=True)), (once, twice)
