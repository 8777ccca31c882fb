"""The hearings admin's forms."""

from django.core.exceptions import ValidationError

from core.transition_views import TransitionForm

from .models import DecisionCorrection


def _formfield(name):
    return DecisionCorrection._meta.get_field(name).formfield()


class DecisionCorrectionForm(TransitionForm):
    """The step ``HearingPage.correct_decision``: the corrected decision, the corrected
    summary if it changes, and the reason, which the page shows with them."""

    decision = _formfield("decision")
    summary = _formfield("summary")

    def clean(self):
        cleaned = super().clean()
        # The correction's own rules (a decision written, a reason given), said on the form.
        correction = DecisionCorrection(
            page=self.instance,
            decision=cleaned.get("decision", ""),
            summary=cleaned.get("summary", ""),
            reason=cleaned.get("reason", ""),
        )
        try:
            correction.full_clean(exclude=["page"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return cleaned
