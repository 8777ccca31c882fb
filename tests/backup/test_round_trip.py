"""`manage.py backup` then `manage.py restore` into a new database and media folder brings
everything back: every model's rows, sample rows in full, the media byte for byte, and an
audit chain that `verify_audit` passes against the head the manifest kept outside the
database. A backup altered since, or a database that already holds the site, is refused
before anything changes.

On SQLite in the suite's first run, on PostgreSQL in its second (``conftest.round_trip``).
"""

import json
import shutil
import stat

import pytest

from audit.backup import MANIFEST, sha256

from .conftest import media_files

# The suite's test database is made for these tests too: the round trip starts from a copy.
pytestmark = pytest.mark.django_db


def flip_a_byte(path):
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


def manifest_of(folder):
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def test_restore_reports_the_copy_equal_to_the_manifest(round_trip):
    assert round_trip.restore_exit == 0, round_trip.restore_output
    assert "Restored and checked" in round_trip.restore_output
    assert "differs" not in round_trip.restore_output


def test_every_model_has_its_rows_back(round_trip):
    before, after = round_trip.before["counts"], round_trip.after["counts"]
    # The demo, not an empty site: the comparison means something.
    assert before["votes.Ballot"] > 0
    assert before["people.HistoricalPerson"] > before["people.Person"] > 0
    assert before["audit.AuditEntry"] > 1000
    assert sum(before.values()) > 5000
    assert after == before


def test_sample_rows_come_back_as_they_were(round_trip):
    before, after = round_trip.before, round_trip.after
    assert before["pages"] and all(body != "[]" for *_page, body in before["pages"])
    assert after["pages"] == before["pages"]
    assert any(phone for _pk, _name, phone, _building in before["people"])
    assert after["people"] == before["people"]
    assert any(before["ballots"].values())
    assert after["ballots"] == before["ballots"]
    assert after["person_history"] == before["person_history"]


def test_the_media_come_back_byte_for_byte(round_trip):
    uploaded = round_trip.restored.media / round_trip.after["document"]
    assert uploaded.read_bytes() == round_trip.upload
    source = media_files(round_trip.source.media)
    assert len(source) > 1
    assert media_files(round_trip.restored.media) == source


def test_verify_audit_passes_against_the_head_kept_in_the_manifest(round_trip, tmp_path):
    head = manifest_of(round_trip.backup)["audit_head"]
    # The head as the source's chain held it when the backup was made, kept outside the
    # database; the restored chain holds that very entry as its head.
    assert [head["id"], head["hash"]] == round_trip.before["head"] == round_trip.after["head"]
    saved = tmp_path / "audit-head.txt"
    saved.write_text(f"{head['id']} {head['hash']} {head['timestamp']}\n", encoding="utf-8")
    checked = round_trip.restored.manage("verify_audit", "--head", str(saved))
    assert checked.returncode == 0, checked.stderr
    assert f"Audit chain intact: {head['entries']} entries" in checked.stdout


def test_the_manifest_describes_the_backup(round_trip):
    manifest = manifest_of(round_trip.backup)
    # Counted in the copy by the command, as the ORM counted the source.
    assert manifest["counts"] == round_trip.before["counts"]
    for part in (manifest["database"], manifest["media"]):
        assert sha256(round_trip.backup / part["file"]) == part["sha256"]
    assert manifest["media"]["files"] == len(media_files(round_trip.source.media))
    # Personal data and password hashes: for the owner's eyes only.
    assert stat.S_IMODE(round_trip.backup.stat().st_mode) == 0o700
    for path in round_trip.backup.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_an_altered_dump_is_refused_before_anything_changes(round_trip, tmp_path):
    altered = tmp_path / "altered"
    shutil.copytree(round_trip.backup, altered)
    flip_a_byte(altered / manifest_of(altered)["database"]["file"])
    target = round_trip.source
    database = round_trip.server.fingerprint(target.url)
    media = media_files(target.media)

    refused = target.manage("restore", str(altered), "--force")

    assert refused.returncode == 1
    assert "does not match the checksum" in refused.stderr
    assert "Nothing was restored" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert round_trip.server.fingerprint(target.url) == database
    assert media_files(target.media) == media


def test_a_database_holding_the_site_is_refused_without_force(round_trip):
    target = round_trip.source
    database = round_trip.server.fingerprint(target.url)

    refused = target.manage("restore", str(round_trip.backup))

    assert refused.returncode == 1
    assert "already holds" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert round_trip.server.fingerprint(target.url) == database
