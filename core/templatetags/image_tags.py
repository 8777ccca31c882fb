"""Wagtail's image tags (``image``, ``srcset_image``, ``picture``), each parsing its filters
once: ``{% load image_tags %}`` in place of ``wagtailimages_tags``, with the same syntax.

Wagtail's nodes make new ``Filter`` objects at every render, and each new filter works out its
operations again, reading every operation's signature with ``inspect``. On the co-building
list (ten photos, two sizes each) that was about a twelfth of the page's time. The nodes here
keep their filters, as a compiled template keeps its nodes: a filter holds only its spec and
the operations parsed from it, the same for every image and every request.
"""

from django import template
from django.utils.functional import cached_property

from wagtail.images.templatetags import wagtailimages_tags as wagtail

register = template.Library()


class ImageNode(wagtail.ImageNode):
    @cached_property
    def filter(self):
        return super().get_filter()

    def get_filter(self):
        return self.filter


class SrcsetImageNode(wagtail.SrcsetImageNode):
    @cached_property
    def filters(self):
        return super().get_filters()

    def get_filters(self):
        return self.filters


class PictureNode(SrcsetImageNode, wagtail.PictureNode):
    pass


KEEPING = {
    wagtail.ImageNode: ImageNode,
    wagtail.SrcsetImageNode: SrcsetImageNode,
    wagtail.PictureNode: PictureNode,
}


@register.tag("image")
@register.tag("srcset_image")
@register.tag("picture")
def image(parser, token):
    """Parsed by Wagtail's own tag (its checks and messages), built as the node that keeps its
    filters."""
    node = wagtail.image(parser, token)
    return KEEPING[type(node)](
        node.image_expr,
        node.filter_specs,
        output_var_name=node.output_var_name,
        attrs=node.attrs,
    )
