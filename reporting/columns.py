"""The columns of the termly return: each a small counting function over the records, by the
event's own date, one GROUP BY query per column for every school asked about at once.

Sources: the Bedfordshire protocol (2007) §15 asks for parenting contracts entered into and
refused, and parenting orders applied for and completed; attendance contracts (Nottinghamshire
attendance contract guidance) and conduct sanctions (St Pancras parent partnership agreement
(2024), Monmouthshire PRS conduct policy) are counted beside them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet

from conduct.models import ConductStep, StepKind
from contracts.models import Contract, ContractKind, State
from orders.models import OrderBreach, OrderCase, Outcome
from orders.models import State as OrderState

Counter = Callable[[Iterable[int], date, date], dict[int, int]]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str
    definition: str
    count: Counter


def _per_school(rows: QuerySet, school_field: str = "school") -> dict[int, int]:
    return dict(rows.order_by().values(school_field).annotate(n=Count("pk"))
                .values_list(school_field, "n"))


def _contracts(kind: str, date_field: str, states: Iterable[str] | None = None) -> Counter:
    def count(schools, start, end):
        rows = Contract.objects.filter(school__in=schools, kind=kind,
                                       **{f"{date_field}__range": (start, end)})
        if states is not None:
            rows = rows.filter(state__in=list(states))
        return _per_school(rows)
    return count


def _orders(date_field: str, **conditions) -> Counter:
    def count(schools, start, end):
        return _per_school(OrderCase.objects.filter(
            school__in=schools, **{f"{date_field}__range": (start, end)}, **conditions))
    return count


def _order_breaches(schools, start, end):
    return _per_school(OrderBreach.objects.filter(order_case__school__in=schools,
                                                  occurred_on__range=(start, end)),
                       "order_case__school")


def _conduct(*kinds: str) -> Counter:
    def count(schools, start, end):
        return _per_school(ConductStep.objects.filter(record__school__in=schools,
                                                      kind__in=kinds,
                                                      taken_on__range=(start, end)),
                           "record__school")
    return count


ENDED_EARLY = (State.TERMINATED, State.ESCALATED)

COLUMNS: tuple[Column, ...] = (
    Column("behaviour_entered", "Entered into", "Parenting contracts (behaviour)",
           "Parenting contracts signed in the term, by the date of signing.",
           _contracts(ContractKind.BEHAVIOUR, "signed_on")),
    Column("behaviour_refused", "Refused", "Parenting contracts (behaviour)",
           "Parenting contracts the parents refused, by the date recorded.",
           _contracts(ContractKind.BEHAVIOUR, "closed_on", [State.REFUSED])),
    Column("behaviour_ended_early", "Ended early", "Parenting contracts (behaviour)",
           "Signed parenting contracts ended before their end date: terminated, or escalated "
           "to the LA for a parenting order, by the date they ended.",
           _contracts(ContractKind.BEHAVIOUR, "closed_on", ENDED_EARLY)),
    Column("behaviour_completed", "Completed", "Parenting contracts (behaviour)",
           "Parenting contracts that ran to their end date, by that date.",
           _contracts(ContractKind.BEHAVIOUR, "closed_on", [State.COMPLETED])),
    Column("attendance_entered", "Entered into", "Attendance contracts",
           "Attendance contracts signed in the term, by the date of signing.",
           _contracts(ContractKind.ATTENDANCE, "signed_on")),
    Column("attendance_terminated", "Terminated", "Attendance contracts",
           "Attendance contracts ended before their end date, by the date they ended.",
           _contracts(ContractKind.ATTENDANCE, "closed_on", ENDED_EARLY)),
    Column("orders_requested", "Requested", "Parenting orders",
           "Requests for a parenting order opened for the school's pupils, by the date of "
           "the request.", _orders("requested_on")),
    Column("orders_applied", "Applied for", "Parenting orders",
           "Applications to the magistrates' court, by the date of application.",
           _orders("applied_on")),
    Column("orders_made", "Made", "Parenting orders",
           "Parenting orders the court made, by the date of the order.",
           _orders("outcome_on", outcome=Outcome.MADE)),
    Column("orders_completed", "Completed", "Parenting orders",
           "Parenting orders whose requirements ended, by the date they ended.",
           _orders("closed_on", state=OrderState.COMPLETED)),
    Column("orders_breached", "Breached", "Parenting orders",
           "Breaches of a parenting order, by the date of the breach.", _order_breaches),
    Column("conduct_reminders", "Reminders", "Parent and carer conduct",
           "Conduct reminder letters, by their date.", _conduct(StepKind.REMINDER)),
    Column("conduct_warnings", "Warnings", "Parent and carer conduct",
           "Conduct warning letters, by their date.", _conduct(StepKind.WARNING)),
    Column("conduct_conditions", "Conditions", "Parent and carer conduct",
           "Conditions set on a parent's contact with the school, by the date set.",
           _conduct(StepKind.CONDITIONS)),
    Column("conduct_bans", "Bans", "Parent and carer conduct",
           "Bans from the premises confirmed, or made at once in an emergency, by their date.",
           _conduct(StepKind.BAN, StepKind.EMERGENCY_BAN)),
)
KEYS = tuple(column.key for column in COLUMNS)


def counts_for(schools: Iterable[int], start: date, end: date) -> dict[int, dict[str, int]]:
    """Every column for every school, from `start` to `end` inclusive."""
    schools = list(schools)
    table = {school: dict.fromkeys(KEYS, 0) for school in schools}
    for column in COLUMNS:
        for school, n in column.count(schools, start, end).items():
            table[school][column.key] = n
    return table
