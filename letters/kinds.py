"""What each kind of letter states: the facts the person issuing it gives, and the dates Pact
works out from the rules so the letter tells the parent what they can do next and by when."""

from dataclasses import dataclass
from datetime import date

from cases import rules
from cases.policies import Policy

from .models import LetterKind


@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    type: str = "text"  # text, longtext, lines, date
    required: bool = True
    hint: str = ""


MEETING = (
    Fact("meeting_on", "Date of the meeting", "date"),
    Fact("meeting_time", "Time of the meeting", hint="For example 10:30am"),
    Fact("meeting_place", "Where the meeting is"),
    Fact("contact", "Who to contact to rearrange", hint="A name and a phone number"),
    Fact("reply_by", "Please reply by", "date"),
)
INCIDENT = (
    Fact("incident_on", "Date of the incident", "date"),
    Fact("incident", "What happened, and its effect on staff, pupils and other parents",
         "longtext"),
)

FACTS: dict[str, tuple[Fact, ...]] = {
    LetterKind.CONTRACT_INVITATION: MEETING,
    LetterKind.PARENTING_CONTRACT: (
        Fact("concerns", "Reasons for the contract: the areas of concern", "longtext"),
        Fact("aims", "What we are trying to achieve", "longtext"),
        Fact("parent_help", "What the parents would find helpful", "longtext"),
        Fact("pupil_help", "What the pupil would find helpful", "longtext"),
        Fact("objectives", "Objectives for the next three months", "lines",
             hint="One a line: what we want to happen; how; who will do it"),
        Fact("school_commitments", "The school agrees to", "lines", hint="One a line"),
        Fact("parent_commitments", "The parents agree to", "lines", hint="One a line"),
        Fact("pupil_commitments", "The pupil agrees to", "lines", required=False,
             hint="One a line, as suits the pupil's age"),
        Fact("starts_on", "Start date", "date"),
        Fact("review_on", "Review date", "date"),
        Fact("ends_on", "End date", "date"),
    ),
    LetterKind.ATTENDANCE_CONTRACT: (
        Fact("requirements", "What the parents agree to do", "lines", hint="One a line"),
        Fact("support", "The support the school or LA will give", "lines", hint="One a line"),
        Fact("lead_practitioner", "Lead practitioner", hint="Name and contact details"),
        Fact("starts_on", "Start date", "date"),
        Fact("review_on", "Review date", "date"),
        Fact("ends_on", "End date", "date"),
    ),
    LetterKind.CONTRACT_REVIEW_INVITATION: (
        Fact("contract_signed_on", "Date the contract was signed", "date"),
        Fact("reason", "Why we are reviewing the contract", "longtext"),
        *MEETING,
    ),
    LetterKind.FORMAL_WARNING: (
        Fact("contract_signed_on", "Date the contract was signed", "date"),
        Fact("breach_on", "Date of the failure to keep to the contract", "date"),
        Fact("breach", "What was not done", "longtext"),
        Fact("reply_by", "Please reply by", "date"),
    ),
    LetterKind.FINAL_WARNING: (
        Fact("summary", "The exclusions, breaches and support so far", "longtext"),
        Fact("reply_by", "Please reply by", "date"),
    ),
    LetterKind.ATTENDANCE_WARNING: (
        Fact("contract_signed_on", "Date the contract was signed", "date"),
        Fact("non_compliance", "What was not done, and the explanation given", "longtext"),
        Fact("reply_by", "Please contact us by", "date"),
    ),
    LetterKind.RO_CONFIRMATION: (
        Fact("order_made_on", "Date the court made the parenting order", "date"),
        Fact("met_on", "Date the responsible officer met the parent", "date"),
        Fact("monitoring", "How the order will be monitored", "longtext"),
        Fact("programme", "The parenting programme: provider, dates and place", "longtext"),
        Fact("review_contact", "Review and contact arrangements", "longtext"),
    ),
    LetterKind.CONDUCT_REMINDER: INCIDENT,
    LetterKind.CONDUCT_WARNING: INCIDENT,
    LetterKind.CONDUCT_CONDITIONS: (
        *INCIDENT,
        Fact("conditions", "The conditions", "lines",
             hint="One a line, for example: You must be accompanied to any meeting with staff"),
    ),
    LetterKind.CONDUCT_BAN: (
        Fact("first_letter_on", "Date of the earlier letter about the conduct", "date"),
        Fact("incident", "The conduct, with dates and its effect", "longtext"),
        Fact("response", "The parent's response, if any", "longtext", required=False),
    ),
    LetterKind.CONDUCT_REVIEW_OUTCOME: (
        Fact("reviewed_on", "Date of the review", "date"),
        Fact("outcome", "The decision", "longtext",
             hint="For example: the ban is lifted; the conditions continue"),
        Fact("reasons", "The reasons", "longtext"),
        Fact("next_review_on", "Next review date, if it continues", "date", required=False),
    ),
}

CONDUCT_LETTERS = frozenset({
    LetterKind.CONDUCT_REMINDER, LetterKind.CONDUCT_WARNING, LetterKind.CONDUCT_CONDITIONS,
})


def derived_dates(
    kind: str, *, dated: date, policy: Policy, nation: str, order_window_closes: date | None
) -> dict[str, date | None]:
    """The dates a letter states that the rules decide, not the person issuing it."""
    derived: dict[str, date | None] = {}
    if kind in CONDUCT_LETTERS:
        # A parent has 10 working days from the date of the letter to reply in writing.
        derived["reply_by"] = rules.parent_reply_due(
            policy=policy, letter_dated=dated, nation=nation
        )
    if kind == LetterKind.CONDUCT_BAN:
        derived["review_on"] = rules.ban_review_due(policy=policy, confirmed_on=dated)
    if kind == LetterKind.FINAL_WARNING:
        derived["order_window_closes"] = order_window_closes
    return derived


# Letters that are a contract's step: issued from the contract's page, as the step happens,
# so the letter and the contract's state never disagree.
CONTRACT_STEP_LETTERS = frozenset({
    LetterKind.CONTRACT_INVITATION, LetterKind.PARENTING_CONTRACT,
    LetterKind.ATTENDANCE_CONTRACT, LetterKind.FORMAL_WARNING, LetterKind.ATTENDANCE_WARNING,
})
CONTRACT_STEP_REASON = ("Issued from the contract's page, at its step (offer, signing or a "
                        "breach), so the contract records it.")
