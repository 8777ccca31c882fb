"""Volunteer service (志愿服务): the volunteer teams with their party-member backbone, the
activities they hold with each participant's hours, and each party member's "five ones"
pledge card (五个一承诺卡) for a year.

- ``Team``: what it does, when it was formed, its members and its backbone (骨干), who are
  party members (``Person.is_party_member``). Only active teams are shown to the public
  (``Team.objects.public()``), and only as numbers: no names.
- ``VolunteerActivity`` and its ``Participation`` rows (who took part, for how many hours),
  edited together in the activity's form; each participation keeps its own history, and
  removing one from the form deletes it with a history row.
- ``PledgeCard``: one per party member and year, the five pledges ("apply for one post, give
  one act of care, offer one idea, form one pair, do one practical thing"), each with what
  was done and when, recorded through the named step "Record what was done"; the card is
  fulfilled once all five are done, and may be reopened with a reason.

The service days of a person ("donate one day", 奉献一天) are counted in
``volunteers.service``, across the duty posts (through ``duty.api``) and the activities.
"""

import datetime
from decimal import Decimal

from django_fsm import FSMField, FSMModelMixin, transition

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from audit.history import AuditedHistory, ChildHistory
from people.models import Person

RECORD_PLEDGE = "volunteers.record_pledgecard"
FULFIL_PLEDGE = "volunteers.fulfil_pledgecard"
MAX_HOURS = Decimal("24")
FIRST_YEAR, LAST_YEAR = 2000, 2099


def not_party_members(people):
    """The people among ``people`` who are not party members (a team's backbone must be)."""
    return [person for person in people if not person.is_party_member]


def backbone_error(people):
    """The message refusing ``people`` (not party members) as a team's backbone."""
    return gettext("Not a party member, so not in the backbone: %(names)s.") % {
        "names": gettext(", ").join(person.name for person in people)
    }


class TeamQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def public(self):
        """What the public page may show: the active teams (as numbers, never names)."""
        return self.active()

    def with_counts(self):
        """Each team with its ``member_count`` and ``backbone_count``. Grouped over every team
        selected: a public page counts only the teams it shows."""
        return self.annotate(
            member_count=Count("members", distinct=True),
            backbone_count=Count("backbone", distinct=True),
        )


class Team(models.Model):
    """A volunteer team (志愿服务队), its party-member backbone and its members."""

    name = models.CharField(_("team name"), max_length=100, unique=True)
    focus = models.TextField(_("what the team does"))
    formed_on = models.DateField(_("formed on"), default=timezone.localdate)
    active = models.BooleanField(
        pgettext_lazy("volunteer team", "active"),
        default=True,
        help_text=_("Untick when the team no longer serves."),
    )
    backbone = models.ManyToManyField(
        Person,
        verbose_name=_("party-member backbone"),
        blank=True,
        related_name="volunteer_teams_led",
        help_text=_("Party members who carry the team; they count among its members."),
    )
    members = models.ManyToManyField(
        Person, verbose_name=_("members"), blank=True, related_name="volunteer_teams"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(m2m_fields=[backbone, members])
    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")

    def __str__(self):
        return self.name

    def get_active_display(self):
        return gettext("Yes") if self.active else gettext("No")


@receiver(m2m_changed, sender=Team.backbone.through)
def _backbone_are_party_members(sender, instance, action, reverse, pk_set, **kwargs):
    """Whatever the path (a form, code, a restore), a team's backbone holds party members only."""
    if action != "pre_add" or not pk_set:
        return
    people = [instance] if reverse else list(Person.objects.filter(pk__in=pk_set))
    refused = not_party_members(people)
    if refused:
        raise ValidationError(backbone_error(refused), code="not_party_member")


class VolunteerActivityQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(date__year=year)


class VolunteerActivity(ClusterableModel):
    """A volunteer activity held by a team, with who took part and for how many hours."""

    team = models.ForeignKey(
        Team, verbose_name=_("volunteer team"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=150, blank=True)
    summary = models.TextField(_("activity summary"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory()
    objects = VolunteerActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        indexes = [models.Index(fields=["date", "team"], name="volunteer_activity_date_team")]

    def __str__(self):
        return f"{self.date} {self.title}"

    def participant_count(self):
        return len(self.participations.all())

    def total_hours(self):
        return sum((p.hours for p in self.participations.all()), Decimal("0"))


def hours_in_range(value):
    if value is not None and not (Decimal("0") < value <= MAX_HOURS):
        raise ValidationError(
            _("Hours are more than 0 and at most 24 a day."), code="hours_out_of_range"
        )


# Set on an activity while its admin form saves it with its participations.
SAVING_FROM_FORM = "_saving_participations_from_form"


class Participation(models.Model):
    """One person at one activity, for a number of hours (more than 0, at most 24)."""

    activity = ParentalKey(
        VolunteerActivity,
        verbose_name=_("volunteer activity"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="volunteer_participations",
    )
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[hours_in_range]
    )

    history = ChildHistory()

    class Meta:
        ordering = ["activity", "person__name", "pk"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                name="volunteers_one_participation_per_person",
                violation_error_message=_("This person is already listed at this activity."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=MAX_HOURS),
                name="volunteers_participation_hours_in_range",
                violation_error_message=_("Hours are more than 0 and at most 24 a day."),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.activity} · {self.hours}"

    def save(self, *args, **kwargs):
        # The activity's form (``ActivityForm``) saves every row of its participations
        # again: there, a row that did not change writes no history row. Elsewhere every
        # save is recorded, as for any audited model.
        unchanged = (
            self.pk is not None
            and getattr(self, "_loaded", None) == self._values()
            and getattr(self.activity, SAVING_FROM_FORM, False)
        )
        if unchanged:
            self.skip_history_when_saving = True
        try:
            super().save(*args, **kwargs)
        finally:
            if unchanged:
                del self.skip_history_when_saving
        self._loaded = self._values()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = instance._values()
        return instance

    def _values(self):
        return (self.activity_id, self.person_id, self.hours)


# ---------------------------------------------------------------------------------------
# The "five ones" pledge card (五个一承诺卡)


class PledgeState(models.TextChoices):
    OPEN = "open", pgettext_lazy("pledge card state", "Open")
    FULFILLED = "fulfilled", pgettext_lazy("pledge card state", "Fulfilled")


class PledgeItem(models.TextChoices):
    """The five ones, in the order of the card."""

    POST = "post", _("Apply for one post")
    CARE = "care", _("Give one act of care")
    IDEA = "idea", _("Offer one idea")
    PAIR = "pair", _("Form one pair (one helps one)")
    PRACTICAL = "practical", _("Do one practical thing")


def all_five_done(card):
    return all(card.is_done(item) for item in PledgeItem.values)


class PledgeCardQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(year=year)

    def open(self):
        return self.filter(state=PledgeState.OPEN)


def current_year():
    return timezone.localdate().year


class PledgeCard(FSMModelMixin, models.Model):
    """A party member's "five ones" pledge for a year: for each of the five, what was
    pledged, and (recorded through the step ``record_item``) what was done and when."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="pledge_cards",
    )
    year = models.PositiveSmallIntegerField(_("year"), default=current_year)

    post_pledged = models.TextField(_("one post: what is pledged"), blank=True)
    post_done = models.TextField(_("one post: what was done"), blank=True, editable=False)
    post_done_on = models.DateField(_("one post: done on"), null=True, editable=False)
    care_pledged = models.TextField(_("one act of care: what is pledged"), blank=True)
    care_done = models.TextField(_("one act of care: what was done"), blank=True, editable=False)
    care_done_on = models.DateField(_("one act of care: done on"), null=True, editable=False)
    idea_pledged = models.TextField(_("one idea: what is pledged"), blank=True)
    idea_done = models.TextField(_("one idea: what was done"), blank=True, editable=False)
    idea_done_on = models.DateField(_("one idea: done on"), null=True, editable=False)
    pair_pledged = models.TextField(_("one pair: what is pledged"), blank=True)
    pair_done = models.TextField(_("one pair: what was done"), blank=True, editable=False)
    pair_done_on = models.DateField(_("one pair: done on"), null=True, editable=False)
    practical_pledged = models.TextField(_("one practical thing: what is pledged"), blank=True)
    practical_done = models.TextField(
        _("one practical thing: what was done"), blank=True, editable=False
    )
    practical_done_on = models.DateField(
        _("one practical thing: done on"), null=True, editable=False
    )

    state = FSMField(
        _("state"), default=PledgeState.OPEN, choices=PledgeState.choices, protected=True
    )
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory()
    objects = PledgeCardQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "person__name", "pk"]
        verbose_name = _("five ones pledge card")
        verbose_name_plural = _("five ones pledge cards")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"],
                name="volunteers_one_pledge_card_per_person_and_year",
                violation_error_message=_("This party member already has a card for that year."),
            )
        ]
        permissions = [
            ("record_pledgecard", _("Can record what was done on a pledge card")),
            ("fulfil_pledgecard", _("Can mark a pledge card fulfilled or reopen it")),
        ]

    def __str__(self):
        return gettext("%(person)s · five ones %(year)s") % {
            "person": self.person,
            "year": self.year,
        }

    def clean(self):
        super().clean()
        if self.person_id and not self.person.is_party_member:
            raise ValidationError(
                {"person": _("Pledge cards are kept for party members only.")},
                code="not_party_member",
            )
        if self.year is not None and not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise ValidationError(
                {"year": _("Give a year between 2000 and 2099.")}, code="year_out_of_range"
            )

    # The five items, each as (item, label, pledged, done, done on), for the card's views.
    def items(self):
        return [
            (
                item,
                label,
                getattr(self, f"{item}_pledged"),
                getattr(self, f"{item}_done"),
                getattr(self, f"{item}_done_on"),
            )
            for item, label in PledgeItem.choices
        ]

    def is_done(self, item):
        return bool(getattr(self, f"{item}_done").strip()) and bool(
            getattr(self, f"{item}_done_on")
        )

    @property
    def done_count(self):
        return sum(self.is_done(item) for item in PledgeItem.values)

    def get_done_count_display(self):
        return f"{self.done_count}/{len(PledgeItem.values)}"

    @transition(
        field=state,
        source=PledgeState.OPEN,
        target=None,
        permission=RECORD_PLEDGE,
        custom={
            "label": _("Record what was done"),
            "form": "volunteers.admin_forms.RecordItemForm",
        },
    )
    def record_item(self, by=None, item="", done="", done_on=None):
        """Write what was done for one of the five, and when (a date in the card's year)."""
        if item not in PledgeItem.values:
            raise ValueError(f"No such item on the card: {item!r}")
        if not (done or "").strip() or done_on is None:
            raise ValueError("Say what was done and when.")
        if not isinstance(done_on, datetime.date) or done_on.year != self.year:
            raise ValueError("The date falls in the card's year.")
        setattr(self, f"{item}_done", done.strip())
        setattr(self, f"{item}_done_on", done_on)

    @transition(
        field=state,
        source=PledgeState.OPEN,
        target=PledgeState.FULFILLED,
        permission=FULFIL_PLEDGE,
        conditions=[all_five_done],
        custom={
            "label": _("Mark the card fulfilled"),
            "refused": _("Record what was done for all five first."),
        },
    )
    def fulfil(self, by=None):
        self.fulfilled_at = timezone.now()

    @transition(
        field=state,
        source=PledgeState.FULFILLED,
        target=PledgeState.OPEN,
        permission=FULFIL_PLEDGE,
        custom={"label": _("Reopen the card"), "reason_required": True},
    )
    def reopen(self, by=None):
        self.fulfilled_at = None
