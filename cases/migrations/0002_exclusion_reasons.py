"""Loads the DfE census exclusion reason codes (cases/data/exclusion-reasons.csv). New codes
are added as rows, with the date they came into use, never by changing code."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "exclusion-reasons.csv"


def load(apps, schema_editor):
    ExclusionReason = apps.get_model("cases", "ExclusionReason")
    with CSV.open(newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            ExclusionReason.objects.update_or_create(
                code=row["code"],
                defaults={
                    "description": row["description"],
                    "valid_from": date.fromisoformat(row["valid_from"]),
                    "valid_to": date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                    "note": row["note"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
