from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def complete_due_contracts() -> int:
    """Daily: contracts whose end date has come are completed."""
    return services.contracts_complete_due(today=timezone.localdate())
