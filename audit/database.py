"""Append-only at the database level: on PostgreSQL, history tables refuse UPDATE and DELETE.

The site never updates or deletes history; these triggers make sure nothing else that
connects as the site's user does either. Whoever owns the tables can still disable a
trigger, which is why the chain and its saved head exist as well.
"""

from django.db import connections

from .registry import history_models

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE OR REPLACE TRIGGER audit_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""


# Other tables whose rows, once written, must never change (ballots, for one).
_registered = []


def register_append_only(*models):
    """Make these models' tables refuse UPDATE and DELETE on PostgreSQL, like history."""
    _registered.extend(model for model in models if model not in _registered)


def append_only_tables():
    from .models import AuditEntry

    return (
        [AuditEntry._meta.db_table]
        + [model._meta.db_table for model in history_models()]
        + [model._meta.db_table for model in _registered]
    )


def install_append_only_triggers(sender=None, using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in append_only_tables():
            if table in existing:
                cursor.execute(TRIGGER.format(table=connection.ops.quote_name(table)))
