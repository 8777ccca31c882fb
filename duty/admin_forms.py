"""The duty admin's forms: what each may change, and the rules a form alone can check."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateTimeInput

from core.forms import ReasonForm
from core.transition_views import TransitionForm
from people.models import Person

from .choosers import RecordsChooserWidget
from .models import (
    DutyShift,
    Inspection,
    InspectionState,
    Roster,
    RosterState,
    person_of,
)


class DutyRecordForm(ReasonForm):
    """The time received is written when the request is recorded and fixed after that: a
    correction is its own step, with its reason (``DutyRecord.correct_received_at``)."""

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
    """The records sampled are picked with the record book's chooser, which offers those of
    the period the form holds (``duty.choosers``); all of them must fall inside it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("sampled")
        if field is None:
            return
        field.widget = RecordsChooserWidget()
        field.help_text = _(
            "Choose records received within the period; untick one to leave it out."
        )
        if self.instance.pk is None:
            # A new inspection starts on the last thirty days, shown in its period fields
            # (and passed to the chooser).
            today = timezone.localdate()
            self.initial.setdefault("period_start", today - datetime.timedelta(days=30))
            self.initial.setdefault("period_end", today)

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


class ReassignForm(TransitionForm):
    """The step ``DutyShift.reassign``: to whom, and (the step requires it) why."""

    person = forms.ModelChoiceField(
        label=_("Reassign to"), queryset=Person.objects.none(), empty_label=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.cadres().exclude(pk=self.instance.person_id)


class CorrectReceivedForm(TransitionForm):
    """The step ``DutyRecord.correct_received_at``: the corrected time, and why."""

    received_at = forms.DateTimeField(label=_("Received"), widget=AdminDateTimeInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("received_at", timezone.localtime(self.instance.received_at))

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now():
            raise forms.ValidationError(_("A request cannot be received in the future."))
        return received_at
