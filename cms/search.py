"""Search that finds Chinese words inside Chinese text.

Full-text engines split text at spaces, and Chinese is written without them: "小区停车位"
is one token, so a search for "停车" finds nothing. Pages index an extra field holding
every pair of neighbouring Han characters ("小区 区停 停车 车位"), and a query is turned into
the same pairs, so any word of two or more characters matches wherever it stands. Other
scripts are left as they are.
"""

import re

from wagtail.search import index

# Han ideographs (the unified block and extension A) and the compatibility block.
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def han_bigrams(text):
    """The overlapping pairs of Han characters in ``text``; a lone character stays as it is."""
    terms = []
    for run in _HAN_RUN.findall(text or ""):
        if len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


def search_terms(query):
    """Turn a reader's query into terms the index holds: Han runs become their pairs."""
    terms = []
    for word in (query or "").split():
        pieces = _HAN_RUN.split(word)
        terms.extend(piece for piece in pieces if piece.strip())
        terms.extend(han_bigrams(word))
    return " ".join(terms)


class HanSearchMixin:
    """For page models: index the Han bigrams of the page's searchable text.

    A page lists the fields whose text is searched in ``han_search_fields``; StreamFields
    contribute their blocks' searchable content.
    """

    han_search_fields = ("title", "search_description")

    search_fields = [index.SearchField("han_search_text")]

    def han_search_text(self):
        parts = []
        for name in self.han_search_fields:
            value = getattr(self, name, "")
            if hasattr(value, "stream_block"):
                parts.extend(value.stream_block.get_searchable_content(value))
            elif value:
                parts.append(str(value))
        return " ".join(han_bigrams(" ".join(parts)))
