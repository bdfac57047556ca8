"""Every change to a conduct record: permission and the rule checked on the record as the
database holds it (locked for the step, so two people acting at once take turns and the second
is told what changed), one transaction, an entry in the record's own history, and the step's
letter and clocks. Conduct letters and clocks never reach the pupil's timeline."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Deadline, DeadlineKind, ParentCarer, Pupil
from cases.policies import policy_for
from cases.rules import ban_review_due, day
from cases.uploads import accept_upload
from cases.workdays import add_months
from letters import services as letter_services
from letters.models import IssuedLetter, LetterKind

from . import rules, selectors
from .models import (
    Category,
    ConductEvent,
    ConductRecord,
    ConductStep,
    Evidence,
    Incident,
    Stage,
    StepKind,
)

MAX_EVIDENCE_FILES = 10


def _event(record: ConductRecord, actor, summary: str, **details) -> ConductEvent:
    return ConductEvent.objects.create(record=record, actor=actor, summary=summary,
                                       details={"stage": record.stage, **details})


def _locked(record: ConductRecord) -> ConductRecord:
    """The record as the database holds it now, locked until the step's transaction ends."""
    return (ConductRecord.objects.select_for_update(of=("self",))
            .select_related("school__local_authority", "pupil__school__local_authority",
                            "parent")
            .get(pk=record.pk))


def _require(record: ConductRecord, step: str, *, actor, today: date | None = None
             ) -> rules.ConductFacts:
    facts = selectors.facts_of(record, user=actor, today=today or timezone.localdate())
    if step == "chair":
        if not (facts.actor.records or facts.actor.chair):
            raise PermissionDenied(rules.CHAIR_ROLE_REASON)
    elif not facts.actor.records:
        raise PermissionDenied(rules.ROLE_REASON)
    verdict = rules.actions(facts)[step]
    if not verdict:
        raise ValidationError(list(verdict.reasons))
    return facts


def _letter(record: ConductRecord, actor, *, kind: str, facts: dict, method: str
            ) -> IssuedLetter:
    """The step's letter to the adult: to the parent as Pact knows them, or to the adult as the
    record names them."""
    addressee = record.addressee
    return letter_services.letter_issue(actor=actor, issued_from="conduct", draft=(
        letter_services.Draft(
            pupil=record.pupil, kind=kind, recipients=[addressee], method=method, facts=facts,
            language=letter_services.language_for(record.pupil, [addressee]))))


def _step(record: ConductRecord, actor, kind: str, *, on: date, incident=None, letter=None,
          reasons: str = "", **details) -> ConductStep:
    reply_by = letter.facts.get("reply_by") if letter else None
    return ConductStep.objects.create(
        record=record, kind=kind, taken_on=on, taken_by=actor, incident=incident, letter=letter,
        reasons=reasons.strip(), details=details,
        reply_by=date.fromisoformat(reply_by) if reply_by else None)


def _open_clock(record: ConductRecord, actor, *, kind: str, due_on: date, started_by: str,
                subject: str = "") -> Deadline:
    """A record runs one clock of each kind: a new one (a new review date, say) replaces the
    one running."""
    subject = subject or f"conduct:{record.pk}"
    _close_clock(record, actor, kind=kind, status=Deadline.Status.CANCELLED,
                 reason=f"replaced: {started_by}", subject=subject)
    return case_services.deadline_open(
        pupil=record.pupil, kind=kind, actor=actor, due_at=case_services.end_of_day(due_on),
        started_by=started_by, subject=subject, school=record.school)


def _supersede_conditions(record: ConductRecord, actor, *, by: str) -> None:
    """New conditions, or a ban, end the clocks of the conditions they replace."""
    for kind in (DeadlineKind.BOARD_REVIEW, DeadlineKind.SANCTION_REVIEW):
        _close_clock(record, actor, kind=kind, status=Deadline.Status.CANCELLED, reason=by)


def _close_clock(record: ConductRecord, actor, *, kind: str, status: str, reason: str,
                 subject: str = "") -> None:
    current = Deadline.objects.filter(kind=kind, subject=subject or f"conduct:{record.pk}",
                                      status=Deadline.Status.OPEN).first()
    if current:
        case_services.deadline_close(deadline=current, status=status, actor=actor,
                                     reason=reason)


def _in_past(value: date, field: str, what: str, *, today: date) -> None:
    if value > today:
        raise ValidationError({field: f"{what} cannot be in the future"})


# --- incidents ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewAdult:
    """An adult who is not a parent or carer on Pact (a partner, a relative)."""

    title: str
    first_name: str
    last_name: str
    connection: str
    address: str
    postcode: str


def incident_record(*, actor, pupil: Pupil, occurred_at: datetime, place: str, channel: str,
                    categories: list[str], description: str, affected: list[str],
                    effect: str = "", witnesses: str = "", police_contacted: bool = False,
                    police_reference: str = "", safeguarding_referral: bool = False,
                    staff_support: str = "", parents: list[ParentCarer] = (),
                    records: list[ConductRecord] = (), new_adult: NewAdult | None = None,
                    files: list[tuple[str, UploadedFile]] = ()) -> Incident:
    """An incident, with every adult it involved: each gets a conduct record at the school if
    they have none. Every file is checked before anything is kept."""
    school = pupil.school
    if not selectors.user_records_conduct_at(actor, school.pk):
        raise PermissionDenied(rules.ROLE_REASON)
    errors: dict[str, str] = {}
    linked = set(pupil.parent_links.values_list("parent_id", flat=True))
    if any(p.pk not in linked for p in parents):
        errors["parents"] = "Select the pupil's own parents and carers"
    if any(r.pupil_id != pupil.pk for r in records):
        errors["records"] = "Select adults connected with this pupil"
    if not (parents or records or new_adult):
        errors["parents"] = "Select who was involved, or enter the details of someone else"
    if occurred_at > timezone.now():
        errors["occurred_on"] = "The incident cannot be in the future"
    if not categories or any(c not in Category.values for c in categories):
        errors["categories"] = "Select what the conduct was"
    if not description.strip():
        errors["description"] = "Enter what happened"
    if police_reference.strip() and not police_contacted:
        errors["police_reference"] = "A police reference goes with contacting the police"
    if len(files) > MAX_EVIDENCE_FILES:
        errors["files"] = f"Upload up to {MAX_EVIDENCE_FILES} files at a time"
    if errors:
        raise ValidationError(errors)
    accepted = []
    for title, upload in files:
        try:
            accepted.append((title, upload, accept_upload(upload)))
        except ValidationError as refused:
            raise ValidationError({"files": f"{upload.name}: {refused.message_dict['file'][0]}"}
                                  ) from refused
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            # Two incidents about one parent at once must not make two records for them.
            Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
            involved = list(records)
            for parent in parents:
                record, _ = ConductRecord.objects.get_or_create(
                    school=school, parent=parent,
                    defaults={"pupil": pupil, "created_by": actor})
                involved.append(record)
            if new_adult is not None:
                involved.append(ConductRecord.objects.create(
                    school=school, pupil=pupil, created_by=actor, title=new_adult.title.strip(),
                    first_name=new_adult.first_name.strip(),
                    last_name=new_adult.last_name.strip(),
                    connection=new_adult.connection.strip(),
                    own_address=new_adult.address.strip(),
                    own_postcode=new_adult.postcode.strip().upper()))
            incident = Incident.objects.create(
                school=school, occurred_at=occurred_at, place=place, channel=channel,
                categories=categories, description=description.strip(), affected=affected,
                effect=effect.strip(), witnesses=witnesses.strip(),
                police_contacted=police_contacted, police_reference=police_reference.strip(),
                safeguarding_referral=safeguarding_referral, staff_support=staff_support.strip(),
                recorded_by=actor)
            incident.adults.set({r.pk: r for r in involved}.values())
            for title, upload, checked in accepted:
                evidence = Evidence(
                    incident=incident, title=(title or checked.original_name).strip()[:200],
                    original_name=checked.original_name,
                    content_type=checked.document_type.content_type, size=upload.size,
                    sha256=checked.sha256, uploaded_by=actor)
                evidence.file.save(upload.name, upload, save=False)
                stored.append(evidence)
                evidence.save()
            what = "; ".join(incident.category_labels).lower()
            for record in {r.pk: r for r in involved}.values():
                _event(record, actor, f"Incident on {occurred_at:%-d %B %Y} recorded: {what}",
                       incident=incident.pk, evidence=[e.pk for e in stored])
    except Exception:
        # Nothing was kept, so no file written above may stay behind.
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return incident


# --- letters on the ladder ---------------------------------------------------------------------

def _incident_facts(incident: Incident, summary: str) -> dict:
    return {"incident_on": timezone.localtime(incident.occurred_at).date(),
            "incident": summary.strip()}


def _check_incident(record: ConductRecord, incident: Incident) -> None:
    if not record.incidents.filter(pk=incident.pk).exists():
        raise ValidationError({"incident": "Select one of this adult's incidents"})


def _letter_step(record: ConductRecord, actor, *, step: str, kind: str, letter_kind: str,
                 incident: Incident, summary: str, method: str, transition,
                 facts: dict | None = None, then=None, **details) -> ConductStep:
    """A step whose letter the parent may reply to in 10 working days: the transition, the
    letter, the step, the reply clock and the history, in one transaction (`then` adds what
    else the step starts)."""
    with transaction.atomic():
        record = _locked(record)
        _require(record, step, actor=actor)
        _check_incident(record, incident)
        transition(record)
        record.save()
        letter = _letter(record, actor, kind=letter_kind, method=method,
                         facts={**_incident_facts(incident, summary), **(facts or {})})
        taken = _step(record, actor, kind, on=timezone.localdate(), incident=incident,
                      letter=letter, **details)
        _open_clock(record, actor, kind=DeadlineKind.PARENT_REPLY, due_on=taken.reply_by,
                    started_by=f"{letter.get_kind_display()} dated "
                               f"{taken.taken_on:%-d %B %Y}",
                    subject=f"conduct:{record.pk}:reply:{taken.pk}")
        _event(record, actor, f"{StepKind(kind).label} sent by "
                              f"{letter.get_method_display().lower()}; reply by "
                              f"{taken.reply_by:%-d %B %Y}",
               step=taken.pk, letter=letter.pk, sha256=letter.sha256)
        if then is not None:
            then(record, taken)
    return taken


def reminder_send(*, actor, record: ConductRecord, incident: Incident, summary: str,
                  method: str) -> ConductStep:
    return _letter_step(record, actor, step="reminder", kind=StepKind.REMINDER,
                        letter_kind=LetterKind.CONDUCT_REMINDER, incident=incident,
                        summary=summary, method=method, transition=ConductRecord.remind)


def warning_send(*, actor, record: ConductRecord, incident: Incident, summary: str,
                 method: str) -> ConductStep:
    return _letter_step(record, actor, step="warning", kind=StepKind.WARNING,
                        letter_kind=LetterKind.CONDUCT_WARNING, incident=incident,
                        summary=summary, method=method, transition=ConductRecord.warn)


def conditions_set(*, actor, record: ConductRecord, incident: Incident, summary: str,
                   conditions: list[dict], board_review_on: date, method: str) -> ConductStep:
    """Conditions, provisional until the governing board reviews them at the meeting named."""
    today = timezone.localdate()
    if not conditions:
        raise ValidationError({"conditions": "Select or enter at least one condition"})
    if board_review_on <= today:
        raise ValidationError({"board_review_on": "Enter the date of the governing board's "
                                                  "meeting that will review them: after today"})

    def impose(locked: ConductRecord) -> None:
        _supersede_conditions(locked, actor, by="new conditions set")
        locked.impose_conditions(conditions=conditions, board_review_on=board_review_on)

    def board_clock(locked: ConductRecord, taken: ConductStep) -> None:
        _open_clock(locked, actor, kind=DeadlineKind.BOARD_REVIEW, due_on=board_review_on,
                    started_by=f"Conditions set on {taken.taken_on:%-d %B %Y}")

    return _letter_step(record, actor, step="conditions", kind=StepKind.CONDITIONS,
                        letter_kind=LetterKind.CONDUCT_CONDITIONS, incident=incident,
                        summary=summary, method=method, transition=impose, then=board_clock,
                        facts={"conditions": "\n".join(c["parent"] for c in conditions)},
                        conditions=conditions, board_review_on=board_review_on.isoformat())


def _review_letter(record: ConductRecord, actor, *, reviewed_on: date, outcome: str,
                   reasons: str, next_review_on: date | None, method: str) -> IssuedLetter:
    return _letter(record, actor, kind=LetterKind.CONDUCT_REVIEW_OUTCOME, method=method,
                   facts={"reviewed_on": reviewed_on, "outcome": outcome, "reasons": reasons,
                          "next_review_on": next_review_on})


def _review_by(record: ConductRecord, on: date, next_review_on: date | None, *, months: int
               ) -> date:
    latest = add_months(on, months)
    if next_review_on is None or not on < next_review_on <= latest:
        raise ValidationError({"next_review_on": f"Enter the next review date: after "
                                                 f"{day(on)} and by {day(latest)} "
                                                 f"({months} months)"})
    return next_review_on


def board_decision(*, actor, record: ConductRecord, held_on: date, confirm: bool, reasons: str,
                   next_review_on: date | None, method: str) -> ConductStep:
    """The governing board (or management committee) confirms provisional conditions, with a
    review date, or withdraws them; the parent is told either way."""
    today = timezone.localdate()
    _in_past(held_on, "held_on", "The board's meeting", today=today)
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter the board's reasons"})
    with transaction.atomic():
        record = _locked(record)
        _require(record, "board", actor=actor)
        policy = policy_for(record.school.local_authority)
        if confirm:
            review = _review_by(record, held_on, next_review_on,
                                months=policy.conditions_review_months)
            record.confirm_conditions(next_review_on=review)
            outcome = "The governing body confirmed the conditions on your contact with the " \
                      "school."
        else:
            review = None
            record.withdraw_conditions(on=held_on)
            outcome = "The governing body withdrew the conditions on your contact with the " \
                      "school. They no longer apply."
        record.save()
        _close_clock(record, actor, kind=DeadlineKind.BOARD_REVIEW, status=Deadline.Status.MET,
                     reason="the governing board reviewed the conditions")
        if review:
            _open_clock(record, actor, kind=DeadlineKind.SANCTION_REVIEW, due_on=review,
                        started_by=f"Conditions confirmed on {held_on:%-d %B %Y}")
        letter = _review_letter(record, actor, reviewed_on=held_on, outcome=outcome,
                                reasons=reasons, next_review_on=review, method=method)
        taken = _step(record, actor, StepKind.BOARD, on=held_on, letter=letter,
                      reasons=reasons, confirmed=confirm,
                      next_review_on=review.isoformat() if review else None)
        _event(record, actor, ("Conditions confirmed by the governing board on "
                               f"{held_on:%-d %B %Y}; next review by {review:%-d %B %Y}")
               if confirm else f"Conditions withdrawn by the governing board on "
                               f"{held_on:%-d %B %Y}", step=taken.pk, letter=letter.pk)
    return taken


# --- a ban ---------------------------------------------------------------------------------------

def ban_propose(*, actor, record: ConductRecord, incident: Incident, reasons: str
                ) -> ConductStep:
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter why a ban is needed"})
    today = timezone.localdate()
    with transaction.atomic():
        record = _locked(record)
        _require(record, "propose_ban", actor=actor)
        _check_incident(record, incident)
        record.propose_ban(on=today, reasons=reasons.strip())
        record.save()
        taken = _step(record, actor, StepKind.BAN_PROPOSED, on=today, incident=incident,
                      reasons=reasons)
        _event(record, actor, f"Ban proposed on {today:%-d %B %Y}: it needs the chair of "
                              "governors' agreement", step=taken.pk)
    return taken


def ban_proposal_withdraw(*, actor, record: ConductRecord, reasons: str) -> ConductStep:
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter why the proposal is withdrawn"})
    today = timezone.localdate()
    with transaction.atomic():
        record = _locked(record)
        _require(record, "withdraw_proposal", actor=actor)
        record.withdraw_ban_proposal()
        record.save()
        taken = _step(record, actor, StepKind.BAN_PROPOSAL_WITHDRAWN, on=today, reasons=reasons)
        _event(record, actor, f"Ban proposal withdrawn on {today:%-d %B %Y}", step=taken.pk)
    return taken


def chair_agreement_record(*, actor, record: ConductRecord, agreed_on: date, how: str,
                           chair_name: str = "") -> ConductStep:
    """The chair of governors' agreement to a ban: recorded by the chair, or for them by the
    headteacher or the LA designated officer, with how it was given."""
    today = timezone.localdate()
    _in_past(agreed_on, "agreed_on", "The chair's agreement", today=today)
    with transaction.atomic():
        record = _locked(record)
        facts = _require(record, "chair", actor=actor)
        name = (actor.get_full_name() or actor.username) if facts.actor.chair else \
            chair_name.strip()
        if not name:
            raise ValidationError({"chair_name": "Enter the name of the chair of governors"})
        since = record.banned_on if record.stage == Stage.BANNED else record.ban_proposed_on
        if since and agreed_on < since:
            raise ValidationError({"agreed_on": f"The chair agrees to the ban after it is "
                                                f"proposed, on {day(since)} or later"})
        record.chair_agreed_on, record.chair_name, record.chair_how = agreed_on, name, how.strip()
        record.revision += 1
        record.save(update_fields=["chair_agreed_on", "chair_name", "chair_how", "revision"])
        _close_clock(record, actor, kind=DeadlineKind.CHAIR_AGREEMENT,
                     status=Deadline.Status.MET, reason=f"{name} agreed")
        taken = _step(record, actor, StepKind.CHAIR, on=agreed_on, reasons=how,
                      chair=name, by_the_chair=facts.actor.chair)
        _event(record, actor, f"{name}, chair of governors, agreed to the ban on "
                              f"{agreed_on:%-d %B %Y}", step=taken.pk)
    return taken


def _earlier_letter(record: ConductRecord) -> date | None:
    warning = record.steps.filter(kind=StepKind.WARNING).order_by("-taken_on").first()
    return warning.taken_on if warning else None


def ban_confirm(*, actor, record: ConductRecord, summary: str, response: str, method: str
                ) -> ConductStep:
    """The ban, with the chair's agreement: the letter, and its review 6 months on."""
    today = timezone.localdate()
    with transaction.atomic():
        record = _locked(record)
        facts = _require(record, "confirm_ban", actor=actor)
        review = ban_review_due(policy=facts.policy, confirmed_on=today)
        record.ban(on=today, next_review_on=review)
        record.save()
        _supersede_conditions(record, actor, by="a ban replaced the conditions")
        letter = _letter(record, actor, kind=LetterKind.CONDUCT_BAN, method=method, facts={
            "first_letter_on": _earlier_letter(record), "incident": summary.strip(),
            "response": response.strip()})
        taken = _step(record, actor, StepKind.BAN, on=today, letter=letter,
                      reasons=record.ban_reasons, review_on=review.isoformat())
        _open_clock(record, actor, kind=DeadlineKind.SANCTION_REVIEW, due_on=review,
                    started_by=f"Ban confirmed on {today:%-d %B %Y}")
        _event(record, actor, f"Ban confirmed on {today:%-d %B %Y} with the agreement of "
                              f"{record.chair_name}; review by {review:%-d %B %Y}",
               step=taken.pk, letter=letter.pk, sha256=letter.sha256)
    return taken


def ban_at_once(*, actor, record: ConductRecord, incident: Incident, summary: str,
                reasons: str, method: str) -> ConductStep:
    """An emergency ban where safety demands action at once: recorded with its reasons, the
    chair of governors' agreement a clock, its review 6 months on."""
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter why the ban cannot wait for the chair of "
                                          "governors' agreement"})
    today = timezone.localdate()
    with transaction.atomic():
        record = _locked(record)
        facts = _require(record, "emergency_ban", actor=actor)
        _check_incident(record, incident)
        review = ban_review_due(policy=facts.policy, confirmed_on=today)
        record.ban_at_once(on=today, reasons=reasons.strip(), next_review_on=review)
        record.save()
        _supersede_conditions(record, actor, by="a ban replaced the conditions")
        letter = _letter(record, actor, kind=LetterKind.CONDUCT_BAN, method=method, facts={
            **_incident_facts(incident, summary), "first_letter_on": _earlier_letter(record),
            "emergency_reasons": reasons.strip()})
        taken = _step(record, actor, StepKind.EMERGENCY_BAN, on=today, incident=incident,
                      letter=letter, reasons=reasons, review_on=review.isoformat())
        chair_by = rules.chair_agreement_due(policy=facts.policy, banned_on=today,
                                             nation=facts.nation)
        _open_clock(record, actor, kind=DeadlineKind.CHAIR_AGREEMENT, due_on=chair_by,
                    started_by=f"Emergency ban on {today:%-d %B %Y}")
        _open_clock(record, actor, kind=DeadlineKind.SANCTION_REVIEW, due_on=review,
                    started_by=f"Emergency ban on {today:%-d %B %Y}")
        _event(record, actor, f"Emergency ban on {today:%-d %B %Y}: the chair of governors "
                              f"to agree by {chair_by:%-d %B %Y}; review by "
                              f"{review:%-d %B %Y}", step=taken.pk, letter=letter.pk)
    return taken


# --- reviews, replies, meetings ----------------------------------------------------------------

REVIEW_OUTCOMES = {
    "continue": "The restrictions continue.",
    "relax": "The ban is lifted and replaced by conditions on your contact with the school.",
    "lift": "The restrictions are lifted. They no longer apply.",
}


def review_record(*, actor, record: ConductRecord, reviewed_on: date, outcome: str,
                  reasons: str, next_review_on: date | None = None,
                  conditions: list[dict] = (), method: str) -> ConductStep:
    """A ban or confirmed conditions reviewed: they continue to a new review date, a ban is
    relaxed to conditions, or the restrictions are lifted. The parent is told."""
    today = timezone.localdate()
    _in_past(reviewed_on, "reviewed_on", "The review", today=today)
    if outcome not in REVIEW_OUTCOMES:
        raise ValidationError({"outcome": "Select the outcome of the review"})
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter the reasons for the decision"})
    with transaction.atomic():
        record = _locked(record)
        facts = _require(record, "review", actor=actor)
        months = (facts.policy.ban_review_months if record.stage == Stage.BANNED
                  and outcome == "continue" else facts.policy.conditions_review_months)
        review = None
        if outcome == "lift":
            record.lift(on=reviewed_on)
        else:
            review = _review_by(record, reviewed_on, next_review_on, months=months)
            if outcome == "relax":
                if record.stage != Stage.BANNED:
                    raise ValidationError({"outcome": "Only a ban is relaxed to conditions: "
                                                      "conditions continue or are lifted"})
                if not conditions:
                    raise ValidationError({"conditions": "Select or enter at least one "
                                                         "condition"})
                record.relax_to_conditions(conditions=list(conditions), next_review_on=review)
            else:
                record.continue_after_review(next_review_on=review)
        record.save()
        _close_clock(record, actor, kind=DeadlineKind.SANCTION_REVIEW,
                     status=Deadline.Status.MET, reason="reviewed")
        if outcome != "continue":
            # An emergency ban the chair had yet to agree to has ended with the review.
            _close_clock(record, actor, kind=DeadlineKind.CHAIR_AGREEMENT,
                         status=Deadline.Status.CANCELLED, reason="the ban ended at review")
        if review:
            _open_clock(record, actor, kind=DeadlineKind.SANCTION_REVIEW, due_on=review,
                        started_by=f"Reviewed on {reviewed_on:%-d %B %Y}")
        words = REVIEW_OUTCOMES[outcome]
        if outcome == "relax":
            words += "\n" + "\n".join(c["parent"] for c in conditions)
        letter = _review_letter(record, actor, reviewed_on=reviewed_on, outcome=words,
                                reasons=reasons, next_review_on=review, method=method)
        taken = _step(record, actor, StepKind.REVIEW, on=reviewed_on, letter=letter,
                      reasons=reasons, outcome=outcome,
                      next_review_on=review.isoformat() if review else None)
        _event(record, actor, f"Reviewed on {reviewed_on:%-d %B %Y}: "
                              f"{REVIEW_OUTCOMES[outcome].lower().rstrip('.')}"
                              + (f"; next review by {review:%-d %B %Y}" if review else ""),
               step=taken.pk, letter=letter.pk)
    return taken


def reply_record(*, actor, record: ConductRecord, step: ConductStep, replied_on: date,
                 reply: str, meeting_on: date | None = None, meeting_notes: str = ""
                 ) -> ConductStep:
    """The parent's written reply to a letter, and any meeting with a senior leader that
    followed: kept against the letter's step; the reply clock closes."""
    today = timezone.localdate()
    _in_past(replied_on, "replied_on", "The reply", today=today)
    if meeting_on:
        _in_past(meeting_on, "meeting_on", "The meeting", today=today)
    if not reply.strip():
        raise ValidationError({"reply": "Enter what the parent said, or a summary of it"})
    with transaction.atomic():
        record = _locked(record)
        _require(record, "reply", actor=actor)
        step = ConductStep.objects.select_for_update().filter(
            pk=step.pk, record=record, kind__in=selectors.LETTER_STEPS,
            letter__isnull=False, replied_on__isnull=True).first()
        if step is None:
            raise ValidationError({"step": "Select a letter of this record still waiting for "
                                           "a reply"})
        if replied_on < step.taken_on:
            raise ValidationError({"replied_on": f"The reply comes after the letter of "
                                                 f"{day(step.taken_on)}"})
        step.replied_on, step.reply = replied_on, reply.strip()
        step.meeting_on, step.meeting_notes = meeting_on, meeting_notes.strip()
        step.save(update_fields=["replied_on", "reply", "meeting_on", "meeting_notes"])
        on_time = step.reply_by is None or replied_on <= step.reply_by
        _close_clock(record, actor, kind=DeadlineKind.PARENT_REPLY,
                     status=Deadline.Status.MET if on_time else Deadline.Status.MISSED,
                     reason=f"reply received on {replied_on:%-d %B %Y}",
                     subject=f"conduct:{record.pk}:reply:{step.pk}")
        _event(record, actor, f"Reply to the {step.get_kind_display().lower()} of "
                              f"{step.taken_on:%-d %B %Y} received on {replied_on:%-d %B %Y}"
               + ("" if on_time else " (after the date given)")
               + (f"; met a senior leader on {meeting_on:%-d %B %Y}" if meeting_on else ""),
               step=step.pk)
    return step


def progress_meeting_record(*, actor, record: ConductRecord, asked_on: date,
                            held_on: date | None = None, notes: str = "") -> ConductStep:
    """A banned parent's request for their one progress meeting a year; a second within 12
    months is refused, with the date the next can be from."""
    today = timezone.localdate()
    _in_past(asked_on, "asked_on", "The request", today=today)
    if held_on and held_on < asked_on:
        raise ValidationError({"held_on": "The meeting comes after the request"})
    with transaction.atomic():
        record = _locked(record)
        _require(record, "progress_meeting", actor=actor, today=asked_on)
        taken = _step(record, actor, StepKind.PROGRESS_MEETING, on=asked_on, reasons=notes,
                      held_on=held_on.isoformat() if held_on else None)
        _event(record, actor, f"Progress meeting asked for on {asked_on:%-d %B %Y}"
               + (f", held on {held_on:%-d %B %Y}" if held_on else ""), step=taken.pk)
    return taken

