"""Quarterly briefings and public hearings: what is coming, what residents said while it
could still change something, and what was decided and why.

A hearing's state follows its dates (announced → consultation open → consultation closed)
until the named transition ``publish_decision`` (allowed to Moderators in ``core.roles``)
publishes its decision, which the transition refuses before the consultation has closed
and the summary of opinions is written.
"""

import datetime
import re

from django_fsm import FSMField, transition

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.search import index

from audit.history import AuditedHistory
from core.cache import changes_at
from core.changes import recorded_as
from core.dates import local_datetime
from core.pages import CommunityPage, CommunityPageQuerySet
from hearings.listing import MeetingRows, filter_options
from opinions.pages import OpinionsPageMixin

PUBLISH_DECISION = "hearings.publish_decision"


class Audience(models.TextChoices):
    PARTY = "party", _("party members")
    REPRESENTATIVES = "representatives", _("resident representatives")
    BOTH = "both", _("party members and resident representatives")


class HearingCategory(models.TextChoices):
    WELFARE = "welfare", _("public-welfare project")
    PROPERTY = "property", _("property management")
    OTHER = "other", _("other matter")


class HearingState(models.TextChoices):
    ANNOUNCED = "announced", _("announced")
    OPEN = "open", _("consultation open")
    CLOSED = "closed", _("consultation closed")
    DECIDED = "decided", _("decision published")


class DecisionState(models.TextChoices):
    PENDING = "pending", _("not yet published")
    PUBLISHED = "published", _("published")


class MeetingQuerySet(CommunityPageQuerySet):
    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now=None):
        return self.filter(starts_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")

    def in_year(self, year):
        return self.filter(starts_at__year=year)


MeetingManager = PageManager.from_queryset(MeetingQuerySet)


class Meeting(models.Model):
    """When and where: shared by briefings and hearings."""

    # Indexed: the lists of meetings (coming up, past, the front page) go by it, a page of
    # them at a time.
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200)

    objects = MeetingManager()

    meeting_panels = [
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("venue"),
    ]

    class Meta:
        abstract = True

    def __str__(self):
        return self.title  # meetings are pages

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A meeting must end after it starts.")})

    @property
    def end(self):
        """The end shown in the calendar: as given, or two hours after the start."""
        return self.ends_at or self.starts_at + datetime.timedelta(hours=2)

    # What a list of meetings reads of each one, as values rather than as a page
    # (``MeetingIndexMixin``): what its row shows, ``listing_state`` and ``listing_category``
    # read, and ``change_fields``.
    listing_fields = ("title", "url_path", "starts_at", "venue")
    # When what is shown of the meeting changes by itself: it starts (no longer upcoming).
    change_fields = ("starts_at",)

    @classmethod
    def listing_state(cls, values, now):
        """The state a list of meetings shows beside a meeting's title (a choice, with its
        value and its label), or ``None``, from the meeting's ``listing_fields`` values."""
        return None

    @classmethod
    def listing_category(cls, values):
        """The category a list of meetings shows beside the state (a choice), or ``None``,
        from the meeting's ``listing_fields`` values."""
        return None

    def changes(self):
        """The moments what is shown of the meeting changes by itself (``change_fields``)."""
        return [getattr(self, name) for name in self.change_fields]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        changes_at(*self.changes())
        return context


class MeetingIndexMixin:
    """The listing shared by /briefings/ and /hearings/: upcoming first, then past, with
    filters by year (and category, where the page type has one)."""

    # Each list (coming up, past) shows this many a page, so that the page costs the same
    # whatever the number of meetings.
    per_page = 10

    @property
    def meeting_model(self):
        """The page type listed: the index's one allowed subpage type."""
        (model,) = self.allowed_subpage_models()
        return model

    def published_meetings(self):
        """The meetings of this index the public may see.

        Its children by the start of their path and their depth: Wagtail's ``child_of``
        without its two conditions these make redundant, which the two lists' queries would
        each build and compile again. Not by the range of their paths: each list asks for the
        meetings before or after now, which SQLite reads in the order of the index on their
        start, a page at a time; given the range, it would read every meeting through the
        path's index instead, and sort them.
        """
        children = self.meeting_model.objects.filter(
            path__startswith=self.path, depth=self.depth + 1
        )
        return children.published()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        meetings = self.published_meetings()
        filters = {}
        year = request.GET.get("year", "")
        # isdigit() alone lets "²" through to int(), which refuses it (a 500).
        if year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100:
            meetings = meetings.in_year(int(year))
            filters["year"] = year
        elif year:
            context["filter_error"] = _("Choose a year from the list.")
        category = request.GET.get("category", "")
        if category and hasattr(self.meeting_model, "category"):
            if category in HearingCategory.values:
                meetings = meetings.filter(category=category)
                filters["category"] = category
            else:
                context["filter_error"] = _("Choose a category from the list.")
        rows = MeetingRows(self, meetings, request, now)
        context["upcoming"] = rows.upcoming(request.GET.get("coming"))
        changes_at(*rows.changes(context["upcoming"]))
        context["past"] = rows.past(request.GET.get("page"))
        context["filters"] = filters
        context["filter_query"] = urlencode(filters) + "&" if filters else ""
        context["years"], context["categories"] = self.filter_options(filters)
        return context

    def filter_options(self, filters):
        """The options of the year and category filters (``filter_options``): the years
        newest first, and no categories where the meeting type has none."""
        next_year = timezone.localdate().year + 1
        years = [(str(year), str(year)) for year in range(next_year, 2019, -1)]
        categories = HearingCategory.choices if hasattr(self.meeting_model, "category") else []
        return (
            filter_options(years, filters.get("year")),
            filter_options(categories, filters.get("category")),
        )


class MeetingIndexPage(MeetingIndexMixin, CommunityPage):
    """An index of meetings under the front page: one site has one of each kind."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*CommunityPage.search_fields, index.SearchField("introduction")]
    parent_page_types = ["home.HomePage"]
    max_count = 1

    class Meta:
        abstract = True


class BriefingIndexPage(MeetingIndexPage):
    subpage_types = ["hearings.BriefingPage"]
    # Wagtail derives a template name from each concrete class: name the shared one.
    template = "hearings/meeting_index_page.html"

    class Meta:
        verbose_name = _("briefings index")


class BriefingPage(OpinionsPageMixin, Meeting, CommunityPage):
    """A quarterly briefing to party members and resident representatives. Residents give
    feedback as opinions; at the next briefing, "you said, we did" answers it."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"),
        choices=[
            (1, _("first quarter")),
            (2, _("second quarter")),
            (3, _("third quarter")),
            (4, _("fourth quarter")),
        ],
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.BOTH
    )
    agenda = RichTextField(_("agenda"), features=["bold", "italic", "ol", "ul", "link"])
    minutes = RichTextField(
        _("minutes"),
        blank=True,
        features=["bold", "italic", "ol", "ul", "link", "h3"],
        help_text=_("Written after the briefing."),
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("year"), FieldPanel("quarter"), FieldPanel("audience")]),
        *Meeting.meeting_panels,
        FieldPanel("agenda"),
        FieldPanel("minutes"),
        InlinePanel(
            "feedback_items",
            heading=_("Feedback received at this briefing"),
            label=_("Item"),
            help_text=_(
                "What residents raised here. Answer each item once something has been done; it stays open until then."
            ),
        ),
    ]
    search_fields = [
        *CommunityPage.search_fields,
        index.SearchField("agenda"),
        index.SearchField("minutes"),
        index.SearchField("venue"),
    ]
    parent_page_types = ["hearings.BriefingIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("briefing")

    def accepts_opinions(self):
        return timezone.now() < self.starts_at + datetime.timedelta(
            days=settings.BRIEFING_FEEDBACK_DAYS
        )

    def opinions_closed_message(self):
        return _("Feedback on this briefing has closed. Please give yours on the next one.")

    def you_said_we_did(self):
        """Feedback from earlier briefings: all of the previous one's, answered or not, and
        every older item still open."""
        earlier = BriefingPage.objects.live().filter(starts_at__lt=self.starts_at)
        previous = earlier.order_by("-starts_at").values("pk")[:1]
        return (
            BriefingFeedbackItem.objects.filter(page__in=earlier.values("pk"))
            .filter(Q(page_id=Subquery(previous)) | Q(answer=""))
            .select_related("page")
            .only("summary", "answer", "answered_on", "page__title", "page__starts_at")
            .order_by("-page__starts_at", "sort_order")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["you_said_we_did"] = list(self.you_said_we_did())
        return context


class BriefingFeedbackItem(Orderable):
    page = ParentalKey(BriefingPage, related_name="feedback_items", on_delete=models.CASCADE)
    summary = models.TextField(_("what residents said"))
    answer = models.TextField(_("what was done"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    panels = [FieldPanel("summary"), FieldPanel("answer"), FieldPanel("answered_on")]

    class Meta(Orderable.Meta):
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")

    def __str__(self):
        return self.summary[:60]

    def clean(self):
        super().clean()
        if self.answered_on and not self.answer.strip():
            raise ValidationError(
                {"answer": _("Say what was done before giving the date it was answered.")}
            )

    @property
    def is_open(self):
        return not self.answer.strip()


class HearingIndexPage(MeetingIndexPage):
    subpage_types = ["hearings.HearingPage"]
    template = "hearings/meeting_index_page.html"

    class Meta:
        verbose_name = _("hearings index")


def in_consultation_q(now):
    """The one rule for "in consultation" in the database; ``HearingPage.in_consultation_at``
    says the same of one page: from the opening (included) to the closing (excluded)."""
    return Q(consultation_opens__lte=now, consultation_closes__gt=now)


def hearing_state(decision_state, consultation_opens, consultation_closes, now):
    """The state of a hearing at ``now``, the one rule for its page and the lists: decided
    once its decision is published, else by its consultation window (``in_consultation_q``:
    from the opening, included, to the closing, excluded)."""
    if decision_state == DecisionState.PUBLISHED:
        return HearingState.DECIDED
    if now < consultation_opens:
        return HearingState.ANNOUNCED
    if now < consultation_closes:
        return HearingState.OPEN
    return HearingState.CLOSED


class HearingQuerySet(MeetingQuerySet):
    def in_consultation(self, now=None):
        """Hearings taking opinions now, the soonest to close first."""
        return self.filter(in_consultation_q(now or timezone.now())).order_by("consultation_closes")

    def in_consultation_or_upcoming(self, now=None):
        """What the front page shows in one query: open consultations and coming hearings."""
        now = now or timezone.now()
        return self.filter(in_consultation_q(now) | Q(starts_at__gte=now))


class HearingPage(OpinionsPageMixin, Meeting, CommunityPage):
    """A social briefing or hearing on a public-welfare project or property management."""

    category = models.CharField(
        _("category"),
        max_length=20,
        choices=HearingCategory.choices,
        default=HearingCategory.WELFARE,
    )
    matter = models.TextField(
        _("the matter"), help_text=_("What is to be decided, in plain words.")
    )
    # The front page lists the consultations open now, soonest to close first, and reads when
    # the next one opens: each from its index, however many hearings the community has held.
    consultation_opens = models.DateTimeField(_("consultation opens"), db_index=True)
    consultation_closes = models.DateTimeField(_("consultation closes"), db_index=True)
    documents = StreamField(
        [("document", DocumentChooserBlock(label=_("Document")))],
        verbose_name=_("documents"),
        blank=True,
    )
    summary = RichTextField(
        _("summary of opinions"),
        blank=True,
        features=["bold", "italic", "ol", "ul"],
        help_text=_("Written once the consultation has closed: what residents said."),
    )
    decision = RichTextField(
        _("decision"),
        blank=True,
        features=["bold", "italic", "ol", "ul", "link"],
        help_text=_("What was decided and why. Shown once a moderator publishes it."),
    )
    decision_state = FSMField(
        _("decision"), default=DecisionState.PENDING, choices=DecisionState.choices, editable=False
    )
    decision_published_at = models.DateTimeField(_("decision published"), null=True, editable=False)
    decision_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PageManager.from_queryset(HearingQuerySet)()

    listing_fields = (
        *Meeting.listing_fields,
        "category",
        "decision_state",
        "consultation_opens",
        "consultation_closes",
    )
    # It starts, and its consultation opens and closes (the form comes and goes).
    change_fields = ("starts_at", "consultation_opens", "consultation_closes")

    content_panels = [
        *Page.content_panels,
        FieldPanel("category"),
        FieldPanel("matter"),
        *Meeting.meeting_panels,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("consultation_opens"), FieldPanel("consultation_closes")])],
            heading=_("Consultation"),
        ),
        FieldPanel("documents"),
        FieldPanel("summary"),
        FieldPanel("decision"),
    ]
    search_fields = [
        *CommunityPage.search_fields,
        index.SearchField("matter"),
        # The summary of opinions is public only with the decision: not searchable before.
        index.SearchField("public_summary"),
        index.SearchField("venue"),
        index.FilterField("category"),
    ]
    parent_page_types = ["hearings.HearingIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("hearing")
        permissions = [("publish_decision", _("Can publish the decision of a hearing"))]

    def clean(self):
        super().clean()
        if (
            self.consultation_opens
            and self.consultation_closes
            and self.consultation_closes <= self.consultation_opens
        ):
            raise ValidationError(
                {"consultation_closes": _("The consultation must close after it opens.")}
            )
        changed = self.locked_fields_changed()
        if changed:
            message = _(
                "The decision has been published: its summary of opinions and decision can no "
                "longer be changed. Record a correction with its reason instead "
                "(“Correct the decision”)."
            )
            raise ValidationError(dict.fromkeys(changed, message))

    # What a published decision fixes for good, in every later revision.
    LOCKED_FIELDS = ("summary", "decision")

    def published_decision(self):
        """The summary and decision as published, from the page's own row, or None while
        the decision is not published."""
        if not self.pk:
            return None
        return (
            HearingPage.objects.filter(pk=self.pk, decision_state=DecisionState.PUBLISHED)
            .values(*self.LOCKED_FIELDS)
            .first()
        )

    def locked_fields_changed(self):
        """The locked fields this (unsaved) version changes from the published decision."""
        published = self.published_decision()
        if published is None:
            return []
        return [
            name
            for name in self.LOCKED_FIELDS
            if not same_rich_text(getattr(self, name), published[name])
        ]

    def public_summary(self):
        """The summary of opinions for the search index: nothing until the decision is
        public, then the summary with those of its corrections."""
        if self.decision_state != DecisionState.PUBLISHED:
            return ""
        corrected = [c.summary for c in self.decision_corrections.all()] if self.pk else []
        return " ".join(strip_html(text) for text in [self.summary, *corrected] if text)

    def corrections(self):
        """The corrections of the published decision, oldest first."""
        return list(self.decision_corrections.all())

    def in_consultation_at(self, now):
        """Whether opinions are taken at ``now``: ``in_consultation_q`` for one page."""
        return self.consultation_opens <= now < self.consultation_closes

    def state_at(self, now):
        return hearing_state(
            self.decision_state, self.consultation_opens, self.consultation_closes, now
        )

    @property
    def state(self):
        return self.state_at(timezone.now())

    def get_state_display(self):
        return HearingState(self.state).label

    @classmethod
    def listing_state(cls, values, now):
        """``state_at(now)`` of a listed hearing, from its values."""
        return hearing_state(
            values["decision_state"],
            values["consultation_opens"],
            values["consultation_closes"],
            now,
        )

    @classmethod
    def listing_category(cls, values):
        """The hearing's category (``get_category_display``), from its values: a value no
        longer among the choices as it is stored."""
        category = values["category"]
        return HearingCategory(category) if category in HearingCategory.values else category

    def accepts_opinions(self):
        return self.state == HearingState.OPEN

    def opinions_closed_message(self):
        if self.state == HearingState.ANNOUNCED:
            return _("The consultation opens on %(date)s; opinions are taken from then.") % {
                "date": local_datetime(self.consultation_opens)
            }
        return _("The consultation closed on %(date)s; opinions are no longer taken.") % {
            "date": local_datetime(self.consultation_closes)
        }

    # The gate of the decision: each condition is a reason the transition can refuse.
    def consultation_has_closed(self):
        return timezone.now() >= self.consultation_closes

    def summary_is_written(self):
        return bool(strip_html(self.summary))

    def decision_is_written(self):
        return bool(strip_html(self.decision))

    @transition(
        field=decision_state,
        source=DecisionState.PENDING,
        target=DecisionState.PUBLISHED,
        permission=PUBLISH_DECISION,
        conditions=[consultation_has_closed, summary_is_written, decision_is_written],
        custom={
            "label": _("Publish the decision"),
            "refused": _("The decision cannot be published yet:"),
            "blockers": "decision_blockers",
        },
    )
    def publish_decision(self, by=None):
        self.decision_published_at = timezone.now()
        self.decision_published_by = by

    @transition(
        field=decision_state,
        source=DecisionState.PUBLISHED,
        target=None,
        permission=PUBLISH_DECISION,
        custom={
            "label": _("Correct the decision"),
            "reason_required": True,
            "form": "hearings.admin_forms.DecisionCorrectionForm",
        },
    )
    def correct_decision(self, by=None, decision="", summary="", reason=""):
        """Record a correction of the published decision: a new decision with its reason,
        shown on the page below the one it corrects, which stays as it was published."""
        correction = DecisionCorrection(
            page=self, decision=decision, summary=summary, reason=reason, corrected_by=by
        )
        correction.full_clean()
        correction._history_user = by
        with recorded_as(correction, action="created", detail="correct_decision", reason=reason):
            correction.save()

    def decision_blockers(self):
        """Why the decision cannot be published yet, in words, or an empty list."""
        blockers = []
        if self.decision_state == DecisionState.PUBLISHED:
            blockers.append(_("The decision is already published."))
        if not self.consultation_has_closed():
            blockers.append(
                _("The consultation closes on %(date)s.")
                % {"date": local_datetime(self.consultation_closes)}
            )
        if not self.summary_is_written():
            blockers.append(_("The summary of opinions has not been written."))
        if not self.decision_is_written():
            blockers.append(_("The decision has not been written."))
        return blockers

    def with_content_json(self, content):
        """A draft revision never takes back a published decision: the decision's state
        lives on the page, not in its revisions; and once published, the summary and the
        decision are the page's, whatever an older or later revision holds (a change is a
        recorded correction, ``DecisionCorrection``)."""
        page = super().with_content_json(content)
        page.decision_state = self.decision_state
        page.decision_published_at = self.decision_published_at
        page.decision_published_by_id = self.decision_published_by_id
        if self.decision_state == DecisionState.PUBLISHED:
            for name in self.LOCKED_FIELDS:
                setattr(page, name, getattr(self, name))
        return page


class DecisionCorrection(models.Model):
    """A correction of a published decision: a new decision with its reason, shown on the
    page below the one it corrects, which stays as it was published."""

    page = models.ForeignKey(
        HearingPage,
        verbose_name=_("hearing"),
        on_delete=models.CASCADE,
        related_name="decision_corrections",
    )
    summary = RichTextField(
        _("corrected summary of opinions"),
        blank=True,
        features=["bold", "italic", "ol", "ul"],
        help_text=_("Leave empty if the summary stands."),
    )
    decision = RichTextField(
        _("corrected decision"), features=["bold", "italic", "ol", "ul", "link"]
    )
    reason = models.TextField(_("reason for the correction"))
    corrected_at = models.DateTimeField(_("corrected"), default=timezone.now, editable=False)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["corrected_at", "pk"]
        verbose_name = _("correction of a decision")
        verbose_name_plural = _("corrections of decisions")

    def __str__(self):
        return f"{self.page} · {self.corrected_at:%Y-%m-%d}"

    def clean(self):
        super().clean()
        if not strip_html(self.decision):
            raise ValidationError({"decision": _("Write the corrected decision.")})
        if not self.reason.strip():
            raise ValidationError({"reason": _("Say why the decision is corrected.")})


def same_rich_text(a, b):
    """Whether two rich texts say the same: the editor renumbers its blocks' keys on every
    save, which is no change of content."""
    return _normalised(a) == _normalised(b)


def _normalised(value):
    value = _BLOCK_KEY.sub("", value or "")
    return _BETWEEN_TAGS.sub("><", value).strip()


_BLOCK_KEY = re.compile(r'\s+data-block-key="[^"]*"')
_BETWEEN_TAGS = re.compile(r">\s+<")


def strip_html(value):
    from django.utils.html import strip_tags

    return strip_tags(value or "").strip()
