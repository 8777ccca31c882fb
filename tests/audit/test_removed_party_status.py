"""people 0004 removes ``Person.party_status`` (the party member record keeps the category),
and the audit chain still verifies a database written before it.

A history row's entry is hashed over every column of its row. The persons' history table
keeps its ``party_status`` column (``people.models.FormerPartyStatus``), so the rows written
before keep their values and their digests; rows written since hold an empty value. The
database "from before" is built at people 0003 with that version's own models, its rows
chained as the recording layer chains them, then migrated forward.
"""

import pytest

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit import chain
from audit.database import site_writes
from audit.models import Action
from audit.registry import history_model
from people.models import Person
from tests.support import migrate_forward

from .support import append_only_lifted, entry_for, run_verify

BEFORE = [("people", "0003_training_and_talks")]


def write_as_before(apps):
    """A migrant party member of the register as the version before people 0004 wrote them:
    created, then moved, each save a history row with ``party_status`` and its chain entry
    (as ``audit.recording.chain_history_row`` writes it)."""
    OldPerson = apps.get_model("people", "Person")
    OldHistory = apps.get_model("people", "HistoricalPerson")
    person = OldPerson.objects.create(
        name="王流动",
        is_party_member=True,
        party_status="migrant",
        building="5号楼",
        unit="1单元",
        phone="13900000005",
    )
    content_type = ContentType.objects.get(app_label="people", model="person")
    rows = []
    for history_type, building in (("+", "5号楼"), ("~", "6号楼")):
        person.building = building
        person.save()
        values = {field.attname: getattr(person, field.attname) for field in OldPerson._meta.fields}
        # Through the recording layer's door: on PostgreSQL history tables refuse any other.
        with transaction.atomic(), site_writes():
            row = OldHistory.objects.create(
                **values,
                history_date=timezone.now(),
                history_type=history_type,
                history_change_reason="",
            )
            chain.append(
                source=row,
                content_type=content_type,
                timestamp=row.history_date,
                user_id=None,
                username="",
                action=Action.CREATED if history_type == "+" else Action.CHANGED,
                detail="",
                object_id=str(person.pk),
                object_repr=person.name,
                reason="",
            )
        rows.append(row.pk)
    return person.pk, rows


# serialized_rollback: the data migrations wrote (the site, the roles) is back for later
# transactional tests, and the flush after this one does not recreate the roles under new ids.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_history_written_before_the_column_was_removed_still_verifies():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        old_person = old_apps.get_model("people", "Person")
        assert "party_status" in {f.name for f in old_person._meta.fields}
        pk, history_ids = write_as_before(old_apps)
        # The chain as the version before wrote it holds (walked alone: the tables of apps
        # that came after people 0004 are not there yet).
        assert chain.verify(history_models=(), sealed_sets=()).ok
    finally:
        # Whatever happens, the later tests find the database as the migrations leave it.
        migrate_forward()

    person = Person.objects.get(pk=pk)
    assert not hasattr(person, "party_status")
    HistoricalPerson = history_model(Person)
    rows = HistoricalPerson.objects.filter(pk__in=history_ids).order_by("history_id")
    # History keeps what the register said then.
    assert [row.party_status for row in rows] == ["migrant", "migrant"]
    code, out, err = run_verify()
    assert code == 0, out + err

    # The site writes on: new rows hold no category, and the chain still verifies.
    person.unit = "2单元"
    person.save()
    latest = HistoricalPerson.objects.filter(id=pk).latest("history_id")
    assert (latest.party_status, latest.unit) == ("", "2单元")
    code, out, err = run_verify()
    assert code == 0, out + err

    # An old row's category changed behind the site is found, and named.
    old_row = rows.first()
    entry = entry_for(old_row)
    table = connection.ops.quote_name(HistoricalPerson._meta.db_table)
    with append_only_lifted(HistoricalPerson._meta.db_table) as cursor:
        cursor.execute(
            f"UPDATE {table} SET party_status = %s WHERE history_id = %s",
            ["registered", old_row.pk],
        )
    code, out, err = run_verify()
    assert code != 0
    assert f"entry {entry.pk}:" in out + err
    assert "altered" in out + err
