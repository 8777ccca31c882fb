from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Bring back a backup written by `backup`: checks every file's SHA-256 against the "
        "manifest before touching anything, refuses a database that already holds tables "
        "(and a media folder that holds files) unless --force, restores the database and "
        "the media, then compares the rows of every model with the manifest and walks the "
        "audit chain against the head the manifest kept. Exits 1 on any difference. Stop "
        "the site (its web processes and db_worker) first."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup_dir", help="A folder written by `backup` (with manifest.json).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the content of a database that already holds tables, and write over "
            "the files in the media folder.",
        )

    def handle(self, *args, backup_dir, force=False, **options):
        self.stdout.write(
            "Restoring into the database "
            f"{settings.DATABASES['default']['NAME']}: the site must be stopped meanwhile."
        )
        try:
            report = restore(backup_dir, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = report.manifest
        self.stdout.write(
            f"Restored the backup of {manifest['created']} "
            f"({manifest['database']['vendor']}, Django {manifest['django']})."
        )
        if report.media_restored:
            self.stdout.write(f"Media: {manifest['media']['files']:,} files unpacked.")
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        width = max(len(label) for label in report.counts) if report.counts else 0
        for label, found in report.counts.items():
            expected = manifest["counts"].get(label, "-")
            mark = "" if found == expected else "  <-- differs"
            if options["verbosity"] < 1 and not mark:
                continue
            self.stdout.write(f"  {label:<{width}}  {found!s:>8}  (manifest {expected}){mark}")
        for label, expected, found in report.mismatches:
            self.stderr.write(f"count: {label} has {found} rows, the manifest {expected}")
        for problem in report.audit_problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(
                f"The restored copy differs from the manifest: {len(report.mismatches)} "
                f"table(s) with other row counts, {len(report.audit_problems)} audit "
                "problem(s). Do not open the site on it; restore another backup."
            )
        total = sum(value for value in report.counts.values() if value)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and checked: {total:,} rows in {len(report.counts)} tables equal "
                f"the manifest; audit chain intact ({report.audit_checked:,} entries, head "
                "as the manifest kept it)."
            )
        )
