"""core.pages: routing by path and the one-query view-restriction check keep Wagtail's rules."""

import pytest

from wagtail.models import PageViewRestriction

from tests.home.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(home_page):
    section = StandardPageFactory(slug="section", title="栏目")
    child = StandardPageFactory(parent=section, slug="child", title="子页面")
    grandchild = StandardPageFactory(parent=child, slug="grandchild", title="孙页面")
    return section, child, grandchild


def test_a_deep_page_is_found_by_its_path(client, tree):
    response = client.get("/section/child/grandchild/")
    assert response.status_code == 200
    assert "孙页面" in response.content.decode()


def test_an_unknown_or_draft_path_is_404(client, tree):
    StandardPageFactory(parent=tree[0], slug="draft", state="draft")
    assert client.get("/section/nope/").status_code == 404
    assert client.get("/section/draft/").status_code == 404


def test_a_restriction_on_an_ancestor_applies_to_every_page_below(client, tree, make_user):
    section, child, grandchild = tree
    PageViewRestriction.objects.create(page=child, restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/section/").status_code == 200
    for path in ("/section/child/", "/section/child/grandchild/"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    client.force_login(make_user())
    assert client.get("/section/child/grandchild/").status_code == 200


def test_the_restrictions_match_wagtails_own(tree):
    from wagtail.models import Page

    section, child, grandchild = tree
    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    ours = list(grandchild.get_view_restrictions())
    wagtails = list(Page.get_view_restrictions(Page.objects.get(pk=grandchild.pk)))
    assert ours == wagtails == [restriction]


def test_checking_restrictions_costs_one_query(tree, django_assert_num_queries):
    grandchild = tree[2]
    with django_assert_num_queries(1):
        list(grandchild.get_view_restrictions())
