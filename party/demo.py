"""Demo party members, built through the ORM so that history exists: members of the three
categories (在册, 在职, 流动), one of them transferred out, for the register's party members."""

import datetime

from core.transitions import perform
from people.models import PartyStatus, Person

from .models import PartyMember, PartyMemberState

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


def seed(*, scale, users):
    """A member record for every party member of the register (which grows with ``scale``);
    the first migrant member is transferred out by the party-affairs office."""
    created = 0
    people = Person.objects.filter(is_party_member=True).exclude(party_status="").order_by("pk")
    for index, person in enumerate(people):
        _member, was_created = PartyMember.objects.get_or_create(
            person=person, defaults=_fields(index, person.party_status)
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
