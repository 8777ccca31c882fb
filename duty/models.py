"""The community's two service systems.

Eight responsibility posts: each cadre or party member chooses one post, contributes one
skill and donates service days, logged against the pledge. And the staggered-hours
service: cadres take turns after working hours on a monthly roster published to
residents; the duty record book logs every request, what was undertaken, the answer and
the result; supervisors inspect the book, and all of it counts in each cadre's assessment.
"""

import datetime

from django_fsm import FSMField, FSMModelMixin, transition

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override, pgettext_lazy

from audit.history import AuditedHistory
from core import references
from core.changes import label_for
from core.transitions import step
from people.models import Person
from people.validators import validate_phone


def in_site_language(message, **params):
    """A history reason written by the code, in the site's language (``LANGUAGE_CODE``): the
    record reads the same whoever's browser made the change, and the community reads it."""
    with override(settings.LANGUAGE_CODE):
        return str(message) % params


HANDLE = "duty.handle_record"
PUBLISH_ROSTER = "duty.publish_roster"
INSPECT = "duty.inspect_record_book"
ACKNOWLEDGE = "duty.acknowledge_inspection"


# ---------------------------------------------------------------------------------------
# The eight responsibility posts


class Post(models.Model):
    name = models.CharField(_("post"), max_length=50, unique=True)
    duties = models.TextField(_("duties"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = AuditedHistory()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("responsibility post")
        verbose_name_plural = _("responsibility posts")

    def __str__(self):
        return self.name


class PostAssignmentQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(term_start__lte=on).filter(
            models.Q(term_end__isnull=True) | models.Q(term_end__gte=on)
        )


class PostAssignment(models.Model):
    """A person serving one post, with the skill they contribute and the days they pledge."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="post_assignments"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="assignments"
    )
    skill = models.CharField(_("skill contributed"), max_length=100)
    term_start = models.DateField(_("term starts"), default=timezone.localdate)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    pledged_days = models.PositiveSmallIntegerField(_("days pledged a year"), default=1)

    history = AuditedHistory()
    objects = PostAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["post__sort_order", "person__name"]
        verbose_name = _("post assignment")
        verbose_name_plural = _("post assignments")

    def __str__(self):
        return f"{self.person} · {self.post}"

    def clean(self):
        super().clean()
        if self.term_end and self.term_start and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("A term cannot end before it starts.")})
        if self.person_id and not (self.person.is_cadre or self.person.is_party_member):
            raise ValidationError({"person": _("Posts are taken by cadres and party members.")})


class ServiceDay(models.Model):
    assignment = models.ForeignKey(
        PostAssignment,
        verbose_name=_("post assignment"),
        on_delete=models.PROTECT,
        related_name="service_days",
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("what was done"), max_length=200)

    history = AuditedHistory()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("service day")
        verbose_name_plural = _("service days")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "date"], name="one_service_day_per_date")
        ]

    def __str__(self):
        return f"{self.assignment} · {self.date}"


# ---------------------------------------------------------------------------------------
# The monthly duty roster


class RosterState(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


PUBLISHED_ROSTER_IS_FIXED = _(
    "The roster is published: its shifts change only through a swap or a reasoned reassignment."
)


class Roster(FSMModelMixin, models.Model):
    """One month's after-hours duty: drafted, then published to residents."""

    month = models.DateField(
        _("month"), unique=True, help_text=_("Any day of the month; kept as its first day.")
    )
    state = FSMField(
        _("state"), default=RosterState.DRAFT, choices=RosterState.choices, protected=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("duty roster")
        verbose_name_plural = _("duty rosters")

    def __str__(self):
        return self.month.strftime("%Y-%m")

    def save(self, *args, **kwargs):
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)

    def has_shifts(self):
        return self.shifts.exists()

    @transition(
        field=state,
        source=RosterState.DRAFT,
        target=RosterState.PUBLISHED,
        permission=PUBLISH_ROSTER,
        conditions=[has_shifts],
        custom={
            "label": _("Publish the roster"),
            "refused": _("Add the month's shifts first."),
        },
    )
    def publish(self, by=None):
        self.published_at = timezone.now()


class DutyShift(models.Model):
    roster = models.ForeignKey(
        Roster, verbose_name=_("roster"), on_delete=models.CASCADE, related_name="shifts"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("cadre on duty"),
        on_delete=models.PROTECT,
        related_name="shifts",
        limit_choices_to={"is_cadre": True},
    )
    date = models.DateField(_("date"))
    starts = models.TimeField(_("from"), default=datetime.time(17, 30))
    ends = models.TimeField(_("until"), default=datetime.time(20, 30))
    place = models.CharField(_("place"), max_length=100, default="社区党群服务中心")
    # Who held the shift before a roster keeper reassigned it: residents see the change on
    # the public roster. Cleared when the shift changes hands through a swap.
    reassigned_from = models.ForeignKey(
        Person,
        verbose_name=_("reassigned from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["date", "starts"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        indexes = [models.Index(fields=["date"], name="shift_date")]

    def __str__(self):
        return f"{self.date} {self.starts:%H:%M} {self.person}"

    def clean(self):
        super().clean()
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": _("A shift must end after it starts.")})
        if self.roster_id and self.date and self.date.replace(day=1) != self.roster.month:
            raise ValidationError({"date": _("The shift's date is not in the roster's month.")})
        if self.roster_id and self.roster.state == RosterState.PUBLISHED:
            raise ValidationError({"roster": PUBLISHED_ROSTER_IS_FIXED})

    @property
    def is_published(self):
        return self.roster.state == RosterState.PUBLISHED

    def in_a_published_roster(self):
        return self.is_published

    @step(
        permission=PUBLISH_ROSTER,
        available=in_a_published_roster,
        custom={
            "label": _("Reassign the shift"),
            "reason_required": True,
            "form": "duty.admin_forms.ReassignForm",
        },
    )
    def reassign(self, by=None, person=None):
        """Move the shift of a published roster to ``person``: the roster keeper's step,
        with its reason, recorded in the shift's history and shown on the public roster."""
        if person is None or person.pk == self.person_id:
            raise ValueError("Reassign the shift to another cadre.")
        self.reassigned_from_id = self.person_id
        self.person = person


class ShiftSwapState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


def person_of(user):
    """The user's place in the register, or None (no account, or an account without one).

    Swaps and acknowledgements go by the person, not by the account's groups: a cadre whose
    account is also a clerk's is the same cadre."""
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "person", None)


def _is_the_other_cadre(swap, user):
    person = person_of(user)
    return person is not None and person.pk == swap.to_person_id


def _is_the_asker(swap, user):
    person = person_of(user)
    return person is not None and person.pk == swap.from_person_id


class ShiftSwap(FSMModelMixin, models.Model):
    """A cadre asks another to take their shift; the other cadre accepts or declines."""

    shift = models.ForeignKey(
        DutyShift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="swaps"
    )
    from_person = models.ForeignKey(
        Person, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    to_person = models.ForeignKey(
        Person,
        verbose_name=_("asked of"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"is_cadre": True},
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    state = FSMField(
        _("state"), default=ShiftSwapState.REQUESTED, choices=ShiftSwapState.choices, protected=True
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")

    def __str__(self):
        return f"{self.shift}: {self.from_person} → {self.to_person}"

    def clean(self):
        super().clean()
        if self.shift_id and self.from_person_id and self.shift.person_id != self.from_person_id:
            raise ValidationError(
                {"shift": _("Only the cadre who holds a shift may ask to swap it.")}
            )
        if self.from_person_id and self.from_person_id == self.to_person_id:
            raise ValidationError({"to_person": _("Ask another cadre to take the shift.")})

    def asker_holds_the_shift(self):
        # The shift may have changed hands (another swap, a reassignment) since the asking:
        # asked of the database, not of a shift read earlier.
        return DutyShift.objects.filter(pk=self.shift_id, person_id=self.from_person_id).exists()

    @transition(
        field=state,
        source=ShiftSwapState.REQUESTED,
        target=ShiftSwapState.ACCEPTED,
        permission=_is_the_other_cadre,
        conditions=[asker_holds_the_shift],
        custom={
            "label": _("Accept the swap"),
            "refused": _("The shift is no longer held by the cadre who asked."),
        },
    )
    def accept(self, by=None):
        shift = self.shift
        shift.person = self.to_person
        shift.reassigned_from = None
        shift._change_reason = in_site_language(
            _("Shift swap #%(number)s accepted"), number=self.pk
        )
        shift._history_user = by
        shift.save()

    @transition(
        field=state,
        source=ShiftSwapState.REQUESTED,
        target=ShiftSwapState.DECLINED,
        permission=_is_the_other_cadre,
        custom={"label": _("Decline the swap")},
    )
    def decline(self, by=None):
        """The shift stays with the cadre who holds it; only the swap's state changes."""

    @transition(
        field=state,
        source=ShiftSwapState.REQUESTED,
        target=ShiftSwapState.WITHDRAWN,
        permission=_is_the_asker,
        custom={"label": _("Withdraw the swap")},
    )
    def withdraw(self, by=None):
        """The asker keeps the shift; only the swap's state changes."""


# ---------------------------------------------------------------------------------------
# The duty record book


class RequestChannel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("phone")
    ONLINE = "online", _("online")


class RequestCategory(models.TextChoices):
    REPAIR = "repair", _("repairs and facilities")
    ENVIRONMENT = "environment", _("environment and sanitation")
    SECURITY = "security", _("safety and security")
    DISPUTE = "dispute", _("neighbour disputes")
    SERVICE = "service", _("certificates and services")
    OTHER = "other", _("other")


class DutyRecordState(models.TextChoices):
    # "received" as a state (已收到), not the time a request was received (收到时间).
    RECEIVED = "received", pgettext_lazy("request state", "received")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    REFERRED = "referred", _("referred")


OPEN_STATES = (DutyRecordState.RECEIVED, DutyRecordState.IN_PROGRESS)
CLOSED_STATES = (DutyRecordState.RESOLVED, DutyRecordState.REFERRED)


def new_reference():
    """An unguessable reference a resident follows their request by, in groups of four that
    can be read aloud and typed back (``core.references``). Records filed before keep their
    11-character tokens; the field's length holds both."""
    return references.new_reference()


class DutyRecordQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.open().filter(due_at__lt=now)


class DutyRecord(FSMModelMixin, models.Model):
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=new_reference, editable=False
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=RequestChannel.choices,
        default=RequestChannel.IN_PERSON,
    )
    category = models.CharField(
        _("category"), max_length=20, choices=RequestCategory.choices, default=RequestCategory.OTHER
    )
    resident_name = models.CharField(_("resident's name"), max_length=50)
    resident_contact = models.CharField(
        _("resident's phone"), max_length=30, validators=[validate_phone]
    )
    request = models.TextField(_("request"))
    # Where the cadre on duty should go or look; personal, like the name and the phone.
    place = models.CharField(_("building, unit or place"), max_length=100, blank=True)
    shift = models.ForeignKey(
        DutyShift,
        verbose_name=_("taken on shift"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
    )
    handled_by = models.ForeignKey(
        Person,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_records",
    )
    undertaken = models.TextField(_("what was undertaken"), blank=True)
    answer = models.TextField(_("answer to the resident"), blank=True)
    result = models.TextField(_("result"), blank=True)
    state = FSMField(
        _("state"),
        default=DutyRecordState.RECEIVED,
        choices=DutyRecordState.choices,
        protected=True,
    )
    due_at = models.DateTimeField(_("answer due"), editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    inspected = models.BooleanField(_("inspected"), default=False, editable=False)
    # Whether the request still waits for a cadre to take it on (its state is received).
    # The record book lists these first; kept by the database, so that the listing's order
    # (awaiting first, then newest first) walks an index instead of sorting the whole book.
    awaiting = models.GeneratedField(
        expression=models.Case(
            models.When(state=DutyRecordState.RECEIVED, then=models.Value(True)),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    history = AuditedHistory(
        personal_fields=["resident_name", "resident_contact", "place"],
        personal_permission="duty.view_resident_contact",
        # Erased a retention period after the request was closed (audit.erasure).
        erase_after="closed_at",
        # Derived from the state; left out so that history rows keep their columns.
        excluded_fields=["awaiting"],
    )
    objects = DutyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("duty record")
        verbose_name_plural = _("duty record book")
        permissions = [
            ("handle_record", _("Can take on, answer and close residents' requests")),
            (
                "view_resident_contact",
                _("Can see residents' names and phone numbers in the record book"),
            ),
            ("publish_roster", _("Can publish the monthly duty roster")),
            ("inspect_record_book", _("Can inspect the duty record book")),
            ("acknowledge_inspection", _("Can acknowledge an inspection")),
        ]
        indexes = [
            models.Index(fields=["state", "-received_at"], name="record_state_received"),
            models.Index(fields=["state", "due_at"], name="record_state_due"),
            models.Index(fields=["handled_by", "received_at"], name="record_handler_received"),
            models.Index(fields=["-received_at", "-id"], name="record_received"),
            # The record book's order, whole and within a state filter.
            models.Index(fields=["-awaiting", "-received_at", "-id"], name="record_book"),
            models.Index(
                fields=["state", "-awaiting", "-received_at", "-id"], name="record_book_state"
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.get_category_display()}"

    def save(self, *args, **kwargs):
        # The due time follows the category and the time received: set when the request is
        # recorded, and again when either is changed (not when the targets in the settings
        # change later: a request keeps the promise made when it came in).
        stored = getattr(self, "_stored_terms", None)
        if not self.due_at or (
            stored is not None
            and None not in stored
            and stored != (self.category, self.received_at)
        ):
            self.due_at = self.response_due()
        # Answering is timed from the first answer written, whatever step follows.
        if self.answered_at is None and self.answer.strip():
            self.answered_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "due_at", "answered_at"}
        super().save(*args, **kwargs)
        self._stored_terms = (self.category, self.received_at)

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        # What was stored, to tell a change of category or of the time received on save.
        record._stored_terms = (record.__dict__.get("category"), record.__dict__.get("received_at"))
        return record

    def response_due(self):
        hours = settings.DUTY_RESPONSE_HOURS.get(
            self.category, settings.DUTY_RESPONSE_HOURS["other"]
        )
        return self.received_at + datetime.timedelta(hours=hours)

    @property
    def is_overdue(self):
        return self.state in OPEN_STATES and timezone.now() > self.due_at

    def has_answer(self):
        return bool(self.answer.strip())

    def has_result(self):
        return bool(self.result.strip())

    def _handled(self, by):
        person = getattr(by, "person", None)
        if person is not None and self.handled_by_id is None:
            self.handled_by = person

    @transition(
        field=state,
        source=DutyRecordState.RECEIVED,
        target=DutyRecordState.IN_PROGRESS,
        permission=HANDLE,
        custom={"label": _("Take on")},
    )
    def take_on(self, by=None):
        self._handled(by)

    @transition(
        field=state,
        source=[DutyRecordState.RECEIVED, DutyRecordState.IN_PROGRESS],
        target=DutyRecordState.RESOLVED,
        permission=HANDLE,
        conditions=[has_answer, has_result],
        custom={
            "label": _("Resolve"),
            "refused": _("Write the answer to the resident and the result first."),
        },
    )
    def resolve(self, by=None):
        self._handled(by)
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=[DutyRecordState.RECEIVED, DutyRecordState.IN_PROGRESS],
        target=DutyRecordState.REFERRED,
        permission=HANDLE,
        conditions=[has_answer],
        custom={
            "label": _("Refer elsewhere"),
            "refused": _(
                "Write the answer to the resident first (where the request was referred)."
            ),
        },
    )
    def refer(self, by=None):
        self._handled(by)
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=OPEN_STATES,
        target=None,
        permission=HANDLE,
        custom={
            "label": _("Correct the time received"),
            "reason_required": True,
            "form": "duty.admin_forms.CorrectReceivedForm",
        },
    )
    def correct_received_at(self, by=None, received_at=None):
        """Correct the time an open request was received (fixed otherwise): its own recorded
        step, with its reason; the state stays, the due time follows."""
        if received_at is None:
            raise ValueError("Give the corrected time.")
        self.received_at = received_at

    @transition(
        field=state,
        source=CLOSED_STATES,
        target=DutyRecordState.IN_PROGRESS,
        permission=HANDLE,
        custom={"label": _("Reopen for a correction"), "reason_required": True},
    )
    def reopen(self, by=None):
        self.closed_at = None


# ---------------------------------------------------------------------------------------
# Inspections of the record book


class InspectionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")


class Rating(models.IntegerChoices):
    GOOD = 3, _("good")
    ADEQUATE = 2, _("adequate")
    POOR = 1, _("needs improvement")


class InspectionLocked(ValidationError):
    """An inspection once submitted is the inspector's signed word: neither it, nor its
    sampled records, nor its ratings are written again, by anyone."""

    def __init__(self):
        super().__init__(
            _("The inspection is submitted: its findings, records sampled and ratings are fixed.")
        )


def _is_a_restore(instance):
    """A restore from history (``audit.history.restore_from_history``) brings back what was
    deleted, as it was: it rewrites nothing, and may put back a submitted inspection's
    ratings and sampled records. Its first saves write no history; its last is labelled."""
    if getattr(instance, "skip_history_when_saving", False):
        return True
    label = label_for(instance)
    return label is not None and label.action == "restored"


def _is_a_rated_cadre(inspection, user):
    """Of those the roles allow to acknowledge inspections, only a cadre the inspection
    rates acknowledges it."""
    person = person_of(user)
    return (
        person is not None
        and user.has_perm(ACKNOWLEDGE)
        and inspection.ratings.filter(cadre=person).exists()
    )


class Inspection(FSMModelMixin, models.Model):
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    sampled = models.ManyToManyField(
        DutyRecord, verbose_name=_("records sampled"), blank=True, related_name="inspections"
    )
    findings = models.TextField(_("findings"))
    state = FSMField(
        _("state"), default=InspectionState.DRAFT, choices=InspectionState.choices, protected=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True, editable=False)

    history = AuditedHistory(m2m_fields=[sampled])

    class Meta:
        ordering = ["-period_end"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return f"{self.period_start} – {self.period_end}"

    # What the inspector signs: fixed once the inspection leaves its draft.
    SIGNED_FIELDS = ("period_start", "period_end", "findings")

    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored", None)
        if (
            stored is not None
            and getattr(self, "_stored_state", None) not in (None, InspectionState.DRAFT)
            and any(stored[name] != getattr(self, name) for name in self.SIGNED_FIELDS)
        ):
            raise InspectionLocked()
        super().save(*args, **kwargs)
        self._stored = {name: getattr(self, name) for name in self.SIGNED_FIELDS}
        self._stored_state = self.state

    @classmethod
    def from_db(cls, db, field_names, values):
        inspection = super().from_db(db, field_names, values)
        inspection._stored = {name: inspection.__dict__.get(name) for name in cls.SIGNED_FIELDS}
        inspection._stored_state = inspection.__dict__.get("state")
        return inspection

    @property
    def is_locked(self):
        return self.state != InspectionState.DRAFT

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    @transition(
        field=state,
        source=InspectionState.DRAFT,
        target=InspectionState.SUBMITTED,
        permission=INSPECT,
        custom={"label": _("Submit the inspection")},
    )
    def submit(self, by=None):
        self.submitted_at = timezone.now()
        # The supervisor who submits the inspection signs it.
        if self.inspector_id is None and by is not None and by.is_authenticated:
            self.inspector = by
        # Sampled records are marked inspected (each in its own history), and counted in
        # the cadres' assessment.
        for record in self.sampled.filter(inspected=False):
            record.inspected = True
            record._change_reason = in_site_language(_("Inspection #%(number)s"), number=self.pk)
            record._history_user = by
            record.save(update_fields=["inspected"])

    @transition(
        field=state,
        source=InspectionState.SUBMITTED,
        target=InspectionState.ACKNOWLEDGED,
        permission=_is_a_rated_cadre,
        custom={"label": _("Acknowledge")},
    )
    def acknowledge(self, by=None):
        self.acknowledged_at = timezone.now()


class InspectionRating(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="ratings"
    )
    cadre = models.ForeignKey(
        Person,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="inspection_ratings",
        limit_choices_to={"is_cadre": True},
    )
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    comment = models.CharField(_("comment"), max_length=200, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "cadre"], name="one_rating_per_cadre")
        ]

    def __str__(self):
        return f"{self.cadre}: {self.get_rating_display()}"

    def save(self, *args, **kwargs):
        self._refuse_once_submitted()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_once_submitted()
        return super().delete(*args, **kwargs)

    def _refuse_once_submitted(self):
        if _is_a_restore(self):
            return
        inspections = Inspection.objects.filter(pk=self.inspection_id)
        if self.pk is not None:
            # A rating moved from a submitted inspection is rewritten too.
            inspections |= Inspection.objects.filter(ratings__pk=self.pk)
        if inspections.exclude(state=InspectionState.DRAFT).exists():
            raise InspectionLocked()


@receiver(m2m_changed, sender=Inspection.sampled.through)
def _sampled_fixed_once_submitted(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("pre_add", "pre_remove", "pre_clear") or _is_a_restore(instance):
        return
    if not reverse:
        locked = Inspection.objects.filter(pk=instance.pk).exclude(state=InspectionState.DRAFT)
    elif pk_set is not None:
        locked = Inspection.objects.filter(pk__in=pk_set).exclude(state=InspectionState.DRAFT)
    else:
        locked = instance.inspections.exclude(state=InspectionState.DRAFT)
    if locked.exists():
        raise InspectionLocked()
