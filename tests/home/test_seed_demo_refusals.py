"""seed_demo refuses on what looks like a live site, and a scale out of range, before writing
anything: on an empty database, outside ``tests/demo/`` (whose tests share one seeded demo)."""

from io import StringIO

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from people.models import Person

User = get_user_model()


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
            call_command("seed_demo", force=True, public_only=True, scale=scale, stdout=StringIO())
        assert not User.objects.exists()
        assert not Person.objects.exists()
