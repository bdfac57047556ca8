from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import pack, services


# A pack of a few hundred pages takes seconds; ten minutes covers the largest. A build cut off
# is tried again by the sweeper, at most three times.
@shared_task(soft_time_limit=600, time_limit=660)
def build_evidence_pack(pack_id: int) -> str:
    return pack.pack_build(pack_id=pack_id)


@shared_task
def requeue_waiting_packs() -> int:
    """Every 10 minutes: packs that never started (the broker was down) or whose worker was
    lost are sent again."""
    waiting = pack.packs_requeue(older_than=timezone.now() - timedelta(minutes=10))
    for pack_id in waiting:
        build_evidence_pack.delay(pack_id)
    return len(waiting)


@shared_task
def complete_due_orders() -> int:
    """Daily: orders whose every requirement has ended are completed."""
    return services.orders_complete_due(today=timezone.localdate())


@shared_task
def refresh_order_windows() -> int:
    """Daily: every application window still running follows the rule."""
    return services.order_windows_refresh()
