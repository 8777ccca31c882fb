"""The page cache is purged exactly when what a page shows changes (issue 15).

Each test reads every public page a change shows on until it is answered from the page cache
(the kept copy does not show the change yet), makes the change the way the site makes it (a
page published through its revision, a named transition, a form's save), and reads each page
once more: rendered again, it shows the change. The proxy or CDN in front is told the same
addresses through Wagtail's ``frontend_cache`` (a recording backend stands in for it).
"""

import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from wagtail.models import PageViewRestriction

from blog.factories import BlogPageFactory, blog_index
from blog.models import BlogKind
from buildings.factories import AssessmentFactory
from buildings.models import Title, TitleKind
from cobuilding.factories import JointActivityFactory, PartnerFactory
from core import roles
from core.cache import HEADER
from core.models import CommunitySettings
from core.transitions import perform
from duty.factories import DutyShiftFactory, RosterFactory, ShiftSwapFactory
from hearings.factories import HearingIndexPageFactory, HearingPageFactory
from opinions.factories import OpinionFactory
from people.factories import PersonFactory, UserFactory
from tests.home.factories import StandardPageFactory
from tests.support import kept_for_the_scope, logged_in, ui
from volunteers.factories import TeamFactory, VolunteerFactory
from votes.factories import MotionFactory

from .recording import RecordingBackend

pytestmark = pytest.mark.django_db

# A morning in the middle of a month: far from midnight (no page is kept past it) and with
# days of the month's roster still to come.
NOW = datetime.datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
ENGLISH = {"accept-language": "en"}
FEED = "/blog/feed/"
SITEMAP = "/sitemap.xml"


@pytest.fixture(scope="module")
def base(django_db_setup, django_db_blocker):
    """What every test reads or acts through, built once: the blog column's and the hearings'
    index pages, and a user in each role that makes the changes."""

    def build():
        blog_index()
        HearingIndexPageFactory()
        return {
            "moderator": UserFactory(groups=[roles.MODERATORS], username="moderator"),
            "superuser": UserFactory(username="admin", is_superuser=True, is_staff=True),
            "clerk": UserFactory(groups=[roles.MEETING_CLERKS], username="clerk"),
            "office": UserFactory(groups=[roles.PARTY_OFFICE], username="party-office"),
        }

    yield from kept_for_the_scope(django_db_blocker, build)


@pytest.fixture(autouse=True)
def _page_cache(base, db, settings, time_machine):
    settings.PAGE_CACHE_SECONDS = 300
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def moderator(base):
    return base["moderator"]


@pytest.fixture
def superuser(base):
    return base["superuser"]


@pytest.fixture
def clerk(base):
    return base["clerk"]


@pytest.fixture
def office(base):
    return base["office"]


def shown(response):
    """What the response says, as its reader sees the characters."""
    return unescape(response.content.decode())


def kept(client, *paths, headers=None):
    """Read each of ``paths`` until it is answered from the page cache; the kept copies.

    The site's first read makes its settings row, which purges every page: a page is kept
    from the second read at the latest, and answered from the cache by the third.
    """
    copies = {}
    for path in paths:
        for _read in range(3):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, path
            if response.get(HEADER) == "hit":
                break
        assert response.get(HEADER) == "hit", path
        copies[path] = shown(response)
    return copies


def fresh(client, path, status=200, headers=None):
    """The next read of ``path`` after a change: rendered again, not the kept copy."""
    response = client.get(path, headers=headers)
    assert response.status_code == status, path
    assert response.get(HEADER) != "hit", path
    if status == 200:
        assert response.get(HEADER) == "miss", path
    return shown(response)


def assert_kept_without(client, text, *paths):
    for path, copy in kept(client, *paths).items():
        assert text not in copy, path


def assert_kept_with(client, text, *paths):
    for path, copy in kept(client, *paths).items():
        assert text in copy, path


def assert_now_with(client, text, *paths):
    for path in paths:
        assert text in fresh(client, path), path


def assert_now_without(client, text, *paths):
    for path in paths:
        assert text not in fresh(client, path), path


# --- Pages -------------------------------------------------------------------------------


class TestPages:
    """A page published, unpublished, moved or deleted: the page, its index, the front page,
    the feed and the sitemap that list it (and every page's menu: everything is purged)."""

    LISTS = ("/blog/", "/", FEED)

    @pytest.fixture
    def notice(self):
        return BlogPageFactory(kind=BlogKind.NOTICE, title="周六停水通知", slug="water")

    def test_published(self, client, moderator):
        draft = BlogPageFactory(
            kind=BlogKind.NOTICE, title="周六停水通知", slug="water", live=False
        )
        assert_kept_without(client, "周六停水通知", *self.LISTS)
        assert_kept_without(client, "/blog/water/", SITEMAP)

        draft.get_latest_revision().publish(user=moderator)

        assert_now_with(client, "周六停水通知", *self.LISTS, "/blog/water/")
        assert "/blog/water/" in fresh(client, SITEMAP)

    def test_unpublished(self, client, notice, moderator):
        assert_kept_with(client, "周六停水通知", *self.LISTS, notice.url)
        assert_kept_with(client, "/blog/water/", SITEMAP)

        notice.unpublish(user=moderator)

        assert_now_without(client, "周六停水通知", *self.LISTS)
        assert "/blog/water/" not in fresh(client, SITEMAP)
        fresh(client, notice.url, status=404)

    def test_moved_under_another_parent(self, client, home_page, superuser):
        about = StandardPageFactory(parent=home_page, title="关于我们", slug="about")
        guide = StandardPageFactory(parent=home_page, title="办事指南", slug="guide")
        hours = StandardPageFactory(parent=about, title="办公时间与联系方式", slug="hours")
        assert_kept_with(client, "办公时间与联系方式", about.url, hours.url)
        assert_kept_without(client, "办公时间与联系方式", guide.url)
        assert_kept_without(client, "/guide/hours/", SITEMAP)

        hours.move(guide, pos="last-child", user=superuser)

        assert_now_without(client, "办公时间与联系方式", about.url)
        assert_now_with(client, "办公时间与联系方式", guide.url, "/guide/hours/")
        sitemap = fresh(client, SITEMAP)
        assert "/guide/hours/" in sitemap
        assert "/about/hours/" not in sitemap
        # The old address no longer serves the kept page: Wagtail sends it on to the new one.
        old = client.get("/about/hours/")
        assert old.get(HEADER) is None
        assert old.status_code == 301
        assert old["Location"].endswith("/guide/hours/")

    def test_made_private(self, client, notice, superuser):
        """A page restricted to logged-in readers is no longer handed to anyone from the cache,
        nor listed; made public again, it is."""
        assert_kept_with(client, "周六停水通知", "/blog/", "/", notice.url)

        response = logged_in(superuser).post(
            reverse("wagtailadmin_pages:set_privacy", args=[notice.pk]),
            {"restriction_type": PageViewRestriction.LOGIN, "password": "", "groups": []},
        )
        assert response.status_code == 200
        assert PageViewRestriction.objects.filter(page=notice).exists()

        response = client.get(notice.url)
        assert response.get(HEADER) is None
        assert response.status_code == 302
        assert "周六停水通知" not in shown(response)
        assert_now_without(client, "周六停水通知", "/blog/", "/")

        # Public again: listed and served on the next read.
        assert_kept_without(client, "周六停水通知", "/blog/", "/")
        logged_in(superuser).post(
            reverse("wagtailadmin_pages:set_privacy", args=[notice.pk]),
            {"restriction_type": PageViewRestriction.NONE, "password": "", "groups": []},
        )
        assert not PageViewRestriction.objects.filter(page=notice).exists()
        assert_now_with(client, "周六停水通知", "/blog/", "/", notice.url)

    def test_deleted(self, client, notice, superuser):
        assert_kept_with(client, "周六停水通知", *self.LISTS, notice.url)
        assert_kept_with(client, "/blog/water/", SITEMAP)

        response = logged_in(superuser).post(reverse("wagtailadmin_pages:delete", args=[notice.pk]))
        assert response.status_code == 302

        assert_now_without(client, "周六停水通知", *self.LISTS)
        assert "/blog/water/" not in fresh(client, SITEMAP)
        fresh(client, notice.url, status=404)


# --- Opinions ----------------------------------------------------------------------------

OPINION = "建议在三号楼北侧划出临时停车位。"


class TestOpinions:
    """An opinion shows on its page once approved, on the notice boards (the front page's and
    the blog column's) once promoted, and leaves them when taken down."""

    BOARDS = ("/", "/blog/")

    @pytest.fixture
    def topic(self):
        return BlogPageFactory(
            kind=BlogKind.TOPIC, title="小区停车难，大家怎么看？", slug="parking"
        )

    @pytest.fixture
    def opinion(self, topic):
        return OpinionFactory(page=topic, body=OPINION)

    def test_approved_shows_on_its_page(self, client, opinion, moderator):
        assert_kept_without(client, OPINION, opinion.page.url)

        perform(opinion, "approve", moderator)

        assert_now_with(client, OPINION, opinion.page.url)

    def test_promoted_shows_on_the_notice_boards(self, client, opinion, moderator):
        perform(opinion, "approve", moderator)
        assert_kept_without(client, OPINION, *self.BOARDS)

        perform(opinion, "promote", moderator)

        assert_now_with(client, OPINION, *self.BOARDS)

    def test_an_opinion_on_a_hearing_promoted_shows_on_the_blogs_board_too(self, client, moderator):
        hearing = HearingPageFactory(state="open", title="中心花园改造听证会")
        opinion = OpinionFactory(page=hearing, body=OPINION)
        perform(opinion, "approve", moderator)
        assert_kept_without(client, OPINION, *self.BOARDS)

        perform(opinion, "promote", moderator)

        assert_now_with(client, OPINION, *self.BOARDS)

    def test_demoted_leaves_the_boards_and_stays_on_its_page(self, client, opinion, moderator):
        perform(opinion, "approve", moderator)
        perform(opinion, "promote", moderator)
        assert_kept_with(client, OPINION, *self.BOARDS, opinion.page.url)

        perform(opinion, "demote", moderator)

        assert_now_without(client, OPINION, *self.BOARDS)
        assert_now_with(client, OPINION, opinion.page.url)

    def test_rejected_after_approval_leaves_its_page(self, client, opinion, moderator):
        perform(opinion, "approve", moderator)
        assert_kept_with(client, OPINION, opinion.page.url)

        perform(opinion, "reject", moderator, reason="含有他人电话号码")

        assert_now_without(client, OPINION, opinion.page.url)


# --- Votes, duty, hearings ---------------------------------------------------------------


def test_vote_results_published(client, clerk):
    motion = MotionFactory(title="关于加装电梯的表决")
    perform(motion, "open", clerk)
    perform(motion, "close", clerk)
    detail = reverse("votes:detail", args=[motion.pk])
    assert_kept_without(client, "关于加装电梯的表决", "/votes/")
    waiting = ui("zh-hans", "The vote has closed. Results will be published here.")
    assert_kept_with(client, waiting, detail)
    assert_kept_without(client, 'id="result-heading"', detail)

    perform(motion, "publish_results", clerk)

    assert_now_with(client, "关于加装电梯的表决", "/votes/")
    page = fresh(client, detail)
    assert 'id="result-heading"' in page
    assert waiting not in page


class TestDuty:
    """This month's roster on /duty/ and the front page: published, a shift swapped or
    reassigned."""

    PAGES = ("/duty/", "/")

    @pytest.fixture
    def keepers(self, make_cadre):
        """(the roster keeper on today's shift, another cadre)"""
        return make_cadre("周卫东", username="cadre")[0], make_cadre("林晓梅", username="cadre2")[0]

    @pytest.fixture
    def shift(self, keepers):
        roster = RosterFactory(month=TODAY.replace(day=1))
        shift = DutyShiftFactory(roster=roster, person=keepers[0].person, date=TODAY)
        perform(roster, "publish", keepers[0])
        return shift

    def test_a_roster_published(self, client, keepers):
        roster = RosterFactory(month=TODAY.replace(day=1))
        DutyShiftFactory(roster=roster, person=PersonFactory(name="欧阳值班"), date=TODAY)
        assert_kept_without(client, "欧阳值班", *self.PAGES)

        perform(roster, "publish", keepers[0])

        assert_now_with(client, "欧阳值班", *self.PAGES)

    def test_a_shift_swapped(self, client, keepers, shift):
        cadre, other = keepers
        swap = ShiftSwapFactory(shift=shift, from_person=cadre.person, to_person=other.person)
        assert_kept_without(client, "林晓梅", *self.PAGES)

        perform(swap, "accept", other)

        assert_now_with(client, "林晓梅", *self.PAGES)

    def test_a_shift_reassigned(self, client, keepers, shift):
        cadre, other = keepers
        assert_kept_without(client, "林晓梅", *self.PAGES)

        perform(shift, "reassign", cadre, reason="外出培训", person=other.person)

        assert_now_with(client, "林晓梅", "/")
        roster = fresh(client, "/duty/")
        assert "林晓梅" in roster
        assert ui("zh-hans", "reassigned from %(name)s", name="周卫东") in roster


def test_a_hearing_decision_published(client, moderator):
    hearing = HearingPageFactory(
        state="closed",
        title="中心花园改造听证会",
        summary="<p>共收到意见20条，多数居民支持改造。</p>",
        decision="<p>决定保留全部老树，明年三月开工。</p>",
    )
    decided = ui("zh-hans", "decision published")
    assert_kept_without(client, "决定保留全部老树", hearing.url)
    assert_kept_without(client, decided, "/hearings/")

    perform(hearing, "publish_decision", moderator)

    assert_now_with(client, "决定保留全部老树", hearing.url)
    assert_now_with(client, decided, "/hearings/")


# --- The site's settings -----------------------------------------------------------------


@pytest.mark.search_index
def test_site_settings_changed_show_on_every_page(client, site):
    post = BlogPageFactory(title="小区停车难，大家怎么看？", slug="parking")
    everywhere = [
        "/",
        "/blog/",
        post.url,
        "/hearings/",
        "/votes/",
        "/duty/",
        "/volunteers/",
        "/cobuilding/",
        "/honour-roll/",
        "/search/?q=停车",
    ]
    assert_kept_without(client, "梧桐社区", *everywhere)
    assert_kept_without(client, "021-64550100", "/duty/")

    community = CommunitySettings.for_site(site)
    community.community_name = "梧桐社区"
    community.duty_phone = "021-64550100"
    community.save()

    for path in everywhere:
        page = fresh(client, path)
        assert "梧桐社区" in page, path
        if path == "/duty/":
            assert "021-64550100" in page


# --- Volunteers, co-building, the honour roll --------------------------------------------


def test_a_joint_activity_published(client, office, home_page):
    activity = JointActivityFactory(
        title="共建楼道清洁日", partners=[PartnerFactory(name="市第三中学")], date=TODAY
    )
    address = reverse("cobuilding:activity", args=[activity.pk])
    assert_kept_without(client, "共建楼道清洁日", "/cobuilding/")
    assert_kept_without(client, address, SITEMAP)

    perform(activity, "publish", office)

    assert_now_with(client, "共建楼道清洁日", "/cobuilding/", address)
    assert address in fresh(client, SITEMAP)


def test_a_title_awarded_and_withdrawn(client, office, home_page):
    assessment = AssessmentFactory(confirmed=True, year=2026, building__name="7号楼")
    assert_kept_without(client, "7号楼", "/honour-roll/")
    assert_kept_without(client, "/honour-roll/", SITEMAP)

    # As the office awards it in the admin: the form's checks, then a save.
    title = Title(assessment=assessment, kind=TitleKind.PIONEER)
    title.full_clean(exclude=["state"])
    title.save()

    assert_now_with(client, "7号楼", "/honour-roll/")
    assert "/honour-roll/" in fresh(client, SITEMAP)

    perform(title, "withdraw", office, reason="复查未通过")

    assert_now_without(client, "7号楼", "/honour-roll/")
    assert "/honour-roll/" not in fresh(client, SITEMAP)


def members_shown(html):
    """The number of members the volunteers' page gives the team 红色先锋队."""
    row = BeautifulSoup(html, "html.parser").find("th", string="红色先锋队").parent
    focus, members, *_rest = row.find_all("td")
    return members.get_text(strip=True)


class TestVolunteers:
    @pytest.fixture
    def team(self):
        return TeamFactory(name="红色先锋队", members=[VolunteerFactory()])

    def test_a_team_disbanded(self, client, team, home_page):
        assert_kept_with(client, "红色先锋队", "/volunteers/")
        assert_kept_with(client, "/volunteers/", SITEMAP)

        team.active = False
        team.save()

        assert_now_without(client, "红色先锋队", "/volunteers/")
        assert "/volunteers/" not in fresh(client, SITEMAP)

    def test_members_changed_in_the_admin(self, client, team, office):
        joining = [VolunteerFactory(), VolunteerFactory()]
        assert members_shown(kept(client, "/volunteers/")["/volunteers/"]) == "1"

        response = logged_in(office).post(
            reverse("wagtailsnippets_volunteers_team:edit", args=[team.pk]),
            {
                "name": team.name,
                "focus": team.focus,
                "formed_on": team.formed_on.isoformat(),
                "active": "on",
                "backbone": [],
                "members": [person.pk for person in [*team.members.all(), *joining]],
                "change_reason": "新队员加入",
            },
        )
        assert response.status_code == 302

        assert members_shown(fresh(client, "/volunteers/")) == "3"

    def test_members_changed_in_code(self, client, team):
        # No team is saved: only the through table changes, from either side.
        assert members_shown(kept(client, "/volunteers/")["/volunteers/"]) == "1"
        team.members.add(VolunteerFactory())
        assert members_shown(fresh(client, "/volunteers/")) == "2"

        kept(client, "/volunteers/")
        VolunteerFactory().volunteer_teams.add(team)
        assert members_shown(fresh(client, "/volunteers/")) == "3"

        kept(client, "/volunteers/")
        team.members.clear()
        assert members_shown(fresh(client, "/volunteers/")) == "0"


# --- Kept apart ---------------------------------------------------------------------------


def test_each_language_and_query_is_kept_and_purged_apart(client, moderator):
    BlogPageFactory(kind=BlogKind.NOTICE, title="供暖通知", slug="heating")
    BlogPageFactory(kind=BlogKind.TOPIC, title="花园议题", slug="garden")
    chinese = kept(client, "/blog/")["/blog/"]
    notices = kept(client, "/blog/?kind=notice")["/blog/?kind=notice"]
    assert "花园议题" in chinese
    assert "花园议题" not in notices

    # Never kept in English, nor for another query: rendered for it, not handed the Chinese
    # copy nor the notices alone.
    english = fresh(client, "/blog/", headers=ENGLISH)
    assert '<html lang="zh-hans"' in chinese
    assert '<html lang="en"' in english
    topics = fresh(client, "/blog/?kind=topic")
    assert "花园议题" in topics
    assert "供暖通知" not in topics
    # Each copy is now kept apart.
    assert kept(client, "/blog/", headers=ENGLISH)["/blog/"] == english
    assert kept(client, "/blog/")["/blog/"] == chinese
    assert kept(client, "/blog/?kind=notice")["/blog/?kind=notice"] == notices

    # A purge reaches every copy.
    BlogPageFactory(kind=BlogKind.NOTICE, title="停电通知", slug="power")
    draft = BlogPageFactory(kind=BlogKind.NOTICE, title="停气通知", slug="gas", live=False)
    draft.get_latest_revision().publish(user=moderator)
    assert "停气通知" in fresh(client, "/blog/", headers=ENGLISH)
    assert "停气通知" in fresh(client, "/blog/")
    assert "停气通知" in fresh(client, "/blog/?kind=notice")
    assert "停气通知" not in fresh(client, "/blog/?kind=topic")


# --- The proxy or CDN in front -----------------------------------------------------------


class TestFrontendCache:
    """With ``WAGTAILFRONTENDCACHE`` set, the same changes purge the proxy in front, once the
    transaction commits."""

    @pytest.fixture(autouse=True)
    def recording(self, settings):
        settings.WAGTAILFRONTENDCACHE = {
            "recording": {"BACKEND": "tests.cache.recording.RecordingBackend"}
        }
        RecordingBackend.purged = []
        yield RecordingBackend.purged
        RecordingBackend.purged = []

    @pytest.fixture
    def root(self, settings):
        """Where the site's pages are, as their full URLs (feed, sitemap, emails) give them."""
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/")

    def test_publishing_a_page_purges_it_its_index_and_the_front_page(
        self, recording, root, moderator, django_capture_on_commit_callbacks
    ):
        draft = BlogPageFactory(
            kind=BlogKind.NOTICE, title="周六停水通知", slug="water", live=False
        )
        recording.clear()

        with django_capture_on_commit_callbacks(execute=True):
            draft.get_latest_revision().publish(user=moderator)

        purged = set(recording)
        assert draft.get_full_url() == f"{root}/blog/water/"
        assert {f"{root}/blog/water/", f"{root}/blog/", f"{root}/", f"{root}{FEED}"} <= purged
        assert f"{root}{SITEMAP}" in purged

    def test_the_lists_are_purged_once_the_transaction_commits(
        self, recording, root, moderator, django_capture_on_commit_callbacks
    ):
        """Purged before the commit, the proxy could fetch the page from a site that does not
        show the change yet, and keep it. (Wagtail's own purge of the page itself is a task,
        which production's task queue runs once the transaction has committed.)"""
        draft = BlogPageFactory(kind=BlogKind.NOTICE, slug="water", live=False)
        recording.clear()

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            draft.get_latest_revision().publish(user=moderator)

        assert callbacks
        assert not {f"{root}/blog/", f"{root}/", f"{root}{FEED}"} & set(recording)

    def test_approving_an_opinion_purges_its_page(
        self, recording, root, moderator, django_capture_on_commit_callbacks
    ):
        topic = BlogPageFactory(kind=BlogKind.TOPIC, slug="parking")
        opinion = OpinionFactory(page=topic, body=OPINION)
        recording.clear()

        with django_capture_on_commit_callbacks(execute=True):
            perform(opinion, "approve", moderator)

        assert topic.get_full_url() == f"{root}/blog/parking/"
        assert {f"{root}/blog/parking/", f"{root}/"} <= set(recording)

    def test_kept_pages_tell_the_proxy_to_keep_them_and_browsers_to_ask_again(
        self, client, recording
    ):
        response = client.get("/blog/")
        assert response[HEADER] == "miss"
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"public", "max-age=0", "s-maxage=300"} <= cache_control
