"""Every change to the case file. Each service checks the actor may act and the rules allow
it, writes inside one transaction, and records a timeline event in the same transaction."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from . import rules, selectors
from .grounds import contract_grounds_refresh
from .identifiers import check_upn
from .models import (
    CONDUCT_DEADLINES,
    LAPSING_DEADLINES,
    Agency,
    AgencyInvolvement,
    Deadline,
    DeadlineKind,
    Document,
    DocumentCategory,
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    MeetingAction,
    MultiAgencyMeeting,
    ParentCarer,
    Pupil,
    PupilParent,
    School,
    TimelineEvent,
)
from .uploads import accept_upload, sha256_of

Kind = TimelineEvent.Kind


def require_recorder(actor, school: School) -> None:
    if not selectors.user_may_record_for(actor, school=school):
        raise PermissionDenied("Your role can read this case but not record on it.")


def timeline_record(
    *, pupil: Pupil, actor, kind: str, summary: str, details: dict | None = None
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        pupil=pupil, actor=actor, kind=kind, summary=summary, details=details or {}
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def pupil_create(
    *,
    actor,
    school: School,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    upn: str,
    looked_after: bool = False,
    sen_status: str = "none",
    social_worker: str = "",
) -> Pupil:
    require_recorder(actor, school)
    upn = upn.strip().upper()
    upn_check = check_upn(upn)
    if not upn_check.valid:
        raise ValidationError({"upn": upn_check.reason})
    with transaction.atomic():
        if Pupil.objects.filter(upn=upn).exists():
            raise ValidationError({"upn": "A pupil with this UPN is already recorded."})
        pupil = Pupil.objects.create(
            school=school,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            date_of_birth=date_of_birth,
            upn=upn,
            looked_after=looked_after,
            sen_status=sen_status,
            social_worker=social_worker.strip(),
        )
        timeline_record(
            pupil=pupil,
            actor=actor,
            kind=Kind.PUPIL_ADDED,
            summary=f"Added to Pact at {school.name}",
            details={"upn": upn, "temporary_upn": upn_check.temporary, "school": school.pk},
        )
    return pupil


def parent_add(
    *,
    actor,
    pupil: Pupil,
    relationship: str,
    parental_responsibility: bool,
    has_care: bool,
    first_name: str,
    last_name: str,
    title: str = "",
    address: str = "",
    postcode: str = "",
    email: str = "",
    phone: str = "",
    preferred_language: str = "en",
    other_language: str = "",
) -> PupilParent:
    require_recorder(actor, pupil.school)
    verdict = rules.parent_definition(
        relationship=relationship,
        parental_responsibility=parental_responsibility,
        has_care=has_care,
    )
    if not verdict:
        raise ValidationError({"relationship": list(verdict.reasons)})
    with transaction.atomic():
        parent = ParentCarer.objects.create(
            title=title.strip(),
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            address=address.strip(),
            postcode=postcode.strip().upper(),
            email=email.strip(),
            phone=phone.strip(),
            preferred_language=preferred_language,
            other_language=other_language.strip(),
        )
        link = PupilParent.objects.create(
            pupil=pupil,
            parent=parent,
            relationship=relationship,
            parental_responsibility=parental_responsibility,
            has_care=has_care,
        )
        timeline_record(
            pupil=pupil,
            actor=actor,
            kind=Kind.PARENT_LINKED,
            summary=f"{parent.full_name} added as {link.get_relationship_display().lower()}",
            details={
                "parent": parent.pk,
                "relationship": relationship,
                "parental_responsibility": parental_responsibility,
                "has_care": has_care,
                "why_a_parent": list(verdict.reasons),
            },
        )
    return link


@dataclass
class ExclusionRecorded:
    exclusion: Exclusion
    warnings: list[str] = field(default_factory=list)


def suspension_days_in_academic_year(*, pupil: Pupil, day: date) -> Decimal:
    start = rules.academic_year_start(day)
    total = (
        pupil.exclusions.exclude(kind=ExclusionKind.PERMANENT)
        .filter(start_date__gte=start, start_date__lt=start.replace(year=start.year + 1))
        .aggregate(total=Sum("school_days"))["total"]
    )
    return total or Decimal(0)


def exclusion_record(
    *,
    actor,
    pupil: Pupil,
    kind: str,
    start_date: date,
    school_days: Decimal | None,
    reasons: list[ExclusionReason],
    serious_misbehaviour: bool = False,
    statutory_process_ended_on: date | None = None,
) -> ExclusionRecorded:
    require_recorder(actor, pupil.school)
    errors: dict[str, list[str]] = {}
    if not 1 <= len(reasons) <= 3:
        errors["reasons"] = ["Select between one and three reasons"]
    stale = [r.code for r in reasons if not r.in_use_on(start_date)]
    if stale:
        errors.setdefault("reasons", []).append(
            f"Reason {', '.join(stale)} was not in use on {start_date:%-d %B %Y}"
        )
    if kind == ExclusionKind.PERMANENT:
        school_days = None
    elif school_days is None or school_days <= 0:
        errors["school_days"] = ["Enter the length of the suspension in school days"]
    if statutory_process_ended_on:
        problem = rules.statutory_process_end_problem(
            exclusion_started_on=start_date, ended_on=statutory_process_ended_on,
            today=timezone.localdate(),
        )
        if problem:
            errors["statutory_process_ended_on"] = [problem]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the pupil so two entries at once cannot both miss the 45-day warning.
        Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
        exclusion = Exclusion.objects.create(
            pupil=pupil,
            school=pupil.school,
            kind=kind,
            start_date=start_date,
            school_days=school_days,
            serious_misbehaviour=serious_misbehaviour,
            statutory_process_ended_on=statutory_process_ended_on,
            recorded_by=actor,
        )
        exclusion.reasons.set(reasons)
        contract_grounds_refresh([pupil.pk])
        warnings: list[str] = []
        if kind != ExclusionKind.PERMANENT:
            cap = rules.suspension_cap(
                days_in_year=suspension_days_in_academic_year(pupil=pupil, day=start_date),
                year_of=start_date,
            )
            if not cap:
                warnings.extend(cap.reasons)
        case_changed(pupil=pupil, actor=actor)
        length = "" if school_days is None else f", {school_days.normalize():f} school days"
        timeline_record(
            pupil=pupil,
            actor=actor,
            kind=Kind.EXCLUSION_RECORDED,
            summary=f"{exclusion.get_kind_display()} from {start_date:%-d %B %Y}{length}",
            details={
                "exclusion": exclusion.pk,
                "kind": kind,
                "start_date": _day(start_date),
                "school_days": None if school_days is None else str(school_days),
                "reasons": [r.code for r in reasons],
                "serious_misbehaviour": serious_misbehaviour,
                "statutory_process_ended_on": _day(statutory_process_ended_on),
                "warnings": warnings,
            },
        )
    return ExclusionRecorded(exclusion=exclusion, warnings=warnings)


def exclusion_process_ended(*, actor, exclusion: Exclusion, ended_on: date) -> Exclusion:
    """Record the day the statutory exclusion process ended (governing board review done, the
    time for an independent review passed, or the panel decided). Set once: a parenting order
    can only be applied for after it (Bedfordshire protocol §13), so it is never silently moved."""
    require_recorder(actor, exclusion.pupil.school)
    problem = rules.statutory_process_end_problem(
        exclusion_started_on=exclusion.start_date, ended_on=ended_on,
        today=timezone.localdate(),
    )
    if problem:
        raise ValidationError({"ended_on": problem})
    with transaction.atomic():
        updated = Exclusion.objects.filter(
            pk=exclusion.pk, statutory_process_ended_on__isnull=True
        ).update(statutory_process_ended_on=ended_on)
        if not updated:
            raise ValidationError("The end of the statutory process is already recorded for "
                                  "this exclusion.")
        exclusion.statutory_process_ended_on = ended_on
        timeline_record(
            pupil=exclusion.pupil, actor=actor, kind=Kind.EXCLUSION_RECORDED,
            summary=f"Statutory process for the {exclusion.get_kind_display().lower()} of "
            f"{exclusion.start_date:%-d %B %Y} ended on {ended_on:%-d %B %Y}",
            details={"exclusion": exclusion.pk, "statutory_process_ended_on": _day(ended_on)},
        )
    return exclusion


def exclusion_in_error(*, actor, exclusion: Exclusion, reason: str) -> Exclusion:
    """Mark an exclusion as recorded in error. Nothing is deleted: the row keeps what was
    recorded, and the case page lists it with who corrected it, when and why; from now on no
    rule, count or letter reads it, and the pupil's grounds are worked out again without it."""
    pupil = exclusion.pupil
    require_recorder(actor, pupil.school)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the exclusion was recorded in error"})
    with transaction.atomic():
        Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
        marked = Exclusion.objects.filter(pk=exclusion.pk).update(
            in_error_at=timezone.now(), in_error_by=actor, in_error_reason=reason)
        if not marked:
            raise ValidationError("This exclusion is already marked as recorded in error.")
        contract_grounds_refresh([pupil.pk])
        case_changed(pupil=pupil, actor=actor)
        timeline_record(
            pupil=pupil, actor=actor, kind=Kind.EXCLUSION_IN_ERROR,
            summary=f"{exclusion.get_kind_display()} from {exclusion.start_date:%-d %B %Y} "
                    f"marked as recorded in error: {reason}",
            details={"exclusion": exclusion.pk, "reason": reason},
        )
    return Exclusion.every.get(pk=exclusion.pk)


def agency_involvement_record(
    *,
    actor,
    pupil: Pupil,
    agency: Agency,
    key_worker: str,
    started_on: date,
    ended_on: date | None = None,
    key_worker_contact: str = "",
    consent_to_share: bool = False,
    consent_recorded_on: date | None = None,
) -> AgencyInvolvement:
    require_recorder(actor, pupil.school)
    errors: dict[str, str] = {}
    if agency.local_authority_id != pupil.school.local_authority_id:
        errors["agency"] = "Select an agency that works in this pupil's local authority"
    if ended_on and ended_on < started_on:
        errors["ended_on"] = "The end date must be the same as or after the start date"
    if consent_to_share and not consent_recorded_on:
        errors["consent_recorded_on"] = "Enter the date consent to share was given"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        involvement = AgencyInvolvement.objects.create(
            pupil=pupil,
            agency=agency,
            key_worker=key_worker.strip(),
            key_worker_contact=key_worker_contact.strip(),
            started_on=started_on,
            ended_on=ended_on,
            consent_to_share=consent_to_share,
            consent_recorded_on=consent_recorded_on if consent_to_share else None,
            recorded_by=actor,
        )
        timeline_record(
            pupil=pupil,
            actor=actor,
            kind=Kind.AGENCY_INVOLVEMENT_RECORDED,
            summary=f"{agency.name} involved from {started_on:%-d %B %Y}, "
            f"key worker {involvement.key_worker}",
            details={
                "involvement": involvement.pk,
                "agency": agency.pk,
                "started_on": _day(started_on),
                "ended_on": _day(ended_on),
                "consent_to_share": consent_to_share,
            },
        )
    return involvement


@dataclass(frozen=True)
class ActionPlan:
    description: str
    owner: str
    due_on: date


def meeting_record(
    *,
    actor,
    pupil: Pupil,
    held_on: date,
    purpose: str,
    attendees: str,
    agencies: list[Agency],
    decisions: str,
    actions: list[ActionPlan],
    la_represented: bool = False,
    recommends_parenting_order: bool = False,
) -> MultiAgencyMeeting:
    require_recorder(actor, pupil.school)
    foreign = [a.name for a in agencies if a.local_authority_id != pupil.school.local_authority_id]
    if foreign:
        raise ValidationError({"agencies": f"{', '.join(foreign)} does not work in this LA"})
    with transaction.atomic():
        meeting = MultiAgencyMeeting.objects.create(
            pupil=pupil,
            held_on=held_on,
            purpose=purpose.strip(),
            attendees=attendees.strip(),
            decisions=decisions.strip(),
            la_represented=la_represented,
            recommends_parenting_order=recommends_parenting_order,
            recorded_by=actor,
        )
        meeting.agencies.set(agencies)
        MeetingAction.objects.bulk_create(
            MeetingAction(
                meeting=meeting, description=a.description, owner=a.owner, due_on=a.due_on
            )
            for a in actions
        )
        timeline_record(
            pupil=pupil,
            actor=actor,
            kind=Kind.MEETING_RECORDED,
            summary=f"Multi-agency meeting on {held_on:%-d %B %Y}: {meeting.purpose}",
            details={
                "meeting": meeting.pk,
                "held_on": _day(held_on),
                "agencies": [a.pk for a in agencies],
                "la_represented": la_represented,
                "recommends_parenting_order": recommends_parenting_order,
                "actions": [
                    {"description": a.description, "owner": a.owner, "due_on": _day(a.due_on)}
                    for a in actions
                ],
            },
        )
    return meeting


def document_upload(
    *,
    actor,
    pupil: Pupil,
    title: str,
    upload: UploadedFile,
    category: str = DocumentCategory.OTHER,
) -> Document:
    require_recorder(actor, pupil.school)
    accepted = accept_upload(upload)
    document_type, sha256, original_name = (accepted.document_type, accepted.sha256,
                                             accepted.original_name)
    with transaction.atomic():
        document = Document(
            pupil=pupil,
            title=title.strip(),
            category=category,
            original_name=original_name,
            content_type=document_type.content_type,
            size=upload.size,
            sha256=sha256,
            uploaded_by=actor,
        )
        document.file.save(upload.name, upload, save=False)
        try:
            document.save()
            timeline_record(
                pupil=pupil,
                actor=actor,
                kind=Kind.DOCUMENT_UPLOADED,
                summary=f"Document uploaded: {document.title}",
                details={
                    "document": document.pk,
                    "original_name": original_name,
                    "category": category,
                    "content_type": document_type.content_type,
                    "size": upload.size,
                    "sha256": sha256,
                },
            )
        except Exception:
            # Nothing was recorded, so the file written above must not stay behind.
            document.file.delete(save=False)
            raise
    return document


def document_verify(*, document_id: int) -> bool:
    """Re-hash a stored evidence file; a mismatch or a missing file goes on the timeline."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update().select_related("pupil").get(pk=document_id)
        )
        try:
            with document.file.open("rb") as stored:
                ok = sha256_of(stored) == document.sha256
        except FileNotFoundError:
            ok = False
        was_ok = document.integrity_ok
        document.integrity_ok = ok
        document.integrity_checked_at = timezone.now()
        document.save(update_fields=["integrity_ok", "integrity_checked_at"])
        if not ok and was_ok is not False:
            timeline_record(
                pupil=document.pupil,
                actor=None,
                kind=Kind.DOCUMENT_INTEGRITY_FAILED,
                summary=f"Stored copy of “{document.title}” no longer matches its SHA-256",
                details={"document": document.pk, "sha256": document.sha256},
            )
    return ok


# --- deadlines ---------------------------------------------------------------------------

def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def deadline_open(
    *,
    pupil: Pupil,
    kind: str,
    due_at: datetime,
    started_by: str,
    actor,
    all_day: bool = True,
    subject: str = "",
    school: School | None = None,
) -> Deadline:
    """Open a clock on the pupil's case. It is kept by the school of the record it runs for
    (`school`, where that record can stay behind when the pupil moves: an order case, a
    conduct record), else by the pupil's school."""
    label = DeadlineKind(kind).label
    when = f"{due_at:%-d %B %Y}" if all_day else f"{timezone.localtime(due_at):%-d %B %Y, %H:%M}"
    with transaction.atomic():
        # A conduct record's clocks are on its own record, which few may read, not on the
        # pupil's timeline, which everyone on the case reads.
        event = None if kind in CONDUCT_DEADLINES else timeline_record(
            pupil=pupil, actor=actor, kind=Kind.DEADLINE_OPENED,
            summary=f"{label}: by {when}",
            details={"kind": kind, "due_at": due_at.isoformat(), "started_by": started_by},
        )
        return Deadline.objects.create(
            kind=kind, school=school or pupil.school, pupil=pupil, subject=subject, due_at=due_at,
            all_day=all_day, started_by=started_by, opened_by_event=event,
        )


def deadline_close(*, deadline: Deadline, status: str, actor, reason: str) -> bool:
    """Close an open deadline as met, missed or cancelled. Closing one that is already closed
    changes nothing and returns False, so two workers cannot both close it."""
    if status == Deadline.Status.OPEN:
        raise ValueError("A deadline is closed as met, missed or cancelled.")
    with transaction.atomic():
        closed = Deadline.objects.filter(pk=deadline.pk, status=Deadline.Status.OPEN).update(
            status=status, closed_at=timezone.now(), closed_reason=reason
        )
        if closed and deadline.pupil_id and deadline.kind not in CONDUCT_DEADLINES:
            timeline_record(
                pupil=deadline.pupil, actor=actor, kind=Kind.DEADLINE_CLOSED,
                summary=f"{deadline.get_kind_display()}: {Deadline.Status(status).label.lower()}"
                f" — {reason}",
                details={"deadline": deadline.pk, "status": status, "reason": reason},
            )
    return bool(closed)


def case_changed(*, pupil: Pupil, actor) -> None:
    """Something the rules of other measures read has changed on the case (an exclusion
    recorded, a contract signed or ended): each app that keeps a clock from it is told, in the
    same transaction, by its AppConfig's `case_changed(pupil, actor)`. The case file knows
    nothing of those clocks; it only says that it changed."""
    for config in apps.get_app_configs():
        changed = getattr(config, "case_changed", None)
        if changed is not None:
            changed(pupil=pupil, actor=actor)


def deadlines_lapse(*, now: datetime) -> int:
    """Mark missed every window that closed without being met. Safe to run twice at once."""
    lapsed = 0
    due = Deadline.objects.filter(
        status=Deadline.Status.OPEN, kind__in=LAPSING_DEADLINES, due_at__lt=now
    ).select_related("pupil")
    for deadline in due:
        lapsed += deadline_close(
            deadline=deadline, status=Deadline.Status.MISSED, actor=None,
            reason=f"closed on {timezone.localtime(deadline.due_at):%-d %B %Y} without being met",
        )
    return lapsed
