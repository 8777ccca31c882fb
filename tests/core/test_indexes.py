"""What a public page reads stays a few rows of an index, however many pages the site has:
the page served is found by its ``url_path`` (``core.routing``), the lists of meetings go
by their start, the votes by their opening and their publication, a page's opinions by their
time, the front page's consultations by their opening and closing, the blog's posts by
their date, and the honour roll's titles by their year.

Each test asks the database for its plan and finds the index in it. SQLite plans without
statistics, so its plan for the site's own query (ordered, a page of rows) is the plan it
follows on a big table. PostgreSQL weighs the statistics of the tables, which on the few rows
of a test database rightly favour reading the table or the tree's index; there, with
sequential scans priced out, the test shows the index answers the lookup itself."""

import pytest

from django.db import connection, transaction
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction

from blog.factories import BlogPageFactory
from buildings.factories import TitleFactory
from hearings.factories import HearingPageFactory
from hearings.models import BriefingPage, HearingPage
from opinions.factories import OpinionFactory
from opinions.models import OpinionState
from votes.factories import MotionFactory
from votes.models import MotionState

pytestmark = pytest.mark.django_db


def plan(queryset):
    """The database's plan for ``queryset``, as it would run it on a big table."""
    return explained(*queryset.query.sql_with_params())


def index_on(model, column):
    """The name of the index of ``model``'s table on ``column`` alone."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    (name,) = [
        name
        for name, constraint in constraints.items()
        if constraint["index"] and constraint["columns"] == [column]
    ]
    return name


def test_a_page_is_routed_through_the_index_on_its_url_path(home_page):
    assert index_on(Page, "url_path") == "core_page_url_path"
    # As core.routing reads it: first as a base page, then from its own type's table.
    for model in (Page, type(home_page)):
        routed = model.objects.filter(url_path=home_page.url_path).only("pk")
        # SQLite: ordered by the tree, the first, as the site runs it; PostgreSQL: the lookup
        # alone (the module's docstring).
        routed = routed[:1] if connection.vendor == "sqlite" else routed.order_by()
        assert "core_page_url_path" in plan(routed)


@pytest.mark.parametrize("model", [BriefingPage, HearingPage])
def test_the_meetings_are_listed_through_the_index_on_their_start(model, home_page):
    index = index_on(model, "starts_at")
    now = timezone.now()
    if connection.vendor == "sqlite":
        # As a meetings index lists its children (``hearings.listing.MeetingRows``).
        meetings = model.objects.child_of(home_page).live().values(*model.listing_fields)
        lists = [meetings.upcoming(now)[:11], meetings.past(now)[:11]]
    else:
        # The lookups alone (the module's docstring).
        meetings = model.objects.order_by().values("pk")
        lists = [meetings.filter(starts_at__gte=now), meetings.filter(starts_at__lt=now)]
    for meetings in lists:
        assert index in plan(meetings)


@pytest.mark.parametrize("private_section", [False, True], ids=["all public", "a private section"])
def test_the_blog_reads_its_posts_through_the_index_on_their_date(home_page, private_section):
    """The column's list and feed read its posts newest first from the index on their date,
    checking each one's page by its key, and stop at a page's worth: neither every post
    sorted (read through the path's index) nor every page of the site (Wagtail's ``child_of``,
    a ``LIKE`` no SQLite index serves), with a private section on the site or without."""
    post = BlogPageFactory()
    if private_section:
        PageViewRestriction.objects.create(
            page=home_page, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    posts = post.get_parent().specific.posts().values("title", "date")[:11]
    assert "blogpage_date" in explained(*posts.query.sql_with_params(), sorting=False)
    if connection.vendor == "sqlite":
        found = plan(posts)
        assert "SCAN blog_blogpage USING COVERING INDEX blogpage_date" in found, found
        assert "SCAN wagtailcore_page" not in found, found
        # The posts of one date are sorted among themselves, not every post.
        assert "USE TEMP B-TREE FOR ORDER BY" not in found, found


def test_the_honour_roll_reads_the_newest_years_titles_first(client):
    """The honour roll reads the titles awarded through the index on state and year, newest
    year first: it sorts the titles of one year at a time (by kind, category and building),
    and stops at a page's worth, not after sorting every year's."""
    TitleFactory()
    (query,) = queries_of(client, "/honour-roll/", "1 DESC, CASE")
    found = explained(*query)
    assert "title_state_year" in found, found
    if connection.vendor == "sqlite":
        assert "USE TEMP B-TREE FOR ORDER BY" not in found, found
        assert "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" in found, found


def explained(sql, params, *, sorting=True):
    """The database's plan for ``sql`` run with ``params``, as text: with the parameters, as a
    page runs it (SQLite cannot use a partial index for a value given as a parameter, so a
    plan of the SQL with its values written in may differ), on a big table (on PostgreSQL,
    sequential scans priced out, and sorting too when ``sorting`` is false)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with transaction.atomic():
                cursor.execute("SET LOCAL enable_seqscan = off")
                if not sorting:
                    cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute(f"EXPLAIN {sql}", params)
                return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def read_in_index_order(query, index):
    """Assert the database reads ``query`` (its SQL and parameters) through ``index``, in the
    index's order, with no sort of every row found. (PostgreSQL, weighing the few rows of a
    test database, may rightly sort them instead: there, with sorting priced out too, the
    index is the one that gives the order.)"""
    found = explained(*query, sorting=False)
    assert index in found, found
    assert ("TEMP B-TREE" if connection.vendor == "sqlite" else "Sort Key") not in found, found


def queries_of(client, path, ordered_by):
    """The queries reading ``path`` ran that are ordered by ``ordered_by`` (``'"table"."column"'``),
    each as its SQL and its parameters, as the page gave them to the database."""
    ran = []

    def record(execute, sql, params, many, context):
        ran.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert client.get(path).status_code == 200
    return [(sql, params) for sql, params in ran if f"ORDER BY {ordered_by}" in sql]


def test_the_votes_are_listed_in_their_indexes_order(client):
    """``/votes/`` lists the open votes and the results a page at a time, each read from its
    own index in the order shown (the newest first, the newest key first among equals), not
    sorted from every vote the community has held."""
    now = timezone.now()
    MotionFactory(state=MotionState.OPEN, opened_at=now)
    MotionFactory(state=MotionState.PUBLISHED, opened_at=now, published_at=now)
    for index, column in [
        ("motion_state_opened", "opened_at"),
        ("motion_state_published", "published_at"),
    ]:
        (query,) = queries_of(client, "/votes/", f'"votes_motion"."{column}"')
        read_in_index_order(query, index)


@pytest.mark.parametrize("kind", ["hearing", "blog post"])
def test_a_pages_opinions_are_listed_in_their_indexes_order(client, home_page, kind):
    """A page shows its approved and promoted opinions newest first, ten at a time, read as
    one range of an index of the page's shown opinions by time: not two ranges of states
    sorted together, nor every opinion of the page passed over in order until a page's worth
    of shown ones is found."""
    page = HearingPageFactory() if kind == "hearing" else BlogPageFactory()
    for state in (OpinionState.APPROVED, OpinionState.PROMOTED, OpinionState.PENDING):
        OpinionFactory(page=page, state=state)
    (query,) = queries_of(client, page.url, '"opinions_opinion"."created_at"')
    read_in_index_order(query, "opinion_page_listed")
    if connection.vendor == "sqlite":
        found = explained(*query)
        assert "USING INDEX opinion_page_listed (page_id=? AND listed=?)" in found, found


def test_the_front_pages_consultations_are_read_through_their_indexes(client, home_page):
    """The front page's open consultations (soonest to close first) and the next opening are
    read from the indexes on the consultation's closing and opening, not from every hearing."""
    HearingPageFactory()
    opens, closes = (
        index_on(HearingPage, column) for column in ("consultation_opens", "consultation_closes")
    )
    (query,) = [query for query in queries_of(client, "/", "6") if "next_opening" in query[0]]
    plan_text = explained(*query)
    assert opens in plan_text, plan_text
    if connection.vendor == "sqlite":
        assert closes in plan_text, plan_text
