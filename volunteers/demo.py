"""Demo volunteer service, built through the ORM (so that history exists): teams active and
not, each with its party-member backbone, activities this year with their participants and
hours, and "five ones" pledge cards open, partly done and fulfilled. Some volunteers served
(their pledge met) and some did not. ``scale`` copies of each; running it again adds nothing."""

import datetime
from decimal import Decimal

from django.utils import timezone

from core.transitions import perform
from people.models import Person

from .models import Participation, PledgeCard, PledgeItem, Team, VolunteerActivity

TEAMS = [
    ("红色先锋志愿服务队", "楼道清洁、环境整治和垃圾分类引导", True),
    ("银发关爱志愿服务队", "陪伴独居老人，上门助餐、代办和读报", True),
    ("平安巡逻志愿服务队", "夜间巡逻和防火防盗宣传（已并入网格巡查）", False),
]
ACTIVITIES = [
    ("楼道清洁日", "3号楼至6号楼", "清理楼道堆物，张贴垃圾分类宣传画"),
    ("重阳节敬老上门", "社区党群服务中心", "为独居老人送餐、理发、测血压"),
]
DONE = {
    PledgeItem.POST: "认领楼道长岗位，每周巡查一次",
    PledgeItem.CARE: "看望独居老人，帮助购买生活用品",
    PledgeItem.IDEA: "建议在小区增设共享工具箱，已被居委会采纳",
    PledgeItem.PAIR: "与困难家庭学生结对，每周辅导一次功课",
    PledgeItem.PRACTICAL: "协调物业修好3号楼门口的路灯",
}
PLEDGED = {
    PledgeItem.POST: "认领一个楼道服务岗位",
    PledgeItem.CARE: "每季度看望一次独居老人",
    PledgeItem.IDEA: "为小区停车管理提一条建议",
    PledgeItem.PAIR: "与一名困难家庭学生结对",
    PledgeItem.PRACTICAL: "为居民办一件实事",
}


def _name(name, copy):
    return name if copy == 0 else f"{name}（{copy + 1}）"


def _save(record, user):
    record._history_user = user
    record.save()
    return record


def _chunk(people, copy, size):
    """``size`` people for the ``copy``-th copy, taken in turn (and around again)."""
    if not people:
        return []
    start = copy * size
    return list(dict.fromkeys(people[(start + n) % len(people)] for n in range(size)))


def seed(*, scale, users):
    office = users.get("party")
    today = timezone.localdate()
    members = list(Person.objects.party_members().order_by("pk"))
    volunteers = list(Person.objects.volunteers().filter(is_party_member=False).order_by("pk"))
    created = 0
    for copy in range(scale):
        backbone = _chunk(members, copy, 2)
        crew = _chunk(volunteers, copy, 4)
        for index, (name, focus, active) in enumerate(TEAMS):
            if Team.objects.filter(name=_name(name, copy)).exists():
                continue
            team = _save(
                Team(
                    name=_name(name, copy),
                    focus=focus,
                    formed_on=datetime.date(2024, 3, 5),
                    active=active,
                ),
                office,
            )
            created += 1
            team.backbone.set(backbone)
            team.members.set([*backbone, *crew])
            if not active or index >= len(ACTIVITIES):
                continue
            title, place, summary = ACTIVITIES[index]
            # Two activities a team this year; the last volunteer of the crew never comes
            # (a volunteer short of the pledge), the others come (the pledge met).
            for number, days_ago in enumerate((20 + index, 5 + index)):
                activity = _save(
                    VolunteerActivity(
                        team=team,
                        title=f"{title}（第{number + 1}次）",
                        date=max(
                            today.replace(month=1, day=1), today - datetime.timedelta(days_ago)
                        ),
                        place=place,
                        summary=summary,
                    ),
                    office,
                )
                for n, person in enumerate([*backbone, *crew[:-1]]):
                    _save(
                        Participation(
                            activity=activity, person=person, hours=Decimal(2 + (n + number) % 3)
                        ),
                        office,
                    )
        created += _cards(copy, members, today, office)
    return created


def _cards(copy, members, today, office):
    """Three cards a copy, for the year ``copy`` years back: open with nothing done, partly
    done (two of five) and fulfilled."""
    year = today.year - copy
    done_on = today if copy == 0 else datetime.date(year, 6, 1)
    created = 0
    for way, person in enumerate(members[:3]):
        if PledgeCard.objects.filter(person=person, year=year).exists():
            continue
        card = _save(
            PledgeCard(
                person=person,
                year=year,
                **{f"{item}_pledged": text for item, text in PLEDGED.items()},
            ),
            office,
        )
        created += 1
        items = [] if way == 0 else list(PledgeItem)[: 2 if way == 1 else 5]
        for item in items:
            perform(card, "record_item", office, item=item, done=DONE[item], done_on=done_on)
        if way == 2:
            perform(card, "fulfil", office)
    return created
