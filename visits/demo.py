"""Demo key households, visits and promises, built through the ORM (so that history exists):
households of every category, some visited this half year and some not, and promises open,
kept and handed on. ``scale`` multiplies the households; running it again adds nothing."""

import datetime

from django.db.models import Q
from django.utils import timezone

from core.transitions import perform
from people.models import Person

from .models import Household, HouseholdCategory, Promise, Visit, half_year

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["桂芝", "德福", "玉兰", "长顺", "秀芳", "宝山", "凤英", "金水", "淑华", "福生"]
NOTES = {
    HouseholdCategory.IN_DIFFICULTY: "低保户，老伴卧床",
    HouseholdCategory.PETITIONER: "反映房屋漏水问题多年",
    HouseholdCategory.VETERAN_CADRE: "离休干部，独居",
    HouseholdCategory.MIGRANT: "外来务工家庭，孩子在本区上学",
    HouseholdCategory.OTHER: "残疾人家庭",
}
PROMISES = [
    "联系物业维修屋顶漏水",
    "协助申请临时救助",
    "帮助孩子办理入学手续",
    "联系街道安排上门助餐",
]
PER_SCALE = 10


def household_spec(index):
    categories = list(HouseholdCategory)
    return {
        "building": f"{index % 12 + 1 + 12 * (index // 1200)}号楼",
        "unit": f"{index // 12 % 4 + 1}单元{index % 6 + 1}01室",
        "head_name": SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 3) % len(GIVEN)],
        "phone": f"136{index:08d}",
        "category": categories[index % len(categories)],
        "notes": NOTES[categories[index % len(categories)]],
    }


def _save(record, user):
    record._history_user = user
    record.save()
    return record


def seed(*, scale, users):
    """``PER_SCALE × scale`` households; every other one visited this half year (the rest
    only in the last one), and a promise on every visited one: open, kept or handed on."""
    user = users.get("cadre")
    visitors = list(Person.objects.active().filter(Q(is_cadre=True) | Q(is_party_member=True))[:6])
    today = timezone.localdate()
    half = half_year(today)
    earlier = half.start - datetime.timedelta(days=30)
    created = 0
    for index in range(PER_SCALE * scale):
        spec = household_spec(index)
        household = Household.objects.filter(
            building=spec["building"], unit=spec["unit"], head_name=spec["head_name"]
        ).first()
        if household is not None:
            continue
        household = _save(Household(**spec), user)
        created += 1
        # The last half year: every household was visited then.
        _visit(household, earlier, visitors, index, user, known=True)
        if index % 2 == 0:
            visit = _visit(
                household,
                max(half.start, today - datetime.timedelta(days=index % 20)),
                visitors,
                index,
                user,
                known=index % 4 == 0,
            )
            promise = _save(Promise(visit=visit, description=PROMISES[index % len(PROMISES)]), user)
            _settle(promise, index // 2 % 3, user)
    return created


def _visit(household, day, visitors, index, user, known):
    visit = _save(
        Visit(
            household=household,
            date=day,
            circumstances="已了解家庭成员、收入和住房情况" if known else "家中无人，与邻居交谈",
            opinions="希望社区多组织老年活动",
            circumstances_known=known,
        ),
        user,
    )
    if visitors:
        visit.visitors.set([visitors[index % len(visitors)]])
    return visit


def _settle(promise, way, user):
    """Leave the promise open (0), keep it (1) or hand it on (2), through the transitions."""
    if way == 1:
        perform(promise, "keep", user, outcome="已联系物业完成维修")
    elif way == 2:
        perform(promise, "hand_on", user, reason="超出社区职责范围", handed_to="街道民政科")
