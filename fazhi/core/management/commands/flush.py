"""`flush` that also works on SQLite, where the audit trail's triggers refuse DELETE.

Migration 0003 makes core_auditrecord append-only with triggers. Django's flush empties tables
with TRUNCATE on PostgreSQL (the triggers allow it) but with row-by-row DELETE on SQLite, which
they refuse — so test teardown of transaction=True tests and a dev reset would fail. A flush is a
whole-database reset, never a selective deletion: on SQLite we set the triggers aside, flush and
put them back, all in one transaction.
"""
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

AUDIT_TABLES = ("core_auditrecord", "core_auditchainhead")


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                    AUDIT_TABLES,
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            super().handle(**options)
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
