"""The public honour roll (光荣榜): the buildings and the titles awarded them, by year, newest
first. Read from ``Title.objects.honour_roll()``: titles awarded and not withdrawn, with the
building's name and nothing about people (no leader, no assessors, no notes)."""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.cache import until_purged
from core.paging import slice_page

from .models import CategoryKind, Title, TitleKind

# Titles on a page of the roll: the years go on from page to page, the newest first.
PER_PAGE = 60


def _year(value):
    """The year asked for, or None; ``error`` when it is not one (any text may come in)."""
    # isdigit() alone lets "²" through to int(), which refuses it.
    if value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value), ""
    return None, _("Choose a year from the list.") if value else ""


def _title_name(row):
    """A title as the roll shows it: "safety characteristic building" (平安型特色楼)."""
    title = TitleKind(row["kind"]).label
    if row["category__kind"]:
        return _("%(category)s %(title)s") % {
            "category": CategoryKind(row["category__kind"]).label,
            "title": title,
        }
    return str(title)


def _by_year(rows):
    """``[(year, [(kind label, [(building, title), ...]), ...]), ...]``, grouped in the order
    ``Title.objects.honour_roll()`` reads them: the newest year first, the kinds in the
    order of their choices (the pioneers first)."""
    years = {}
    for row in rows:
        kinds = years.setdefault(row["year"], {})
        kinds.setdefault(row["kind"], []).append((row["building__name"], _title_name(row)))
    return [
        (year, [(TitleKind(kind).label, entries) for kind, entries in kinds.items()])
        for year, kinds in years.items()
    ]


@require_safe
def honour_roll(request):
    """Every year's titles, or one year's with ``?year=``, a page at a time."""
    year, error = _year(request.GET.get("year", ""))
    page = slice_page(Title.objects.honour_roll(year=year), request.GET.get("page"), PER_PAGE)
    # The years with titles, for the filter: read from every title awarded, so kept until a
    # title, a building or a category is saved (what purges this page).
    years = until_purged(
        reverse("buildings:honour_roll"),
        "buildings:years",
        lambda: list(
            Title.objects.awarded().order_by("-year").values_list("year", flat=True).distinct()
        ),
    )
    return TemplateResponse(
        request,
        "buildings/honour_roll.html",
        {
            "roll": _by_year(page.object_list),
            "page_obj": page,
            "filter_query": urlencode({"year": year}) + "&" if year else "",
            "years": years,
            "year": year,
            "filter_error": error,
        },
    )
