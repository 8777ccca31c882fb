import datetime

import factory

from .models import (
    ActivityKind,
    Agreement,
    GuidanceVisit,
    JointActivity,
    NewOrganisation,
    OrganisationKind,
    Partner,
    PartnerKind,
)


class PartnerFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"区第{n + 1}共建单位")
    kind = PartnerKind.ENTERPRISE
    address = "和平路88号"
    contact_person = "刘建华"
    contact_phone = factory.Sequence(lambda n: f"138{n:08d}"[-11:])

    class Meta:
        model = Partner


class AgreementFactory(factory.django.DjangoModelFactory):
    """An agreement in force; it ends with ``perform(agreement, "end", user, reason=...)``."""

    partner = factory.SubFactory(PartnerFactory)
    title = factory.Sequence(lambda n: f"社区共驻共建协议（第{n + 1}号）")
    signed_on = datetime.date(2026, 1, 10)
    valid_until = datetime.date(2027, 12, 31)
    community_undertakes = "提供活动场地，组织居民参与"
    partner_undertakes = "每季度组织一次志愿服务"

    class Meta:
        model = Agreement


class JointActivityFactory(factory.django.DjangoModelFactory):
    """A draft activity; ``JointActivityFactory(partners=[...])`` names its partner units
    (each added partner is a change in its history), ``perform(activity, "publish", user)``
    publishes it."""

    title = factory.Sequence(lambda n: f"共建活动第{n + 1}期")
    kind = ActivityKind.ENVIRONMENT
    date = datetime.date(2026, 5, 20)
    place = "社区广场"
    participant_count = 30
    outcome = "清理楼道杂物二十余处"

    class Meta:
        model = JointActivity
        skip_postgeneration_save = True

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)


class NewOrganisationFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"新兴科技有限公司{n + 1}")
    kind = OrganisationKind.ECONOMIC
    address = "创业大街1号"
    employees = 20
    party_members = 1
    has_party_organisation = False

    class Meta:
        model = NewOrganisation


class GuidanceVisitFactory(factory.django.DjangoModelFactory):
    organisation = factory.SubFactory(NewOrganisationFactory)
    date = datetime.date(2026, 4, 8)
    visitors = "社区党委书记、党务专干"
    advice = "尽快组建党支部，由社区党委选派党建指导员"

    class Meta:
        model = GuidanceVisit
