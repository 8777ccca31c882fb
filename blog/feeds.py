from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _


class BlogFeed(Feed):
    """RSS 2.0 of the column's latest posts. Titles and introductions are plain text; the
    feed generator escapes them, so nothing in them can run as markup in a reader."""

    feed_type = Rss201rev2Feed

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return self.index_page.title

    def link(self):
        return self.index_page.get_full_url(self.request)

    def description(self):
        return self.index_page.introduction or _("The community's blog column")

    def items(self):
        return self.index_page.posts().only(
            "title",
            "url_path",
            "path",
            "depth",
            "introduction",
            "date",
            "first_published_at",
            "kind",
        )[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.introduction

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return f"{self.link()}#post-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at

    def item_categories(self, item):
        return [item.get_kind_display()]
