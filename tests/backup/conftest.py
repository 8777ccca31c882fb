"""One backup for the package: the demo in a database of its own, a document uploaded, `backup`
run from the command line, then `restore` into a new, empty database and media folder.

Every step runs as an operator would run it: ``manage.py`` in a process of its own, the
database and the media folder named in its environment (``DATABASE_URL``; ``TEST_MEDIA_ROOT``,
the test settings' name for the media folder). The databases are the suite's own kind: on
SQLite, files in a temporary folder; on PostgreSQL (CI's second run), databases of the suite's
server, made for the package and dropped after it. The source starts as a copy of the suite's
migrated test database (a copy takes under a second; migrating anew takes most of a minute).
"""

import hashlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from django.db import connection, connections

from tests.servers import PROJECT_ROOT, clean_environment

TIMEOUT = 300  # seconds, for one command


@dataclass
class Place:
    """A database and a media folder for the site: what a process of it is given."""

    url: str
    media: Path

    def environment(self, **variables):
        return clean_environment(
            DJANGO_SETTINGS_MODULE="cms.settings.test",
            DATABASE_URL=self.url,
            TEST_MEDIA_ROOT=str(self.media),
            PYTHONUNBUFFERED="1",
            **variables,
        )

    def run(self, *arguments, **variables):
        """``python <arguments>`` from the project's root, in this place; the finished process."""
        return subprocess.run(
            [sys.executable, *arguments],
            cwd=PROJECT_ROOT,
            env=self.environment(**variables),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )

    def manage(self, *arguments):
        return self.run("manage.py", *arguments)

    def facts(self, action="read", **variables):
        """What ``tests/backup/site_facts.py`` reads in this place (after ``seed``, if asked)."""
        result = self.run("-m", "tests.backup.site_facts", action, **variables)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])


def media_files(root):
    """``{relative path: SHA-256}`` of every file under ``root``."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


class SQLiteServer:
    """Databases as files in ``folder``."""

    vendor = "sqlite"

    def __init__(self, folder):
        self.folder = folder

    def copy_of_test_database(self, name):
        path = self.folder / f"{name}.sqlite3"
        test_database = connection.settings_dict["NAME"]
        # Never the site's own database (a run where no test asked for the database).
        assert connection.is_in_memory_db() or Path(test_database).name.startswith("test"), (
            f"{test_database} is not the suite's test database"
        )
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
            (migrated,) = copy.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        copy.close()
        assert migrated, f"{test_database} is not migrated"
        return f"sqlite:///{path}"

    def empty(self, name):
        return f"sqlite:///{self.folder / name}.sqlite3"

    def fingerprint(self, url):
        """Everything the database holds, as SQL (a file that does not exist: ``None``). Not
        its bytes: a checkpoint of its write-ahead log changes those and nothing it holds."""
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return None
        with sqlite3.connect(path) as database:
            digest = hashlib.sha256()
            for line in database.iterdump():
                digest.update(line.encode())
        database.close()
        return digest.hexdigest()

    def drop_all(self):
        """The folder is pytest's temporary one."""


class PostgreSQLServer:
    """Databases of the suite's server, named for this process, dropped at the end."""

    vendor = "postgresql"

    def __init__(self):
        database = connection.settings_dict
        self.server = {
            "host": database["HOST"] or "127.0.0.1",
            "port": int(database["PORT"] or 5432),
            "user": database["USER"] or "postgres",
            "password": database["PASSWORD"] or "",
        }
        self.template = database["NAME"]
        self.made = []

    def _url(self, name):
        server = self.server
        password = f":{server['password']}" if server["password"] else ""
        return f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"

    def _administer(self, statement):
        with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as admin:
            admin.execute(statement)

    def _create(self, name, template):
        name = f"cms_backup_{name}_{os.getpid()}_{secrets.token_hex(3)}"
        self.made.append(name)
        create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
        try:
            self._administer(create)
        except psycopg.errors.ObjectInUse:
            # A template is copied only while nobody is connected to it: a connection an
            # earlier test's thread left open to the suite's database.
            self._administer(
                sql.SQL(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = {} AND pid <> pg_backend_pid()"
                ).format(sql.Literal(template))
            )
            self._administer(create)
        return self._url(name)

    def copy_of_test_database(self, name):
        connections.close_all()
        return self._create(name, self.template)

    def empty(self, name):
        return self._create(name, "template0")

    def _query(self, url, statement):
        with psycopg.connect(url) as database:
            return database.execute(statement).fetchall()

    def tables(self, url):
        rows = self._query(
            url, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        return {name for (name,) in rows}

    def fingerprint(self, url):
        """Every table's rows, and the newest change the server made to any of them."""
        counts = {}
        with psycopg.connect(url) as database:
            for table in sorted(self.tables(url)):
                query = sql.SQL("SELECT COUNT(*), COALESCE(MAX(xmin::text::bigint), 0) FROM {}")
                counts[table] = database.execute(query.format(sql.Identifier(table))).fetchone()
        return counts

    def drop_all(self):
        for name in self.made:
            self._administer(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@dataclass
class RoundTrip:
    server: object
    source: Place
    restored: Place
    backup: Path
    before: dict
    after: dict
    upload: bytes
    backup_output: str
    restore_output: str
    restore_exit: int


@pytest.fixture(scope="package")
def round_trip(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo backed up and restored into a new place, once for the package."""
    folder = tmp_path_factory.mktemp("backup")
    with django_db_blocker.unblock():
        server = PostgreSQLServer() if connection.vendor == "postgresql" else SQLiteServer(folder)
        try:
            made = _make(server, folder)
        except BaseException:
            server.drop_all()
            raise
    try:
        yield made
    finally:
        server.drop_all()


def _make(server, folder):
    source = Place(server.copy_of_test_database("source"), folder / "media-source")
    restored = Place(server.empty("restored"), folder / "media-restored")
    # A scanned document of the kind the office uploads: bytes no compression hides.
    upload = secrets.token_bytes(200_000)
    (folder / "upload.pdf").write_bytes(upload)
    before = source.facts("seed", UPLOAD_FILE=str(folder / "upload.pdf"))
    made = source.manage("backup", str(folder / "backups"))
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    back = restored.manage("restore", str(backup))
    return RoundTrip(
        server=server,
        source=source,
        restored=restored,
        backup=backup,
        before=before,
        after=restored.facts() if back.returncode == 0 else None,
        upload=upload,
        backup_output=made.stdout,
        restore_output=back.stdout + back.stderr,
        restore_exit=back.returncode,
    )
