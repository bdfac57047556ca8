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
    # text, longtext, date; lines (one a line); rows (one a line, parts split by ";" into
    # `columns`); records (a list the step's service gives, never typed into a form).
    type: str = "text"
    required: bool = True
    hint: str = ""
    columns: int = 0


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
    # Every section of the Bedfordshire protocol's model contract (Appendix 3), filled in
    # from the contract when it is signed.
    LetterKind.PARENTING_CONTRACT: (
        Fact("home_address", "The pupil's home address", required=False),
        Fact("home_phone", "Home phone", required=False),
        Fact("parents", "Parents and carers: name, relationship, contact details", "records"),
        Fact("support_services", "Support services and agencies attending", "rows",
             required=False, columns=2),
        Fact("link_professional", "Link professional", required=False),
        Fact("link_professional_position", "Link professional's position", required=False),
        Fact("concerns", "Reasons for the contract: the areas of concern", "longtext"),
        Fact("aims", "What we are trying to achieve", "longtext"),
        Fact("parent_involvement", "How the parents can be involved in achieving this",
             "longtext", required=False),
        Fact("obstacles", "What might stop this from happening", "longtext", required=False),
        Fact("overcoming", "How we can overcome these difficulties", "longtext",
             required=False),
        Fact("help_by_parent", "What each parent would find helpful", "records"),
        Fact("pupil_help", "What the pupil would find helpful", "longtext", required=False),
        Fact("school_help", "What the school and other agencies would find helpful",
             "longtext", required=False),
        Fact("objectives", "Objectives for the next three months", "rows", columns=3,
             hint="One a line: what we want to happen; how; who will do it"),
        Fact("school_commitments", "The school agrees to", "lines", hint="One a line"),
        Fact("parent_commitments", "The parents agree to", "lines", hint="One a line"),
        Fact("pupil_commitments", "The pupil agrees to", "lines", required=False,
             hint="One a line, as suits the pupil's age"),
        Fact("next_meeting", "When we will next meet", required=False),
        Fact("other_dates", "Other important dates", "longtext", required=False),
        Fact("starts_on", "Start date", "date"),
        Fact("review_on", "Review date", "date"),
        Fact("ends_on", "End date", "date"),
        Fact("additional_contacts", "Additional contact details", "longtext", required=False),
        Fact("consent", "Each parent's decision about sharing information", "records"),
        Fact("copies_to", "Copies given to", "lines", required=False),
    ),
    LetterKind.ATTENDANCE_CONTRACT: (
        Fact("requirements", "What the parents agree to do", "lines", hint="One a line"),
        Fact("support", "The support the school or LA will give", "lines", hint="One a line"),
        Fact("lead_practitioner", "Lead practitioner", hint="Name and contact details"),
        Fact("starts_on", "Start date", "date"),
        Fact("review_on", "Review date", "date"),
        Fact("ends_on", "End date", "date"),
        Fact("consent", "Each parent's decision about sharing information", "records"),
        Fact("copies_to", "Copies given to", "lines", required=False),
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
        # From the order rule, when the order case issues the letter.
        Fact("order_window_closes", "The application window closes on", "date",
             required=False),
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
        Fact("first_letter_on", "Date of the earlier letter about the conduct", "date",
             required=False),
        Fact("incident", "The conduct, with dates and its effect", "longtext"),
        Fact("response", "The parent's response, if any", "longtext", required=False),
        # An emergency ban, made before the chair of governors could agree: why it could not
        # wait.
        Fact("emergency_reasons", "Why the ban could not wait", "longtext", required=False),
    ),
    LetterKind.CONDUCT_REVIEW_OUTCOME: (
        Fact("reviewed_on", "Date of the review", "date"),
        Fact("outcome", "The decision", "longtext",
             hint="For example: the ban is lifted; the conditions continue"),
        Fact("reasons", "The reasons", "longtext"),
        Fact("next_review_on", "Next review date, if it continues", "date", required=False),
    ),
}

# What a kind of letter's facts look like when the wording is checked, before any letter is
# real: a new version of wording is rendered with these, and its result checked, before it is
# saved (letters.services.template_save).
SAMPLE_BY_TYPE = {
    "date": date(2026, 12, 2),
    "text": "the school office",
    "longtext": "Jordan left lessons without permission on three days.",
    "lines": "Attend every review meeting\nBring Jordan to school by 8:45am",
    "rows": "Jordan attends every lesson; a daily report card; the form tutor",
}
SAMPLE_RECORDS = {
    "parents": [{"name": "Ms Ama Mensah", "relationship": "Birth or adoptive parent",
                 "contact": ""}],
    "help_by_parent": [{"name": "Ms Ama Mensah", "help": "A call from the form tutor"}],
    "consent": [{"name": "Ms Ama Mensah", "decision": "given", "on": date(2026, 12, 2),
                 "given_on": date(2026, 12, 2)}],
}


# The longest a typed fact can be (letters.forms): wording is checked against facts this long.
TYPED_LIMITS = {"text": 300, "longtext": 4000, "lines": 4000, "rows": 4000}


def sample_facts(kind: str, *, largest: bool = False) -> dict:
    """A sample of each fact the kind states; `largest`, each as long as a form lets it be."""
    facts = {}
    for spec in FACTS[kind]:
        if spec.type == "records":
            value = SAMPLE_RECORDS[spec.name]
        else:
            value = SAMPLE_BY_TYPE[spec.type]
            if largest and spec.type in TYPED_LIMITS:
                joiner = " " if spec.type in {"text", "longtext"} else "\n"
                times = TYPED_LIMITS[spec.type] // (len(value) + 1)
                value = joiner.join([value] * times)
        facts[spec.name] = value
    return facts


def lines(text) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def shaped(kind: str, given: dict) -> dict:
    """The facts as a template reads them: lines as lists, rows split into their columns."""
    facts = {}
    for spec in FACTS[kind]:
        value = given.get(spec.name)
        if spec.type == "lines":
            value = lines(value)
        elif spec.type == "rows":
            # One a line, its parts split by semicolons: "what; how; who".
            value = [([p.strip() for p in line.split(";")] + [""] * spec.columns)[:spec.columns]
                     for line in lines(value)]
        elif spec.type == "records":
            value = list(value or [])
        facts[spec.name] = value
    return facts


# Conduct letters that give the parent time to reply in writing (the model letters of the
# Monmouthshire PRS conduct policy): the reply date is the rule's, not the writer's.
REPLY_LETTERS = frozenset({
    LetterKind.CONDUCT_REMINDER, LetterKind.CONDUCT_WARNING, LetterKind.CONDUCT_CONDITIONS,
})


def derived_dates(kind: str, *, dated: date, policy: Policy, nation: str) -> dict[str, date]:
    """The dates a letter states that the rules decide, not the person issuing it."""
    derived: dict[str, date] = {}
    if kind in REPLY_LETTERS:
        # A parent has 10 working days from the date of the letter to reply in writing.
        derived["reply_by"] = rules.parent_reply_due(
            policy=policy, letter_dated=dated, nation=nation
        )
    if kind == LetterKind.CONDUCT_BAN:
        derived["review_on"] = rules.ban_review_due(policy=policy, confirmed_on=dated)
    return derived


# Letters that are a step of a case: issued from the contract's or the order case's page, as
# the step happens, so the letter and the case never disagree.
STEP_LETTERS = {
    LetterKind.CONTRACT_INVITATION: "contract",
    LetterKind.PARENTING_CONTRACT: "contract",
    LetterKind.ATTENDANCE_CONTRACT: "contract",
    LetterKind.FORMAL_WARNING: "contract",
    LetterKind.ATTENDANCE_WARNING: "contract",
    LetterKind.FINAL_WARNING: "order",
    LetterKind.RO_CONFIRMATION: "order",
    LetterKind.CONDUCT_REMINDER: "conduct",
    LetterKind.CONDUCT_WARNING: "conduct",
    LetterKind.CONDUCT_CONDITIONS: "conduct",
    LetterKind.CONDUCT_BAN: "conduct",
    LetterKind.CONDUCT_REVIEW_OUTCOME: "conduct",
}
STEP_REASONS = {
    "contract": "Issued from the contract's page, at its step (offer, signing or a breach), so "
                "the contract records it.",
    "order": "Issued from the parenting order case's page, at its step (the final warning, or "
             "the responsible officer's confirmation), so the case records it.",
    "conduct": "Issued from the adult's conduct record, at its step (a reminder, a warning, "
               "conditions, a ban or a review), so the record keeps it and only those who see "
               "conduct records read it.",
}


# The Celery task that issues each kind of letter sent in batches, by its dotted path: the app
# whose step the letter is owns the task (a contract meeting invitation offers a contract).
BATCH_TASKS = {
    LetterKind.CONTRACT_INVITATION: "contracts.tasks.invite_to_contract_meetings",
}
