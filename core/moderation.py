"""Page moderation in the admin: what Wagtail's workflow action leaves unsaid.

A moderator approving or rejecting a page from the dashboard ("awaiting your review") posts
to Wagtail's workflow action view, which does the work and goes back to the dashboard with
no message at all: the page just drops out of the list. (From the edit page, the edit view
says it.) ``WorkflowActionView`` says what was done; ``CommunityPageViewSet`` puts it behind
the same URL for every page type.
"""

from django.utils.translation import gettext as _

from wagtail.admin import messages
from wagtail.admin.views.pages.workflow import WorkflowActionView as WagtailWorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import TaskState


class WorkflowActionView(WagtailWorkflowActionView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        task_state = TaskState.objects.get(pk=self.task_state.pk)
        message = outcome_message(task_state, self.task.name, self.object)
        if message:
            messages.success(request, message)
        return response


def outcome_message(task_state, task_name, page):
    """What the moderator did, once the task is no longer waiting (None while it is, e.g.
    when the form was refused)."""
    title = page.get_admin_display_title()
    if task_state.status == TaskState.STATUS_APPROVED:
        if page.current_workflow_state is None:
            return _("“%(title)s” was approved and its review is complete.") % {"title": title}
        return _("“%(title)s” was approved at “%(task)s”; it goes on to the next step.") % {
            "title": title,
            "task": task_name,
        }
    if task_state.status == TaskState.STATUS_REJECTED:
        return _("“%(title)s” was sent back to its editor with your comment.") % {"title": title}
    return None


class CommunityPageViewSet(PageViewSet):
    """The admin's page views for every page type: Wagtail's, with the workflow action that
    says what it did."""

    workflow_action_view_class = WorkflowActionView
