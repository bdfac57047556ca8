"""Reads about contracts, scoped to the user."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from cases import selectors as case_selectors
from cases.models import LocalAuthority, StaffRole, TimelineEvent
from cases.policies import policy_for
from cases.rules import Verdict
from letters.models import IssuedLetter

from . import rules
from .models import Breach, Contract, ContractLetter, Notification, State

REVIEW_SOON = timedelta(days=14)


def contracts_visible_to(user) -> QuerySet[Contract]:
    return Contract.objects.filter(school__in=case_selectors.schools_visible_to(user))


def contract_list(user, *, state: str = "", school_id: str = "", review: str = "",
                  today: date) -> QuerySet[Contract]:
    contracts = contracts_visible_to(user).select_related("pupil", "school")
    if state:
        contracts = contracts.filter(state=state)
    if school_id:
        contracts = contracts.filter(school_id=school_id)
    if review == "due":
        contracts = contracts.filter(state__in=rules.RUNNING, review_on__lte=today + REVIEW_SOON)
    return contracts.order_by("review_on", "pk") if review else contracts


def contract_facts(contract: Contract, *, today: date) -> rules.ContractFacts:
    pupil = contract.pupil
    return rules.ContractFacts(
        contract=contract,
        policy=policy_for(contract.school.local_authority),
        today=today,
        exclusions=list(pupil.exclusions.all()),
        involvements=list(pupil.agency_involvements.select_related("agency")),
        consulted_agency_ids=set(contract.consultations.values_list("agency_id", flat=True)),
        contacts=list(contract.contacts.all()),
        breaches=list(contract.breaches.select_related("exclusion")),
        meetings=list(pupil.meetings.all()),
        parent_names=[p.full_name for p in contract.parents.all()],
    )


@dataclass(frozen=True)
class ContractPage:
    contract: Contract
    actions: dict[str, Verdict]
    decisions: dict[str, Verdict]
    timeline: list[TimelineEvent]


def _one(contracts: QuerySet[Contract], contract_id: int) -> Contract:
    try:
        return contracts.get(pk=contract_id)
    except Contract.DoesNotExist as missing:
        raise Http404("No such contract in your schools") from missing


def contract_for(user, *, contract_id: int) -> Contract:
    return _one(contracts_visible_to(user).select_related(
        "pupil", "school", "school__local_authority"), contract_id)


def contract_page(user, *, contract_id: int, today: date) -> ContractPage:
    contract = _one(
        contracts_visible_to(user).select_related(
            "pupil", "school", "school__local_authority", "lead"
        ).prefetch_related(
            "parents",
            "consultations__agency",
            "contacts",
            Prefetch("breaches", queryset=Breach.objects.select_related("exclusion", "letter")
                     .defer("letter__pdf")),
            Prefetch("letters", queryset=ContractLetter.objects.select_related("letter")
                     .defer("letter__pdf")),
        ),
        contract_id,
    )
    facts = rules.ContractFacts(
        contract=contract,
        policy=policy_for(contract.school.local_authority),
        today=today,
        exclusions=list(contract.pupil.exclusions.all()),
        involvements=list(contract.pupil.agency_involvements.select_related("agency")),
        consulted_agency_ids={c.agency_id for c in contract.consultations.all()},
        contacts=list(contract.contacts.all()),
        breaches=list(contract.breaches.all()),
        meetings=list(contract.pupil.meetings.all()),
        parent_names=[p.full_name for p in contract.parents.all()],
    )
    timeline = list(
        TimelineEvent.objects.filter(pupil=contract.pupil, details__contract=contract.pk)
        .select_related("actor")
    )
    return ContractPage(contract=contract, actions=rules.actions(facts),
                        decisions=rules.decisions_open(facts), timeline=timeline)


def signed_contract(user, *, contract_id: int) -> IssuedLetter:
    contract = contract_for(user, contract_id=contract_id)
    link = contract.letters.filter(step="signed").select_related("letter").first()
    if link is None:
        raise Http404("This contract has not been signed")
    return link.letter


# The LA staff who work the queue of contract notifications and escalations.
LA_QUEUE_ROLES = {StaffRole.LA_DESIGNATED_OFFICER, StaffRole.HEAD_OF_PARTNERSHIPS,
                  StaffRole.LA_ADMIN}


def _queue_authorities(user) -> QuerySet[LocalAuthority]:
    return LocalAuthority.objects.filter(
        staff_groups__group__user=user, staff_groups__role__in=LA_QUEUE_ROLES
    ).distinct()


def user_has_queue(user) -> bool:
    return _queue_authorities(user).exists()


@dataclass(frozen=True)
class Queue:
    notifications: list[Notification]
    escalated: list[Contract]


def la_queue(user) -> Queue:
    """The LA designated officer's queue: what the LA must note, and the escalations."""
    authorities = _queue_authorities(user)
    notifications = list(
        Notification.objects.filter(local_authority__in=authorities, acknowledged_at__isnull=True)
        .select_related("contract__pupil", "contract__school")[:200]
    )
    escalated = list(
        Contract.objects.filter(school__local_authority__in=authorities, state=State.ESCALATED)
        .select_related("pupil", "school").order_by("-closed_on", "-pk")[:200]
    )
    return Queue(notifications=notifications, escalated=escalated)


def notification_for(user, *, notification_id: int) -> Notification:
    try:
        return Notification.objects.select_related("contract__pupil").get(
            Q(pk=notification_id), local_authority__in=_queue_authorities(user)
        )
    except Notification.DoesNotExist as missing:
        raise Http404("No such notification for your LA") from missing
