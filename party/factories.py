import datetime
from decimal import Decimal

import factory

from people.factories import PersonFactory
from people.models import PartyStatus

from .models import (
    ActivityKind,
    Attendance,
    AttendanceStatus,
    FeedbackSheet,
    Meeting,
    MeetingKind,
    PartyMember,
    ReportedActivity,
)


class PartyMemberFactory(factory.django.DjangoModelFactory):
    """A registered member (在册党员) by default; ``PartyMemberFactory(in_service=True)`` or
    ``(migrant=True)`` fills the fields those categories need."""

    # The person becomes a party member through this record (``PartyMember.save``).
    person = factory.SubFactory(PersonFactory)
    category = PartyStatus.REGISTERED
    branch = "第一党支部"
    joined_on = datetime.date(2010, 7, 1)

    class Meta:
        model = PartyMember

    class Params:
        in_service = factory.Trait(
            category=PartyStatus.IN_SERVICE,
            workplace="区人民医院",
            workplace_organisation="区人民医院党委",
            contact_hours="周六上午",
        )
        migrant = factory.Trait(
            category=PartyStatus.MIGRANT,
            relation_held_at="安徽省阜阳市某村党支部",
            here_since=datetime.date(2023, 3, 1),
        )


class MeetingFactory(factory.django.DjangoModelFactory):
    """A planned meeting of the first branch; its roll is taken with
    ``perform(meeting, "take_roll", user, roll=...)`` (the only way a meeting is held)."""

    kind = MeetingKind.GENERAL
    branch = "第一党支部"
    date = datetime.date(2026, 3, 10)
    topic = factory.Sequence(lambda n: f"学习贯彻党的二十大精神（第{n + 1}次）")
    place = "社区党群服务中心二楼会议室"

    class Meta:
        model = Meeting


class AttendanceFactory(factory.django.DjangoModelFactory):
    """A row of a meeting's roll, for tests and benchmarks that need rows without a roll
    call (code saves it; the admin never does)."""

    meeting = factory.SubFactory(MeetingFactory)
    member = factory.SubFactory(PartyMemberFactory)
    status = AttendanceStatus.PRESENT

    class Meta:
        model = Attendance


class ReportedActivityFactory(factory.django.DjangoModelFactory):
    member = factory.SubFactory(PartyMemberFactory, in_service=True)
    date = datetime.date(2026, 4, 18)
    kind = ActivityKind.VOLUNTEER
    description = "在社区服务站为老年居民义诊，测量血压、解答用药问题"
    hours = Decimal("3.0")

    class Meta:
        model = ReportedActivity


class FeedbackSheetFactory(factory.django.DjangoModelFactory):
    member = factory.SubFactory(PartyMemberFactory, in_service=True)
    year = 2025
    comments = "该同志按时到社区报到，积极参加志愿服务和社区议事，群众评价好。"

    class Meta:
        model = FeedbackSheet
