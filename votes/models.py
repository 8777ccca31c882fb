"""Votes of the member representative meeting: motions, elections and the year-end
democratic evaluation of cadres.

A motion goes draft → open → closed → results published, each step a named transition
allowed to Meeting clerks (``core.roles``). Opening snapshots the eligible roll, so later
changes to the register do not move the count. Each eligible person casts at most one
ballot (a unique receipt in the database), online or through the clerk's roll call; once
the motion is closed nothing about its ballots can change. Quorum and outcome are
computed from the ballots and the roll, never typed in. For a secret motion the ballot
holds no voter and no time, so neither the results nor the history tie a choice to a person;
closing rewrites its ballot box so that not even ids, order or storage pair a receipt with a
choice (``votes.services.close_ballot_box``; the threat model is in the README).
"""

from django_fsm import FSMField, FSMModelMixin, transition

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from audit.history import AuditedHistory
from core.choices import choice_label
from people.models import Person

RUN = "votes.run_motion"


class MotionKind(models.TextChoices):
    MOTION = "motion", _("motion")
    ELECTION = "election", _("election")
    EVALUATION = "evaluation", _("evaluation of a cadre")


class Rule(models.TextChoices):
    SIMPLE = "simple", _("more than half of the votes cast")
    TWO_THIRDS = "two_thirds", _("at least two-thirds of the votes cast")
    ELIGIBLE = "eligible", _("more than half of the eligible roll")


class MotionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for voting")
    CLOSED = "closed", _("closed")
    PUBLISHED = "published", _("results published")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("online")
    HALL = "hall", _("in the hall (roll call)")


class OptionMeaning(models.TextChoices):
    """What an option stands for, whatever its label or place: the count reads this."""

    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


# The options a motion of each kind starts with (elections list their candidates instead).
DEFAULT_OPTIONS = {
    MotionKind.MOTION: [
        (_("For"), OptionMeaning.FOR),
        (_("Against"), OptionMeaning.AGAINST),
        (_("Abstain"), OptionMeaning.ABSTAIN),
    ],
    MotionKind.EVALUATION: [
        (_("Satisfied"), OptionMeaning.SATISFIED),
        (_("Basically satisfied"), OptionMeaning.BASICALLY_SATISFIED),
        (_("Dissatisfied"), OptionMeaning.DISSATISFIED),
    ],
}
# An evaluation's satisfaction: the share of ballots with one of these meanings.
POSITIVE = (OptionMeaning.SATISFIED, OptionMeaning.BASICALLY_SATISFIED)


class MotionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=MotionState.OPEN)

    def published(self):
        return self.filter(state=MotionState.PUBLISHED)

    def public(self):
        """What residents may see: open motions and published results."""
        return self.filter(state__in=(MotionState.OPEN, MotionState.PUBLISHED))


class Motion(FSMModelMixin, ClusterableModel):
    kind = models.CharField(
        _("kind"), max_length=20, choices=MotionKind.choices, default=MotionKind.MOTION
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    meeting = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The briefing or hearing this vote belongs to, if any."),
    )
    subject = models.ForeignKey(
        Person,
        verbose_name=_("cadre evaluated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        limit_choices_to={"is_cadre": True},
    )
    rule = models.CharField(_("majority"), max_length=20, choices=Rule.choices, default=Rule.SIMPLE)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (per cent of the roll)"),
        default=50,
        help_text=_("The share of the eligible roll that must vote for the result to count."),
    )
    secret = models.BooleanField(
        _("secret ballot"),
        default=False,
        help_text=_("Ballots keep no voter: results and history never tie a choice to a person."),
    )
    state = FSMField(
        _("state"), default=MotionState.DRAFT, choices=MotionState.choices, protected=True
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    published_at = models.DateTimeField(_("results published"), null=True, blank=True)

    history = AuditedHistory()
    objects = MotionQuerySet.as_manager()

    # What get_kind_display() and get_state_display() say, for the public lists, at the cost
    # of one translation (core.choices).
    @property
    def kind_label(self):
        return choice_label(MotionKind, self.kind)

    @property
    def state_label(self):
        return choice_label(MotionState, self.state)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        permissions = [("run_motion", _("Can open and close votes and publish their results"))]
        # The public list reads the open votes newest opened first, and the results newest
        # published first (the newest key first among equals), a page at a time: each read in
        # its index's order, not sorted from all of them.
        indexes = [
            models.Index(fields=["state", "-opened_at", "-id"], name="motion_state_opened"),
            models.Index(fields=["state", "-published_at", "-id"], name="motion_state_published"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.kind == MotionKind.EVALUATION and not self.subject_id:
            raise ValidationError({"subject": _("Choose the cadre this evaluation is about.")})
        if self.kind != MotionKind.EVALUATION and self.subject_id:
            raise ValidationError({"subject": _("Only an evaluation is about a cadre.")})
        if not 0 < self.quorum_percent <= 100:
            raise ValidationError(
                {"quorum_percent": _("The quorum is a share of the roll, from 1 to 100.")}
            )

    def eligible_people(self):
        """Who may vote, as the register stands now (the roll is fixed at opening)."""
        people = Person.objects.active()
        if self.kind == MotionKind.EVALUATION:
            # The cadre evaluated does not mark their own evaluation.
            return people.filter(
                models.Q(is_representative=True) | models.Q(is_party_member=True)
            ).exclude(pk=self.subject_id)
        return people.filter(is_representative=True)

    # Conditions of the transitions: each is a reason the step can be refused.
    def has_options(self):
        return self.options.count() >= 2

    def paper_ballots_outstanding(self):
        """Paper ballots handed out in the hall of a secret vote and not yet counted."""
        if not self.secret:
            return 0
        handed_out = self.receipts.filter(channel=BallotChannel.HALL).count()
        counted = HallCount.objects.filter(motion=self).values_list("ballots", flat=True).first()
        return handed_out - (counted or 0)

    def hall_counted(self):
        # Closing before the count would lose the hall's ballots: the receipts say these
        # people voted, and nothing could add their choices afterwards.
        return self.paper_ballots_outstanding() == 0

    @transition(
        field=state,
        source=MotionState.DRAFT,
        target=MotionState.OPEN,
        permission=RUN,
        conditions=[has_options],
        custom={
            "label": _("Open for voting"),
            "refused": _("A vote needs at least two options before it opens."),
        },
    )
    def open(self, by=None):
        """Open for voting, and fix the roll: who may vote is who is eligible now.

        The motion's row exists (only a saved draft opens), so the roll is written here;
        the transition runner saves the new state in the same transaction, so a refused
        or failed opening leaves no roll behind.
        """
        self.opened_at = timezone.now()
        RollEntry.objects.bulk_create(
            [RollEntry(motion=self, person=person) for person in self.eligible_people()]
        )
        # The roll is final: seal it into the audit chain, in the same transaction.
        from .sealing import seal_roll

        seal_roll(self, by)

    @transition(
        field=state,
        source=MotionState.OPEN,
        target=MotionState.CLOSED,
        permission=RUN,
        conditions=[hall_counted],
        custom={
            "label": _("Close the vote"),
            "refused": _(
                "Count the paper ballots handed out in the hall (roll call) before the vote closes."
            ),
        },
    )
    def close(self, by=None):
        """Close, and for a secret vote rewrite the ballot box so that nothing stored pairs
        a receipt with a choice (``votes.services.close_ballot_box``). The transition runner
        saves the new state in the same transaction: the rewrite and the close commit
        together or not at all."""
        # Imported here: the services module builds on these models.
        from .services import close_ballot_box

        self.closed_at = timezone.now()
        close_ballot_box(self)
        # The ballots are final from here on: seal them (and the receipts) into the audit
        # chain, in the same transaction as the close.
        from .sealing import seal_ballot_box

        seal_ballot_box(self, by)

    @transition(
        field=state,
        source=MotionState.CLOSED,
        target=MotionState.PUBLISHED,
        permission=RUN,
        custom={"label": _("Publish the results")},
    )
    def publish_results(self, by=None):
        self.published_at = timezone.now()

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Kept here rather than in the admin form: a draft saved by any path (the admin with
        # its options left empty, the demo, a factory) is one a clerk can open.
        self.add_default_options()

    def add_default_options(self):
        """Give a draft motion or evaluation with no options its usual ones."""
        if (
            self.state != MotionState.DRAFT
            or self.kind not in DEFAULT_OPTIONS
            or self.options.exists()
        ):
            return
        # Stored in the community's own language, whoever creates the vote.
        with translation.override(settings.LANGUAGE_CODE):
            MotionOption.objects.bulk_create(
                MotionOption(motion=self, label=str(label), meaning=meaning, sort_order=order)
                for order, (label, meaning) in enumerate(DEFAULT_OPTIONS[self.kind])
            )

    @property
    def results_visible(self):
        return self.state == MotionState.PUBLISHED


class MotionOption(Orderable):
    motion = ParentalKey(Motion, related_name="options", on_delete=models.CASCADE)
    label = models.CharField(_("option"), max_length=100)
    meaning = models.CharField(
        _("meaning"),
        max_length=30,
        choices=OptionMeaning.choices,
        blank=True,
        help_text=_(
            "What this option stands for in the count (a motion is carried by its “for” "
            "option). Leave empty for an election's candidates."
        ),
    )
    candidate = models.ForeignKey(
        Person,
        verbose_name=_("candidate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.label


class RollEntry(models.Model):
    """One eligible person of a motion, fixed when the motion opened."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="roll")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "person"], name="roll_once_per_person")
        ]

    def __str__(self):
        return f"{self.motion_id}: {self.person_id}"


class BallotReceipt(models.Model):
    """That a person voted (never what): one per person and motion, by a database constraint."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="receipts")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=BallotChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "person"], name="one_ballot_per_person")
        ]

    def __str__(self):
        return f"{self.motion_id}: {self.person_id}"


class HallCount(models.Model):
    """The counted paper ballots of a secret vote's hall, entered once by the clerk.

    The hall's attendance is its receipts (channel "hall"); the totals per option become
    ballots with no voter and no time. This record only says how many paper ballots were
    counted, by whom and when: one per motion, so a second count is refused by the database.
    """

    motion = models.OneToOneField(Motion, on_delete=models.PROTECT, related_name="hall_count")
    ballots = models.PositiveIntegerField(_("paper ballots counted"))
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(_("counted"), default=timezone.now)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("hall count")
        verbose_name_plural = _("hall counts")

    def __str__(self):
        return f"{self.motion}: {self.ballots}"


class Ballot(models.Model):
    """A choice. For a secret motion it holds no voter and no time, and once the motion has
    closed its id and place say nothing either: the close re-inserts the ballots in the order
    of their options (``votes.services.close_ballot_box``)."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="ballots")
    option = models.ForeignKey(MotionOption, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "voter"],
                condition=models.Q(voter__isnull=False),
                name="one_named_ballot_per_voter",
            )
        ]
        indexes = [models.Index(fields=["motion", "option"], name="ballot_motion_option")]

    def __str__(self):
        return f"{self.motion_id}: {self.option_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A ballot cannot be changed once cast."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A ballot cannot be removed once cast."))
