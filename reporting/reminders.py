"""Reminders: once a day, each person responsible for a deadline due in 7 days, due tomorrow
or overdue is sent one e-mail listing them (what, whose case, when, a link). A deadline is
told to a person once at each stage, however often the job runs and on however many workers:
the day's digest and each reminder are unique in the database, and the e-mail goes only when
the transaction that records them commits.

Who is responsible: a contract's lead for its clocks; an order's responsible officer, or the
LA designated officers before the court names one; the headteacher for conduct clocks and
anything else at the school.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.models import CONDUCT_DEADLINES, Deadline, StaffGroup, StaffRole
from contracts.models import Contract
from orders.models import OrderCase

from .models import Digest, Reminder, Stage

log = logging.getLogger(__name__)
# Bounded work per run: at most this many deadlines are told in one person's digest; the rest
# follow the next day.
MOST_IN_A_DIGEST = 200


@dataclass(frozen=True)
class Due:
    deadline: Deadline
    stage: str


def _stage(deadline: Deadline, *, now: datetime, today: date) -> str | None:
    due_on = timezone.localtime(deadline.due_at).date()
    if deadline.due_at < now:
        return Stage.OVERDUE
    if due_on == today + timedelta(days=1):
        return Stage.TOMORROW
    if due_on == today + timedelta(days=7):
        return Stage.WEEK
    return None


def due_now(*, now: datetime, today: date) -> list[Due]:
    """Open deadlines overdue, due tomorrow or due in 7 days: one query."""
    days = [today + timedelta(days=1), today + timedelta(days=7)]
    deadlines = (Deadline.objects.filter(status=Deadline.Status.OPEN)
                 .filter(Q(due_at__lt=now) | Q(due_at__date__in=days))
                 .select_related("pupil", "school"))
    return [Due(d, stage) for d in deadlines
            if (stage := _stage(d, now=now, today=today)) is not None]


def _subject_id(deadline: Deadline, prefix: str) -> int | None:
    head, _, rest = deadline.subject.partition(":")
    number = rest.split(":")[0]
    return int(number) if head == prefix and number.isdigit() else None


def _members(roles: list[StaffGroup]) -> dict[tuple, list[int]]:
    """Users of each (role, school) and (role, LA): one query for every role."""
    where = {role.group_id: (role.role, role.school_id or role.local_authority_id)
             for role in roles}
    found: dict[tuple, list[int]] = defaultdict(list)
    memberships = get_user_model().groups.through.objects.filter(group_id__in=list(where))
    for group_id, user_id in memberships.values_list("group_id", "user_id"):
        found[where[group_id]].append(user_id)
    return found


def responsible(dues: list[Due]) -> dict[int, list[Due]]:
    """Each person and the deadlines they are told about."""
    contract_ids = [_subject_id(d.deadline, "contract") for d in dues]
    order_ids = [_subject_id(d.deadline, "order") for d in dues]
    contracts = dict(Contract.objects.filter(pk__in=[i for i in contract_ids if i])
                     .values_list("pk", "lead"))
    orders = OrderCase.objects.in_bulk([i for i in order_ids if i])
    roles = list(StaffGroup.objects.filter(
        Q(role=StaffRole.HEADTEACHER, school__in={d.deadline.school_id for d in dues})
        | Q(role=StaffRole.LA_DESIGNATED_OFFICER,
            local_authority__in={d.deadline.school.local_authority_id for d in dues}),
    ))
    members = _members(roles)
    told: dict[int, list[Due]] = defaultdict(list)
    for due in dues:
        deadline = due.deadline
        contract_lead = contracts.get(_subject_id(deadline, "contract"))
        case = orders.get(_subject_id(deadline, "order"))
        if deadline.kind in CONDUCT_DEADLINES:
            people = members[(StaffRole.HEADTEACHER, deadline.school_id)]
        elif contract_lead:
            people = [contract_lead]
        elif case is not None:
            people = ([case.responsible_officer_id] if case.responsible_officer_id else
                      members[(StaffRole.LA_DESIGNATED_OFFICER, case.local_authority_id)])
        else:
            people = members[(StaffRole.HEADTEACHER, deadline.school_id)]
        for user_id in people:
            told[user_id].append(due)
    return told


def _line(due: Due, base: str) -> str:
    deadline = due.deadline
    if deadline.conduct_record_id:
        whose = f"conduct record ({deadline.pupil.full_name})"
        link = reverse("conduct-record", args=[deadline.conduct_record_id])
    elif deadline.pupil_id:
        whose, link = deadline.pupil.full_name, reverse("pupil-detail", args=[deadline.pupil_id])
    else:
        whose, link = deadline.school.name, reverse("dashboard")
    when = f"{timezone.localtime(deadline.due_at):%-d %B %Y}"
    return (f"- {Stage(due.stage).label}: {deadline.get_kind_display()}, {whose}, by {when}\n"
            f"  {base}{link}")


def reminders_send(*, now: datetime | None = None) -> int:
    """Today's digests: returns how many were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    told = responsible(due_now(now=now, today=today))
    users = get_user_model().objects.in_bulk(list(told))
    told_before = set(Reminder.objects.filter(
        user__in=list(told), deadline__in={d.deadline.pk for dues in told.values() for d in dues},
    ).values_list("user", "deadline", "stage"))
    sent = 0
    for user_id, dues in told.items():
        user = users.get(user_id)
        if user is None or not user.is_active:
            continue
        new = [d for d in dues if (user_id, d.deadline.pk, d.stage) not in told_before]
        new = sorted(new, key=lambda d: d.deadline.due_at)[:MOST_IN_A_DIGEST]
        if new and _send(user, new, today=today):
            sent += 1
    return sent


def _send(user, dues: list[Due], *, today: date) -> bool:
    base = settings.PACT_BASE_URL.rstrip("/")
    subject = f"Pact: {len(dues)} deadline{'s' if len(dues) != 1 else ''} to see to"
    body = "\n\n".join([
        f"Dear {user.get_full_name() or user.username},",
        "These deadlines in your work are overdue, due tomorrow or due in 7 days:",
        "\n".join(_line(due, base) for due in dues),
        f"What Pact has sent you: {base}{reverse('reminder-list')}",
    ])
    try:
        with transaction.atomic():
            digest = Digest.objects.create(user=user, sent_on=today, subject=subject,
                                           body=body, to=user.email)
            Reminder.objects.bulk_create([
                Reminder(digest=digest, user=user, deadline=d.deadline, stage=d.stage)
                for d in dues])
            if user.email:
                transaction.on_commit(lambda: send_mail(
                    subject, body, None, [user.email], fail_silently=False))
    except IntegrityError:
        # Today's digest was sent by another run (a second worker, a repeat): not again.
        return False
    return True
