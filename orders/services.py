"""Every change to a parenting order case. Each service checks the actor's role and the rule
for the step (orders.rules), then in one transaction: transition, save (refused if another
request moved the case first), timeline event, letters and clocks."""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_fsm import ConcurrentTransition

from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import (
    Deadline,
    DeadlineKind,
    ParentCarer,
    Pupil,
    TimelineEvent,
)
from cases.policies import policy_for
from cases.rules import day, latest_grounds
from contracts.models import Contract
from contracts.models import State as ContractState
from letters import services as letter_services
from letters.models import LetterKind

from . import rules, selectors
from .models import (
    BEFORE_APPLICATION,
    OPEN,
    Attendance,
    EvidencePack,
    LegalPanel,
    Numbering,
    OrderBreach,
    OrderCase,
    OrderContact,
    OrderLetter,
    PanelDecision,
    PanelView,
    ParentingProgramme,
    ProgrammeChange,
    State,
)

Kind = TimelineEvent.Kind
CHANGED_ELSEWHERE = ("This case was changed by someone else while you were working on it. "
                     "Nothing you entered was saved: look at it again and repeat the step if "
                     "it is still needed.")


def _record(case: OrderCase, actor, kind: str, summary: str, **details) -> TimelineEvent:
    return case_services.timeline_record(
        pupil=case.pupil, actor=actor, kind=kind, summary=summary,
        details={"order": case.pk, "state": case.state, **details},
    )


def _require(case: OrderCase, step: str, *, actor, today: date | None = None
             ) -> rules.OrderFacts:
    """The step's rule, on the case as the database holds it. A role that never does the step
    is refused outright (403); anything else the rule names is a ValidationError."""
    facts = selectors.case_facts(case, user=actor, today=today or timezone.localdate())
    role = rules.role_check(step, facts.actor)
    if not role.met:
        raise PermissionDenied(role.text)
    verdict = rules.actions(facts)[step]
    if not verdict:
        raise ValidationError(list(verdict.reasons))
    return facts


def _save(case: OrderCase) -> None:
    case.revision += 1
    try:
        case.save()
    except ConcurrentTransition as clash:
        raise ValidationError(CHANGED_ELSEWHERE) from clash


def _clock(case: OrderCase, kind: str) -> Deadline | None:
    return Deadline.objects.filter(kind=kind, subject=f"order:{case.pk}",
                                   status=Deadline.Status.OPEN).first()


def _open_clock(case: OrderCase, actor, *, kind: str, due_at: datetime, started_by: str,
                all_day: bool = True) -> Deadline:
    return case_services.deadline_open(
        pupil=case.pupil, kind=kind, actor=actor, due_at=due_at, started_by=started_by,
        subject=f"order:{case.pk}", all_day=all_day, school=case.school)


def _close_clock(case: OrderCase, actor, *, kind: str, status: str, reason: str) -> None:
    current = _clock(case, kind)
    if current:
        case_services.deadline_close(deadline=current, status=status, actor=actor,
                                     reason=reason)


def _issue(case: OrderCase, actor, *, kind: str, facts: dict, method: str, step: str):
    letters = letter_services.letters_to_households(
        actor=actor, pupil=case.pupil, parents=list(case.parents.all()), kind=kind,
        facts=facts, method=method, issued_from="order")
    OrderLetter.objects.bulk_create(
        OrderLetter(order_case=case, letter=letter, step=step) for letter in letters)
    return letters[0]


# --- the application window --------------------------------------------------------------------

def window(case: OrderCase) -> tuple[date, str, str] | None:
    """When the application window closes for this case, what it runs from and the grounds
    (the order rule's anchor), or None without grounds."""
    pupil = case.pupil
    policy = policy_for(case.local_authority)
    grounds = latest_grounds(
        rules.order_candidates(policy=policy, exclusions=list(pupil.exclusions.all())),
        two_suspensions=policy.order_needs_two_suspensions,
        window_months=policy.suspension_window_months,
    )
    if grounds is None:
        return None
    anchor, anchor_text = rules.order_window_anchor(
        policy=policy, grounds_met_on=grounds.met_on,
        contract_signed_on=selectors.behaviour_contract_signed_on(pupil))
    return rules.order_window_closes(policy=policy, anchor=anchor), anchor_text, grounds.text


def order_window_refresh(*, case: OrderCase, actor) -> Deadline | None:
    """From the request until the application is made, the window is a running clock where
    the order rule puts it. A change to the case file (a later exclusion, a contract signed or
    ended) moves it; a case past the application stops it."""
    current = _clock(case, DeadlineKind.ORDER_WINDOW)
    if case.state not in BEFORE_APPLICATION:
        if current:
            met = case.state in {State.APPLIED, State.HEARING_LISTED}
            case_services.deadline_close(
                deadline=current, status=Deadline.Status.MET if met else
                Deadline.Status.CANCELLED, actor=actor,
                reason=f"application made on {day(case.applied_on)}" if met else
                f"the case is {case.get_state_display().lower()}")
        return None
    found = window(case)
    if found is None:
        if current:
            case_services.deadline_close(deadline=current, status=Deadline.Status.CANCELLED,
                                         actor=actor, reason="no grounds for an order now")
        return None
    closes, anchor_text, grounds_text = found
    due_at = case_services.end_of_day(closes)
    if current and current.due_at == due_at:
        return current
    if current:
        case_services.deadline_close(
            deadline=current, status=Deadline.Status.CANCELLED, actor=actor,
            reason=f"replaced: the window now runs from {anchor_text}, to {closes:%-d %B %Y}")
    return _open_clock(case, actor, kind=DeadlineKind.ORDER_WINDOW, due_at=due_at,
                       started_by=f"Runs from {anchor_text} ({grounds_text})")


def case_changed(*, pupil: Pupil, actor) -> None:
    """The case file changed: an open order case's window follows the rule."""
    case = OrderCase.objects.filter(pupil=pupil, state__in=BEFORE_APPLICATION).first()
    if case is not None:
        order_window_refresh(case=case, actor=actor)


# --- the request ---------------------------------------------------------------------------------

def order_request(*, actor, pupil: Pupil, parents: list[ParentCarer], reasons: str,
                  parenting_factor: str = "", contract: Contract | None = None) -> OrderCase:
    """A school asks the LA to apply for a parenting order, with its reasons; or the LA opens
    a case itself (Bedfordshire protocol §9-12). The application window runs from now on as a
    clock."""
    if not case_selectors.user_may_record_for(actor, school=pupil.school):
        raise PermissionDenied("Your role can read this case but not ask for an order.")
    linked = set(case_selectors.parents_of(pupil).values_list("pk", flat=True))
    if not parents or any(p.pk not in linked for p in parents):
        raise ValidationError({"parents": "Select the pupil's parents or carers the order "
                                          "would be against"})
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter why a parenting order is asked for"})
    opened_by_la = selectors.LA_RECORDING_ROLES & {
        g.role for g in case_selectors.staff_groups_of(actor)
        if g.local_authority_id == pupil.school.local_authority_id}
    with transaction.atomic():
        Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
        current = OrderCase.objects.filter(pupil=pupil, state__in=OPEN).first()
        if current is not None:
            raise ValidationError(
                f"{pupil.full_name} already has a parenting order case, "
                f"{current.get_state_display().lower()}, opened on {day(current.requested_on)}: "
                "continue with that one.")
        case = OrderCase.objects.create(
            pupil=pupil, school=pupil.school, local_authority=pupil.school.local_authority,
            contract=contract, requested_by=actor, requested_on=timezone.localdate(),
            opened_by_la=bool(opened_by_la), request_reasons=reasons.strip(),
            parenting_factor=parenting_factor.strip(),
        )
        case.parents.set(parents)
        who = "The LA opened a parenting order case" if opened_by_la else (
            "The school asked the LA to apply for a parenting order")
        _record(case, actor, Kind.ORDER_REQUESTED,
                f"{who}: {', '.join(p.full_name for p in parents)}",
                requested_on=case.requested_on.isoformat(), reasons=reasons,
                contract=contract.pk if contract else None)
        order_window_refresh(case=case, actor=actor)
    return case


def order_open_from_contract(*, actor, contract: Contract) -> OrderCase:
    """The LA designated officer opens the request an escalated contract carries: its
    parents, its reasons, and through the pupil's case file its breaches and letters."""
    if contract.state != ContractState.ESCALATED:
        raise ValidationError("Only an escalated contract opens an order request.")
    existing = OrderCase.objects.filter(contract=contract).first()
    if existing is not None:
        return existing
    breaches = "; ".join(
        f"{b.occurred_on:%-d %b %Y}: {b.get_decision_display().lower()}"
        for b in contract.breaches.all())
    return order_request(
        actor=actor, pupil=contract.pupil, parents=list(contract.parents.all()),
        contract=contract,
        reasons=f"Escalated from the {contract.get_kind_display().lower()} signed on "
                f"{day(contract.signed_on)}: {contract.closing_reasons}"
                + (f" Breaches: {breaches}." if breaches else ""),
    )


# --- the LA's review and the panel -------------------------------------------------------------

def order_start_review(*, actor, case: OrderCase) -> OrderCase:
    _require(case, "review", actor=actor)
    with transaction.atomic():
        case.start_review()
        _save(case)
        _record(case, actor, Kind.ORDER_REVIEW_STARTED, "The LA started reviewing the request",
                on=timezone.localdate().isoformat())
    return case


def order_final_warning(*, actor, case: OrderCase, summary: str, reply_by: date,
                        method: str) -> OrderCase:
    """The final warning letter the protocol asks the school to issue before the LA applies
    (Bedfordshire protocol §12), stating when the application window closes."""
    _require(case, "final_warning", actor=actor)
    today = timezone.localdate()
    if reply_by <= today:
        raise ValidationError({"reply_by": "Enter a date after today for the parent to reply "
                                           "by"})
    found = window(case)
    with transaction.atomic():
        letter = _issue(case, actor, kind=LetterKind.FINAL_WARNING, method=method,
                        step="final_warning",
                        facts={"summary": summary, "reply_by": reply_by,
                               "order_window_closes": found[0] if found else None})
        _save(case)
        _record(case, actor, Kind.ORDER_FINAL_WARNING, "Final warning letter issued",
                letter=letter.pk, on=today.isoformat())
    return case


def order_pack_request(*, actor, case: OrderCase, numbering: str = Numbering.SECTIONS,
                       left_out_documents: list[int] = (), withheld_names: list[str] = (),
                       chronology_kinds_left_out: list[str] = ()) -> EvidencePack:
    """A new version of the evidence pack, built in the background; what the officer leaves
    out is kept with it."""
    _require(case, "pack", actor=actor)
    documents = set(case.pupil.documents.values_list("pk", flat=True))
    if any(d not in documents for d in left_out_documents):
        raise ValidationError({"left_out_documents": "Select documents of this case"})
    names = [n.strip() for n in withheld_names if n.strip()]
    task = import_string("orders.tasks.build_evidence_pack")
    with transaction.atomic():
        OrderCase.objects.select_for_update().filter(pk=case.pk).first()
        latest = case.packs.order_by("-version").values_list("version", flat=True).first()
        pack = EvidencePack.objects.create(
            order_case=case, version=(latest or 0) + 1, numbering=numbering,
            left_out_documents=sorted(set(left_out_documents)), withheld_names=names,
            chronology_kinds_left_out=sorted(set(chronology_kinds_left_out)),
            requested_by=actor,
        )
        _record(case, actor, Kind.ORDER_PACK_REQUESTED,
                f"Evidence pack version {pack.version} asked for",
                pack=pack.pk, left_out_documents=pack.left_out_documents,
                names_withheld=len(names))
        transaction.on_commit(lambda: task.delay(pack.pk), robust=True)
    return pack


def order_refer_to_panel(*, actor, case: OrderCase) -> OrderCase:
    facts = _require(case, "panel", actor=actor)
    with transaction.atomic():
        case.refer_to_panel()
        _save(case)
        _record(case, actor, Kind.ORDER_AT_PANEL,
                f"Taken to the legal panel with evidence pack version "
                f"{facts.latest_pack.pack.version}",
                pack=facts.latest_pack.pack_id, on=timezone.localdate().isoformat())
    return case


def order_panel_view(*, actor, case: OrderCase, view: str) -> PanelView:
    _require(case, "view", actor=actor)
    with transaction.atomic():
        recorded = PanelView.objects.create(order_case=case, member=actor, view=view.strip())
        _save(case)
        _record(case, actor, Kind.ORDER_PANEL_VIEW, "A legal panel member recorded their view",
                view=recorded.pk)
    return recorded


def order_panel_decision(*, actor, case: OrderCase, held_on: date, members: list,
                         other_members: str, strength: dict[str, str],
                         programme_available: bool, programme: ParentingProgramme | None,
                         decision: str, reasons: str) -> LegalPanel:
    """The legal panel's decision (Bedfordshire protocol §12): the strength of each part of the
    evidence, whether a parenting programme is open to the parent, proceed or not, and why."""
    facts = _require(case, "decision", actor=actor)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The panel's date cannot be in the future"})
    if programme is not None and programme.local_authority_id != case.local_authority_id:
        raise ValidationError({"programme": "Select one of the LA's parenting programmes"})
    missing = [label for key, label in rules.ORDER_EVIDENCE.items() if key not in strength]
    if missing:
        raise ValidationError({"strength": f"Judge the strength of {'; '.join(missing)}"})
    with transaction.atomic():
        panel = LegalPanel.objects.create(
            order_case=case, held_on=held_on, other_members=other_members.strip(),
            strength=strength, programme_available=programme_available, programme=programme,
            decision=decision, reasons=reasons.strip(), pack=facts.latest_pack.pack,
            recorded_by=actor,
        )
        panel.members.set(members)
        if decision == PanelDecision.PROCEED:
            case.proceed(on=held_on, reasons=reasons.strip())
        else:
            case.decline(on=held_on, reasons=reasons.strip())
        _save(case)
        order_window_refresh(case=case, actor=actor)
        _record(case, actor, Kind.ORDER_PANEL_DECIDED,
                f"Legal panel of {held_on:%-d %B %Y}: {panel.get_decision_display().lower()}",
                panel=panel.pk, decision=decision, on=held_on.isoformat(), reasons=reasons)
    return panel


# --- the court -----------------------------------------------------------------------------------

def order_apply(*, actor, case: OrderCase, court: str, applied_on: date) -> OrderCase:
    """The LA applies to the magistrates' court (ASBA 2003 s.20): on the application's date,
    the order rule must hold (grounds, the end of the statutory process, the window, the
    evidence, the final warning)."""
    if applied_on > timezone.localdate():
        raise ValidationError({"applied_on": "The application's date cannot be in the future"})
    _require(case, "apply", actor=actor, today=applied_on)
    with transaction.atomic():
        case.apply(court=court.strip(), on=applied_on)
        _save(case)
        order_window_refresh(case=case, actor=actor)
        _record(case, actor, Kind.ORDER_APPLIED,
                f"The LA applied to {case.court} for a parenting order on "
                f"{applied_on:%-d %B %Y}", on=applied_on.isoformat(), court=case.court)
    return case


def order_hearing(*, actor, case: OrderCase, hearing_on: date) -> OrderCase:
    _require(case, "hearing", actor=actor)
    if hearing_on < case.applied_on:
        raise ValidationError({"hearing_on": "The hearing cannot be before the application"})
    with transaction.atomic():
        case.list_hearing(on=hearing_on)
        _save(case)
        _record(case, actor, Kind.ORDER_HEARING_LISTED,
                f"Hearing listed at {case.court} for {hearing_on:%-d %B %Y}",
                on=hearing_on.isoformat())
    return case


def order_outcome(*, actor, case: OrderCase, outcome: str, decided_on: date, reasons: str = "",
                  made_at_time: time | None = None, programme: ParentingProgramme | None = None,
                  programme_ends_on: date | None = None, requirements: str = "",
                  requirements_end_on: date | None = None, responsible_officer=None,
                  next_hearing_on: date | None = None) -> OrderCase:
    """The court's decision. Made: the order's requirements, its responsible officer, and the clocks
    that start with it (the officer meets the parent within 48 hours, Bedfordshire protocol §14).
    Adjourned: the new hearing date."""
    _require(case, "outcome", actor=actor)
    today = timezone.localdate()
    if decided_on > today or decided_on < case.applied_on:
        raise ValidationError({"decided_on": "The decision's date must be between the "
                                             f"application, {day(case.applied_on)}, and today"})
    with transaction.atomic():
        if outcome == "made":
            _make(case, actor, decided_on=decided_on, reasons=reasons,
                  made_at_time=made_at_time, programme=programme,
                  programme_ends_on=programme_ends_on, requirements=requirements,
                  requirements_end_on=requirements_end_on,
                  responsible_officer=responsible_officer)
        elif outcome == "adjourned":
            if not next_hearing_on or next_hearing_on <= decided_on:
                raise ValidationError({"next_hearing_on": "Enter the date the hearing was "
                                                          "adjourned to"})
            case.list_hearing(on=next_hearing_on)
            _save(case)
            _record(case, actor, Kind.ORDER_HEARING_LISTED,
                    f"Hearing of {decided_on:%-d %B %Y} adjourned to "
                    f"{next_hearing_on:%-d %B %Y}", on=decided_on.isoformat(),
                    adjourned_to=next_hearing_on.isoformat(), reasons=reasons)
        elif outcome in {"refused", "withdrawn"}:
            (case.refuse if outcome == "refused" else case.withdraw)(
                on=decided_on, reasons=reasons.strip())
            _save(case)
            _record(case, actor, Kind.ORDER_OUTCOME,
                    f"The court's decision on {decided_on:%-d %B %Y}: "
                    f"{case.get_outcome_display().lower()}",
                    outcome=outcome, on=decided_on.isoformat(), reasons=reasons)
        else:
            raise ValueError(f"Not a court outcome: {outcome}")
    return case


def _make(case: OrderCase, actor, *, decided_on, reasons, made_at_time, programme,
          programme_ends_on, requirements, requirements_end_on, responsible_officer) -> None:
    policy = policy_for(case.local_authority)
    latest_programme, latest_requirements = rules.order_measure_limits(policy, decided_on)
    errors: dict[str, str] = {}
    if made_at_time is None:
        errors["made_at_time"] = "Enter the time the court made the order"
    if responsible_officer is None or not selectors.responsible_officer_choices(case).filter(
            pk=responsible_officer.pk).exists():
        errors["responsible_officer"] = ("Select the responsible officer the order names: the "
                                         "headteacher, a member of the school's staff, or an "
                                         "LA officer")
    if programme is not None and programme.local_authority_id != case.local_authority_id:
        errors["programme"] = "Select one of the LA's parenting programmes"
    if programme is not None and not (programme_ends_on and decided_on < programme_ends_on
                                      <= latest_programme):
        errors["programme_ends_on"] = (
            f"A parenting programme under an order lasts up to "
            f"{policy.order_programme_max_months} months: end it by {day(latest_programme)}")
    if requirements.strip() and not (requirements_end_on and decided_on < requirements_end_on
                                     <= latest_requirements):
        errors["requirements_end_on"] = (
            f"The order's other requirements last up to {policy.order_requirements_max_months}"
            f" months under {case.local_authority.name}'s policy: end them by "
            f"{day(latest_requirements)}")
    if programme is None and not requirements.strip():
        errors["requirements"] = "Enter what the order requires, or the parenting programme"
    if errors:
        raise ValidationError(errors)
    made_at = timezone.make_aware(datetime.combine(decided_on, made_at_time))
    case.make(on=decided_on, at=made_at, reasons=reasons.strip())
    case.programme, case.programme_ends_on = programme, programme_ends_on if programme else None
    case.requirements = requirements.strip()
    case.requirements_end_on = requirements_end_on if requirements.strip() else None
    case.responsible_officer = responsible_officer
    _save(case)
    nation = case.local_authority.nation
    meet_by = rules.ro_meeting_due(policy=policy, order_made_at=made_at, nation=nation)
    _record(case, actor, Kind.ORDER_OUTCOME,
            f"Parenting order made on {decided_on:%-d %B %Y}; responsible officer "
            f"{responsible_officer.get_full_name() or responsible_officer.username}",
            outcome="made", on=decided_on.isoformat(), made_at=made_at.isoformat(),
            programme=programme.pk if programme else None,
            programme_ends_on=programme_ends_on.isoformat() if programme else None,
            requirements_end_on=case.requirements_end_on.isoformat()
            if case.requirements_end_on else None,
            responsible_officer=responsible_officer.pk)
    _open_clock(case, actor, kind=DeadlineKind.RO_MEETING, due_at=meet_by, all_day=False,
                started_by=f"Order made on {timezone.localtime(made_at):%-d %B %Y at %H:%M}")
    ends = max(d for d in (case.programme_ends_on, case.requirements_end_on) if d)
    _open_clock(case, actor, kind=DeadlineKind.ORDER_END, due_at=case_services.end_of_day(ends),
                started_by=f"Order made on {decided_on:%-d %B %Y}")


def order_withdraw(*, actor, case: OrderCase, reasons: str) -> OrderCase:
    _require(case, "withdraw", actor=actor)
    today = timezone.localdate()
    with transaction.atomic():
        case.withdraw(on=today, reasons=reasons.strip())
        _save(case)
        order_window_refresh(case=case, actor=actor)
        _record(case, actor, Kind.ORDER_WITHDRAWN, "The LA withdrew the application",
                on=today.isoformat(), reasons=reasons)
    return case


# --- the order running -------------------------------------------------------------------------

def _moment(value: datetime, *, field: str) -> datetime:
    if value > timezone.now():
        raise ValidationError({field: "The date and time cannot be in the future"})
    return value


def order_ro_meeting(*, actor, case: OrderCase, met_at: datetime, parent_took_part: bool,
                     notes: str) -> OrderContact:
    """The responsible officer's first meeting with the parent (within 48 hours of the order):
    the written confirmation is due within 48 hours of it."""
    _require(case, "ro_meeting", actor=actor)
    _moment(met_at, field="met_at")
    if met_at < case.made_at:
        raise ValidationError({"met_at": "The meeting cannot be before the order was made"})
    policy = policy_for(case.local_authority)
    with transaction.atomic():
        contact = OrderContact.objects.create(
            order_case=case, kind="meeting", occurred_at=met_at,
            parent_took_part=parent_took_part, notes=notes.strip(), first_meeting=True,
            recorded_by=actor)
        case.ro_met_at = met_at
        _save(case)
        due = _clock(case, DeadlineKind.RO_MEETING)
        late = due is not None and met_at > due.due_at
        _close_clock(case, actor, kind=DeadlineKind.RO_MEETING, status=Deadline.Status.MET,
                     reason=f"met on {timezone.localtime(met_at):%-d %B %Y at %H:%M}"
                     + (", after the 48 hours" if late else ""))
        _open_clock(case, actor, kind=DeadlineKind.RO_CONFIRMATION, all_day=False,
                    due_at=rules.ro_confirmation_due(policy=policy, met_at=met_at,
                                                     nation=case.local_authority.nation),
                    started_by=f"First meeting on "
                               f"{timezone.localtime(met_at):%-d %B %Y at %H:%M}")
        _record(case, actor, Kind.ORDER_RO_MEETING,
                f"The responsible officer met the parent on "
                f"{timezone.localtime(met_at):%-d %B %Y at %H:%M}"
                + (" (after the 48 hours)" if late else ""),
                contact=contact.pk, on=timezone.localtime(met_at).date().isoformat())
    return contact


def order_ro_confirmation(*, actor, case: OrderCase, monitoring: str, programme: str,
                          review_contact: str, method: str) -> OrderCase:
    """The responsible officer's written confirmation (Bedfordshire protocol §14): monitoring,
    consequences, the programme, review and contact arrangements."""
    _require(case, "ro_confirmation", actor=actor)
    with transaction.atomic():
        letter = _issue(case, actor, kind=LetterKind.RO_CONFIRMATION, method=method,
                        step="ro_confirmation", facts={
                            "order_made_on": case.outcome_on,
                            "met_on": timezone.localtime(case.ro_met_at).date(),
                            "monitoring": monitoring, "programme": programme,
                            "review_contact": review_contact})
        _save(case)
        _close_clock(case, actor, kind=DeadlineKind.RO_CONFIRMATION,
                     status=Deadline.Status.MET, reason="confirmed in writing")
        _record(case, actor, Kind.ORDER_RO_CONFIRMED,
                "The responsible officer confirmed the order in writing", letter=letter.pk,
                on=timezone.localdate().isoformat())
    return case


def order_contact(*, actor, case: OrderCase, kind: str, occurred_at: datetime,
                  parent_took_part: bool, notes: str) -> OrderContact:
    _require(case, "contact", actor=actor)
    _moment(occurred_at, field="occurred_at")
    with transaction.atomic():
        contact = OrderContact.objects.create(
            order_case=case, kind=kind, occurred_at=occurred_at,
            parent_took_part=parent_took_part, notes=notes.strip(), recorded_by=actor)
        _save(case)
        took_part = "the parent took part" if parent_took_part else "the parent did not"
        _record(case, actor, Kind.ORDER_CONTACT,
                f"{contact.get_kind_display()} on "
                f"{timezone.localtime(occurred_at):%-d %B %Y}: {took_part}",
                contact=contact.pk, on=timezone.localtime(occurred_at).date().isoformat())
    return contact


def order_attendance(*, actor, case: OrderCase, session_on: date, attended: bool,
                     notes: str = "") -> Attendance:
    _require(case, "attendance", actor=actor)
    if session_on > timezone.localdate():
        raise ValidationError({"session_on": "The session's date cannot be in the future"})
    with transaction.atomic():
        session = Attendance.objects.create(order_case=case, session_on=session_on,
                                            attended=attended, notes=notes.strip(),
                                            recorded_by=actor)
        _save(case)
        _record(case, actor, Kind.ORDER_ATTENDANCE,
                f"{case.programme.name}, session of {session_on:%-d %B %Y}: "
                + ("attended" if attended else "not attended"),
                attendance=session.pk, on=session_on.isoformat())
    return session


def _open_breach(case: OrderCase) -> OrderBreach:
    return case.breaches.filter(outcome_on__isnull=True).order_by("-occurred_on", "-pk").first()


def order_breach(*, actor, case: OrderCase, occurred_on: date, description: str
                 ) -> OrderBreach:
    _require(case, "breach", actor=actor)
    if occurred_on > timezone.localdate() or occurred_on < case.outcome_on:
        raise ValidationError({"occurred_on": "The breach must be between the order, "
                                              f"{day(case.outcome_on)}, and today"})
    with transaction.atomic():
        case.breach()
        _save(case)
        breach = OrderBreach.objects.create(order_case=case, occurred_on=occurred_on,
                                            description=description.strip(), recorded_by=actor)
        _record(case, actor, Kind.ORDER_BREACH,
                f"Breach of the order on {occurred_on:%-d %B %Y}", breach=breach.pk,
                on=occurred_on.isoformat())
    return breach


def order_refer_breach(*, actor, case: OrderCase) -> OrderCase:
    """The responsible officer gives the legal panel what it needs to consider an
    application to the court (Bedfordshire protocol §14)."""
    _require(case, "refer_breach", actor=actor)
    today = timezone.localdate()
    with transaction.atomic():
        case.refer_breach()
        _save(case)
        breach = _open_breach(case)
        OrderBreach.objects.filter(pk=breach.pk).update(referred_on=today)
        _record(case, actor, Kind.ORDER_BREACH_REFERRED,
                f"Breach of {breach.occurred_on:%-d %B %Y} referred to the legal panel",
                breach=breach.pk, on=today.isoformat())
    return case


def order_breach_decision(*, actor, case: OrderCase, proceed: bool, reasons: str,
                          court: str = "") -> OrderCase:
    _require(case, "breach_decision", actor=actor)
    if proceed and not court.strip():
        raise ValidationError({"court": "Enter the court the proceedings are brought in"})
    today = timezone.localdate()
    with transaction.atomic():
        (case.bring_breach_proceedings if proceed else case.resume)()
        _save(case)
        breach = _open_breach(case)
        OrderBreach.objects.filter(pk=breach.pk).update(
            proceedings=proceed, decided_reasons=reasons.strip(), court=court.strip(),
            **({} if proceed else {"outcome_on": today, "outcome": "No proceedings"}))
        _record(case, actor, Kind.ORDER_BREACH_DECIDED,
                "The legal panel decided to bring breach proceedings" if proceed else
                "The legal panel decided not to bring breach proceedings",
                breach=breach.pk, proceedings=proceed, on=today.isoformat(), reasons=reasons)
    return case


def order_breach_outcome(*, actor, case: OrderCase, outcome: str, decided_on: date
                         ) -> OrderCase:
    """What the court decided on the breach (a fine of up to level 3, £1,000, or any other
    sentence for a non-imprisonable offence: Bedfordshire protocol §11). The order runs on."""
    _require(case, "breach_outcome", actor=actor)
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "The decision's date cannot be in the future"})
    with transaction.atomic():
        case.resume()
        _save(case)
        breach = _open_breach(case)
        OrderBreach.objects.filter(pk=breach.pk).update(outcome=outcome.strip(),
                                                        outcome_on=decided_on)
        _record(case, actor, Kind.ORDER_BREACH_OUTCOME,
                f"Breach proceedings decided on {decided_on:%-d %B %Y}: {outcome.strip()}",
                breach=breach.pk, on=decided_on.isoformat())
    return case


def order_complete(*, actor, case: OrderCase, today: date | None = None) -> OrderCase:
    """An officer completes the order, or the daily job does (actor None) on the day it runs,
    once every requirement has ended."""
    if actor is not None:
        _require(case, "complete", actor=actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        case.complete(on=today)
        _save(case)
        _close_clock(case, actor, kind=DeadlineKind.ORDER_END, status=Deadline.Status.MET,
                     reason="every requirement ended")
        _record(case, actor, Kind.ORDER_COMPLETED,
                f"Parenting order completed on {today:%-d %B %Y}", on=today.isoformat())
    return case


def orders_complete_due(*, today: date) -> int:
    """Daily: orders whose every requirement has ended are completed (idempotent)."""
    completed = 0
    for case in OrderCase.objects.filter(state=State.RUNNING).select_related(
            "pupil", "local_authority"):
        ends = [d for d in (case.programme_ends_on, case.requirements_end_on) if d]
        if ends and today > max(ends):
            try:
                order_complete(actor=None, case=case, today=today)
                completed += 1
            except ValidationError:
                continue
    return completed


def order_windows_refresh() -> int:
    """Daily: every window still running follows the rule (a policy changed, a date passed)."""
    refreshed = 0
    for case in OrderCase.objects.filter(state__in=BEFORE_APPLICATION).select_related(
            "pupil", "local_authority"):
        with transaction.atomic():
            order_window_refresh(case=case, actor=None)
        refreshed += 1
    return refreshed


# --- the LA's catalogue of parenting programmes ------------------------------------------------

def programme_save(*, actor, local_authority, name: str, provider: str, sessions: int,
                   topics: str, places: int, active: bool = True,
                   programme: ParentingProgramme | None = None, revision: int | None = None
                   ) -> ParentingProgramme:
    """Add a programme to the LA's catalogue, or change one. An entry is never deleted (a
    panel's decision or an order may name it): one no longer offered is marked so."""
    if not selectors.programme_authorities(actor).filter(pk=local_authority.pk).exists():
        raise PermissionDenied("The LA's officers keep its catalogue of parenting programmes.")
    fields = {"name": name.strip(), "provider": provider.strip(), "sessions": sessions,
              "topics": topics.strip(), "places": places, "active": active}
    before = None if programme is None else {
        name: getattr(programme, name) for name in fields}
    try:
        with transaction.atomic():
            if programme is None:
                programme = ParentingProgramme.objects.create(
                    local_authority=local_authority, **fields)
            elif not ParentingProgramme.objects.filter(
                    pk=programme.pk, local_authority=local_authority, revision=revision,
            ).update(revision=F("revision") + 1, **fields):
                raise ValidationError(
                    "This programme was changed by someone else while you were working on "
                    "it. Nothing you entered was saved: look at it again and make your "
                    "change if it is still needed.")
            ProgrammeChange.objects.create(programme=programme, changed_by=actor,
                                           before=before, after=fields)
    except IntegrityError:
        raise ValidationError({"name": f"{local_authority.name}'s catalogue already has a "
                                       f"programme called {fields['name']}"}) from None
    programme.refresh_from_db()
    return programme
