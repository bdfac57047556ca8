"""On PostgreSQL the database itself refuses to change or delete an issued letter: it is
evidence, kept exactly as sent."""

from django.db import migrations

CREATE = """
CREATE FUNCTION letters_issued_unchangeable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'An issued letter is kept exactly as sent: it is never changed or deleted.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER letters_issued_unchangeable
    BEFORE UPDATE OR DELETE ON letters_issuedletter
    FOR EACH ROW EXECUTE FUNCTION letters_issued_unchangeable();
"""
DROP = """
DROP TRIGGER IF EXISTS letters_issued_unchangeable ON letters_issuedletter;
DROP FUNCTION IF EXISTS letters_issued_unchangeable();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
