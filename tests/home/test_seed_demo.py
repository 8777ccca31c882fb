"""seed_demo: one account per role, demo content with history, idempotent, refuses on live sites."""

from io import StringIO

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from wagtail.models import Page, Revision

from core import roles
from home.management.commands.seed_demo import DEFAULT_PASSWORD
from home.models import StandardPage
from people.demo import person_spec
from people.models import Person

User = get_user_model()

ROLE_ACCOUNTS = {
    "editor": roles.EDITORS,
    "moderator": roles.MODERATORS,
    "clerk": roles.MEETING_CLERKS,
    "cadre": roles.DUTY_CADRES,
    "supervisor": roles.SUPERVISORS,
    "party": roles.PARTY_OFFICE,
    "rep": roles.REPRESENTATIVES,
}


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"force": True, **options})
    return out.getvalue()


def counts():
    return {
        "users": User.objects.count(),
        "people": Person.objects.count(),
        "pages": Page.objects.count(),
        "live pages": Page.objects.live().count(),
        "revisions": Revision.objects.count(),
        "person history": Person.history.count(),
        "group memberships": User.groups.through.objects.count(),
    }


def counts_after_seeding(scale):
    """Seed a fresh database at ``scale``, count, and roll the seeding back."""
    with transaction.atomic():
        seed(scale=scale)
        result = counts()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
class TestRefusals:
    def test_refuses_with_debug_off_and_no_force(self, settings):
        settings.DEBUG = False
        with pytest.raises(CommandError, match="--force"):
            call_command("seed_demo", stdout=StringIO())
        assert not User.objects.exists()
        assert not Person.objects.exists()

    def test_runs_without_force_when_debug_is_on(self, settings):
        settings.DEBUG = True
        call_command("seed_demo", stdout=StringIO())
        assert User.objects.filter(username="admin").exists()

    @pytest.mark.parametrize("scale", [0, -1, 1001])
    def test_refuses_a_scale_out_of_range(self, scale):
        with pytest.raises(CommandError, match="--scale"):
            seed(scale=scale)
        assert not User.objects.exists()
        assert not Person.objects.exists()


@pytest.mark.django_db
class TestAccounts:
    def test_the_given_password_is_set_on_every_account(self):
        seed(password="another-secret-1")
        for user in User.objects.filter(username__in=["admin", *ROLE_ACCOUNTS]):
            assert user.check_password("another-secret-1"), user.username
            assert not user.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
class TestContent:
    def test_a_larger_scale_gives_more_people_and_pages(self):
        one = counts_after_seeding(1)
        two = counts_after_seeding(2)
        assert one["people"] == 3 + 40
        assert two["people"] == 3 + 80
        assert two["pages"] > one["pages"]
        assert two["person history"] > one["person history"]

    def test_a_larger_scale_on_top_adds_only_what_is_missing(self):
        seed(scale=1)
        seed(scale=2)
        assert Person.objects.count() == 3 + 80
        assert StandardPage.objects.filter(slug__startswith="guide-").count() == 10

    def test_every_demo_person_is_different_at_any_scale(self):
        # Idempotence finds people by name, building and unit: two indexes giving the same
        # three would quietly shrink a benchmark's register.
        keys = {
            (spec["name"], spec["building"], spec["unit"])
            for spec in map(person_spec, range(40 * 1000))
        }
        assert len(keys) == 40 * 1000
