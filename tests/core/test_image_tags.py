"""``{% load image_tags %}``: Wagtail's image tags, each parsing its filters once
(``core/templatetags/image_tags.py``)."""

from unittest import mock

import pytest

from django.template import Context, Template, TemplateSyntaxError

from wagtail.images import get_image_model
from wagtail.images.templatetags import wagtailimages_tags
from wagtail.images.tests.utils import get_test_image_file

pytestmark = pytest.mark.django_db

TAGS = [
    ('{% image photo fill-40x30 alt="x" %}', 1),
    ('{% srcset_image photo fill-{40x30,80x60} sizes="100vw" %}', 2),
    ("{% picture photo format-{webp,png} width-40 %}", 2),
    ("{% srcset_image photo width-{40,80} as shown %}{{ shown.renditions.1.url }}", 2),
]


@pytest.fixture
def photos():
    return [
        get_image_model().objects.create(
            title=f"照片{n}", file=get_test_image_file(f"photo{n}.png", colour=colour)
        )
        for n, colour in enumerate(["red", "blue"])
    ]


def rendered(library, tag, photos):
    """``tag`` from ``library``, compiled once, rendered for each photo, then the first again;
    and how many filters were made for it."""
    template = Template(f"{{% load {library} %}}{tag}")
    with mock.patch.object(
        wagtailimages_tags, "Filter", wraps=wagtailimages_tags.Filter
    ) as filters:
        html = [template.render(Context({"photo": photo})) for photo in [*photos, photos[0]]]
    return html, filters.call_count


@pytest.mark.parametrize(("tag", "specs"), TAGS)
def test_the_tags_print_what_wagtails_print(photos, tag, specs):
    ours, _ = rendered("image_tags", tag, photos)
    wagtails, _ = rendered("wagtailimages_tags", tag, photos)
    assert ours == wagtails
    # Each photo its own renditions: a kept filter is not a kept image.
    first, second, first_again = ours
    assert first != second
    assert first == first_again


@pytest.mark.parametrize(("tag", "specs"), TAGS)
def test_a_tag_makes_its_filters_once(photos, tag, specs):
    _, made = rendered("image_tags", tag, photos)
    assert made == specs
    # Wagtail's own tag makes them at every render.
    _, made_by_wagtail = rendered("wagtailimages_tags", tag, photos)
    assert made_by_wagtail == specs * 3


def test_a_wrong_tag_gets_wagtails_message():
    with pytest.raises(TemplateSyntaxError, match="at least one filter spec"):
        Template("{% load image_tags %}{% srcset_image photo %}")
