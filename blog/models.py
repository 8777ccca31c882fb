"""The blog column: the organisation sets topics, publishes notices and activity reports,
and residents give their opinions on them (moderated first, see ``opinions``)."""

from django.db import models
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.search import index

from core.blocks import ContentBlock
from core.pages import CommunityPage, CommunityPageQuerySet
from core.paging import slice_page
from core.sitewide import remember
from opinions.board import notice_board
from opinions.pages import OpinionsPageMixin

from .listing import LISTED_FIELDS, post_rows


class BlogKind(models.TextChoices):
    TOPIC = "topic", _("discussion topic")
    NOTICE = "notice", _("notice")
    REPORT = "report", _("activity report")


class BlogPageQuerySet(CommunityPageQuerySet):
    def newest_first(self):
        return self.order_by("-date", "-first_published_at", "-pk")

    def published(self):
        """Live posts outside private sections, newest first."""
        return super().published().newest_first()

    def notices(self):
        return self.published().filter(kind=BlogKind.NOTICE)


class BlogPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.BlogPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class BlogIndexPage(RoutablePageMixin, CommunityPage):
    """The column at /blog/: its posts, newest first, filtered by kind and tag; the notice
    board; and the RSS feed at /blog/feed/."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*CommunityPage.search_fields, index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["blog.BlogPage"]
    max_count = 1
    posts_per_page = 10

    class Meta:
        verbose_name = _("blog index")

    def posts(self):
        """The published posts, newest first: this page's children, read through the index
        on their date (``published_children_of``), a page's worth, whatever their number."""
        return BlogPage.objects.published_children_of(self).newest_first()

    @path("")
    def index(self, request):
        kind = request.GET.get("kind", "")
        tag = request.GET.get("tag", "")[:100]
        if kind not in BlogKind.values:
            kind = ""  # an unknown kind filters nothing (the page says so)
        return self.render(
            request,
            context_overrides={
                "posts": self.listed_posts(request, kind, tag),
                "kinds": BlogKind.choices,
                "kind": kind,
                "kind_unknown": bool(request.GET.get("kind")) and not kind,
                "tag": tag,
                "filter_query": urlencode({"kind": kind, "tag": tag}) + "&",
                # The tags of every live post: they change only when a post is published,
                # unpublished or deleted, which changes the site's version.
                "tags": remember(("blog-tags",), request, lambda: list(self.tag_names())),
                "notice_board": notice_board(request),
            },
        )

    def listed_posts(self, request, kind, tag):
        """The page of posts the reader asked for (``?page=``), of ``kind`` and ``tag`` if
        given, as ``PostRow``s: read as values, which cost far less than page objects."""
        posts = self.posts()
        if kind:
            posts = posts.filter(kind=kind)
        if tag:
            posts = posts.filter(tags__name=tag)
        page = slice_page(
            posts.values(*LISTED_FIELDS), request.GET.get("page"), self.posts_per_page
        )
        page.object_list = post_rows(page.object_list, request, BlogKind)
        return page

    @staticmethod
    def tag_names():
        """The names of the tags of live posts, for the tag filter: names only, as plain
        strings (a tag's name is unique), rather than tag objects."""
        return (
            Tag.objects.filter(blog_blogpagetag_items__content_object__live=True)
            .distinct()
            .order_by("name")
            .values_list("name", flat=True)
        )

    @path("feed/")
    def feed(self, request):
        from .feeds import BlogFeed

        return BlogFeed(self)(request)


class BlogPage(OpinionsPageMixin, CommunityPage):
    kind = models.CharField(
        _("kind"), max_length=10, choices=BlogKind.choices, default=BlogKind.TOPIC
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(ContentBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=BlogPageTag, blank=True, verbose_name=_("tags"))
    takes_opinions = models.BooleanField(
        _("residents may give opinions"),
        default=True,
    )
    opinions_close_at = models.DateTimeField(
        _("opinions close"),
        null=True,
        blank=True,
        help_text=_("Leave empty to take opinions for as long as the page is published."),
    )

    objects = PageManager.from_queryset(BlogPageQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("date")]),
        FieldPanel("introduction"),
        FieldPanel("body"),
        FieldPanel("tags"),
        MultiFieldPanel(
            [FieldPanel("takes_opinions"), FieldPanel("opinions_close_at")],
            heading=_("Residents' opinions"),
        ),
    ]
    search_fields = [
        *CommunityPage.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
        index.FilterField("kind"),
    ]

    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("blog post")
        indexes = [
            # The column's list, newest first, and its filter by kind.
            models.Index(fields=["-date"], name="blogpage_date"),
            models.Index(fields=["kind", "-date"], name="blogpage_kind_date"),
        ]

    def accepts_opinions(self):
        if not self.takes_opinions:
            return False
        return self.opinions_close_at is None or timezone.now() < self.opinions_close_at

    def opinions_closed_message(self):
        if self.takes_opinions and self.opinions_close_at:
            return _(
                "Opinions on this topic closed on %(date)s. Thank you to everyone who took part."
            ) % {"date": timezone.localtime(self.opinions_close_at).strftime("%Y-%m-%d %H:%M")}
        return _("This post does not take opinions.")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["post_tags"] = list(self.tags.all())
        # The column's URL, without asking the database for the parent page.
        context["index_url"] = self.url[: -len(self.slug) - 1] if self.url else ""
        return context
