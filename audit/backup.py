"""Backing the site up and bringing it back: the database, the media on local disk, and a
manifest that says what the copy holds (the rows of every model, the head of the audit chain,
a checksum of each file), so that a restore can prove it brought everything back.

The database is copied as one consistent moment while the site runs: SQLite through its
online backup API, PostgreSQL with ``pg_dump`` inside an exported snapshot, in which the rows
are also counted and the chain's head read. A restore checks every checksum before it
touches anything, refuses a database that already holds tables unless told to replace them,
then counts the rows again and walks the audit chain against the head kept in the manifest.

Lives in ``audit`` (not ``core``) because it reads and verifies the audit chain; it finds the
models through Django's app registry, never by importing an app.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import OperationalError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from wagtail.log_actions import registry as log_registry

from .chain import verify
from .models import AuditEntry
from .registry import audited_models, history_models

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
POSTGRESQL_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
FOLDER_PREFIX = "community-cms-"
# Written under this name and renamed when complete: a folder without it is never half a backup.
PARTIAL_SUFFIX = ".partial"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- What a copy holds ---------------------------------------------------------------------


def counted_models():
    """Every model with a table of its own (many-to-many tables included), by label."""
    return sorted(
        (
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        ),
        key=lambda model: model._meta.label,
    )


def count_rows(cursor, quote, tables=None):
    """``{model label: rows}`` read through a DB-API cursor (the site's own connection, or
    one opened on the copy). A table the database does not hold is left out, unless
    ``tables`` names it: then it counts as ``None``."""
    counts = {}
    for model in counted_models():
        table = model._meta.db_table
        if tables is not None and table not in tables:
            counts[model._meta.label] = None
            continue
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from models)
        counts[model._meta.label] = cursor.fetchone()[0]
    return counts


def read_head(cursor, quote):
    """The chain's last entry (id, hash, time) and how many entries it has; ``None`` when
    the chain is empty. Plain SQL, so that it reads a copy as well as the site's database."""
    meta = AuditEntry._meta
    table = quote(meta.db_table)
    cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
    (entries,) = cursor.fetchone()
    if not entries:
        return None
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("id", "hash", "timestamp"))
    cursor.execute(f"SELECT {columns} FROM {table} ORDER BY 1 DESC LIMIT 1")  # noqa: S608
    pk, digest, moment = cursor.fetchone()
    if isinstance(moment, datetime.datetime):
        moment = moment.isoformat()
    return {"id": pk, "hash": digest, "timestamp": str(moment), "entries": entries}


def applied_migrations():
    """The last migration applied of each app, as the copy was made."""
    latest = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        latest[app] = max(latest.get(app, name), name)
    return latest


def sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_media_root():
    """MEDIA_ROOT when media are files on this machine's disk; ``None`` in object storage."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def describe_storage():
    storage = storages["default"]
    return f"{type(storage).__module__}.{type(storage).__qualname__}"


# --- The database, by vendor ---------------------------------------------------------------


def _sqlite_copy(target):
    """SQLite's online backup API: a consistent copy even while the site writes (a write
    during the copy makes it start again from the new state)."""
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
        # One file, whatever the site's journal (WAL keeps two more beside the database).
        copy.execute("PRAGMA journal_mode=DELETE")
    copy.close()
    with sqlite3.connect(f"file:{target}?mode=ro", uri=True) as copy:
        cursor = copy.cursor()
        quote = connection.ops.quote_name
        tables = {name for (name,) in cursor.execute("SELECT name FROM sqlite_master")}
        facts = count_rows(cursor, quote, tables), read_head(cursor, quote)
    copy.close()
    return facts


def _sqlite_restore(source):
    """Copy the backup over the site's database, through the same API (one step, so the
    database is either the old one or the backup's)."""
    connection.ensure_connection()
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup:
        backup.backup(connection.connection)
    backup.close()


def _pg_environment():
    """libpq's environment for the client tools: the password never appears on a command
    line (where any user of the machine could read it in the process list)."""
    database = settings.DATABASES["default"]
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", database.get("HOST")),
        ("PGPORT", database.get("PORT")),
        ("PGUSER", database.get("USER")),
        ("PGPASSWORD", database.get("PASSWORD")),
        ("PGDATABASE", database.get("NAME")),
        ("PGSSLMODE", database.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run_client(*arguments):
    tool = arguments[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} was not found: install the PostgreSQL client tools (the Debian package "
            "postgresql-client), of the server's major version or newer."
        )
    result = subprocess.run(  # noqa: S603 (fixed tool and arguments, no shell)
        arguments, env=_pg_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result


def _pg_copy(target):
    """``pg_dump`` of the snapshot in which the rows are counted and the head is read, so
    that the manifest describes exactly what the dump holds."""
    quote = connection.ops.quote_name
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        facts = count_rows(cursor, quote, existing_tables()), read_head(cursor, quote)
        _run_client(
            "pg_dump",
            "--format=custom",
            "--no-password",
            f"--snapshot={snapshot}",
            f"--file={target}",
        )
    return facts


def _pg_restore(source):
    connections.close_all()
    _run_client(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-acl",
        # All or nothing: a failed restore leaves the database as it was.
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={settings.DATABASES['default']['NAME']}",
        str(source),
    )
    connections.close_all()


VENDORS = {
    "sqlite": (SQLITE_FILE, _sqlite_copy, _sqlite_restore),
    "postgresql": (POSTGRESQL_FILE, _pg_copy, _pg_restore),
}


def _vendor():
    if connection.vendor not in VENDORS:
        raise BackupError(
            f"The database is {connection.vendor}: only SQLite and PostgreSQL can be backed "
            "up by this command."
        )
    return connection.vendor


# --- Media ---------------------------------------------------------------------------------


def _archive_media(root, target):
    files = 0
    with tarfile.open(target, "w:gz") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
                files += path.is_file()
    return files


def _extract_media(source, root):
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source, "r:gz") as archive:
        # "data": nothing outside the folder, no devices, no links leading out of it.
        archive.extractall(root, filter="data")


def _holds_files(root):
    return root.is_dir() and any(root.iterdir())


# --- Backup --------------------------------------------------------------------------------


@dataclass
class Backup:
    folder: Path
    manifest: dict
    seconds: float


def backup(target_dir, *, now=None):
    """Write a new backup folder inside ``target_dir``; gives its ``Backup``."""
    started = timezone.now() if now is None else now
    vendor = _vendor()
    target_dir = Path(target_dir)
    if target_dir.exists() and not target_dir.is_dir():
        raise BackupError(f"{target_dir} is a file, not a folder: name a folder for backups.")
    _check_source()
    name = FOLDER_PREFIX + timezone.localtime(started).strftime("%Y%m%d-%H%M%S")
    folder = target_dir / name
    partial = target_dir / (name + PARTIAL_SUFFIX)
    if folder.exists() or partial.exists():
        raise BackupError(f"{folder} already exists: wait a second and run it again.")
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        # The copy holds personal data and password hashes: readable by its owner only.
        partial.mkdir(mode=0o700)
    except OSError as error:
        raise BackupError(f"Cannot write in {target_dir}: {error.strerror}.") from error
    try:
        manifest = _write(partial, vendor, started)
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Backup(folder, manifest, (timezone.now() - started).total_seconds())


def _check_source():
    """The site's database is there and holds the site (not a new file or an empty database
    that a wrong DATABASE_URL names)."""
    name = settings.DATABASES["default"]["NAME"]
    if (
        connection.vendor == "sqlite"
        and not connection.is_in_memory_db()
        and not Path(name).is_file()
    ):
        raise BackupError(f"There is no database at {name}: check DATABASE_URL.")
    _connect()
    if MigrationRecorder.Migration._meta.db_table not in existing_tables():
        raise BackupError(
            f"The database {name} does not hold the site (no migrations were applied to it): "
            "check DATABASE_URL."
        )


def _write(folder, vendor, started):
    old_umask = os.umask(0o077)
    try:
        database_file, copy, _restore = VENDORS[vendor]
        counts, head = copy(folder / database_file)
        media_root = local_media_root()
        if media_root is not None:
            files = _archive_media(media_root, folder / MEDIA_FILE)
            media = {
                "storage": "local",
                "file": MEDIA_FILE,
                "sha256": sha256(folder / MEDIA_FILE),
                "bytes": (folder / MEDIA_FILE).stat().st_size,
                "files": files,
            }
        else:
            media = {"storage": describe_storage(), "file": None}
        manifest = {
            "format": FORMAT,
            "created": timezone.localtime(started).isoformat(),
            "django": django.get_version(),
            "database": {
                "vendor": vendor,
                "file": database_file,
                "sha256": sha256(folder / database_file),
                "bytes": (folder / database_file).stat().st_size,
            },
            "media": media,
            "migrations": applied_migrations(),
            "counts": counts,
            "audit_head": head,
        }
        (folder / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    finally:
        os.umask(old_umask)
    return manifest


# --- Restore -------------------------------------------------------------------------------


def read_manifest(folder):
    """The manifest of a backup folder, checked for shape; ``BackupError`` says what is wrong."""
    folder = Path(folder)
    if not folder.exists():
        raise BackupError(f"{folder} does not exist.")
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder: name the backup's folder.")
    path = folder / MANIFEST
    if not path.is_file():
        inside = sorted(
            child.name
            for child in folder.iterdir()
            if child.name.startswith(FOLDER_PREFIX) and (child / MANIFEST).is_file()
        )
        hint = (
            f" It holds backups: name one of them, the latest is {folder / inside[-1]}."
            if inside
            else ""
        )
        raise BackupError(f"{folder} is not a backup made by `backup`: it has no {MANIFEST}.{hint}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        database, media = manifest["database"], manifest["media"]
        checks = [(database["file"], database["sha256"])]
        if media.get("file"):
            checks.append((media["file"], media["sha256"]))
        version, counts = manifest["format"], dict(manifest["counts"])
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is damaged or not a backup manifest ({error!r}).") from error
    if version != FORMAT:
        raise BackupError(f"{path} is in format {version}; this version reads format {FORMAT}.")
    manifest["counts"] = counts
    for name, _digest in checks:
        if Path(name).name != name:
            raise BackupError(f"{path} names a file outside its folder: {name}.")
    return manifest, checks


@dataclass
class Restored:
    manifest: dict
    counts: dict
    mismatches: list = field(default_factory=list)
    audit_problems: list = field(default_factory=list)
    audit_checked: int = 0
    media_restored: bool = False
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.mismatches and not self.audit_problems


def check(folder):
    """Everything that can be checked before touching the site: the manifest, each file's
    checksum, the database's vendor. Gives the manifest."""
    folder = Path(folder)
    manifest, checks = read_manifest(folder)
    for name, digest in checks:
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{path} is missing: the backup is incomplete.")
        if sha256(path) != digest:
            raise BackupError(
                f"{path} does not match the checksum in {MANIFEST}: the file was altered or "
                "damaged since the backup was made. Nothing was restored."
            )
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"The backup is of a {manifest['database']['vendor']} database and this site uses "
            f"{vendor}: restore it into a {manifest['database']['vendor']} database."
        )
    return manifest


def _connect():
    try:
        connection.ensure_connection()
    except OperationalError as error:
        raise BackupError(
            f"Cannot connect to the database {settings.DATABASES['default']['NAME']}: "
            f"{str(error).strip()}. Check DATABASE_URL."
        ) from error


def existing_tables():
    return set(connection.introspection.table_names())


def restore(folder, *, force=False):
    """Bring the backup in ``folder`` back; gives the ``Restored`` report."""
    folder = Path(folder)
    manifest = check(folder)
    notes = []
    _connect()
    tables = existing_tables()
    if tables and not force:
        raise BackupError(
            f"The database {settings.DATABASES['default']['NAME']} already holds "
            f"{len(tables)} tables. Restoring replaces everything in it: run again with "
            "--force to do that, or restore into a new, empty database. Nothing was restored."
        )
    media_root = local_media_root()
    media = manifest["media"]
    restore_media = bool(media.get("file")) and media_root is not None
    if restore_media and _holds_files(media_root) and not force:
        raise BackupError(
            f"The media folder {media_root} already holds files. Restoring writes the "
            "backup's files over them: run again with --force to do that. Nothing was restored."
        )
    if media.get("file") and media_root is None:
        notes.append(
            f"Media are in object storage ({describe_storage()}) now: the backup's media "
            f"archive {folder / media['file']} was not unpacked; copy it into the bucket "
            "yourself if the bucket lost them."
        )
    elif not media.get("file"):
        notes.append(
            "The backup holds no media: they were in object storage "
            f"({media['storage']}), whose own versioning or replication keeps them."
        )

    _database_file, _copy, put_back = VENDORS[manifest["database"]["vendor"]]
    put_back(folder / manifest["database"]["file"])
    if restore_media:
        _extract_media(folder / media["file"], media_root)
    # Pages kept in the shared cache show what was there before the restore.
    cache.clear()
    ContentType.objects.clear_cache()

    report = Restored(manifest=manifest, counts={}, media_restored=restore_media, notes=notes)
    after = existing_tables()
    with connection.cursor() as cursor:
        counts = count_rows(cursor, connection.ops.quote_name, tables=after)
    report.counts = counts
    for label, expected in manifest["counts"].items():
        found = counts.get(label, "no such model")
        if found != expected:
            report.mismatches.append((label, expected, found))
    saved = manifest.get("audit_head")
    outcome = verify(
        saved_head=(saved["id"], saved["hash"]) if saved else None,
        history_models=history_models(),
        log_models=log_registry.get_log_entry_models(),
        audited_types=ContentType.objects.get_for_models(*audited_models()).values(),
    )
    report.audit_checked = outcome.checked
    report.audit_problems = [f"{problem.kind}: {problem.message}" for problem in outcome.problems]
    if saved and outcome.checked != saved["entries"]:
        report.audit_problems.append(
            f"count: the manifest's chain has {saved['entries']} entries, the restored "
            f"one {outcome.checked}"
        )
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        notes.append(
            "This version of the site has migrations the backup had not: run `migrate`, "
            "then `upgrade_audit` and `verify_audit`."
        )
    return report
