"""A mistake in what `backup` and `restore` are given gets a message, never a traceback, and
changes nothing; the database's password never reaches a command line."""

import json
import shutil
from types import SimpleNamespace

import pytest

from django.core.management import CommandError, call_command

from audit import backup

from .test_round_trip import flip_a_byte, manifest_of

# Some of these read the package's backup, which starts from the suite's test database.
pytestmark = pytest.mark.django_db


def test_restore_from_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "nowhere"))


def test_restore_from_a_file(tmp_path):
    (tmp_path / "backup.tar").write_bytes(b"not a folder")
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("restore", str(tmp_path / "backup.tar"))


def test_restore_from_the_folder_that_holds_the_backups_names_the_latest(tmp_path):
    for name in ("community-cms-20261201-020000", "community-cms-20261202-020000"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="the latest is .*community-cms-20261202-020000"):
        call_command("restore", str(tmp_path))


def test_restore_with_a_damaged_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text('{"format": 1, "database": ')
    with pytest.raises(CommandError, match="damaged or not a backup manifest"):
        call_command("restore", str(tmp_path))


def test_restore_with_a_missing_file(round_trip, tmp_path):
    incomplete = tmp_path / "incomplete"
    shutil.copytree(round_trip.backup, incomplete)
    (incomplete / "media.tar.gz").unlink()
    with pytest.raises(CommandError, match="media.tar.gz is missing"):
        call_command("restore", str(incomplete), force=True)


def test_restore_with_an_altered_media_archive(round_trip, tmp_path):
    altered = tmp_path / "altered"
    shutil.copytree(round_trip.backup, altered)
    flip_a_byte(altered / "media.tar.gz")
    with pytest.raises(CommandError, match="media.tar.gz does not match the checksum"):
        call_command("restore", str(altered), force=True)


def test_restore_of_a_manifest_naming_a_file_outside_its_folder(round_trip, tmp_path):
    moved = tmp_path / "moved"
    shutil.copytree(round_trip.backup, moved)
    manifest = manifest_of(moved)
    manifest["database"]["file"] = "../../etc/passwd"
    (moved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="names a file outside its folder"):
        call_command("restore", str(moved), force=True)


def test_backup_into_a_file(tmp_path):
    (tmp_path / "backups").write_text("")
    with pytest.raises(CommandError, match="is a file, not a folder"):
        call_command("backup", str(tmp_path / "backups"))


def test_the_password_goes_to_pg_restore_in_its_environment_only(monkeypatch, tmp_path):
    password = "correct horse battery staple"  # noqa: S105
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "community",
        "USER": "cms",
        "PASSWORD": password,
        "HOST": "db.internal",
        "PORT": 5433,
    }
    # The settings and connections as the command would find them on a PostgreSQL site; the
    # suite's own are left alone.
    monkeypatch.setattr(backup, "settings", SimpleNamespace(DATABASES={"default": database}))
    monkeypatch.setattr(backup, "connections", SimpleNamespace(close_all=lambda: None))
    ran = []

    def run(arguments, env, **options):
        ran.append((arguments, env))
        return backup.subprocess.CompletedProcess(arguments, 0, "", "")

    monkeypatch.setattr(backup.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(backup.subprocess, "run", run)
    backup._pg_restore(tmp_path / "database.dump")

    ((arguments, env),) = ran
    assert arguments[0] == "pg_restore"
    assert not any(password in argument for argument in arguments)
    assert env["PGPASSWORD"] == password
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"]) == ("db.internal", "5433", "cms")
    assert "--dbname=community" in arguments
