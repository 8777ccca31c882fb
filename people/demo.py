"""Demo content of the people register, built through the ORM so that history exists."""

from .models import PartyStatus, Person

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

# The people behind the demo accounts, so that accounts and register line up.
NAMED = [
    # (name, roles, party status, building, unit, demo username)
    (
        "周卫东",
        {"is_cadre", "is_party_member"},
        PartyStatus.IN_SERVICE,
        "社区服务中心",
        "",
        "cadre",
    ),
    (
        "林晓梅",
        {"is_cadre", "is_party_member"},
        PartyStatus.REGISTERED,
        "社区服务中心",
        "",
        "clerk",
    ),
    (
        "陈国强",
        {"is_representative", "is_party_member"},
        PartyStatus.REGISTERED,
        "3号楼",
        "2单元",
        "rep",
    ),
]


def person_spec(index):
    """A deterministic person: the same index always gives the same person."""
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
    if "is_party_member" in roles:
        party_status = [PartyStatus.REGISTERED, PartyStatus.IN_SERVICE, PartyStatus.MIGRANT][
            index % 3
        ]
    else:
        party_status = ""
    return {
        "name": name,
        # Name, building and unit repeat every 1,200 people; each further 1,200 live in
        # twelve new buildings, so that every index gives a different person at any scale.
        "building": f"{index % 12 + 1 + 12 * (index // 1200)}号楼",
        "unit": f"{index // 12 % 4 + 1}单元",
        "phone": f"138{index:08d}",
        "party_status": party_status,
        "is_active": index % 25 != 24,
        **{role: role in roles for role in Person.ROLE_FIELDS},
    }


def seed(*, scale, users):
    """Create the register: the demo accounts' people and 40 × scale residents."""
    created = 0
    for name, roles, party_status, building, unit, username in NAMED:
        _person, was_created = Person.objects.get_or_create(
            name=name,
            building=building,
            unit=unit,
            defaults={
                "party_status": party_status,
                "user": users.get(username),
                **{role: role in roles for role in Person.ROLE_FIELDS},
            },
        )
        created += was_created
    for index in range(40 * scale):
        spec = person_spec(index)
        _person, was_created = Person.objects.get_or_create(
            name=spec.pop("name"),
            building=spec.pop("building"),
            unit=spec.pop("unit"),
            defaults=spec,
        )
        created += was_created
    return created
