"""A built evidence pack is evidence: PostgreSQL refuses to change or delete it.

The application window for a parenting order is now a clock from the order request on. The
windows opened for every pupil with grounds, before there were requests, are closed, each
with its timeline event."""

from django.db import migrations
from django.utils import timezone

from cases.dbguards import refuse_changes


def close_windows_without_a_request(apps, schema_editor):
    Deadline = apps.get_model("cases", "Deadline")
    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    reason = ("the application window is now followed from an order request on, not for "
              "every pupil with grounds")
    now = timezone.now()
    for deadline in Deadline.objects.filter(kind="order_window", status="open", subject=""):
        deadline.status, deadline.closed_at, deadline.closed_reason = "cancelled", now, reason
        deadline.save(update_fields=["status", "closed_at", "closed_reason"])
        if deadline.pupil_id:
            TimelineEvent.objects.create(
                pupil_id=deadline.pupil_id, actor=None, kind="deadline_closed",
                summary=f"Parenting order application window closes: cancelled — {reason}",
                details={"deadline": deadline.pk, "status": "cancelled", "reason": reason})


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_orders_and_the_legal_panel"),
        ("cases", "0010_orders_and_the_legal_panel"),
    ]

    operations = [
        refuse_changes("orders_builtpack",
                       "A built evidence pack is kept as built: it is never changed or deleted."),
        migrations.RunPython(close_windows_without_a_request, migrations.RunPython.noop),
    ]
