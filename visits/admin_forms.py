from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import ReasonForm
from core.transition_views import TransitionForm
from people.models import Person

from .models import Household


class KeepPromiseForm(TransitionForm):
    outcome = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class HandOnForm(TransitionForm):
    handed_to = forms.CharField(label=_("Handed on to (person or office)"), max_length=150)


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class VisitForm(ReasonForm):
    """A visit: its visitors are the active cadres and party members of the register; the
    promises made on it are written one a line and each kept as an open promise."""

    promises_made = forms.CharField(
        label=_("Promises made"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One promise a line; each is followed up until it is kept or handed on."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "household" in self.fields:
            # The households by name and address (their label in the record is a number).
            self.fields["household"] = HouseholdChoiceField(
                queryset=Household.objects.filter(
                    Q(is_active=True) | Q(pk=self.instance.household_id)
                ),
                label=self.fields["household"].label,
            )
        field = self.fields.get("visitors")
        if field is not None:
            field.queryset = Person.objects.active().filter(
                Q(is_cadre=True) | Q(is_party_member=True)
            )

    def promise_lines(self):
        text = self.cleaned_data.get("promises_made", "") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def save(self, commit=True):
        visit = super().save(commit=commit)
        if commit:
            from .models import Promise

            for line in self.promise_lines():
                Promise.objects.create(visit=visit, description=line)
        return visit
