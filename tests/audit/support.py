"""Helpers for the audit tests: finding a history row's chain entry, tampering like an intruder."""

import io
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from audit.database import append_only_tables
from audit.models import AuditEntry
from audit.registry import history_model


def history_rows(instance):
    """The history rows of ``instance``, oldest first."""
    model = history_model(type(instance))
    pk_name = type(instance)._meta.pk.attname
    return model._base_manager.filter(**{pk_name: instance.pk}).order_by("history_id")


def entry_for(source):
    """The chain entry standing for a history row or a Wagtail log entry."""
    source_type = ContentType.objects.get_for_model(type(source), for_concrete_model=False)
    return AuditEntry.objects.get(source_type=source_type, source_id=source.pk)


def entries_for(instance):
    """The chain entries of one record or page, oldest first."""
    content_type = ContentType.objects.get_for_model(instance)
    return AuditEntry.objects.for_object(content_type, instance.pk).order_by("id")


@contextmanager
def append_only_lifted(*tables):
    """A cursor for tampering with history the way someone holding the database's keys would.

    On PostgreSQL the history tables refuse UPDATE and DELETE (``audit.database``); whoever
    owns the tables can disable that trigger, so the tampering tests do, around the change
    only. SQLite has no such trigger. ``tables`` default to every append-only table.
    """
    tables = tables or tuple(append_only_tables())
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            _set_triggers(cursor, tables, "DISABLE")
        try:
            yield cursor
        finally:
            if postgresql:
                _set_triggers(cursor, tables, "ENABLE")


def _set_triggers(cursor, tables, switch):
    # A table with deferred foreign-key checks pending in this transaction cannot be altered:
    # run the checks now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in tables:
        cursor.execute(
            f"ALTER TABLE {connection.ops.quote_name(table)} {switch} TRIGGER audit_append_only"
        )
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def run_verify(*args):
    """``verify_audit`` with ``args``: (exit code, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    return code, stdout.getvalue(), stderr.getvalue()
