from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ReasonForm

from .models import MotionState


class MotionForm(ReasonForm):
    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.state != MotionState.DRAFT:
            raise forms.ValidationError(
                _("This vote is %(state)s: it can no longer be changed.")
                % {"state": self.instance.get_state_display()}
            )
        return cleaned
