"""Rules that gate case work. Each returns a Verdict: allowed or not, why in words a school
lead understands (naming the dates and records used), and the dates between which it holds.
Pure functions of facts: no queries, no clock (today is passed in). Numbers come from the LA's
policy (cases.policies)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.utils.translation import ngettext

from .models import ExclusionKind, Relationship
from .policies import Policy
from .sources import BEDFORDSHIRE, NOTTINGHAMSHIRE, cite
from .workdays import add_months, add_working_days


@dataclass(frozen=True)
class Check:
    met: bool
    text: str
    href: str = ""  # the record the check names, where the page can link to it


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    holds_from: date | None = None
    holds_until: date | None = None
    warnings: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()

    def __bool__(self) -> bool:
        return self.allowed

    @classmethod
    def of_checks(
        cls,
        checks: Sequence[Check],
        *,
        holds_from: date | None = None,
        holds_until: date | None = None,
        warnings: Sequence[str] = (),
    ) -> "Verdict":
        """Allowed when every check is met; the reasons are the unmet checks, or else all."""
        unmet = tuple(c.text for c in checks if not c.met)
        return cls(
            allowed=not unmet,
            reasons=unmet or tuple(c.text for c in checks),
            holds_from=holds_from if not unmet else None,
            holds_until=holds_until,
            warnings=tuple(warnings),
            checks=tuple(checks),
        )


class ExclusionFacts(Protocol):
    kind: str
    start_date: date
    serious_misbehaviour: bool
    statutory_process_ended_on: date | None


def day(value: date) -> str:
    return f"{value:%-d %b %Y}"


def count(number: int, singular: str, plural: str) -> str:
    """"1 exclusion", "4 exclusions"."""
    return f"{number} {ngettext(singular, plural, number)}"


def days(values: Iterable[date]) -> str:
    return ", ".join(day(v) for v in values)


# --- the case file -----------------------------------------------------------------------

# A headteacher may suspend a pupil for at most 45 school days in one academic year:
# School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012, reg. 4 and
# Education (Pupil Exclusions and Appeals) (Maintained Schools) (Wales) Regulations 2003, reg. 3.
SUSPENSION_DAYS_CAP = Decimal(45)


def parent_definition(
    *, relationship: str, parental_responsibility: bool, has_care: bool
) -> Verdict:
    """Who counts as a parent for parenting contracts and orders (s.576 Education Act 1996)."""
    if relationship == Relationship.CORPORATE_PARENT:
        return Verdict(False, (
            "A local authority that holds a care order is a corporate parent. It is not a "
            "parent for parenting contracts or orders (Education Act 1996, section 576). Record "
            "the pupil as looked after instead.",
        ))
    if relationship == Relationship.BIRTH_PARENT:
        return Verdict(True, ("A birth or adoptive parent is a parent under section 576.",))
    if parental_responsibility or has_care:
        held = " and ".join(
            part for part, holds in (
                ("holds parental responsibility", parental_responsibility),
                ("has care of the child", has_care),
            ) if holds
        )
        return Verdict(True, (f"This person {held}, so is a parent under section 576.",))
    return Verdict(False, (
        f"A {Relationship(relationship).label.lower()} is a parent for these measures only if "
        "they hold parental responsibility or have care of the child (Education Act 1996, "
        "section 576). Select at least one, or do not record them as a parent or carer.",
    ))


def academic_year_start(value: date) -> date:
    """Academic years in England and Wales run from 1 September to 31 August."""
    return date(value.year if value.month >= 9 else value.year - 1, 9, 1)


def academic_year_label(value: date) -> str:
    start = academic_year_start(value)
    return f"{start.year}/{str(start.year + 1)[-2:]}"


def suspension_cap(*, days_in_year: Decimal, year_of: date) -> Verdict:
    """Allowed while a pupil's suspensions in one academic year total at most 45 school days.
    Past it, the record is kept (it happened) and staff are warned."""
    label = academic_year_label(year_of)
    if days_in_year > SUSPENSION_DAYS_CAP:
        return Verdict(False, (
            f"This pupil has now been suspended for {days_in_year.normalize():f} school days in "
            f"{label}. The legal limit is {SUSPENSION_DAYS_CAP} school days in an academic year.",
        ))
    return Verdict(True, (
        f"{days_in_year.normalize():f} of {SUSPENSION_DAYS_CAP} school days of suspension "
        f"used in {label}.",
    ))


def statutory_process_end_problem(
    *, exclusion_started_on: date, ended_on: date, today: date
) -> str | None:
    """Why a date cannot be recorded as the end of an exclusion's statutory process, or None.
    The end is a fact that has happened (a governing board review held, the time for a review
    panel passed, a panel's decision): never before the exclusion, never in the future."""
    if ended_on < exclusion_started_on:
        return "The statutory process cannot end before the exclusion starts"
    if ended_on > today:
        return ("The statutory process cannot be recorded as ended on a date still to come: "
                "record it once it has ended")
    return None


# --- exclusions as grounds ---------------------------------------------------------------

def _suspensions(exclusions: Iterable[ExclusionFacts]) -> list[ExclusionFacts]:
    return sorted(
        (e for e in exclusions if e.kind != ExclusionKind.PERMANENT), key=lambda e: e.start_date
    )


def _permanent(exclusions: Iterable[ExclusionFacts]) -> list[ExclusionFacts]:
    return sorted(
        (e for e in exclusions if e.kind == ExclusionKind.PERMANENT), key=lambda e: e.start_date
    )


def suspension_pairs(
    exclusions: Iterable[ExclusionFacts], *, within_months: int
) -> list[tuple[ExclusionFacts, ExclusionFacts]]:
    """Each suspension with the one before it, where the two started within `within_months`
    calendar months of each other (exactly 12 months apart is within; a day more is not)."""
    ordered = _suspensions(exclusions)
    return [
        (first, second)
        for first, second in zip(ordered, ordered[1:], strict=False)
        if second.start_date <= add_months(first.start_date, within_months)
    ]


@dataclass(frozen=True)
class Grounds:
    """The exclusions that make a measure available, and the date they were complete."""

    exclusions: tuple[ExclusionFacts, ...]
    text: str

    @property
    def met_on(self) -> date:
        return self.exclusions[-1].start_date


def latest_grounds(
    exclusions: Sequence[ExclusionFacts], *, two_suspensions: bool, window_months: int
) -> Grounds | None:
    """The most recent grounds: a permanent exclusion; or two suspensions within the window
    when the policy asks for two, any exclusion when it does not."""
    candidates: list[Grounds] = [
        Grounds((e,), f"permanently excluded on {day(e.start_date)}")
        for e in _permanent(exclusions)
    ]
    if two_suspensions:
        candidates += [
            Grounds(
                pair,
                f"2 suspensions within {window_months} months: "
                f"{day(pair[0].start_date)} and {day(pair[1].start_date)}",
            )
            for pair in suspension_pairs(exclusions, within_months=window_months)
        ]
    else:
        candidates += [
            Grounds((e,), f"suspended on {day(e.start_date)}") for e in _suspensions(exclusions)
        ]
    return max(candidates, key=lambda g: g.met_on, default=None)


def _no_grounds_text(
    exclusions: Sequence[ExclusionFacts], *, two_suspensions: bool, needed: str
) -> str:
    suspensions = _suspensions(exclusions)
    if two_suspensions:
        found = (
            f"found {len(suspensions)}: {days(e.start_date for e in suspensions)}"
            if suspensions else "found none"
        )
        return f"Needs {needed}; {found}."
    return f"Needs {needed}; none is recorded."


# --- behaviour contract ------------------------------------------------------------------

@dataclass(frozen=True)
class ContractInHand:
    """A contract of the same kind the pupil already has, as the rule needs to name it."""

    where_it_stands: str  # "signed and running, since 3 Mar 2026"
    draft: bool = False
    href: str = ""


def _contracts_in_hand_check(kind: str, in_hand: Sequence[ContractInHand]) -> Check | None:
    """A contract already offered, running or escalated stops another being offered: the
    parents would be written to twice, and the evidence would split between two."""
    current = next((c for c in in_hand if not c.draft), None)
    if current is None:
        return None
    return Check(
        False,
        f"A {kind} is already {current.where_it_stands}: work with that one rather than "
        "offering another.",
        current.href,
    )


def _draft_warnings(kind: str, in_hand: Sequence[ContractInHand]) -> tuple[str, ...]:
    return tuple(
        f"A {kind} is already {c.where_it_stands}: continue it rather than starting another."
        for c in in_hand if c.draft
    )


def contract_grounds(
    *, policy: Policy, exclusions: Sequence[ExclusionFacts]
) -> tuple[Grounds, date] | None:
    """The pupil's latest grounds for a behaviour contract under the policy, and the last day
    they stand: what "eligible now" keeps per pupil (cases.grounds), and the rule reads."""
    grounds = latest_grounds(
        exclusions,
        two_suspensions=policy.contract_needs_two_suspensions,
        window_months=policy.suspension_window_months,
    )
    if grounds is None:
        return None
    return grounds, add_months(grounds.met_on, policy.contract_recency_months)


def behaviour_contract_eligibility(
    *,
    policy: Policy,
    exclusions: Sequence[ExclusionFacts],
    looked_after: bool,
    today: date,
    in_hand: Sequence[ContractInHand] = (),
) -> Verdict:
    """Whether a behaviour parenting contract (ASBA 2003 s.19) may be offered now."""
    if looked_after and policy.looked_after_blocks_contract:
        return Verdict(False, (
            "Not appropriate: the pupil is looked after (in statutory public care). Work with "
            "the pupil's social worker and carers instead "
            f"({cite(BEDFORDSHIRE, '§5')}).",
        ))
    found = contract_grounds(policy=policy, exclusions=exclusions)
    if found is None:
        return Verdict(False, (_no_grounds_text(
            exclusions, two_suspensions=policy.contract_needs_two_suspensions,
            needed=policy.contract_basis,
        ),))
    grounds, until = found
    if today > until:
        return Verdict(False, (
            f"The last grounds ({grounds.text}) are more than "
            f"{policy.contract_recency_months} months old: they lapsed on {day(until)}.",
        ))
    checks = [Check(True, f"Available: {grounds.text}.")]
    in_hand_check = _contracts_in_hand_check("behaviour contract", in_hand)
    if in_hand_check:
        checks.append(in_hand_check)
    return Verdict.of_checks(
        checks, holds_from=grounds.met_on, holds_until=until,
        warnings=_draft_warnings("behaviour contract", in_hand),
    )


def contract_duration(*, policy: Policy, starts_on: date, ends_on: date) -> Verdict:
    """A contract runs at least 3 and at most 12 months (Bedfordshire protocol §8). Outside that it
    may still be agreed, with a warning; an end before the start is refused."""
    if ends_on <= starts_on:
        return Verdict(False, ("The end date must be after the start date.",))
    shortest = add_months(starts_on, policy.contract_min_months)
    longest = add_months(starts_on, policy.contract_max_months)
    warnings = []
    if ends_on < shortest:
        warnings.append(
            f"Shorter than {policy.contract_min_months} months (ends before {day(shortest)}): "
            "too short to measure its effect."
        )
    if ends_on > longest:
        warnings.append(
            f"Longer than {policy.contract_max_months} months (ends after {day(longest)}): "
            "a longer contract can be counter-productive."
        )
    return Verdict(
        True, (f"Runs from {day(starts_on)} to {day(ends_on)}.",),
        holds_from=starts_on, holds_until=ends_on, warnings=tuple(warnings),
    )


# --- attendance contract -----------------------------------------------------------------

def compulsory_school_age(date_of_birth: date) -> tuple[date, date]:
    """First and last day of compulsory school age in England and Wales: from the prescribed
    day (31 December, 31 March or 31 August) on or after the fifth birthday (Education Act 1996
    s.8; Education (Start of Compulsory School Age) Order 1998) to the last Friday in June of
    the school year in which the child turns 16 (Education (School Leaving Date) Order 1997)."""
    fifth = add_months(date_of_birth, 60)
    prescribed = [date(fifth.year, 3, 31), date(fifth.year, 8, 31), date(fifth.year, 12, 31)]
    starts = min(d for d in prescribed if d >= fifth)
    sixteenth = add_months(date_of_birth, 192)
    leaving_year = sixteenth.year + (1 if sixteenth.month >= 9 else 0)
    june_end = date(leaving_year, 6, 30)
    ends = date.fromordinal(june_end.toordinal() - (june_end.weekday() - 4) % 7)
    return starts, ends


def attendance_contract_preconditions(
    *,
    parent_names: Sequence[str],
    date_of_birth: date,
    today: date,
    in_hand: Sequence[ContractInHand] = (),
) -> Verdict:
    """Whether an attendance contract may be offered (Nottinghamshire guidance; Education Act 1996
    s.444)."""
    starts, ends = compulsory_school_age(date_of_birth)
    checks = [
        Check(
            bool(parent_names),
            f"A parent or carer is recorded: {', '.join(parent_names)}."
            if parent_names else "Record a parent or carer first: the contract is between the "
            "school or LA and a parent.",
        ),
        Check(
            starts <= today <= ends,
            f"The pupil is of compulsory school age ({day(starts)} to {day(ends)})."
            if starts <= today <= ends else
            f"The pupil is not of compulsory school age today: it runs from {day(starts)} to "
            f"{day(ends)}.",
        ),
    ]
    in_hand_check = _contracts_in_hand_check("attendance contract", in_hand)
    if in_hand_check:
        checks.append(in_hand_check)
    return Verdict.of_checks(
        checks,
        holds_from=max(starts, today) if today <= ends else None,
        holds_until=ends,
        warnings=(
            "It can only be agreed at a meeting with the parent present, never in their "
            f"absence ({cite(NOTTINGHAMSHIRE)}).",
            *_draft_warnings("attendance contract", in_hand),
        ),
    )


# --- deadlines ---------------------------------------------------------------------------

def parent_reply_due(*, policy: Policy, letter_dated: date, nation: str) -> date:
    return add_working_days(letter_dated, policy.conduct_reply_working_days, nation)


def ban_review_due(*, policy: Policy, confirmed_on: date) -> date:
    return add_months(confirmed_on, policy.ban_review_months)


# --- moving school -----------------------------------------------------------------------

def pupil_move_allowed(
    *, pupil_name: str, school_name: str, left: str, actor_is_la: bool,
    records: Sequence[Check] = (),
) -> Verdict:
    """Whether a pupil's case file may move to another school on Pact now. `left` says when
    and where a pupil who left went ("" if they have not): their return is the LA's to
    record, as the LA arranges a place for a child out of school. `records` are what the
    other measures say about the move: a contract still open stops it."""
    checks = []
    if left:
        checks.append(Check(actor_is_la, (
            f"{pupil_name} left {school_name} on {left}. Recording a move records that they "
            "joined a school on Pact again."
        ) if actor_is_la else (
            f"{pupil_name} left {school_name} on {left}. If they have joined a school on Pact "
            "again, the LA designated officer records it."
        )))
    return Verdict.of_checks([*checks, *records])


def pupil_leave_allowed(
    *, pupil_name: str, school_name: str, left: str, records: Sequence[Check] = (),
) -> Verdict:
    """Whether it may be recorded that a pupil left their school for none on Pact."""
    checks = [Check(False, f"{pupil_name} already left {school_name} on {left}.")] if left else []
    return Verdict.of_checks([*checks, *records])


def move_date_problem(*, moved_on: date, today: date, last_record_on: date | None) -> str | None:
    """Why a pupil cannot be recorded as having left their school on this day, or None. A move
    is recorded once it has happened, and after the last thing the school recorded as
    happening while the pupil was there (an exclusion, a meeting, the day they joined)."""
    if moved_on > today:
        return ("The date cannot be in the future: record the move on or after the day the "
                "pupil leaves")
    if last_record_on is not None and moved_on < last_record_on:
        return (f"The case has a record at this school dated {day(last_record_on)}: enter that "
                "date or a later one")
    return None
