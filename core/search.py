"""Search that finds Chinese words inside Chinese text.

Full-text engines split text at spaces, and Chinese is written without them: "小区停车位"
is one token, so a search for "停车" finds nothing. Pages index an extra field holding
every Han character and every pair of neighbouring ones ("小 区 停 车 位 小区 区停 停车 车位"),
plus the other-script pieces glued to them ("APP" in "下载社区APP"). A query is turned into
the same kind of terms: a Han word into its pairs (a single character stays as it is), so
any word matches wherever it stands. Other scripts are left as they are.
"""

import re
from dataclasses import dataclass

from django.utils.html import format_html, strip_tags

from wagtail.search import index

# Around the Han terms in a page's indexed text: U+2063, the invisible separator. Not
# whitespace, so that no backend's ``strip()`` removes it (PostgreSQL's plain-text copy of
# the index strips each field), and set apart by spaces, so that no tokeniser joins it to a
# term.
MARK = "\u2063"
_MARKED = re.compile(f"{MARK}[^{MARK}]*{MARK}")

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
        # Between two markers, so that an excerpt of the indexed text can leave it out
        # (``page_text``).
        return f"{MARK} {' '.join(index_terms(' '.join(parts)))} {MARK}"


def page_text(indexed):
    """A page's indexed text as a reader would read it: without the Han terms, tags or
    runs of spaces."""
    return " ".join(strip_tags(_MARKED.sub(" ", indexed or "")).split())


@dataclass(frozen=True)
class Excerpt:
    """A short piece of text around what was searched for: ``before``, ``match``, ``after``
    (plain text); printed in a template, a paragraph with each part escaped and the match
    highlighted."""

    before: str
    match: str
    after: str

    def __str__(self):
        # Here rather than in an include: a page of results prints twenty of them. (Django's
        # templates print str() of a value; safe text stays safe.)
        if self.match:
            return format_html(
                '<p class="search-excerpt">{}<mark>{}</mark>{}</p>',
                self.before,
                self.match,
                self.after,
            )
        return format_html('<p class="search-excerpt">{}{}</p>', self.before, self.after)

    __html__ = __str__


def _needles(query):
    """What to look for in a text, best first: each word as typed, then its Han pairs and
    characters (a page found by "停车位" may hold "停车" and "车位" apart)."""
    words = _UNSEARCHABLE.sub(" ", query or "").split()
    return [*words, *(term for word in words for term in han_bigrams(word) if term != word)]


def excerpt(text, query, width=80):
    """About ``width`` characters of ``text`` around the first place it holds a word of
    ``query``; the opening of the text when it holds none; None for no text."""
    text = " ".join((text or "").split())
    if not text:
        return None
    folded = text.casefold()
    for needle in _needles(query):
        start = folded.find(needle.casefold())
        if start >= 0:
            end = start + len(needle)
            begin = max(0, start - width // 3)
            stop = min(len(text), end + width - (start - begin))
            return Excerpt(
                ("…" if begin else "") + text[begin:start],
                text[start:end],
                text[end:stop] + ("…" if stop < len(text) else ""),
            )
    return Excerpt("", "", text[:width] + ("…" if len(text) > width else ""))


# Public results other than pages (votes...): each app registers a source in its ``ready()``
# (core imports no app; the apps come to core).
_SOURCES = []


@dataclass(frozen=True)
class Result:
    """One public result from a source: its title, address, text to excerpt and kind."""

    title: str
    url: str
    text: str = ""
    kind: str = ""


def register_source(find):
    """Add ``find(words, limit)``, returning public ``Result``s holding every word (in one
    query, whatever the amount of content), to what the site's search asks."""
    if find not in _SOURCES:
        _SOURCES.append(find)


def other_results(query, limit=10):
    """Every registered source's public results for ``query``, with their excerpts."""
    words = _UNSEARCHABLE.sub(" ", query or "").split()
    if not words:
        return []
    found = []
    for find in _SOURCES:
        for result in find(words, limit):
            found.append((result, excerpt(result.text, query)))
    return found[:limit]
