"""Meetings of "three sessions and one lesson" (三会一课): the roll taken by the
party-affairs office (present, on leave with its reason, absent), members invited from other
branches, the correction of a held roll with its reason, who may do what, and the roll form's
validation (bad input gets a message and changes nothing)."""

import datetime
import re

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError

from core import roles
from core.transitions import ReasonRequired, TransitionRefused, perform
from party.admin_forms import RollForm
from party.factories import MeetingFactory, PartyMemberFactory
from party.models import Attendance, Meeting, MeetingKind, MeetingState
from tests.support import logged_in, ui

from .orglife_support import (
    ABSENT,
    LEAVE,
    MEETINGS_URL,
    PRESENT,
    branch_of,
    held_meeting,
    refused,
    transition_url,
)

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
def wrong_users(editor, moderator, clerk, make_user, supervisor):
    return [editor, moderator, clerk, make_user(roles.DUTY_CADRES, username="duty"), supervisor]


def roll_url(meeting):
    return transition_url(MEETINGS_URL, meeting, "take_roll")


def correct_url(meeting):
    return transition_url(MEETINGS_URL, meeting, "correct_roll")


def roll_post(members, statuses, reasons=None, invited=(), reason=""):
    data = {"reason": reason, "invited": [m.pk for m in invited]}
    for n, (member, status) in enumerate(zip(members, statuses, strict=True)):
        data[f"status_{member.pk}"] = status
        data[f"leave_reason_{member.pk}"] = (reasons or {}).get(n, "")
    return data


class TestTakingTheRoll:
    def test_the_office_takes_the_roll_and_each_row_is_recorded(self, office):
        members = branch_of(3)
        meeting = MeetingFactory(kind=MeetingKind.LESSON)
        perform(
            meeting,
            "take_roll",
            office,
            reason="按时召开",
            roll={
                members[0].pk: (PRESENT, ""),
                members[1].pk: (LEAVE, "住院治疗"),
                members[2].pk: (ABSENT, ""),
            },
        )
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.HELD
        rows = {row.member_id: row for row in meeting.attendances.all()}
        assert [rows[m.pk].status for m in members] == [PRESENT, LEAVE, ABSENT]
        assert rows[members[1].pk].reason == "住院治疗"
        # The row carries the meeting's date and kind, for the listing of a million rows.
        assert {(row.date, row.kind) for row in rows.values()} == {
            (datetime.date(2026, 3, 10), MeetingKind.LESSON)
        }
        (created,) = rows[members[1].pk].history.all()
        assert created.history_type == "+"
        assert (created.history_user_id, created.history_change_reason) == (office.pk, "按时召开")
        latest = meeting.history.latest()
        assert (latest.state, latest.history_user_id) == (MeetingState.HELD, office.pk)
        assert latest.history_change_reason == "按时召开"

    def test_every_member_of_the_branch_is_on_the_roll(self, office):
        members = branch_of(2)
        meeting = MeetingFactory()
        with pytest.raises(
            ValidationError,
            match=re.escape(ui("zh-hans", "Give the attendance of every member on the roll.")),
        ):
            perform(meeting, "take_roll", office, roll={members[0].pk: (PRESENT, "")})
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.PLANNED
        assert not Attendance.objects.exists()

    def test_leave_needs_a_reason(self, office):
        (member,) = branch_of(1)
        meeting = MeetingFactory()
        with pytest.raises(
            ValidationError,
            match=re.escape(ui("zh-hans", "Say why %(member)s is on leave.", member=member.person)),
        ):
            perform(meeting, "take_roll", office, roll={member.pk: (LEAVE, "  ")})
        meeting.refresh_from_db()
        assert (meeting.state, Attendance.objects.count()) == (MeetingState.PLANNED, 0)

    def test_a_member_not_of_this_meeting_is_refused(self, office):
        (member,) = branch_of(1)
        stranger = PartyMemberFactory(branch="第二党支部", person__name="外支部党员")
        meeting = MeetingFactory()
        with pytest.raises(
            ValidationError,
            match=re.escape(
                ui("zh-hans", "%(member)s is not on the roll of this meeting.", member="外支部党员")
            ),
        ):
            perform(
                meeting,
                "take_roll",
                office,
                roll={member.pk: (PRESENT, ""), stranger.pk: (PRESENT, "")},
            )
        meeting.refresh_from_db()
        assert (meeting.state, Attendance.objects.count()) == (MeetingState.PLANNED, 0)

    def test_in_service_and_migrant_members_of_other_branches_may_be_invited(self, office):
        (member,) = branch_of(1)
        guest = PartyMemberFactory(branch="第二党支部", migrant=True)
        registered_elsewhere = PartyMemberFactory(branch="第二党支部")
        meeting = MeetingFactory()
        with pytest.raises(
            ValidationError,
            match=re.escape(
                ui(
                    "zh-hans",
                    "%(member)s cannot be invited to this meeting.",
                    member=registered_elsewhere.person,
                )
            ),
        ):
            perform(
                meeting,
                "take_roll",
                office,
                roll={member.pk: (PRESENT, "")},
                invited=[registered_elsewhere],
            )
        assert not Attendance.objects.exists()
        perform(meeting, "take_roll", office, roll={member.pk: (PRESENT, "")}, invited=[guest])
        row = Attendance.objects.get(member=guest)
        assert (row.invited, row.status) == (True, PRESENT)
        assert Meeting.objects.get(pk=meeting.pk).roll_members() == [member]

    def test_not_before_the_meeting_has_taken_place(self, office):
        (member,) = branch_of(1)
        meeting = MeetingFactory(date=datetime.date(2026, 6, 16))
        with pytest.raises(TransitionRefused):
            perform(meeting, "take_roll", office, roll={member.pk: (PRESENT, "")})
        meeting.date = datetime.date(2026, 6, 15)
        meeting.save()
        perform(meeting, "take_roll", office, roll={member.pk: (PRESENT, "")})
        assert meeting.state == MeetingState.HELD

    def test_the_roll_is_taken_once(self, office):
        members = branch_of(1)
        meeting = held_meeting(office, members, [PRESENT])
        with pytest.raises(TransitionRefused):
            perform(meeting, "take_roll", office, roll={members[0].pk: (ABSENT, "")})
        assert Attendance.objects.get().status == PRESENT

    def test_the_wrong_roles_may_not_take_the_roll(self, wrong_users):
        (member,) = branch_of(1)
        meeting = MeetingFactory()
        for user in wrong_users:
            with pytest.raises(PermissionDenied):
                perform(meeting, "take_roll", user, roll={member.pk: (PRESENT, "")})
            response = logged_in(user).post(roll_url(meeting), roll_post([member], [PRESENT]))
            assert refused(response), user.username
        meeting.refresh_from_db()
        assert (meeting.state, Attendance.objects.count()) == (MeetingState.PLANNED, 0)
        assert meeting.history.count() == 1

    def test_the_state_is_never_set_by_hand(self):
        meeting = MeetingFactory()
        with pytest.raises(AttributeError):
            meeting.state = MeetingState.HELD


class TestCorrectingTheRoll:
    def test_the_office_corrects_a_row_with_its_reason(self, office):
        members = branch_of(2)
        meeting = held_meeting(office, members, [PRESENT, ABSENT])
        perform(
            meeting,
            "correct_roll",
            office,
            reason="会后补交请假条",
            roll={members[1].pk: (LEAVE, "外地出差")},
        )
        row = Attendance.objects.get(member=members[1])
        assert (row.status, row.reason) == (LEAVE, "外地出差")
        created, corrected = row.history.order_by("history_id")
        assert (created.status, corrected.status) == (ABSENT, LEAVE)
        assert (corrected.history_user_id, corrected.history_change_reason) == (
            office.pk,
            "会后补交请假条",
        )
        # The row that did not change wrote no history.
        assert Attendance.objects.get(member=members[0]).history.count() == 1
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.HELD

    def test_a_correction_needs_a_reason(self, office):
        members = branch_of(1)
        meeting = held_meeting(office, members, [ABSENT])
        with pytest.raises(ReasonRequired):
            perform(meeting, "correct_roll", office, roll={members[0].pk: (PRESENT, "")})
        assert Attendance.objects.get().status == ABSENT

    def test_only_a_held_meeting_is_corrected(self, office):
        (member,) = branch_of(1)
        meeting = MeetingFactory()
        with pytest.raises(TransitionRefused):
            perform(meeting, "correct_roll", office, reason="试", roll={member.pk: (ABSENT, "")})
        assert not Attendance.objects.exists()

    def test_the_wrong_roles_may_not_correct(self, office, wrong_users):
        members = branch_of(1)
        meeting = held_meeting(office, members, [PRESENT])
        for user in wrong_users:
            with pytest.raises(PermissionDenied):
                perform(
                    meeting, "correct_roll", user, reason="试", roll={members[0].pk: (ABSENT, "")}
                )
            response = logged_in(user).post(
                correct_url(meeting), roll_post(members, [ABSENT], reason="试")
            )
            assert refused(response), user.username
        assert Attendance.objects.get().status == PRESENT

    def test_a_member_who_left_the_branch_stays_on_a_held_roll(self, office):
        members = branch_of(2)
        meeting = held_meeting(office, members, [PRESENT, PRESENT])
        newcomer = PartyMemberFactory(branch="第一党支部", person__name="新转入党员")
        members[1].branch = "第二党支部"
        members[1].save()
        assert {m.pk for m in meeting.roll_members()} == {m.pk for m in members}
        with pytest.raises(
            ValidationError,
            match=re.escape(
                ui("zh-hans", "%(member)s is not on the roll of this meeting.", member="新转入党员")
            ),
        ):
            perform(meeting, "correct_roll", office, reason="试", roll={newcomer.pk: (PRESENT, "")})

    def test_dropping_an_invited_member_deletes_their_row_in_history(self, office):
        (member,) = branch_of(1)
        guest = PartyMemberFactory(branch="第二党支部", in_service=True)
        meeting = MeetingFactory()
        perform(meeting, "take_roll", office, roll={member.pk: (PRESENT, "")}, invited=[guest])
        row = Attendance.objects.get(member=guest)
        perform(meeting, "correct_roll", office, reason="误选", roll={}, invited=[])
        assert not Attendance.objects.filter(member=guest).exists()
        deleted = Attendance.history.filter(id=row.pk).latest()
        assert (deleted.history_type, deleted.history_user_id) == ("-", office.pk)
        assert deleted.history_change_reason == "误选"


class TestTheRollForm:
    def test_it_lists_every_active_member_of_the_branch_and_the_guests(self, office):
        members = branch_of(2)
        gone = PartyMemberFactory(branch="第一党支部", person__name="已转出党员")
        perform(gone, "transfer_out", office, reason="转出", destination="外区")
        PartyMemberFactory(branch="第二党支部", person__name="别支部在册党员")
        PartyMemberFactory(branch="第二党支部", person__name="别支部流动党员", migrant=True)
        meeting = MeetingFactory()
        html = logged_in(office).get(roll_url(meeting)).content.decode()
        for member in members:
            assert f'name="status_{member.pk}"' in html
            assert member.person.name in html
        assert "已转出党员" not in html
        assert "别支部在册党员" not in html
        assert "别支部流动党员" in html

    def test_the_office_takes_the_roll_in_the_admin(self, office):
        members = branch_of(3)
        guest = PartyMemberFactory(branch="第二党支部", migrant=True)
        meeting = MeetingFactory()
        response = logged_in(office).post(
            roll_url(meeting),
            roll_post(members, [PRESENT, LEAVE, ABSENT], {1: "照顾家属"}, invited=[guest]),
        )
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.HELD
        statuses = dict(meeting.attendances.values_list("member", "status"))
        assert statuses == {
            members[0].pk: PRESENT,
            members[1].pk: LEAVE,
            members[2].pk: ABSENT,
            guest.pk: PRESENT,
        }
        assert Attendance.objects.get(member=members[1]).reason == "照顾家属"
        assert Attendance.objects.get(member=members[0]).history.get().history_user_id == office.pk

    def test_leave_without_a_reason_is_explained_and_changes_nothing(self, office):
        members = branch_of(2)
        meeting = MeetingFactory()
        response = logged_in(office).post(roll_url(meeting), roll_post(members, [PRESENT, LEAVE]))
        assert response.status_code == 200
        assert (
            ui("zh-hans", "Say why %(member)s is on leave.", member=members[1].person)
            in response.content.decode()
        )
        meeting.refresh_from_db()
        assert (meeting.state, Attendance.objects.count()) == (MeetingState.PLANNED, 0)

    def test_a_guest_who_may_not_be_invited_is_refused(self, office):
        members = branch_of(1)
        registered_elsewhere = PartyMemberFactory(branch="第二党支部")
        meeting = MeetingFactory()
        response = logged_in(office).post(
            roll_url(meeting), roll_post(members, [PRESENT], invited=[registered_elsewhere])
        )
        assert response.status_code == 200
        assert "error" in response.content.decode()
        assert not Attendance.objects.exists()

    def test_a_status_that_is_not_an_attendance_is_refused(self, office):
        members = branch_of(1)
        meeting = MeetingFactory()
        response = logged_in(office).post(roll_url(meeting), roll_post(members, ["late"]))
        assert response.status_code == 200
        assert not Attendance.objects.exists()

    def test_the_correction_form_starts_from_the_roll_and_needs_a_reason(self, office):
        members = branch_of(2)
        guest = PartyMemberFactory(branch="第二党支部", in_service=True)
        meeting = MeetingFactory()
        perform(
            meeting,
            "take_roll",
            office,
            roll={members[0].pk: (PRESENT, ""), members[1].pk: (LEAVE, "出差在外")},
            invited=[guest],
        )
        client = logged_in(office)
        html = client.get(correct_url(meeting)).content.decode()
        assert "出差在外" in html
        form = RollForm(instance=meeting)
        assert form[f"status_{members[1].pk}"].value() == LEAVE
        assert form[f"status_{members[0].pk}"].value() == PRESENT
        assert form["invited"].value() == [guest.pk]
        # No reason: refused, nothing changes.
        data = roll_post(members, [ABSENT, LEAVE], {1: "出差在外"}, invited=[guest])
        assert client.post(correct_url(meeting), data).status_code == 200
        assert Attendance.objects.get(member=members[0]).status == PRESENT
        data["reason"] = "核对签到表"
        assert client.post(correct_url(meeting), data).status_code == 302
        assert Attendance.objects.get(member=members[0]).status == ABSENT
        assert Attendance.objects.filter(member=guest, invited=True).exists()


class TestMeetingRecords:
    def test_the_office_plans_a_meeting_of_a_members_branch(self, office):
        PartyMemberFactory(branch="第二党支部")
        client = logged_in(office)
        data = {
            "kind": MeetingKind.GROUP,
            "branch": "第二党支部",
            "date": "2026-07-01",
            "topic": "七一主题党日",
            "place": "社区活动室",
            "notes": "",
            "change_reason": "年度计划",
        }
        assert client.post(f"{MEETINGS_URL}add/", data).status_code == 302
        meeting = Meeting.objects.get()
        (created,) = meeting.history.all()
        assert (created.history_user_id, created.history_change_reason) == (office.pk, "年度计划")
        data["branch"] = "不存在的支部"
        response = client.post(f"{MEETINGS_URL}add/", data)
        assert response.status_code == 200
        assert Meeting.objects.count() == 1

    def test_once_held_its_date_and_kind_are_fixed(self, office):
        members = branch_of(1)
        meeting = held_meeting(office, members, [PRESENT])
        meeting.date = datetime.date(2026, 4, 1)
        with pytest.raises(ValidationError) as error:
            meeting.clean()
        assert "date" in error.value.message_dict
        # The admin's form shows them fixed: a posted date is ignored.
        data = {
            "kind": MeetingKind.LESSON,
            "branch": meeting.branch,
            "date": "2026-04-01",
            "topic": "改正题目",
            "place": "",
            "notes": "",
            "change_reason": "题目写错",
        }
        response = logged_in(office).post(f"{MEETINGS_URL}edit/{meeting.pk}/", data)
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert (meeting.topic, meeting.date, meeting.kind) == (
            "改正题目",
            datetime.date(2026, 3, 10),
            MeetingKind.GENERAL,
        )
        assert set(meeting.attendances.values_list("date", flat=True)) == {meeting.date}

    def test_the_listing_offers_the_steps_and_exports(self, office):
        members = branch_of(1)
        planned = MeetingFactory(topic="待开的会")
        held = held_meeting(office, members, [PRESENT], topic="开过的会")
        client = logged_in(office)
        html = client.get(MEETINGS_URL).content.decode()
        assert roll_url(planned) in html
        assert correct_url(held) in html
        assert roll_url(held) not in html
        response = client.get(MEETINGS_URL, {"export": "csv"})
        body = b"".join(response.streaming_content).decode()
        assert "待开的会" in body and "开过的会" in body

    def test_supervisors_read_but_change_nothing(self, office, supervisor):
        members = branch_of(1)
        meeting = held_meeting(office, members, [PRESENT])
        client = logged_in(supervisor)
        assert client.get(MEETINGS_URL).status_code == 200
        html = client.get(f"{MEETINGS_URL}inspect/{meeting.pk}/").content.decode()
        # The roll is shown with the meeting.
        assert members[0].person.name in html
        assert refused(client.get(f"{MEETINGS_URL}add/"))
        assert refused(client.get(f"{MEETINGS_URL}edit/{meeting.pk}/"))

    def test_the_other_roles_see_no_meeting(self, office, editor, moderator, clerk, make_user):
        members = branch_of(1)
        meeting = held_meeting(office, members, [PRESENT])
        for user in [editor, moderator, clerk, make_user(roles.DUTY_CADRES, username="duty")]:
            client = logged_in(user)
            for url in [
                MEETINGS_URL,
                f"{MEETINGS_URL}inspect/{meeting.pk}/",
                f"{MEETINGS_URL}add/",
            ]:
                assert refused(client.get(url)), (user.username, url)


def test_the_party_menu_offers_organisation_life_to_those_who_may_see_it(
    office, supervisor, editor
):
    urls = [
        MEETINGS_URL,
        "/admin/snippets/party/attendance/",
        "/admin/snippets/party/reportedactivity/",
        "/admin/snippets/party/feedbacksheet/",
    ]
    for user in [office, supervisor]:
        html = logged_in(user).get("/admin/").content.decode()
        assert all(url in html for url in urls), user.username
    html = logged_in(editor).get("/admin/").content.decode()
    assert not any(url in html for url in urls)
