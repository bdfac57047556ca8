"""Which steps of a contract are open now, and why the others are not (Bedfordshire protocol
§5-10; Nottinghamshire guidance). Pure functions of the facts a ContractFacts carries; every
verdict names its dates."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cases import rules
from cases.models import AgencyInvolvement, Exclusion, MultiAgencyMeeting, ParentCarer
from cases.policies import Policy
from cases.rules import Check, ContractInHand, Verdict, count, day
from cases.sources import BEDFORDSHIRE, NOTTINGHAMSHIRE, cite

from .models import (
    ENDED,
    RUNNING,
    Breach,
    Consent,
    ConsentDecision,
    Contact,
    Contract,
    ContractKind,
    Decision,
    State,
)

# How a state reads in the middle of a sentence ("… only when the contract is offered").
STATE_TEXT = {
    State.DRAFT: "a draft",
    State.OFFERED: "offered",
    State.ACTIVE: "signed and running",
    State.UNDER_REVIEW: "under review",
    State.WARNED: "warned",
    State.REFUSED: "refused",
    State.WITHDRAWN: "withdrawn",
    State.ESCALATED: "escalated to the LA",
    State.TERMINATED: "ended early",
    State.COMPLETED: "completed",
}


@dataclass(frozen=True)
class ContractFacts:
    contract: Contract
    policy: Policy
    today: date
    exclusions: list[Exclusion]
    involvements: list[AgencyInvolvement]
    consulted_agency_ids: set[int]
    contacts: list[Contact]
    breaches: list[Breach]
    meetings: list[MultiAgencyMeeting]
    parents: list[ParentCarer]
    # Each parent's consent decisions, oldest first.
    consents: Mapping[int, list[ConsentDecision]] = field(default_factory=dict)
    # The pupil's other contracts of the same kind that are being prepared or in hand.
    in_hand: list[ContractInHand] = field(default_factory=list)

    @property
    def parent_names(self) -> list[str]:
        return [p.full_name for p in self.parents]

    def consent_of(self, parent: ParentCarer) -> ConsentDecision | None:
        decisions = self.consents.get(parent.pk)
        return decisions[-1] if decisions else None


def _in_state(contract: Contract, states, doing: str) -> Check:
    states = [states] if isinstance(states, str) else list(states)
    if contract.state in states:
        return Check(True, f"The contract is {STATE_TEXT[contract.state]}.")
    if contract.state in ENDED:
        return Check(False, f"The contract has ended: {contract.where_it_stands}.")
    wanted = " or ".join(STATE_TEXT[s] for s in states)
    return Check(False, f"You can {doing} only when the contract is {wanted}; it is "
                        f"{STATE_TEXT[contract.state]}.")


def _eligibility(facts: ContractFacts) -> Verdict:
    pupil = facts.contract.pupil
    if facts.contract.kind == ContractKind.BEHAVIOUR:
        return rules.behaviour_contract_eligibility(
            policy=facts.policy, exclusions=facts.exclusions,
            looked_after=pupil.looked_after, today=facts.today, in_hand=facts.in_hand,
        )
    return rules.attendance_contract_preconditions(
        parent_names=facts.parent_names, date_of_birth=pupil.date_of_birth,
        today=facts.today, in_hand=facts.in_hand,
    )


def _missing_content(contract: Contract) -> list[str]:
    needed = [("parent_requirements", "what the parents agree to do"),
              ("starts_on", "the start date"), ("review_on", "the review date"),
              ("ends_on", "the end date")]
    if contract.kind == ContractKind.BEHAVIOUR:
        needed = [("concerns", "the areas of concern"), ("aims", "the aims"),
                  ("objectives", "at least one objective"),
                  ("support", "what the school will do")] + needed
    else:
        needed = [("support", "the support the school or LA will give"),
                  ("lead_practitioner", "the lead practitioner")] + needed
    return [label for name, label in needed if not getattr(contract, name)]


def _latest_warning_breach(facts: ContractFacts) -> Breach | None:
    warned = [b for b in facts.breaches if b.decision == Decision.UNSATISFACTORY]
    return warned[-1] if warned else None


def further_breach_with_exclusion(facts: ContractFacts) -> Breach | None:
    """A breach after the formal warning that came with a further exclusion."""
    warned_on = facts.contract.warned_on
    if not warned_on:
        return None
    further = [
        b for b in facts.breaches
        if b.decision == Decision.FURTHER and b.exclusion_id and b.occurred_on >= warned_on
        and b.exclusion.start_date >= warned_on
    ]
    return further[-1] if further else None


def actions(facts: ContractFacts) -> dict[str, Verdict]:
    """Every step, allowed or not, with its reasons."""
    contract, today = facts.contract, facts.today
    verdicts: dict[str, Verdict] = {}
    verdicts["edit"] = Verdict.of_checks([_in_state(
        contract, [State.DRAFT, State.OFFERED, State.UNDER_REVIEW], "change the content"
    )])
    verdicts["consult"] = Verdict.of_checks([_in_state(
        contract, [State.DRAFT, State.OFFERED], "record a consultation")])
    verdicts["contact"] = Verdict.of_checks([Check(
        contract.state not in ENDED,
        "Record every meeting and attempt to reach the parents." if contract.state not in ENDED
        else f"The contract has ended: {contract.where_it_stands}.",
    )])
    # A parent may give, refuse or withdraw consent at any time, even after the contract
    # ends: it decides what may still be shared.
    verdicts["consent"] = Verdict(True, ("Record each parent's decision about sharing "
                                         "information, with its date.",))

    eligibility = _eligibility(facts)
    active_agencies = {
        i.agency_id: i.agency.name for i in facts.involvements
        if i.ended_on is None or i.ended_on >= today
    }
    unconsulted = [name for agency_id, name in active_agencies.items()
                   if agency_id not in facts.consulted_agency_ids]
    verdicts["offer"] = Verdict.of_checks(
        [
            _in_state(contract, State.DRAFT, "offer it"),
            *(eligibility.checks or [Check(eligibility.allowed, " ".join(eligibility.reasons))]),
            Check(bool(facts.parents),
                  f"With {', '.join(facts.parent_names)}." if facts.parents
                  else "Name the parents or carers the contract is with."),
            Check(not unconsulted, "Every agency involved has been consulted." if not unconsulted
                  else f"Consult {', '.join(unconsulted)} before the offer "
                       f"({cite(BEDFORDSHIRE, '§7')})."),
        ],
        holds_until=eligibility.holds_until,
        warnings=eligibility.warnings,
    )

    missing = _missing_content(contract)
    sign_checks = [
        _in_state(contract, State.OFFERED, "sign it"),
        Check(not missing, "The contract's content is complete." if not missing
              else f"Before signing, add {', '.join(missing)}."),
    ]
    warnings: tuple[str, ...] = ()
    if contract.starts_on and contract.ends_on:
        duration = rules.contract_duration(policy=facts.policy, starts_on=contract.starts_on,
                                           ends_on=contract.ends_on)
        sign_checks.append(Check(duration.allowed, " ".join(duration.reasons)))
        warnings = duration.warnings
        if contract.review_on and not (contract.starts_on < contract.review_on
                                       <= contract.ends_on):
            sign_checks.append(Check(False, "The review date must fall after the start and "
                                            "by the end."))
    if contract.kind == ContractKind.ATTENDANCE:
        met = [c for c in facts.contacts if c.kind == "meeting" and c.parent_took_part]
        sign_checks.append(Check(
            bool(met),
            f"Agreed at a meeting with the parent on {day(met[-1].occurred_on)}." if met else
            "An attendance contract cannot be agreed in the parent's absence: record the "
            f"meeting the parent attended first ({cite(NOTTINGHAMSHIRE)}).",
        ))
    verdicts["sign"] = Verdict.of_checks(sign_checks, warnings=warnings)

    efforts = len(facts.contacts)
    verdicts["refuse"] = Verdict.of_checks([
        _in_state(contract, State.OFFERED, "record a refusal"),
        Check(bool(efforts),
              f"{count(efforts, 'effort', 'efforts')} to negotiate recorded." if efforts else
              "Record every effort to negotiate first: whether the parent met you and what "
              f"was said ({cite(BEDFORDSHIRE, '§10')})."),
    ])
    verdicts["withdraw"] = Verdict.of_checks([
        _in_state(contract, [State.DRAFT, State.OFFERED], "withdraw it")])
    verdicts["breach"] = Verdict.of_checks([
        _in_state(contract, [State.ACTIVE, State.WARNED], "record a breach")])
    verdicts["start_review"] = Verdict.of_checks([
        _in_state(contract, [State.ACTIVE, State.WARNED], "start a review")])
    verdicts["amend"] = Verdict.of_checks([
        _in_state(contract, State.UNDER_REVIEW, "finish a review")])

    if contract.kind == ContractKind.BEHAVIOUR:
        further = further_breach_with_exclusion(facts)
        meeting = None
        if further:
            meeting = next(
                (m for m in sorted(facts.meetings, key=lambda m: m.held_on, reverse=True)
                 if m.held_on >= further.occurred_on and m.la_represented
                 and m.recommends_parenting_order),
                None,
            )
        verdicts["escalate"] = Verdict.of_checks([
            _in_state(contract, State.WARNED, "escalate it to the LA"),
            Check(further is not None,
                  f"A further breach on {day(further.occurred_on)} came with a further "
                  f"exclusion on {day(further.exclusion.start_date)}." if further else
                  "Needs a further breach after the formal warning"
                  + (f" of {day(contract.warned_on)}" if contract.warned_on else "")
                  + f", with a further exclusion ({cite(BEDFORDSHIRE, '§9')})."),
            Check(meeting is not None,
                  f"The multi-agency meeting of {day(meeting.held_on)}, with an LA "
                  "representative, recommended a parenting order." if meeting else
                  "Needs a multi-agency meeting after that breach, with an LA representative, "
                  "that recommends a parenting order."),
        ])
    else:
        verdicts["escalate"] = Verdict(False, (
            "Attendance contracts are not escalated for a parenting order: end the contract "
            "and record the alternative course instead.",))

    terminate_checks = [_in_state(contract, RUNNING, "end it early")]
    if contract.kind == ContractKind.ATTENDANCE:
        warning = _latest_warning_breach(facts)
        # A review meeting held after the warning: a meeting earlier the same day, recorded
        # before the warning was decided, does not count.
        review = [c for c in facts.contacts if c.kind == "meeting" and warning and (
            c.occurred_on > contract.warned_on
            or (c.occurred_on == contract.warned_on and c.recorded_at > warning.decided_at))]
        terminate_checks.append(Check(
            bool(review),
            f"Reviewed with the parent at the meeting of {day(review[-1].occurred_on)}." if review
            else "Before ending it, warn the parent and hold a review meeting "
            f"({cite(NOTTINGHAMSHIRE)})."
            + (f" The warning was on {day(contract.warned_on)}." if contract.warned_on else ""),
        ))
    verdicts["terminate"] = Verdict.of_checks(terminate_checks)
    ends = contract.ends_on
    verdicts["complete"] = Verdict.of_checks([
        _in_state(contract, RUNNING, "complete it"),
        Check(bool(ends) and today >= ends,
              f"The end date, {day(ends)}, has come." if ends and today >= ends else
              f"It runs until {day(ends)}." if ends else "It has no end date."),
    ])
    return verdicts


def decisions_open(facts: ContractFacts) -> dict[str, Verdict]:
    """The breach ladder (Bedfordshire protocol §9): which decision the lead can take on a
    new breach now."""
    contract = facts.contract
    verdicts = {
        Decision.REASONABLE: Verdict(True, ("Record it and carry on.",)),
        Decision.NO_FAULT: Verdict(True, ("Review and amend the contract, and tell the LA "
                                          "designated officer.",)),
        Decision.UNSATISFACTORY: Verdict(True, ("Send a formal warning letter.",)),
    }
    if contract.state != State.WARNED:
        verdicts[Decision.FURTHER] = Verdict(False, (
            "Not available yet: a further breach follows a formal warning, and none has been "
            "sent.",))
    else:
        verdicts[Decision.FURTHER] = Verdict(True, (
            f"After the warning of {day(contract.warned_on)}: with a further exclusion, call a "
            "multi-agency meeting with an LA representative.",))
    return verdicts


def consent_decisions_open(facts: ContractFacts, parent: ParentCarer) -> dict[str, Verdict]:
    """What a parent's consent can change to: consent can be withdrawn only once given."""
    current = facts.consent_of(parent)
    given = current is not None and current.decision == Consent.GIVEN
    return {
        Consent.GIVEN: Verdict(True, ("The parent agrees to the sharing described.",)),
        Consent.REFUSED: Verdict(True, ("The parent does not agree.",)),
        Consent.WITHDRAWN: Verdict(given, (
            f"Given on {day(current.decided_on)}: the parent takes it back." if given else
            f"{parent.full_name} has not given consent, so there is none to withdraw.",)),
    }


def next_steps(facts: ContractFacts, *, la_officers: list[str]) -> str:
    """For a contract that has ended: what happens next, and who has it now."""
    contract = facts.contract
    on = day(contract.closed_on) if contract.closed_on else ""
    if contract.state == State.ESCALATED:
        who = "the LA designated officer" + (f" ({', '.join(la_officers)})" if la_officers
                                             else "")
        return (f"With {who} since {on}. The LA reviews the school's request and its "
                "evidence and decides whether to apply to the magistrates' court for a "
                "parenting order. The school's part of the contract has ended: keep recording "
                "exclusions, meetings and documents on the case page.")
    if contract.state == State.REFUSED:
        return (f"The parents refused on {on}. If poor behaviour leads to further exclusions, "
                "the school can ask the LA to apply for a parenting order "
                f"({cite(BEDFORDSHIRE, '§10')}).")
    return f"The contract ended on {on}: {STATE_TEXT[contract.state]}."
