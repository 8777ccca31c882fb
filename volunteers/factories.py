import datetime
from decimal import Decimal

import factory

from django.utils import timezone

from people.factories import PersonFactory

from .models import Participation, PledgeCard, PledgeItem, Team, VolunteerActivity


class PartyMemberPersonFactory(PersonFactory):
    """A person of the register who is a party member (``party.PartyMember`` keeps that flag
    in the site; this app may not import ``party``)."""

    is_party_member = True
    is_representative = False


class VolunteerFactory(PersonFactory):
    is_volunteer = True
    is_representative = False


class TeamFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"第{n + 1}志愿服务队")
    focus = "为社区老人提供助餐、陪护和代办服务"
    formed_on = datetime.date(2025, 3, 5)
    active = True

    class Meta:
        model = Team
        skip_postgeneration_save = True

    @factory.post_generation
    def backbone(self, create, people, **kwargs):
        """``TeamFactory(backbone=[member])``: party members, who count among the members."""
        if create and people:
            self.backbone.set(people)
            self.members.add(*people)

    @factory.post_generation
    def members(self, create, people, **kwargs):
        if create and people:
            self.members.add(*people)


class VolunteerActivityFactory(factory.django.DjangoModelFactory):
    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"楼道清洁志愿活动（第{n + 1}次）")
    date = factory.LazyFunction(timezone.localdate)
    place = "社区党群服务中心"
    summary = "清理楼道杂物，张贴垃圾分类宣传画"

    class Meta:
        model = VolunteerActivity


class ParticipationFactory(factory.django.DjangoModelFactory):
    activity = factory.SubFactory(VolunteerActivityFactory)
    person = factory.SubFactory(VolunteerFactory)
    hours = Decimal("2.0")

    class Meta:
        model = Participation


DONE = {
    PledgeItem.POST: "认领楼道长岗位，每周巡查一次",
    PledgeItem.CARE: "看望独居老人张奶奶",
    PledgeItem.IDEA: "建议在小区增设共享工具箱",
    PledgeItem.PAIR: "与困难家庭学生结对辅导功课",
    PledgeItem.PRACTICAL: "修好3号楼门口的路灯",
}


class PledgeCardFactory(factory.django.DjangoModelFactory):
    """An open card with its five pledges; none is done yet (record them with
    ``perform(card, "record_item", user, item=..., done=..., done_on=...)``)."""

    person = factory.SubFactory(PartyMemberPersonFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    post_pledged = "认领一个服务岗位"
    care_pledged = "献一份爱心"
    idea_pledged = "提一条建议"
    pair_pledged = "结一个对子"
    practical_pledged = "办一件实事"

    class Meta:
        model = PledgeCard
