"""The register of persons: cadres, party members, resident representatives, volunteers.

Other modules point at ``Person`` (a duty shift's cadre, a motion's eligible roll). A
person's address and phone number are personal data: they are shown in the admin to the roles
that keep the registers (``VIEW_CONTACT``) and never on the public site. A person's party
membership and its category are kept by the party member record (``party.PartyMember``).
"""

import calendar
import datetime
from decimal import Decimal

from django_fsm import FSMField, FSMModelMixin, transition

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.search import index

from audit.history import AuditedHistory

from .validators import normalise_phone, validate_phone


class PartyStatus(models.TextChoices):
    """The three categories of party members (在册, 在职, 流动). A member's category is kept on
    the party member record only (``party.PartyMember.category``); the person's history keeps
    the values of the column the register once had (``FormerPartyStatus``)."""

    REGISTERED = "registered", _("Registered here")
    IN_SERVICE = "in_service", _("In service here")
    MIGRANT = "migrant", _("Migrant")


class FormerPartyStatus(models.Model):
    """The column ``party_status`` that persons had until the party member record became the
    one source of the category (people 0004), kept in the persons' history table only.

    A history row's entry in the audit chain is hashed over every column of its row, so the
    rows written before keep their value and the column: dropped, they could no longer be
    verified. Rows written since hold an empty value."""

    party_status = models.CharField(
        _("party membership"),
        max_length=20,
        choices=PartyStatus.choices,
        blank=True,
        help_text=_("For party members: where their membership is registered."),
    )

    class Meta:
        abstract = True


# Who may see a person's address, phone and notes: the roles that keep the registers (and
# the supervisors, read-only), never those who only pick a person (duty cadres). Editors and
# moderators do not see the register at all.
VIEW_CONTACT = "people.view_person_contact"
CONTACT_FIELDS = ("building", "unit", "phone", "notes")


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def cadres(self):
        return self.active().filter(is_cadre=True)

    def party_members(self):
        return self.active().filter(is_party_member=True)

    def representatives(self):
        return self.active().filter(is_representative=True)

    def volunteers(self):
        return self.active().filter(is_volunteer=True)


class Person(index.Indexed, models.Model):
    # The roles a person holds, in the order they are shown.
    ROLE_FIELDS = ("is_cadre", "is_party_member", "is_representative", "is_volunteer")
    # The roles given in the register itself; party membership comes from the member record.
    ASSIGNED_ROLE_FIELDS = ("is_cadre", "is_representative", "is_volunteer")

    name = models.CharField(_("name"), max_length=100)
    is_cadre = models.BooleanField(_("cadre"), default=False)
    # Kept by the party member record (``party.PartyMember``), the one source of a person's
    # membership and its category: true while that record is active, false once the member
    # is transferred out or the record is deleted. Never edited in the person's own form.
    is_party_member = models.BooleanField(
        _("party member"),
        default=False,
        editable=False,
        help_text=_("Kept by the party member record."),
    )
    is_representative = models.BooleanField(_("resident representative"), default=False)
    is_volunteer = models.BooleanField(_("volunteer"), default=False)
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[validate_phone],
        help_text=_("Personal data: shown only to the roles that handle the register."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_active = models.BooleanField(
        _("in the register"),
        default=True,
        help_text=_("Clear when the person moves away or steps down; the record is kept."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # A person's address, phone and notes are masked in history for whoever may not see
    # them in the record (``VIEW_CONTACT``).
    history = AuditedHistory(
        personal_fields=CONTACT_FIELDS,
        personal_permission=VIEW_CONTACT,
        bases=[FormerPartyStatus],
    )
    objects = PersonQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("is_active"),
    ]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [("view_person_contact", _("Can see persons' addresses and phones"))]
        indexes = [
            models.Index(fields=["is_active", "is_representative"]),
            models.Index(fields=["is_active", "is_cadre"]),
            # The listing's order: a page of 100,000 persons without sorting them all.
            models.Index(fields=["name", "id"], name="person_name_id"),
        ]

    # Set by the person's form when a new party member's member record is to be added next.
    joining_party = False

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.phone = normalise_phone(self.phone)
        # Party membership is a role the member record gives: a person who has one (current
        # or former) is in the register for it, and a new party member's record is added
        # once the person is saved (the form says so with ``joining_party``, ``people.forms``).
        if (
            not any(getattr(self, role) for role in self.ROLE_FIELDS)
            and not self.joining_party
            and self.party_member_record is None
        ):
            raise ValidationError(_("Choose at least one role for this person."))

    @property
    def role_names(self):
        return [
            str(self._meta.get_field(role).verbose_name)
            for role in self.ROLE_FIELDS
            if getattr(self, role)
        ]

    @admin.display(description=_("roles"))
    def roles_label(self):
        return _(", ").join(self.role_names)

    @property
    def party_member_record(self):
        """The person's party member record (``party.PartyMember``, through its one-to-one
        relation), or None. Select it with the person (``select_related("party_member")``)
        where many persons are read."""
        try:
            return self.party_member
        except ObjectDoesNotExist:
            return None

    @property
    @admin.display(description=_("party membership"))
    def party_membership(self):
        """What the member record says: the category while the member is active, else the
        record's state (transferred out); empty for a person with no member record."""
        member = self.party_member_record
        if member is None:
            return ""
        return member.get_category_display() if member.is_active else member.get_state_display()

    @property
    @admin.display(description=_("address"))
    def address(self):
        return " ".join(part for part in (self.building, self.unit) if part)


# ---------------------------------------------------------------------------------------
# Cadre training (干部培训) and talks (谈心谈话), and the two rules they are held to

# Each cadre trains at least this many days a calendar year (the ten-day rule)...
TRAINING_DAYS_PER_YEAR = 10
# ...and has a talk with a committee member at least every six calendar months.
TALK_INTERVAL_MONTHS = 6


def months_before(day, months):
    """The same day ``months`` calendar months before ``day``; the month's last day when
    that month is shorter (six months before 31 August is 28 or 29 February)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def talk_due_since(today=None):
    """The oldest date a cadre's last talk may have and still comply today: a talk exactly
    six calendar months ago complies, one a day older is overdue."""
    return months_before(today or timezone.localdate(), TALK_INTERVAL_MONTHS)


class TrainingSubject(models.TextChoices):
    POLITICAL_THEORY = "political_theory", _("Political theory")
    LAWS = "laws", _("Laws and regulations")
    COMMUNITY_CONSTRUCTION = "community_construction", _("Community construction")
    COMMUNITY_SERVICE = "community_service", _("Community service")
    BUSINESS = "business", _("Business knowledge")


class TrainingQuerySet(models.QuerySet):
    def in_year(self, year):
        """Training that started in the calendar year ``year``."""
        return self.filter(start_date__year=year)


class Training(models.Model):
    """A course a cadre attended (干部培训), counted towards the ten-day rule in the year it
    started."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="trainings",
        limit_choices_to={"is_cadre": True},
    )
    subject = models.CharField(_("subject area"), max_length=30, choices=TrainingSubject.choices)
    title = models.CharField(_("course title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    days = models.DecimalField(
        _("days"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("Days of training, halves allowed; at most the calendar days of the period."),
    )
    certificate = models.CharField(
        _("certificate"),
        max_length=100,
        blank=True,
        help_text=_("The certificate's number or name, if one was given."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory()
    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("training")
        verbose_name_plural = _("training")
        indexes = [models.Index(fields=["person", "start_date"], name="training_person_start")]

    def __str__(self):
        return f"{self.person} · {self.title}"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                raise ValidationError(
                    {"end_date": _("The end date cannot be before the start date.")}
                )
            if self.days is not None:
                calendar_days = (self.end_date - self.start_date).days + 1
                if self.days > calendar_days:
                    raise ValidationError(
                        {
                            "days": _(
                                "The period from start to end has only %(count)s calendar days."
                            )
                            % {"count": calendar_days}
                        }
                    )
        if self.days is not None and self.days <= 0:
            raise ValidationError({"days": _("Give more than zero days.")})


class FollowUpState(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up state", "Open")
    DONE = "done", pgettext_lazy("follow-up state", "Done")


CLOSE_FOLLOW_UP = "people.close_follow_up"


class TalkQuerySet(models.QuerySet):
    def open_follow_ups(self):
        return self.filter(follow_up_state=FollowUpState.OPEN)


class Talk(FSMModelMixin, models.Model):
    """A talk between a committee member and a cadre (谈心谈话): what was talked about, the
    problems raised and what is done about them."""

    committee_member = models.ForeignKey(
        Person,
        verbose_name=_("committee member"),
        on_delete=models.PROTECT,
        related_name="talks_held",
    )
    cadre = models.ForeignKey(
        Person,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="talks",
        limit_choices_to={"is_cadre": True},
    )
    date = models.DateField(_("date"))
    topics = models.TextField(_("topics"))
    problems = models.TextField(_("problems raised"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_state = FSMField(
        _("follow-up state"),
        default=FollowUpState.OPEN,
        choices=FollowUpState.choices,
        protected=True,
    )
    done_at = models.DateTimeField(_("follow-up done"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # What was said in a talk is personal: masked for those who may not see talks.
    history = AuditedHistory(personal_fields=["topics", "problems", "follow_up"])
    objects = TalkQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        permissions = [("close_follow_up", _("Can mark a talk's follow-up done"))]
        indexes = [models.Index(fields=["cadre", "date"], name="talk_cadre_date")]

    def __str__(self):
        return f"{self.cadre} · {self.date}"

    def clean(self):
        super().clean()
        if self.cadre_id and self.cadre_id == self.committee_member_id:
            raise ValidationError(
                {"committee_member": _("The committee member talks with someone else.")}
            )

    def has_follow_up(self):
        return bool(self.follow_up.strip())

    @transition(
        field=follow_up_state,
        source=FollowUpState.OPEN,
        target=FollowUpState.DONE,
        permission=CLOSE_FOLLOW_UP,
        conditions=[has_follow_up],
        custom={
            "label": _("Mark the follow-up done"),
            "refused": _("Write the follow-up first."),
        },
    )
    def complete(self, by=None):
        self.done_at = timezone.now()
