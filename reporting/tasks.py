"""The termly job: the day after a term ends, every school's return for it; run daily, it takes
the latest ended term of each LA again, which changes nothing unless a record dated in the
term has been added or corrected (then a new revision)."""

import logging

from celery import shared_task
from django.utils import timezone

from cases.models import LocalAuthority

from .reminders import reminders_send
from .services import returns_take
from .terms import last_ended

log = logging.getLogger(__name__)


# Every school of every LA, counted a term at a time: longer than the default limit allows at
# national scale.
@shared_task(soft_time_limit=600, time_limit=660)
def take_termly_returns() -> int:
    """Returns the number of schools whose return could not be taken (each fails alone)."""
    today = timezone.localdate()
    failures = 0
    for la in LocalAuthority.objects.order_by("pk"):
        term = last_ended(la, today)
        failed = returns_take(schools=la.schools.values_list("pk", flat=True), term=term)
        for school_id, reason in failed.items():
            log.error("Termly return for school %s, %s: %s", school_id, term.key, reason)
        failures += len(failed)
    return failures


@shared_task
def send_reminders() -> int:
    """Today's reminder digests; a second run the same day sends nothing again."""
    return reminders_send()
