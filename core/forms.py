from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

# History keeps reasons in a text column (see AuditedHistory); this keeps them readable.
REASON_MAX_LENGTH = 500


class ReasonForm(WagtailAdminModelForm):
    """For the admin forms of audited models where a change matters: asks why.

    Add ``FieldPanel("change_reason")`` to the panels and pass this form as the panels'
    ``base_form_class``; the reason is kept in the history row and the audit chain.
    """

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Kept in the history with your change, for the supervisors."),
    )

    def save(self, commit=True):
        reason = self.cleaned_data.get("change_reason", "").strip()
        if reason:
            self.instance._change_reason = reason
        return super().save(commit=commit)
