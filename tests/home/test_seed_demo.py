"""seed_demo: one account per role, demo content with history, idempotent, refuses on live sites."""

from io import StringIO

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from wagtail.models import Page, PageLogEntry, Revision

from core import roles
from home.management.commands.seed_demo import DEFAULT_PASSWORD
from home.models import HomePage, StandardPage
from people.demo import person_spec
from people.models import Person

User = get_user_model()

ROLE_ACCOUNTS = {
    "editor": roles.EDITORS,
    "moderator": roles.MODERATORS,
    "clerk": roles.MEETING_CLERKS,
    "cadre": roles.DUTY_CADRES,
    "supervisor": roles.SUPERVISORS,
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
    def test_one_administrator(self):
        seed()
        admin = User.objects.get(username="admin")
        assert admin.is_superuser
        assert admin.is_staff
        assert admin.check_password(DEFAULT_PASSWORD)

    @pytest.mark.parametrize(("username", "group"), ROLE_ACCOUNTS.items())
    def test_one_account_per_role_in_its_group(self, username, group):
        seed()
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert not user.is_superuser
        assert user.check_password(DEFAULT_PASSWORD)

    def test_every_role_of_the_table_has_its_account(self):
        seed()
        grouped = set(User.objects.values_list("groups__name", flat=True)) - {None}
        assert grouped == {role.name for role in roles.ROLES}

    def test_the_given_password_is_set_on_every_account(self):
        seed(password="another-secret-1")
        for user in User.objects.filter(username__in=["admin", *ROLE_ACCOUNTS]):
            assert user.check_password("another-secret-1"), user.username
            assert not user.check_password(DEFAULT_PASSWORD)

    def test_the_given_password_replaces_that_of_existing_accounts(self):
        seed()
        seed(password="another-secret-2")
        assert User.objects.get(username="editor").check_password("another-secret-2")

    def test_a_rerun_without_password_keeps_a_changed_password(self):
        seed()
        editor = User.objects.get(username="editor")
        editor.set_password("changed-by-the-editor")
        editor.save()
        seed()
        editor.refresh_from_db()
        assert editor.check_password("changed-by-the-editor")

    def test_demo_people_are_linked_to_their_accounts(self):
        seed()
        for username in ("clerk", "cadre", "rep"):
            assert Person.objects.get(user__username=username).name == (
                User.objects.get(username=username).first_name
            )


@pytest.mark.django_db
class TestContent:
    def test_is_idempotent(self):
        seed()
        first = counts()
        output = seed()
        assert counts() == first
        assert "people: 0 created" in output
        assert "pages: 0 created" in output

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

    def test_pages_are_written_by_the_editor_and_published_by_the_moderator(self):
        seed()
        editor = User.objects.get(username="editor")
        moderator = User.objects.get(username="moderator")
        pages = [HomePage.objects.get(), *StandardPage.objects.all()]
        assert len(pages) == 1 + 3 + 5
        for page in pages:
            assert page.live, page
            assert not page.has_unpublished_changes, page
            assert page.live_revision is not None, page
            assert page.live_revision.user == editor, page
            published = PageLogEntry.objects.filter(page=page, action="wagtail.publish")
            assert [entry.user for entry in published] == [moderator], page

    def test_the_front_page_and_settings_are_filled_in(self, client):
        seed()
        content = client.get("/").content.decode()
        assert "幸福里社区" in content
        assert "欢迎来到幸福里社区网站" in content
        for path in ("/about/", "/services/", "/contact/", "/services/guide-5/"):
            assert client.get(path).status_code == 200, path

    def test_history_exists_for_every_seeded_person(self):
        seed()
        seed()
        people = Person.objects.all()
        assert people.count() == 43
        for person in people:
            (created,) = person.history.all()
            assert created.history_type == "+"
            assert created.name == person.name

    def test_the_register_holds_every_role_and_some_who_left(self):
        seed()
        assert Person.objects.cadres().exists()
        assert Person.objects.representatives().exists()
        assert Person.objects.party_members().exists()
        assert Person.objects.volunteers().exists()
        assert Person.objects.filter(is_active=False).exists()
        for person in Person.objects.all():
            person.full_clean()
