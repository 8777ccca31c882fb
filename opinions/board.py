"""The notice board as the public pages show it (the front page, the blog column).

Read as the values it shows, in the same one query as ``Opinion.objects.notice_board()``, and
put into words here once: each item's two lines of translated text with a name and a date in
them cost the template more than the rest of the page's list together.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.dates import local_date
from core.pages import page_url

from .models import Opinion, moderator_name

# What an item shows, in the order the query reads it.
FIELDS = (
    "author_name",
    "body",
    "language",
    "promoted_at",
    "page__title",
    "page__url_path",
    "promoted_by__first_name",
    "promoted_by__last_name",
    "promoted_by__username",
)


@dataclass(frozen=True, slots=True)
class BoardItem:
    """One opinion on the board, every value ready to print."""

    body: str
    language: str
    # "— <name>, on", and "posted to the board by <moderator> on <date>": translated, the
    # names escaped (as ``blocktranslate`` writes them).
    byline: SafeString
    page_title: str
    page_url: str | None
    posted: SafeString


def notice_board(request, limit=5):
    """The ``limit`` latest opinions on the board, as ``BoardItem``s in the reader's
    language: one query."""
    rows = Opinion.objects.notice_board(limit).values_list(*FIELDS)
    items = []
    for author, body, language, promoted_at, title, url_path, *moderator in rows:
        when = local_date(promoted_at) if promoted_at else ""
        by = moderator_name(*moderator) if moderator[-1] else ""  # no moderator: no name
        items.append(
            BoardItem(
                body=body,
                language=language,
                byline=mark_safe(gettext("— %(name)s, on") % {"name": escape(author)}),
                page_title=title,
                page_url=page_url(url_path, request),
                posted=mark_safe(
                    gettext("posted to the board by %(by)s on %(when)s")
                    % {"by": escape(by), "when": escape(when)}
                ),
            )
        )
    return items
