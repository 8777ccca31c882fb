"""The history centre says who, what and which in words: people by name, a transition by
its label, a page's workflow step by its workflow, task and comment (never a raw
dictionary), and a page's revisions compared in the centre itself for supervisors, who may
not open Wagtail's page history."""

import csv
import io

import pytest

from django.urls import reverse

from audit.models import Action
from core import roles
from core.transitions import perform
from opinions.factories import OpinionFactory
from tests.core.test_moderation import add_page, workflow_action
from tests.home.factories import StandardPageFactory
from tests.support import logged_in

from .support import entries_for

INDEX = "/admin/history/"
ENGLISH = {"accept-language": "en"}


def entry_url(entry):
    return f"/admin/history/entry/{entry.pk}/"


def named(user, name):
    user.first_name = name
    user.save()
    return user


def export(client, **params):
    response = client.get(INDEX, {"export": "csv", **params}, headers=ENGLISH)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


@pytest.mark.django_db
class TestTransitionsAndPeople:
    @pytest.fixture
    def approved(self, moderator):
        named(moderator, "赵审核")
        opinion = OpinionFactory()
        perform(opinion, "approve", moderator, reason="内容属实")
        return opinion

    def test_the_listing_names_the_transition_and_the_person(self, supervisor, approved):
        response = logged_in(supervisor).get(INDEX, headers=ENGLISH)

        html = response.content.decode()
        assert "State transition: Approve" in html
        assert "赵审核" in html

    def test_the_entry_names_them_too(self, supervisor, approved):
        entry = entries_for(approved).filter(action=Action.TRANSITION).get()

        html = logged_in(supervisor).get(entry_url(entry), headers=ENGLISH).content.decode()

        assert "State transition: Approve" in html
        assert "赵审核 (moderator)" in html
        assert "(approve)" not in html

    def test_a_user_without_a_name_is_shown_by_login_name(self, supervisor, make_user):
        nameless = make_user(roles.MODERATORS, username="no-name-moderator", first_name="")
        opinion = OpinionFactory()
        perform(opinion, "reject", nameless)
        entry = entries_for(opinion).filter(action=Action.TRANSITION).get()

        html = logged_in(supervisor).get(entry_url(entry), headers=ENGLISH).content.decode()

        assert "<dd>no-name-moderator</dd>" in html

    def test_the_csv_has_the_name_the_login_and_the_label(self, supervisor, approved):
        rows = export(logged_in(supervisor))

        transition = next(row for row in rows if row["Detail"] == "approve")
        assert transition["User"] == "赵审核"
        assert transition["Login name"] == "moderator"
        assert transition["Action"] == "State transition: Approve"

    def test_the_chinese_listing_shows_the_chinese_label(self, supervisor, approved):
        html = logged_in(supervisor).get(INDEX).content.decode()

        assert "状态变更" in html
        assert "(approve)" not in html and ": approve" not in html


@pytest.mark.django_db
class TestPageWorkflowEntries:
    @pytest.fixture
    def approved_page(self, editor, moderator, home_page):
        page = add_page(logged_in(editor), home_page, "submit")
        workflow_action(logged_in(moderator), page, "approve", comment="内容准确，同意发布。")
        return page

    def test_an_approval_reads_as_words(self, supervisor, approved_page):
        entry = entries_for(approved_page).filter(detail="wagtail.workflow.approve").get()

        response = logged_in(supervisor).get(entry_url(entry), headers=ENGLISH)

        html = response.content.decode()
        assert "{&#x27;id&#x27;" not in html and "{'id'" not in html
        assert "内容准确，同意发布。" in html
        details = dict(response.context["log_details"])
        assert details["Moderator’s comment"] == "内容准确，同意发布。"
        assert details["Workflow"] == roles.moderation_workflow_name()
        assert details["Task"]
        assert "Approved at" in details["What happened"]

    def test_the_start_of_the_workflow_names_the_next_step(self, supervisor, approved_page):
        entry = entries_for(approved_page).filter(detail="wagtail.workflow.start").get()

        details = dict(
            logged_in(supervisor).get(entry_url(entry), headers=ENGLISH).context["log_details"]
        )

        assert details["Workflow"] == roles.moderation_workflow_name()
        assert details["Next step"]


@pytest.mark.django_db
class TestComparingRevisions:
    @pytest.fixture
    def edited(self, editor, moderator):
        page = StandardPageFactory(title="办事指南", introduction="旧的介绍", user=moderator)
        page.introduction = "新的办事时间"
        page.save_revision(user=editor, log_action=True)
        return page, entries_for(page).order_by("-id").first()

    def test_a_supervisor_reads_the_difference_here_and_gets_no_dead_link(self, supervisor, edited):
        page, edit = edited
        client = logged_in(supervisor)

        html = client.get(entry_url(edit)).content.decode()

        assert "新的办事时间" in html and "旧的介绍" in html
        wagtail_history = reverse("wagtailadmin_pages:history", args=[page.pk])
        assert wagtail_history not in html
        # The page Wagtail would have sent them to is refused to a supervisor.
        assert client.get(wagtail_history).status_code == 302

    def test_someone_who_may_edit_the_page_also_gets_wagtails_history(self, superuser, edited):
        page, edit = edited

        html = logged_in(superuser).get(entry_url(edit)).content.decode()

        assert reverse("wagtailadmin_pages:history", args=[page.pk]) in html
