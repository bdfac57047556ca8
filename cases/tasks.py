import logging
from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import retention, services, submissions
from .models import Document, LocalAuthority

logger = logging.getLogger(__name__)


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


@shared_task
def list_disposals() -> int:
    """Nightly: what each LA's retention schedule makes due today, listed for its LA admin to
    review and confirm. An LA that fails is retried the next night; the others are listed."""
    listed = 0
    today = timezone.localdate()
    for la in LocalAuthority.objects.all():
        try:
            listed += retention.disposals_list(la=la, today=today)
        except DatabaseError:
            logger.exception("Listing disposals failed for LA %s", la.code)
    return listed
