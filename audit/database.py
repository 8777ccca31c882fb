"""Append-only at the database level: on PostgreSQL, history tables refuse UPDATE and DELETE,
and any INSERT that does not come through the site's recording layer.

The site never updates or deletes history, except to empty residents' personal fields once
their retention period is over (``audit.erasure``, which the trigger lets through only for
those columns); these triggers make sure nothing else that connects as the site's user does
either. Whoever owns the tables can still disable a trigger, which is why the chain and its
saved head exist as well.
"""

from contextlib import contextmanager

from django.db import connections

from .registry import all_m2m_history_models, history_models

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
# For a table registered ``rewritable``: DELETE passes only while the transaction names the
# table in ``audit.rewrite`` (``allow_rewrite``); UPDATE never does.
REWRITE_SETTING = "audit.rewrite"
REWRITABLE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change_unless_rewriting() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('audit.rewrite', true) = TG_TABLE_NAME THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
REWRITABLE_TRIGGER = """
CREATE OR REPLACE TRIGGER audit_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION audit_refuse_change_unless_rewriting();
"""


# Other tables whose rows, once written, must never change (ballots, for one).
_registered = []
# Of those, the ones one named step may rewrite (a secret ballot box at close).
_rewritable = []


def register_append_only(*models, rewritable=False):
    """Make these models' tables refuse UPDATE and DELETE on PostgreSQL, like history.

    ``rewritable``: DELETE is still let through inside an ``allow_rewrite(model)`` block,
    for the one step that rewrites the table's rows (the secret
    ballot box at close deletes and re-inserts its ballots). Anyone connected as the site's
    user could call it too: the trigger stops mistakes, the audit chain catches the rest.
    """
    _registered.extend(model for model in models if model not in _registered)
    if rewritable:
        _rewritable.extend(model for model in models if model not in _rewritable)


@contextmanager
def allow_rewrite(model, using="default"):
    """``with allow_rewrite(Ballot): ...``: let the block delete rows of ``model``'s table
    (a table registered ``rewritable``), inside a transaction.

    A transaction-local setting (``SET LOCAL``), taken back when the block ends; if the block
    fails, rolling its transaction or savepoint back takes it back too. Nothing to do on
    other databases, which have no trigger."""
    connection = connections[using]
    if model not in _rewritable:
        raise ValueError(f"{model._meta.label} is not registered as rewritable")
    if not connection.in_atomic_block:
        raise RuntimeError("allow_rewrite() needs a transaction (transaction.atomic)")
    with _transaction_setting(connection, REWRITE_SETTING, model._meta.db_table):
        yield


@contextmanager
def _transaction_setting(connection, name, value):
    """``name`` set to ``value`` for the block, in the current transaction only (``SET
    LOCAL``); nothing on databases other than PostgreSQL, which have no trigger to read it."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    # Not in a ``finally``: after an error the transaction refuses every statement until it
    # is rolled back, and the rollback takes the setting back anyway.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, '', true)", [name])


def append_only_tables():
    from .models import AuditEntry, Seal

    return (
        [AuditEntry._meta.db_table, Seal._meta.db_table]
        + [model._meta.db_table for model in history_models()]
        + [model._meta.db_table for model in all_m2m_history_models()]
        + [model._meta.db_table for model in _registered]
    )


# INSERT: a history row (or a seal) is written only through the site's recording layer,
# which names itself for the length of the write (``site_writes``: a transaction-local
# setting). Anything else inserting into these tables is refused. Whoever connects as the
# site's user could set it too: this stops mistakes and naive forgeries; a forged row that
# gets in has no entry in the chain, or a forged one, and ``verify_audit`` names it.
WRITER_SETTING = "audit.writer"
# UPDATE: only the erasure of personal data once its retention period is over
# (``audit.erasure``), which names the table in ``audit.erase`` for the length of the write;
# even then the update may only empty the columns the trigger is given (the model's
# ``personal_fields``): every other column must stay as it was.
ERASE_SETTING = "audit.erase"
HISTORY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change_or_forged_insert() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0
            AND current_setting('audit.erase', true) = TG_TABLE_NAME
            AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV)
            AND NOT EXISTS (
                SELECT 1 FROM jsonb_each_text(to_jsonb(NEW)) AS col
                WHERE col.key = ANY(TG_ARGV) AND col.value <> ''
            ) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF current_setting('audit.writer', true) = 'site' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'history is written only by the site: INSERT into % refused', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
HISTORY_TRIGGER = """
CREATE OR REPLACE TRIGGER audit_append_only
BEFORE INSERT OR UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION audit_refuse_change_or_forged_insert({erasable});
"""


def erasable_columns():
    """{history table: the columns an erasure may empty}: the audited model's
    ``personal_fields``."""
    from .registry import audited_models, history_model, personal_fields

    found = {}
    for model in audited_models():
        history = history_model(model)
        columns = [history._meta.get_field(name).column for name in personal_fields(model)]
        if columns:
            found[history._meta.db_table] = columns
    return found


def chained_tables():
    """The tables whose rows only the site's recording layer inserts: history (with its
    many-to-many history) and seals."""
    from .models import Seal

    return (
        [Seal._meta.db_table]
        + [model._meta.db_table for model in history_models()]
        + [model._meta.db_table for model in all_m2m_history_models()]
    )


@contextmanager
def erasing(history, using=None):
    """``with erasing(HistoricalOpinion): ...``: let the block empty the personal columns of
    ``history``'s rows (``audit.erasure``), inside a transaction. Nothing to do on other
    databases, which have no trigger."""
    connection = connections[using or "default"]
    if not connection.in_atomic_block:
        raise RuntimeError("erasing() needs a transaction (transaction.atomic)")
    with _transaction_setting(connection, ERASE_SETTING, history._meta.db_table):
        yield


@contextmanager
def site_writes(using=None):
    """The block writes history (or a seal) through the site: let its INSERTs through."""
    connection = connections[using or "default"]
    with _transaction_setting(connection, WRITER_SETTING, "site"):
        yield


def install_append_only_triggers(sender=None, using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    rewritable = {model._meta.db_table for model in _rewritable}
    chained = set(chained_tables())
    erasable = erasable_columns()
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        cursor.execute(REWRITABLE_FUNCTION)
        cursor.execute(HISTORY_FUNCTION)
        for table in append_only_tables():
            if table in existing:
                if table in chained:
                    # Trigger arguments are string literals: the column names, quoted.
                    columns = erasable.get(table, [])
                    trigger = HISTORY_TRIGGER.replace(
                        "{erasable}",
                        ", ".join("'{}'".format(c.replace("'", "''")) for c in columns),
                    )
                elif table in rewritable:
                    trigger = REWRITABLE_TRIGGER
                else:
                    trigger = TRIGGER
                cursor.execute(trigger.format(table=connection.ops.quote_name(table)))
