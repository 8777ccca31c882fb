from django.db import models
from django.db.models import Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from blog.models import BlogPage
from core.blocks import ContentBlock
from core.cache import changes_at
from core.dates import local_datetime
from core.pages import CommunityPage, DirectRouteMixin, page_url, public
from core.paging import slice_page
from duty.models import DutyShift, RosterState
from hearings.models import BriefingPage, HearingPage
from opinions.board import notice_board
from votes.models import Motion


class HomePage(DirectRouteMixin, CommunityPage):
    """The community's front page, one per site.

    Its sections (notices, open consultations, upcoming meetings, open votes, this month's
    duty roster) come from the module apps; a section with nothing in it says so plainly.
    """

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*CommunityPage.search_fields, index.SearchField("introduction")]

    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.front_page_sections(request)
        context["notice_board"] = notice_board(request)
        return context

    def consultations_and_meetings(self, request=None, limit=5):
        """Hearings in consultation, and the next briefings and hearings: ``limit`` of each
        read, however many the community has planned, as the values the lists show."""
        now = timezone.now()
        # What the lists show of a meeting, with the moments it changes them by itself: its
        # type's ``change_fields`` (what ``changes()`` reads; a hearing's closing is shown too).
        shown = ("pk", "title", "url_path")
        hearings = HearingPage.objects.published()
        # The lists change when a meeting shown starts or a consultation shown closes, and
        # when the next consultation opens, wherever that hearing is. That moment is read
        # beside the first list that has rows, in the same query (each subquery costs as much
        # to build as a list), and once more on its own only when every list is empty.
        openings = (
            HearingPage.objects.live()
            .filter(consultation_opens__gt=now)
            .order_by("consultation_opens")
            .values_list("consultation_opens", flat=True)
        )
        opening = []

        def read(queryset):
            changes = queryset.model.change_fields
            fields = (*shown, *changes)
            reads_opening = not opening
            if reads_opening:
                queryset = queryset.annotate(next_opening=Subquery(openings[:1]))
                fields = (*fields, "next_opening")
            rows = list(queryset.values(*fields)[:limit])
            if reads_opening:
                opening.extend(row["next_opening"] for row in rows[:1])
            changes_at(*(row[name] for row in rows for name in changes))
            return rows

        consultations = read(hearings.in_consultation(now))
        coming_hearings = read(hearings.upcoming(now))
        briefings = read(BriefingPage.objects.published().upcoming(now))
        changes_at(opening[0] if opening else openings.first())
        upcoming = sorted(coming_hearings + briefings, key=lambda m: (m["starts_at"], m["pk"]))
        return (
            [
                {
                    "url": page_url(hearing["url_path"], request),
                    "title": hearing["title"],
                    "meta": _("until %(date)s")
                    % {"date": local_datetime(hearing["consultation_closes"])},
                }
                for hearing in consultations
            ],
            [
                {
                    "url": page_url(meeting["url_path"], request),
                    "title": meeting["title"],
                    "meta": local_datetime(meeting["starts_at"]),
                }
                for meeting in upcoming[:limit]
            ],
        )

    def coming_shifts(self, limit=5):
        """The next shifts of this month's published roster, with a link to the whole roster."""
        today = timezone.localdate()
        shifts = (
            DutyShift.objects.filter(
                roster__state=RosterState.PUBLISHED,
                roster__month=today.replace(day=1),
                date__gte=today,
            )
            .order_by("date", "starts")
            .values_list("date", "starts", "ends", "person__name")[:limit]
        )
        roster = reverse("duty:roster")
        return [
            {
                "url": roster,
                "title": f"{date_format(day, 'MONTH_DAY_FORMAT')} {starts:%H:%M}–{ends:%H:%M}",
                "meta": name,
            }
            for day, starts, ends, name in shifts
        ]

    def latest_notices(self, request=None):
        notices = BlogPage.objects.notices().values_list("title", "url_path", "date")[:5]
        return [
            {"url": page_url(url_path, request), "title": title, "meta": date_format(day)}
            for title, url_path, day in notices
        ]

    def front_page_sections(self, request=None):
        """The sections of the front page, in order, each a title and its items; an empty
        list renders the section's own "nothing at the moment" message."""
        consultations, meetings = self.consultations_and_meetings(request)
        return [
            {
                "key": "notices",
                "title": _("Latest notices"),
                "items": self.latest_notices(request),
                "empty": _("No notices at the moment."),
            },
            {
                "key": "consultations",
                "title": _("Open consultations"),
                "items": consultations,
                "empty": _("No consultation is open at the moment."),
            },
            {
                "key": "meetings",
                "title": _("Upcoming meetings"),
                "items": meetings,
                "empty": _("No meeting is scheduled yet."),
            },
            {
                "key": "votes",
                "title": _("Open votes"),
                "items": [
                    {"url": reverse("votes:detail", args=[pk]), "title": title}
                    for pk, title in Motion.objects.open().values_list("pk", "title")[:5]
                ],
                "empty": _("No vote is open at the moment."),
                "more": {"url": reverse("votes:index"), "title": _("All votes and results")},
            },
            {
                "key": "roster",
                "title": _("This month's duty roster"),
                "items": self.coming_shifts(),
                "empty": _("This month's roster has not been published yet."),
                "more": {"url": reverse("duty:roster"), "title": _("The whole roster")},
            },
        ]


class StandardPage(CommunityPage):
    """A plain page, such as "About the committee" or "Office hours and contacts"."""

    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(ContentBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [
        *CommunityPage.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]
    template = "home/standard_page.html"

    class Meta:
        verbose_name = _("standard page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["subpages"] = None
        if self.numchild:  # a leaf costs no query
            children = public(self.get_children().live()).only("title", "url_path", "path")
            context["subpages"] = slice_page(children, request.GET.get("page"), per_page=20)
        return context
