"""What the headteacher may do about an adult's conduct now, and why not the rest (St Pancras
parent partnership agreement §4; Monmouthshire PRS conduct policy, "Escalation" and model
letters 1-4; Education Act 1996 s.547). Pure functions of the facts a ConductFacts carries.

Proportionality is the headteacher's judgement: Pact lets them go straight to a warning or to
conditions, and never straight to a ban without a warning, unless the ban is recorded as an
emergency with its reasons.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cases.policies import Policy
from cases.rules import Check, Verdict, day
from cases.sources import EDUCATION_ACT_1996, MONMOUTHSHIRE, ST_PANCRAS, cite
from cases.workdays import add_months, add_working_days

from .models import BEFORE_BAN, Stage

CHAIR_AGREES = (f"A ban needs the chair of governors' agreement ({cite(ST_PANCRAS, '§4')}; "
                f"{cite(MONMOUTHSHIRE, 'Escalation')})")
WARNING_FIRST = (f"A ban follows a warning letter ({cite(MONMOUTHSHIRE, 'model letter 2')}; "
                 f"{cite(ST_PANCRAS, '§4')})")
PROGRESS_MEETING = (f"A banned parent may have one progress meeting a year "
                    f"({cite(MONMOUTHSHIRE, 'model letter 4')})")


@dataclass(frozen=True)
class Actor:
    records: bool = False  # the headteacher, or the LA designated officer
    chair: bool = False  # the chair of governors of the record's school


@dataclass(frozen=True)
class ConductFacts:
    stage: str
    policy: Policy
    nation: str
    today: date
    actor: Actor
    name: str
    incident_dates: Sequence[date]
    warning_sent_on: date | None  # the latest warning letter to this adult
    chair_agreed_on: date | None
    emergency: bool
    awaiting_reply: int  # letters whose reply is not yet recorded
    last_progress_meeting_asked_on: date | None = None


# --- clocks ------------------------------------------------------------------------------------

def chair_agreement_due(*, policy: Policy, banned_on: date, nation: str) -> date:
    return add_working_days(banned_on, policy.emergency_ban_chair_working_days, nation)


def next_progress_meeting_from(last_asked_on: date) -> date:
    return add_months(last_asked_on, 12)


# --- the steps ---------------------------------------------------------------------------------

ROLE_REASON = ("The headteacher or the LA designated officer takes this step; the chair of "
               "governors and other staff read the record.")
CHAIR_ROLE_REASON = ("The chair of governors records their own agreement, or the headteacher "
                     "or the LA designated officer records it for them.")


def _stage(stage: str, allowed: Sequence[str], doing: str) -> Check:
    now = Stage(stage).label.lower()
    if stage in allowed:
        return Check(True, f"The record stands at: {now}.")
    wanted = [Stage(s).label.lower() for s in allowed]
    wanted_text = wanted[0] if len(wanted) == 1 else f"{', '.join(wanted[:-1])} or {wanted[-1]}"
    return Check(False, f"You can {doing} only when the record stands at {wanted_text}; it "
                        f"stands at: {now}.")


def _incident(facts: ConductFacts) -> Check:
    if facts.incident_dates:
        return Check(True, f"Latest incident: {day(max(facts.incident_dates))}.")
    return Check(False, f"No incident is recorded for {facts.name}: record what happened "
                        "first.")


def actions(facts: ConductFacts) -> dict[str, Verdict]:
    """Every step, allowed or not, with its reasons."""
    stage = facts.stage
    records = Check(facts.actor.records, "Your role takes this step." if facts.actor.records
                    else ROLE_REASON)
    incident = _incident(facts)
    verdicts: dict[str, Verdict] = {}

    verdicts["reminder"] = Verdict.of_checks([
        records, incident,
        _stage(stage, [Stage.NONE, Stage.REMINDED, Stage.LIFTED], "send a reminder")])
    verdicts["warning"] = Verdict.of_checks([
        records, incident,
        _stage(stage, [Stage.NONE, Stage.REMINDED, Stage.WARNED, Stage.LIFTED],
               "send a warning")])
    verdicts["conditions"] = Verdict.of_checks(
        [records, incident, _stage(stage, BEFORE_BAN, "set conditions")],
        warnings=("Conditions are provisional until the governing board (or management "
                  f"committee) reviews them ({cite(MONMOUTHSHIRE, 'model letter 3')}).",))
    verdicts["board"] = Verdict.of_checks([
        records, _stage(stage, [Stage.CONDITIONS_PROVISIONAL],
                        "record the governing board's review")])

    warned = facts.warning_sent_on
    verdicts["propose_ban"] = Verdict.of_checks(
        [records, incident, _stage(stage, BEFORE_BAN, "propose a ban"),
         Check(warned is not None,
               f"A warning letter was sent on {day(warned)}." if warned else
               f"{WARNING_FIRST}: none has been sent to {facts.name}. Where safety demands "
               "action at once, record an emergency ban with its reasons instead.")],
        warnings=(f"{CHAIR_AGREES}: record it before the ban is confirmed.",))
    verdicts["withdraw_proposal"] = Verdict.of_checks([
        records, _stage(stage, [Stage.BAN_PROPOSED], "withdraw a proposed ban")])

    agreed = facts.chair_agreed_on
    awaiting_chair = stage == Stage.BAN_PROPOSED or (stage == Stage.BANNED and facts.emergency)
    verdicts["chair"] = Verdict.of_checks([
        Check(facts.actor.records or facts.actor.chair,
              "Your role records the chair's agreement." if facts.actor.records
              or facts.actor.chair else CHAIR_ROLE_REASON),
        Check(awaiting_chair,
              "A ban waits for the chair of governors' agreement." if awaiting_chair else
              "No ban is waiting for the chair of governors' agreement."),
        Check(agreed is None, "The chair has not yet agreed." if agreed is None else
              f"The chair of governors agreed on {day(agreed)}."),
    ])
    verdicts["confirm_ban"] = Verdict.of_checks(
        [records, _stage(stage, [Stage.BAN_PROPOSED], "confirm a ban"),
         Check(agreed is not None,
               f"The chair of governors agreed on {day(agreed)}." if agreed else
               f"{CHAIR_AGREES}: none is recorded for this ban."),
         Check(warned is not None, f"A warning letter was sent on {day(warned)}." if warned
               else f"{WARNING_FIRST}: none has been sent.")],
        warnings=(f"A ban is reviewed {facts.policy.ban_review_months} months after it is "
                  f"confirmed ({cite(MONMOUTHSHIRE, 'model letter 4')}; "
                  f"{cite(EDUCATION_ACT_1996, 's.547')}).",))
    chair_by = chair_agreement_due(policy=facts.policy, banned_on=facts.today,
                                   nation=facts.nation)
    verdicts["emergency_ban"] = Verdict.of_checks(
        [records, incident, _stage(stage, BEFORE_BAN, "ban at once")],
        warnings=("Only where safety demands action at once. The chair of governors must "
                  f"agree by {day(chair_by)} ({facts.policy.emergency_ban_chair_working_days} "
                  "working days); the ban is reviewed "
                  f"{facts.policy.ban_review_months} months on.",))

    verdicts["review"] = Verdict.of_checks([
        records, _stage(stage, [Stage.CONDITIONS, Stage.BANNED], "review the restrictions")])
    verdicts["reply"] = Verdict.of_checks([
        records,
        Check(facts.awaiting_reply > 0,
              "A letter is waiting for the parent's reply." if facts.awaiting_reply else
              "No letter is waiting for a reply: each reminder, warning and conditions letter "
              "gives 10 working days, and its reply is recorded against it.")])

    asked = facts.last_progress_meeting_asked_on
    next_from = next_progress_meeting_from(asked) if asked else None
    verdicts["progress_meeting"] = Verdict.of_checks([
        records, _stage(stage, [Stage.BANNED], "record a progress meeting"),
        Check(next_from is None or facts.today >= next_from,
              f"{PROGRESS_MEETING}: none asked for in the last 12 months." if next_from is None
              or facts.today >= next_from else
              f"{PROGRESS_MEETING}: one was asked for on {day(asked)}; the next can be from "
              f"{day(next_from)}.")])
    return verdicts
