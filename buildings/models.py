"""Characteristic creation (特色创建): the community's buildings assessed each year against
the standards of eight categories (学习型, 服务型, 环保型, 文化型, 绿化型, 平安型, 文明型,
和谐型), the titles awarded from a confirmed assessment (先锋楼, 示范楼, 特色楼), and the
"one unit, one brand" / "one society, one speciality" projects.

An assessment's scores are entered on one form, the step "Enter the scores" of a draft
assessment (``buildings.admin_forms.ScoresForm``); once the assessment is confirmed its scores
are fixed, by anyone. A title is awarded only from a confirmed assessment, and withdrawn
with a reason. ``Title.objects.honour_roll()`` is what the public honour roll reads: titles
awarded and not withdrawn, by year, with no personal data.
"""

from decimal import Decimal

from django_fsm import FSMField, FSMModelMixin, transition

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedHistory
from core.changes import label_for
from people.models import Person

ASSESS = "buildings.assess_building"
CONFIRM = "buildings.confirm_assessment"
AWARD = "buildings.add_title"
WITHDRAW = "buildings.withdraw_title"


class CategoryKind(models.TextChoices):
    LEARNING = "learning", pgettext_lazy("building category", "learning")
    SERVICE = "service", pgettext_lazy("building category", "service")
    ENVIRONMENTAL = "environmental", pgettext_lazy("building category", "environmental protection")
    CULTURE = "culture", pgettext_lazy("building category", "culture")
    GREENING = "greening", pgettext_lazy("building category", "greening")
    SAFETY = "safety", pgettext_lazy("building category", "safety")
    CIVILITY = "civility", pgettext_lazy("building category", "civility")
    HARMONY = "harmony", pgettext_lazy("building category", "harmony")


def _is_a_restore(instance):
    """A restore from history brings back what was deleted, as it was: its first saves
    write no history, its last is labelled "restored"."""
    if getattr(instance, "skip_history_when_saving", False):
        return True
    label = label_for(instance)
    return label is not None and label.action == "restored"


class Category(models.Model):
    """One of the eight categories of characteristic building; an inactive one is not
    assessed this year."""

    kind = models.CharField(_("category"), max_length=20, choices=CategoryKind.choices, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["sort_order", "kind"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return str(self.get_kind_display())


class StandardQuerySet(models.QuerySet):
    def in_use(self):
        """The standards scored now: active, of an active category, in their order."""
        return (
            self.filter(active=True, category__active=True)
            .select_related("category")
            .order_by("category__sort_order", "category__kind", "sort_order", "pk")
        )


class Standard(models.Model):
    """One criterion of a category, with the most points it gives."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="standards"
    )
    text = models.CharField(_("criterion"), max_length=300)
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), validators=[MinValueValidator(1)]
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    history = AuditedHistory()
    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["category__sort_order", "category__kind", "sort_order", "pk"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self):
        return f"{self.category}: {self.text}"


class BuildingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Building(models.Model):
    name = models.CharField(
        _("building"), max_length=50, unique=True, help_text=_("Its number or name, e.g. 5号楼.")
    )
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    leader = models.ForeignKey(
        Person,
        verbose_name=_("building leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_buildings",
    )
    active = models.BooleanField(_("active"), default=True)

    history = AuditedHistory()
    objects = BuildingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self):
        return self.name


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    CONFIRMED = "confirmed", _("confirmed")


class ScoresFixed(ValidationError):
    """A confirmed assessment is the community's word: its scores are not written again."""

    def __init__(self):
        super().__init__(_("The assessment is confirmed: its scores are fixed."))


class AssessmentQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(state=AssessmentState.CONFIRMED)

    def in_year(self, year):
        return self.filter(year=year)

    def with_total(self):
        """``total_score``: the sum of each assessment's scores (0 when none), in the same query."""
        return self.annotate(
            total_score=Coalesce(
                Sum("scores__score"),
                0,
                output_field=models.DecimalField(max_digits=7, decimal_places=1),
            )
        )


class Assessment(FSMModelMixin, models.Model):
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    assessors = models.CharField(
        _("assessors"), max_length=200, help_text=_("Who assessed the building.")
    )
    notes = models.TextField(_("notes"), blank=True)
    state = FSMField(
        _("state"), default=AssessmentState.DRAFT, choices=AssessmentState.choices, protected=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)

    history = AuditedHistory()
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "building__name"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        permissions = [
            ("assess_building", _("Can enter and submit building assessments")),
            ("confirm_assessment", _("Can confirm building assessments")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "year"],
                name="one_assessment_per_building_and_year",
                violation_error_message=_("This building is assessed already for that year."),
            )
        ]

    def __str__(self):
        return f"{self.building} {self.year}"

    # What a confirmed assessment's titles rest on: fixed once confirmed.
    FIXED_FIELDS = ("building_id", "year")

    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored", None)
        if (
            stored is not None
            and getattr(self, "_stored_state", None) == AssessmentState.CONFIRMED
            and not _is_a_restore(self)
            and any(stored[name] != getattr(self, name) for name in self.FIXED_FIELDS)
        ):
            raise ValidationError(
                _("The assessment is confirmed: its building and year are fixed.")
            )
        super().save(*args, **kwargs)
        self._stored = {name: getattr(self, name) for name in self.FIXED_FIELDS}
        self._stored_state = self.state

    @classmethod
    def from_db(cls, db, field_names, values):
        assessment = super().from_db(db, field_names, values)
        assessment._stored = {name: assessment.__dict__.get(name) for name in cls.FIXED_FIELDS}
        assessment._stored_state = assessment.__dict__.get("state")
        return assessment

    def clean(self):
        super().clean()
        if self.pk and getattr(self, "_stored_state", None) == AssessmentState.CONFIRMED:
            stored = self._stored
            if any(stored[name] != getattr(self, name) for name in self.FIXED_FIELDS):
                raise ValidationError(
                    _("The assessment is confirmed: its building and year are fixed.")
                )

    def total(self):
        """The sum of the assessment's scores."""
        return self.scores.aggregate(total=Sum("score"))["total"] or 0

    def category_totals(self):
        """Each category scored, with the sum of its scores: ``{Category: total}``, in the
        categories' order (one query)."""
        rows = (
            self.scores.values("standard__category")
            .annotate(total=Sum("score"))
            .order_by("standard__category")
        )
        sums = {row["standard__category"]: row["total"] for row in rows}
        return {
            category: sums[category.pk]
            for category in Category.objects.filter(pk__in=sums).order_by("sort_order", "kind")
        }

    @transition(
        field=state,
        source=AssessmentState.DRAFT,
        target=None,
        permission=ASSESS,
        custom={
            "label": _("Enter the scores"),
            "form": "buildings.admin_forms.ScoresForm",
        },
    )
    def enter_scores(self, by=None, scores=None):
        """``scores``: ``{standard: (score, evidence)}``; a score of None removes it."""
        for standard, (value, evidence) in (scores or {}).items():
            existing = self.scores.filter(standard=standard).first()
            if value is None:
                if existing is not None:
                    existing.delete()
                continue
            score = existing or Score(assessment=self, standard=standard)
            score.score = value
            score.evidence = evidence or ""
            score._history_user = by
            score.full_clean()
            score.save()

    @transition(
        field=state,
        source=AssessmentState.DRAFT,
        target=AssessmentState.SUBMITTED,
        permission=ASSESS,
        custom={"label": _("Submit the assessment")},
    )
    def submit(self, by=None):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=AssessmentState.SUBMITTED,
        target=AssessmentState.DRAFT,
        permission=CONFIRM,
        custom={"label": _("Return to draft"), "reason_required": True},
    )
    def return_to_draft(self, by=None):
        self.submitted_at = None

    @transition(
        field=state,
        source=AssessmentState.SUBMITTED,
        target=AssessmentState.CONFIRMED,
        permission=CONFIRM,
        custom={"label": _("Confirm the assessment")},
    )
    def confirm(self, by=None):
        self.confirmed_at = timezone.now()


class Score(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="scores"
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    evidence = models.TextField(_("evidence"), blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["assessment", "standard__category__sort_order", "standard__sort_order"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "standard"], name="one_score_per_standard"
            )
        ]

    def __str__(self):
        # 8 and 8.0 read alike, before and after the database gives the decimal back.
        score = format(Decimal(str(self.score)).normalize(), "f")
        return f"{self.standard.text}: {score}"

    def save(self, *args, **kwargs):
        self._refuse_once_confirmed()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_once_confirmed()
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.standard_id is None:
            return
        standard = self.standard
        if not standard.category.active:
            raise ValidationError(
                {
                    "standard": _(
                        "“%(standard)s” belongs to the category %(category)s, which is not "
                        "assessed now."
                    )
                    % {"standard": standard.text, "category": standard.category}
                }
            )
        if self.score is not None and self.score > standard.max_score:
            raise ValidationError(
                {
                    "score": _("The score for “%(standard)s” is over its maximum of %(maximum)s.")
                    % {"standard": standard.text, "maximum": standard.max_score}
                }
            )

    def _refuse_once_confirmed(self):
        if _is_a_restore(self):
            return
        assessments = Assessment.objects.filter(pk=self.assessment_id)
        if self.pk is not None:
            # A score moved away from a confirmed assessment rewrites it too.
            assessments |= Assessment.objects.filter(scores__pk=self.pk)
        if assessments.confirmed().exists():
            raise ScoresFixed()


class TitleKind(models.TextChoices):
    PIONEER = "pioneer", _("pioneer building")
    DEMONSTRATION = "demonstration", _("demonstration building")
    CHARACTERISTIC = "characteristic", _("characteristic building")


class TitleState(models.TextChoices):
    AWARDED = "awarded", _("awarded")
    WITHDRAWN = "withdrawn", _("withdrawn")


class TitleQuerySet(models.QuerySet):
    def awarded(self):
        return self.filter(state=TitleState.AWARDED)

    def honour_roll(self, year=None):
        """The public honour roll (光荣榜): titles awarded and not withdrawn, newest year
        first, as plain values with no personal data (no leader, no assessors, no notes)."""
        titles = self.awarded()
        if year is not None:
            titles = titles.filter(year=year)
        # The kinds in the order of their choices (the pioneers first), so that a page of
        # the roll ends where the roll as a whole would go on.
        kind_order = Case(
            *(When(kind=kind, then=Value(position)) for position, kind in enumerate(TitleKind))
        )
        return titles.order_by(
            "-year", kind_order, "category__sort_order", "building__name", "pk"
        ).values("year", "kind", "category__kind", "building__name")


class Title(FSMModelMixin, models.Model):
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.PROTECT,
        related_name="titles",
        help_text=_("The confirmed assessment the title is awarded from."),
    )
    # Copied from the assessment as the title is saved: the honour roll reads them directly.
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="titles",
        editable=False,
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    kind = models.CharField(
        pgettext_lazy("building title", "title"), max_length=20, choices=TitleKind.choices
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="titles",
        help_text=_("Only for a characteristic building."),
    )
    state = FSMField(
        _("state"), default=TitleState.AWARDED, choices=TitleState.choices, protected=True
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)

    history = AuditedHistory()
    objects = TitleQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "kind", "building__name"]
        verbose_name = pgettext_lazy("building title", "title")
        verbose_name_plural = pgettext_lazy("building title", "titles")
        permissions = [("withdraw_title", _("Can withdraw building titles"))]
        # The honour roll reads the titles awarded, newest year first, from this index: it
        # sorts one year's titles at a time (by kind, category and building), not every
        # year's, and stops at a page's worth.
        indexes = [models.Index(fields=["state", "year"], name="title_state_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "year", "kind"],
                condition=Q(category__isnull=True, state="awarded"),
                name="one_title_of_a_kind_per_building_and_year",
                violation_error_message=_("The building holds this title for that year already."),
            ),
            models.UniqueConstraint(
                fields=["building", "year", "kind", "category"],
                condition=Q(category__isnull=False, state="awarded"),
                name="one_characteristic_title_per_category",
                violation_error_message=_("The building holds this title for that year already."),
            ),
        ]

    def __str__(self):
        if self.category_id:
            # "平安型特色楼" in Chinese, "safety characteristic building" in English.
            kind = gettext("%(category)s %(title)s") % {
                "category": self.category,
                "title": self.get_kind_display(),
            }
            return f"{self.building_name()} {self.year} {kind}"
        return f"{self.building_name()} {self.year} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self._copy_from_assessment()
        if (
            not _is_a_restore(self)
            and self.pk is None
            and not Assessment.objects.filter(pk=self.assessment_id).confirmed().exists()
        ):
            raise ValidationError(_("A title is awarded only from a confirmed assessment."))
        super().save(*args, **kwargs)

    def building_name(self):
        return self.building.name if self.building_id else ""

    def _copy_from_assessment(self):
        if self.assessment_id is not None:
            self.building_id = self.assessment.building_id
            self.year = self.assessment.year

    def clean(self):
        super().clean()
        self._copy_from_assessment()
        errors = {}
        if self.assessment_id is not None and (self.assessment.state != AssessmentState.CONFIRMED):
            errors["assessment"] = _("A title is awarded only from a confirmed assessment.")
        if self.kind == TitleKind.CHARACTERISTIC and self.category_id is None:
            errors["category"] = _("A characteristic building is awarded in a category.")
        if self.kind and self.kind != TitleKind.CHARACTERISTIC and self.category_id is not None:
            errors["category"] = _("Only a characteristic building has a category.")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The building, year and state are not on the form, but the constraints are about them.
        self._copy_from_assessment()
        exclude = set(exclude or ()) - {"building", "year", "state"}
        super().validate_constraints(exclude=exclude)

    @transition(
        field=state,
        source=TitleState.AWARDED,
        target=TitleState.WITHDRAWN,
        permission=WITHDRAW,
        custom={"label": _("Withdraw the title"), "reason_required": True},
    )
    def withdraw(self, by=None, reason=""):
        self.withdrawn_reason = reason
        self.withdrawn_at = timezone.now()


class ProjectKind(models.TextChoices):
    UNIT_BRAND = "unit_brand", _("one unit, one brand")
    SOCIETY_SPECIALITY = "society_speciality", _("one society, one speciality")


class Project(models.Model):
    """A "one unit, one brand" (一单位一品牌) or "one society, one speciality"
    (一社团一特色) project."""

    name = models.CharField(pgettext_lazy("project", "name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=ProjectKind.choices)
    held_by = models.CharField(
        _("building or partner"),
        max_length=150,
        help_text=_("The building, unit or society that carries the project."),
    )
    description = models.TextField(_("description"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"))

    history = AuditedHistory()

    class Meta:
        ordering = ["-year", "kind", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return self.name
