"""Demo content of the people register, built through the ORM so that history exists."""

import datetime
from decimal import Decimal

from django.utils import timezone

from .models import Person, Talk, Training, TrainingSubject, months_before

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = [
    "建国",
    "秀英",
    "志强",
    "桂兰",
    "海燕",
    "德明",
    "丽华",
    "春生",
    "玉梅",
    "国庆",
    "晓东",
    "淑珍",
    "文斌",
    "红梅",
    "永福",
    "雪芳",
    "立新",
    "金凤",
    "学军",
    "慧敏",
]

# The people behind the demo accounts, so that accounts and register line up. Party
# membership ("is_party_member") is given by the member record that ``party/demo.py`` makes.
NAMED = [
    # (name, roles, building, unit, demo username)
    ("周卫东", {"is_cadre", "is_party_member"}, "社区服务中心", "", "cadre"),
    ("林晓梅", {"is_cadre", "is_party_member"}, "社区服务中心", "", "clerk"),
    ("陈国强", {"is_representative", "is_party_member"}, "3号楼", "2单元", "rep"),
]


def person_spec(index):
    """A deterministic person: the same index always gives the same person.

    ``joins_party`` says whether the person is a party member: not a column of the person,
    the member record ``party/demo.py`` makes for them gives the role."""
    name = (
        SURNAMES[index % len(SURNAMES)] + GIVEN_NAMES[(index * 7 + index // 20) % len(GIVEN_NAMES)]
    )
    roles = set()
    if index % 3 == 0:
        roles.add("is_representative")
    if index % 4 == 0:
        roles.add("is_party_member")
    if index % 10 == 1:
        roles.add("is_cadre")
    if index % 2 == 1 or not roles:
        roles.add("is_volunteer")
    return {
        "name": name,
        # Name, building and unit repeat every 1,200 people; each further 1,200 live in
        # twelve new buildings, so that every index gives a different person at any scale.
        "building": f"{index % 12 + 1 + 12 * (index // 1200)}号楼",
        "unit": f"{index // 12 % 4 + 1}单元",
        "phone": f"138{index:08d}",
        "is_active": index % 25 != 24,
        "joins_party": "is_party_member" in roles,
        **{role: role in roles for role in Person.ASSIGNED_ROLE_FIELDS},
    }


def seed(*, scale, users):
    """Create the register: the demo accounts' people and 40 × scale residents."""
    created = 0
    for name, roles, building, unit, username in NAMED:
        _person, was_created = Person.objects.get_or_create(
            name=name,
            building=building,
            unit=unit,
            defaults={
                "user": users.get(username),
                **{role: role in roles for role in Person.ASSIGNED_ROLE_FIELDS},
            },
        )
        created += was_created
    for index in range(40 * scale):
        spec = person_spec(index)
        spec.pop("joins_party")
        _person, was_created = Person.objects.get_or_create(
            name=spec.pop("name"),
            building=spec.pop("building"),
            unit=spec.pop("unit"),
            defaults=spec,
        )
        created += was_created
    return created


# ---------------------------------------------------------------------------------------
# Cadre training and talks: every cadre in one of three situations, so that the compliance
# dashboard shows each list and the talks show both follow-up states.

COURSES = [
    # (subject, title, provider)
    (TrainingSubject.POLITICAL_THEORY, "学习贯彻党的二十大精神专题培训", "区委党校"),
    (TrainingSubject.LAWS, "《民法典》与基层治理", "区司法局"),
    (TrainingSubject.COMMUNITY_CONSTRUCTION, "城市社区治理能力提升班", "市民政局"),
    (TrainingSubject.COMMUNITY_SERVICE, "社区养老服务实务", "街道社区服务中心"),
    (TrainingSubject.BUSINESS, "社区工作者业务知识培训", "街道办事处"),
]


def _training(person, course, start, days, user):
    subject, title, provider = course
    training = Training.objects.filter(person=person, title=title, start_date__year=start.year)
    if training.exists():
        return 0
    record = Training(
        person=person,
        subject=subject,
        title=title,
        provider=provider,
        start_date=start,
        end_date=start + datetime.timedelta(days=max(int(days) - 1, 0)),
        days=Decimal(days),
        certificate=f"PX{start.year}{person.pk:05d}",
    )
    record._history_user = user
    record.save()
    return 1


def _talk(cadre, member, talk_date, topics, problems, follow_up, user):
    if Talk.objects.filter(cadre=cadre, committee_member=member, topics=topics).exists():
        return None
    talk = Talk(
        cadre=cadre,
        committee_member=member,
        date=talk_date,
        topics=topics,
        problems=problems,
        follow_up=follow_up,
    )
    talk._history_user = user
    talk.save()
    return talk


def seed_cadre_records(*, scale, users):
    """Training and talks for every active cadre (their number grows with ``--scale``):
    a third comply with both rules (exactly ten days, one follow-up done), a third are short
    of training days and overdue for a talk (follow-up open), a third never had a talk."""
    from core.transitions import perform

    office = users.get("party")
    today = timezone.localdate()
    start = max(today.replace(month=1, day=1), today - datetime.timedelta(days=60))
    member = Person.objects.get(name="林晓梅", building="社区服务中心")
    other = Person.objects.get(name="周卫东", building="社区服务中心")
    created = 0
    for index, cadre in enumerate(Person.objects.cadres().order_by("pk")):
        talker = other if cadre == member else member
        kind = index % 3
        if kind == 0:
            created += _training(cadre, COURSES[0], start, 6, office)
            created += _training(cadre, COURSES[2], start + datetime.timedelta(days=14), 4, office)
            talk = _talk(
                cadre,
                talker,
                months_before(today, 2),
                "近期工作情况和思想状况",
                "居民来访增多，接待时间不够",
                "调整值班安排，增加周六上午接待。",
                office,
            )
            if talk is not None:
                created += 1
                perform(talk, "complete", office, reason="值班表已调整。")
        elif kind == 1:
            created += _training(cadre, COURSES[3], start, 3, office)
            created += (
                1
                if _talk(
                    cadre,
                    talker,
                    months_before(today, 8),
                    "工作压力和家庭困难",
                    "家中老人需要照顾，晚间值班有困难",
                    "与街道协调，调换晚间值班。",
                    office,
                )
                else 0
            )
        else:
            created += _training(cadre, COURSES[1], start, 5, office)
            created += _training(cadre, COURSES[4], start + datetime.timedelta(days=10), 7, office)
    return created
