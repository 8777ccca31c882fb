import factory

from wagtail.models import Site

from .models import Opinion


def _default_page():
    return Site.objects.get(is_default_site=True).root_page


class OpinionFactory(factory.django.DjangoModelFactory):
    """A pending opinion on ``page`` (the front page unless given). Move it on with
    ``core.transitions.perform`` as a moderator, never by setting its state."""

    page = factory.LazyFunction(_default_page)
    author_name = factory.Sequence(lambda n: f"居民{n}")
    contact = factory.Sequence(lambda n: f"137{n:08d}")
    body = factory.Sequence(lambda n: f"第{n}条意见：建议在小区增加休息座椅。")
    language = "zh-hans"

    class Meta:
        model = Opinion
