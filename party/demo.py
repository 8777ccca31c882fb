"""Demo party members, built through the ORM so that history exists: members of the three
categories (在册, 在职, 流动), one of them transferred out, for the register's party members."""

import datetime
from decimal import Decimal

from django.utils import timezone

from core.transitions import perform
from people import demo as people_demo
from people.models import PartyStatus, Person

from .models import (
    REPORTING_CATEGORIES,
    ActivityKind,
    AttendanceStatus,
    FeedbackSheet,
    FeedbackSheetState,
    Meeting,
    MeetingKind,
    MeetingState,
    PartyMember,
    PartyMemberState,
    ReportedActivity,
)

BRANCHES = ["第一党支部", "第二党支部", "离退休党支部"]
WORKPLACES = [
    ("区人民医院", "区人民医院党委", "周六上午"),
    ("市第三中学", "市第三中学党总支", "周日下午"),
    ("区税务局", "区税务局机关党委", "工作日晚上"),
]
HELD_AT = ["安徽省阜阳市颍州区某村党支部", "河南省信阳市某街道党工委", "湖北省黄冈市某社区党委"]


def _fields(index, category):
    fields = {
        "category": category,
        "branch": BRANCHES[index % len(BRANCHES)],
        "joined_on": datetime.date(1980 + index % 40, index % 12 + 1, 1),
    }
    if category == PartyStatus.IN_SERVICE:
        workplace, organisation, hours = WORKPLACES[index % len(WORKPLACES)]
        fields.update(workplace=workplace, workplace_organisation=organisation, contact_hours=hours)
    elif category == PartyStatus.MIGRANT:
        fields.update(
            relation_held_at=HELD_AT[index % len(HELD_AT)],
            here_since=datetime.date(2020 + index % 5, 3, 1),
        )
    return fields


# The category of each demo account's person who is a party member, by username...
NAMED_CATEGORIES = {
    "cadre": PartyStatus.IN_SERVICE,
    "clerk": PartyStatus.REGISTERED,
    "rep": PartyStatus.REGISTERED,
}
# ...and of the register's residents who are, in turn.
CATEGORIES = [PartyStatus.REGISTERED, PartyStatus.IN_SERVICE, PartyStatus.MIGRANT]


def future_members(scale):
    """(person, category) for each party member of the demo register (``people.demo`` says
    who is one), in a stable order; one query for the persons."""
    wanted = [
        ((name, building, unit), NAMED_CATEGORIES[username])
        for name, roles, building, unit, username in people_demo.NAMED
        if "is_party_member" in roles
    ]
    for index in range(40 * scale):
        spec = people_demo.person_spec(index)
        if spec["joins_party"]:
            key = (spec["name"], spec["building"], spec["unit"])
            wanted.append((key, CATEGORIES[index % len(CATEGORIES)]))
    people = {
        (person.name, person.building, person.unit): person
        for person in Person.objects.order_by("pk")
    }
    return [(people[key], category) for key, category in wanted if key in people]


def seed(*, scale, users):
    """A member record for every party member of the demo register (which grows with
    ``scale``): the record makes the person a party member. The first migrant member is
    transferred out by the party-affairs office. Organisation life is seeded after it
    (``seed_organisation_life``)."""
    created = 0
    for index, (person, category) in enumerate(future_members(scale)):
        _member, was_created = PartyMember.objects.get_or_create(
            person=person, defaults=_fields(index, category)
        )
        created += was_created
    office = users.get("party") or users.get("admin")
    migrant = (
        PartyMember.objects.filter(category=PartyStatus.MIGRANT).order_by("card_number").first()
    )
    if (
        migrant is not None
        and office is not None
        and not PartyMember.objects.filter(state=PartyMemberState.TRANSFERRED_OUT).exists()
    ):
        perform(
            migrant,
            "transfer_out",
            office,
            reason="组织关系转回原籍",
            destination=migrant.relation_held_at,
        )
    return created


# ---------------------------------------------------------------------------------------
# Organisation life (组织生活): "three sessions and one lesson" with their roll, members
# invited from elsewhere, activities "eight hours away", feedback sheets.

TOPICS = {
    MeetingKind.GENERAL: ["学习党章党规，开展民主评议党员", "通报支部半年工作，讨论社区议事事项"],
    MeetingKind.COMMITTEE: ["研究发展党员工作计划", "研究走访困难党员和老党员安排"],
    MeetingKind.GROUP: ["交流学习体会，认领为民服务项目", "讨论楼道环境整治方案"],
    MeetingKind.LESSON: ["党课：传承红色基因，做合格党员", "党课：基层治理中的党员先锋作用"],
}
PLACES = ["社区党群服务中心二楼会议室", "社区新时代文明实践站", "红色驿站（3号楼底商）"]
LEAVE_REASONS = ["外地出差", "住院治疗", "照顾生病家属", "单位值班"]
ACTIVITIES = {
    ActivityKind.REPORTING_IN: "到社区党组织报到，认领楼道长岗位",
    ActivityKind.VOLUNTEER: "参加社区周末志愿服务：为老年居民义诊、理发",
    ActivityKind.PRACTICAL: "协调单位资源为小区修缮路灯，解决居民夜间出行难",
    ActivityKind.DISCUSSION: "参加社区议事会，讨论加装电梯和停车管理方案",
}
FEEDBACK = (
    "该同志按时到社区党组织报到，积极参加“八小时以外”志愿服务和社区议事，"
    "发挥专业特长为居民办实事，群众评价好。"
)
# Held meetings this year per branch, kind and copy; the demo's absentee misses them all.
HELD_THIS_YEAR = 2


def _roll_for(meeting, members, index, absentee):
    """A plausible roll: most present, some on leave with a reason, a few absent; the
    absentee (the member over the threshold this year) is absent from this year's meetings."""
    roll = {}
    for position, member in enumerate(members):
        turn = (position + index) % 9
        if member.pk == absentee and meeting.date.year == timezone.localdate().year:
            roll[member.pk] = (AttendanceStatus.ABSENT, "")
        elif turn == 4:
            roll[member.pk] = (
                AttendanceStatus.ON_LEAVE,
                LEAVE_REASONS[(position + index) % len(LEAVE_REASONS)],
            )
        elif turn == 7:
            roll[member.pk] = (AttendanceStatus.ABSENT, "")
        else:
            roll[member.pk] = (AttendanceStatus.PRESENT, "")
    return roll


def _meeting_dates(today, count):
    """``count`` past days of this year, spread from the first of January to today."""
    first = datetime.date(today.year, 1, 1)
    span = (today - first).days
    return [first + datetime.timedelta(days=span * (n + 1) // (count + 1)) for n in range(count)]


def seed_organisation_life(*, scale, users):
    """Meetings of the four kinds for every branch (last year's and this year's held, the
    coming ones planned; ``scale`` copies of each), their roll with leave and absences (one
    member absent too often this year), members of other branches invited; activities of
    every kind by in-service and migrant members; feedback sheets sent and in draft."""
    office = users.get("party") or users.get("admin")
    if office is None:
        return 0
    today = timezone.localdate()
    members = list(PartyMember.objects.active().select_related("person").order_by("card_number"))
    branches = sorted({member.branch for member in members})
    created = 0
    absentee = next((m.pk for m in members if m.category == PartyStatus.REGISTERED), None)
    this_year = _meeting_dates(today, HELD_THIS_YEAR * len(MeetingKind) * scale)
    for branch in branches:
        on_roll = [member for member in members if member.branch == branch]
        guests = [m for m in members if m.branch != branch and m.category in REPORTING_CATEGORIES][
            :2
        ]
        plan = []
        for copy in range(scale):
            for k, kind in enumerate(MeetingKind):
                plan.append((kind, datetime.date(today.year - 1, 3 + 2 * k, 10 + copy % 15)))
                for n in range(HELD_THIS_YEAR):
                    plan.append((kind, this_year[(copy * len(MeetingKind) + k) * 2 + n]))
                plan.append((kind, today + datetime.timedelta(days=7 + 7 * k + copy)))
        for index, (kind, date) in enumerate(plan):
            topic = f"{TOPICS[kind][index % len(TOPICS[kind])]}（{date.year}年第{index + 1}次）"
            meeting, made = Meeting.objects.get_or_create(
                branch=branch,
                kind=kind,
                topic=topic,
                defaults={"date": date, "place": PLACES[index % len(PLACES)]},
            )
            created += made
            if meeting.state != MeetingState.PLANNED or meeting.date > today:
                continue
            invited = guests if kind in (MeetingKind.GENERAL, MeetingKind.LESSON) else []
            perform(
                meeting,
                "take_roll",
                office,
                roll=_roll_for(meeting, on_roll, index, absentee),
                invited=invited,
            )
            created += len(on_roll) + len(invited)
            corrected = next((m for m in on_roll if m.pk != absentee), None)
            if index == 1 and corrected is not None:
                # One roll corrected afterwards, so that the demo's history shows the step.
                perform(
                    meeting,
                    "correct_roll",
                    office,
                    reason="补交请假条，改为请假",
                    roll={
                        corrected.pk: (AttendanceStatus.ON_LEAVE, "单位临时加班，会前已电话请假")
                    },
                )
    created += _seed_activities(members, scale, today)
    created += _seed_feedback(members, office, today)
    return created


def _seed_activities(members, scale, today):
    created = 0
    first = datetime.date(today.year, 1, 1)
    reporting = [m for m in members if m.category in REPORTING_CATEGORIES]
    for position, member in enumerate(reporting):
        for copy in range(scale):
            for k, (kind, description) in enumerate(ACTIVITIES.items()):
                date = max(first, today - datetime.timedelta(days=5 + 23 * k + 3 * copy))
                _activity, made = ReportedActivity.objects.get_or_create(
                    member=member,
                    kind=kind,
                    date=date,
                    defaults={
                        "description": description,
                        "hours": Decimal(2 + (position + k) % 4),
                    },
                )
                created += made
    return created


def _seed_feedback(members, office, today):
    """Last year's sheet sent for every in-service member; this year's in draft for half."""
    created = 0
    in_service = [m for m in members if m.category == PartyStatus.IN_SERVICE]
    for position, member in enumerate(in_service):
        sheet, made = FeedbackSheet.objects.get_or_create(
            member=member, year=today.year - 1, defaults={"comments": FEEDBACK}
        )
        created += made
        if sheet.state == FeedbackSheetState.DRAFT:
            perform(sheet, "send", office)
        if position % 2 == 0:
            _sheet, made = FeedbackSheet.objects.get_or_create(
                member=member, year=today.year, defaults={"comments": FEEDBACK}
            )
            created += made
    return created
