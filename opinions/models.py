"""Residents' opinions on pages, moderated before anyone sees them.

pending → approved / rejected / spam; approved ⇄ promoted to the notice board. Each step
is a named transition allowed to Moderators (``core.roles``) and recorded in history with
the user, the time and the reason. The contact a resident leaves is personal data: it is
shown only to those who hold ``opinions.view_opinion_contact``, never on the public site.

Each opinion gets a reference (``core.references``) when it is received, so that its writer
can follow it at ``/opinions/<reference>/``: what became of it (``public_state``), the
moderator's public reason when it was not published, and the committee's response.
"""

from django_fsm import FSMField, FSMModelMixin, transition

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.search import index

from audit.history import AuditedHistory
from core.pages import public
from core.references import MAX_LENGTH as REFERENCE_LENGTH
from core.references import new_reference

MODERATE = "opinions.moderate_opinion"
PROMOTE = "opinions.promote_opinion"


class OpinionState(models.TextChoices):
    PENDING = "pending", _("awaiting moderation")
    APPROVED = "approved", _("approved")
    PROMOTED = "promoted", _("on the notice board")
    REJECTED = "rejected", _("rejected")
    SPAM = "spam", _("spam")


# What the public may see.
SHOWN = (OpinionState.APPROVED, OpinionState.PROMOTED)


class PublicState(models.TextChoices):
    """What the writer of an opinion is told on its status page. Rejected and spam read the
    same: a resident is never told their opinion was taken for spam."""

    # A context of their own: "Published" elsewhere heads the time a page was published.
    PENDING = "pending", pgettext_lazy("opinion status", "Awaiting moderation")
    PUBLISHED = "published", pgettext_lazy("opinion status", "Published")
    NOTICE_BOARD = (
        "notice_board",
        pgettext_lazy("opinion status", "Published and on the notice board"),
    )
    NOT_PUBLISHED = "not_published", pgettext_lazy("opinion status", "Not published")


PUBLIC_STATES = {
    OpinionState.PENDING: PublicState.PENDING,
    OpinionState.APPROVED: PublicState.PUBLISHED,
    OpinionState.PROMOTED: PublicState.NOTICE_BOARD,
    OpinionState.REJECTED: PublicState.NOT_PUBLISHED,
    OpinionState.SPAM: PublicState.NOT_PUBLISHED,
}


def moderator_name(first_name, last_name, username):
    """How the site names a moderator: their full name (``get_full_name()``), or their
    username when they have none."""
    return f"{first_name} {last_name}".strip() or username


class OpinionQuerySet(models.QuerySet):
    def shown(self):
        """The opinions shown under their page: approved or promoted.

        Asked as ``listed IN (true)``: Django writes ``listed=True`` as the column alone, which
        SQLite does not take for a value of the index's (``opinion_page_listed``)."""
        return self.filter(listed__in=[True])

    def notice_board(self, limit=5):
        """The latest promoted opinions, with their page and promoter.

        The board is public: only opinions of live pages outside private sections (core's
        rule, reading the restrictions once per request). The public pages print it through
        ``opinions.board``, which reads only what they show.
        """
        return (
            public(self.promoted().filter(page__live=True), prefix="page__")
            .select_related("page", "promoted_by")
            .order_by("-promoted_at")[:limit]
        )

    def pending(self):
        return self.filter(state=OpinionState.PENDING)

    def promoted(self):
        return self.filter(state=OpinionState.PROMOTED)

    def on(self, page):
        return self.filter(page_id=page.pk)


class Opinion(FSMModelMixin, index.Indexed, models.Model):
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="opinions",
    )
    author_name = models.CharField(_("name shown"), max_length=50)
    contact = models.CharField(
        _("contact"),
        max_length=100,
        blank=True,
        help_text=_("Personal data: seen only by moderators, never published."),
    )
    body = models.TextField(_("opinion"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    state = FSMField(
        _("state"),
        default=OpinionState.PENDING,
        choices=OpinionState.choices,
        protected=True,
    )
    # Whether the opinion is shown under its page (approved or promoted): computed by the
    # database from the state, so that the page's list is one range of an index, newest first
    # (``opinion_page_listed``). Left out of the history: the state there says it.
    listed = models.GeneratedField(
        expression=ExpressionWrapper(Q(state__in=SHOWN), output_field=models.BooleanField()),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("shown under its page"),
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("promoted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    promoted_at = models.DateTimeField(_("promoted"), null=True, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=REFERENCE_LENGTH,
        unique=True,
        default=new_reference,
        editable=False,
        help_text=_("Given to the resident to follow the opinion."),
    )
    public_reason = models.TextField(
        _("reason shown to the resident"),
        blank=True,
        max_length=500,
        help_text=_(
            "Optional. Shown on the opinion's status page when it is not published; "
            "the reason kept in the history stays internal."
        ),
    )
    response = models.TextField(
        _("committee's response"),
        blank=True,
        max_length=2000,
        help_text=_(
            "What the committee said or did about this opinion. Shown on its status page "
            "and, when the opinion is published, under it."
        ),
    )

    history = AuditedHistory(
        excluded_fields=["listed"],
        personal_fields=["contact"],
        personal_permission="opinions.view_opinion_contact",
        # Erased a retention period after the opinion was moderated (audit.erasure).
        erase_after="moderated_at",
    )
    objects = OpinionQuerySet.as_manager()

    search_fields = [
        index.SearchField("body"),
        index.SearchField("author_name"),
        index.FilterField("state"),
        index.FilterField("page_id"),
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        permissions = [
            ("moderate_opinion", _("Can approve, reject or mark opinions as spam")),
            ("promote_opinion", _("Can promote opinions to the notice board")),
            ("view_opinion_contact", _("Can see the contact residents leave")),
        ]
        indexes = [
            models.Index(fields=["page", "state", "-created_at"], name="opinion_page_state"),
            models.Index(fields=["state", "-promoted_at"], name="opinion_state_promoted"),
            # A page's opinions as its readers see them, newest first, a page at a time: one
            # range of this index, however many the page has, shown or not. (The two states
            # shown would be two ranges of the index above, merged by sorting them all; an
            # index of the shown ones only is of no use to SQLite, which cannot tell that the
            # states given as parameters are the index's.)
            models.Index(
                fields=["page", "listed", "-created_at", "-id"], name="opinion_page_listed"
            ),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.excerpt}"

    @property
    @admin.display(description=_("opinion"))
    def excerpt(self):
        return Truncator(self.body).chars(40)

    @property
    def promoted_by_name(self):
        user = self.promoted_by
        return moderator_name(user.first_name, user.last_name, user.username) if user else ""

    @property
    def is_shown(self):
        return self.state in SHOWN

    @property
    def public_state(self):
        """What the writer is told: pending, published, on the notice board or not published."""
        return PUBLIC_STATES[self.state]

    def get_public_state_display(self):
        return self.public_state.label

    def get_status_url(self):
        return reverse("opinion_status", args=[self.reference])

    def _moderated(self, by):
        self.moderated_by = by
        self.moderated_at = timezone.now()

    @transition(
        field=state,
        source=OpinionState.PENDING,
        target=OpinionState.APPROVED,
        permission=MODERATE,
        custom={"label": _("Approve")},
    )
    def approve(self, by=None):
        self._moderated(by)

    # An approved opinion found wrong later can still be taken down.
    @transition(
        field=state,
        source=[OpinionState.PENDING, OpinionState.APPROVED],
        target=OpinionState.REJECTED,
        permission=MODERATE,
        custom={"label": _("Reject"), "form": "opinions.admin_forms.RejectForm"},
    )
    def reject(self, by=None, public_reason=""):
        self._moderated(by)
        self.public_reason = (public_reason or "").strip()

    @transition(
        field=state,
        source=[OpinionState.PENDING, OpinionState.APPROVED],
        target=OpinionState.SPAM,
        permission=MODERATE,
        custom={"label": _("Mark as spam")},
    )
    def mark_spam(self, by=None):
        self._moderated(by)

    @transition(
        field=state,
        source=OpinionState.APPROVED,
        target=OpinionState.PROMOTED,
        permission=PROMOTE,
        custom={"label": _("Promote to the notice board")},
    )
    def promote(self, by=None):
        self.promoted_by = by
        self.promoted_at = timezone.now()

    @transition(
        field=state,
        source=OpinionState.PROMOTED,
        target=OpinionState.APPROVED,
        permission=PROMOTE,
        custom={"label": _("Take off the notice board")},
    )
    def demote(self, by=None):
        self.promoted_by = None
        self.promoted_at = None
