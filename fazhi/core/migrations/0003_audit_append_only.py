"""Database triggers that make the audit trail append-only (等保2.0 安全审计; 网络安全法第二十一条).

The ORM already refuses update/delete of AuditRecord; these triggers refuse them for anything
else that talks to the database (raw SQL, a script, a console session). They also refuse to
rewind the chain head, so removing the tail of the chain stays detectable by `fazhi audit verify`.

Only a DBA who drops or disables the triggers can change a record, and the SM3 chain then names
the first broken record.

SQLite note: Django rebuilds a SQLite table (create, copy, drop, rename) for most ALTERs, and
dropping the old table drops its triggers. A later migration that alters AuditRecord or
AuditChainHead must re-create these triggers on SQLite; `fazhi audit verify` reports them missing.

TRUNCATE is not refused on PostgreSQL: Django's `flush` (test teardown) truncates every table.

The SQL is inlined (not imported from fazhi.core.audit) so this migration stays frozen.
"""
from django.db import migrations

UPDATE_MESSAGE = "审计记录只能追加，不能修改（网络安全法第二十一条、等保2.0安全审计要求）。"
DELETE_MESSAGE = "审计记录只能追加，不能删除（网络安全法第二十一条：网络日志留存不少于六个月）。"
REWIND_MESSAGE = "审计链头只能向前推进，不能回退或改写。"

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_update
        BEFORE UPDATE ON core_auditrecord
        BEGIN SELECT RAISE(ABORT, '{UPDATE_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_delete
        BEFORE DELETE ON core_auditrecord
        BEGIN SELECT RAISE(ABORT, '{DELETE_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS core_auditchainhead_no_rewind
        BEFORE UPDATE ON core_auditchainhead
        WHEN NEW.last_seq < OLD.last_seq OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash)
        BEGIN SELECT RAISE(ABORT, '{REWIND_MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_update",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_delete",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_rewind",
]

# ERRCODE restrict_violation (23001): drivers report it as an IntegrityError, as on SQLite.
POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION fazhi_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = '{UPDATE_MESSAGE}';
            END IF;
            RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = '{DELETE_MESSAGE}';
        END
        $$""",
    """CREATE TRIGGER core_auditrecord_append_only
        BEFORE UPDATE OR DELETE ON core_auditrecord
        FOR EACH ROW EXECUTE FUNCTION fazhi_audit_append_only()""",
    f"""CREATE OR REPLACE FUNCTION fazhi_audit_head_no_rewind() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = '{REWIND_MESSAGE}';
        END
        $$""",
    """CREATE TRIGGER core_auditchainhead_no_rewind
        BEFORE UPDATE ON core_auditchainhead
        FOR EACH ROW
        WHEN (NEW.last_seq < OLD.last_seq OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash))
        EXECUTE FUNCTION fazhi_audit_head_no_rewind()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_rewind ON core_auditchainhead",
    "DROP FUNCTION IF EXISTS fazhi_audit_head_no_rewind()",
    "DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord",
    "DROP FUNCTION IF EXISTS fazhi_audit_append_only()",
]


def _run(schema_editor, statements):
    for sql in statements:
        # params=None: the SQL holds no placeholders and must not be %-formatted by the driver.
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)
    # Other databases are not supported by Fazhi; the ORM guard still applies.


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_seed_calendar")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
