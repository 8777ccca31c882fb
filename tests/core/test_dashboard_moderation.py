"""Approving or rejecting a page from the dashboard says what was done.

Wagtail's workflow action (the dashboard's "awaiting your review" buttons) went back to the
dashboard in silence; ``core.moderation`` adds the message.
"""

import pytest

from django.contrib.messages import get_messages
from django.urls import reverse

from wagtail.models import TaskState

from tests.support import logged_in

from .test_moderation import add_page

DASHBOARD = "/admin/"


@pytest.fixture
def submitted_page(editor, moderator, home_page):
    return add_page(logged_in(editor), home_page, "submit")


def act_from_the_dashboard(client, page, action, **data):
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.id, action, task_state.id))
    return client.post(f"{url}?next={DASHBOARD}", data, headers={"accept-language": "en"})


def shown(response):
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def test_the_dashboard_lists_the_page_with_its_approve_action(submitted_page, moderator):
    html = logged_in(moderator).get(DASHBOARD).content.decode()

    task_state = submitted_page.current_workflow_task_state
    assert (
        reverse(
            "wagtailadmin_pages:workflow_action", args=(submitted_page.id, "approve", task_state.id)
        )
        in html
    )


def test_approving_says_so_and_goes_back_to_the_dashboard(submitted_page, moderator):
    response = act_from_the_dashboard(
        logged_in(moderator), submitted_page, "approve", comment="同意发布。"
    )

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert shown(response) == ["“停水通知” was approved and its review is complete."]
    submitted_page.refresh_from_db()
    assert submitted_page.live


def test_rejecting_says_so(submitted_page, moderator):
    response = act_from_the_dashboard(
        logged_in(moderator), submitted_page, "reject", comment="请补充联系电话。"
    )

    assert shown(response) == ["“停水通知” was sent back to its editor with your comment."]
    assert not TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS).exists()


def test_the_message_is_in_chinese_and_shown_on_the_dashboard(submitted_page, moderator):
    client = logged_in(moderator)
    task_state = submitted_page.current_workflow_task_state
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=(submitted_page.id, "approve", task_state.id)
    )

    response = client.post(
        f"{url}?next={DASHBOARD}", {}, follow=True, headers={"accept-language": "zh-hans"}
    )

    assert response.redirect_chain == [(DASHBOARD, 302)]
    assert "停水通知" in response.content.decode()
    assert "“停水通知”" in "".join(str(m) for m in response.context["messages"])


def test_an_editor_cannot_approve_and_gets_no_message(submitted_page, editor):
    response = act_from_the_dashboard(logged_in(editor), submitted_page, "approve")

    assert response.status_code in (302, 403)
    assert not any("approved" in message for message in shown(response))
    submitted_page.refresh_from_db()
    assert not submitted_page.live
