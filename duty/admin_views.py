"""The duty admin's own views: the edit views that keep closed and published records
read-only. (The assessment report is in ``duty.report``.) The recorded steps that change them
with a reason (a shift's reassignment, a correction of the time received) are declared on the
models and run by core's one transition view."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from wagtail.snippets.views import snippets

from .models import (
    CLOSED_STATES,
    PUBLISHED_ROSTER_IS_FIXED,
    InspectionLocked,
    RosterState,
)

# ---------------------------------------------------------------------------------------
# What the admin's edit forms may no longer change


class LockedEditMixin:
    """For a snippet edit view: a record that ``locked_because`` names a reason for is
    read-only; the form is refused (GET and POST alike) with that reason, and the user is
    sent to the record's read-only view."""

    def locked_because(self):
        return None

    def run_before_hook(self):
        reason = self.locked_because()
        if reason:
            messages.error(self.request, reason)
            if self.inspect_url_name:
                return redirect(self.inspect_url_name, quote(self.object.pk))
            return redirect(self.index_url_name)
        return super().run_before_hook()


class DutyRecordEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        if self.object.state in CLOSED_STATES:
            return _(
                "This record is closed and read-only. To correct it, reopen it with the reason."
            )
        return None


class RosterEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        return PUBLISHED_ROSTER_IS_FIXED if self.object.state == RosterState.PUBLISHED else None


class DutyShiftEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        return PUBLISHED_ROSTER_IS_FIXED if self.object.is_published else None


class InspectionEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        return InspectionLocked().message if self.object.is_locked else None


class InspectionRatingEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        return InspectionLocked().message if self.object.inspection.is_locked else None
