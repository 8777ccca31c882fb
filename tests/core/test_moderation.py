"""Page moderation through the admin: an editor submits, a moderator approves or rejects.

Driven with two test clients, one per person, exactly as the admin's buttons post.
"""

import pytest

from django.core import mail
from django.urls import reverse

from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from core import roles
from home.models import StandardPage
from tests.support import logged_in

SLUG = "water-notice"
PATH = f"/{SLUG}/"


def page_form(action, **fields):
    """The add/edit form of a StandardPage as the admin posts it, with one button pressed."""
    data = {
        "title": "停水通知",
        "slug": SLUG,
        "introduction": "本周六上午小区停水检修。",
        "body": streamfield(
            [
                ("heading", "停水时间"),
                ("paragraph", rich_text("<p>周六 8:00–12:00，请提前储水。</p>")),
            ]
        ),
        "comments": inline_formset([]),
        **fields,
    }
    return {**nested_form_data(data), f"action-{action}": action}


@pytest.fixture
def editor_client(editor):
    return logged_in(editor)


@pytest.fixture
def moderator_client(moderator):
    return logged_in(moderator)


def add_page(client, parent, action):
    url = reverse("wagtailadmin_pages:add", args=("home", "standardpage", parent.id))
    assert url == f"/admin/pages/add/home/standardpage/{parent.id}/"
    response = client.post(url, page_form(action))
    # A saved page sends the editor on (to the edit form or the explorer); a form error
    # would answer 200 with the form again.
    assert response.status_code == 302, response.content.decode()[:2000]
    return StandardPage.objects.get(slug=SLUG)


def workflow_action(client, page, action_name, **data):
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.id, action_name, task_state.id))
    return client.post(url, data, follow=True)


@pytest.fixture
def submitted_page(editor_client, moderator, home_page):
    """A page the editor has submitted, with a moderator on hand to be told of it."""
    return add_page(editor_client, home_page, "submit")


def test_submitting_puts_the_page_in_moderation(submitted_page, editor, moderator, client):
    page = submitted_page
    assert not page.live
    assert page.owner == editor
    assert page.title == "停水通知"

    state = page.current_workflow_state
    assert state is not None
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == roles.moderation_workflow_name()
    assert state.requested_by == editor
    task_state = page.current_workflow_task_state
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    assert list(task_state.task.specific.groups.values_list("name", flat=True)) == [
        roles.MODERATORS
    ]
    # The draft is what will be published: the revision holds the submitted content.
    revision_page = page.get_latest_revision_as_object()
    assert revision_page.introduction == "本周六上午小区停水检修。"
    assert [block.block_type for block in revision_page.body] == ["heading", "paragraph"]

    # Nobody outside the admin sees it yet.
    assert client.get(PATH).status_code == 404
    # The moderators were told by email.
    assert any(moderator.email in message.to for message in mail.outbox)


def test_editor_cannot_publish_directly(editor_client, home_page, client):
    page = add_page(editor_client, home_page, "publish")

    assert not page.live
    assert page.first_published_at is None
    assert page.current_workflow_state is None
    assert client.get(PATH).status_code == 404


def test_editor_cannot_publish_a_page_in_moderation(submitted_page, editor_client, client):
    page = submitted_page
    response = editor_client.post(
        reverse("wagtailadmin_pages:edit", args=(page.id,)),
        page_form("publish", title="停水通知（更新）"),
    )

    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert not page.live
    assert client.get(PATH).status_code == 404


def test_editor_cannot_approve_own_submission(submitted_page, editor_client, client):
    page = submitted_page

    response = workflow_action(editor_client, page, "approve")

    assert response.redirect_chain[0][0] == reverse("wagtailadmin_home")
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS
    assert client.get(PATH).status_code == 404


def test_moderator_approval_publishes_the_page(submitted_page, moderator_client, moderator, client):
    page = submitted_page
    assert client.get(PATH).status_code == 404

    response = workflow_action(moderator_client, page, "approve", comment="内容准确，同意发布。")

    assert response.status_code == 200
    page.refresh_from_db()
    assert page.live
    assert not page.has_unpublished_changes
    assert page.live_revision.approved_go_live_at is None
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_APPROVED
    (task_state,) = state.task_states.all()
    assert task_state.status == TaskState.STATUS_APPROVED
    assert task_state.finished_by == moderator
    assert task_state.comment == "内容准确，同意发布。"

    public = client.get(PATH)
    assert public.status_code == 200
    assert "周六 8:00–12:00，请提前储水。" in public.content.decode()


def test_moderator_rejection_sends_the_page_back(
    submitted_page, moderator_client, editor_client, editor, client
):
    page = submitted_page

    response = workflow_action(moderator_client, page, "reject", comment="请补充联系电话。")

    assert response.status_code == 200
    page.refresh_from_db()
    assert not page.live
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.status == TaskState.STATUS_REJECTED
    assert state.current_task_state.comment == "请补充联系电话。"
    assert client.get(PATH).status_code == 404

    # Back with the editor: the edit form opens again, and a resubmission starts over.
    assert editor_client.get(reverse("wagtailadmin_pages:edit", args=(page.id,))).status_code == 200
    response = editor_client.post(
        reverse("wagtailadmin_pages:edit", args=(page.id,)),
        page_form("submit", introduction="本周六上午停水检修，咨询电话 021-64550100。"),
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert page.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS
