"""Which steps of a parenting order case are open now, and why the others are not (ASBA 2003 s.20;
Bedfordshire protocol §11-14). Pure functions of the facts an OrderFacts carries; every verdict
names its dates and the source of each requirement."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import ngettext

from cases.policies import Policy
from cases.rules import (
    Check,
    ExclusionFacts,
    Verdict,
    _no_grounds_text,
    count,
    day,
    days,
    latest_grounds,
)
from cases.sources import ASBA_2003, BEDFORDSHIRE, cite
from cases.workdays import add_months, add_working_hours, why_not_a_working_day

from .models import ORDER_IN_FORCE, BuiltPack, OrderCase, State

ORDER_EVIDENCE = {
    # Bedfordshire protocol §12: what the school's request to the LA carries.
    "exclusions": "information about the relevant exclusions",
    "witness_statements": "witness statements about the exclusions",
    "engagement": "records of the parent's failure to engage",
    "support": "the support provided or attempted",
    "parenting_factor": "how parenting is a factor in the behaviour",
}


def order_candidates(
    *, policy: Policy, exclusions: Sequence[ExclusionFacts]
) -> list[ExclusionFacts]:
    """The exclusions that can be grounds for an order under the policy."""
    if policy.order_needs_serious_misbehaviour:
        return [e for e in exclusions if e.serious_misbehaviour]
    return list(exclusions)


def order_window_anchor(
    *, policy: Policy, grounds_met_on: date, contract_signed_on: date | None
) -> tuple[date, str]:
    """What the order application window runs from: the contract's signing where the policy
    says so and a contract is in place (Bedfordshire protocol §13), else the latest exclusion."""
    if policy.order_window_from_contract and contract_signed_on:
        return contract_signed_on, f"the contract signed on {day(contract_signed_on)}"
    return grounds_met_on, f"the latest exclusion, on {day(grounds_met_on)}"


def order_application_eligibility(
    *,
    policy: Policy,
    exclusions: Sequence[ExclusionFacts],
    today: date,
    contract_signed_on: date | None,
    evidence: Mapping[str, bool],
    final_warning_issued_on: date | None,
) -> Verdict:
    """Whether the LA may apply to the magistrates' court for a parenting order now
    (ASBA 2003 s.20; Bedfordshire protocol §11-13). Only the LA applies: a school asks the LA."""
    candidates = order_candidates(policy=policy, exclusions=exclusions)
    grounds = latest_grounds(
        candidates,
        two_suspensions=policy.order_needs_two_suspensions,
        window_months=policy.suspension_window_months,
    )
    checks: list[Check] = []
    warnings: list[str] = []
    # What the pack holds does not depend on the grounds: it is always said, so that whoever
    # prepares an application sees everything it still lacks at once.
    missing = [label for key, label in ORDER_EVIDENCE.items() if not evidence.get(key)]
    pack = [
        Check(not missing, "The evidence pack is complete." if not missing else
              f"The evidence pack lacks {'; '.join(missing)}."),
        Check(final_warning_issued_on is not None,
              f"A final warning letter was issued on {day(final_warning_issued_on)}."
              if final_warning_issued_on else
              "No final warning letter has been issued to the parent "
              f"({cite(BEDFORDSHIRE, '§12')})."),
    ]
    if grounds is None:
        needed = policy.order_basis
        if policy.order_needs_serious_misbehaviour and len(candidates) < len(exclusions):
            marked = ngettext("is", "are", len(candidates))
            checks.append(Check(False, (
                f"Needs {needed}; of {count(len(exclusions), 'exclusion', 'exclusions')}, "
                f"{len(candidates)} {marked} marked serious misbehaviour."
            )))
        else:
            checks.append(Check(False, _no_grounds_text(
                candidates, two_suspensions=policy.order_needs_two_suspensions, needed=needed
            )))
        return Verdict.of_checks([*checks, *pack])
    checks.append(Check(True, f"Grounds: {grounds.text}."))
    if not policy.order_needs_serious_misbehaviour and not any(
        e.serious_misbehaviour for e in grounds.exclusions
    ):
        warnings.append("None of these exclusions is marked serious misbehaviour; the court "
                        "will ask about the seriousness of the behaviour.")

    unfinished = [e for e in grounds.exclusions if not e.statutory_process_ended_on]
    ended_on = max(
        (e.statutory_process_ended_on for e in grounds.exclusions
         if e.statutory_process_ended_on),
        default=None,
    )
    # "Applications ... must be made after any date that ends the statutory exclusion process"
    # (Bedfordshire protocol §13): from the day after that date, never on it.
    if unfinished:
        checks.append(Check(False, (
            "The statutory exclusion process has not ended for the exclusion of "
            f"{days(e.start_date for e in unfinished)}: an application can only follow it "
            f"({cite(BEDFORDSHIRE, '§13')})."
        )))
    elif ended_on >= today:
        checks.append(Check(False, (
            f"The statutory exclusion process ends on {day(ended_on)}: an application can be "
            f"made from the day after, {day(ended_on + timedelta(days=1))} "
            f"({cite(BEDFORDSHIRE, '§13')})."
        )))
    else:
        checks.append(Check(True, f"The statutory exclusion process ended on {day(ended_on)}."))

    anchor, anchor_text = order_window_anchor(
        policy=policy, grounds_met_on=grounds.met_on, contract_signed_on=contract_signed_on
    )
    closes = add_months(anchor, policy.order_window_months)
    checks.append(Check(
        today <= closes,
        f"Within {policy.order_window_months} months of {anchor_text}: apply by {day(closes)}."
        if today <= closes else
        f"More than {policy.order_window_months} months since {anchor_text}: the window "
        f"closed on {day(closes)}.",
    ))
    return Verdict.of_checks(
        [*checks, *pack],
        holds_from=max(filter(None, [ended_on + timedelta(days=1) if ended_on else None,
                                     final_warning_issued_on, anchor])),
        holds_until=closes, warnings=warnings,
    )




# --- clocks ----------------------------------------------------------------------------------

def order_window_closes(*, policy: Policy, anchor: date) -> date:
    return add_months(anchor, policy.order_window_months)


def _plus_hours(start: datetime, hours: int, *, policy: Policy, nation: str) -> datetime:
    if policy.ro_hours_are_working_hours:
        return add_working_hours(start, hours, nation)
    return start + timedelta(hours=hours)


def ro_meeting_due(*, policy: Policy, order_made_at: datetime, nation: str) -> datetime:
    """The responsible officer meets the parent within 48 hours of the order (Bedfordshire protocol
    §14)."""
    return _plus_hours(order_made_at, policy.ro_meeting_hours, policy=policy, nation=nation)


def ro_confirmation_due(*, policy: Policy, met_at: datetime, nation: str) -> datetime:
    """...and confirms the arrangements in writing within 48 hours of that meeting."""
    return _plus_hours(met_at, policy.ro_confirmation_hours, policy=policy, nation=nation)


def due_text(due: datetime, *, nation: str) -> str:
    """A due time as the page says it, plainly naming a weekend or bank holiday."""
    local = timezone.localtime(due)
    text = f"{local:%A %-d %B %Y, %H:%M}"
    off = why_not_a_working_day(local.date(), nation)
    return f"{text} ({off}: the school and the LA may be closed)" if off else text


def order_measure_limits(policy: Policy, made_on: date) -> tuple[date, date]:
    """The latest end of the programme and of the other requirements an order can set: the
    programme up to 3 months (ASBA 2003 s.20(4)); other requirements up to 12 months in
    statute, 3 in the Bedfordshire protocol §11 (policy values)."""
    return (add_months(made_on, policy.order_programme_max_months),
            add_months(made_on, policy.order_requirements_max_months))


# --- the steps of an order case --------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """What the person looking at the case may do, by their roles."""

    la: bool = False  # records case work for the pupil's LA
    school: bool = False  # records case work at the pupil's school
    panel_member: bool = False  # sits on the LA's legal panel
    responsible_officer: bool = False  # named by the court to supervise this order


@dataclass(frozen=True)
class OrderFacts:
    case: OrderCase
    policy: Policy
    today: date
    nation: str
    actor: Actor
    exclusions: Sequence[ExclusionFacts]
    contract_signed_on: date | None
    evidence: Mapping[str, bool]
    final_warning_issued_on: date | None
    latest_pack: BuiltPack | None = None
    pack_building: bool = False
    first_meeting_at: datetime | None = None
    confirmed_on: date | None = None


# Each stage as it reads after "the case is".
STAGE_WORDS = {
    State.REQUESTED: "requested",
    State.UNDER_REVIEW: "under LA review",
    State.AT_PANEL: "at the legal panel",
    State.PROCEEDING: "proceeding (the panel agreed)",
    State.NOT_PROCEEDING: "not proceeding",
    State.APPLIED: "applied for",
    State.HEARING_LISTED: "listed for a hearing",
    State.REFUSED: "refused by the court",
    State.WITHDRAWN: "withdrawn",
    State.RUNNING: "an order made and running",
    State.BREACHED: "an order breached",
    State.BREACH_REFERRED: "a breach with the legal panel",
    State.BREACH_PROCEEDINGS: "in breach proceedings",
    State.COMPLETED: "completed",
}


def _state(case, states, doing: str) -> Check:
    states = [states] if isinstance(states, str) else list(states)
    now = STAGE_WORDS[case.state]
    if case.state in states:
        return Check(True, f"The case is {now}.")
    wanted = [STAGE_WORDS[State(s)] for s in states]
    wanted_text = wanted[0] if len(wanted) == 1 else f"{', '.join(wanted[:-1])} or {wanted[-1]}"
    return Check(False, f"You can {doing} only when the case is {wanted_text}; it is {now}.")


LA_ONLY = ("Only an LA officer does this: the LA reviews the request, takes it to the legal "
           f"panel and the court ({cite(BEDFORDSHIRE, '§11-12')}).")
ROLE_REASONS = {
    "la": LA_ONLY,
    "apply": ("Only the local authority can apply to the magistrates' court for a parenting "
              "order; a school asks the LA to apply "
              f"({cite(ASBA_2003, 's.20')}; {cite(BEDFORDSHIRE, '§11')})."),
    "responsible_officer": ("The responsible officer named in the order, or an LA officer, "
                            f"records this ({cite(BEDFORDSHIRE, '§14')})."),
    "school_or_la": "The school, or the LA, issues the final warning letter "
                    f"({cite(BEDFORDSHIRE, '§12')}).",
    "panel_member": "Legal panel members record their views here.",
}
# Who does each step.
ROLES = {
    "review": "la", "final_warning": "school_or_la", "pack": "la", "panel": "la",
    "view": "panel_member", "decision": "la", "apply": "apply", "hearing": "la",
    "outcome": "la", "withdraw": "la", "ro_meeting": "responsible_officer",
    "ro_confirmation": "responsible_officer", "contact": "responsible_officer",
    "attendance": "responsible_officer", "breach": "responsible_officer",
    "refer_breach": "responsible_officer", "breach_decision": "la", "breach_outcome": "la",
    "complete": "la",
}


def role_check(step: str, actor: Actor) -> Check:
    """Whether the person's role does this step at all: an LA officer, the school, the named
    responsible officer, a legal panel member."""
    role = ROLES[step]
    allowed = {
        "la": actor.la, "apply": actor.la, "panel_member": actor.panel_member,
        "responsible_officer": actor.la or actor.responsible_officer,
        "school_or_la": actor.la or actor.school,
    }[role]
    return Check(allowed, "Your role does this step." if allowed else ROLE_REASONS[role])


def pack_completeness(facts: OrderFacts) -> Check:
    """The legal panel sits on a complete pack: every kind of evidence the protocol asks for,
    and the final warning letter (Bedfordshire protocol §12)."""
    pack = facts.latest_pack
    if pack is None:
        return Check(False, "Build the evidence pack first: the legal panel considers the "
                            "case on its pack.")
    missing = [label for key, label in ORDER_EVIDENCE.items() if key not in pack.categories]
    if not pack.final_warning:
        missing.append("the final warning letter to the parent")
    version = f"The evidence pack (version {pack.pack.version}, built {day(pack.built_at)})"
    if missing:
        return Check(False, f"{version} lacks {'; '.join(missing)}: add them to the case and "
                            f"build the pack again ({cite(BEDFORDSHIRE, '§12')}).")
    return Check(True, f"{version} holds every kind of evidence and the final warning letter.")


def application(facts: OrderFacts) -> Verdict:
    """The order rule, on the day an application would be made."""
    return order_application_eligibility(
        policy=facts.policy, exclusions=facts.exclusions, today=facts.today,
        contract_signed_on=facts.contract_signed_on, evidence=facts.evidence,
        final_warning_issued_on=facts.final_warning_issued_on,
    )


def actions(facts: OrderFacts) -> dict[str, Verdict]:
    """Every step, allowed or not, with its reasons."""
    case, today = facts.case, facts.today
    verdicts: dict[str, Verdict] = {}
    def role(step: str) -> Check:
        return role_check(step, facts.actor)

    verdicts["review"] = Verdict.of_checks([
        _state(case, State.REQUESTED, "start the LA's review"), role("review")])
    warned = facts.final_warning_issued_on
    verdicts["final_warning"] = Verdict.of_checks(
        [_state(case, [State.REQUESTED, State.UNDER_REVIEW, State.AT_PANEL],
                "issue the final warning"),
         role("final_warning")],
        warnings=(f"A final warning letter was already issued on {day(warned)}.",)
        if warned else (),
    )
    verdicts["pack"] = Verdict.of_checks([
        _state(case, [State.UNDER_REVIEW, State.AT_PANEL, State.PROCEEDING, State.APPLIED,
                      State.HEARING_LISTED], "build the evidence pack"),
        role("pack"),
        Check(not facts.pack_building,
              "No other version is being built." if not facts.pack_building else
              "A version of the pack is being built: wait for it to finish."),
    ])
    verdicts["panel"] = Verdict.of_checks([
        _state(case, State.UNDER_REVIEW, "take the case to the legal panel"), role("panel"),
        pack_completeness(facts)])
    verdicts["view"] = Verdict.of_checks([
        _state(case, State.AT_PANEL, "record a view for the panel"), role("view")])
    verdicts["decision"] = Verdict.of_checks([
        _state(case, State.AT_PANEL, "record the panel's decision"), role("decision")])
    rule = application(facts)
    verdicts["apply"] = Verdict.of_checks(
        [_state(case, State.PROCEEDING, "apply to the court"),
         role("apply"), *rule.checks],
        holds_until=rule.holds_until, warnings=rule.warnings)
    verdicts["hearing"] = Verdict.of_checks([
        _state(case, State.APPLIED, "record the hearing date"), role("hearing")])
    verdicts["outcome"] = Verdict.of_checks([
        _state(case, State.HEARING_LISTED, "record the court's decision"), role("outcome")])
    verdicts["withdraw"] = Verdict.of_checks([
        _state(case, [State.PROCEEDING, State.APPLIED, State.HEARING_LISTED],
               "withdraw the application"), role("withdraw")])

    met = facts.first_meeting_at
    verdicts["ro_meeting"] = Verdict.of_checks([
        _state(case, ORDER_IN_FORCE, "record the first meeting"), role("ro_meeting"),
        Check(met is None, "The first meeting is still to record." if met is None else
              f"The first meeting was on {day(met)}.")])
    confirmed = facts.confirmed_on
    verdicts["ro_confirmation"] = Verdict.of_checks([
        _state(case, ORDER_IN_FORCE, "confirm the order in writing"), role("ro_confirmation"),
        Check(met is not None, "After the first meeting." if met else
              "Record the responsible officer's first meeting with the parent first: the "
              "confirmation follows it."),
        Check(confirmed is None, "Not yet confirmed in writing." if confirmed is None else
              f"Confirmed in writing on {day(confirmed)}."),
    ])
    verdicts["contact"] = Verdict.of_checks([
        _state(case, ORDER_IN_FORCE, "record monitoring"), role("contact")])
    verdicts["attendance"] = Verdict.of_checks([
        _state(case, ORDER_IN_FORCE, "record a programme session"), role("attendance"),
        Check(case.programme_id is not None, "The order names a parenting programme."
              if case.programme_id else "The order names no parenting programme.")])
    verdicts["breach"] = Verdict.of_checks([
        _state(case, State.RUNNING, "record a breach"), role("breach")])
    verdicts["refer_breach"] = Verdict.of_checks([
        _state(case, State.BREACHED, "refer the breach to the legal panel"),
        role("refer_breach")])
    verdicts["breach_decision"] = Verdict.of_checks([
        _state(case, State.BREACH_REFERRED, "record the panel's decision on the breach"),
        role("breach_decision")])
    verdicts["breach_outcome"] = Verdict.of_checks([
        _state(case, State.BREACH_PROCEEDINGS, "record the outcome of breach proceedings"),
        role("breach_outcome")])
    ends = [d for d in (case.programme_ends_on, case.requirements_end_on) if d]
    last = max(ends) if ends else None
    verdicts["complete"] = Verdict.of_checks([
        _state(case, State.RUNNING, "complete the order"), role("complete"),
        Check(bool(last) and today > last,
              f"Every requirement ended by {day(last)}." if last and today > last else
              f"Its requirements run until {day(last)}." if last else
              "The order has no end date recorded."),
    ])
    return verdicts


def next_steps(case: OrderCase) -> str:
    """For a case that has ended, what it means now."""
    on = day(case.closed_on) if case.closed_on else ""
    if case.state == State.NOT_PROCEEDING:
        return (f"The legal panel decided on {day(case.panel_decided_on)} not to apply for an "
                "order. The school and the LA can keep supporting the family; a new request "
                "can be made if things change.")
    if case.state == State.COMPLETED:
        return f"The order's requirements ended and it was completed on {on}."
    return f"The case ended on {on}: {case.get_state_display().lower()}."

