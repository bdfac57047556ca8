"""A pupil moving school, and a pupil leaving for no school on Pact.

The pupil's educational record follows them: when a pupil moves, the old school sends it to
the new one (Education (Pupil Information) (England) Regulations 2005, regulation 9; in Wales
the Education (Pupil Information) (Wales) Regulations 2011). So the case file (the pupil,
their parents and carers, exclusions from any school, agencies, meetings, documents, letters
and the timeline) is read by the new school and its LA from the move, and no longer by the
old school. Records that belong to someone else stay with them: a contract is an agreement
between the parents and the old school's governing body, an order case is the LA's, a conduct
record is about an adult at the old school. The case file does not know those records; each
app says what the move means for its own through its AppConfig's
`pupil_move_checks(pupil) -> list[Check]` (a check not met stops the move).
"""

from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import access, rules, selectors
from .grounds import contract_grounds_moved
from .models import LeftFor, Pupil, PupilMove, School, TimelineEvent
from .rules import Check, Verdict
from .services import require_recorder, timeline_record


def _records_that_stay(pupil: Pupil) -> list[Check]:
    checks: list[Check] = []
    for config in apps.get_app_configs():
        contribute = getattr(config, "pupil_move_checks", None)
        if contribute is not None:
            checks.extend(contribute(pupil))
    return checks


def _left(pupil: Pupil) -> str:
    """When and where a pupil who left went, as the rest of a sentence, or ""."""
    if pupil.left_on is None:
        return ""
    gone = PupilMove.objects.filter(pupil=pupil, to_school__isnull=True).first()
    where = gone.get_left_for_display().lower() if gone else ""
    if gone and gone.destination:
        where = f"{where}: {gone.destination}"
    return f"{pupil.left_on:%-d %b %Y}" + (f" ({where})" if where else "")


def _records_for_la(actor, pupil: Pupil) -> bool:
    return any(
        g.local_authority_id == pupil.school.local_authority_id
        and access.RECORD_LA_CASES in access.ROLE_PERMISSIONS[g.role]
        for g in selectors.staff_groups_of(actor)
    )


def move_verdict(*, pupil: Pupil, actor) -> Verdict:
    return rules.pupil_move_allowed(
        pupil_name=pupil.full_name, school_name=pupil.school.name, left=_left(pupil),
        actor_is_la=_records_for_la(actor, pupil), records=_records_that_stay(pupil))


def leave_verdict(*, pupil: Pupil) -> Verdict:
    return rules.pupil_leave_allowed(
        pupil_name=pupil.full_name, school_name=pupil.school.name, left=_left(pupil),
        records=_records_that_stay(pupil))


def _last_record_on(pupil: Pupil) -> date | None:
    """The last day something is recorded as happening at the pupil's school."""
    dates = [
        pupil.exclusions.filter(school=pupil.school).aggregate(last=Max("start_date"))["last"],
        pupil.meetings.aggregate(last=Max("held_on"))["last"],
        PupilMove.objects.filter(pupil=pupil).aggregate(last=Max("moved_on"))["last"],
    ]
    return max((d for d in dates if d is not None), default=None)


def _locked(pupil: Pupil) -> Pupil:
    # Two moves of one pupil at once would both read the old school: one waits for the other.
    return Pupil.objects.select_for_update().select_related("school__local_authority").get(
        pk=pupil.pk)


def _check(verdict: Verdict, pupil: Pupil, moved_on: date, field: str) -> dict[str, str]:
    if not verdict:
        raise ValidationError(list(verdict.reasons))
    problem = rules.move_date_problem(
        moved_on=moved_on, today=timezone.localdate(), last_record_on=_last_record_on(pupil))
    return {field: problem} if problem else {}


def _where(school: School) -> str:
    return f"{school.name} ({school.local_authority.name})"


def pupil_move(*, pupil: Pupil, to_school: School, moved_on: date, by, note: str = "") -> PupilMove:
    """Move the pupil's case file to another school on Pact, from the day they moved."""
    require_recorder(by, pupil.school)
    with transaction.atomic():
        pupil = _locked(pupil)
        errors = _check(move_verdict(pupil=pupil, actor=by), pupil, moved_on, "moved_on")
        if to_school.pk == pupil.school_id:
            errors["to_school"] = (f"{pupil.full_name} is already at {to_school.name}: enter "
                                   "the school they are moving to")
        if errors:
            raise ValidationError(errors)
        from_school, rejoined = pupil.school, pupil.left_on is not None
        move = PupilMove.objects.create(
            pupil=pupil, from_school=from_school, to_school=to_school, moved_on=moved_on,
            destination=note.strip(), recorded_by=by)
        Pupil.objects.filter(pk=pupil.pk).update(school=to_school, left_on=None)
        contract_grounds_moved(pupil_id=pupil.pk, school=to_school)
        came = "Joined again after leaving" if rejoined else "Moved from"
        timeline_record(
            pupil=pupil, actor=by, kind=TimelineEvent.Kind.PUPIL_MOVED,
            summary=f"{came} {_where(from_school)} to {_where(to_school)} on "
                    f"{moved_on:%-d %B %Y}" + (f": {move.destination}" if move.destination else ""),
            details={"move": move.pk, "from_school": from_school.pk, "to_school": to_school.pk,
                     "moved_on": moved_on.isoformat(), "rejoined": rejoined},
        )
    return move


def pupil_leave(
    *, pupil: Pupil, left_on: date, by, left_for: str, destination: str = "",
) -> PupilMove:
    """Record that the pupil left their school for none on Pact. The case file stays with the
    school, and its retention clock starts from this day."""
    require_recorder(by, pupil.school)
    with transaction.atomic():
        pupil = _locked(pupil)
        errors = _check(leave_verdict(pupil=pupil), pupil, left_on, "left_on")
        if errors:
            raise ValidationError(errors)
        move = PupilMove.objects.create(
            pupil=pupil, from_school=pupil.school, to_school=None, moved_on=left_on,
            left_for=left_for, destination=destination.strip(), recorded_by=by)
        Pupil.objects.filter(pk=pupil.pk).update(left_on=left_on)
        words = LeftFor(left_for).label.lower() + (f": {move.destination}"
                                                   if move.destination else "")
        timeline_record(
            pupil=pupil, actor=by, kind=TimelineEvent.Kind.PUPIL_LEFT,
            summary=f"Left {_where(pupil.school)} on {left_on:%-d %B %Y} for {words}",
            details={"move": move.pk, "from_school": pupil.school_id,
                     "left_on": left_on.isoformat(), "left_for": left_for},
        )
    return move
