"""Property-based fuzzing (Hypothesis) of what anyone can type into an address: the search, the
public lists' paging and filters, the references residents follow, the admin listings'
search, paging, ordering and filters. Whatever comes in, the site answers with a page (a
result, the nearest page, a message, a 404), never a server error.

``FUZZ_EXAMPLES`` (10,000 by default) is the number of cases in all, shared out between the
properties below; the figure run is written at the end of the module's output, so that it can
be read in the CI log. Every case is one request through the whole middleware stack, on a
little of every kind of content, built once for the module.
"""

import datetime
import os
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.test import Client
from django.urls import reverse

from wagtail.snippets.models import get_snippet_models

from blog.factories import BlogPageFactory
from blog.models import BlogKind
from cobuilding.factories import JointActivityFactory, PartnerFactory
from core.references import ALPHABET, LENGTH, MAX_LENGTH, new_reference, normalise_reference
from core.transitions import perform
from duty.factories import DutyRecordFactory
from hearings.factories import BriefingPageFactory, HearingPageFactory
from opinions.factories import OpinionFactory
from people.factories import UserFactory
from tests.support import kept_for_the_scope
from tests.votes.conftest import STEPS, step
from votes.factories import MotionFactory
from votes.models import MotionState

# Every test of the module on the same data, so that pytest keeps them together and the figure
# is written once, after the last of them.
pytestmark = pytest.mark.usefixtures("demo", "db")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
# Each property's part of the cases: the requests that are cheapest to answer take the most.
SHARES = {
    "normalise_reference": 0.15,
    "search": 0.25,
    "public_lists": 0.35,
    "references": 0.20,
    # An admin listing costs several times a public page: a smaller part, still every listing.
    "admin_listings": 0.05,
}
RUN = dict.fromkeys(SHARES, 0)


def examples(name):
    return max(1, round(EXAMPLES * SHARES[name]))


def fuzz_settings(name):
    # No example database (CI starts clean, and a found case is printed to reproduce), no
    # deadline (a cold page may take a while on a busy machine).
    return settings(
        max_examples=examples(name),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


# ---------------------------------------------------------------------------------------------
# What is typed.

# Every Unicode category, surrogates included (sent as the bytes UTF-8 would give them, which
# are not UTF-8).
ANY_CHARACTER = st.characters(exclude_categories=())
TRICKY = [
    "\x00",
    "%",
    "_",
    "\\",
    "'",
    '"',
    "*",
    "-",
    "+",
    "^",
    ":",
    "(",
    ")",
    "NEAR(",
    "NEAR/2",
    " AND ",
    " OR ",
    " NOT ",
    "' OR 1=1 --",
    "%' --",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200d",  # zero-width joiner
    "\ufeff",
    "👨‍👩‍👧",
    "😀",
    "𠮷",
    "停车",
    "小区门口",
    "²",
    "١٢",
    "Ⅻ",
    "ß",
    "İ",
    "\u3000",
    "\r\n",
    "&",
    "=",
    "#",
    "?",
    "/",
    "..",
]
FTS_OPERATORS = ['"', "*", "NEAR(", "NEAR", "AND", "OR", "NOT", "-", "+", "^", ":", "(", ")"]
WORD = st.one_of(
    st.text(ANY_CHARACTER, max_size=12),
    st.text(string.ascii_letters + string.digits, min_size=1, max_size=8),
    st.text(st.characters(categories=["Lo"]), min_size=1, max_size=6),
    st.sampled_from(TRICKY + FTS_OPERATORS),
)
PHRASE = st.lists(WORD, max_size=8).flatmap(
    lambda words: st.sampled_from([" ", "", "\t"]).map(lambda sep: sep.join(words))
)
NUMBER = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-3, max_value=30),
).map(str)
ODD_NUMBER = st.sampled_from(
    ["", " ", "0", "-1", "1.5", "1e9", "1e400", "nan", "inf", "0x10", "²", "١", "9" * 400, "1_000"]
)
# Years, months and dates as the filters and reports take them ("2026", "2026-12",
# "2026-12-05"), reaching past what a date holds at either end.
YEAR = st.one_of(
    st.sampled_from([0, 1, 2, 1999, 2000, 2026, 2099, 2100, 9998, 9999, 10000]),
    st.integers(min_value=-10, max_value=10**6),
)
DAY_PART = st.integers(min_value=-1, max_value=40)
DATEISH = st.one_of(
    st.builds("{}-{:02d}".format, YEAR, DAY_PART),
    st.builds("{}-{:02d}-{:02d}".format, YEAR, DAY_PART, DAY_PART),
    YEAR.map(str),
)
VALUE = st.one_of(NUMBER, ODD_NUMBER, DATEISH, PHRASE, st.sampled_from(TRICKY))
BYTES = st.binary(max_size=24)


def encoded(value):
    """``value`` as a query string carries it: its UTF-8 bytes percent-encoded (a surrogate
    goes as the bytes it would be, which are not UTF-8); raw bytes as they come."""
    if isinstance(value, bytes):
        return quote(value, safe="")
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def query(pairs):
    return "&".join(f"{encoded(key)}={encoded(value)}" for key, value in pairs)


def params(names):
    """Some of ``names`` (now and then one twice, or one nobody asked for), each with a value
    of any kind."""
    name = st.one_of(st.sampled_from(names), st.sampled_from(names), st.text(max_size=6))
    return st.lists(st.tuples(name, st.one_of(VALUE, BYTES)), max_size=4)


def filters(viewset):
    """The query parameters of a snippet listing's filters: its own filter set's, or those
    Wagtail makes of its ``list_filter`` (a list of fields, or fields and their lookups)."""
    if isinstance(viewset.filterset_class, type):
        return list(viewset.filterset_class.base_filters)
    if isinstance(viewset.list_filter, dict):
        return [
            field if lookup == "exact" else f"{field}__{lookup}"
            for field, lookups in viewset.list_filter.items()
            for lookup in lookups
        ]
    if isinstance(viewset.list_filter, list | tuple):
        return list(viewset.list_filter)
    return []


def assert_no_server_error(response, path):
    assert response.status_code < 500, (response.status_code, path)


# ---------------------------------------------------------------------------------------------
# The site's content, seeded once for the module.


def build():
    """A little of everything the public lists show, and a superuser for the admin."""
    admin = UserFactory(username="fuzz-admin", is_superuser=True, is_staff=True)
    post = BlogPageFactory(kind=BlogKind.TOPIC, title="小区停车难", tags=["停车"])
    BlogPageFactory(kind=BlogKind.NOTICE, title="停水通知")
    briefing = BriefingPageFactory()
    hearing = HearingPageFactory()
    motion = step(MotionFactory(), *STEPS[MotionState.OPEN], by=admin)
    step(MotionFactory(), *STEPS[MotionState.PUBLISHED], by=admin)
    activity = JointActivityFactory(date=datetime.date(2026, 5, 20))
    activity.partners.add(PartnerFactory())
    perform(activity, "publish", admin)
    records = [DutyRecordFactory(), DutyRecordFactory()]
    opinions = [OpinionFactory(page=post), OpinionFactory(page=hearing)]
    return {
        "admin": admin,
        "pages": {
            "blog": post.get_parent().url,
            "post": post.url,
            "briefings": briefing.get_parent().url,
            "briefing": briefing.url,
            "hearings": hearing.get_parent().url,
            "hearing": hearing.url,
        },
        "motion": motion.pk,
        "meeting": hearing.pk,
        "activity": activity.pk,
        "references": [item.reference for item in records + opinions],
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    yield from kept_for_the_scope(django_db_blocker, build)


@pytest.fixture(scope="module", autouse=True)
def report_the_figure(request):
    """The number of cases run, at the end of the module's output (and in the CI log)."""
    yield
    total = sum(RUN.values())
    parts = ", ".join(f"{name} {count}" for name, count in RUN.items())
    line = f"Hypothesis fuzzing: {total} cases run ({parts})"
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        # Past pytest's capture of the module's output, as its live logging writes.
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)


def ran(name, expected=None):
    """Check that a property ran its share (a strategy too narrow would run fewer)."""
    expected = expected or examples(name)
    assert RUN[name] >= expected * 0.9, (name, RUN[name], expected)


# ---------------------------------------------------------------------------------------------
# The properties.


class TestNormaliseReference:
    def test_never_raises_is_idempotent_and_reads_back_every_reference(self):
        @fuzz_settings("normalise_reference")
        @given(
            typed=st.one_of(st.text(ANY_CHARACTER, max_size=40), PHRASE),
            fresh=st.builds(new_reference),
            noise=st.sampled_from(["", " ", "-", "  ", "\u3000", "\t", "—", "."]),
        )
        def prop(typed, fresh, noise):
            RUN["normalise_reference"] += 1
            once = normalise_reference(typed)
            assert isinstance(once, str)
            assert normalise_reference(once) == once
            assert once == "" or len(once) <= 20
            # A reference comes back as it was given, however it is typed back.
            assert normalise_reference(fresh) == fresh
            compact = fresh.replace("-", "")
            typed_back = noise.join(compact.lower())
            assert normalise_reference(typed_back) == fresh
            assert normalise_reference(compact.replace("1", "l").replace("0", "o")) == fresh
            assert len(fresh) == MAX_LENGTH
            assert set(compact) <= set(ALPHABET)
            assert len(compact) == LENGTH

        prop()
        ran("normalise_reference")


class TestRequestsNeverAnswerAServerError:
    @pytest.mark.search_index
    def test_the_search(self, demo):
        client = Client()

        @fuzz_settings("search")
        @given(
            q=st.one_of(PHRASE, BYTES, st.text(ANY_CHARACTER, max_size=120)),
            extra=params(["page", "q"]),
        )
        def prop(q, extra):
            RUN["search"] += 1
            path = "/search/?" + query([("q", q), *extra])
            response = client.get(path)
            assert_no_server_error(response, path)
            assert response.status_code == 200, path

        prop()
        ran("search")

    def test_the_public_lists_and_their_filters(self, demo):
        pages = demo["pages"]
        meeting = ["year", "category", "coming", "page"]
        lists = [
            ("/", ["page"]),
            (pages["blog"], ["kind", "tag", "page"]),
            (pages["blog"] + "feed/", ["kind", "tag", "page"]),
            (pages["post"], ["opinions", "page"]),
            (pages["briefings"], meeting),
            (pages["hearings"], meeting),
            (pages["briefing"], ["opinions"]),
            (pages["hearing"], ["opinions"]),
            ("/votes/", ["open", "page"]),
            ("/votes/{id}/", ["option", "page"]),
            ("/duty/", ["month", "page"]),
            ("/duty/posts/", ["page"]),
            ("/duty/request/", ["category", "page"]),
            ("/volunteers/", ["year", "page"]),
            ("/cobuilding/", ["kind", "page"]),
            ("/cobuilding/{id}/", ["page"]),
            ("/calendar/{id}.ics", ["page"]),
            ("/honour-roll/", ["year", "page"]),
            ("/calendar.ics", ["year", "category"]),
            ("/sitemap.xml", ["p", "section"]),
            ("/language/", ["language", "next"]),
            ("/accounts/login/", ["next"]),
            ("/healthz", ["page"]),
        ]
        # The ids in addresses: the records there are, and numbers of any size.
        ids = st.one_of(
            st.sampled_from([demo["motion"], demo["activity"], demo["meeting"]]),
            st.integers(min_value=0, max_value=10**30),
        ).map(str)
        client = Client()

        @fuzz_settings("public_lists")
        @given(where=st.sampled_from(lists), data=st.data())
        def prop(where, data):
            RUN["public_lists"] += 1
            path, names = where
            if "{id}" in path:
                path = path.format(id=data.draw(ids))
            path = path + "?" + query(data.draw(params(names)))
            response = client.get(path)
            assert_no_server_error(response, path)

        prop()
        ran("public_lists")

    def test_the_references_residents_follow(self, demo):
        known = demo["references"]
        assert known
        reference = st.one_of(
            st.sampled_from(known),
            st.sampled_from(known).map(lambda ref: ref.lower().replace("-", "")),
            st.builds(new_reference),
            st.text(ALPHABET + "-ilo ", max_size=20),
            st.text(ANY_CHARACTER, min_size=1, max_size=30),
            BYTES.filter(bool),
            st.sampled_from(TRICKY),
        )
        client = Client()

        @fuzz_settings("references")
        @given(
            ref=reference,
            how=st.sampled_from(["request", "opinion", "follow-request", "follow-opinion"]),
            extra=params(["filed", "sent", "reference"]),
        )
        def prop(ref, how, extra):
            RUN["references"] += 1
            if how == "request":
                path = f"/duty/request/{encoded(ref)}/"
            elif how == "opinion":
                path = f"/opinions/{encoded(ref)}/"
            else:
                where = "/duty/follow/" if how == "follow-request" else "/opinions/follow/"
                path = where + "?" + query([("reference", ref)])
            path = path + ("?" if "?" not in path else "&") + query(extra)
            response = client.get(path)
            assert_no_server_error(response, path)

        prop()
        ran("references")

    @pytest.mark.search_index
    def test_the_admin_listings_as_a_superuser(self, demo):
        listings = [
            (reverse(model.snippet_viewset.get_url_name("list")), filters(model.snippet_viewset))
            for model in get_snippet_models()
        ]
        listings += [
            ("/admin/pages/search/", ["q", "p", "ordering", "content_type", "locale"]),
            ("/admin/reports/site-history/", ["q", "p", "action", "user", "timestamp_from"]),
            ("/admin/duty/record-book/print/", ["month"]),
            ("/admin/duty/assessment/", ["year", "period", "start", "end", "export"]),
            ("/admin/people/compliance/", ["year", "part", "export"]),
            ("/admin/party/attendance-report/", ["year", "branch", "p"]),
            ("/admin/party/participation/", ["year", "p", "category"]),
            ("/admin/party/cards/", ["id", "category"]),
            ("/admin/appraisals/sheets/", ["year", "id"]),
            ("/admin/visits/four-hundred/", ["year"]),
            ("/admin/volunteers/service-days/", ["year"]),
            (
                "/admin/history/",
                ["q", "p", "user", "content_type", "action", "timestamp_after", "object_id"],
            ),
        ]
        client = Client()
        client.force_login(demo["admin"])

        @fuzz_settings("admin_listings")
        @given(where=st.sampled_from(listings), data=st.data())
        def prop(where, data):
            RUN["admin_listings"] += 1
            path, names = where
            names = [*names, "q", "p", "ordering", "export"]
            path = path + "?" + query(data.draw(params(names)))
            response = client.get(path)
            assert_no_server_error(response, path)

        prop()
        ran("admin_listings")


# What the fuzzing found, kept as plain tests.


@pytest.mark.parametrize("month", ["1-01", "9999-12", "0-01", "10000-01", "2026-13", "-1-01"])
def test_the_record_book_of_a_month_past_the_calendars_ends(demo, db, month):
    """Its page links the month before and after: for January of year 1 and December of 9999
    those were past what a date holds (a server error); such a month is now this month."""
    client = Client()
    client.force_login(demo["admin"])
    response = client.get(f"/admin/duty/record-book/print/?month={month}")
    assert response.status_code == 200


@pytest.mark.parametrize("pk", [2**63 - 1, 2**63, 10**30])
def test_a_calendar_entry_past_the_largest_id_is_not_found(demo, db, pk):
    """A briefing's or hearing's id is a link to its page, and Django passed a number past
    64 bits on to SQLite, which refused it (a server error)."""
    assert Client().get(f"/calendar/{pk}.ics").status_code == 404
    assert Client().get(f"/calendar/{demo['meeting']}.ics").status_code == 200
