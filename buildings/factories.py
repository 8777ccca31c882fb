import factory

from .models import (
    Assessment,
    AssessmentState,
    Building,
    Category,
    CategoryKind,
    Project,
    ProjectKind,
    Score,
    Standard,
    Title,
    TitleKind,
)


class CategoryFactory(factory.django.DjangoModelFactory):
    """One of the eight categories, in turn (each exists once: pass ``kind`` to choose)."""

    kind = factory.Iterator(CategoryKind.values)
    sort_order = factory.Sequence(lambda n: n % 8 + 1)

    class Meta:
        model = Category


def learning():
    category, _created = Category.objects.get_or_create(
        kind=CategoryKind.LEARNING, defaults={"sort_order": 1}
    )
    return category


class StandardFactory(factory.django.DjangoModelFactory):
    category = factory.LazyFunction(learning)
    text = factory.Sequence(lambda n: f"楼内设有读书角，定期开展学习活动（{n}）")
    max_score = 10
    sort_order = factory.Sequence(lambda n: n)

    class Meta:
        model = Standard


class BuildingFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"{n + 1}号楼")
    units = 3

    class Meta:
        model = Building
        django_get_or_create = ("name",)


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A draft assessment; its state changes only through ``core.transitions.perform``."""

    building = factory.SubFactory(BuildingFactory)
    year = 2026
    assessors = "社区党委 张书记、李委员"

    class Meta:
        model = Assessment

    class Params:
        # Born confirmed (the constructor may set a protected state): for titles in tests.
        confirmed = factory.Trait(state=AssessmentState.CONFIRMED)


class ScoreFactory(factory.django.DjangoModelFactory):
    assessment = factory.SubFactory(AssessmentFactory)
    standard = factory.SubFactory(StandardFactory)
    score = 8
    evidence = "活动记录与照片"

    class Meta:
        model = Score


class TitleFactory(factory.django.DjangoModelFactory):
    """A pioneer title, from a confirmed assessment of its own."""

    assessment = factory.SubFactory(AssessmentFactory, confirmed=True)
    kind = TitleKind.PIONEER

    class Meta:
        model = Title


class ProjectFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"邻里书香项目{n}")
    kind = ProjectKind.UNIT_BRAND
    held_by = "3号楼"
    description = "每月一次亲子共读。"
    year = 2026

    class Meta:
        model = Project
