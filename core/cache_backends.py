"""Cache backends for production without Redis."""

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache, with ``incr`` atomic: the row is locked while it is read and
    written back, so that counts made by several processes at the same moment are not lost
    (the public forms' rate limits count with ``incr``; Django's own reads, then writes)."""

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",
                        [self.make_and_validate_key(key, version)],
                    )
            return super().incr(key, delta, version)
