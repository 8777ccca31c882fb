"""The admin forms of characteristic creation: an assessment's scores entered on one form
(the step "Enter the scores"), and the title's choice of confirmed assessments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from core.transition_views import TransitionForm

from .models import Assessment, Standard


class ScoresForm(TransitionForm):
    """A score and its evidence for every standard in use, filled with those entered
    already; a score left empty is removed."""

    def __init__(self, *args, instance=None, **kwargs):
        self.standards = list(Standard.objects.in_use())
        super().__init__(*args, instance=instance, **kwargs)
        entered = {}
        if instance is not None and instance.pk:
            entered = {score.standard_id: score for score in instance.scores.all()}
        for standard in self.standards:
            score = entered.get(standard.pk)
            self.fields[f"score_{standard.pk}"] = forms.DecimalField(
                label=_("%(category)s: %(standard)s (at most %(maximum)s)")
                % {
                    "category": standard.category,
                    "standard": standard.text,
                    "maximum": standard.max_score,
                },
                required=False,
                min_value=0,
                max_digits=5,
                decimal_places=1,
                initial=score.score if score else None,
            )
            self.fields[f"evidence_{standard.pk}"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 1}),
                initial=score.evidence if score else "",
            )
        self.order_fields([*(name for name in self.fields if name != "reason"), "reason"])

    def clean(self):
        cleaned = super().clean()
        for standard in self.standards:
            name = f"score_{standard.pk}"
            value = cleaned.get(name)
            if value is not None and value > standard.max_score:
                self.add_error(
                    name,
                    _("The score for “%(standard)s” is over its maximum of %(maximum)s.")
                    % {"standard": standard.text, "maximum": standard.max_score},
                )
        return cleaned

    def arguments(self):
        return {
            "scores": {
                standard: (
                    self.cleaned_data.get(f"score_{standard.pk}"),
                    self.cleaned_data.get(f"evidence_{standard.pk}", ""),
                )
                for standard in self.standards
            }
        }


class TitleForm(WagtailAdminModelForm):
    """A title is chosen from confirmed assessments only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assessment" in self.fields:
            self.fields["assessment"].queryset = (
                Assessment.objects.confirmed()
                .select_related("building")
                .order_by("-year", "building__name")
            )
