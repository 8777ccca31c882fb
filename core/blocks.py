from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class ContentBlock(blocks.StreamBlock):
    """The body of a plain page: headings, paragraphs, images and quotations."""

    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
    )
    image = ImageBlock(label=_("Image"), template="blocks/image.html")
    quote = blocks.BlockQuoteBlock(label=_("Quotation"))

    class Meta:
        template = "blocks/content.html"
