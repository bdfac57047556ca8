from celery import shared_task

from . import services


@shared_task
def issue_batch(batch_id: int) -> int:
    """Issue a batch's letters; safe to run again (each letter is issued once)."""
    return services.batch_run(batch_id=batch_id).letters.count()
