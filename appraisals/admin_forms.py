"""The year-end appraisal's admin forms: the record itself, and the committee's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ReasonForm
from core.transition_views import TransitionForm

from .models import ADJUSTED, Appointment, AppraisalState, BonusGrade


class AppraisalForm(ReasonForm):
    """The debriefing is written while the appraisal is a draft; after that the model
    refuses a change of it (``Appraisal.clean``) with a message, and nothing is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and self.instance.state != AppraisalState.DRAFT:
            for name in ("cadre", "year", "debriefing"):
                if name in self.fields:
                    self.fields[name].help_text = _("Fixed since the debriefing was recorded.")


class DecisionForm(TransitionForm):
    """The step ``Appraisal.decide``: what the committee decided, and (required) why."""

    advanced = forms.TypedChoiceField(
        label=_("Appraised as advanced"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    bonus_grade = forms.ChoiceField(label=_("Bonus grade"), choices=BonusGrade.choices)
    appointment = forms.ChoiceField(
        label=_("Appointment"), choices=Appointment.choices, initial=Appointment.KEPT
    )
    adjustment = forms.CharField(
        label=_("Adjustment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When the cadre is moved or removed: what is adjusted, and why."),
    )

    def clean(self):
        cleaned = super().clean()
        appointment = cleaned.get("appointment")
        adjustment = (cleaned.get("adjustment") or "").strip()
        if appointment in ADJUSTED and not adjustment:
            self.add_error(
                "adjustment",
                _("The appointment changes: say what is adjusted and why."),
            )
        elif appointment == Appointment.KEPT:
            # Kept in post: nothing is adjusted, whatever was typed.
            cleaned["adjustment"] = ""
        else:
            cleaned["adjustment"] = adjustment
        return cleaned
