"""What seed_demo leaves: one account per role, pages written and published as the admin
would, history for every person; idempotent, even after a page was edited."""

import pytest
from bs4 import BeautifulSoup

from django.contrib.auth import get_user_model

from wagtail.models import PageLogEntry

from core import roles
from home.management.commands.seed_demo import DEFAULT_PASSWORD
from home.models import HomePage, StandardPage
from people.models import Person
from tests.demo.conftest import ROLE_ACCOUNTS, counts, seed

User = get_user_model()


def request_links(response):
    """The links to the request form in the page's own content (the menu has one too)."""
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return [a["href"] for a in page.select("main a") if a["href"] == "/duty/request/"]


class TestAccounts:
    def test_one_administrator(self):
        admin = User.objects.get(username="admin")
        assert admin.is_superuser
        assert admin.is_staff
        assert admin.check_password(DEFAULT_PASSWORD)

    @pytest.mark.parametrize(("username", "group"), ROLE_ACCOUNTS.items())
    def test_one_account_per_role_in_its_group(self, username, group):
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert not user.is_superuser
        assert user.check_password(DEFAULT_PASSWORD)

    def test_every_role_of_the_table_has_its_account(self):
        grouped = set(User.objects.values_list("groups__name", flat=True)) - {None}
        assert grouped == {role.name for role in roles.ROLES}

    def test_the_given_password_replaces_that_of_existing_accounts(self):
        seed(password="another-secret-2")
        assert User.objects.get(username="editor").check_password("another-secret-2")

    def test_a_rerun_without_password_keeps_a_changed_password(self):
        editor = User.objects.get(username="editor")
        editor.set_password("changed-by-the-editor")
        editor.save()
        seed()
        editor.refresh_from_db()
        assert editor.check_password("changed-by-the-editor")

    def test_demo_people_are_linked_to_their_accounts(self):
        for username in ("clerk", "cadre", "rep"):
            assert Person.objects.get(user__username=username).name == (
                User.objects.get(username=username).first_name
            )


class TestContent:
    def test_is_idempotent(self):
        first = counts()
        output = seed()
        assert counts() == first
        assert "people: 0 created" in output
        assert "pages: 0 created" in output

    def test_pages_are_written_by_the_editor_and_published_by_the_moderator(self):
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
        content = client.get("/").content.decode()
        assert "幸福里社区" in content
        assert "欢迎来到幸福里社区网站" in content
        for path in ("/about/", "/services/", "/contact/", "/services/guide-5/"):
            assert client.get(path).status_code == 200, path

    @pytest.mark.parametrize("path", ["/services/", "/contact/"])
    def test_the_guide_and_the_contact_page_link_to_the_request_form(self, client, path):
        page = BeautifulSoup(client.get(path).content.decode(), "html.parser")
        links = {a["href"] for a in page.select("main a")}
        assert {"/duty/request/", "/duty/"} <= links

    def test_a_demo_seeded_before_gets_the_links_once(self, client):
        contact = StandardPage.objects.get(slug="contact")
        contact.body = [
            (block.block_type, block.value)
            for block in contact.body
            if "/duty/request/" not in str(block.value)
        ]
        contact.save_revision().publish()
        assert "/duty/request/" not in request_links(client.get("/contact/"))

        seed()
        seed()

        contact = StandardPage.objects.get(slug="contact")
        assert request_links(client.get("/contact/")) == ["/duty/request/"]
        assert str(contact.body.raw_data).count("/duty/request/") == 1

    def test_history_exists_for_every_seeded_person(self):
        seed()
        people = Person.objects.all()
        assert people.count() == 43
        for person in people:
            created, *later = person.history.order_by("history_id")
            assert created.history_type == "+"
            assert created.name == person.name
            # A party member's later rows are the membership their member record gives (and
            # takes back when the member is transferred out), nothing else.
            fields = [f.attname for f in Person._meta.concrete_fields if f.name != "updated_at"]
            for before, row in zip([created, *later], later, strict=False):
                assert person.party_member_record is not None
                changed = [name for name in fields if getattr(row, name) != getattr(before, name)]
                assert changed == ["is_party_member"]

    def test_the_register_holds_every_role_and_some_who_left(self):
        assert Person.objects.cadres().exists()
        assert Person.objects.representatives().exists()
        assert Person.objects.party_members().exists()
        assert Person.objects.volunteers().exists()
        assert Person.objects.filter(is_active=False).exists()
        for person in Person.objects.all():
            person.full_clean()
