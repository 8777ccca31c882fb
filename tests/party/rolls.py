"""Held meetings with their roll, for the organisation-life reports' tests: rows as the roll
writes them (``Meeting.take_roll``), built directly so that a test states only the rows it
needs."""

import datetime

from django.utils import timezone

from party.factories import AttendanceFactory, MeetingFactory
from party.models import AttendanceStatus, MeetingKind, MeetingState

PRESENT, LEAVE, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ON_LEAVE,
    AttendanceStatus.ABSENT,
)


def shanghai(*args):
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


def held(day, roll, *, branch="第一党支部", kind=MeetingKind.GENERAL, invited=()):
    """A meeting of ``branch`` held on ``day``; ``roll`` maps members to their attendance,
    ``invited`` lists members of other branches who came."""
    meeting = MeetingFactory(branch=branch, date=day, kind=kind, state=MeetingState.HELD)
    for member, status in roll.items():
        AttendanceFactory(
            meeting=meeting,
            member=member,
            status=status,
            reason="出差" if status == LEAVE else "",
        )
    for member in invited:
        AttendanceFactory(meeting=meeting, member=member, status=PRESENT, invited=True)
    return meeting
