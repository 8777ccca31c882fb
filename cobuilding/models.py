"""Co-building with the units in the area (共驻共建, the "four links"): the partner units
(共建单位) with their contact person, the agreements signed with them (共建协议), the joint
activities of the four kinds (环境共建, 服务共办, 治安共防, 文体共享), and the register of the
new economic and social organisations (新经济组织和新社会组织, "两新组织") with the guidance
visits paid to them.

A partner's contact person and phone are personal data, masked in the History centre for
users who may not see partners. An agreement ends through a named transition with its reason;
an activity is published through one, and ``JointActivity.objects.published()`` is what a
public page may show. An organisation with ``PARTY_ORGANISATION_MINIMUM`` party members or
more and no party organisation yet is flagged (``NewOrganisation.objects.
needs_party_organisation()``): the office guides it to set one up.
"""

from django_fsm import FSMField, FSMModelMixin, transition

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, Max, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail.images import get_image_model_string

from audit.history import AuditedHistory
from people.models import Person

END_AGREEMENT = "cobuilding.end_agreement"
PUBLISH_ACTIVITY = "cobuilding.publish_jointactivity"

# Three full party members or more may set up a party branch (党章第三十条): an
# organisation with this many and no party organisation yet is flagged (>=).
PARTY_ORGANISATION_MINIMUM = 3


class PartnerKind(models.TextChoices):
    GOVERNMENT = "government", _("government office")
    ENTERPRISE = "enterprise", _("enterprise")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    SOCIAL = "social", _("social organisation")
    OTHER = "other", _("other")


class PartnerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Partner(models.Model):
    """A unit in the area the community works with (共建单位)."""

    name = models.CharField(_("unit name"), max_length=150, unique=True)
    kind = models.CharField(_("kind of unit"), max_length=20, choices=PartnerKind.choices)
    address = models.CharField(_("unit address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Untick when the unit no longer co-builds.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(personal_fields=["contact_person", "contact_phone"])
    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")

    def __str__(self):
        return self.name

    def get_active_display(self):
        return gettext("Yes") if self.active else gettext("No")


class AgreementState(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    ENDED = "ended", _("ended")


class AgreementQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(state=AgreementState.IN_FORCE)


class Agreement(FSMModelMixin, models.Model):
    """A co-building agreement (共建协议) with a partner: what each side undertakes."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner unit"), on_delete=models.PROTECT, related_name="agreements"
    )
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    community_undertakes = models.TextField(_("the community undertakes"), blank=True)
    partner_undertakes = models.TextField(_("the partner undertakes"), blank=True)
    state = FSMField(
        _("state"), default=AgreementState.IN_FORCE, choices=AgreementState.choices, protected=True
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory()
    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("co-building agreement")
        verbose_name_plural = _("co-building agreements")
        permissions = [("end_agreement", _("Can end a co-building agreement"))]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.signed_on and self.valid_until and self.valid_until < self.signed_on:
            raise ValidationError(
                {"valid_until": _("An agreement cannot end before it is signed.")}
            )

    @transition(
        field=state,
        source=AgreementState.IN_FORCE,
        target=AgreementState.ENDED,
        permission=END_AGREEMENT,
        custom={"label": _("End the agreement"), "reason_required": True},
    )
    def end(self, by=None):
        self.ended_on = timezone.localdate()


class ActivityKind(models.TextChoices):
    """The "four links" (四联): what the community and its partners do together."""

    ENVIRONMENT = "environment", _("environment created together")
    SERVICES = "services", _("services built together")
    SECURITY = "security", _("security defended together")
    CULTURE = "culture", _("culture and sports shared")


class ActivityState(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class JointActivityQuerySet(models.QuerySet):
    def published(self):
        """What the public site may show: the published activities."""
        return self.filter(state=ActivityState.PUBLISHED)

    def of_kind(self, kind):
        return self.filter(kind=kind)


def has_partners(activity):
    return activity.pk is not None and activity.partners.exists()


def has_taken_place(activity):
    return activity.date is not None and activity.date <= timezone.localdate()


class JointActivity(FSMModelMixin, models.Model):
    """An activity held with partner units, of one of the four kinds; published, it may
    be shown on the public site (no personal data: the participants' names stay here)."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of activity"), max_length=20, choices=ActivityKind.choices)
    partners = models.ManyToManyField(
        Partner, verbose_name=_("partner units"), related_name="activities"
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=150, blank=True)
    participant_count = models.PositiveIntegerField(_("number of participants"), default=0)
    participants = models.ManyToManyField(
        Person,
        verbose_name=_("residents taking part"),
        blank=True,
        related_name="joint_activities",
    )
    outcome = models.TextField(_("outcome"), blank=True)
    photo = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = FSMField(
        _("state"), default=ActivityState.DRAFT, choices=ActivityState.choices, protected=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory(m2m_fields=[partners, participants])
    objects = JointActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("joint activity")
        verbose_name_plural = _("joint activities")
        indexes = [models.Index(fields=["state", "date"], name="cobuilding_activity_state_date")]
        permissions = [("publish_jointactivity", _("Can publish a joint activity"))]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.state == ActivityState.PUBLISHED

    def partner_names(self):
        return "、".join(partner.name for partner in self.partners.all())

    @transition(
        field=state,
        source=ActivityState.DRAFT,
        target=ActivityState.PUBLISHED,
        permission=PUBLISH_ACTIVITY,
        conditions=[has_partners, has_taken_place],
        custom={
            "label": _("Publish"),
            "refused": _("Name its partner units, and publish it once it has taken place."),
        },
    )
    def publish(self, by=None):
        self.published_at = timezone.now()

    @transition(
        field=state,
        source=ActivityState.PUBLISHED,
        target=ActivityState.DRAFT,
        permission=PUBLISH_ACTIVITY,
        custom={"label": _("Withdraw from publication"), "reason_required": True},
    )
    def withdraw(self, by=None):
        self.published_at = None


class OrganisationKind(models.TextChoices):
    ECONOMIC = "economic", _("new economic organisation")
    SOCIAL = "social", _("new social organisation")


class NewOrganisationQuerySet(models.QuerySet):
    def needs_party_organisation(self):
        """Those with ``PARTY_ORGANISATION_MINIMUM`` party members or more and no party
        organisation yet."""
        return self.filter(FLAGGED)

    def with_flag(self):
        """Each with ``flagged`` (the rule above, as a column a listing sorts by) and
        ``last_visit``, the date of its latest guidance visit."""
        return self.annotate(
            flagged=ExpressionWrapper(FLAGGED, output_field=models.BooleanField()),
            last_visit=Max("guidance_visits__date"),
        )


FLAGGED = Q(party_members__gte=PARTY_ORGANISATION_MINIMUM, has_party_organisation=False)


class NewOrganisation(models.Model):
    """A new economic or social organisation in the area (两新组织)."""

    name = models.CharField(_("organisation name"), max_length=150, unique=True)
    kind = models.CharField(
        _("kind of organisation"), max_length=20, choices=OrganisationKind.choices
    )
    address = models.CharField(_("organisation address"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    party_members = models.PositiveIntegerField(_("party members among them"), default=0)
    has_party_organisation = models.BooleanField(_("has a party organisation"), default=False)
    party_organisation = models.CharField(
        _("party organisation"),
        max_length=150,
        blank=True,
        help_text=_("Its name, once it has one, e.g. the branch it set up or joined."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory()
    objects = NewOrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("new organisation")
        verbose_name_plural = _("new organisations")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.party_members > self.employees:
            raise ValidationError(
                {"party_members": _("There cannot be more party members than employees.")}
            )

    @property
    def needs_party_organisation(self):
        return self.party_members >= PARTY_ORGANISATION_MINIMUM and not self.has_party_organisation

    def get_needs_party_organisation_display(self):
        return gettext("Yes") if self.needs_party_organisation else gettext("No")

    def get_has_party_organisation_display(self):
        return gettext("Yes") if self.has_party_organisation else gettext("No")


class GuidanceVisit(models.Model):
    """A visit paid to a new organisation to guide its party building: who went, what was
    advised."""

    organisation = models.ForeignKey(
        NewOrganisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="guidance_visits",
    )
    date = models.DateField(_("date"))
    visitors = models.CharField(_("who went"), max_length=150)
    advice = models.TextField(_("what was advised"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("guidance visit")
        verbose_name_plural = _("guidance visits")

    def __str__(self):
        return f"{self.date} {self.organisation}"
