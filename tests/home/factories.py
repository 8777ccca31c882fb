"""Factories for the plain pages, as the tests need them: published, draft or taken down."""

import factory

from wagtail.models import Site

from home.models import StandardPage


def paragraph(html):
    return {"type": "paragraph", "value": html}


def heading(text):
    return {"type": "heading", "value": text}


def quote(text):
    return {"type": "quote", "value": text}


class StandardPageFactory(factory.Factory):
    """``StandardPageFactory(parent=page, state="draft")``: a page under ``parent``.

    ``parent`` defaults to the default site's front page. ``state`` is "live" (published,
    with a revision), "draft" (saved as a revision, never published) or "unpublished"
    (published, then taken down).
    """

    title = factory.Sequence(lambda n: f"页面{n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    introduction = ""
    body = factory.LazyFunction(list)
    show_in_menus = False

    class Meta:
        model = StandardPage

    @classmethod
    def _create(cls, model_class, *args, parent=None, state="live", user=None, **kwargs):
        if parent is None:
            parent = Site.objects.get(is_default_site=True).root_page
        page = model_class(*args, live=(state != "draft"), **kwargs)
        parent.add_child(instance=page)
        revision = page.save_revision(user=user)
        if state in ("live", "unpublished"):
            revision.publish(user=user)
        if state == "unpublished":
            page.unpublish(user=user)
        page.refresh_from_db()
        return page
