"""Database-level guards for evidence: on PostgreSQL, rows of an evidence table can be added
but never changed or deleted, whatever code runs (raw SQL, bulk updates). Used by migrations.

The one exception is disposal under the retention schedule (cases.retention): while a disposal
the LA admin confirmed is being carried out, in the same transaction, the rows of a disposable
table may be changed (anonymised in place), never deleted."""

from django.db import migrations

# True only inside the transaction of a confirmed disposal: cases.retention sets pact.disposal
# to the disposal's id (SET LOCAL, gone at commit) after marking it confirmed.
DISPOSAL_UNDER_WAY = """
CREATE OR REPLACE FUNCTION pact_disposal_under_way() RETURNS boolean AS $$
    SELECT EXISTS (
        SELECT 1 FROM cases_disposal
        WHERE id = NULLIF(current_setting('pact.disposal', true), '')::bigint
          AND status = 'confirmed')
$$ LANGUAGE sql STABLE;
"""


def _guard(table: str, message: str, *, disposable: bool) -> str:
    allow = ("    IF TG_OP = 'UPDATE' AND pact_disposal_under_way() THEN\n"
             "        RETURN NEW;\n    END IF;\n") if disposable else ""
    return f"""
CREATE OR REPLACE FUNCTION {table}_refuse_changes() RETURNS trigger AS $$
BEGIN
{allow}    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql;
"""


def refuse_changes(table: str, message: str, *, disposable: bool = False) -> migrations.RunPython:
    function = f"{table}_refuse_changes"
    create = _guard(table, message, disposable=disposable) + f"""
CREATE TRIGGER {function}
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    drop = f"""
DROP TRIGGER IF EXISTS {function} ON {table};
DROP FUNCTION IF EXISTS {function}();
"""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop)

    return migrations.RunPython(forwards, backwards)


def allow_disposal(guards: dict[str, str]) -> migrations.RunPython:
    """Existing guards (table: message) rewritten to let a confirmed disposal anonymise rows."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(DISPOSAL_UNDER_WAY)
            for table, message in guards.items():
                schema_editor.execute(_guard(table, message, disposable=True))

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table, message in guards.items():
                schema_editor.execute(_guard(table, message, disposable=False))

    return migrations.RunPython(forwards, backwards)
