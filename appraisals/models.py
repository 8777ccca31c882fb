"""The year-end appraisal of a cadre (年终考评): one record per cadre and year.

The cadre's debriefing report (述职报告) is written in the admin while the appraisal is a
draft, then recorded as given at the year-end meeting; the meeting's democratic evaluation
(a ``votes`` motion) is read through ``votes.api`` and kept on the record as it stood when
it was recorded; the committee then decides what follows from it: an advanced appraisal
(评为先进), the bonus grade, the appointment kept or changed, and an adjustment. Every step is
a named transition, recorded in the history with who took it and why.
"""

from django_fsm import FSMField, FSMModelMixin, transition

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedHistory
from people.models import Person
from votes import api as votes_api

RECORD = "appraisals.record_appraisal"
DECIDE = "appraisals.decide_appraisal"
VIEW = "appraisals.view_appraisal"

FIRST_YEAR, LAST_YEAR = 2000, 2100


def current_year():
    return timezone.localdate().year


class AppraisalState(models.TextChoices):
    DRAFT = "draft", _("draft")
    DEBRIEFED = "debriefed", _("debriefed")
    EVALUATED = "evaluated", _("evaluated")
    DECIDED = "decided", _("decided")


class BonusGrade(models.TextChoices):
    FIRST = "first", _("First-grade bonus")
    SECOND = "second", _("Second-grade bonus")
    THIRD = "third", _("Third-grade bonus")
    NONE = "none", _("No bonus")


class Appointment(models.TextChoices):
    KEPT = "kept", _("Kept in post")
    CHANGED = "changed", _("Moved to another post")
    REMOVED = "removed", _("Removed from post")


# An appointment that is not simply kept says what is adjusted and why.
ADJUSTED = (Appointment.CHANGED, Appointment.REMOVED)

# The fields the committee's decision writes, and what they hold when nothing is decided.
DECISION_FIELDS = {
    "advanced": False,
    "bonus_grade": "",
    "appointment": "",
    "adjustment": "",
    "decision_reason": "",
    "decided_at": None,
    "decided_by": None,
}

# What the admin form may change, and only while the appraisal is a draft: after that the
# debriefing is the one the meeting heard.
DRAFT_ONLY_FIELDS = ("cadre", "year", "debriefing")


class AppraisalQuerySet(models.QuerySet):
    def of_year(self, year):
        return self.filter(year=year)

    def decided(self):
        return self.filter(state=AppraisalState.DECIDED)


class Appraisal(FSMModelMixin, models.Model):
    cadre = models.ForeignKey(
        Person,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="appraisals",
        limit_choices_to={"is_cadre": True},
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        default=current_year,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    debriefing = models.TextField(
        _("debriefing report"),
        blank=True,
        help_text=_(
            "The cadre's report on the year's work, shown to the voters of the evaluation. "
            "It can be changed only while the appraisal is a draft."
        ),
    )
    state = FSMField(
        _("state"),
        default=AppraisalState.DRAFT,
        choices=AppraisalState.choices,
        protected=True,
    )
    debriefed_on = models.DateField(_("debriefed on"), null=True, blank=True, editable=False)
    # The evaluation as the committee decided on it (``votes.api.evaluation_summary``):
    # {"counts": [[option label, ballots], ...], "ballots": n, "satisfaction": 0..1}.
    evaluation = models.JSONField(_("evaluation result"), null=True, blank=True, editable=False)
    evaluated_at = models.DateTimeField(_("evaluation recorded"), null=True, editable=False)
    advanced = models.BooleanField(_("advanced appraisal"), default=False, editable=False)
    bonus_grade = models.CharField(
        _("bonus grade"), max_length=10, choices=BonusGrade.choices, blank=True, editable=False
    )
    appointment = models.CharField(
        _("appointment"), max_length=10, choices=Appointment.choices, blank=True, editable=False
    )
    adjustment = models.TextField(_("adjustment"), blank=True, editable=False)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The debriefing is read out to the meeting and shown to the voters: not personal. The
    # adjustment (why a cadre is moved or removed) and the decision's reason are judgements
    # about one person's conduct and fitness, kept from anyone who may not see appraisals.
    history = AuditedHistory(personal_fields=["adjustment", "decision_reason"])
    objects = AppraisalQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "cadre__name", "pk"]
        verbose_name = _("year-end appraisal")
        verbose_name_plural = _("year-end appraisals")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="appraisal_one_per_cadre_year")
        ]
        indexes = [models.Index(fields=["year", "state"], name="appraisal_year_state")]
        permissions = [
            ("record_appraisal", _("Can record debriefings and evaluations of appraisals")),
            ("decide_appraisal", _("Can record and reconsider year-end decisions")),
        ]

    def __str__(self):
        return _("%(cadre)s, %(year)s") % {"cadre": self.cadre, "year": self.year}

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # What is stored now, as ``from_db`` reads it.
        self._stored = {
            name: getattr(self, self._meta.get_field(name).attname) for name in DRAFT_ONLY_FIELDS
        }
        self._stored_state = self.state

    @classmethod
    def from_db(cls, db, field_names, values):
        appraisal = super().from_db(db, field_names, values)
        # What was stored, to refuse a change of the debriefing once it was given.
        appraisal._stored = {
            name: appraisal.__dict__.get(field.attname)
            for name in DRAFT_ONLY_FIELDS
            for field in [cls._meta.get_field(name)]
        }
        appraisal._stored_state = appraisal.__dict__.get("state")
        return appraisal

    def changed_after_draft(self):
        """The fields fixed after the draft that differ from what is stored."""
        stored = getattr(self, "_stored", None)
        if stored is None or self._stored_state in (None, AppraisalState.DRAFT):
            return []
        return [
            name
            for name in DRAFT_ONLY_FIELDS
            if stored[name] != getattr(self, self._meta.get_field(name).attname)
        ]

    def clean(self):
        super().clean()
        changed = self.changed_after_draft()
        if changed:
            raise ValidationError(
                {
                    name: _(
                        "The debriefing was given: the report, the cadre and the year can no "
                        "longer be changed."
                    )
                    for name in changed
                }
            )
        if self.cadre_id is not None and not self.cadre.is_cadre:
            raise ValidationError({"cadre": _("Only a cadre of the register is appraised.")})

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            if "cadre" not in (exclude or ()) and self._is_a_second_one():
                raise ValidationError(
                    {"year": _("This cadre has an appraisal for this year already.")}
                ) from error
            raise

    def _is_a_second_one(self):
        return (
            Appraisal.objects.filter(cadre_id=self.cadre_id, year=self.year)
            .exclude(pk=self.pk)
            .exists()
        )

    # Conditions

    def has_debriefing(self):
        return bool(self.debriefing.strip())

    def evaluation_summary(self):
        """The cadre's published evaluation of the year, added up; None when there is none."""
        return votes_api.evaluation_summary(self.cadre, self.year)

    def has_published_evaluation(self):
        return self.evaluation_summary() is not None

    @property
    def is_decided(self):
        return self.state == AppraisalState.DECIDED

    # The kept evaluation, in words (the listing, its export and the inspect view)

    def evaluation_ballots(self):
        return self.evaluation["ballots"] if self.evaluation else None

    def satisfaction_display(self):
        """The share satisfied or basically satisfied, as a percentage ("85.0%")."""
        if not self.evaluation:
            return ""
        return f"{self.evaluation['satisfaction'] * 100:.1f}%"

    def get_evaluation_display(self):
        if not self.evaluation:
            return ""
        counts = "，".join(f"{label} {count}" for label, count in self.evaluation["counts"])
        return _("%(counts)s (%(ballots)s ballots; satisfaction %(share)s)") % {
            "counts": counts,
            "ballots": self.evaluation["ballots"],
            "share": self.satisfaction_display(),
        }

    def advanced_display(self):
        if not self.is_decided:
            return ""
        return _("Yes") if self.advanced else _("No")

    # The inspect view shows "—" rather than "No" before anything is decided.
    get_advanced_display = advanced_display

    # Transitions

    @transition(
        field=state,
        source=AppraisalState.DRAFT,
        target=AppraisalState.DEBRIEFED,
        permission=RECORD,
        conditions=[has_debriefing],
        custom={
            "label": _("Record the debriefing"),
            "refused": _("Write the cadre's debriefing report first."),
        },
    )
    def record_debriefing(self, by=None):
        self.debriefed_on = timezone.localdate()

    @transition(
        field=state,
        source=AppraisalState.DEBRIEFED,
        target=AppraisalState.EVALUATED,
        permission=RECORD,
        conditions=[has_published_evaluation],
        custom={
            "label": _("Record the evaluation"),
            "refused": _(
                "The democratic evaluation of this cadre for this year has no published result yet."
            ),
        },
    )
    def record_evaluation(self, by=None):
        summary = self.evaluation_summary()
        # Kept as it stands now, so that the sheet shows what the committee decided on.
        self.evaluation = {
            "counts": [[str(label), count] for label, count in summary["counts"]],
            "ballots": summary["ballots"],
            "satisfaction": summary["satisfaction"],
        }
        self.evaluated_at = timezone.now()

    @transition(
        field=state,
        source=AppraisalState.EVALUATED,
        target=AppraisalState.DECIDED,
        permission=DECIDE,
        custom={
            "label": _("Record the decision"),
            "reason_required": True,
            "form": "appraisals.admin_forms.DecisionForm",
        },
    )
    def decide(
        self, by=None, reason="", advanced=False, bonus_grade="", appointment="", adjustment=""
    ):
        if appointment not in Appointment.values or bonus_grade not in BonusGrade.values:
            raise ValueError("Give the bonus grade and the appointment.")
        if appointment in ADJUSTED and not adjustment.strip():
            raise ValueError("Say what is adjusted and why.")
        self.advanced = bool(advanced)
        self.bonus_grade = bonus_grade
        self.appointment = appointment
        self.adjustment = adjustment.strip() if appointment in ADJUSTED else ""
        self.decision_reason = reason.strip()
        self.decided_at = timezone.now()
        self.decided_by = by if getattr(by, "is_authenticated", False) else None

    @transition(
        field=state,
        source=AppraisalState.DECIDED,
        target=AppraisalState.EVALUATED,
        permission=DECIDE,
        custom={"label": _("Reconsider the decision"), "reason_required": True},
    )
    def reconsider(self, by=None):
        # The decision taken back stays in the history.
        for name, value in DECISION_FIELDS.items():
            setattr(self, name, value)
