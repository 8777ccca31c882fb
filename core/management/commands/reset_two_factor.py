"""``manage.py reset_two_factor <username>``: a staff member lost their phone.

Removes their authenticator and recovery codes; at their next sign-in to the admin they set up
two-step verification again (at once, if their role requires it). Sessions verified with the
removed authenticator lose their verification at their next request.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.twofactor import remove_devices

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Remove a user's two-step verification (a lost phone): they set it up again."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        removed = remove_devices(user)
        logger.warning("Two-step verification reset for %s (%d devices removed)", username, removed)
        if removed:
            self.stdout.write(
                f"Two-step verification of {username} removed: they set it up again at their "
                "next sign-in."
            )
        else:
            self.stdout.write(f"{username} had no two-step verification.")
