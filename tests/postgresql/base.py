"""Django's PostgreSQL backend for the test settings, with a quicker flush.

A transactional test (``django_db(transaction=True)``) ends with Django's ``flush``, which on
PostgreSQL truncates every table of the site in one statement: new files for each table and
each index, over a second on this schema, for tables that hold a few rows or none. Here the
flush deletes the rows instead, table by table, in one transaction, as the flush on SQLite
does. It leaves what ``TRUNCATE`` leaves (no row, the sequences where they were); a flush asked
to reset the sequences is Django's own.

The rows go with the database's triggers set aside (``session_replication_role``), as
``TRUNCATE`` sets them aside: the audit's append-only history tables refuse a ``DELETE``, and
the foreign keys are not checked row by row. The role is put back before the transaction ends,
so nothing after the flush runs without them. Only a superuser may set the role: for any
other user the flush is Django's own.
"""

from django.db.backends.postgresql import base


class DatabaseOperations(base.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables or not self._superuser():
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        deletes = "; ".join(
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}"
            for table in tables
        )
        return [
            "SET LOCAL session_replication_role = replica",
            deletes,
            "SET LOCAL session_replication_role = origin",
        ]

    def _superuser(self):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            return cursor.fetchone()[0]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
