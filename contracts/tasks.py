from celery import shared_task
from django.utils import timezone

from letters import services as letter_services

from . import services


@shared_task
def complete_due_contracts() -> int:
    """Daily: contracts whose end date has come are completed."""
    return services.contracts_complete_due(today=timezone.localdate())


# Each letter takes a fraction of a second: ten minutes is hundreds of them. A batch cut off
# by the limit keeps its items still to do, and the sweeper sends it again.
@shared_task(soft_time_limit=600, time_limit=660)
def invite_to_contract_meetings(batch_id: int) -> int:
    """A batch of invitations to contract meetings, each an offer of a contract; safe to run
    again (each pupil's is issued once)."""
    batch = letter_services.batch_run(batch_id=batch_id, issue=services.contract_invite)
    return batch.total
