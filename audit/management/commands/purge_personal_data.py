from django.core.management.base import BaseCommand

from audit import erasure


class Command(BaseCommand):
    help = (
        "Erase residents' personal data kept past its retention period "
        "(PERSONAL_DATA_RETENTION_DAYS): an opinion's contact some time after it was "
        "moderated, a duty request's name, phone and place some time after it was closed. "
        "Empties them in the record and in every history row of it, writes a history row "
        "saying so and chains the erasure, so that verify_audit still passes. Run it daily "
        "(cron). Exits 1 when a record was left as found because its history does not verify."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be erased, and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        result = erasure.purge(dry_run=dry_run)
        prefix = "Would erase (dry run, nothing changed): " if dry_run else "Erased: "
        for done in result.erased:
            fields = ", ".join(erasure.personal_fields(done.model))
            where = "the record and " if done.record else "(record deleted) "
            self.stdout.write(
                f"{prefix}{done.model._meta.label_lower} #{done.pk}: {fields} in "
                f"{where}{done.history_rows} history row(s)"
            )
        for model, pk, why in result.refused:
            self.stderr.write(f"left as found: {model._meta.label_lower} #{pk}: {why}")
        count = len(result.erased)
        if dry_run:
            self.stdout.write(f"{count} record(s) would be erased.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{count} record(s) erased."))
        if result.refused:
            self.stderr.write(
                self.style.ERROR(
                    f"{len(result.refused)} record(s) left as found: their history does not "
                    "verify (run verify_audit)."
                )
            )
            raise SystemExit(1)
