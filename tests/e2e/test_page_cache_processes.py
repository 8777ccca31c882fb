"""The page cache is purged for every process of the site at once (issue 15).

A second gunicorn process serves the browser tests' database beside the first, each on its
own port, sharing the database cache as production's workers do without Redis. For each
change, every page it shows on is read anonymously through both processes until both answer
it from the page cache; then the change is made the way the site makes it (a named
transition by a demo account, a page revision published, the site settings saved), in a
``manage.py`` process of its own, and the next read through each process shows it.

No browser: plain HTTP, as a reader's first request is. What these tests make is removed
again at the end of the module, and what they change is put back, for the browser tests
that come after them.
"""

import json
import secrets
import urllib.error
import urllib.request
from html import unescape
from pathlib import Path

import pytest

from core.cache import HEADER
from tests.e2e.support import last_line, ui
from tests.servers import free_port, start_gunicorn, stop, wait_until_healthy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60  # seconds
# Each test's own words: nothing the demo or another test shows contains them.
MARK = secrets.token_hex(3)


def read(base_url, path):
    """An anonymous reader's request for ``path``: (status, X-Page-Cache, the text shown)."""
    request = urllib.request.Request(base_url + path)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get(HEADER), unescape(response.read().decode())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get(HEADER), unescape(error.read().decode())


def kept_by_both(processes, *paths):
    """Read each of ``paths`` through each process until it answers from the page cache; the
    kept copies, by process and path.

    A process keeps the page it rendered at its first read and answers the second from the
    cache, and the other process finds it there too; three reads leave room for a purge
    that a change made just before (the settings row made on the site's first read).
    """
    copies = {}
    for path in paths:
        for base_url in processes:
            for _read in range(3):
                status, cached, text = read(base_url, path)
                assert status == 200, (base_url, path, status)
                if cached == "hit":
                    break
            assert cached == "hit", (base_url, path)
            copies[base_url, path] = text
    return copies


def next_reads(processes, path, status=200):
    """The next read of ``path`` through each process after a change: not the kept copy.

    The first process renders the page again; the second may be handed the copy the first
    has just kept, which shows the change too.
    """
    texts = []
    for number, base_url in enumerate(processes):
        got, cached, text = read(base_url, path)
        assert got == status, (base_url, path, got)
        if number == 0:
            assert cached != "hit", (base_url, path)
        texts.append(text)
    return texts


def assert_kept_without(processes, text, *paths):
    for (base_url, path), copy in kept_by_both(processes, *paths).items():
        assert text not in copy, (base_url, path)


def assert_kept_with(processes, text, *paths):
    for (base_url, path), copy in kept_by_both(processes, *paths).items():
        assert text in copy, (base_url, path)


def assert_next_reads_with(processes, text, *paths):
    for path in paths:
        for base_url, shown in zip(processes, next_reads(processes, path), strict=True):
            assert text in shown, (base_url, path)


def assert_next_reads_without(processes, text, *paths):
    for path in paths:
        for base_url, shown in zip(processes, next_reads(processes, path), strict=True):
            assert text not in shown, (base_url, path)


def shell_json(e2e_site, code):
    """Run ``code`` in ``manage.py shell`` against the site's database; the JSON it printed
    last."""
    return json.loads(last_line(e2e_site.shell(code)))


# --- The second process ------------------------------------------------------------------


@pytest.fixture(scope="module")
def processes(e2e_site):
    """The site's two processes: (its own address, the second one's), the same database,
    the same cache, the same environment."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = e2e_site.workdir / "gunicorn-second.log"
    server = start_gunicorn(e2e_site.env, log_path, port=port, options=["--threads", "4"])
    try:
        wait_until_healthy(url, server, log_path, timeout=START_TIMEOUT)
        yield (e2e_site.url, url)
    finally:
        stop(server)


@pytest.fixture(scope="module")
def made(e2e_site):
    """``made.append(("blog.BlogPage", pk))``: removed when the module's tests are done."""
    records = []
    yield records
    if records:
        e2e_site.shell(
            "from django.apps import apps\n"
            f"for label, pk in {records!r}:\n"
            "    apps.get_model(label).objects.get(pk=pk).delete()\n"
        )


# --- The changes -------------------------------------------------------------------------

# Who makes each change: the demo's accounts, as the site's admin would have them.
AS_DEMO_USER = "from django.contrib.auth import get_user_model\nUser = get_user_model()\n"


def test_an_opinion_approved_shows_through_both(e2e_site, processes, made):
    body = f"建议在五号楼门口加装雨棚（{MARK}）。"
    created = shell_json(
        e2e_site,
        "import json\n"
        "from blog.factories import BlogPageFactory\n"
        "from blog.models import BlogKind\n"
        "from opinions.factories import OpinionFactory\n"
        f"topic = BlogPageFactory(kind=BlogKind.TOPIC, title='雨棚议题{MARK}', slug='canopy-{MARK}')\n"
        f"opinion = OpinionFactory(page=topic, body={body!r})\n"
        "print(json.dumps({'page': topic.pk, 'url': topic.url, 'opinion': opinion.pk}))",
    )
    made.append(("blog.BlogPage", created["page"]))
    assert_kept_without(processes, body, created["url"])

    e2e_site.shell(
        AS_DEMO_USER + "from core.transitions import perform\n"
        "from opinions.models import Opinion\n"
        f"perform(Opinion.objects.get(pk={created['opinion']}), 'approve',"
        " User.objects.get(username='moderator'))"
    )

    assert_next_reads_with(processes, body, created["url"])


def test_a_page_published_then_unpublished_shows_and_leaves_through_both(e2e_site, processes, made):
    title = f"电梯维保停运通知{MARK}"
    created = shell_json(
        e2e_site,
        "import json\n"
        "from blog.factories import BlogPageFactory\n"
        "from blog.models import BlogKind\n"
        f"page = BlogPageFactory(kind=BlogKind.NOTICE, title={title!r}, slug='lift-{MARK}',"
        " live=False)\n"
        "print(json.dumps({'page': page.pk}))",
    )
    made.append(("blog.BlogPage", created["page"]))
    address = f"/blog/lift-{MARK}/"
    assert_kept_without(processes, title, "/blog/", "/")

    e2e_site.shell(
        AS_DEMO_USER + "from wagtail.models import Page\n"
        f"page = Page.objects.get(pk={created['page']}).specific\n"
        "page.get_latest_revision().publish(user=User.objects.get(username='moderator'))"
    )

    assert_next_reads_with(processes, title, "/blog/", "/", address)
    assert_kept_with(processes, title, "/blog/", "/", address)

    e2e_site.shell(
        AS_DEMO_USER + "from wagtail.models import Page\n"
        f"page = Page.objects.get(pk={created['page']}).specific\n"
        "page.unpublish(user=User.objects.get(username='moderator'))"
    )

    assert_next_reads_without(processes, title, "/blog/", "/")
    next_reads(processes, address, status=404)


def test_vote_results_published_show_through_both(e2e_site, processes, made):
    title = f"关于更换小区门禁系统的表决{MARK}"
    created = shell_json(
        e2e_site,
        "import json\n" + AS_DEMO_USER + "from core.transitions import perform\n"
        "from votes.factories import MotionFactory\n"
        "clerk = User.objects.get(username='clerk')\n"
        f"motion = MotionFactory(title={title!r})\n"
        "perform(motion, 'open', clerk)\n"
        "perform(motion, 'close', clerk)\n"
        "print(json.dumps({'motion': motion.pk}))",
    )
    made.append(("votes.Motion", created["motion"]))
    detail = f"/votes/{created['motion']}/"
    waiting = ui("zh-hans", "The vote has closed. Results will be published here.")
    assert_kept_without(processes, title, "/votes/")
    assert_kept_with(processes, waiting, detail)

    e2e_site.shell(
        AS_DEMO_USER + "from core.transitions import perform\n"
        "from votes.models import Motion\n"
        f"perform(Motion.objects.get(pk={created['motion']}), 'publish_results',"
        " User.objects.get(username='clerk'))"
    )

    assert_next_reads_with(processes, title, "/votes/")
    for shown in next_reads(processes, detail):
        assert 'id="result-heading"' in shown
        assert waiting not in shown


def test_site_settings_changed_show_through_both(e2e_site, processes):
    name = f"梧桐社区{MARK}"
    everywhere = ("/", "/blog/", "/duty/")
    assert_kept_without(processes, name, *everywhere)

    set_name = (
        "import json\n"
        "from wagtail.models import Site\n"
        "from core.models import CommunitySettings\n"
        "community = CommunitySettings.for_site(Site.objects.get(is_default_site=True))\n"
        "before = community.community_name\n"
        "community.community_name = {name!r}\n"
        "community.save()\n"
        "print(json.dumps({{'before': before}}))"
    )
    before = shell_json(e2e_site, set_name.format(name=name))["before"]
    try:
        assert_next_reads_with(processes, name, *everywhere)
    finally:
        # As the demo had it, for the browser tests that come after this one.
        e2e_site.shell(set_name.format(name=before))
    assert_next_reads_without(processes, name, *everywhere)
