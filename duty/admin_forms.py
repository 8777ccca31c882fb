"""The duty admin's forms: what each may change, and the rules a form alone can check."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateTimeInput

from core.forms import REASON_MAX_LENGTH, ReasonForm
from people.models import Person

from .models import (
    DutyRecord,
    DutyShift,
    Inspection,
    InspectionState,
    Roster,
    RosterState,
    person_of,
)

# How many records an inspection's form offers to sample, the latest of its period first.
SAMPLE_CHOICES = 200


def required_reason():
    return forms.CharField(
        label=_("Reason (kept in the history)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DutyRecordForm(ReasonForm):
    """The time received is written when the request is recorded and fixed after that: a
    correction is its own step, with its reason (``CorrectReceivedView``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "received_at" in self.fields:
            self.fields["received_at"].disabled = True
            self.fields["received_at"].help_text = _(
                "Fixed once recorded: correct it with “Correct the time received”."
            )

    def clean_received_at(self):
        # The form shows the time to the minute; a record keeps the exact time it was given.
        if self.instance.pk is not None:
            return self.instance.received_at
        return self.cleaned_data["received_at"]


class DutyShiftForm(WagtailAdminModelForm):
    """Shifts are written into draft rosters; a published one changes by swap or
    reassignment only (``DutyShift.clean`` says so if a published roster is posted)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "roster" in self.fields:
            self.fields["roster"].queryset = Roster.objects.filter(state=RosterState.DRAFT)


class ShiftSwapForm(WagtailAdminModelForm):
    """A cadre asks for a swap of a shift of their own: the asker is the signed-in cadre."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person_of(self.for_user)
        if "shift" in self.fields:
            self.fields["shift"].queryset = DutyShift.objects.filter(
                person=self.person, date__gte=timezone.localdate()
            ).select_related("person")
        if "to_person" in self.fields:
            self.fields["to_person"].queryset = Person.objects.cadres().exclude(
                pk=getattr(self.person, "pk", None)
            )

    def clean(self):
        cleaned = super().clean()
        if self.person is None:
            raise forms.ValidationError(
                _("Only a cadre in the register may ask for a swap of their shift.")
            )
        self.instance.from_person = self.person
        return cleaned


class InspectionForm(WagtailAdminModelForm):
    """The records sampled are offered from the inspection's period (the latest
    ``SAMPLE_CHOICES`` of it), and must all fall inside it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("sampled")
        if field is None:
            return
        start, end = self._period()
        offered = DutyRecord.objects.none()
        if start and end:
            offered = DutyRecord.objects.filter(
                received_at__date__gte=start, received_at__date__lte=end
            ).order_by("-received_at", "-pk")[:SAMPLE_CHOICES]
        offered = list(offered)
        if self.instance.pk is not None:
            chosen = [r for r in self.instance.sampled.all() if r not in offered]
            offered += chosen
        # Validation runs over the whole book (``field.queryset``), so that a record outside
        # the period gets the clear message of ``clean`` rather than "not a valid choice".
        field.widget = forms.CheckboxSelectMultiple()
        field.widget.choices = [(record.pk, self._label(record)) for record in offered]
        field.help_text = _(
            "Records received within the period (the latest %(count)d of it). Change the "
            "period and save to be offered its records."
        ) % {"count": SAMPLE_CHOICES}

    @staticmethod
    def _label(record):
        received = timezone.localtime(record.received_at)
        return f"{record.reference} · {received:%Y-%m-%d %H:%M} · {record.get_category_display()}"

    def _period(self):
        if self.is_bound:
            values = []
            for name in ("period_start", "period_end"):
                try:
                    values.append(self.fields[name].clean(self.data.get(self.add_prefix(name))))
                except forms.ValidationError:
                    values.append(None)
            return values
        if self.instance.pk is not None:
            return self.instance.period_start, self.instance.period_end
        # A new inspection starts on the last thirty days, shown in its period fields.
        today = timezone.localdate()
        self.initial.setdefault("period_start", today - datetime.timedelta(days=30))
        self.initial.setdefault("period_end", today)
        return self.initial["period_start"], self.initial["period_end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        sampled = cleaned.get("sampled")
        if start and end and sampled:
            outside = [
                record.reference
                for record in sampled
                if not start <= timezone.localdate(record.received_at) <= end
            ]
            if outside:
                self.add_error(
                    "sampled",
                    _(
                        "Records sampled must have been received within the inspection's "
                        "period (%(start)s to %(end)s); these were not: %(references)s."
                    )
                    % {"start": start, "end": end, "references": ", ".join(outside)},
                )
        return cleaned


class InspectionRatingForm(WagtailAdminModelForm):
    """Ratings are written while their inspection is a draft."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "inspection" in self.fields:
            self.fields["inspection"].queryset = Inspection.objects.filter(
                state=InspectionState.DRAFT
            )


class ReassignForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Reassign to"), queryset=Person.objects.none(), empty_label=None
    )
    reason = required_reason()

    def __init__(self, *args, shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.cadres().exclude(pk=shift.person_id)


class CorrectReceivedForm(forms.Form):
    received_at = forms.DateTimeField(label=_("Received"), widget=AdminDateTimeInput())
    reason = required_reason()

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now():
            raise forms.ValidationError(_("A request cannot be received in the future."))
        return received_at
