"""The party members of the community (党员): each one a person of the register, with the
category of their membership (在册, 在职, 流动), their branch and a numbered contact card (联系卡).

The member record is the one source of a person's party membership and its category: the
person's ``is_party_member`` follows it (``PartyMember.save``, and ``forget_membership`` when a
record is deleted), and nothing else writes it. The category's vocabulary is
``people.PartyStatus`` (``Category`` here), which also reads the persons' history from before.
A member's workplace, party organisation and the place their membership is
held are personal data, shown only to the party-affairs office (and supervisors, read-only).
A member leaves through a named transition (transferred out), kept in the history with its
reason; a member who is transferred in is recorded with where they came from.
"""

import datetime
from decimal import Decimal

from django_fsm import FSMField, FSMModelMixin, transition

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, DecimalField, FilteredRelation, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedHistory
from core.changes import label_for, recorded_as
from people.models import PartyStatus, Person

# The category of a membership is the register's own vocabulary.
Category = PartyStatus

TRANSFER = "party.transfer_partymember"
VIEW = "party.view_partymember"


class PartyMemberState(models.TextChoices):
    ACTIVE = "active", _("current member")
    TRANSFERRED_OUT = "transferred_out", _("transferred out")


# The fields each category needs, beyond those every member has.
CATEGORY_FIELDS = {
    Category.REGISTERED: (),
    Category.IN_SERVICE: ("workplace", "workplace_organisation", "contact_hours"),
    Category.MIGRANT: ("relation_held_at", "here_since"),
}
REQUIRED_FOR = {
    Category.IN_SERVICE: _("An in-service member needs this."),
    Category.MIGRANT: _("A migrant member needs this."),
}


class PartyMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=PartyMemberState.ACTIVE)

    def of_category(self, category):
        return self.filter(category=category)

    def with_attendance(self, year):
        """Each member's roll in ``year``, in one query: ``present_count``, ``leave_count``,
        ``absent_count`` (without leave) and ``invited_count`` (meetings of other branches)."""
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

        def count(**condition):
            return Count(
                "this_year", filter=Q(**{f"this_year__{k}": v for k, v in condition.items()})
            )

        # Only the year's rows are joined (the member and date index), not every year's.
        return self.alias(
            this_year=FilteredRelation(
                "attendances", condition=Q(attendances__date__range=(start, end))
            )
        ).annotate(
            present_count=count(status=AttendanceStatus.PRESENT),
            leave_count=count(status=AttendanceStatus.ON_LEAVE),
            absent_count=count(status=AttendanceStatus.ABSENT),
            invited_count=count(invited=True),
        )

    def absent_too_often(self, year):
        """The members absent without leave from ``ABSENCES_TOO_MANY`` meetings or more."""
        return self.with_attendance(year).filter(absent_count__gte=ABSENCES_TOO_MANY)

    def with_activities(self, year):
        """``activity_count`` and ``activity_hours`` reported in ``year`` (subqueries, so that
        it combines with ``with_attendance`` without multiplying rows)."""
        activities = ReportedActivity.objects.in_year(year).filter(member=OuterRef("pk"))
        per_member = activities.order_by().values("member")
        return self.annotate(
            activity_count=Coalesce(
                Subquery(per_member.annotate(n=Count("pk")).values("n")[:1]), 0
            ),
            activity_hours=Coalesce(
                Subquery(per_member.annotate(h=Sum("hours")).values("h")[:1]),
                Decimal("0"),
                output_field=DecimalField(max_digits=8, decimal_places=1),
            ),
        )


def next_card_number(year):
    """The next contact card number of ``year``: ``2026-0001``, ``2026-0002``, ..."""
    prefix = f"{year}-"
    numbers = PartyMember.objects.filter(card_number__startswith=prefix).values_list(
        "card_number", flat=True
    )
    last = max((int(number[len(prefix) :]) for number in numbers), default=0)
    return f"{prefix}{last + 1:04d}"


class PartyMember(FSMModelMixin, models.Model):
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="party_member",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    branch = models.CharField(_("party branch"), max_length=100)
    joined_on = models.DateField(_("joined the party"))
    # In-service members (在职党员): where they work, and when they can be reached.
    workplace = models.CharField(_("workplace"), max_length=150, blank=True)
    workplace_organisation = models.CharField(
        _("party organisation of the workplace"), max_length=150, blank=True
    )
    contact_hours = models.CharField(
        _("contact hours"),
        max_length=100,
        blank=True,
        help_text=_("When the member serves in the community, e.g. Saturday mornings."),
    )
    # Migrant members (流动党员): where their membership is held, and since when they are here.
    relation_held_at = models.CharField(
        _("membership held at"),
        max_length=150,
        blank=True,
        help_text=_("The party organisation that holds the member's relation."),
    )
    here_since = models.DateField(_("in the community since"), null=True, blank=True)
    transferred_in_from = models.CharField(
        _("transferred in from"),
        max_length=150,
        blank=True,
        help_text=_("When the member's relation was transferred in: from which organisation."),
    )
    transferred_in_on = models.DateField(_("transferred in on"), null=True, blank=True)
    transferred_out_to = models.CharField(_("transferred out to"), max_length=150, blank=True)
    transferred_out_on = models.DateField(_("transferred out on"), null=True, blank=True)
    card_number = models.CharField(
        _("contact card number"), max_length=20, unique=True, editable=False
    )
    state = FSMField(
        _("state"),
        default=PartyMemberState.ACTIVE,
        choices=PartyMemberState.choices,
        protected=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(
        personal_fields=[
            "workplace",
            "workplace_organisation",
            "contact_hours",
            "relation_held_at",
            "transferred_in_from",
            "transferred_out_to",
            "notes",
        ]
    )
    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        ordering = ["card_number"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        permissions = [("transfer_partymember", _("Can transfer party members in and out"))]

    def __str__(self):
        return self.person.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            former_person_id = (
                PartyMember.objects.filter(pk=self.pk).values_list("person_id", flat=True).first()
                if self.pk
                else None
            )
            # Read before the save spends them: the person's history row repeats them.
            label = label_for(self)
            reason = getattr(self, "_change_reason", None) or (label.reason if label else "")
            self._save_numbered(*args, **kwargs)
            self._align_person(self.person, self.is_active, reason)
            if former_person_id not in (None, self.person_id):
                # The record now names someone else: the person it named is no member.
                self._align_person(Person.objects.get(pk=former_person_id), False, reason)

    def _save_numbered(self, *args, **kwargs):
        if self.card_number:
            return super().save(*args, **kwargs)
        # Numbered in sequence per year; a number taken at the same moment is drawn again.
        for _attempt in range(5):
            self.card_number = next_card_number(timezone.localdate().year)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if PartyMember.objects.filter(card_number=self.card_number).exists():
                    continue
                raise
        raise IntegrityError("No free contact card number")

    def _align_person(self, person, is_member, reason=""):
        """The register follows the member record, the one source of party membership: the
        person is a party member while the record is active, and no longer once the member
        is transferred out or the record is deleted. The person's history row names the same
        user and reason as the member's."""
        if person.is_party_member == is_member:
            return
        person.is_party_member = is_member
        user = getattr(self, "_history_user", None)
        if user is not None:
            person._history_user = user
        if reason:
            person._change_reason = reason
        person.save(update_fields=["is_party_member", "updated_at"])

    def clean(self):
        super().clean()
        errors = {}
        # What belongs to another category is not kept (no stale workplace for a migrant).
        for category, names in CATEGORY_FIELDS.items():
            if category != self.category:
                for name in names:
                    setattr(self, name, self._meta.get_field(name).get_default())
        for name in CATEGORY_FIELDS.get(self.category, ()):
            if getattr(self, name) in (None, ""):
                errors[name] = REQUIRED_FOR[self.category]
        if self.transferred_in_on and not self.transferred_in_from:
            errors["transferred_in_from"] = _("Say where the member was transferred in from.")
        if self.joined_on and self.joined_on > timezone.localdate():
            errors["joined_on"] = _("The date joined cannot be in the future.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self):
        return self.state == PartyMemberState.ACTIVE

    @transition(
        field=state,
        source=PartyMemberState.ACTIVE,
        target=PartyMemberState.TRANSFERRED_OUT,
        permission=TRANSFER,
        custom={
            "label": _("Transfer out"),
            "reason_required": True,
            "form": "party.admin_forms.TransferOutForm",
        },
    )
    def transfer_out(self, by=None, destination="", on=None):
        self.transferred_out_to = destination
        self.transferred_out_on = on or timezone.localdate()

    @transition(
        field=state,
        source=PartyMemberState.TRANSFERRED_OUT,
        target=PartyMemberState.ACTIVE,
        permission=TRANSFER,
        custom={
            "label": _("Transfer back in"),
            "reason_required": True,
            "form": "party.admin_forms.TransferInForm",
        },
    )
    def transfer_in(self, by=None, origin="", on=None):
        self.transferred_in_from = origin
        self.transferred_in_on = on or timezone.localdate()
        self.transferred_out_to = ""
        self.transferred_out_on = None


@receiver(post_delete, sender=PartyMember, dispatch_uid="party_forget_membership")
def forget_membership(sender, instance, **kwargs):
    """A deleted member record leaves its person no party member (restored from history,
    the record is saved again and the person follows it)."""
    person = Person.objects.filter(pk=instance.person_id).first()
    if person is not None:
        instance._align_person(person, False)


# ---------------------------------------------------------------------------------------
# Organisation life (组织生活): the "three sessions and one lesson" (三会一课) with their
# roll, what in-service and migrant members report doing "eight hours away" (八小时以外),
# and the yearly feedback to an in-service member's workplace organisation.

# Absent without leave (缺席, not 请假) from this many held meetings in one calendar year
# is "absent from organisation life too often": the compliance dashboard and the yearly
# reports name such members. The count includes the meeting that reaches it (>=).
ABSENCES_TOO_MANY = 3

# The members who come from elsewhere: they report their activities here, and a meeting
# of another branch may invite them ("you have a home here", 流动党员之家).
REPORTING_CATEGORIES = (Category.IN_SERVICE, Category.MIGRANT)

TAKE_ROLL = "party.take_roll"
CORRECT_ROLL = "party.correct_roll"
SEND_FEEDBACK = "party.send_feedbacksheet"


class MeetingKind(models.TextChoices):
    GENERAL = "general", _("branch general meeting")
    COMMITTEE = "committee", _("branch committee meeting")
    GROUP = "group", _("party group meeting")
    LESSON = "lesson", _("party lesson")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ON_LEAVE = "leave", _("on leave")
    ABSENT = "absent", _("absent without leave")


class ActivityKind(models.TextChoices):
    REPORTING_IN = "reporting_in", _("reporting in")
    VOLUNTEER = "volunteer", _("volunteer service")
    PRACTICAL = "practical", _("a practical thing done for the community")
    DISCUSSION = "discussion", _("discussing community matters")


class FeedbackSheetState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")


def _year_range(year):
    """The first and last day of ``year``: a range an index on a date column answers."""
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class MeetingQuerySet(models.QuerySet):
    def planned(self):
        return self.filter(state=MeetingState.PLANNED)

    def held(self):
        return self.filter(state=MeetingState.HELD)

    def in_year(self, year):
        return self.filter(date__range=_year_range(year))

    def of_branch(self, branch):
        return self.filter(branch=branch)


def _member_name(member):
    """A member (or a member's pk, as a form or a caller gives it) in words."""
    if not isinstance(member, PartyMember):
        member = PartyMember.objects.filter(pk=member).select_related("person").first() or member
    return str(member)


def cleaned_or_raise(cleaned, errors):
    if errors:
        raise ValidationError(errors)
    return cleaned


def has_taken_place(meeting):
    return meeting.date is not None and meeting.date <= timezone.localdate()


class Meeting(FSMModelMixin, models.Model):
    """A meeting of a branch (or its lesson): planned, then held once its roll is taken."""

    kind = models.CharField(_("kind of meeting"), max_length=20, choices=MeetingKind.choices)
    branch = models.CharField(_("party branch"), max_length=100)
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    place = models.CharField(_("place"), max_length=150, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    state = FSMField(
        _("state"),
        default=MeetingState.PLANNED,
        choices=MeetingState.choices,
        protected=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["branch", "date"], name="party_meeting_branch_date"),
            # The listings' years: the first and last held meeting.
            models.Index(fields=["state", "date"], name="party_meeting_state_date"),
        ]
        permissions = [
            ("take_roll", _("Can take the roll of a meeting")),
            ("correct_roll", _("Can correct the roll of a held meeting")),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}: {self.topic}"

    @property
    def is_held(self):
        return self.state == MeetingState.HELD

    def clean(self):
        super().clean()
        if self.pk is None or not self.is_held:
            return
        # The roll's rows carry the meeting's date and kind (for the listings of a million
        # rows): once it is held, both are fixed.
        before = Meeting.objects.filter(pk=self.pk).values("date", "kind").first() or {}
        errors = {}
        if before.get("date") not in (None, self.date):
            errors["date"] = _("The meeting has been held: its date is fixed.")
        if before.get("kind") not in (None, self.kind):
            errors["kind"] = _("The meeting has been held: its kind is fixed.")
        if errors:
            raise ValidationError(errors)

    def branch_members(self):
        """The active members of the meeting's branch, who are on its roll."""
        return (
            PartyMember.objects.active()
            .filter(branch=self.branch)
            .select_related("person")
            .order_by("person__name", "pk")
        )

    def guests(self):
        """The members who may be invited from elsewhere: active in-service and migrant
        members of the other branches."""
        return (
            PartyMember.objects.active()
            .filter(category__in=REPORTING_CATEGORIES)
            .exclude(branch=self.branch)
            .select_related("person")
            .order_by("branch", "person__name", "pk")
        )

    def roll_members(self):
        """Who the roll lists: the branch's active members while the meeting is planned; once
        it is held, the members its roll was taken for (whoever has left since)."""
        if not self.is_held:
            return list(self.branch_members())
        rows = self.attendances.filter(invited=False).select_related("member__person")
        return sorted((row.member for row in rows), key=lambda m: (m.person.name, m.pk))

    @transition(
        field=state,
        source=MeetingState.PLANNED,
        target=MeetingState.HELD,
        permission=TAKE_ROLL,
        conditions=[has_taken_place],
        custom={
            "label": _("Take the roll"),
            "refused": _("The meeting has not taken place yet: take its roll on the day."),
            "form": "party.admin_forms.RollForm",
        },
    )
    def take_roll(self, by=None, reason="", roll=None, invited=None):
        """Record who came: ``roll`` maps each member (or their pk) of the branch to
        ``(status, reason)``; ``invited`` lists the members invited from elsewhere, present."""
        self._write_roll(by, reason, roll or {}, invited, detail="take_roll")

    @transition(
        field=state,
        source=MeetingState.HELD,
        target=None,
        permission=CORRECT_ROLL,
        custom={
            "label": _("Correct the roll"),
            "reason_required": True,
            "form": "party.admin_forms.RollForm",
        },
    )
    def correct_roll(self, by=None, reason="", roll=None, invited=None):
        """Correct the roll of a held meeting: each changed row is recorded with the reason.
        ``invited`` None leaves the invited members as they are; a list replaces them."""
        self._write_roll(by, reason, roll or {}, invited, detail="correct_roll")

    def check_roll(self, roll, invited):
        """The roll as ``{member_pk: (status, reason)}`` and the invited members' pks, or a
        ``ValidationError`` saying what is wrong with them (nothing is written then).

        Taking the roll needs every member on it; a correction may give only the rows it
        changes."""
        on_roll = {member.pk: member for member in self.roll_members()}
        guests = set(self.guests().values_list("pk", flat=True))
        if self.pk is not None:
            guests |= set(self.attendances.filter(invited=True).values_list("member", flat=True))
        cleaned, errors = {}, []
        for member, entry in roll.items():
            pk = getattr(member, "pk", member)
            status, reason = entry if isinstance(entry, tuple | list) else (entry, "")
            reason = (reason or "").strip()
            if pk not in on_roll:
                errors.append(
                    _("%(member)s is not on the roll of this meeting.")
                    % {"member": _member_name(member)}
                )
            elif status not in AttendanceStatus.values:
                errors.append(_("“%(status)s” is not an attendance.") % {"status": status})
            elif status == AttendanceStatus.ON_LEAVE and not reason:
                errors.append(_("Say why %(member)s is on leave.") % {"member": on_roll[pk].person})
            else:
                cleaned[pk] = (status, "" if status == AttendanceStatus.PRESENT else reason)
        if not errors and not self.is_held and set(on_roll) - set(cleaned):
            errors.append(_("Give the attendance of every member on the roll."))
        if invited is None:
            return cleaned_or_raise(cleaned, errors), None
        invited_pks = set()
        for member in invited:
            pk = getattr(member, "pk", member)
            if pk not in guests or pk in on_roll:
                errors.append(
                    _("%(member)s cannot be invited to this meeting.")
                    % {"member": _member_name(member)}
                )
            invited_pks.add(pk)
        return cleaned_or_raise(cleaned, errors), invited_pks

    def _write_roll(self, by, reason, roll, invited, *, detail):
        cleaned, invited_pks = self.check_roll(roll, invited)
        existing = {row.member_id: row for row in self.attendances.all()}
        if invited_pks is None:
            invited_pks = {pk for pk, row in existing.items() if row.invited}
        wanted = dict(cleaned)
        wanted.update(dict.fromkeys(invited_pks, (AttendanceStatus.PRESENT, "")))
        for pk, row in existing.items():
            if row.invited and pk not in invited_pks:
                row._history_user = by
                with recorded_as(row, action="transition", detail=detail, reason=reason):
                    row.delete()
        for pk, (status, why) in wanted.items():
            row = existing.get(pk) or Attendance(meeting=self, member_id=pk)
            is_invited = pk in invited_pks
            if row.pk is not None and (row.status, row.reason, row.invited) == (
                status,
                why,
                is_invited,
            ):
                continue
            row.status, row.reason, row.invited = status, why, is_invited
            row._history_user = by
            with recorded_as(row, action="transition", detail=detail, reason=reason):
                row.save()


class AttendanceQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(date__range=_year_range(year))

    def present(self):
        return self.filter(status=AttendanceStatus.PRESENT)

    def on_leave(self):
        return self.filter(status=AttendanceStatus.ON_LEAVE)

    def absent(self):
        return self.filter(status=AttendanceStatus.ABSENT)

    def invited(self):
        return self.filter(invited=True)


class Attendance(models.Model):
    """One member at one held meeting: present, on leave (with the reason) or absent.

    Written only by the meeting's roll (``Meeting.take_roll``, ``correct_roll``). The
    meeting's date and kind are copied onto the row, so that the listing of a million rows,
    ordered by date and filtered by member, year or kind, reads one index.
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.TextField(_("reason for leave"), blank=True)
    invited = models.BooleanField(
        _("invited"),
        default=False,
        help_text=_("A member of another branch, invited to the meeting."),
    )
    date = models.DateField(_("date"), editable=False)
    kind = models.CharField(
        _("kind of meeting"), max_length=20, choices=MeetingKind.choices, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(personal_fields=["reason"])
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_once")
        ]
        indexes = [
            models.Index(fields=["-date", "-id"], name="party_att_date"),
            models.Index(fields=["member", "-date", "-id"], name="party_att_member_date"),
            models.Index(fields=["kind", "-date", "-id"], name="party_att_kind_date"),
            models.Index(fields=["status", "-date", "-id"], name="party_att_status_date"),
            models.Index(fields=["invited", "-date", "-id"], name="party_att_invited_date"),
        ]

    def __str__(self):
        return f"{self.member} · {self.meeting}"

    def save(self, *args, **kwargs):
        self.date, self.kind = self.meeting.date, self.meeting.kind
        super().save(*args, **kwargs)


class ReportedActivityQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(date__range=_year_range(year))

    def of_kind(self, kind):
        return self.filter(kind=kind)


class ReportedActivity(models.Model):
    """What an in-service or migrant member did here "eight hours away" from work."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="activities",
        limit_choices_to={"category__in": REPORTING_CATEGORIES},
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of activity"), max_length=20, choices=ActivityKind.choices)
    description = models.TextField(_("what was done"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(personal_fields=["description"])
    objects = ReportedActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("reported activity")
        verbose_name_plural = _("reported activities")
        indexes = [
            models.Index(fields=["member", "date"], name="party_activity_member_date"),
            models.Index(fields=["date"], name="party_activity_date"),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_kind_display()} · {self.date}"

    def clean(self):
        super().clean()
        errors = {}
        member = getattr(self, "member", None) if self.member_id else None
        if member is not None and member.category not in REPORTING_CATEGORIES:
            errors["member"] = _(
                "Only in-service and migrant members report their activities here; "
                "a registered member's organisation life is their branch's meetings."
            )
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("An activity cannot be reported before it happens.")
        if errors:
            raise ValidationError(errors)


class FeedbackSheetQuerySet(models.QuerySet):
    def of_year(self, year):
        return self.filter(year=year)

    def drafts(self):
        return self.filter(state=FeedbackSheetState.DRAFT)

    def sent(self):
        return self.filter(state=FeedbackSheetState.SENT)


def _current_year():
    return timezone.localdate().year


class FeedbackSheet(FSMModelMixin, models.Model):
    """The yearly feedback (反馈表) to an in-service member's workplace party organisation:
    how the member took part in the community's life, in the community's words."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="feedback_sheets",
        limit_choices_to={"category": Category.IN_SERVICE},
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        default=_current_year,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    comments = models.TextField(_("the community's comments"))
    state = FSMField(
        _("state"),
        default=FeedbackSheetState.DRAFT,
        choices=FeedbackSheetState.choices,
        protected=True,
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(personal_fields=["comments"])
    objects = FeedbackSheetQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "member__card_number"]
        verbose_name = _("feedback sheet")
        verbose_name_plural = _("feedback sheets")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="party_feedback_once_a_year")
        ]
        permissions = [("send_feedbacksheet", _("Can send feedback sheets"))]

    def __str__(self):
        return f"{self.year} · {self.member}"

    @property
    def is_sent(self):
        return self.state == FeedbackSheetState.SENT

    def clean(self):
        super().clean()
        errors = {}
        member = self.member if self.member_id else None
        if member is not None and member.category != Category.IN_SERVICE:
            errors["member"] = _(
                "A feedback sheet goes to the workplace of an in-service member only."
            )
        if self.year and self.year > timezone.localdate().year:
            errors["year"] = _("A feedback sheet is written for this year or an earlier one.")
        if self.pk is not None:
            before = FeedbackSheet.objects.filter(pk=self.pk).values("state").first()
            if before and before["state"] == FeedbackSheetState.SENT:
                raise ValidationError(_("The sheet has been sent: it is kept as it was sent."))
        if errors:
            raise ValidationError(errors)

    @transition(
        field=state,
        source=FeedbackSheetState.DRAFT,
        target=FeedbackSheetState.SENT,
        permission=SEND_FEEDBACK,
        custom={"label": _("Mark as sent")},
    )
    def send(self, by=None):
        self.sent_on = timezone.localdate()
