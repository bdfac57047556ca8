from cases.selectors import staff_groups_of

from .selectors import LA_QUEUE_ROLES


def la_queue(request):
    """Whether the header links to the LA designated officer's queue."""
    return {
        "has_la_queue": lambda: any(
            g.role in LA_QUEUE_ROLES for g in staff_groups_of(request.user)
        ),
    }
