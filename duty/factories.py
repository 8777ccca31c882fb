import datetime

import factory

from django.utils import timezone

from people.factories import PersonFactory

from .models import (
    DutyRecord,
    DutyShift,
    Inspection,
    InspectionRating,
    Post,
    PostAssignment,
    Rating,
    RequestCategory,
    Roster,
    ServiceDay,
    ShiftSwap,
)


class PostFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"岗位{n}")
    duties = "职责说明"

    class Meta:
        model = Post


class PostAssignmentFactory(factory.django.DjangoModelFactory):
    person = factory.SubFactory(PersonFactory, is_cadre=True)
    post = factory.SubFactory(PostFactory)
    skill = "组织协调"

    class Meta:
        model = PostAssignment


class ServiceDayFactory(factory.django.DjangoModelFactory):
    assignment = factory.SubFactory(PostAssignmentFactory)
    date = factory.Sequence(lambda n: timezone.localdate() - datetime.timedelta(days=n))
    note = "服务日"

    class Meta:
        model = ServiceDay


class RosterFactory(factory.django.DjangoModelFactory):
    month = factory.Sequence(
        lambda n: (
            timezone.localdate().replace(day=1) + datetime.timedelta(days=32 * (n + 2))
        ).replace(day=1)
    )

    class Meta:
        model = Roster


class DutyShiftFactory(factory.django.DjangoModelFactory):
    roster = factory.SubFactory(RosterFactory)
    person = factory.SubFactory(PersonFactory, is_cadre=True)
    date = factory.LazyAttribute(lambda shift: shift.roster.month)

    class Meta:
        model = DutyShift


class ShiftSwapFactory(factory.django.DjangoModelFactory):
    shift = factory.SubFactory(DutyShiftFactory)
    from_person = factory.LazyAttribute(lambda swap: swap.shift.person)
    to_person = factory.SubFactory(PersonFactory, is_cadre=True)

    class Meta:
        model = ShiftSwap


class DutyRecordFactory(factory.django.DjangoModelFactory):
    category = RequestCategory.REPAIR
    resident_name = factory.Sequence(lambda n: f"居民{n}")
    resident_contact = factory.Sequence(lambda n: f"136{n:08d}")
    request = "楼道灯坏了，请派人维修。"
    place = factory.Sequence(lambda n: f"{n % 12 + 1}号楼{n % 3 + 1}单元")

    class Meta:
        model = DutyRecord


class InspectionFactory(factory.django.DjangoModelFactory):
    period_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    period_end = factory.LazyFunction(timezone.localdate)
    findings = "记录完整。"

    class Meta:
        model = Inspection


class InspectionRatingFactory(factory.django.DjangoModelFactory):
    inspection = factory.SubFactory(InspectionFactory)
    cadre = factory.SubFactory(PersonFactory, is_cadre=True)
    rating = Rating.GOOD

    class Meta:
        model = InspectionRating
