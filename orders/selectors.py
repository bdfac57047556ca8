"""Reads about parenting order cases, scoped to the user like every read in Pact."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases import selectors as case_selectors
from cases.eligibility import Measure
from cases.models import (
    SCHOOL_ROLES,
    Deadline,
    DocumentCategory,
    Pupil,
    StaffRole,
    TimelineEvent,
)
from cases.policies import policy_for
from cases.rules import Check, Verdict
from contracts import selectors as contract_selectors
from contracts.models import Contract, ContractKind
from contracts.models import State as ContractState
from letters.models import IssuedLetter, LetterKind

from . import rules
from .models import (
    BEFORE_APPLICATION,
    ENDED,
    OPEN,
    EvidencePack,
    LegalPanel,
    OrderCase,
    OrderContact,
    OrderLetter,
    PanelView,
    ParentingProgramme,
    State,
)

# The LA roles that work order cases; legal panel members read them.
LA_RECORDING_ROLES = {StaffRole.LA_DESIGNATED_OFFICER, StaffRole.HEAD_OF_PARTNERSHIPS,
                      StaffRole.LA_ADMIN}


def order_cases_visible_to(user) -> QuerySet[OrderCase]:
    return OrderCase.objects.filter(school__in=case_selectors.schools_visible_to(user))


def order_list(user, *, state: str = "") -> QuerySet[OrderCase]:
    cases = order_cases_visible_to(user).select_related("pupil", "school")
    if state:
        cases = cases.filter(state=state)
    return cases.order_by("-created_at", "-pk")


def order_case_for(user, *, case_id: int) -> OrderCase:
    try:
        return order_cases_visible_to(user).select_related(
            "pupil", "school__local_authority", "contract", "responsible_officer",
        ).get(pk=case_id)
    except OrderCase.DoesNotExist as missing:
        raise Http404("No such parenting order case in your schools") from missing


def actor_for(user, case: OrderCase) -> rules.Actor:
    """What the user's roles let them do on this case."""
    roles = case_selectors.staff_groups_of(user)
    return rules.Actor(
        la=any(g.role in LA_RECORDING_ROLES and g.local_authority_id == case.local_authority_id
               for g in roles),
        school=any(g.role in SCHOOL_ROLES and g.role != StaffRole.CHAIR_OF_GOVERNORS
                   and g.school_id == case.school_id for g in roles),
        panel_member=any(g.role == StaffRole.LEGAL_PANEL_MEMBER
                         and g.local_authority_id == case.local_authority_id for g in roles),
        responsible_officer=case.responsible_officer_id == user.pk,
    )


# --- what the order rule reads about a pupil ---------------------------------------------------

def evidence_held(pupil: Pupil, *, parenting_factor_stated: bool = False) -> dict[str, bool]:
    """Which items of a parenting order's evidence pack the case file holds (Bedfordshire protocol
    §12), from the pupil's prefetched exclusions and documents. How parenting is a factor may be a
    document, or the school's own statement on the request."""
    categories = {d.category for d in pupil.documents.all()}
    return {
        "exclusions": bool(pupil.exclusions.all()),
        "witness_statements": DocumentCategory.WITNESS_STATEMENT in categories,
        "engagement": DocumentCategory.ENGAGEMENT in categories,
        "support": DocumentCategory.SUPPORT in categories,
        "parenting_factor": parenting_factor_stated
        or DocumentCategory.PARENTING_FACTOR in categories,
    }


def behaviour_contract_signed_on(pupil: Pupil) -> date | None:
    """When the behaviour contract in place was signed: the order window can run from it."""
    return (
        Contract.objects.filter(
            pupil=pupil, kind=ContractKind.BEHAVIOUR,
            state__in=[ContractState.ACTIVE, ContractState.UNDER_REVIEW, ContractState.WARNED,
                       ContractState.ESCALATED],
        )
        .order_by("-signed_on").values_list("signed_on", flat=True).first()
    )


def final_warning_issued_on(pupil: Pupil) -> date | None:
    issued = (
        IssuedLetter.objects.filter(pupil=pupil, kind=LetterKind.FINAL_WARNING)
        .order_by("-issued_at").values_list("issued_at", flat=True).first()
    )
    return timezone.localtime(issued).date() if issued else None


def open_case_of(pupil: Pupil) -> OrderCase | None:
    return OrderCase.objects.filter(pupil=pupil, state__in=OPEN).first()


def order_measure(pupil: Pupil, *, today: date) -> Measure:
    """The pupil's "Parenting order application (by the LA)" on "What is available now", and
    what the contract's escalation step shows the school before it escalates."""
    case = open_case_of(pupil)
    verdict = rules.order_application_eligibility(
        policy=policy_for(pupil.school.local_authority),
        exclusions=list(pupil.exclusions.all()), today=today,
        contract_signed_on=behaviour_contract_signed_on(pupil),
        evidence=evidence_held(pupil, parenting_factor_stated=bool(
            case and case.parenting_factor)),
        final_warning_issued_on=final_warning_issued_on(pupil),
    )
    if case is not None:
        verdict = Verdict.of_checks(
            [*verdict.checks, Check(True, f"A parenting order case is open: "
                                          f"{case.get_state_display().lower()}.",
                                    reverse("order-detail", args=[case.pk]))],
            holds_until=verdict.holds_until, warnings=verdict.warnings,
        ) if verdict.checks else verdict
    return Measure("parenting_order", "Parenting order application (by the LA)", verdict, 30)


def pupil_move_checks(pupil: Pupil) -> list[Check]:
    """An order case belongs to the LA that holds it, whatever school the pupil goes to: it
    stays with that LA, and with the school that asked for it."""
    return [
        Check(True, f"The parenting order case ({case.get_state_display().lower()}, since "
                    f"{case.requested_on:%-d %b %Y}) stays with {case.local_authority.name}, "
                    "which holds it. The pupil's next school sees that it exists and which LA "
                    "holds it.")
        for case in OrderCase.objects.filter(pupil=pupil, state__in=OPEN)
        .select_related("local_authority").order_by("pk")
    ]


# --- a case's page ---------------------------------------------------------------------------

CASE_PREFETCHES = (
    "parents",
    "pupil__exclusions",
    "pupil__documents",
    Prefetch("packs", queryset=EvidencePack.objects.select_related("built", "requested_by")),
    Prefetch("panels", queryset=LegalPanel.objects.prefetch_related("members")
             .select_related("programme", "pack")),
    Prefetch("views", queryset=PanelView.objects.select_related("member")),
    Prefetch("contacts", queryset=OrderContact.objects.select_related("recorded_by")),
    "attendance",
    "breaches",
    Prefetch("letters", queryset=OrderLetter.objects.select_related("letter")
             .defer("letter__pdf")),
)


def facts_of(case: OrderCase, *, today: date, actor: rules.Actor) -> rules.OrderFacts:
    """The rules' facts about a case fetched with CASE_PREFETCHES."""
    pupil = case.pupil
    packs = list(case.packs.all())
    built = next((p.built for p in packs if p.status == EvidencePack.Status.BUILT), None)
    first = next((c for c in case.contacts.all() if c.first_meeting), None)
    confirmed = next((link.letter for link in case.letters.all()
                      if link.step == "ro_confirmation"), None)
    return rules.OrderFacts(
        case=case, policy=policy_for(case.local_authority), today=today,
        nation=case.local_authority.nation, actor=actor,
        exclusions=list(pupil.exclusions.all()),
        contract_signed_on=behaviour_contract_signed_on(pupil),
        evidence=evidence_held(pupil, parenting_factor_stated=bool(case.parenting_factor)),
        final_warning_issued_on=final_warning_issued_on(pupil),
        latest_pack=built,
        pack_building=any(p.status in {EvidencePack.Status.QUEUED,
                                       EvidencePack.Status.BUILDING} for p in packs),
        first_meeting_at=first.occurred_at if first else None,
        confirmed_on=timezone.localtime(confirmed.issued_at).date() if confirmed else None,
    )


def case_facts(case: OrderCase, *, user, today: date) -> rules.OrderFacts:
    """Everything the case's rules read, as the database holds it now: what a service checks
    before it acts."""
    fresh = OrderCase.objects.select_related(
        "pupil__school__local_authority", "local_authority").prefetch_related(
        *CASE_PREFETCHES).get(pk=case.pk)
    return facts_of(fresh, today=today, actor=actor_for(user, fresh))


@dataclass(frozen=True)
class Clock:
    deadline: Deadline
    due: str  # as the page says it, naming a weekend or bank holiday


@dataclass(frozen=True)
class OrderPage:
    case: OrderCase
    facts: rules.OrderFacts
    actions: dict[str, Verdict]
    application: Verdict  # the order rule today: the window's end is named every time
    clocks: list[Clock]
    timeline: list[TimelineEvent]
    next_steps: str

    @property
    def packs(self) -> list[EvidencePack]:
        return list(self.case.packs.all())

    @property
    def window_open(self) -> bool:
        """Until the application, the page names the window's end every time."""
        return self.case.state in BEFORE_APPLICATION


def order_page(user, *, case_id: int, today: date) -> OrderPage:
    case = order_cases_visible_to(user).filter(pk=case_id).select_related(
        "pupil__school__local_authority", "local_authority", "contract", "responsible_officer",
        "programme",
    ).prefetch_related(*CASE_PREFETCHES).first()
    if case is None:
        raise Http404("No such parenting order case in your schools")
    facts = facts_of(case, today=today, actor=actor_for(user, case))
    clocks = [
        Clock(d, rules.due_text(d.due_at, nation=case.local_authority.nation)
              if not d.all_day else f"{timezone.localtime(d.due_at):%A %-d %B %Y}")
        for d in Deadline.objects.filter(subject=f"order:{case.pk}",
                                         status=Deadline.Status.OPEN).order_by("due_at")
    ]
    timeline = list(TimelineEvent.objects.filter(pupil=case.pupil, details__order=case.pk)
                    .select_related("actor"))
    return OrderPage(
        case=case, facts=facts, actions=rules.actions(facts),
        application=rules.application(facts), clocks=clocks, timeline=timeline,
        next_steps=rules.next_steps(case) if case.state in ENDED else "",
    )


def pack_for(user, *, pack_id: int) -> EvidencePack:
    try:
        return EvidencePack.objects.select_related("order_case__pupil", "built").get(
            pk=pack_id, order_case__in=order_cases_visible_to(user))
    except EvidencePack.DoesNotExist as missing:
        raise Http404("No such evidence pack in your schools") from missing


def programmes_visible_to(user) -> QuerySet[ParentingProgramme]:
    """The catalogues of the LAs whose case files the user reads (a school's staff read their
    LA's)."""
    return ParentingProgramme.objects.filter(
        local_authority__schools__in=case_selectors.schools_visible_to(user)).distinct()


def programme_authorities(user):
    """The LAs whose catalogue the user keeps: the LA roles that work order cases."""
    return contract_selectors.queue_authorities(user)


def programme_for(user, *, programme_id: int) -> ParentingProgramme:
    try:
        return programmes_visible_to(user).select_related("local_authority").get(
            pk=programme_id)
    except ParentingProgramme.DoesNotExist:
        raise Http404("No such programme") from None


def programmes_for(case: OrderCase) -> QuerySet[ParentingProgramme]:
    return ParentingProgramme.objects.filter(local_authority=case.local_authority, active=True)


def la_staff_for(case: OrderCase):
    """The LA's officers and legal panel members, who may sit on the panel or be named the
    responsible officer, and the pupil's school's recording staff."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        groups__staffgroup__local_authority=case.local_authority,
        groups__staffgroup__role__in=[*LA_RECORDING_ROLES, StaffRole.LEGAL_PANEL_MEMBER],
        is_active=True,
    ).distinct().order_by("last_name", "first_name")


def responsible_officer_choices(case: OrderCase):
    """Who the court may name: the headteacher, a member of staff the headteacher nominates,
    or an officer of the LA (Bedfordshire protocol §14)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        Q(groups__staffgroup__role__in=[StaffRole.HEADTEACHER, StaffRole.SCHOOL_LEAD],
          groups__staffgroup__school=case.school)
        | Q(groups__staffgroup__role__in=LA_RECORDING_ROLES,
            groups__staffgroup__local_authority=case.local_authority),
        is_active=True,
    ).distinct().order_by("last_name", "first_name")


# --- the LA designated officer's queue ---------------------------------------------------------

@dataclass(frozen=True)
class Queue:
    contracts: contract_selectors.Queue
    escalated: list[tuple[Contract, OrderCase | None]]
    order_cases: list[OrderCase]


def la_queue(user) -> Queue:
    """Escalations, each with the order case opened from it (if any), notifications to note,
    and the order cases that wait on the LA."""
    contracts = contract_selectors.la_queue(user)
    opened = {c.contract_id: c for c in OrderCase.objects.filter(
        contract__in=[c.pk for c in contracts.escalated])}
    waiting = list(
        OrderCase.objects.filter(
            local_authority__in=contract_selectors.queue_authorities(user),
            state__in=[*BEFORE_APPLICATION, State.APPLIED, State.HEARING_LISTED,
                       State.BREACHED, State.BREACH_REFERRED, State.BREACH_PROCEEDINGS],
        ).select_related("pupil", "school").order_by("created_at", "pk")[:200]
    )
    return Queue(contracts=contracts,
                 escalated=[(c, opened.get(c.pk)) for c in contracts.escalated],
                 order_cases=waiting)

