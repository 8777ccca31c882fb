"""Object-level access, beyond what a URL pattern's role allows: drafts and previews are never
public, one resident's request is not another's, and a representative's page says nothing of
another representative's ballot."""

import pytest

from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail.models import GroupApprovalTask, Task

from blog.factories import BlogPageFactory
from duty.factories import DutyRecordFactory
from opinions.factories import OpinionFactory
from tests.support import logged_in
from tests.votes.conftest import vote
from votes.models import MotionState

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "拆迁补偿方案（草稿）"


@pytest.fixture
def draft(home_page):
    """A published post with unpublished changes, and a page never published."""
    page = BlogPageFactory(title=DRAFT_TITLE, slug="draft-plan", live=False)
    page.save_revision()
    return page


def test_a_draft_is_not_public(client, draft, representative):
    """Its address answers 404 to visitors and to logged-in residents alike."""
    path = "/" + draft.url_path.split("/", 2)[2]
    for visitor in (client, logged_in(representative)):
        response = visitor.get(path)
        assert response.status_code == 404
        assert DRAFT_TITLE not in response.content.decode()


def test_a_draft_changes_of_a_live_page_are_not_public(client, home_page):
    page = BlogPageFactory(title="春节慰问活动", slug="new-year")
    page.title = DRAFT_TITLE
    page.save_revision()
    response = client.get(page.url)
    assert response.status_code == 200
    assert DRAFT_TITLE not in response.content.decode()


def test_a_preview_needs_a_login(client, draft, representative):
    for url in (
        reverse("wagtailadmin_pages:view_draft", args=[draft.pk]),
        reverse("wagtailadmin_pages:preview_on_edit", args=[draft.pk]),
        reverse("wagtailadmin_pages:revisions_view", args=[draft.pk, draft.latest_revision_id]),
    ):
        for visitor in (client, logged_in(representative)):
            response = visitor.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url
            assert DRAFT_TITLE not in response.content.decode()


def test_a_request_status_shows_that_request_only(client):
    mine = DutyRecordFactory(request="三号楼楼道灯不亮。")
    other = DutyRecordFactory(request="我家孩子被邻居打了，请帮忙调解。", resident_name="周桂兰")
    response = client.get(reverse("duty:request_status", args=[mine.reference]))
    body = response.content.decode()
    assert response.status_code == 200
    assert mine.reference in body
    assert other.reference not in body
    assert other.request not in body
    assert mine.resident_name not in body and mine.resident_contact not in body


@pytest.mark.parametrize("view", ["duty:request_status", "opinion_status"])
def test_a_wrong_reference_says_nothing(client, view):
    record = DutyRecordFactory(request="我家孩子被邻居打了，请帮忙调解。")
    opinion = OpinionFactory(body="垃圾站晚上太吵，建议挪到北门。")
    known = record.reference if view.startswith("duty") else opinion.reference
    # One character off: a near miss must not lead to the record next to it.
    wrong = known[:-1] + ("0" if known[-1] != "0" else "1")
    response = client.get(reverse(view, args=[wrong]))
    body = response.content.decode()
    assert response.status_code == 404
    for text in (record.request, record.reference, opinion.body, opinion.reference):
        assert text not in body


def test_an_opinion_status_is_that_opinion_only(client):
    mine = OpinionFactory(body="建议增加休息座椅。", author_name="三号楼老李")
    other = OpinionFactory(body="垃圾站晚上太吵，建议挪到北门。")
    response = client.get(reverse("opinion_status", args=[mine.reference]))
    body = response.content.decode()
    assert response.status_code == 200
    assert mine.body in body
    assert other.body not in body and other.reference not in body
    assert mine.author_name not in body and mine.contact not in body


def test_a_representative_sees_only_their_own_ballot(make_rep, make_motion):
    """Representative A's page of an open vote reads the same whether B has voted or not;
    it changes only when A votes."""
    a, b = make_rep(), make_rep()
    motion = make_motion(MotionState.OPEN, secret=False)
    url = reverse("votes:detail", args=[motion.pk])
    page_of_a = logged_in(a.user)

    def standing(response):
        assert response.status_code == 200
        return {key: response.context[key] for key in ("has_voted", "eligible", "can_vote")}

    before = standing(page_of_a.get(url))
    assert before == {"has_voted": False, "eligible": True, "can_vote": True}
    vote(motion, b, 0)
    assert standing(page_of_a.get(url)) == before
    assert standing(logged_in(b.user).get(url))["has_voted"] is True
    vote(motion, a, 1)
    assert standing(page_of_a.get(url))["has_voted"] is True


@pytest.mark.parametrize("role", ["editor", "moderator", "supervisor"])
def test_a_staff_user_cannot_create_a_task_through_the_task_chooser(request, role, superuser):
    """Wagtail's task chooser (in the workflow editor) has a "create" tab: only those who may
    add tasks (administrators) get a form there. A staff user who is not one, POSTing a
    complete task to it, creates nothing."""
    url = reverse("wagtailadmin_workflows:task_chooser_create")
    query = "?create_model=wagtailcore.groupapprovaltask"
    group = Group.objects.get(name="Moderators")

    def data(name):
        return {"create-task-name": name, "create-task-groups": [group.pk]}

    before = Task.objects.count()
    response = logged_in(request.getfixturevalue(role)).post(url + query, data(f"{role} task"))
    # Wagtail offers such a user no form, so it answers 400 (Bad Request).
    assert response.status_code in (302, 400, 403), response.status_code
    assert Task.objects.count() == before
    assert not Task.objects.filter(name=f"{role} task").exists()
    # The same request from an administrator does create the task: what was refused is the
    # user, not a request the view could never take.
    response = logged_in(superuser).post(url + query, data("admin task"))
    assert response.status_code == 200
    assert GroupApprovalTask.objects.filter(name="admin task").count() == 1
