from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def issue_batch(batch_id: int) -> int:
    """Issue a batch's letters; safe to run again (each letter is issued once)."""
    return services.batch_run(batch_id=batch_id).letters.count()


@shared_task
def requeue_waiting_batches() -> int:
    """Every 10 minutes: send again batches that never started (the broker was down when
    they were asked for) or stopped part-way (a worker died)."""
    waiting = services.batches_requeue(older_than=timezone.now() - timedelta(minutes=10))
    for batch_id in waiting:
        issue_batch.delay(batch_id)
    return len(waiting)
