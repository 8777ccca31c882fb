"""The party members of the community (党员): each one a person of the register, with the
category of their membership (在册, 在职, 流动), their branch and a numbered contact card (联系卡).

The category reuses ``people.PartyStatus``: one vocabulary for the register and for the
party members. A member's workplace, party organisation and the place their membership is
held are personal data, shown only to the party-affairs office (and supervisors, read-only).
A member leaves through a named transition (transferred out), kept in the history with its
reason; a member who is transferred in is recorded with where they came from.
"""

from django_fsm import FSMField, FSMModelMixin, transition

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedHistory
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
        self._align_person()
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

    def _align_person(self):
        """The register says the same as the member record: a party member, of this category."""
        person = self.person
        if not person.is_party_member or person.party_status != self.category:
            person.is_party_member, person.party_status = True, self.category
            person.save(update_fields=["is_party_member", "party_status", "updated_at"])

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
