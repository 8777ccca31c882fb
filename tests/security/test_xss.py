"""The XSS corpus (``xss_payloads.py``) through every public form and into every place that shows
what people typed: the public pages, the feed, search, the status pages, and the admin (each
snippet's listing, inspect, edit and history views, the History centre and its differences,
the moderation queue, the dashboard, the CSV export).

Each answer is parsed and must hold no live markup (``live_markup``), and must show the
payloads it was given (as text): a check of a page that never showed a payload proves nothing.
No answer may be a 500. The browser's side (no script runs, no dialog opens, with and without
the Content-Security-Policy) is ``tests/e2e/test_xss.py``.

The figures (payloads × places, requests) are written at the end of the module's run.
"""

import csv
import io
import itertools
from collections import Counter
from urllib.parse import urlsplit

import pytest

from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import NoReverseMatch, reverse

from wagtail.models import Page

from audit.models import AuditEntry
from blog.factories import blog_index
from core.exports import FORMULA_STARTS
from duty.models import DutyRecord, DutyRecordState, RequestCategory
from opinions.models import Opinion, OpinionState
from tests.support import kept_for_the_scope

from .xss_data import build
from .xss_payloads import (
    PAYLOADS,
    dangerous_form,
    fitting,
    live_markup,
    markers_shown,
    stored,
)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
LOGINS = ("/accounts/login/", "/admin/login/")
# How many payloads each query parameter of a public view is tried with, together in one value
# (a different slice of the corpus for each view, so that together they try all of it).
PER_VIEW = 12
# What a form's longest field takes (an opinion, a request): how many characters of payloads,
# one after the other, each submission carries.
FORM_TEXT = 2000
CHECKED = Counter()  # "requests", "places", "payloads x places"


# --- The check itself ------------------------------------------------------------------------


def test_the_corpus_is_sixty_distinct_payloads_or_more():
    texts = [payload.text for payload in PAYLOADS]
    assert len(PAYLOADS) >= 60
    assert len(set(texts)) == len(texts)
    assert len({payload.marker for payload in PAYLOADS}) == len(PAYLOADS)
    assert all(payload.marker in payload.text for payload in PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.marker)
def test_the_check_catches_each_payload_made_live(payload):
    """Each payload, in the form a careless renderer would give it (as markup, in an href,
    decoded, run as a template...), is found; the same payload escaped is not."""
    found = live_markup(f"<html><body><p>{dangerous_form(payload)}</p></body></html>")
    assert found, f"{payload.marker} ({payload.kind}) made live but not found"
    assert any(
        payload.marker in item.lower() or "<base" in item or "<meta" in item for item in found
    )


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.marker)
def test_the_check_passes_each_payload_escaped(payload):
    from django.utils.html import escape

    text = stored(payload.text)
    page = (
        f'<html><head><title>{escape(text)}</title><meta name="description" '
        f'content="{escape(text)}"></head><body><p title="{escape(text)}">{escape(text)}</p>'
        f'<input value="{escape(text)}"><textarea>{escape(text)}</textarea>'
        f'<a href="/search/?q={escape(text)}">more</a></body></html>'
    )
    assert live_markup(page) == []
    assert payload.marker in markers_shown(page)


def test_the_check_reads_a_few_unescaped_answers():
    assert live_markup("<p>ok</p><img src=x onerror=\"alert('xss0001')\">")
    assert live_markup('<input value="" autofocus onfocus="alert(\'xss0002\')">')
    assert live_markup("<a href='  jav&#x09;ascript:alert(\"xss0003\")'>x</a>")
    assert live_markup("<title></title><script>alert('xss0004')</script>")
    assert live_markup('<script type="application/json">{"a": "xss0005"}</script>') == []
    assert live_markup("<meta http-equiv=Refresh content='0;url=/'>")
    assert live_markup("<b>XSS0006</b>")
    assert live_markup("<p>&lt;script&gt;alert('xss0007')&lt;/script&gt;</p>") == []


# --- Checking answers ------------------------------------------------------------------------


def check(response, place, *, shows=(), html=True):
    """The answer is no 500, holds no live markup, and shows the markers of ``shows``
    (payloads it must have rendered). Counts what was checked."""
    CHECKED["requests"] += 1
    assert response.status_code < 500, f"{place}: {response.status_code}"
    content = response.content
    if html:
        found = live_markup(content)
        assert not found, f"{place}: live markup\n" + "\n".join(found)
    shown = markers_shown(content)
    missing = {p.marker if hasattr(p, "marker") else p for p in shows} - shown
    assert not missing, f"{place}: payloads not shown: {sorted(missing)}"
    CHECKED["places"] += 1
    CHECKED["payloads x places"] += len(shown)
    return shown


@pytest.fixture(scope="module", autouse=True)
def _report_figures(request):
    CHECKED.clear()
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and CHECKED:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nXSS corpus: {len(PAYLOADS)} payloads; {CHECKED['requests']} answers checked, "
                f"{CHECKED['payloads x places']} payload renderings (payloads × places) in "
                f"{CHECKED['places']} answers; no live markup"
            )


@pytest.fixture
def open_limits(settings):
    """The public forms' rate limits out of the way: each payload is one more submission."""
    settings.PUBLIC_FORM_RATE_LIMITS = {"opinion": "100000/m", "duty_request": "100000/m"}


def address_for(number):
    """A client address of its own for each submission (no lockout, no limit shared)."""
    return f"10.{number // 250 % 250}.{number % 250}.7"


def batches(payloads, limit):
    """``payloads`` in groups whose texts, one after the other (``joined``), fit in ``limit``
    characters; a payload longer than that makes a group of its own. Each answer shows a group:
    far fewer requests than a payload each, and every payload still in every field."""
    group, size = [], 0
    for payload in payloads:
        length = len(payload.text) + bool(group)
        if group and size + length > limit:
            yield group
            group, size, length = [], 0, len(payload.text)
        group.append(payload)
        size += length
    if group:
        yield group


def joined(group):
    return " ".join(payload.text for payload in group)


def short_then_long(limit):
    """The corpus in groups fitting ``limit`` (a field shown, a query run), then the payloads
    longer than that in groups of their own (the answer that refuses them)."""
    short = [p for p in PAYLOADS if len(p.text) <= limit]
    long = [p for p in PAYLOADS if len(p.text) > limit]
    return [*batches(short, limit), *batches(long, FORM_TEXT)]


# --- The payload world, built once for the module --------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The corpus stored in every text field of every snippet model and of the pages
    (``xss_data.build``)."""
    yield from kept_for_the_scope(django_db_blocker, build)


@pytest.fixture
def admin_client(world, db):
    client = Client(**ENGLISH)
    client.force_login(world["admin"])
    return client


# --- Public forms ----------------------------------------------------------------------------


def _kept_or_shown_again(client, response, place, group):
    """A form's answer: kept (a redirect to the status page, which must show ``group``) or
    refused (the form shown again, with ``group`` in it). True if kept."""
    if response.status_code == 302:
        check(client.get(response["Location"]), f"status page after {place}", shows=group)
        return True
    assert response.status_code == 400, f"{place}: {response.status_code}"
    check(response, f"{place} shown again", shows=group)
    return False


def test_the_opinion_form_shows_every_payload_as_text(world, db, open_limits):
    """Every payload in every field of the opinion form, on a topic, a briefing and a hearing in
    turn (one form, three page templates): several to a field, refused (the name is too long)
    and shown again in the form; then kept, several in the body and one as the name, and shown
    on the opinion's status page."""
    pages = itertools.cycle(world["pages"].values())
    client = Client(**ENGLISH)
    submissions = itertools.count()
    for group in batches(PAYLOADS, FORM_TEXT):
        text, page = joined(group), next(pages)
        data = {"author_name": text, "contact": text, "body": text, "website": ""}
        response = client.post(page.url, data, REMOTE_ADDR=address_for(next(submissions)))
        assert not _kept_or_shown_again(client, response, f"{page.url} with {text[:40]!r}", group)
    names, contacts = fitting(50), fitting(100, 17)
    kept = 0
    for group in batches(PAYLOADS, FORM_TEXT):
        page, name, contact = next(pages), next(names), next(contacts)
        data = {"author_name": name.text, "contact": contact.text, "body": joined(group)}
        response = client.post(
            page.url, {**data, "website": ""}, REMOTE_ADDR=address_for(next(submissions))
        )
        kept += _kept_or_shown_again(client, response, f"{page.url}, {name.marker}", group)
    # Both ways were taken: payloads kept (and shown on their status page) and payloads
    # refused (and shown again in the form).
    assert kept > 0


def test_the_request_form_shows_every_payload_as_text(world, db, open_limits):
    """Every payload in every field of the request form, several to a field: refused (no phone
    number) and shown again; then kept, with a real phone number, several in the request and
    one as the name and one as the place, and shown on the request's status page."""
    client = Client(**ENGLISH)
    submissions = itertools.count()
    base = {"category": RequestCategory.REPAIR, "website": ""}
    for group in batches(PAYLOADS, FORM_TEXT):
        text = joined(group)
        data = {"resident_name": text, "resident_contact": text, "place": text, "request": text}
        response = client.post(
            "/duty/request/", {**base, **data}, REMOTE_ADDR=address_for(next(submissions))
        )
        assert not _kept_or_shown_again(client, response, f"request form {text[:40]!r}", group)
    names, places = fitting(50, 5), fitting(100, 31)
    kept = 0
    for group in batches(PAYLOADS, FORM_TEXT):
        data = {
            "resident_name": next(names).text,
            "resident_contact": "13712345678",
            "place": next(places).text,
            "request": joined(group),
        }
        response = client.post(
            "/duty/request/", {**base, **data}, REMOTE_ADDR=address_for(next(submissions))
        )
        kept += _kept_or_shown_again(client, response, f"request {group[0].marker}…", group)
    assert kept > 0


def test_the_login_forms_show_every_payload_as_text(world, db):
    """Every payload as the user name and the password, several at a time, at the site's login
    and the admin's in turn."""
    client = Client(**ENGLISH)
    paths = itertools.cycle(LOGINS)
    for number, group in enumerate(short_then_long(150)):
        text, path = joined(group), next(paths)
        response = client.post(
            path, {"username": text, "password": text}, REMOTE_ADDR=address_for(number)
        )
        # The name typed is shown again, unless too long for a user name.
        shows = group if len(stored(text)) <= 150 else []
        check(response, f"{path} with {text[:40]!r}", shows=shows)


@pytest.mark.search_index
def test_search_shows_every_query_as_text(world, db):
    """Every payload searched for, several at a time: run where the query is short enough,
    refused with a message beyond that; shown in the search box either way."""
    client = Client(**ENGLISH)
    limit = 100  # settings.SEARCH_QUERY_MAX_LENGTH
    for group in short_then_long(limit):
        response = client.get("/search/", {"q": joined(group)})
        check(response, f"search for {joined(group)[:40]!r}", shows=group)


def test_addresses_and_query_strings_show_every_payload_as_text(world, db):
    """What a link can carry: payloads in each public view's query parameters, and as a
    reference typed into the follow boxes and the status addresses (several in one value, a
    different slice of the corpus for each view)."""
    client = Client(**ENGLISH)
    views = [
        (blog_index().url, ["kind", "tag", "page"]),
        (world["pages"]["briefing"].get_parent().url, ["year", "category", "page", "coming"]),
        (world["pages"]["hearing"].get_parent().url, ["year", "category", "page", "coming"]),
        (world["pages"]["topic"].url, ["opinions"]),
        ("/duty/", ["month"]),
        ("/volunteers/", ["year"]),
        ("/", ["page"]),
        ("/votes/", ["open", "page"]),
        ("/cobuilding/", ["kind", "page"]),
        ("/honour-roll/", ["year"]),
        ("/duty/follow/", ["reference"]),
        ("/opinions/follow/", ["reference"]),
    ]
    views += [("/duty/request/{}/", None), ("/opinions/{}/", None), ("/language/", ["next"])]
    tried = set()
    for number, (path, names) in enumerate(views):
        group = list(itertools.islice(itertools.cycle(PAYLOADS), number * 6, number * 6 + PER_VIEW))
        tried |= {payload.marker for payload in group}
        text = joined(group)
        if names is None:
            response = client.get(path.format(text.replace("/", "%2F")))
        else:
            response = client.get(path, dict.fromkeys(names, text))
        if response.status_code in (301, 302):
            CHECKED["requests"] += 1
            stays_here(response["Location"])
            continue
        check(response, f"{path}?{names} with {group[0].marker}…")
    assert len(tried) == len(PAYLOADS)


def stays_here(location):
    """A redirect leads to this site, never to a script or another host."""
    location = location.strip().replace("\\", "/")
    parts = urlsplit(location)
    assert parts.scheme == "" and parts.netloc == "", location
    assert not location.startswith("//"), location


# --- What was kept, shown to the public ------------------------------------------------------


def test_the_pages_holding_payloads_show_them_as_text(world, db):
    client = Client(**ENGLISH)
    by_page = {}
    for opinion in world["opinions"]:
        by_page.setdefault(opinion.page_id, []).append(opinion.marker)
    for page in world["pages"].values():
        markers = set(by_page[page.pk])
        seen = set()
        for number in range(1, len(markers) // 10 + 2):
            response = client.get(page.url, {"opinions": number})
            seen |= check(response, f"{page.url}?opinions={number}")
        assert markers_shown(page.title) <= seen
        assert markers <= seen, sorted(markers - seen)


def test_the_front_page_the_column_and_the_feed_show_payloads_as_text(world, db):
    client = Client(**ENGLISH)
    promoted = [o.marker for o in world["opinions"] if o.state == OpinionState.PROMOTED]
    assert len(promoted) == 5
    for path in ("/", blog_index().url):
        check(client.get(path), path, shows=promoted)
    response = client.get(blog_index().url + "feed/")
    assert response.status_code == 200
    assert "html" not in response["Content-Type"]
    shown = check(response, "the feed")
    assert world["page_markers"]["topic"] & shown
    # The feed is XML: a payload's markup is escaped there, never an element of the feed.
    assert b"<script" not in response.content.lower()
    assert b"<img" not in response.content.lower()


@pytest.mark.search_index
def test_search_results_show_page_payloads_as_text(world, db):
    client = Client(**ENGLISH)
    for page in world["pages"].values():
        marker = markers_shown(page.title).pop()
        response = client.get("/search/", {"q": marker})
        check(response, f"search results for {marker}", shows=[marker])
        assert page.url.encode() in response.content, f"{marker}: {page.url} not found"


def test_the_status_pages_show_payloads_as_text(world, db):
    client = Client(**ENGLISH)
    for record in world["records"]:
        response = client.get(f"/duty/request/{record.reference}/")
        check(response, f"request {record.state}", shows=markers_shown(record.request))
        if record.state == DutyRecordState.RESOLVED:
            assert markers_shown(record.answer) <= markers_shown(response.content)
    for opinion in world["opinions"][:5]:
        response = client.get(f"/opinions/{opinion.reference}/")
        check(response, f"opinion {opinion.state}", shows=[opinion.marker])
    rejected = world["rejected"]
    response = client.get(f"/opinions/{rejected.reference}/")
    check(response, "a rejected opinion", shows=markers_shown(rejected.public_reason))


def test_the_public_views_of_snippets_show_payloads_as_text(world, db):
    client = Client(**ENGLISH)
    for path in (
        "/duty/",
        "/duty/posts/",
        "/votes/",
        "/cobuilding/",
        "/volunteers/",
        "/honour-roll/",
    ):
        check(client.get(path), path)


# --- The admin -------------------------------------------------------------------------------


# Models whose every admin view is read; the others' listing and one view of the record (the
# inspect view where there is one, which shows every field; else the edit form).
EVERY_VIEW = ("Opinion", "DutyRecord", "Person")


def _viewset_urls(model, instance):
    viewset = model.snippet_viewset
    urls = {"listing": reverse(viewset.get_url_name("list"))}
    views = ("inspect", "edit", "history")
    for view in views:
        try:
            urls[view] = reverse(viewset.get_url_name(view), args=[instance.pk])
        except NoReverseMatch:
            continue
    if model.__name__ not in EVERY_VIEW:
        one = "inspect" if "inspect" in urls else "edit"
        urls = {view: url for view, url in urls.items() if view in ("listing", one)}
    return urls


def test_every_snippets_admin_views_show_payloads_as_text(world, admin_client):
    places = 0
    showing, refused = set(), set()
    for model, (instance, used) in world["snippets"].items():
        urls = _viewset_urls(model, instance)
        # The listing last: where the record's own views are refused, it must show the payloads.
        urls["listing"] = urls.pop("listing")
        for view, url in urls.items():
            response = admin_client.get(url)
            if view == "edit" and response.status_code == 302:
                # A record no one edits once made (a roll-call attendance): its listing shows it.
                refused.add(model)
                continue
            assert response.status_code == 200, f"{model.__name__} {view}: {response.status_code}"
            shown = check(response, f"{model.__name__} {view}")
            if view in ("edit", "inspect") or (view == "listing" and model in refused):
                assert used & shown, f"{model.__name__} {view} shows none of {sorted(used)}"
                showing.add(model)
            places += 1
    assert showing == set(world["snippets"])
    assert places >= 2 * len(world["snippets"])


def test_the_history_centre_and_its_differences_show_payloads_as_text(world, admin_client):
    check(admin_client.get(reverse("audit_history:index")), "History centre")
    for model, (instance, used) in world["snippets"].items():
        content_type = ContentType.objects.get_for_model(model)
        entry = (
            AuditEntry.objects.filter(content_type=content_type, object_id=str(instance.pk))
            .order_by("-pk")
            .first()
        )
        assert entry is not None, model
        response = admin_client.get(reverse("audit_history:inspect", args=[entry.pk]))
        shown = check(response, f"history entry of {model.__name__}")
        assert used & shown, f"{model.__name__}: the difference shows none of {sorted(used)}"
        if model in (Opinion, DutyRecord):
            response = admin_client.get(
                reverse("audit_history:index"),
                {"content_type": content_type.pk, "object_id": instance.pk},
            )
            check(response, f"timeline of {model.__name__}")
    for page in world["pages"].values():
        entries = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Page), object_id=str(page.pk)
        ) | AuditEntry.objects.filter(object_id=str(page.pk))
        for entry in entries.order_by("-pk")[:3]:
            check(
                admin_client.get(reverse("audit_history:inspect", args=[entry.pk])),
                f"history of {page.title[:20]}",
            )
        for name in ("wagtailadmin_pages:edit", "wagtailadmin_pages:history"):
            check(admin_client.get(reverse(name, args=[page.pk])), f"{name} {page.pk}")
        revisions = list(page.revisions.order_by("pk").values_list("pk", flat=True))
        compare = reverse(
            "wagtailadmin_pages:revisions_compare", args=[page.pk, revisions[-2], revisions[-1]]
        )
        check(admin_client.get(compare), f"revision comparison {page.pk}")


def test_the_moderation_queue_and_the_dashboard_show_payloads_as_text(world, admin_client):
    queue = reverse(Opinion.snippet_viewset.get_url_name("list"))
    for number in range(1, len(world["opinions"]) // 20 + 2):
        check(admin_client.get(queue, {"p": number}), f"opinions page {number}")
    check(admin_client.get(queue, {"state": "rejected"}), "rejected opinions")
    check(admin_client.get(reverse("wagtailadmin_home")), "dashboard")
    check(
        admin_client.get(reverse("wagtailadmin_explore", args=[blog_index().pk])), "page explorer"
    )


def _csv_rows(response):
    assert response.status_code == 200
    assert "html" not in response["Content-Type"]
    assert response["Content-Type"].startswith("text/csv")
    CHECKED["requests"] += 1
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_the_csv_exports_neutralise_formulas(world, admin_client):
    """Every export of a snippet holding payloads, and the History centre's: a CSV file (never
    HTML), no cell a spreadsheet would run (``=``, ``+``, ``-``, ``@``, tab, carriage return
    first), and the payloads in it as typed."""
    exports = [
        reverse(model.snippet_viewset.get_url_name("list"))
        for model in world["snippets"]
        if getattr(model.snippet_viewset, "list_export", None)
    ]
    exports.append(reverse("audit_history:index"))
    neutralised, markers = 0, set()
    for url in exports:
        for row in _csv_rows(admin_client.get(url, {"export": "csv"}))[1:]:
            for cell in row:
                markers |= markers_shown(cell)
                number = cell[:1] == "-" and cell[1:].replace(".", "", 1).isdigit()
                assert number or not cell.startswith(FORMULA_STARTS), (url, cell)
                neutralised += cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS)
    # Payloads starting with = and + were exported, with their ' in front.
    assert neutralised
    assert len(markers) >= len(PAYLOADS) // 2
