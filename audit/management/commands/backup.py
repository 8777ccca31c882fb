from django.core.management.base import BaseCommand, CommandError

from audit.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back the site up into a new folder inside TARGET_DIR: the database (SQLite through "
        "its online backup API, PostgreSQL with pg_dump), the media when they are on local "
        "disk (a tar.gz of MEDIA_ROOT; media in object storage are kept by the bucket's own "
        "versioning or replication), and manifest.json: the rows of every model, the head of "
        "the audit chain and each file's SHA-256. Safe while the site runs. Prints the new "
        "folder's path last."
    )

    def add_arguments(self, parser):
        parser.add_argument("target_dir", help="The folder to write the new backup folder in.")

    def handle(self, *args, target_dir, **options):
        try:
            done = backup(target_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = done.manifest
        database = manifest["database"]
        self.stdout.write(
            f"Database ({database['vendor']}): {database['file']}, {database['bytes']:,} bytes, "
            f"{sum(filter(None, manifest['counts'].values())):,} rows in {len(manifest['counts'])} tables."
        )
        media = manifest["media"]
        if media["file"]:
            self.stdout.write(
                f"Media: {media['file']}, {media['files']:,} files, {media['bytes']:,} bytes."
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Media are in object storage ({media['storage']}) and are NOT in this "
                    "backup: the bucket's own versioning or replication is their backup. "
                    "Only the database was backed up."
                )
            )
        head = manifest["audit_head"]
        if head:
            self.stdout.write(
                f"Audit chain: {head['entries']:,} entries, head {head['id']} {head['hash']}."
            )
        else:
            self.stdout.write("Audit chain: empty.")
        self.stdout.write(self.style.SUCCESS(f"Backed up in {done.seconds:.1f} s to:"))
        self.stdout.write(str(done.folder))
