"""Search that finds Chinese words inside Chinese text.

Full-text engines split text at spaces, and Chinese is written without them: "小区停车位"
is one token, so a search for "停车" finds nothing. Pages index an extra field holding
every Han character and every pair of neighbouring ones ("小 区 停 车 位 小区 区停 停车 车位"),
plus the other-script pieces glued to them ("APP" in "下载社区APP"). A query is turned into
the same kind of terms: a Han word into its pairs (a single character stays as it is), so
any word matches wherever it stands. Other scripts are left as they are.
"""

import re

from wagtail.search import index

# Han ideographs (the unified block and extension A) and the compatibility block.
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# The database backend quotes each term without escaping quotes or control characters,
# and neither helps to find anything: they are read as spaces.
_WORDLIKE = re.compile(r"\w")
_UNSEARCHABLE = re.compile(r'["\x00-\x1f\x7f]')


def han_bigrams(text):
    """The overlapping pairs of Han characters in ``text``; a lone character stays as it is."""
    terms = []
    for run in _HAN_RUN.findall(text or ""):
        if len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


def _other_pieces(word):
    """What is left of a word once its Han runs are cut out ("社区APP办理" → ["APP"])."""
    return [piece for piece in _HAN_RUN.split(word) if _WORDLIKE.search(piece)]


def index_terms(text):
    """The terms a page's text is indexed under, so that any query's terms can match."""
    terms = []
    for word in (text or "").split():
        if not _HAN_RUN.search(word):
            continue
        terms.extend(_other_pieces(word))
        for run in _HAN_RUN.findall(word):
            terms.extend(run)
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


def search_terms(query):
    """Turn a reader's query into terms the index holds: Han runs become their pairs."""
    terms = []
    for word in _UNSEARCHABLE.sub(" ", query or "").split():
        terms.extend(_other_pieces(word))
        terms.extend(han_bigrams(word))
    return " ".join(terms)


class HanSearchMixin:
    """For page models: index the Han characters and pairs of the page's searchable text.

    The text is that of every ``index.SearchField`` the page declares in ``search_fields``
    (the title, an introduction, a body...): declaring a field searchable is enough for a
    Chinese word inside it to be found. StreamFields and rich text contribute their
    searchable content, as Wagtail indexes them.
    """

    search_fields = [index.SearchField("han_search_text")]

    def han_search_text(self):
        parts = []
        for field in self.get_searchable_search_fields():
            if field.field_name == "han_search_text":
                continue
            value = field.get_value(self)
            if isinstance(value, (list, tuple)):
                parts.extend(str(item) for item in value if item)
            elif value:
                parts.append(str(value))
        return " ".join(index_terms(" ".join(parts)))
