"""Choosers show a role only what its own listings show.

Found by an attacker: Wagtail's snippet and page choosers answered every admin role, so an
editor opened the people register, every opinion (pending and spam, with its author), every
duty record, the cadres' inspection ratings, and read draft and private pages' titles.
``core.viewsets.SnippetChooserViewSet`` puts each snippet chooser behind its listing's
permission; ``core.choosers`` narrows the page chooser to the pages a role may explore or the
public sees; ``core.wagtail_hooks.only_who_may_move_the_page`` closes the page move
confirmation, which showed any page's title.
"""

import json

import pytest

from django.urls import reverse

from wagtail.models import PageViewRestriction
from wagtail.snippets.models import get_snippet_models

from blog.factories import BlogPageFactory
from core import roles
from core.viewsets import SnippetChooserViewSet
from duty.factories import DutyRecordFactory, InspectionRatingFactory
from opinions.factories import OpinionFactory
from people.factories import PersonFactory
from tests.support import logged_in

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/"


def choose_url(model, view="choose", *args):
    return reverse(model.snippet_viewset.chooser_viewset.get_url_name(view), args=args)


def refused(response):
    """Wagtail's admin refuses a view by sending the user to the dashboard."""
    return response.status_code == 302 and response["Location"] == DASHBOARD


@pytest.fixture
def records(db):
    return {
        "opinion": OpinionFactory(author_name="三号楼老李", body="垃圾站晚上太吵，建议挪到北门。"),
        "record": DutyRecordFactory(request="我家孩子被邻居打了，请帮忙调解。"),
        "person": PersonFactory(name="林秋菊"),
        "rating": InspectionRatingFactory(),
    }


def test_every_snippet_chooser_keeps_its_listing_permission():
    """A snippet registered with a chooser of Wagtail's own would show every row again."""
    plain = [
        model._meta.label
        for model in get_snippet_models()
        if not isinstance(model.snippet_viewset.chooser_viewset, SnippetChooserViewSet)
    ]
    assert not plain


def test_an_editor_opens_no_register_through_a_chooser(make_user, records):
    """Editors may see no snippet listing: no snippet chooser answers them, nor names a record
    by its id."""
    editor = logged_in(make_user(roles.EDITORS))
    for model in get_snippet_models():
        assert refused(editor.get(choose_url(model))), model
        assert refused(editor.get(choose_url(model, "choose_results") + "?q=a")), model
    for name, record in records.items():
        response = editor.get(choose_url(type(record), "chosen", record.pk))
        assert refused(response), name
        response = editor.get(choose_url(type(record), "chosen_multiple") + f"?id={record.pk}")
        assert refused(response), name


def test_what_a_chooser_showed_to_the_wrong_roles(make_user, records):
    """The attacker's findings, one by one, as the role that should not see them."""
    clerk = logged_in(make_user(roles.MEETING_CLERKS))
    cadre = logged_in(make_user(roles.DUTY_CADRES))
    party = logged_in(make_user(roles.PARTY_OFFICE))
    for client, record in [
        (clerk, records["opinion"]),  # opinions, pending and spam, with their authors
        (clerk, records["record"]),  # a resident's request, behind its reference
        (party, records["record"]),
        (clerk, records["rating"]),  # the cadres' inspection ratings
        (cadre, records["opinion"]),
    ]:
        response = client.get(choose_url(type(record)))
        assert refused(response), type(record)
        assert refused(client.get(choose_url(type(record), "chosen", record.pk)))


def test_roles_still_choose_what_they_may_list(make_user, records):
    """A cadre picks a cadre from the register (``people.view_person``); a moderator sees the
    opinions it moderates, with their authors."""
    cadre = logged_in(make_user(roles.DUTY_CADRES))
    response = cadre.get(choose_url(type(records["person"])))
    assert response.status_code == 200
    assert "林秋菊" in text(response)
    moderator = logged_in(make_user(roles.MODERATORS))
    response = moderator.get(choose_url(type(records["opinion"]), "chosen", records["opinion"].pk))
    assert response.status_code == 200


@pytest.fixture
def pages(home_page):
    draft = BlogPageFactory(title="拆迁补偿方案（草稿）", slug="draft-plan", live=False)
    private = BlogPageFactory(title="班子内部分工", slug="private-roles")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    public = BlogPageFactory(title="春节慰问活动", slug="new-year")
    return {"draft": draft, "private": private, "public": public, "index": public.get_parent()}


HIDDEN = ("拆迁补偿方案", "班子内部分工")


def text(response):
    """What a response says: Wagtail's modal views answer in JSON, its text escaped."""
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(json.loads(body), ensure_ascii=False)
    return body


def shows(response, *titles):
    body = text(response)
    return [title for title in titles if title in body]


@pytest.mark.parametrize(
    "group", [roles.MEETING_CLERKS, roles.DUTY_CADRES, roles.SUPERVISORS, roles.PARTY_OFFICE]
)
@pytest.mark.search_index
def test_the_page_chooser_hides_drafts_and_private_pages(make_user, pages, group):
    """Roles without page permissions choose among the public pages only."""
    client = logged_in(make_user(group))
    browse = client.get(reverse("wagtailadmin_choose_page_child", args=[pages["index"].pk]))
    assert browse.status_code == 200
    assert shows(browse, "春节慰问活动", *HIDDEN) == ["春节慰问活动"]
    for hidden in ("draft", "private"):
        url = reverse("wagtailadmin_choose_page_child", args=[pages[hidden].pk])
        assert client.get(url).status_code == 404
    ids = "&".join(f"id={page.pk}" for page in pages.values())
    chosen = client.get(reverse("wagtailadmin_choose_page_chosen_multiple") + "?" + ids)
    assert chosen.status_code == 200
    assert shows(chosen, "春节慰问活动", *HIDDEN) == ["春节慰问活动"]
    for words in ("拆迁", "班子", "春节"):
        search = client.get(reverse("wagtailadmin_choose_page_search") + f"?q={words}")
        assert search.status_code == 200
        assert not shows(search, *HIDDEN)


@pytest.mark.search_index
def test_editors_still_choose_any_page(make_user, pages):
    """Editors may explore the whole tree: their chooser shows drafts and private pages."""
    editor = logged_in(make_user(roles.EDITORS))
    browse = editor.get(reverse("wagtailadmin_choose_page_child", args=[pages["index"].pk]))
    assert shows(browse, "春节慰问活动", *HIDDEN) == ["春节慰问活动", *HIDDEN]
    search = editor.get(reverse("wagtailadmin_choose_page_search") + "?q=拆迁")
    assert shows(search, *HIDDEN) == ["拆迁补偿方案"]


@pytest.mark.parametrize("group", [roles.MEETING_CLERKS, roles.EDITORS, roles.MODERATORS])
def test_the_move_confirmation_names_no_page_to_who_may_not_move_it(
    make_user, pages, home_page, group
):
    client = logged_in(make_user(group))
    url = reverse("wagtailadmin_pages:move_confirm", args=[pages["draft"].pk, home_page.pk])
    response = client.get(url)
    assert refused(response)
    assert client.post(url).status_code == 302
    pages["draft"].refresh_from_db()
    assert pages["draft"].get_parent().pk == pages["index"].pk


@pytest.mark.search_index
def test_the_admin_api_lists_no_page_to_roles_without_page_permissions(make_user, pages):
    clerk = logged_in(make_user(roles.MEETING_CLERKS))
    listing = clerk.get("/admin/api/main/pages/?search=拆迁")
    assert listing.status_code == 200
    assert not shows(listing, *HIDDEN)
    assert clerk.get(f"/admin/api/main/pages/{pages['draft'].pk}/").status_code == 404
