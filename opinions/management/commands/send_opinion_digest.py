from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand

from opinions.notify import WINDOW_KEY, send_digest


class Command(BaseCommand):
    help = "Email the moderators the opinions that await moderation (run from cron, e.g. every 30 minutes)."

    def handle(self, *args, **options):
        count = send_digest()
        if count:
            # A digest just went out: new opinions need not trigger another at once.
            cache.set(WINDOW_KEY, True, timeout=settings.OPINION_DIGEST_MINUTES * 60)
        self.stdout.write(f"{count} pending opinion(s) sent to the moderators.")
