"""Paging without counting: one query a page, for lists whose total nobody needs."""

from dataclasses import dataclass


@dataclass
class SlicePage:
    object_list: list
    number: int
    has_next: bool

    # Not a Django paginator's page: there is no count (the template asks, so say so).
    paginator = None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_other_pages(self):
        return self.has_next or self.has_previous

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def slice_page(queryset, page_number, per_page):
    """The page ``page_number`` (any text; anything unusable means the first page).

    Fetches one item more than a page to know whether another page follows, instead of
    counting the whole list.
    """
    try:
        number = max(1, int(page_number))
    except (TypeError, ValueError):
        number = 1
    number = min(number, 10_000)
    start = (number - 1) * per_page
    items = list(queryset[start : start + per_page + 1])
    return SlicePage(items[:per_page], number, len(items) > per_page)
