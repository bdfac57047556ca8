from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django.utils.module_loading import import_string

from . import kinds, services


@shared_task
def requeue_waiting_batches() -> int:
    """Every 10 minutes: send again batches that never started (the broker was down when
    they were asked for) or stopped part-way (a worker died), each to the task of its kind."""
    waiting = services.batches_requeue(older_than=timezone.now() - timedelta(minutes=10))
    for batch in waiting:
        import_string(kinds.BATCH_TASKS[batch.kind]).delay(batch.pk)
    return len(waiting)
