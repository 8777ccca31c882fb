"""Load the demo: one account per role and realistic content in every state.

Built through the ORM (never ``loaddata``) so that history exists for every record.
Idempotent: what exists already is left as it is. Each module adds its ``demo.seed``
to ``SEEDERS``, and names it in ``ADMIN_ONLY`` when the public site shows nothing it makes.
"""

from base64 import b32decode
from io import StringIO

from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from wagtail.models import ReferenceIndex

from appraisals import demo as appraisals_demo
from blog import demo as blog_demo
from buildings import demo as buildings_demo
from cobuilding import demo as cobuilding_demo
from core import roles, twofactor
from core.indexing import reference_index_is_off, reference_index_off
from duty import demo as duty_demo
from hearings import demo as hearings_demo
from home import demo as home_demo
from party import demo as party_demo
from people import demo as people_demo
from visits import demo as visits_demo
from volunteers import demo as volunteers_demo
from votes import demo as votes_demo

DEFAULT_PASSWORD = "community-demo"

# The demo accounts whose role must use two-step verification (core/twofactor.py) get an
# authenticator with this known key (base32, as an app takes it), as their password is known:
# add it to any authenticator app to sign in to the demo's admin as them (README).
DEMO_TWO_FACTOR_ACCOUNTS = ("admin", "supervisor")
DEMO_TWO_FACTOR_KEY = "COMMUNITYCMSDEMOTWOFACTORKEY2345"

# username → (group, display name); "admin" is the administrator (a superuser).
ACCOUNTS = {
    "admin": (None, "系统管理员"),
    "editor": (roles.EDITORS, "王编辑"),
    "moderator": (roles.MODERATORS, "赵审核"),
    "clerk": (roles.MEETING_CLERKS, "林晓梅"),
    "cadre": (roles.DUTY_CADRES, "周卫东"),
    "supervisor": (roles.SUPERVISORS, "孙监督"),
    "party": (roles.PARTY_OFFICE, "郑党务"),
    "rep": (roles.REPRESENTATIVES, "陈国强"),
}

# In order: later seeders may use what earlier ones made.
SEEDERS = [
    ("people", people_demo.seed),
    # Right after the people: the member records make them party members, whom the votes
    # and the duty roster read.
    ("party members", party_demo.seed),
    ("organisation life", party_demo.seed_organisation_life),
    ("pages", home_demo.seed),
    ("blog and opinions", blog_demo.seed),
    ("briefings and hearings", hearings_demo.seed),
    ("votes", votes_demo.seed),
    ("duty", duty_demo.seed),
    ("cadre training and talks", people_demo.seed_cadre_records),
    ("year-end appraisals", appraisals_demo.seed),
    ("co-building", cobuilding_demo.seed),
    ("key households and visits", visits_demo.seed),
    ("characteristic buildings", buildings_demo.seed),
    # After the duty posts and the party members: teams, activities, pledge cards.
    ("volunteers", volunteers_demo.seed),
]

# What the public site never shows: ``--public-only`` (the query-budget tests' database at ten
# times the demo, the page benchmarks) leaves these out.
ADMIN_ONLY = frozenset(
    {
        "organisation life",
        "cadre training and talks",
        "year-end appraisals",
        "key households and visits",
    }
)


class Command(BaseCommand):
    help = "Load demo content and one demo account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=f"Password of the demo accounts (default: {DEFAULT_PASSWORD!r}). "
            "Given, it is set on every demo account, existing ones included.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply the volume of content, for benchmarks (default 1).",
        )
        parser.add_argument(
            "--public-only",
            action="store_true",
            help="Only what the public site shows (for query budgets and page benchmarks).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG=False (never on a live site).",
        )

    def handle(self, *args, password=None, scale=1, force=False, public_only=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a live site. Demo accounts with known passwords "
                "do not belong there. Use --force if you really mean it."
            )
        if scale < 1 or scale > 1000:
            raise CommandError("--scale must be a whole number from 1 to 1000.")

        # In the site's own language, whatever the caller has active: the names history
        # records for each row read as the community reads them.
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            users = self.seed_accounts(password)
            self.seed_two_factor(users)
            # Wagtail's reference index (what uses an image, a page, a snippet) is built once
            # at the end rather than after each of the thousands of saves: a third of the
            # seeding's time otherwise. A caller that keeps the index off already (the test
            # suite, which builds it only for the tests of the usage screens) is left to build
            # it when it needs it: the rebuild is a quarter of the seeding's time again.
            rebuild = not reference_index_is_off()
            added = 0
            with reference_index_off():
                for name, seeder in SEEDERS:
                    if public_only and name in ADMIN_ONLY:
                        continue
                    created = seeder(scale=scale, users=users)
                    added += created
                    self.stdout.write(f"{name}: {created} created")
            # A seeding that added nothing to an index built before leaves it as it is (at a
            # hundred times the demo, the rebuild alone takes minutes).
            if rebuild and (added or not ReferenceIndex.objects.exists()):
                call_command("rebuild_references_index", stdout=StringIO())
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend):
            # Production settings queue the search index's updates for the worker: until it
            # runs, the site's search finds none of the new pages.
            self.stdout.write(
                "The search index and other background work are queued: run the worker "
                "(python manage.py db_worker, or db_worker --batch to run the queue once)."
            )

    def seed_accounts(self, password):
        User = get_user_model()
        users = {}
        for username, (group_name, display_name) in ACCOUNTS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": display_name,
                    "email": f"{username}@community.invalid",
                    "is_staff": username == "admin",
                    "is_superuser": username == "admin",
                },
            )
            if created or password:
                user.set_password(password or DEFAULT_PASSWORD)
                user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            users[username] = user
        return users

    def seed_two_factor(self, users):
        """An authenticator with the demo key for the demo accounts that must use one; an
        account that has one already (its own, or from an earlier run) keeps it."""
        key = b32decode(DEMO_TWO_FACTOR_KEY).hex()
        for username in DEMO_TWO_FACTOR_ACCOUNTS:
            user = users[username]
            if twofactor.has_device(user):
                continue
            device = TOTPDevice.objects.create(
                user=user, key=key, name="Demo authenticator", confirmed=True
            )
            self.stdout.write(
                f"{username}: two-step verification with the demo key {DEMO_TWO_FACTOR_KEY} "
                f"({device.config_url})"
            )
