"""seed_demo on the shared demo: it runs without ``--force`` when DEBUG is on, leaves out what
the public site never shows with ``--public-only``, and tells every demo person apart at any
scale. What it does when seeded again on top (the whole demo, a larger scale, another
password) is in ``test_more_on_top.py``; its refusals, on an empty database, in
``tests/home/test_seed_demo_refusals.py``."""

from io import StringIO

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command

from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import reference_index_auto_update_disabled

from appraisals.models import Appraisal
from cobuilding.models import JointActivity
from home.management.commands import seed_demo
from home.management.commands.seed_demo import ADMIN_ONLY, SEEDERS
from home.models import StandardPage
from party.models import Meeting
from people.demo import person_spec
from people.models import Person, Training
from visits.models import Household

User = get_user_model()


class TestAccounts:
    def test_runs_without_force_when_debug_is_on(self, settings):
        settings.DEBUG = True
        out = StringIO()
        call_command("seed_demo", public_only=True, stdout=out)
        assert "Demo content is ready." in out.getvalue()
        assert "db_worker" not in out.getvalue()  # the tests' tasks run at once
        assert User.objects.filter(username="admin").exists()

    def test_says_when_the_search_index_waits_for_the_worker(self, settings):
        # Production settings queue the index's updates: a seeded site's search finds nothing
        # until the worker runs, which the command says.
        settings.DEBUG = True
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        out = StringIO()
        call_command("seed_demo", public_only=True, stdout=out)
        assert "python manage.py db_worker" in out.getvalue()


class TestContent:
    def test_every_demo_person_is_different_at_any_scale(self):
        # Idempotence finds people by name, building and unit: two indexes giving the same
        # three would quietly shrink a benchmark's register.
        keys = {
            (spec["name"], spec["building"], spec["unit"])
            for spec in map(person_spec, range(40 * 1000))
        }
        assert len(keys) == 40 * 1000


class TestPublicOnly:
    def test_it_leaves_out_what_the_public_site_never_shows(self):
        assert Person.objects.count() == 3 + 40
        assert StandardPage.objects.exists()
        for model in (Appraisal, Meeting, Training, Household):
            assert not model.objects.exists(), model
        assert {name for name, _seeder in SEEDERS} > ADMIN_ONLY


class TestReferenceIndex:
    """Wagtail's reference index (the admin's "usage" of an image, a page, a snippet) is built
    once, at the end of the seeding; a caller that keeps it off is left to build it."""

    @pytest.mark.reference_index
    def test_the_seeding_builds_it(self):
        # The package's seeding left it alone, as every test does (tests/conftest.py).
        assert not ReferenceIndex.objects.exists()
        call_command("seed_demo", public_only=True, force=True, stdout=StringIO())
        indexed = ReferenceIndex.objects.values_list("base_content_type__model", flat=True)
        assert {"opinion", "dutyshift", "jointactivity", "title"} <= set(indexed)
        # What the usage screen of a joint activity's photo reads.
        photo = JointActivity.objects.exclude(photo=None).first().photo
        assert ReferenceIndex.get_references_to(photo).exists()
        # Saves made after it keep it up to date again.
        assert not getattr(reference_index_auto_update_disabled, "value", False)

    @pytest.mark.reference_index
    def test_a_seeding_that_adds_nothing_leaves_a_built_index_alone(self, monkeypatch):
        call_command("seed_demo", public_only=True, force=True, stdout=StringIO())
        assert ReferenceIndex.objects.exists()
        rebuilt = []
        monkeypatch.setattr(seed_demo, "call_command", lambda *args, **kw: rebuilt.append(args))

        call_command("seed_demo", public_only=True, force=True, stdout=StringIO())

        assert rebuilt == []

    def test_a_caller_that_keeps_it_off_is_left_to_build_it(self):
        assert reference_index_auto_update_disabled.value
        call_command("seed_demo", public_only=True, force=True, stdout=StringIO())
        assert not ReferenceIndex.objects.exists()
        assert reference_index_auto_update_disabled.value
