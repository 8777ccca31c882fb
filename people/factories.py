import factory

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import Person


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
