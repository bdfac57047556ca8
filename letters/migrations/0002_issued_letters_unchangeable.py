"""On PostgreSQL the database itself refuses to change or delete an issued letter: it is
evidence, kept exactly as sent."""

from django.db import migrations

from cases.dbguards import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [
        refuse_changes(
            "letters_issuedletter",
            "An issued letter is kept exactly as sent: it is never changed or deleted.",
        )
    ]
