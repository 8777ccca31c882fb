"""The register of persons: cadres, party members, resident representatives, volunteers.

Other modules point at ``Person`` (a duty shift's cadre, a motion's eligible roll). A
person's phone number is personal data: it is shown in the admin to the roles that handle
the register and never on the public site.
"""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.search import index

from audit.history import AuditedHistory

from .validators import normalise_phone, validate_phone


class PartyStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered here")
    IN_SERVICE = "in_service", _("In service here")
    MIGRANT = "migrant", _("Migrant")


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

    name = models.CharField(_("name"), max_length=100)
    is_cadre = models.BooleanField(_("cadre"), default=False)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_representative = models.BooleanField(_("resident representative"), default=False)
    is_volunteer = models.BooleanField(_("volunteer"), default=False)
    party_status = models.CharField(
        _("party membership"),
        max_length=20,
        choices=PartyStatus.choices,
        blank=True,
        help_text=_("For party members: where their membership is registered."),
    )
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

    history = AuditedHistory(personal_fields=["phone", "notes"])
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
        indexes = [
            models.Index(fields=["is_active", "is_representative"]),
            models.Index(fields=["is_active", "is_cadre"]),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.phone = normalise_phone(self.phone)
        if not any(getattr(self, role) for role in self.ROLE_FIELDS):
            raise ValidationError(_("Choose at least one role for this person."))
        if self.party_status and not self.is_party_member:
            raise ValidationError(
                {"party_status": _("Only a party member has a party membership status.")}
            )

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
    @admin.display(description=_("address"))
    def address(self):
        return " ".join(part for part in (self.building, self.unit) if part)
