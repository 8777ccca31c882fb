"""The roles table (core.roles) walked against the admin.

Every role in the table is tried as a real user through the test client, so that a
permission added to or dropped from the table shows up here as a changed answer of the
admin, not only as a changed row in the database.
"""

from importlib import import_module

import pytest

from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse

from wagtail.models import (
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
)
from wagtail.snippets.models import get_snippet_models

from core import roles
from home.management.commands.seed_demo import ACCOUNTS
from people.factories import UserFactory
from people.models import Person

pytestmark = pytest.mark.django_db

ADMIN_ROLES = [role for role in roles.ROLES if role.uses_admin]
PUBLIC_ROLES = [role for role in roles.ROLES if not role.uses_admin]

# The snippet views each model permission opens, and the permissions that open them
# (Wagtail lets any of add/change/delete/view see the listing and the inspect view).
SNIPPET_VIEWS = {
    "list": ("add", "change", "delete", "view"),
    "add": ("add",),
    "edit": ("change",),
}


def _snippet_cases():
    for role in roles.ROLES:
        for model in get_snippet_models():
            yield pytest.param(role, model, id=f"{role.name}-{model._meta.label_lower}")


def _has_model_permission(role, model, actions):
    opts = model._meta
    return any(
        f"{opts.app_label}.{action}_{opts.model_name}" in role.permissions for action in actions
    )


def _login(client, role):
    user = UserFactory(groups=[role.name])
    client.force_login(user)
    return user


def test_the_table_names_every_group_once(db):
    names = [role.name for role in roles.ROLES]
    assert len(names) == len(set(names))
    assert set(Group.objects.values_list("name", flat=True)) >= set(names)


def test_people_register_is_a_snippet():
    """The snippet walk below means something only if the register is among the snippets."""
    labels = {model._meta.label_lower for model in get_snippet_models()}
    assert "people.person" in labels
    assert reverse("wagtailsnippets_people_person:list") == "/admin/snippets/people/person/"


# The one record supervisors keep themselves: their inspections of the duty record book.
SUPERVISORS_OWN = {
    "duty.add_inspection",
    "duty.change_inspection",
    "duty.inspect_record_book",
    "duty.add_inspectionrating",
    "duty.change_inspectionrating",
}


def test_supervisors_hold_only_read_permissions():
    supervisors = roles.ROLES_BY_NAME[roles.SUPERVISORS]
    for name in supervisors.permissions:
        codename = name.split(".", 1)[1]
        assert (
            name in SUPERVISORS_OWN or name == roles.ACCESS_ADMIN or codename.startswith("view_")
        ), name
    assert supervisors.page_permissions == ()
    assert supervisors.collection_permissions == ()


@pytest.mark.parametrize("role", ADMIN_ROLES, ids=lambda role: role.name)
def test_admin_roles_reach_the_dashboard(client, role):
    _login(client, role)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.wsgi_request.user.has_perm(roles.ACCESS_ADMIN)


@pytest.mark.parametrize("role", PUBLIC_ROLES, ids=lambda role: role.name)
def test_public_roles_are_turned_away_from_the_admin(client, role):
    _login(client, role)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize("role", PUBLIC_ROLES, ids=lambda role: role.name)
def test_public_roles_log_in_on_the_public_site(client, role):
    UserFactory(username="rep", password="a-good-password-42", groups=[role.name])

    response = client.post(
        "/accounts/login/", {"username": "rep", "password": "a-good-password-42"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    front_page = client.get("/")
    assert front_page.status_code == 200
    assert front_page.wsgi_request.user.is_authenticated
    assert front_page.wsgi_request.user.username == "rep"
    # The header shows the reader who they are and offers to log out.
    assert b'action="/accounts/logout/"' in front_page.content


def _make(model):
    """An instance of ``model``, built by its factory (``<app>.factories.<Model>Factory``)."""
    factories = import_module(f"{model._meta.app_label}.factories")
    factory = getattr(factories, f"{model.__name__}Factory", None)
    assert factory is not None, f"{model._meta.label} needs a factory in {factories.__name__}"
    return factory()


@pytest.mark.parametrize(("role", "model"), list(_snippet_cases()))
def test_snippet_views_follow_the_table(client, role, model):
    """Each of the model's listing, add and edit views, as the role: open where the table
    grants a permission that opens it, refused everywhere else."""
    instance = _make(model)
    _login(client, role)
    viewset = model.snippet_viewset

    for view_name, actions in SNIPPET_VIEWS.items():
        args = [instance.pk] if view_name == "edit" else []
        response = client.get(reverse(viewset.get_url_name(view_name), args=args))

        allowed = role.uses_admin and _has_model_permission(role, model, actions)
        if allowed:
            assert response.status_code == 200, view_name
        else:
            assert response.status_code in (302, 403), view_name
            if response.status_code == 302:
                # Refused: sent to the dashboard (admin users) or to the login (everyone else).
                assert response["Location"].split("?")[0] in (
                    reverse("wagtailadmin_home"),
                    reverse("wagtailadmin_login"),
                ), view_name


def test_supervisors_see_people_but_cannot_add_one(client):
    _login(client, roles.ROLES_BY_NAME[roles.SUPERVISORS])
    assert client.get("/admin/snippets/people/person/").status_code == 200
    response = client.post(
        "/admin/snippets/people/person/add/", {"name": "王小明", "is_representative": "on"}
    )
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith("/admin/snippets/people/person/")
    assert not Person.objects.filter(name="王小明").exists()


def test_editors_are_refused_the_people_register(client):
    _login(client, roles.ROLES_BY_NAME[roles.EDITORS])
    response = client.get("/admin/snippets/people/person/")
    assert response.status_code in (302, 403)
    assert response.get("Location", "") != "/admin/snippets/people/person/"


def test_meeting_clerks_add_a_person_through_the_admin(client):
    _login(client, roles.ROLES_BY_NAME[roles.MEETING_CLERKS])
    response = client.post(
        "/admin/snippets/people/person/add/",
        {"name": "王小明", "is_representative": "on", "is_active": "on"},
    )
    assert response.status_code == 302
    person = Person.objects.get(name="王小明")
    assert person.is_representative


@pytest.mark.parametrize("group_name", [roles.EDITORS, roles.MODERATORS])
def test_page_writers_open_the_add_page_form_under_the_front_page(client, home_page, group_name):
    _login(client, roles.ROLES_BY_NAME[group_name])
    response = client.get(f"/admin/pages/{home_page.id}/add_subpage/")
    # Wagtail lists the page types allowed under the front page...
    form_url = f"/admin/pages/add/home/standardpage/{home_page.id}/"
    assert response.status_code == 200
    assert form_url.encode() in response.content
    # ...and opens the form of the chosen one, with the button that submits for moderation.
    response = client.get(form_url)
    assert response.status_code == 200
    assert b'name="action-submit"' in response.content


@pytest.mark.parametrize(
    "group_name",
    [roles.MEETING_CLERKS, roles.DUTY_CADRES, roles.SUPERVISORS, roles.PARTY_OFFICE],
)
def test_roles_without_page_permissions_cannot_add_pages(client, home_page, group_name):
    _login(client, roles.ROLES_BY_NAME[group_name])
    response = client.get(f"/admin/pages/{home_page.id}/add_subpage/")
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("role", roles.ROLES, ids=lambda role: role.name)
def test_page_permissions_follow_the_table(home_page, role):
    user = UserFactory(groups=[role.name])
    permissions = home_page.permissions_for_user(user)
    assert permissions.can_add_subpage() == ("add" in role.page_permissions)
    assert permissions.can_edit() == ("change" in role.page_permissions)
    assert permissions.can_publish() == ("publish" in role.page_permissions)


def test_editors_cannot_publish_and_moderators_can(home_page, editor, moderator):
    assert home_page.permissions_for_user(editor).can_edit()
    assert not home_page.permissions_for_user(editor).can_publish()
    assert home_page.permissions_for_user(moderator).can_publish()


def test_the_demo_has_one_account_per_role():
    demo_groups = [group for group, _name in ACCOUNTS.values() if group]
    assert sorted(demo_groups) == sorted(role.name for role in roles.ROLES)


def test_migrate_applies_the_table(db):
    """core.apps wires apply_roles to post_migrate: a hand-made change is undone by migrate."""
    supervisors = Group.objects.get(name=roles.SUPERVISORS)
    supervisors.permissions.add(Permission.objects.get(codename="change_person"))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert not supervisors.permissions.filter(codename="change_person").exists()
    assert supervisors.permissions.filter(codename="view_person").exists()


def test_apply_roles_removes_a_stray_permission(db):
    editors = Group.objects.get(name=roles.EDITORS)
    stray = Permission.objects.get(content_type__app_label="people", codename="delete_person")
    editors.permissions.add(stray)
    root = Page.get_first_root_node()
    delete_page = Permission.objects.get(codename="delete_page")
    GroupPagePermission.objects.create(group=editors, page=root, permission=delete_page)

    roles.apply_roles()

    assert not editors.permissions.filter(pk=stray.pk).exists()
    assert set(editors.permissions.values_list("content_type__app_label", "codename")) == {
        tuple(name.split(".", 1)) for name in roles.ROLES_BY_NAME[roles.EDITORS].permissions
    }
    assert not GroupPagePermission.objects.filter(group=editors, permission=delete_page).exists()


def test_apply_roles_moves_page_permissions_back_to_the_root(home_page):
    editors = Group.objects.get(name=roles.EDITORS)
    publish = Permission.objects.get(codename="publish_page")
    GroupPagePermission.objects.create(group=editors, page=home_page, permission=publish)

    roles.apply_roles()

    assert not GroupPagePermission.objects.filter(group=editors, page=home_page).exists()


def _snapshot():
    return (
        sorted(
            GroupPagePermission.objects.values_list(
                "group__name", "page_id", "permission__codename"
            )
        ),
        sorted(
            GroupCollectionPermission.objects.values_list(
                "group__name", "collection_id", "permission__codename"
            )
        ),
        sorted(
            (group.name, sorted(group.permissions.values_list("codename", flat=True)))
            for group in Group.objects.all()
        ),
        Workflow.objects.count(),
        GroupApprovalTask.objects.count(),
        WorkflowPage.objects.count(),
    )


def test_apply_roles_is_idempotent(db):
    roles.apply_roles()
    first = _snapshot()
    roles.apply_roles()
    assert _snapshot() == first
    # Each page permission of each role exactly once, on the root page.
    root = Page.get_first_root_node()
    for role in roles.ROLES:
        rows = GroupPagePermission.objects.filter(group__name=role.name)
        assert rows.count() == len(role.page_permissions)
        assert set(rows.values_list("page_id", flat=True)) <= {root.pk}
        codenames = sorted(rows.values_list("permission__codename", flat=True))
        assert codenames == sorted(f"{kind}_page" for kind in role.page_permissions)


def test_apply_roles_grants_media_on_the_root_collection(db):
    for role in roles.ROLES:
        codenames = set(
            GroupCollectionPermission.objects.filter(group__name=role.name).values_list(
                "permission__content_type__app_label", "permission__codename"
            )
        )
        assert codenames == {tuple(name.split(".", 1)) for name in role.collection_permissions}


def test_unknown_permission_in_the_table_is_an_error(db, monkeypatch):
    broken = roles.Role("Broken", "A role with a typo.", permissions=("people.view_persn",))
    monkeypatch.setattr(roles, "ROLES", (*roles.ROLES, broken))

    with pytest.raises(LookupError, match="people.view_persn"):
        roles.apply_roles()

    # The whole application is one transaction: nothing of the broken run stays.
    assert not Group.objects.filter(name="Broken").exists()


def test_unknown_page_permission_in_the_table_is_an_error(db, monkeypatch):
    broken = roles.Role("Broken", "A role with a typo.", page_permissions=("publsh",))
    monkeypatch.setattr(roles, "ROLES", (broken,))

    with pytest.raises(LookupError, match="wagtailcore.publsh_page"):
        roles.apply_roles()


def test_moderation_workflow_covers_the_whole_tree(home_page):
    workflow = Workflow.objects.get(name=roles.moderation_workflow_name())
    assert workflow.active
    root = Page.get_first_root_node()
    assert WorkflowPage.objects.get(page=root).workflow == workflow
    # Every page below the root, the front page included, inherits it.
    assert home_page.get_workflow() == workflow

    (task,) = workflow.tasks.all()
    task = task.specific
    assert isinstance(task, GroupApprovalTask)
    assert list(task.groups.values_list("name", flat=True)) == [roles.MODERATORS]


def test_moderation_workflow_is_repaired_by_apply_roles(db):
    workflow = Workflow.objects.get(name=roles.moderation_workflow_name())
    workflow.active = False
    workflow.save()
    task = GroupApprovalTask.objects.get(workflow_tasks__workflow=workflow)
    task.groups.set([Group.objects.get(name=roles.EDITORS)])

    roles.apply_roles()

    workflow.refresh_from_db()
    assert workflow.active
    assert list(task.groups.values_list("name", flat=True)) == [roles.MODERATORS]
    assert GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow).count() == 1
