from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ReasonForm

from .models import MotionState
from .services import count_mismatch


class MotionForm(ReasonForm):
    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.state != MotionState.DRAFT:
            raise forms.ValidationError(
                _("This vote is %(state)s: it can no longer be changed.")
                % {"state": self.instance.get_state_display()}
            )
        return cleaned


class HallCountForm(forms.Form):
    """The counted totals of a secret vote's paper ballots: one number per option, adding up
    to the ballots handed out in the hall."""

    def __init__(self, *args, options, handed_out, **kwargs):
        super().__init__(*args, **kwargs)
        self.handed_out = handed_out
        self.options = list(options)
        for option in self.options:
            self.fields[f"option-{option.pk}"] = forms.IntegerField(
                label=option.label, min_value=0, max_value=handed_out
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        total = sum(cleaned[f"option-{option.pk}"] for option in self.options)
        if total != self.handed_out:
            raise forms.ValidationError(count_mismatch(total, self.handed_out))
        return cleaned

    def totals(self):
        return {option.pk: self.cleaned_data[f"option-{option.pk}"] for option in self.options}
