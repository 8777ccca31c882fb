"""seed_demo: one account per role, demo content with history, idempotent, refuses on live sites."""

from io import StringIO

import pytest

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from wagtail.models import Page, Revision

from appraisals.models import Appraisal
from core import roles
from home.management.commands.seed_demo import ADMIN_ONLY, DEFAULT_PASSWORD, SEEDERS
from home.models import StandardPage
from party.models import Meeting
from people.demo import person_spec
from people.models import Person, Training
from tests.audit.support import run_verify
from tests.support import kept_for_the_scope
from visits.models import Household

User = get_user_model()

ROLE_ACCOUNTS = {
    "editor": roles.EDITORS,
    "moderator": roles.MODERATORS,
    "clerk": roles.MEETING_CLERKS,
    "cadre": roles.DUTY_CADRES,
    "supervisor": roles.SUPERVISORS,
    "party": roles.PARTY_OFFICE,
    "rep": roles.REPRESENTATIVES,
}


def seed(**options):
    """The command as a developer runs it, less the registers the public site never shows
    (``--public-only``), which these tests do not count: the whole demo is seeded and read by
    ``tests/home/test_demo_content.py`` and the browser tests."""
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"force": True, "public_only": True, **options})
    return out.getvalue()


def counts():
    return {
        "users": User.objects.count(),
        "people": Person.objects.count(),
        "pages": Page.objects.count(),
        "live pages": Page.objects.live().count(),
        "revisions": Revision.objects.count(),
        "person history": Person.history.count(),
        "group memberships": User.groups.through.objects.count(),
    }


@pytest.mark.django_db
class TestRefusals:
    def test_refuses_with_debug_off_and_no_force(self, settings):
        settings.DEBUG = False
        with pytest.raises(CommandError, match="--force"):
            call_command("seed_demo", stdout=StringIO())
        assert not User.objects.exists()
        assert not Person.objects.exists()

    @pytest.mark.parametrize("scale", [0, -1, 1001])
    def test_refuses_a_scale_out_of_range(self, scale):
        with pytest.raises(CommandError, match="--scale"):
            seed(scale=scale)
        assert not User.objects.exists()
        assert not Person.objects.exists()


PASSWORD = "another-secret-1"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo at scale 1 with a given password, seeded once for the tests below (each reads
    it, or seeds again on top inside its own savepoint). After the refusals, which need an
    empty database."""
    yield from kept_for_the_scope(django_db_blocker, lambda: seed(password=PASSWORD))


@pytest.mark.usefixtures("seeded", "db")
class TestAccounts:
    def test_the_given_password_is_set_on_every_account(self):
        for user in User.objects.filter(username__in=["admin", *ROLE_ACCOUNTS]):
            assert user.check_password(PASSWORD), user.username
            assert not user.check_password(DEFAULT_PASSWORD)

    def test_runs_without_force_when_debug_is_on(self, settings):
        settings.DEBUG = True
        out = StringIO()
        call_command("seed_demo", public_only=True, stdout=out)
        assert "Demo content is ready." in out.getvalue()
        assert User.objects.filter(username="admin").exists()


@pytest.mark.usefixtures("seeded", "db")
class TestContent:
    def test_a_larger_scale_on_top_adds_only_what_is_missing(self):
        one = counts()
        assert one["people"] == 3 + 40
        seed(scale=2)
        two = counts()
        assert two["people"] == 3 + 80
        assert two["users"] == one["users"]
        assert two["pages"] > one["pages"]
        assert two["person history"] > one["person history"]
        assert StandardPage.objects.filter(slug__startswith="guide-").count() == 10

    def test_every_demo_person_is_different_at_any_scale(self):
        # Idempotence finds people by name, building and unit: two indexes giving the same
        # three would quietly shrink a benchmark's register.
        keys = {
            (spec["name"], spec["building"], spec["unit"])
            for spec in map(person_spec, range(40 * 1000))
        }
        assert len(keys) == 40 * 1000


@pytest.mark.usefixtures("seeded", "db")
class TestPublicOnly:
    def test_it_leaves_out_what_the_public_site_never_shows(self):
        assert Person.objects.count() == 3 + 40
        assert StandardPage.objects.exists()
        for model in (Appraisal, Meeting, Training, Household):
            assert not model.objects.exists(), model
        assert {name for name, _seeder in SEEDERS} > ADMIN_ONLY

    def test_without_it_everything_is_seeded(self):
        seed(public_only=False)
        for model in (Appraisal, Meeting, Training, Household):
            assert model.objects.exists(), model


# Models the demo fills that are one per thing whatever the scale, each with its reason.
ONE_PER_THING = {
    # The demo's logins: one account per role, one role per group.
    "auth.group": "one per role",
    "auth.group_permissions": "one per role and permission",
    "auth.permission": "one per model and action",
    "auth.user": "one per demo account",
    "auth.user_groups": "one per demo account's role",
    "otp_totp.totpdevice": "one per demo account whose role must use two-step verification",
    "contenttypes.contenttype": "one per model",
    # The site and Wagtail's own tables, filled by the migrations.
    "wagtailcore.site": "one per site",
    "wagtailcore.locale": "one per language",
    "wagtailcore.collection": "one per kind of upload",
    "wagtailcore.groupcollectionpermission": "one per role and collection",
    "wagtailcore.grouppagepermission": "one per role and page permission",
    "wagtailcore.groupapprovaltask": "one per moderation step",
    "wagtailcore.groupapprovaltask_groups": "one per moderation step's role",
    "wagtailcore.task": "one per moderation step",
    "wagtailcore.workflow": "one per workflow",
    "wagtailcore.workflowtask": "one per workflow step",
    "wagtailcore.workflowpage": "one per page tree under a workflow",
    "core.communitysettings": "one per site",
    "audit.chainlock": "one per audit chain",
    # One per section of the site: the front page and each module's index page.
    "home.homepage": "one per site",
    "blog.blogindexpage": "one per site",
    "hearings.briefingindexpage": "one per site",
    "hearings.hearingindexpage": "one per site",
    # Catalogues the content refers to, not content.
    "taggit.tag": "one per subject; the posts share them",
    "buildings.category": "one per kind of characteristic (a fixed list)",
    "buildings.historicalcategory": "the categories' creation",
    "buildings.standard": "the fixed standards each category is assessed against",
    "buildings.historicalstandard": "the standards' creation",
    "duty.post": "the eight duty posts of the station (a fixed list)",
    "duty.historicalpost": "the posts' creation",
}


def populated():
    """Row counts of every concrete model (auto-created many-to-many tables included)."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        found[model._meta.label_lower] = model._base_manager.count()
    return found


@pytest.mark.usefixtures("seeded", "db")
class TestScale:
    def test_scale_two_has_more_of_every_model_the_demo_fills(self):
        """``--scale`` multiplies everything the demo makes, history included, so that the
        benchmarks and query budgets at ``--scale 10`` see ten times every kind of content."""
        seed(public_only=False)
        one = populated()
        seed(scale=2, public_only=False)
        two = populated()

        assert set(ONE_PER_THING) <= {label for label, count in one.items() if count}
        filled = {label for label, count in one.items() if count and label not in ONE_PER_THING}
        not_more = {label: (one[label], two[label]) for label in filled if two[label] <= one[label]}
        assert not not_more, "not more at scale 2:\n" + "\n".join(
            f"{label}: {counts[0]} → {counts[1]}" for label, counts in sorted(not_more.items())
        )
        # The copies' history, page revisions, rolls and sealed ballot boxes hold together.
        code, out, err = run_verify()
        assert code == 0, err
        assert "Audit chain intact" in out
