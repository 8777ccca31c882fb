import datetime
from decimal import Decimal

import factory

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from .models import Person, Talk, Training


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("password")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        """``UserFactory(groups=["Editors"])`` puts the user in those groups."""
        if create and names:
            self.groups.set([Group.objects.get(name=name) for name in names])


class PersonFactory(factory.django.DjangoModelFactory):
    name = factory.Faker("name", locale="zh_CN")
    is_representative = True
    building = factory.Sequence(lambda n: f"{n % 12 + 1}号楼")
    unit = factory.Sequence(lambda n: f"{n % 4 + 1}单元")
    phone = factory.Sequence(lambda n: f"139{n:08d}"[-11:])

    class Meta:
        model = Person


class CadreFactory(PersonFactory):
    is_cadre = True
    is_representative = False


class TrainingFactory(factory.django.DjangoModelFactory):
    person = factory.SubFactory(CadreFactory)
    subject = "political_theory"
    title = "学习贯彻党的二十大精神专题培训"
    provider = "区委党校"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=4))
    end_date = factory.LazyAttribute(lambda training: training.start_date)
    days = Decimal("1")

    class Meta:
        model = Training


class TalkFactory(factory.django.DjangoModelFactory):
    # A committee member who is not a cadre, so that the rules count only the cadre talked to.
    committee_member = factory.SubFactory(PersonFactory, is_party_member=True)
    cadre = factory.SubFactory(CadreFactory)
    date = factory.LazyFunction(timezone.localdate)
    topics = "工作和思想情况"
    problems = ""
    follow_up = ""

    class Meta:
        model = Talk
