"""On PostgreSQL the database itself refuses to change or delete a timeline event, so the
evidence holds even against code that bypasses the model (raw SQL, a bulk update)."""

from django.db import migrations

from cases.dbguards import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_exclusion_reasons")]

    operations = [
        refuse_changes(
            "cases_timelineevent",
            "The case timeline is append-only: events are never changed or deleted.",
        )
    ]
