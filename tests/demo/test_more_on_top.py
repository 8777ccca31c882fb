"""seed_demo seeded again on top of the shared public demo: with another password, without
``--public-only`` (the whole demo), then at scale 2. Each of those seedings takes long, so they
are done once, in the order the tests need, and the tests read what was recorded after each
(the last state, the whole demo at scale 2, stays for them until the module's end)."""

from dataclasses import dataclass

import pytest

from django.apps import apps
from django.contrib.auth import get_user_model

from appraisals.models import Appraisal
from home.management.commands.seed_demo import DEFAULT_PASSWORD
from home.models import StandardPage
from party.models import Meeting
from people.models import Training
from tests.audit.support import run_verify
from tests.demo.conftest import ROLE_ACCOUNTS, counts, seed
from tests.support import kept_for_the_scope
from visits.models import Household

User = get_user_model()

PASSWORD = "another-secret-1"
ADMIN_ONLY_MODELS = (Appraisal, Meeting, Training, Household)

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


@dataclass
class Seeded:
    """What was recorded after each seeding on top of the public demo at scale 1."""

    admin_only_models: dict  # model → whether it has rows, after the whole demo at scale 1
    whole_one: dict  # populated(), the whole demo at scale 1
    before_public_two: dict  # counts(), just before the public demo at scale 2 on top
    public_two: dict  # counts(), after it
    public_two_guides: int  # the service guides, after it
    whole_two: dict  # populated(), the whole demo at scale 2


def seed_on_top():
    # The whole demo at scale 1 (the public one, seeded with the default password, plus what
    # the public site never shows), with another password.
    seed(public_only=False, password=PASSWORD)
    admin_only_models = {model: model.objects.exists() for model in ADMIN_ONLY_MODELS}
    whole_one = populated()
    before_public_two = counts()
    # The public demo at scale 2 on top, then the whole one.
    seed(scale=2)
    public_two = counts()
    public_two_guides = StandardPage.objects.filter(slug__startswith="guide-").count()
    seed(scale=2, public_only=False)
    return Seeded(
        admin_only_models=admin_only_models,
        whole_one=whole_one,
        before_public_two=before_public_two,
        public_two=public_two,
        public_two_guides=public_two_guides,
        whole_two=populated(),
    )


@pytest.fixture(scope="module")
def seeded(demo, django_db_blocker):
    """The seedings on top, done once for this module's tests and rolled back after its last
    one (a savepoint inside the package's transaction)."""
    yield from kept_for_the_scope(django_db_blocker, seed_on_top)


class TestAccounts:
    def test_the_given_password_is_set_on_every_account(self, seeded):
        for user in User.objects.filter(username__in=["admin", *ROLE_ACCOUNTS]):
            assert user.check_password(PASSWORD), user.username
            assert not user.check_password(DEFAULT_PASSWORD)


class TestContent:
    def test_a_larger_scale_on_top_adds_only_what_is_missing(self, seeded):
        one = seeded.before_public_two
        assert one["people"] == 3 + 40
        two = seeded.public_two
        assert two["people"] == 3 + 80
        assert two["users"] == one["users"]
        assert two["pages"] > one["pages"]
        assert two["person history"] > one["person history"]
        assert seeded.public_two_guides == 10


class TestPublicOnly:
    def test_without_it_everything_is_seeded(self, seeded):
        for model, exists in seeded.admin_only_models.items():
            assert exists, model


class TestScale:
    def test_scale_two_has_more_of_every_model_the_demo_fills(self, seeded):
        """``--scale`` multiplies everything the demo makes, history included, so that the
        benchmarks and query budgets at ``--scale 10`` see ten times every kind of content."""
        one, two = seeded.whole_one, seeded.whole_two

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
