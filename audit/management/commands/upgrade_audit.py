from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from audit import upgrade


class Command(BaseCommand):
    help = (
        "Bring a database written by an earlier version of the site into the audit chain: "
        "seal the page revisions, vote rolls and closed ballot boxes that were never sealed "
        "(a secret box is rewritten first, as its close now does), and re-chain the history "
        "entries chained under an earlier rule whose rows still match it. An entry altered "
        "behind the site matches no rule and is left as found, for verify_audit to name. "
        "Runs in one transaction; a second run finds nothing to do. Run it after `migrate`, "
        "then `verify_audit`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be done, and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            with transaction.atomic():
                done = upgrade.run()
                if dry_run:
                    transaction.set_rollback(True)
        except DatabaseError as error:
            raise CommandError(
                f"The upgrade stopped and changed nothing: {error}. Has `migrate` been run?"
            ) from error
        lines = upgrade.describe(done)
        prefix = "Would do (dry run, nothing changed): " if dry_run else ""
        if lines:
            for line in lines:
                self.stdout.write(f"{prefix}{line}")
        else:
            self.stdout.write(
                "Nothing to upgrade: every set that should be sealed is, and every entry "
                "follows the current rule."
            )
        for line in done.left:
            self.stderr.write(f"left as found: {line}")
        if done.left:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(done.left)} problem(s) left as found: `verify_audit` names them."
                )
            )
        elif not dry_run and done.changed:
            self.stdout.write(self.style.SUCCESS("Upgraded: `verify_audit` should now pass."))
