from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services, submissions
from .models import Document


@shared_task
def verify_document(document_id: int) -> bool:
    return services.document_verify(document_id=document_id)


@shared_task
def verify_documents() -> int:
    """Nightly: re-hash every stored evidence file, one task per document."""
    ids = list(Document.objects.values_list("pk", flat=True))
    for document_id in ids:
        verify_document.delay(document_id)
    return len(ids)


@shared_task
def lapse_deadlines() -> int:
    """Hourly: windows that closed unmet become missed, with a timeline event each."""
    return services.deadlines_lapse(now=timezone.now())


@shared_task
def forget_submission_keys() -> int:
    """Daily: keys of forms sent more than 30 days ago, long past any repeat, are let go."""
    return submissions.submissions_forget(before=timezone.now() - timedelta(days=30))
