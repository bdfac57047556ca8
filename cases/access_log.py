"""The access log: every opening of a case record and every export, written in the request
that served it. One insert, with what the page had already read: no query to find the
school or the LA."""

from .client_address import client_address
from .models import AccessRecord

What = AccessRecord.What


def access_record(request, *, what: str, label: str, local_authority_id: int,
                  school_id: int | None = None, pupil_id: int | None = None) -> None:
    """Record that the signed-in user opened or exported something. The label names the
    record without naming anyone: the log is searched by people who may not read the case."""
    AccessRecord.objects.create(
        user=request.user, what=what, label=label[:200], path=request.path[:300],
        address=client_address(request), pupil_id=pupil_id, school_id=school_id,
        local_authority_id=local_authority_id,
    )
