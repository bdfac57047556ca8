"""Database-level guards for evidence: on PostgreSQL, rows of an evidence table can be added
but never changed or deleted, whatever code runs (raw SQL, bulk updates). Used by migrations."""

from django.db import migrations


def refuse_changes(table: str, message: str) -> migrations.RunPython:
    function = f"{table}_refuse_changes"
    create = f"""
CREATE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql;
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
