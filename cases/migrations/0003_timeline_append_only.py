"""On PostgreSQL the database itself refuses to change or delete a timeline event, so the
evidence holds even against code that bypasses the model (raw SQL, a bulk update)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION cases_timeline_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The case timeline is append-only: events are never changed or deleted.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_timeline_append_only
    BEFORE UPDATE OR DELETE ON cases_timelineevent
    FOR EACH ROW EXECUTE FUNCTION cases_timeline_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS cases_timeline_append_only ON cases_timelineevent;
DROP FUNCTION IF EXISTS cases_timeline_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_exclusion_reasons")]

    operations = [migrations.RunPython(create, drop)]
