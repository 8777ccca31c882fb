from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import ReasonForm
from core.transition_views import TransitionForm

from .models import AttendanceStatus, PartyMember


class TransferOutForm(TransitionForm):
    destination = forms.CharField(label=_("Transferred out to"), max_length=150)
    on = forms.DateField(label=_("Date of the transfer"), initial=timezone.localdate)


class TransferInForm(TransitionForm):
    origin = forms.CharField(label=_("Transferred in from"), max_length=150)
    on = forms.DateField(label=_("Date of the transfer"), initial=timezone.localdate)


class MeetingForm(ReasonForm):
    """A meeting is of one of the branches the party members are in (the same words as on
    their records), and is written while planned; once held its date and kind stay."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("branch")
        if field is not None:
            branches = sorted(
                {*PartyMember.objects.values_list("branch", flat=True).distinct()}
                | ({self.instance.branch} if self.instance.branch else set())
            )
            self.fields["branch"] = forms.ChoiceField(
                label=field.label,
                choices=[("", "---------"), *((branch, branch) for branch in branches)],
                help_text=_("The branch whose members are on the roll."),
            )
        if self.instance.pk is not None and self.instance.is_held:
            for name in ("date", "kind"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Fixed once the meeting is held.")


def status_field(member):
    return f"status_{member.pk}"


def reason_field(member):
    return f"leave_reason_{member.pk}"


class RollForm(TransitionForm):
    """The roll of a meeting (``Meeting.take_roll``, ``Meeting.correct_roll``): each member
    on it present, on leave (with the reason) or absent; and the in-service and migrant
    members of other branches who were invited and came. A correction starts from the roll
    as it was taken."""

    invited = forms.ModelMultipleChoiceField(
        label=_("Invited from other branches"),
        queryset=PartyMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("In-service and migrant members of other branches who came as guests."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = self.instance
        rows = {row.member_id: row for row in meeting.attendances.all()}
        self.members = meeting.roll_members()
        fields = {}
        for member in self.members:
            row = rows.get(member.pk)
            fields[status_field(member)] = forms.ChoiceField(
                label=f"{member.person} ({member.get_category_display()})",
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=row.status if row else AttendanceStatus.PRESENT,
            )
            fields[reason_field(member)] = forms.CharField(
                label=_("Reason for leave or absence: %(member)s") % {"member": member.person},
                required=False,
                max_length=500,
                initial=row.reason if row else "",
                help_text=_("Required when the member is on leave."),
            )
        invited = [pk for pk, row in rows.items() if row.invited]
        guests = self.fields.pop("invited")
        guests.queryset = (
            PartyMember.objects.filter(Q(pk__in=meeting.guests()) | Q(pk__in=invited))
            .select_related("person")
            .order_by("branch", "person__name", "pk")
        )
        guests.label_from_instance = lambda m: (
            f"{m.person} · {m.branch} · {m.get_category_display()}"
        )
        guests.initial = invited
        self.fields = {**fields, "invited": guests, **self.fields}
        self.order_fields([*fields, "invited", "reason"])

    def roll(self):
        return {
            member.pk: (
                self.cleaned_data.get(status_field(member)),
                (self.cleaned_data.get(reason_field(member)) or "").strip(),
            )
            for member in self.members
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for member in self.members:
            status = cleaned.get(status_field(member))
            if (
                status == AttendanceStatus.ON_LEAVE
                and not (cleaned.get(reason_field(member)) or "").strip()
            ):
                self.add_error(
                    reason_field(member),
                    _("Say why %(member)s is on leave.") % {"member": member.person},
                )
        if not self.errors:
            try:
                self.instance.check_roll(self.roll(), cleaned.get("invited") or [])
            except ValidationError as error:
                for message in error.messages:
                    self.add_error(None, message)
        return cleaned

    def arguments(self):
        return {"roll": self.roll(), "invited": list(self.cleaned_data.get("invited") or [])}
