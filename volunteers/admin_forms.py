from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import ReasonForm
from core.transition_views import TransitionForm
from people.models import Person

from .models import SAVING_FROM_FORM, PledgeItem, backbone_error, not_party_members


class TeamForm(ReasonForm):
    """A team: its backbone are party members (refused by name otherwise), and each of them
    counts among its members."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("backbone", "members"):
            field = self.fields.get(name)
            if field is not None:
                field.queryset = Person.objects.active().order_by("name")

    def clean(self):
        cleaned = super().clean()
        backbone = cleaned.get("backbone")
        if backbone:
            refused = not_party_members(backbone)
            if refused:
                self.add_error("backbone", backbone_error(refused))
            elif "members" in cleaned:
                members = cleaned.get("members") or Person.objects.none()
                cleaned["members"] = (members | backbone).distinct()
        return cleaned


class ActivityForm(ReasonForm):
    """An activity with its participants and hours: a participation left as it was writes no
    history row when the activity is saved; one changed, added or removed writes its own."""

    def save(self, commit=True):
        setattr(self.instance, SAVING_FROM_FORM, True)
        try:
            return super().save(commit=commit)
        finally:
            delattr(self.instance, SAVING_FROM_FORM)


class PledgeCardForm(ReasonForm):
    """A card is kept for a party member: only they are offered."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("person")
        if field is not None:
            field.queryset = Person.objects.filter(is_party_member=True).order_by("name")
            field.error_messages["invalid_choice"] = _(
                "Pledge cards are kept for party members only."
            )


class RecordItemForm(TransitionForm):
    """Record what was done for one of the five, and when (in the card's year, not later
    than today)."""

    item = forms.ChoiceField(label=_("Which of the five"), choices=PledgeItem.choices)
    done = forms.CharField(
        label=_("What was done for this pledge"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    done_on = forms.DateField(label=_("Done on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            # The first item still to do is offered first.
            undone = [item for item in PledgeItem.values if not self.instance.is_done(item)]
            if undone:
                self.fields["item"].initial = undone[0]

    def clean_done(self):
        done = self.cleaned_data["done"].strip()
        if not done:
            raise ValidationError(_("Say what was done."), code="required")
        return done

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise ValidationError(_("A date in the future cannot be done yet."), code="future")
        if self.instance is not None and done_on.year != self.instance.year:
            raise ValidationError(
                _("Give a date in the card's year, %(year)s."),
                code="other_year",
                params={"year": self.instance.year},
            )
        return done_on
