"""Every change to a contract. Each service checks the actor may act and the ladder allows the
step (contracts.rules), then in one transaction: transition, save (refused if another request
moved the contract first), timeline event, letters, deadlines and the LA's queue."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition

from cases import selectors as case_selectors
from cases import services as case_services
from cases.eligibility import measure
from cases.models import (
    Agency,
    Deadline,
    DeadlineKind,
    Exclusion,
    ParentCarer,
    Pupil,
    TimelineEvent,
)
from cases.rules import Verdict
from letters import services as letter_services
from letters.models import LetterBatch, LetterKind

from . import rules
from .models import (
    OPEN,
    AgencyConsultation,
    Breach,
    Consent,
    ConsentDecision,
    Contact,
    Contract,
    ContractKind,
    ContractLetter,
    Decision,
    Notification,
    State,
)
from .selectors import contract_facts

Kind = TimelineEvent.Kind

CHANGED_ELSEWHERE = ("This contract was changed by someone else while you were working on it. "
                     "Nothing you entered was saved: look at it again and repeat the step if "
                     "it is still needed.")
CONTENT_FIELDS = (
    "concerns", "aims", "parent_involvement", "obstacles", "overcoming", "help_by_parent",
    "pupil_help", "school_help", "objectives", "support", "parent_requirements",
    "pupil_commitments", "support_services", "link_professional", "link_professional_position",
    "lead_practitioner", "starts_on", "review_on", "ends_on", "next_meeting", "other_dates",
    "additional_contacts", "translation", "copies_to",
)


def _require_recorder(actor, contract_or_pupil) -> None:
    if not case_selectors.user_may_record_for(actor, school=contract_or_pupil.school):
        raise PermissionDenied("Your role can read this contract but not act on it.")


def _require(contract: Contract, action: str, *, today: date) -> None:
    verdict = rules.actions(contract_facts(contract, today=today))[action]
    if not verdict:
        raise ValidationError(list(verdict.reasons))


def _record(contract: Contract, actor, kind: str, summary: str, **details) -> TimelineEvent:
    return case_services.timeline_record(
        pupil=contract.pupil, actor=actor, kind=kind,
        summary=summary, details={"contract": contract.pk, "state": contract.state, **details},
    )


def _save_transition(contract: Contract) -> None:
    try:
        contract.save()
    except ConcurrentTransition as clash:
        raise ValidationError(CHANGED_ELSEWHERE) from clash


def _issue(contract: Contract, actor, *, kind: str, facts: dict, method: str, step: str,
           batch: LetterBatch | None = None):
    """The step's letter to the contract's parents, kept with the contract. Returns the
    first (parents who live apart each get one)."""
    letters = letter_services.letters_to_households(
        actor=actor, pupil=contract.pupil, parents=list(contract.parents.all()), kind=kind,
        facts=facts, method=method, batch=batch, issued_from="contract")
    ContractLetter.objects.bulk_create(
        ContractLetter(contract=contract, letter=letter, step=step) for letter in letters)
    return letters[0]


def _notify(contract: Contract, kind: str, summary: str, dated: date) -> None:
    Notification.objects.create(
        local_authority=contract.school.local_authority, contract=contract, kind=kind,
        dated=dated, summary=summary,
    )


def _close_clocks(contract: Contract, actor, *, status: str, reason: str, kinds) -> None:
    for deadline in Deadline.objects.filter(
        pupil=contract.pupil, kind__in=kinds, subject=f"contract:{contract.pk}",
        status=Deadline.Status.OPEN,
    ):
        case_services.deadline_close(deadline=deadline, status=status, actor=actor,
                                     reason=reason)


def _open_clock(contract: Contract, actor, *, kind: str, due: date, started_by: str) -> None:
    case_services.deadline_open(
        pupil=contract.pupil, kind=kind, actor=actor, due_at=case_services.end_of_day(due),
        started_by=started_by, subject=f"contract:{contract.pk}", school=contract.school,
    )


# --- creating and preparing --------------------------------------------------------------

def contract_create(*, actor, pupil: Pupil, kind: str, parents: list[ParentCarer]) -> Contract:
    _require_recorder(actor, pupil)
    linked = set(case_selectors.parents_of(pupil).values_list("pk", flat=True))
    if not parents or any(p.pk not in linked for p in parents):
        raise ValidationError({"parents": "Select the pupil's parents or carers the contract "
                                          "is with"})
    with transaction.atomic():
        # Locked so that two requests at once cannot both find no contract and both start one.
        Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
        current = Contract.objects.filter(pupil=pupil, kind=kind, state__in=OPEN).first()
        if current is not None:
            raise ValidationError(
                f"{pupil.full_name} already has a {ContractKind(kind).label.lower()} "
                f"{current.where_it_stands}: continue with that one.")
        contract = Contract.objects.create(kind=kind, pupil=pupil, school=pupil.school,
                                           lead=actor)
        contract.parents.set(parents)
        _record(contract, actor, Kind.CONTRACT_STARTED,
                f"{contract.get_kind_display()} started as a draft, with "
                f"{', '.join(p.full_name for p in parents)}")
    return contract


def contract_update_content(
    *, actor, contract: Contract, revision: int | None = None, **content
) -> Contract:
    """Change the content. `revision` is the one the editor saw: if someone else has changed
    the content since, nothing is saved and the editor is told."""
    _require_recorder(actor, contract)
    _require(contract, "edit", today=timezone.localdate())
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Not contract content: {unknown}")
    changes = {
        name: {"from": _plain(getattr(contract, name)), "to": _plain(value)}
        for name, value in content.items() if getattr(contract, name) != value
    }
    if not changes:
        return contract
    if contract.signed_on and "starts_on" in changes:
        raise ValidationError({"starts_on": "A signed contract's start date cannot change: it "
                                            "is part of what the parents signed"})
    ends_on = content.get("ends_on")
    if contract.signed_on and ends_on and ends_on < timezone.localdate():
        raise ValidationError({"ends_on": "The end date cannot be in the past"})
    with transaction.atomic():
        current = Contract.objects.select_for_update().values_list("revision", flat=True).get(
            pk=contract.pk)
        if revision is not None and revision != current:
            raise ValidationError(CHANGED_ELSEWHERE)
        for name, value in content.items():
            setattr(contract, name, value)
        contract.revision = current + 1
        _save_transition(contract)
        if contract.signed_on:
            # A review that moves the review or end date moves their clocks with it.
            for name, kind in (("review_on", DeadlineKind.CONTRACT_REVIEW),
                               ("ends_on", DeadlineKind.CONTRACT_END)):
                if name in changes and getattr(contract, name):
                    moved_to = getattr(contract, name)
                    _close_clocks(contract, actor, status=Deadline.Status.CANCELLED,
                                  reason=f"moved at review to {moved_to:%-d %B %Y}",
                                  kinds=[kind])
                    _open_clock(contract, actor, kind=kind, due=getattr(contract, name),
                                started_by=f"Changed at review on "
                                           f"{timezone.localdate():%-d %B %Y}")
        # The earlier wording stays on the timeline: nothing is overwritten unseen.
        _record(contract, actor, Kind.CONTRACT_CHANGED,
                f"Changed: {'; '.join(content_label(name) for name in changes)}",
                changes=changes)
    return contract


def content_label(name: str) -> str:
    """A part of the contract as the form and the letter name it."""
    return str(Contract._meta.get_field(name).verbose_name)


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def consultation_record(*, actor, contract: Contract, agency: Agency, consulted_on: date,
                        views: str) -> AgencyConsultation:
    _require_recorder(actor, contract)
    _require(contract, "consult", today=timezone.localdate())
    with transaction.atomic():
        consultation = AgencyConsultation.objects.create(
            contract=contract, agency=agency, consulted_on=consulted_on, views=views.strip(),
            recorded_by=actor,
        )
        _record(contract, actor, Kind.AGENCY_CONSULTED,
                f"{agency.name} consulted on {consulted_on:%-d %B %Y}", agency=agency.pk)
    return consultation


def contact_record(*, actor, contract: Contract, kind: str, occurred_on: date,
                   parent_took_part: bool, notes: str) -> Contact:
    _require_recorder(actor, contract)
    _require(contract, "contact", today=timezone.localdate())
    with transaction.atomic():
        contact = Contact.objects.create(
            contract=contract, kind=kind, occurred_on=occurred_on,
            parent_took_part=parent_took_part, notes=notes.strip(), recorded_by=actor,
        )
        took_part = "the parent took part" if parent_took_part else "the parent did not attend"
        _record(contract, actor, Kind.CONTRACT_CONTACT,
                f"{contact.get_kind_display()} on {occurred_on:%-d %B %Y}: {took_part}",
                contact=contact.pk)
    return contact


def consent_record(*, actor, contract: Contract, parent: ParentCarer, decision: str,
                   decided_on: date, notes: str = "") -> ConsentDecision:
    """A parent gives, refuses or withdraws consent to the contract's information being shared
    with the agencies named in it. Every decision is kept; the latest counts."""
    _require_recorder(actor, contract)
    _require(contract, "consent", today=timezone.localdate())
    if parent.pk not in {p.pk for p in contract.parents.all()}:
        raise ValidationError({"parent": "Select one of the parents the contract is with"})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "The date of the decision cannot be in the future"})
    with transaction.atomic():
        # Locked: the decision allowed depends on the latest one, which must not move now.
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        allowed = rules.consent_decisions_open(
            contract_facts(contract, today=timezone.localdate()), parent)[decision]
        if not allowed:
            raise ValidationError({"decision": list(allowed.reasons)})
        return _consent_save(contract, actor, parent=parent, decision=decision,
                             decided_on=decided_on, notes=notes)


def _consent_save(contract: Contract, actor, *, parent: ParentCarer, decision: str,
                  decided_on: date, notes: str = "") -> ConsentDecision:
    consent = ConsentDecision.objects.create(
        contract=contract, parent=parent, decision=decision, decided_on=decided_on,
        notes=notes.strip(), recorded_by=actor,
    )
    _record(contract, actor, Kind.CONSENT_RECORDED,
            f"{parent.full_name}: {consent.get_decision_display().lower()} to sharing "
            f"information, on {decided_on:%-d %B %Y}",
            consent=consent.pk, parent=parent.pk, decision=decision,
            decided_on=decided_on.isoformat())
    return consent


# --- the ladder --------------------------------------------------------------------------

def contract_offer(*, actor, contract: Contract, letter_facts: dict, method: str,
                   batch: LetterBatch | None = None) -> Contract:
    """Offer the contract: the invitation letter goes to the parents."""
    _require_recorder(actor, contract)
    today = timezone.localdate()
    _require(contract, "offer", today=today)
    with transaction.atomic():
        contract.offer(on=today)
        _save_transition(contract)
        letter = _issue(contract, actor, kind=LetterKind.CONTRACT_INVITATION,
                        facts=letter_facts, method=method, step="offer", batch=batch)
        _record(contract, actor, Kind.CONTRACT_OFFERED,
                "Contract offered: invitation to a meeting sent",
                letter=letter.pk)
    return contract


def contract_invite(*, actor, pupil: Pupil, batch: LetterBatch) -> Contract:
    """One pupil's letter in a batch of invitations to contract meetings: inviting the parents
    is offering them a behaviour contract, so the pupil's draft is offered (or one is started
    with the household the letter goes to), under every rule of the offer step."""
    contract = Contract.objects.filter(
        pupil=pupil, kind=ContractKind.BEHAVIOUR, state=State.DRAFT).first()
    if contract is None:
        household = letter_services.household_of(pupil)
        if not household:
            raise ValidationError("No parent or carer is recorded.")
        contract = contract_create(actor=actor, pupil=pupil, kind=ContractKind.BEHAVIOUR,
                                   parents=household)
    return contract_offer(actor=actor, contract=contract, method=batch.method, batch=batch,
                          letter_facts=letter_services.batch_facts(batch))


def contract_sign(*, actor, contract: Contract, signatures: list[dict], method: str,
                  consents: dict[int, str] | None = None) -> Contract:
    """Signed: the contract runs. The LA is told the date of issue, which starts the clock
    for a parenting order (Bedfordshire protocol §7, §13); review and end dates become deadlines.

    `consents` ({parent id: given or refused}) records each parent's decision about sharing,
    as made at the signing, where it differs from the one already recorded. Every parent must
    have decided: the contract states what each agreed to, never that signing was consent."""
    _require_recorder(actor, contract)
    today = timezone.localdate()
    facts = contract_facts(contract, today=today)
    verdict = rules.actions(facts)["sign"]
    if not verdict:
        raise ValidationError(list(verdict.reasons))
    if not signatures:
        raise ValidationError({"signatures": "Record who signed"})
    consents = consents or {}
    if any(d not in {Consent.GIVEN, Consent.REFUSED} for d in consents.values()):
        raise ValueError("At the signing a parent gives or refuses consent.")
    undecided = [p.full_name for p in facts.parents
                 if consents.get(p.pk) is None and facts.consent_of(p) is None]
    if undecided:
        raise ValidationError({"consents": f"Record whether {' and '.join(undecided)} "
                                           "agrees to information being shared"})
    signatures = [{**signature, "signed_on": today.isoformat()} for signature in signatures]
    with transaction.atomic():
        contract.sign(on=today, signatures=signatures)
        _save_transition(contract)
        for parent in facts.parents:
            current = facts.consent_of(parent)
            wanted = consents.get(parent.pk)
            if wanted and (current is None or current.decision != wanted):
                _consent_save(contract, actor, parent=parent, decision=wanted,
                              decided_on=today, notes="Recorded at the signing.")
        letter = _issue(contract, actor, kind=_contract_letter(contract),
                        facts=contract_letter_facts(contract), method=method, step="signed")
        _notify(contract, Notification.Kind.CONTRACT_ISSUED,
                f"{contract.get_kind_display()} for {contract.pupil.full_name} signed on "
                f"{today:%-d %B %Y}", today)
        _record(contract, actor, Kind.CONTRACT_SIGNED,
                f"Contract signed by {', '.join(s['name'] for s in signatures)}; the LA "
                "designated officer notified of the date of issue",
                letter=letter.pk, signatures=signatures)
        _open_clock(contract, actor, kind=DeadlineKind.CONTRACT_REVIEW, due=contract.review_on,
                    started_by=f"Contract signed on {today:%-d %B %Y}")
        _open_clock(contract, actor, kind=DeadlineKind.CONTRACT_END, due=contract.ends_on,
                    started_by=f"Contract signed on {today:%-d %B %Y}")
        if contract.kind == ContractKind.BEHAVIOUR:
            # Where the policy counts the order window from the signing, it restarts today.
            case_services.case_changed(pupil=contract.pupil, actor=actor)
    return contract


def _contract_letter(contract: Contract) -> str:
    return (LetterKind.PARENTING_CONTRACT if contract.kind == ContractKind.BEHAVIOUR
            else LetterKind.ATTENDANCE_CONTRACT)


def _one_line(*parts: str) -> str:
    return ", ".join(" ".join(p.split()) for p in parts if p and p.strip())


def contract_letter_facts(contract: Contract) -> dict:
    """What the contract letter states: every part of the contract, each parent's consent as
    decided (read now, after any decision made at the signing), and who it is with."""
    parents = list(contract.parents.order_by("pk"))
    links = {link.parent_id: link for link in contract.pupil.parent_links.all()}
    latest: dict[int, ConsentDecision] = {}
    for decision in contract.consents.order_by("decided_on", "recorded_at", "pk"):
        latest[decision.parent_id] = decision
    given_on: dict[int, date] = {}
    for decision in contract.consents.filter(decision=Consent.GIVEN).order_by("decided_on"):
        given_on[decision.parent_id] = decision.decided_on
    consent = [
        {"name": p.full_name,
         "decision": latest[p.pk].decision if p.pk in latest else "",
         "on": latest[p.pk].decided_on if p.pk in latest else None,
         "given_on": given_on.get(p.pk)}
        for p in parents
    ]
    common = {"starts_on": contract.starts_on, "review_on": contract.review_on,
              "ends_on": contract.ends_on, "consent": consent, "copies_to": contract.copies_to}
    if contract.kind == ContractKind.ATTENDANCE:
        return {"requirements": contract.parent_requirements, "support": contract.support,
                "lead_practitioner": contract.lead_practitioner, **common}
    # The pupil's home is the first parent's: Appendix 3 gives each parent's contact details
    # only where they differ from it.
    home = parents[0] if parents else None
    home_address = _one_line(home.address, home.postcode) if home else ""

    def contact_details(parent: ParentCarer) -> str:
        address = _one_line(parent.address, parent.postcode)
        phone = parent.phone if parent != home else ""
        return _one_line(address if address != home_address else "", phone, parent.email)

    return {
        "home_address": home_address,
        "home_phone": home.phone if home else "",
        "parents": [
            {"name": p.full_name,
             "relationship": links[p.pk].get_relationship_display() if p.pk in links else "",
             "contact": contact_details(p)}
            for p in parents
        ],
        "support_services": contract.support_services,
        "link_professional": contract.link_professional,
        "link_professional_position": contract.link_professional_position,
        "concerns": contract.concerns, "aims": contract.aims,
        "parent_involvement": contract.parent_involvement,
        "obstacles": contract.obstacles, "overcoming": contract.overcoming,
        "help_by_parent": [{"name": p.full_name,
                            "help": contract.help_by_parent.get(str(p.pk), "")}
                           for p in parents],
        "pupil_help": contract.pupil_help, "school_help": contract.school_help,
        "objectives": contract.objectives, "school_commitments": contract.support,
        "parent_commitments": contract.parent_requirements,
        "pupil_commitments": contract.pupil_commitments,
        "next_meeting": contract.next_meeting, "other_dates": contract.other_dates,
        "additional_contacts": contract.additional_contacts,
        **common,
    }


def contract_refuse(*, actor, contract: Contract, reasons: str) -> Contract:
    _require_recorder(actor, contract)
    today = timezone.localdate()
    _require(contract, "refuse", today=today)
    with transaction.atomic():
        contract.refuse(on=today, reasons=reasons.strip())
        _save_transition(contract)
        _record(contract, actor, Kind.CONTRACT_REFUSED, "The parents refused the contract",
                reasons=reasons, negotiation_log=list(contract.contacts.values_list("pk",
                                                                                   flat=True)))
    return contract


def contract_withdraw(*, actor, contract: Contract, reasons: str) -> Contract:
    _require_recorder(actor, contract)
    today = timezone.localdate()
    _require(contract, "withdraw", today=today)
    with transaction.atomic():
        contract.withdraw(on=today, reasons=reasons.strip())
        _save_transition(contract)
        _record(contract, actor, Kind.CONTRACT_WITHDRAWN, "Contract withdrawn", reasons=reasons)
    return contract


def breach_record(
    *,
    actor,
    contract: Contract,
    occurred_on: date,
    description: str,
    explanation: str,
    decision: str,
    exclusion: Exclusion | None = None,
    reply_by: date | None = None,
    method: str = "post",
) -> Breach:
    """Record a failure to keep the contract, the parent's explanation and the lead's
    decision, and take the step the decision calls for (Bedfordshire protocol §9; Nottinghamshire
    guidance)."""
    _require_recorder(actor, contract)
    today = timezone.localdate()
    _require(contract, "breach", today=today)
    facts = contract_facts(contract, today=today)
    verdict = rules.decisions_open(facts)[decision]
    if not verdict:
        raise ValidationError({"decision": list(verdict.reasons)})
    if occurred_on > today or (contract.signed_on and occurred_on < contract.signed_on):
        raise ValidationError({"occurred_on": f"The breach must be between the signing, on "
                                              f"{contract.signed_on:%-d %B %Y}, and today"})
    if exclusion and exclusion.pupil_id != contract.pupil_id:
        raise ValidationError({"exclusion": "Select one of this pupil's exclusions"})
    if decision == Decision.UNSATISFACTORY and not (reply_by and reply_by > today):
        raise ValidationError({"reply_by": "Enter a date after today for the parent to reply by"})
    with transaction.atomic():
        letter = None
        if decision == Decision.NO_FAULT:
            contract.start_review()
            _save_transition(contract)
            _notify(contract, Notification.Kind.REVIEW_NEEDED,
                    f"Breach on {occurred_on:%-d %B %Y} through no fault of the parent: "
                    "contract under review", today)
        elif decision == Decision.UNSATISFACTORY:
            contract.warn(on=today)
            _save_transition(contract)
            kind = (LetterKind.FORMAL_WARNING if contract.kind == ContractKind.BEHAVIOUR
                    else LetterKind.ATTENDANCE_WARNING)
            facts_for_letter = {"contract_signed_on": contract.signed_on, "breach_on": occurred_on,
                                "breach": description, "non_compliance": description,
                                "reply_by": reply_by}
            letter = _issue(contract, actor, kind=kind, facts=facts_for_letter, method=method,
                            step="warning")
        else:
            # Reasonable, or a further breach: no change of state, but the record must still
            # be taken against a contract no one else has just moved on.
            _save_transition(contract)
        breach = Breach.objects.create(
            contract=contract, occurred_on=occurred_on, description=description.strip(),
            explanation=explanation.strip(), decision=decision, exclusion=exclusion,
            letter=letter, decided_by=actor,
        )
        case_services.timeline_record(
            pupil=contract.pupil, actor=actor, kind=TimelineEvent.Kind.BREACH_RECORDED,
            summary=f"Breach on {occurred_on:%-d %B %Y}: {breach.get_decision_display()}",
            details={"contract": contract.pk, "breach": breach.pk, "decision": decision,
                     "exclusion": exclusion.pk if exclusion else None,
                     "letter": letter.pk if letter else None, "state": contract.state},
        )
    return breach


def contract_start_review(*, actor, contract: Contract, reason: str) -> Contract:
    _require_recorder(actor, contract)
    _require(contract, "start_review", today=timezone.localdate())
    with transaction.atomic():
        contract.start_review()
        _save_transition(contract)
        _record(contract, actor, Kind.CONTRACT_REVIEW_STARTED, "Contract review started",
                reason=reason)
    return contract


def contract_amend(*, actor, contract: Contract, review_on: date, summary: str) -> Contract:
    """Finish a review: the contract runs again, with its next review date."""
    _require_recorder(actor, contract)
    _require(contract, "amend", today=timezone.localdate())
    if contract.ends_on and review_on > contract.ends_on:
        raise ValidationError({"review_on": "The next review must be by the end date"})
    if review_on < timezone.localdate():
        raise ValidationError({"review_on": "The next review date cannot be in the past"})
    with transaction.atomic():
        previous = contract.review_on
        contract.amend()
        contract.review_on = review_on
        _save_transition(contract)
        _close_clocks(contract, actor, status=Deadline.Status.MET, reason="reviewed",
                      kinds=[DeadlineKind.CONTRACT_REVIEW])
        _open_clock(contract, actor, kind=DeadlineKind.CONTRACT_REVIEW, due=review_on,
                    started_by=f"Contract reviewed on {timezone.localdate():%-d %B %Y}")
        _record(contract, actor, Kind.CONTRACT_REVIEWED,
                f"Contract reviewed and amended; next review {review_on:%-d %B %Y}",
                review_summary=summary, previous_review_on=_plain(previous))
    return contract


def contract_escalate(*, actor, contract: Contract, reasons: str) -> Contract:
    """The school applies to the LA: the contract leaves the school's ladder and appears in
    the LA designated officer's queue."""
    _require_recorder(actor, contract)
    today = timezone.localdate()
    facts = contract_facts(contract, today=today)
    verdict = rules.actions(facts)["escalate"]
    if not verdict:
        raise ValidationError(list(verdict.reasons))
    # What the school was shown it would still lack for an order, kept with the escalation.
    readiness = order_readiness(contract, today=today)
    with transaction.atomic():
        contract.escalate(on=today, reasons=reasons.strip())
        _save_transition(contract)
        _close_clocks(contract, actor, status=Deadline.Status.CANCELLED, reason="escalated",
                      kinds=[DeadlineKind.CONTRACT_REVIEW, DeadlineKind.CONTRACT_END])
        _notify(contract, Notification.Kind.ESCALATED,
                f"{contract.pupil.full_name}: the school asks the LA to apply for a parenting "
                "order", today)
        _record(contract, actor, Kind.CONTRACT_ESCALATED,
                "Escalated to the LA: a parenting order is recommended",
                reasons=reasons,
                order_lacks=[] if readiness is None or readiness.allowed
                else list(readiness.reasons))
    return contract


def order_readiness(contract: Contract, *, today: date) -> Verdict | None:
    """What the LA will find for a parenting order, as the order's own rule says: the
    "parenting order" measure of the pupil, from whichever app owns orders."""
    found = measure(contract.pupil, "parenting_order", today=today)
    return found.verdict if found else None


def contract_terminate(*, actor, contract: Contract, reasons: str,
                       alternative_course: str) -> Contract:
    _require_recorder(actor, contract)
    today = timezone.localdate()
    _require(contract, "terminate", today=today)
    with transaction.atomic():
        contract.terminate(on=today, reasons=reasons.strip(),
                           alternative_course=alternative_course)
        _save_transition(contract)
        _close_clocks(contract, actor, status=Deadline.Status.CANCELLED, reason="terminated",
                      kinds=[DeadlineKind.CONTRACT_REVIEW, DeadlineKind.CONTRACT_END])
        if contract.kind == ContractKind.BEHAVIOUR:
            # No contract in place now: the order window runs from the exclusions again.
            case_services.case_changed(pupil=contract.pupil, actor=actor)
        if contract.kind == ContractKind.ATTENDANCE:
            _notify(contract, Notification.Kind.TERMINATED,
                    f"{contract.pupil.full_name}: attendance contract ended; "
                    f"{contract.get_alternative_course_display().lower()}", today)
        _record(contract, actor, Kind.CONTRACT_TERMINATED, f"Contract ended early: "
                                 f"{contract.get_alternative_course_display() or 'ended'}",
                reasons=reasons, alternative_course=alternative_course)
    return contract


def contract_complete(*, actor, contract: Contract) -> Contract:
    if actor is not None:
        _require_recorder(actor, contract)
    today = timezone.localdate()
    _require(contract, "complete", today=today)
    with transaction.atomic():
        contract.complete(on=today)
        _save_transition(contract)
        _close_clocks(contract, actor, status=Deadline.Status.MET, reason="completed",
                      kinds=[DeadlineKind.CONTRACT_END])
        _close_clocks(contract, actor, status=Deadline.Status.CANCELLED, reason="completed",
                      kinds=[DeadlineKind.CONTRACT_REVIEW])
        if contract.kind == ContractKind.BEHAVIOUR:
            case_services.case_changed(pupil=contract.pupil, actor=actor)
        _record(contract, actor, Kind.CONTRACT_COMPLETED,
                f"Contract completed on {today:%-d %B %Y}")
    return contract


def notification_acknowledge(*, actor, notification: Notification) -> bool:
    with transaction.atomic():
        done = Notification.objects.filter(
            pk=notification.pk, acknowledged_at__isnull=True
        ).update(acknowledged_at=timezone.now(), acknowledged_by=actor)
        if done:
            _record(notification.contract, actor, Kind.LA_NOTED,
                    f"LA designated officer noted: {notification.get_kind_display().lower()}")
    return bool(done)


def contracts_complete_due(*, today: date) -> int:
    """Daily: contracts whose end date has come are completed (idempotent)."""
    completed = 0
    for contract in Contract.objects.filter(state__in=rules.RUNNING, ends_on__lte=today):
        try:
            contract_complete(actor=None, contract=contract)
            completed += 1
        except ValidationError:
            continue
    return completed
