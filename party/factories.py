import datetime

import factory

from people.factories import PersonFactory
from people.models import PartyStatus

from .models import PartyMember


class PartyMemberFactory(factory.django.DjangoModelFactory):
    """A registered member (在册党员) by default; ``PartyMemberFactory(in_service=True)`` or
    ``(migrant=True)`` fills the fields those categories need."""

    person = factory.SubFactory(
        PersonFactory, is_party_member=True, party_status=factory.SelfAttribute("..category")
    )
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
