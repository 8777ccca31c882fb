"""The moderation admin's own step forms (``custom={"form": ...}`` beside a transition)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.transition_views import TransitionForm


class RejectForm(TransitionForm):
    """Rejecting may give the resident a reason, apart from the one kept in the history."""

    public_reason = forms.CharField(
        label=_("Reason shown to the resident (optional)"),
        help_text=_(
            "The resident sees it on the opinion's status page. The reason below stays in "
            "the history only."
        ),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
