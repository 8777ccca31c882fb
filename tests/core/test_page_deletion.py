"""Deleting a page takes its revisions (and the history centre's diffs of them) and its
residents' opinions with it: an administrator's act only. Editors and moderators are
offered no "Delete" and refused every way of deleting, whatever Wagtail's page permissions
("add" with "publish", or "change") would allow them; nothing is deleted."""

import pytest

from django.urls import reverse

from wagtail.models import Page, Revision

from home.models import StandardPage
from tests.home.factories import StandardPageFactory
from tests.support import logged_in


def delete_url(page):
    return reverse("wagtailadmin_pages:delete", args=[page.pk])


def bulk_delete_url(page):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    return f"{url}?id={page.pk}"


def revisions_of(page):
    return Revision.page_revisions.filter(object_id=str(page.pk)).count()


@pytest.fixture
def people(editor, moderator):
    return {"editor": editor, "moderator": moderator}


@pytest.fixture
def pages(home_page, editor, moderator):
    """A live page owned by the moderator (Wagtail lets "add + publish" delete it) and a
    draft owned by the editor (Wagtail lets "add" delete it)."""
    return {
        "moderator": StandardPageFactory(parent=home_page, owner=moderator, user=moderator),
        "editor": StandardPageFactory(parent=home_page, state="draft", owner=editor, user=editor),
    }


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_editors_and_moderators_cannot_delete_their_own_pages(people, pages, role):
    user, page = people[role], pages[role]
    revisions = revisions_of(page)
    client = logged_in(user)

    assert not page.permissions_for_user(user).can_delete()
    assert not Page.objects.get(pk=page.pk).permissions_for_user(user).can_delete()
    # Not offered in the page's editor...
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert edit.status_code == 200
    assert delete_url(page) not in edit.content.decode()
    # ...refused by the delete view and the bulk delete...
    for response in (
        client.get(delete_url(page)),
        client.post(delete_url(page)),
        client.post(bulk_delete_url(page)),
    ):
        assert response.status_code in (302, 403)
        assert response.get("Location", "/admin/") == "/admin/"
    # ...and nothing is deleted, revisions included.
    assert StandardPage.objects.filter(pk=page.pk).exists()
    assert revisions_of(page) == revisions


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_nor_anyone_elses(people, pages, role):
    other = pages["editor" if role == "moderator" else "moderator"]

    response = logged_in(people[role]).post(delete_url(other))

    assert response.status_code in (302, 403)
    assert StandardPage.objects.filter(pk=other.pk).exists()


def test_an_administrator_deletes_a_page(pages, superuser):
    page = pages["moderator"]
    client = logged_in(superuser)

    assert page.permissions_for_user(superuser).can_delete()
    assert (
        delete_url(page)
        in client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    )
    assert client.get(delete_url(page)).status_code == 200

    response = client.post(delete_url(page))

    assert response.status_code == 302
    assert not StandardPage.objects.filter(pk=page.pk).exists()


def test_an_administrator_deletes_pages_in_bulk(pages, superuser):
    page = pages["editor"]

    response = logged_in(superuser).post(bulk_delete_url(page))

    assert response.status_code == 302
    assert not StandardPage.objects.filter(pk=page.pk).exists()
