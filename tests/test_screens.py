"""Every screen of the demo reads in Chinese: no ``None``, ``False``, raw dictionary or English
word in what the template writes, for each role, in the admin and on the public site.

The screens are found by following links (from the dashboard for each role, from the front page
for a visitor), one address of each shape (``/admin/snippets/duty/dutyrecord/edit/7/`` stands for
every record's edit view), so that a screen added later is read without being listed here.
What people typed (page bodies, names, requests) is content, not the catalogue's: it is left out
by marking, and the demo writes it in Chinese anyway.
"""

import functools
import json
import re
from collections import deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlsplit
from zoneinfo import available_timezones

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from wagtail.models import Page

from core.indexing import reference_index_off
from duty.models import DutyRecord
from home.management.commands.seed_demo import ACCOUNTS
from opinions.models import Opinion
from tests.support import kept_for_the_scope, ui

ZH = "zh-hans"
RECORD_BOOK = "/admin/snippets/duty/dutyrecord/"

# Words that are the same in Chinese mode: names of formats, products and units.
ALLOWED_WORDS = {
    "CSV",
    "XLSX",
    "RSS",
    "ICS",
    "iCalendar",
    "Wagtail",
    "Community",
    "CMS",
    "URL",
    "PDF",
    "ID",
    "QR",
    "OK",
    "Email",
    # The spreadsheet import's help: file encodings, the programs that write them, a size.
    "GBK",
    "Excel",
    "Windows",
    "MB",
    # Each language is named in itself in the language menus (settings.LANGUAGES).
    "English",
}
# Words no Chinese screen shows outside content: Python's values leaking into a template.
LEAKED_VALUES = ("None", "False", "True", "{'")

# Elements whose text is not the catalogue's: scripts, styles, templates for JavaScript, the
# rich-text and stream-field bodies people wrote, and anything marked as content.
SKIPPED_ELEMENTS = {"script", "style", "template", "noscript", "svg", "code", "pre", "textarea"}
CONTENT_CLASSES = {"rich-text", "block-paragraph", "richtext", "w-richtext"}
# Attributes a person reads (or hears) as text.
READ_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip

# A duty or opinion reference (``K7WP-3MXR-Q2TD``), a user name in the demo, an e-mail address,
# an address: data, not words.
DATA_PATTERNS = re.compile(
    r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){2}"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|https?://\S+"
    r"|\b[0-9a-f]{8,}\b"
    # References issued before the grouped format: 11 URL-safe characters with a digit.
    r"|(?<![\w-])(?=[\w-]*\d)[\w-]{11}(?![\w-])"
    # A word cut short by a listing ("near bu..."): part of what someone typed.
    r"|[A-Za-z]+(?:\.\.\.|…)"
)
ENGLISH_WORD = re.compile(r"(?<![\w\-/.])[A-Za-z]{2,}(?![\w\-/]|\.\w)")


class VisibleText(HTMLParser):
    """The text a person reads on a page: text nodes and read attributes, outside skipped
    elements and content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, hidden) for each open element
        self.texts = []

    @property
    def hidden(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        hidden = (
            self.hidden
            or tag in SKIPPED_ELEMENTS
            or "hidden" in attributes
            or "data-content" in attributes
            or bool(classes & CONTENT_CLASSES)
        )
        if not hidden:
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.texts.append(attributes[name])
            if tag == "input" and attributes.get("type") in {"submit", "button"}:
                self.texts.append(attributes.get("value") or "")
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag):
        # Close up to the matching element (HTML lets some end tags be left out).
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def visible_texts(html):
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


@functools.lru_cache(maxsize=4)
def typed_pattern(content):
    """One pattern for every piece of typed content, matched as whole words."""
    return re.compile(
        r"(?<![A-Za-z])(?:" + "|".join(re.escape(t) for t in content) + r")(?![A-Za-z])"
    )


def faults(text, content=()):
    """What is wrong with one visible text in Chinese mode: leaked values and English words."""
    found = [value for value in LEAKED_VALUES if re.search(rf"(?<!\w){re.escape(value)}", text)]
    if content:
        text = typed_pattern(tuple(content)).sub(" ", text)
    text = DATA_PATTERNS.sub(" ", text)
    found += [
        word
        for word in ENGLISH_WORD.findall(text)
        if word not in ALLOWED_WORDS and word not in LEAKED_VALUES
    ]
    return found


# Wagtail's own settings screens, which only the administrator opens (sites, users, groups,
# workflows, collections, redirects, images, documents, the account's preferences and Wagtail's
# reports): Wagtail's catalogue leaves many of their strings in English, and they are not the
# screens the community's staff work in. docs/screens.md lists what they show.
NOT_READ = re.compile(
    r"^/admin/(sites|users|groups|workflows|collections|redirects|images|documents|account"
    r"|reports|pages/usage|pages/\d+/(delete|unpublish|move|copy))/|^/admin/pages/(\?.*)?$"
)
# Wagtail sets these aria-labels when it is imported, before any language is chosen, so no
# catalogue can translate them (wagtail.admin.views.generic.base).
# "Search" is written in English in Wagtail's templates (a button for screen readers only,
# wagtailadmin/home.html and shared/header.html).
WAGTAIL_UNTRANSLATABLE = {"Actions", "Search"}

# Addresses not followed: leaving, switching language, the Django admin, downloads and
# previews (a preview is the public page, read as a visitor).
NOT_FOLLOWED = re.compile(
    r"^/admin/logout/|/django-admin/|^/lang|/preview/|export=|/static/|/media/|\.(ics|xml|csv)$"
    r"|/documents/|/images/\d+/|^/admin/login/"
)


def shape(path):
    """One address of each shape is read: numbers and references stand for any."""
    split = urlsplit(path)
    base = re.sub(r"/\d+/", "/N/", split.path)
    base = re.sub(r"/[0-9A-Z]{4}(?:-[0-9A-Z]{4}){2}/", "/REF/", base)
    return base


SIDEBAR = re.compile(
    r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', re.S
)


def menu_items(html):
    """The admin menu's ``(label, url)`` pairs: Wagtail draws the menu with JavaScript from
    JSON, so its links and labels are not in the page's markup."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "label" in node:
                found.append((node["label"], node.get("url")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for props in SIDEBAR.findall(html):
        walk(json.loads(props))
    return found


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def crawl(client, start, prefix, limit=400, also=()):
    """Each screen reached by links from ``start`` (and the addresses ``also``) within
    ``prefix``, one of each shape: ``{path: html}``."""
    seen_shapes, screens = set(), {}
    queue = deque([start, *also])
    while queue and len(screens) < limit:
        path = queue.popleft()
        if shape(path) in seen_shapes:
            continue
        seen_shapes.add(shape(path))
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=ZH)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        screens[path] = html
        links = Links()
        links.feed(html)
        for href in links.hrefs + [url for _label, url in menu_items(html) if url]:
            target = urlsplit(urljoin(path, href))
            if target.netloc not in {"", "testserver"} or not target.path.startswith(prefix):
                continue
            if NOT_FOLLOWED.search(target.path) or NOT_FOLLOWED.search(target.query):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return screens


def screen_faults(screens, content=()):
    """``{path: [(text, faults)]}`` for every screen with something wrong."""
    report = {}
    data = set(content)
    for path, html in screens.items():
        if NOT_READ.search(path):
            continue
        texts = visible_texts(html) + [label for label, _url in menu_items(html)]
        texts = [t for t in texts if t not in data and t not in WAGTAIL_UNTRANSLATABLE]
        wrong = [(t, f) for t in texts if (f := faults(t, content))]
        if wrong:
            report[path] = wrong
    return report


def typed_content():
    """Data a screen shows as it is stored, not the catalogue's words: what people typed (user
    names, page titles, opinions and their authors), the roles' group names and Django's
    permission names (stored in English by Django), and the time zones' names."""
    texts = [
        *get_user_model().objects.values_list("username", flat=True),
        *Group.objects.values_list("name", flat=True),
        *Permission.objects.values_list("name", flat=True),
        *Page.objects.values_list("title", flat=True),
        *available_timezones(),
        "localtime",
    ]
    for page in Page.objects.specific():
        # Headings and other plain-text blocks of a page's body (rich text is left out by its
        # markup).
        texts += [
            str(block.value)
            for block in getattr(page, "body", None) or ()
            if isinstance(block.value, str)
        ]
    for opinion in Opinion.objects.all():
        # Listings shorten an opinion: its words, not its whole text, are what is shown.
        texts += [str(opinion), *f"{opinion.author_name} {opinion.body}".split()]
    return sorted({t for t in texts if t}, key=len, reverse=True)


def typed_addresses():
    """Public screens a person reaches by typing: a search, a request's and an opinion's
    status page (from the reference they were given), a page that does not exist."""
    record = DutyRecord.objects.order_by("pk").first()
    opinion = Opinion.objects.exclude(reference="").order_by("pk").first()
    return [
        "/search/?q=停车",
        reverse("duty:request_status", args=[record.reference]),
        reverse("opinion_status", args=[opinion.reference]),
    ]


def client_as(username=None):
    client = Client(HTTP_ACCEPT_LANGUAGE=ZH)
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def seed():
    # As every test leaves Wagtail's reference index alone (tests/conftest.py).
    with reference_index_off():
        call_command("seed_demo", force=True, stdout=StringIO())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module."""
    yield from kept_for_the_scope(django_db_blocker, seed)


@pytest.fixture(scope="module")
def content(demo, django_db_blocker):
    """The demo's typed content, read once for the module: every test starts from the demo as
    seeded (what a test changes is rolled back), so it is the same for each of them."""
    with django_db_blocker.unblock():
        return typed_content()


def describe(report):
    return "\n".join(
        f"{path}:\n" + "\n".join(f"    {faults!r} in {text[:120]!r}" for text, faults in wrong)
        for path, wrong in report.items()
    )


STAFF = sorted(set(ACCOUNTS) - {"rep"})


@pytest.mark.parametrize("username", STAFF)
def test_every_admin_screen_reads_in_chinese(demo, content, db, username):
    screens = crawl(client_as(username), "/admin/", "/admin/")
    assert len(screens) > 5, sorted(screens)
    report = screen_faults(screens, content)
    assert not report, describe(report)


@pytest.mark.parametrize("username", [None, "rep"])
@pytest.mark.search_index
def test_every_public_screen_reads_in_chinese(demo, content, db, username):
    """As a visitor, and as a representative (who sees the ballots, and has no admin)."""
    screens = crawl(client_as(username), "/", "/", also=typed_addresses())
    assert len(screens) > 10, sorted(screens)
    report = screen_faults(screens, content)
    assert not report, describe(report)


def test_the_reader_finds_leaks_and_english_outside_content():
    html = (
        "<main><h1>记录</h1><p>None</p><td>{'id': 1}</td><span>Received</span>"
        '<input placeholder="Search all pages..."><div class="rich-text">Hello world</div>'
        "<script>var a = 'English';</script><p>导出 CSV K7WP-3MXR-Q2TD</p></main>"
    )
    found = [(t, f) for t in visible_texts(html) if (f := faults(t))]
    assert found == [
        ("None", ["None"]),
        ("{'id': 1}", ["{'", "id"]),
        ("Received", ["Received"]),
        ("Search all pages...", ["Search", "all"]),
    ]


STATUS_TAG = re.compile(r'<span class="w-status[^"]*"[^>]*>\s*([^<]+?)\s*</span>')


def test_status_tags_start_with_a_capital_in_english(demo, db):
    html = client_as("cadre").get(RECORD_BOOK, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    tags = [tag for tag in STATUS_TAG.findall(html) if tag.strip()]
    assert "Received" in tags
    assert all(tag[0].isupper() for tag in tags), tags


def test_the_submit_button_reads_submit_for_review(demo, db):
    page = Page.objects.get(depth=2).get_children().first()
    html = client_as("editor").get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "提交审核" in html
    assert ui(ZH, "Submit to %(workflow_name)s", workflow_name="审核") == "提交审核"


def test_an_inspect_view_says_yes_no_and_dash_and_hides_the_id(demo, db):
    record = DutyRecord.objects.filter(handled_by__isnull=True).first()
    html = client_as("cadre").get(f"/admin/snippets/duty/dutyrecord/inspect/{record.pk}/")
    texts = visible_texts(html.content.decode())
    assert "—" in texts
    assert {"是", "否"} & set(texts)
    assert not {"None", "True", "False", "Id", "ID"} & set(texts)
