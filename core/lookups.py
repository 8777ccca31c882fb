"""``in`` on an integer column, without the values no such column can hold.

Django already answers ``exact`` and the comparisons with a number beyond the column's range
as matching nothing (or everything) rather than sending it to the database
(``IntegerFieldOverflow``), but not ``in``: a filter of an admin listing given an id of thirty
digits (``?partners=999…``) made SQLite raise ``OverflowError``, a server error. Such a value
matches no row, so it is left out of the list; a list left empty matches nothing, as ``in``
with an empty list does.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerIn(In):
    def process_rhs(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().process_rhs(compiler, connection)
        internal_type = self.lhs.output_field.get_internal_type()
        low, high = connection.ops.integer_field_range(internal_type)
        given = self.rhs
        self.rhs = [
            value
            for value in given
            if not isinstance(value, int)
            or ((low is None or value >= low) and (high is None or value <= high))
        ]
        try:
            return super().process_rhs(compiler, connection)
        finally:
            self.rhs = given


def register():
    """Used by every integer field, primary keys included (``AutoField`` is one)."""
    IntegerField.register_lookup(IntegerIn)
