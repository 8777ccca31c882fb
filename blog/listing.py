"""The column's list of posts, read as plain values rather than as page objects.

A page object costs more to build than everything the list shows of it (Wagtail's specific
model, modelcluster's relations), and its URL and date cost a template tag and a filter per
row. Each row here is read as the few values the list shows, and its URL and date are made
once, in Python, exactly as ``{% pageurl %}`` and ``|date`` would make them.
"""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import get_language

from core.choices import choice_label
from core.pages import page_url

# What the list reads of each post.
LISTED_FIELDS = ("title", "url_path", "kind", "date", "introduction")
# The longest summary shown, in characters, as ``|truncatechars`` counts them.
SUMMARY_LENGTH = 160


@dataclass(frozen=True, slots=True)
class PostRow:
    """A post as the list shows it, every value ready to print."""

    url: str
    title: str
    kind: str
    iso_date: str
    date: str
    summary: str


def post_rows(values, request, kinds):
    """``PostRow``s of ``values`` (dicts of ``LISTED_FIELDS``) of posts, for ``request``;
    ``kinds`` is the choices class of the posts' kind."""
    date_format = get_format("DATE_FORMAT")  # once, not once a row as ``|date`` asks it
    language = get_language()
    return [
        PostRow(
            url=page_url(row["url_path"], request),
            title=row["title"],
            kind=capfirst(choice_label(kinds, row["kind"])),
            iso_date=row["date"].isoformat(),
            date=date_label(row["date"], date_format, language),
            summary=summary(row["introduction"]),
        )
        for row in values
    ]


@lru_cache(maxsize=1024)
def date_label(day, date_format, language):
    """``day|date:date_format`` as written in ``language``, the language active when called
    (a month's name is translated).

    The list shows the same few dates on every view, and formatting one costs more than
    making the rest of its row: each is formatted once per process and language.
    """
    return dateformat.format(day, date_format)


def summary(text):
    """``text|truncatechars:SUMMARY_LENGTH``.

    Most introductions are shorter than that: the filter then gives the text back as it
    normalised it (NFC), which is all this does, without the filter's walk through every
    character and its translation lookup for the ellipsis.
    """
    normalised = unicodedata.normalize("NFC", text)
    if len(normalised) <= SUMMARY_LENGTH:
        return normalised
    return Truncator(text).chars(SUMMARY_LENGTH)
