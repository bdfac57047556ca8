from datetime import timedelta

from celery import current_app, shared_task
from django.utils import timezone

from . import kinds, services


@shared_task
def requeue_waiting_batches() -> int:
    """Every 10 minutes: send again batches that never started (the broker was down when
    they were asked for) or stopped part-way (a worker died), each to the task of its kind."""
    waiting = services.batches_requeue(older_than=timezone.now() - timedelta(minutes=10))
    for batch in waiting:
        current_app.tasks[kinds.BATCH_TASKS[batch.kind]].delay(batch.pk)
    return len(waiting)
