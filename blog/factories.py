import factory

from wagtail.models import Site

from .models import BlogIndexPage, BlogKind, BlogPage


def blog_index():
    """The column's index page, made under the front page if there is none yet."""
    home = Site.objects.get(is_default_site=True).root_page
    index = BlogIndexPage.objects.child_of(home).first()
    if index is None:
        index = BlogIndexPage(title="社区博客", slug="blog")
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


class BlogPageFactory(factory.Factory):
    """``BlogPageFactory(kind=..., tags=[...], live=True)``: a published post under the
    column (drafts with ``live=False``)."""

    title = factory.Sequence(lambda n: f"议题{n}")
    slug = factory.Sequence(lambda n: f"post-{n}")
    kind = BlogKind.TOPIC
    introduction = factory.Sequence(lambda n: f"第{n}个议题的导语。")
    body = factory.LazyFunction(list)

    class Meta:
        model = BlogPage

    @classmethod
    def _create(cls, model_class, *args, parent=None, tags=(), live=True, **kwargs):
        page = model_class(**kwargs)
        if tags:
            page.tags.add(*tags)
        (parent or blog_index()).add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
        else:
            page.live = False
            page.save(update_fields=["live"])
        return page
