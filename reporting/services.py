"""Taking and submitting termly returns. A return is taken per school, in its own transaction
with the school's row locked, so two runs at once (two workers, the job and an officer) take
turns and the second finds the snapshot the first made."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cases import access
from cases import selectors as case_selectors
from cases.models import School, StaffRole
from cases.selectors import staff_groups_of

from .columns import counts_for
from .models import ReturnSubmission, TermlyReturn
from .terms import ReturnTerm


@dataclass(frozen=True)
class Counted:
    counts: dict[str, int]
    at: datetime


def _latest(school_id: int, academic_year: int, term: str) -> TermlyReturn | None:
    return (TermlyReturn.objects.filter(school_id=school_id, academic_year=academic_year,
                                        term=term).order_by("-revision").first())


def return_take(*, school_id: int, term: ReturnTerm, counted: Counted | None = None,
                actor=None) -> TermlyReturn:
    """The school's return for the term as the records stand: the latest snapshot when nothing
    has changed, or a new revision with what changed. `counted`, when given, was counted for
    many schools at once (returns_take); it is counted again under the lock if another run
    kept a snapshot after it was counted, so an older count never follows a newer one."""
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school_id).first()
        latest = _latest(school_id, term.academic_year, term.term)
        if counted is None or (latest is not None and latest.taken_at >= counted.at):
            counts = counts_for([school_id], term.counts_from, term.ends_on)[school_id]
        else:
            counts = counted.counts
        if latest is not None and latest.counts == counts:
            return latest
        changes = ({key: [latest.counts.get(key, 0), n] for key, n in counts.items()
                    if latest.counts.get(key, 0) != n} if latest else {})
        return TermlyReturn.objects.create(
            school_id=school_id, academic_year=term.academic_year, term=term.term,
            counts_from=term.counts_from, counts_to=term.ends_on,
            revision=latest.revision + 1 if latest else 1, counts=counts, changes=changes,
            taken_by=actor)


def returns_take(*, schools: Iterable[int], term: ReturnTerm, actor=None) -> dict[int, str]:
    """Every school's return for the term: counted for all at once, each kept alone, so one
    school's failure leaves the others' returns standing. Returns each failure's reason."""
    schools = list(schools)
    at = timezone.now()
    counted = counts_for(schools, term.counts_from, term.ends_on)
    failed: dict[int, str] = {}
    for school_id in schools:
        try:
            return_take(school_id=school_id, term=term, actor=actor,
                        counted=Counted(counted[school_id], at))
        except Exception as error:  # noqa: BLE001 (a batch item fails alone, with its reason)
            failed[school_id] = f"{type(error).__name__}: {error}"[:300]
    return failed


def schools_to_take(user, la) -> QuerySet[School]:
    """The LA's officers (those who count the LA) take every school's return; a headteacher
    takes their own school's."""
    counted = case_selectors.schools_counted_by(user).filter(local_authority=la)
    roles = staff_groups_of(user)
    if any(g.local_authority_id == la.pk
           and access.VIEW_LA_COUNTS in access.ROLE_PERMISSIONS[g.role] for g in roles):
        return counted
    return counted.filter(pk__in=[g.school_id for g in roles
                                  if g.role == StaffRole.HEADTEACHER])


def may_submit(user, school_id: int) -> bool:
    return any(g.role == StaffRole.HEADTEACHER and g.school_id == school_id
               for g in staff_groups_of(user))


def return_submit(*, actor, termly_return: TermlyReturn) -> ReturnSubmission:
    """The headteacher submits the latest revision of the school's return to the LA."""
    if not may_submit(actor, termly_return.school_id):
        raise PermissionDenied("The school's headteacher submits its return to the LA.")
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=termly_return.school_id).first()
        latest = _latest(termly_return.school_id, termly_return.academic_year,
                         termly_return.term)
        if latest.pk != termly_return.pk:
            raise ValidationError(f"Revision {latest.revision} has replaced the one you read: "
                                  "check it, then submit that.")
        existing = ReturnSubmission.objects.filter(termly_return=latest).first()
        if existing is not None:
            return existing
        return ReturnSubmission.objects.create(termly_return=latest, submitted_by=actor)
