"""What the organisation-life tests share: the admin's addresses and a held meeting."""

import datetime

from core.transitions import perform
from party.factories import MeetingFactory, PartyMemberFactory
from party.models import AttendanceStatus

MEETINGS_URL = "/admin/snippets/party/meeting/"
ATTENDANCE_URL = "/admin/snippets/party/attendance/"
ACTIVITIES_URL = "/admin/snippets/party/reportedactivity/"
SHEETS_URL = "/admin/snippets/party/feedbacksheet/"

PRESENT, LEAVE, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ON_LEAVE,
    AttendanceStatus.ABSENT,
)


def transition_url(base, record, name):
    return f"{base}{record.pk}/transition/{name}/"


def refused(response):
    """Refused as Wagtail's admin refuses: 403, or back to the dashboard with its message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")
    )


def branch_of(count, branch="第一党支部", **fields):
    return [
        PartyMemberFactory(branch=branch, person__name=f"{branch}党员{n}", **fields)
        for n in range(count)
    ]


def held_meeting(user, members, statuses, *, date=datetime.date(2026, 3, 10), **fields):
    """A meeting of the members' branch on ``date``, its roll taken by ``user``:
    ``statuses`` gives each member's status (a reason is written for leave)."""
    meeting = MeetingFactory(branch=members[0].branch, date=date, **fields)
    roll = {
        member.pk: (status, "出差" if status == LEAVE else "")
        for member, status in zip(members, statuses, strict=True)
    }
    perform(meeting, "take_roll", user, roll=roll)
    return meeting
