"""Key households and the cadres' visits to them (重点户走访), and the "four hundred"
(四个一百) that the visits show: doors entered, families known, difficulties solved.

- ``Household``: a household the committee keeps in view (a family in difficulty, a
  petitioner, a veteran cadre, a migrant household...). Its address, the head's name and phone
  and its notes are personal data: shown in the admin to the visiting roles and supervisors,
  masked in the History centre for anyone else, never on the public site.
- ``Visit``: who went (cadres and party members from the register), when, what they found and
  the opinions they heard; whether the family's circumstances are now known.
- ``Promise`` (承诺): what the visitors promised, open until it is done (with what was done,
  stamped) or handed on to another office (to whom, with the reason).

The rule: every active household is visited at least once in each half year (1 January to 30
June, 1 July to 31 December): ``Household.objects.not_visited_in(half_year(day))``.
"""

import datetime
from dataclasses import dataclass

from django_fsm import FSMField, FSMModelMixin, transition

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.history import AuditedHistory
from people.models import Person
from people.validators import normalise_phone, validate_phone

VIEW_HOUSEHOLD = "visits.view_household"
RECORD_PROMISE = "visits.record_promise"
HAND_ON_PROMISE = "visits.hand_on_promise"
HOUSEHOLD_PERSONAL_FIELDS = ("building", "unit", "head_name", "phone", "notes")
VISIT_PERSONAL_FIELDS = ("circumstances", "opinions")
PROMISE_PERSONAL_FIELDS = ("description", "outcome")


@dataclass(frozen=True)
class HalfYear:
    """One half of a year: the first (1 January to 30 June) or the second (1 July to 31
    December)."""

    year: int
    half: int

    @property
    def start(self):
        return datetime.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self):
        return (
            datetime.date(self.year, 6, 30) if self.half == 1 else datetime.date(self.year, 12, 31)
        )

    def __contains__(self, day):
        return self.start <= day <= self.end

    def __str__(self):
        if self.half == 1:
            return _("first half of %(year)s") % {"year": self.year}
        return _("second half of %(year)s") % {"year": self.year}


def half_year(day=None):
    """The half year ``day`` (by default today, in the site's time zone) falls in."""
    day = day or timezone.localdate()
    return HalfYear(day.year, 1 if day.month <= 6 else 2)


class HouseholdCategory(models.TextChoices):
    IN_DIFFICULTY = "in_difficulty", _("Family in difficulty")
    PETITIONER = "petitioner", _("Petitioner household")
    VETERAN_CADRE = "veteran_cadre", _("Veteran cadre")
    MIGRANT = "migrant", _("Migrant household")
    OTHER = "other", pgettext_lazy("household category", "Other")


class HouseholdQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visited_in(self, half):
        """The households with at least one visit in the half year ``half``."""
        return self.filter(
            pk__in=Visit.objects.filter(date__range=(half.start, half.end)).values("household")
        )

    def not_visited_in(self, half):
        """The active households no one visited in the half year ``half``: due a visit."""
        return self.active().exclude(
            pk__in=Visit.objects.filter(date__range=(half.start, half.end)).values("household")
        )


class Household(models.Model):
    building = models.CharField(_("building"), max_length=20)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    head_name = models.CharField(_("head of household"), max_length=100)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[validate_phone],
        help_text=_("Personal data: shown only to the roles that visit the households."),
    )
    category = models.CharField(_("category"), max_length=20, choices=HouseholdCategory.choices)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(
        _("kept in view"),
        default=True,
        help_text=_("Clear when the household moves away or no longer needs visits."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(personal_fields=HOUSEHOLD_PERSONAL_FIELDS)
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["building", "unit", "head_name", "pk"]
        verbose_name = _("key household")
        verbose_name_plural = _("key households")
        indexes = [models.Index(fields=["is_active", "category"])]

    def __str__(self):
        # Kept in the audit chain and shown in the History centre to whoever reads it: no
        # name, phone or address, only the household's number and category.
        return _("Household no. %(number)s (%(category)s)") % {
            "number": self.pk,
            "category": self.get_category_display(),
        }

    @property
    def label(self):
        """The head's name and the address, for those who may see the household."""
        return f"{self.head_name} · {self.address}"

    @property
    def address(self):
        return " ".join(part for part in (self.building, self.unit) if part)

    def clean(self):
        super().clean()
        self.phone = normalise_phone(self.phone)


class VisitQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(date__year=year)

    def in_half(self, half):
        return self.filter(date__range=(half.start, half.end))


def not_in_the_future(day):
    if day > timezone.localdate():
        raise ValidationError(_("A visit cannot be dated in the future."), code="future")


class Visit(models.Model):
    """A visit to a household. "Family's circumstances known" is a yes/no the visitors give,
    not derived from the findings: a few words written on a first call at a closed door are
    not knowing the family, and the tally counts what the visitors vouch for."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visitors = models.ManyToManyField(
        Person,
        verbose_name=_("visitors"),
        related_name="household_visits",
        help_text=_("The cadres and party members who went."),
    )
    date = models.DateField(
        _("date of the visit"), default=timezone.localdate, validators=[not_in_the_future]
    )
    circumstances = models.TextField(_("what was found"), blank=True)
    opinions = models.TextField(_("opinions heard"), blank=True)
    circumstances_known = models.BooleanField(
        _("family's circumstances known"),
        default=False,
        help_text=_("Tick when the visit made the family's situation known (四个一百)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(personal_fields=VISIT_PERSONAL_FIELDS)
    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["date", "household"], name="visit_date_household")]

    def __str__(self):
        return f"{self.household} · {self.date}"

    @property
    def visitor_names(self):
        return _(", ").join(person.name for person in self.visitors.all())

    def clean(self):
        super().clean()
        if self.circumstances_known and not self.circumstances.strip():
            raise ValidationError(
                {"circumstances": _("Write what was found to say the family is known.")}
            )


class PromiseState(models.TextChoices):
    OPEN = "open", pgettext_lazy("promise state", "Open")
    DONE = "done", pgettext_lazy("promise state", "Done")
    HANDED_ON = "handed_on", pgettext_lazy("promise state", "Handed on")


class PromiseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=PromiseState.OPEN)

    def done_in_year(self, year):
        return self.filter(state=PromiseState.DONE, done_at__year=year)


class Promise(FSMModelMixin, models.Model):
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="promises"
    )
    description = models.TextField(_("what was promised"))
    state = FSMField(
        _("state"), default=PromiseState.OPEN, choices=PromiseState.choices, protected=True
    )
    outcome = models.TextField(_("what was done"), blank=True, editable=False)
    done_at = models.DateTimeField(_("done"), null=True, blank=True, editable=False)
    handed_to = models.CharField(_("handed on to"), max_length=150, blank=True, editable=False)
    handed_on_reason = models.TextField(_("reason for handing on"), blank=True, editable=False)
    handed_on_at = models.DateTimeField(_("handed on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(personal_fields=PROMISE_PERSONAL_FIELDS)
    objects = PromiseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        permissions = [
            ("record_promise", _("Can mark promises to households done")),
            ("hand_on_promise", _("Can hand promises to households on")),
        ]
        indexes = [models.Index(fields=["state", "done_at"], name="promise_state_done")]

    def __str__(self):
        # What was promised is personal (masked in history): the chain keeps only the number.
        return _("Promise no. %(number)s") % {"number": self.pk}

    @transition(
        field=state,
        source=PromiseState.OPEN,
        target=PromiseState.DONE,
        permission=RECORD_PROMISE,
        custom={
            "label": _("Mark the promise kept"),
            "form": "visits.admin_forms.KeepPromiseForm",
        },
    )
    def keep(self, by=None, outcome=""):
        if not outcome.strip():
            raise ValueError("A kept promise says what was done.")
        self.outcome = outcome.strip()
        self.done_at = timezone.now()

    @transition(
        field=state,
        source=PromiseState.OPEN,
        target=PromiseState.HANDED_ON,
        permission=HAND_ON_PROMISE,
        custom={
            "label": _("Hand the promise on"),
            "reason_required": True,
            "form": "visits.admin_forms.HandOnForm",
        },
    )
    def hand_on(self, by=None, reason="", handed_to=""):
        if not handed_to.strip():
            raise ValueError("A promise is handed on to someone.")
        self.handed_to = handed_to.strip()
        self.handed_on_reason = reason
        self.handed_on_at = timezone.now()
