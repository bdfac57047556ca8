"""The columns of the termly return: each a small condition on a source of records, by the
event's own date; the columns of one source are counted together, in one GROUP BY query for
every school asked about at once.

Sources: the Bedfordshire protocol (2007) §15 asks for parenting contracts entered into and
refused, and parenting orders applied for and completed. Counted beside them: the exclusions
that gave grounds for a contract (to compare with the contracts entered into), attendance
contracts (Nottinghamshire attendance contract guidance) and conduct sanctions (St Pancras
parent partnership agreement (2024), Monmouthshire PRS conduct policy).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from cases.models import Exclusion, LocalAuthority
from cases.selectors import gave_contract_grounds
from conduct.models import ConductStep, StepKind
from contracts.models import Contract, ContractKind, State
from orders.models import OrderBreach, OrderCase, Outcome
from orders.models import State as OrderState

Period = tuple[date, date]


@dataclass(frozen=True)
class Source:
    """Records a column counts, for the schools asked about, and the field naming their
    school. Every column of one source is counted in the same query."""

    rows: Callable[[list[int]], QuerySet]
    school: str = "school"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str
    definition: str
    source: Source
    # Which of the source's records the column counts in the period.
    when: Callable[[Period], Q]


def _contracts(kind: str, date_field: str, states: Iterable[str] | None = None):
    def when(period: Period) -> Q:
        chosen = Q(kind=kind, **{f"{date_field}__range": period})
        return chosen & Q(state__in=list(states)) if states is not None else chosen
    return when


def _dated(date_field: str, **conditions):
    return lambda period: Q(**{f"{date_field}__range": period}, **conditions)


def _grounds(schools: list[int]) -> QuerySet:
    # Each LA's own policy decides which exclusions gave grounds (cases.selectors).
    chosen = Q(pk__in=[])
    for la in LocalAuthority.objects.filter(schools__in=schools).distinct():
        chosen |= gave_contract_grounds(la)
    return Exclusion.objects.filter(chosen, school__in=schools)


CONTRACTS = Source(lambda schools: Contract.objects.filter(school__in=schools))
ORDERS = Source(lambda schools: OrderCase.objects.filter(school__in=schools))
BREACHES = Source(lambda schools: OrderBreach.objects.filter(order_case__school__in=schools),
                  "order_case__school")
CONDUCT = Source(lambda schools: ConductStep.objects.filter(record__school__in=schools),
                 "record__school")
GROUNDS = Source(_grounds)
ENDED_EARLY = (State.TERMINATED, State.ESCALATED)


def _conduct(*kinds: str):
    return _dated("taken_on", kind__in=kinds)


COLUMNS: tuple[Column, ...] = (
    Column("exclusions_grounds", "Gave grounds for a contract", "Exclusions",
           "Exclusions that began in the term and, on that day, gave the pupil grounds for a "
           "behaviour parenting contract under the LA's policy (a permanent exclusion; under "
           "the Bedfordshire protocol, a suspension within 12 months of another), by the date "
           "the exclusion began.", GROUNDS, _dated("start_date")),
    Column("behaviour_entered", "Entered into", "Parenting contracts (behaviour)",
           "Parenting contracts signed in the term, by the date of signing.", CONTRACTS,
           _contracts(ContractKind.BEHAVIOUR, "signed_on")),
    Column("behaviour_refused", "Refused", "Parenting contracts (behaviour)",
           "Parenting contracts the parents refused, by the date recorded.", CONTRACTS,
           _contracts(ContractKind.BEHAVIOUR, "closed_on", [State.REFUSED])),
    Column("behaviour_ended_early", "Ended early", "Parenting contracts (behaviour)",
           "Signed parenting contracts ended before their end date: terminated, or escalated "
           "to the LA for a parenting order, by the date they ended.", CONTRACTS,
           _contracts(ContractKind.BEHAVIOUR, "closed_on", ENDED_EARLY)),
    Column("behaviour_completed", "Completed", "Parenting contracts (behaviour)",
           "Parenting contracts that ran to their end date, by that date.", CONTRACTS,
           _contracts(ContractKind.BEHAVIOUR, "closed_on", [State.COMPLETED])),
    Column("attendance_entered", "Entered into", "Attendance contracts",
           "Attendance contracts signed in the term, by the date of signing.", CONTRACTS,
           _contracts(ContractKind.ATTENDANCE, "signed_on")),
    Column("attendance_terminated", "Terminated", "Attendance contracts",
           "Attendance contracts ended before their end date, by the date they ended.",
           CONTRACTS, _contracts(ContractKind.ATTENDANCE, "closed_on", ENDED_EARLY)),
    Column("orders_requested", "Requested", "Parenting orders",
           "Requests for a parenting order opened for the school's pupils, by the date of "
           "the request.", ORDERS, _dated("requested_on")),
    Column("orders_applied", "Applied for", "Parenting orders",
           "Applications to the magistrates' court, by the date of application.", ORDERS,
           _dated("applied_on")),
    Column("orders_made", "Made", "Parenting orders",
           "Parenting orders the court made, by the date of the order.", ORDERS,
           _dated("outcome_on", outcome=Outcome.MADE)),
    Column("orders_completed", "Completed", "Parenting orders",
           "Parenting orders whose requirements ended, by the date they ended.", ORDERS,
           _dated("closed_on", state=OrderState.COMPLETED)),
    Column("orders_breached", "Breached", "Parenting orders",
           "Breaches of a parenting order, by the date of the breach.", BREACHES,
           _dated("occurred_on")),
    Column("conduct_reminders", "Reminders", "Parent and carer conduct",
           "Conduct reminder letters, by their date.", CONDUCT, _conduct(StepKind.REMINDER)),
    Column("conduct_warnings", "Warnings", "Parent and carer conduct",
           "Conduct warning letters, by their date.", CONDUCT, _conduct(StepKind.WARNING)),
    Column("conduct_conditions", "Conditions", "Parent and carer conduct",
           "Conditions set on a parent's contact with the school, by the date set.", CONDUCT,
           _conduct(StepKind.CONDITIONS)),
    Column("conduct_bans", "Bans", "Parent and carer conduct",
           "Bans from the premises confirmed, or made at once in an emergency, by their date.",
           CONDUCT, _conduct(StepKind.BAN, StepKind.EMERGENCY_BAN)),
)
KEYS = tuple(column.key for column in COLUMNS)


def counts_for(schools: Iterable[int], start: date, end: date) -> dict[int, dict[str, int]]:
    """Every column for every school, from `start` to `end` inclusive: one GROUP BY query a
    source, each column a filtered count in it."""
    schools = list(schools)
    table = {school: dict.fromkeys(KEYS, 0) for school in schools}
    by_source: dict[Source, list[Column]] = defaultdict(list)
    for column in COLUMNS:
        by_source[column.source].append(column)
    for source, columns in by_source.items():
        whens = {column.key: column.when((start, end)) for column in columns}
        anywhere = Q(pk__in=[])
        for when in whens.values():
            anywhere |= when
        rows = (source.rows(schools).filter(anywhere).order_by().values(source.school)
                .annotate(**{key: Count("pk", filter=when) for key, when in whens.items()}))
        for row in rows:
            table[row[source.school]].update({key: row[key] for key in whens})
    return table
