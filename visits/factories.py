import factory

from django.utils import timezone

from people.factories import CadreFactory

from .models import Household, HouseholdCategory, Promise, Visit


class HouseholdFactory(factory.django.DjangoModelFactory):
    building = factory.Sequence(lambda n: f"{n % 12 + 1}号楼")
    unit = factory.Sequence(lambda n: f"{n % 4 + 1}单元{n % 6 + 1}01室")
    head_name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"137{n:08d}"[-11:])
    category = HouseholdCategory.IN_DIFFICULTY
    notes = "独居老人，行动不便"

    class Meta:
        model = Household


class VisitFactory(factory.django.DjangoModelFactory):
    household = factory.SubFactory(HouseholdFactory)
    date = factory.LazyFunction(timezone.localdate)
    circumstances = "家中两位老人，子女在外地工作"
    opinions = "希望楼道加装扶手"
    circumstances_known = True

    class Meta:
        model = Visit
        skip_postgeneration_save = True

    @factory.post_generation
    def visitors(self, create, people, **kwargs):
        """``VisitFactory(visitors=[person])``; by default one new cadre."""
        if not create:
            return
        self.visitors.set(people if people is not None else [CadreFactory()])


class PromiseFactory(factory.django.DjangoModelFactory):
    visit = factory.SubFactory(VisitFactory)
    description = "联系物业加装楼道扶手"

    class Meta:
        model = Promise
