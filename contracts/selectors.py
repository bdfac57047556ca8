"""Reads about contracts, scoped to the user."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.urls import reverse

from cases import rules as case_rules
from cases import selectors as case_selectors
from cases.eligibility import Measure
from cases.models import AgencyInvolvement, LocalAuthority, Pupil, StaffRole, TimelineEvent
from cases.policies import policy_for
from cases.rules import Check, ContractInHand, Verdict
from letters.models import IssuedLetter

from . import rules
from .models import (
    IN_HAND,
    OPEN,
    Breach,
    ConsentDecision,
    Contract,
    ContractKind,
    ContractLetter,
    Notification,
    State,
)

REVIEW_SOON = timedelta(days=14)


def contracts_visible_to(user) -> QuerySet[Contract]:
    """A contract is read by the school whose governing body made it (and its LA), which keeps
    it when the pupil moves; and, as part of the pupil's educational record, by the school
    that has the pupil now (and its LA), who read it but cannot act on it."""
    schools = case_selectors.schools_visible_to(user)
    return Contract.objects.filter(Q(school__in=schools) | Q(pupil__school__in=schools))


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


def in_hand(contracts) -> list[ContractInHand]:
    return [
        ContractInHand(where_it_stands=c.where_it_stands, draft=c.state == State.DRAFT,
                       href=reverse("contract-detail", args=[c.pk]))
        for c in contracts
    ]


def _open_or_in_hand(pupil: Pupil) -> QuerySet[Contract]:
    return Contract.objects.filter(pupil=pupil, state__in={*OPEN, *IN_HAND})


# What the rules read about a contract, fetched in a fixed number of queries.
FACT_PREFETCHES = (
    "parents",
    "consultations",
    "contacts",
    Prefetch("consents", queryset=ConsentDecision.objects.order_by(
        "decided_on", "recorded_at", "pk")),
    Prefetch("breaches", queryset=Breach.objects.select_related("exclusion", "letter")
             .defer("letter__pdf")),
    "pupil__exclusions",
    "pupil__documents",
    "pupil__meetings",
    Prefetch("pupil__agency_involvements",
             queryset=AgencyInvolvement.objects.select_related("agency")),
)


def contract_facts(contract: Contract, *, today: date) -> rules.ContractFacts:
    """Everything the contract's rules read, as the database holds it now: what a service
    checks before it acts."""
    fresh = Contract.objects.select_related("pupil", "school__local_authority").prefetch_related(
        *FACT_PREFETCHES).get(pk=contract.pk)
    return facts_of(fresh, today=today)


def facts_of(contract: Contract, *, today: date) -> rules.ContractFacts:
    """The rules' facts about a contract fetched with FACT_PREFETCHES."""
    pupil = contract.pupil
    consents: dict[int, list[ConsentDecision]] = {}
    for decision in contract.consents.all():
        consents.setdefault(decision.parent_id, []).append(decision)
    others = _open_or_in_hand(pupil).filter(kind=contract.kind).exclude(pk=contract.pk)
    return rules.ContractFacts(
        contract=contract,
        policy=policy_for(contract.school.local_authority),
        today=today,
        exclusions=list(pupil.exclusions.all()),
        involvements=list(pupil.agency_involvements.all()),
        consulted_agency_ids={c.agency_id for c in contract.consultations.all()},
        contacts=list(contract.contacts.all()),
        breaches=list(contract.breaches.all()),
        meetings=list(pupil.meetings.all()),
        parents=list(contract.parents.all()),
        consents=consents,
        in_hand=in_hand(others.order_by("pk")),
    )


@dataclass(frozen=True)
class ContractPage:
    contract: Contract
    facts: rules.ContractFacts
    actions: dict[str, Verdict]
    decisions: dict[str, Verdict]
    timeline: list[TimelineEvent]
    # For an ended contract: what happens next and who has it.
    next_steps: str

    @property
    def consent_by_parent(self) -> list[tuple]:
        return [(parent, self.facts.consent_of(parent)) for parent in self.facts.parents]

    @property
    def help_by_parent(self) -> list[tuple]:
        return [(parent, self.contract.help_by_parent.get(str(parent.pk), ""))
                for parent in self.facts.parents]


def _one(contracts: QuerySet[Contract], contract_id: int) -> Contract:
    try:
        return contracts.get(pk=contract_id)
    except Contract.DoesNotExist as missing:
        raise Http404("No such contract in your schools") from missing


def contract_for(user, *, contract_id: int) -> Contract:
    return _one(contracts_visible_to(user).select_related(
        "pupil", "school", "school__local_authority"), contract_id)


def la_officer_names(local_authority_id: int) -> list[str]:
    """The LA designated officers of an LA, by name, for "who has it now"."""
    users = get_user_model().objects.filter(
        groups__staffgroup__role=StaffRole.LA_DESIGNATED_OFFICER,
        groups__staffgroup__local_authority_id=local_authority_id, is_active=True,
    ).order_by("last_name", "first_name")
    return [u.get_full_name() or u.username for u in users]


def contract_page(user, *, contract_id: int, today: date) -> ContractPage:
    contract = _one(
        contracts_visible_to(user).select_related(
            "pupil", "school", "school__local_authority", "lead"
        ).prefetch_related(
            *FACT_PREFETCHES,
            "consultations__agency",
            Prefetch("letters", queryset=ContractLetter.objects.select_related("letter")
                     .defer("letter__pdf")),
        ),
        contract_id,
    )
    facts = facts_of(contract, today=today)
    timeline = list(
        TimelineEvent.objects.filter(pupil=contract.pupil, details__contract=contract.pk)
        .select_related("actor")
    )
    next_steps = ""
    if contract.state in rules.ENDED:
        officers = (la_officer_names(contract.school.local_authority_id)
                    if contract.state == State.ESCALATED else [])
        next_steps = rules.next_steps(facts, la_officers=officers)
    return ContractPage(contract=contract, facts=facts, actions=rules.actions(facts),
                        decisions=rules.decisions_open(facts), timeline=timeline,
                        next_steps=next_steps)


def signed_contract(user, *, contract_id: int) -> IssuedLetter:
    contract = contract_for(user, contract_id=contract_id)
    link = contract.letters.filter(step="signed").select_related("letter__school").first()
    if link is None:
        raise Http404("This contract has not been signed")
    return link.letter


# The LA staff who work the queue of contract notifications and escalations.
LA_QUEUE_ROLES = {StaffRole.LA_DESIGNATED_OFFICER, StaffRole.HEAD_OF_PARTNERSHIPS,
                  StaffRole.LA_ADMIN}


def queue_authorities(user) -> QuerySet[LocalAuthority]:
    return LocalAuthority.objects.filter(
        staff_groups__group__user=user, staff_groups__role__in=LA_QUEUE_ROLES
    ).distinct()


def user_has_queue(user) -> bool:
    return queue_authorities(user).exists()


@dataclass(frozen=True)
class Queue:
    notifications: list[Notification]
    escalated: list[Contract]


def la_queue(user) -> Queue:
    """The LA designated officer's queue: what the LA must note, and the escalations."""
    authorities = queue_authorities(user)
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
            Q(pk=notification_id), local_authority__in=queue_authorities(user)
        )
    except Notification.DoesNotExist as missing:
        raise Http404("No such notification for your LA") from missing


# --- eligibility -----------------------------------------------------------------------------

def contract_measures(pupil: Pupil, *, today: date) -> list[Measure]:
    """The behaviour and attendance contracts on the pupil's "What is available now" page."""
    policy = policy_for(pupil.school.local_authority)
    mine = list(_open_or_in_hand(pupil).order_by("pk"))
    by_kind = {kind: in_hand(c for c in mine if c.kind == kind) for kind in ContractKind}
    behaviour = case_rules.behaviour_contract_eligibility(
        policy=policy, exclusions=list(pupil.exclusions.all()),
        looked_after=pupil.looked_after, today=today, in_hand=by_kind[ContractKind.BEHAVIOUR],
    )
    attendance = case_rules.attendance_contract_preconditions(
        parent_names=[link.parent.full_name for link in pupil.parent_links.all()],
        date_of_birth=pupil.date_of_birth, today=today,
        in_hand=by_kind[ContractKind.ATTENDANCE],
    )
    return [Measure("behaviour_contract", "Behaviour parenting contract", behaviour, 10),
            Measure("attendance_contract", "Attendance contract", attendance, 20)]


def _with_behaviour_contract_in_hand() -> QuerySet[Contract]:
    return Contract.objects.filter(
        pupil=OuterRef("pk"), kind=ContractKind.BEHAVIOUR, state__in=IN_HAND)


@dataclass(frozen=True)
class EligibleList:
    pupils: QuerySet[Pupil]
    # Pupils with grounds who are left out because a behaviour contract is already in hand,
    # counted by the contract's state.
    left_out: dict[str, int]

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())


def contract_eligible_for(user, *, today: date) -> EligibleList:
    """Every pupil in the user's scope to whom a behaviour contract may be offered today: the
    grounds by each LA's policy (kept as the rule finds them: cases.grounds), less those
    who already have a contract offered, running or with the LA. Grounds that lapse soonest
    come first: those are the offers that cannot wait."""
    schools = case_selectors.schools_visible_to(user)
    standing = Q(pk__in=[])
    for local_authority in LocalAuthority.objects.filter(schools__in=schools).distinct():
        standing |= case_selectors.contract_grounds_standing(local_authority, today=today)
    # The grounds row's school is the pupil's school now: the user's scope, read from the
    # same index as the LA and the lapse date.
    with_grounds = Pupil.objects.filter(standing, contract_grounds__school__in=schools)
    pupils = (
        with_grounds.filter(~Exists(_with_behaviour_contract_in_hand()))
        .annotate(grounds_stand_until=F("contract_grounds__lapses_on"))
        .select_related("school").order_by("grounds_stand_until", "pk")
    )
    counted = (
        Contract.objects.filter(kind=ContractKind.BEHAVIOUR, state__in=IN_HAND,
                                pupil__in=with_grounds.values("pk"))
        .values("state").annotate(pupils=Count("pupil", distinct=True)).order_by("state")
    )
    states = Counter({row["state"]: row["pupils"] for row in counted})
    return EligibleList(pupils=pupils, left_out={
        rules.STATE_TEXT[state]: states[state] for state in IN_HAND if states[state]})


# --- a pupil moving school -------------------------------------------------------------------

def pupil_move_checks(pupil: Pupil) -> list[Check]:
    """A contract is an agreement between the parents and the school's governing body (ASBA 2003
    s.19): it cannot follow the pupil to another school. One still open stops the move until it
    is withdrawn or ended; the ended ones stay the school's records."""
    contracts = list(Contract.objects.filter(pupil=pupil, school=pupil.school).order_by("pk"))
    checks = [
        Check(False, f"The {c.get_kind_display().lower()} is {c.where_it_stands}. It is an "
                     f"agreement between the parents and {pupil.school.name}'s governing body, "
                     "so it cannot go with the pupil: "
                     + ("withdraw it" if c.state in {State.DRAFT, State.OFFERED}
                        else "end it (completed or ended early)")
                     + " before the pupil leaves.",
              reverse("contract-detail", args=[c.pk]))
        for c in contracts if c.state in OPEN
    ]
    ended = sum(1 for c in contracts if c.state not in OPEN)
    if ended:
        stay = case_rules.count(ended, "ended contract stays", "ended contracts stay")
        checks.append(Check(True, f"{stay} {pupil.school.name}'s records. The pupil's next "
                                  "school can read them with the case file, but not act on "
                                  "them."))
    return checks
