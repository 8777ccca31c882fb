"""On PostgreSQL: the restored database keeps the audit's append-only triggers, and `restore
--force` replaces a database that holds the site (pg_restore --clean) with the backup's rows."""

import psycopg
import pytest

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


def test_the_restored_history_tables_still_refuse_changes(round_trip):
    with (
        psycopg.connect(round_trip.restored.url) as database,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="history is append-only"),
    ):
        database.execute("UPDATE people_historicalperson SET phone = '13800000000'")


def test_the_restored_database_has_every_trigger_of_the_source(round_trip):
    query = (
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
        "WHERE NOT tgisinternal AND tgenabled = 'O' ORDER BY 1, 2"
    )
    with psycopg.connect(round_trip.source.url) as database:
        source = database.execute(query).fetchall()
    with psycopg.connect(round_trip.restored.url) as database:
        restored = database.execute(query).fetchall()
    assert ("people_historicalperson", "audit_append_only") in source
    assert restored == source


def test_force_replaces_a_database_that_holds_the_site(round_trip):
    target = round_trip.source
    with psycopg.connect(target.url) as database:
        database.execute("UPDATE people_person SET phone = '13000000000'")

    replaced = target.manage("restore", str(round_trip.backup), "--force")

    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert "Restored and checked" in replaced.stdout
    with psycopg.connect(target.url) as database:
        phones = database.execute("SELECT id, phone FROM people_person ORDER BY id").fetchall()
    assert phones == [(pk, phone) for pk, _name, phone, _building in round_trip.before["people"]]
