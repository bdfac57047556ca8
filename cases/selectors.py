"""Every read a user makes, already scoped to that user.

Scope comes from guardian object permissions granted to the user's groups on schools and
local authorities. Each selector composes the scope as a subquery, so a page costs the same
number of queries whatever the size of the LA.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Lag
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access
from .eligibility import PUPIL_PREFETCHES, Measure, measures_for
from .models import (
    CONDUCT_DEADLINES,
    AccessRecord,
    AccountEvent,
    Agency,
    Deadline,
    Disposal,
    Document,
    Exclusion,
    ExclusionKind,
    LocalAuthority,
    LocalAuthorityGroupObjectPermission,
    MultiAgencyMeeting,
    ParentCarer,
    Pupil,
    PupilMove,
    RetentionRule,
    School,
    SchoolGroupObjectPermission,
    StaffGroup,
    TermDate,
    TimelineEvent,
)
from .policies import Policy, policy_for
from .rules import academic_year_start
from .workdays import default_terms


def _schools_with(user, *, school_perm: str | None, la_perm: str) -> QuerySet[School]:
    if not user.is_authenticated:
        return School.objects.none()
    by_la = LocalAuthorityGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=la_perm
    ).values("content_object")
    scope = Q(local_authority__in=by_la)
    if school_perm:
        by_school = SchoolGroupObjectPermission.objects.filter(
            group__user=user, permission__codename=school_perm
        ).values("content_object")
        scope |= Q(pk__in=by_school)
    return School.objects.filter(scope)


def schools_visible_to(user) -> QuerySet[School]:
    """Schools whose pupils, with names, the user may see."""
    return _schools_with(
        user, school_perm=access.VIEW_SCHOOL_CASES, la_perm=access.VIEW_LA_CASES
    )


def schools_recordable_by(user) -> QuerySet[School]:
    return _schools_with(
        user, school_perm=access.RECORD_SCHOOL_CASES, la_perm=access.RECORD_LA_CASES
    )


def schools_counted_by(user) -> QuerySet[School]:
    """Schools whose counts (never names) the user may see."""
    return _schools_with(
        user, school_perm=access.VIEW_SCHOOL_CASES, la_perm=access.VIEW_LA_COUNTS
    ) | schools_visible_to(user)


def schools_with_conduct_records_for(user) -> QuerySet[School]:
    """Schools whose adults' conduct records the user may open."""
    return _schools_with(
        user, school_perm=access.VIEW_SCHOOL_CONDUCT, la_perm=access.VIEW_LA_CONDUCT)


def schools_recording_conduct_for(user) -> QuerySet[School]:
    return _schools_with(
        user, school_perm=access.RECORD_SCHOOL_CONDUCT, la_perm=access.RECORD_LA_CONDUCT)


def schools_answering_subject_access_for(user) -> QuerySet[School]:
    """Schools whose pupils' and parents' subject access requests the user answers: the
    headteacher's school, the LA admin's LA."""
    return _schools_with(user, school_perm=access.SCHOOL_DATA_PROTECTION,
                         la_perm=access.LA_DATA_PROTECTION)


def staff_groups_of(user) -> list[StaffGroup]:
    """The user's roles, read once and kept on the user object for the rest of the request."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_pact_staff_groups"):
        user._pact_staff_groups = list(
            StaffGroup.objects.filter(group__user=user)
            # The school's LA too: whether it requires two-step sign-in of school staff.
            .select_related("school__local_authority", "local_authority")
            .order_by("role")
        )
    return user._pact_staff_groups


def pupils_visible_to(user) -> QuerySet[Pupil]:
    return Pupil.objects.filter(school__in=schools_visible_to(user))


def schools_named(query: str) -> list[School]:
    """Schools on Pact by DfE number ("938/4012" or "9384012") or by words of their name, for
    choosing where a pupil moves: any school on Pact, not only the user's (the names and
    numbers of schools are public, in the DfE's Get Information about Schools). At most 6, so
    a list too long to choose from says so."""
    compact = query.replace("/", "").replace(" ", "")
    if compact.isdigit():
        return list(School.objects.filter(dfe_number=compact).select_related(
            "local_authority"))
    schools = School.objects.select_related("local_authority")
    words = query.split()
    if not words:
        return []
    for word in words:
        schools = schools.filter(name__icontains=word)
    return list(schools.order_by("name", "pk")[:6])


def pupil_search(user, *, query: str) -> QuerySet[Pupil]:
    """Pupils in the user's scope whose name or UPN matches."""
    pupils = pupils_visible_to(user).select_related("school")
    query = " ".join(query.split())
    if not query:
        return pupils.none()
    compact = query.replace(" ", "").upper()
    if len(compact) == 13 and compact[1:12].isdigit():
        return pupils.filter(upn=compact)
    words = query.split(" ")
    for word in words:
        pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return pupils.order_by("last_name", "first_name", "pk")


def pupil_case_file(user, *, pupil_id: int) -> Pupil:
    """A pupil with everything the case page shows, or 404 outside the user's scope."""
    pupils = _pupils_with_school(user).prefetch_related(
        "parent_links__parent",
        "exclusions__reasons",
        Prefetch("exclusions", to_attr="exclusions_in_error", queryset=Exclusion.every.filter(
            in_error_at__isnull=False).select_related("in_error_by")),
        "agency_involvements__agency",
        Prefetch(
            "meetings",
            queryset=MultiAgencyMeeting.objects.prefetch_related("actions", "agencies"),
        ),
        "documents",
        "contracts",
        # An order case stays with the LA that holds it when the pupil moves: the school
        # that has the pupil now sees that it exists and who holds it, not the case itself.
        Prefetch("order_cases", queryset=Pupil.order_cases.rel.related_model.objects
                 .select_related("local_authority")
                 .annotate(openable=Exists(schools_visible_to(user).filter(
                     pk=OuterRef("school_id"))))),
        Prefetch("moves", queryset=PupilMove.objects.select_related(
            "from_school", "to_school")),
        Prefetch("timeline", queryset=TimelineEvent.objects.select_related("actor")),
        # The PDFs stay in the database until someone downloads one.
        # Conduct letters are read from the conduct record, by those who may.
        Prefetch("letters", queryset=Pupil.letters.rel.related_model.objects
                 .open_to_case_readers().defer("pdf")),
    )
    return _one_pupil(pupils, pupil_id)


def _one_pupil(pupils: QuerySet[Pupil], pupil_id: int) -> Pupil:
    try:
        return pupils.get(pk=pupil_id)
    except Pupil.DoesNotExist as missing:
        raise Http404("No such pupil in your schools") from missing


def _pupils_with_school(user) -> QuerySet[Pupil]:
    return pupils_visible_to(user).select_related("school", "school__local_authority")


def pupil_for_recording(user, *, pupil_id: int) -> Pupil:
    return _one_pupil(_pupils_with_school(user), pupil_id)


def user_may_record_for(user, *, school: School) -> bool:
    return schools_recordable_by(user).filter(pk=school.pk).exists()


def document_for_download(user, *, pupil_id: int, document_id: int) -> Document:
    try:
        return Document.objects.select_related("pupil__school").get(
            pk=document_id, pupil_id=pupil_id, pupil__in=pupils_visible_to(user)
        )
    except Document.DoesNotExist as missing:
        raise Http404("No such document in your schools") from missing


def exclusion_of(pupil: Pupil, *, exclusion_id: int) -> Exclusion:
    try:
        return pupil.exclusions.get(pk=exclusion_id)
    except Exclusion.DoesNotExist as missing:
        raise Http404("No such exclusion for this pupil") from missing


def parents_of(pupil: Pupil) -> QuerySet[ParentCarer]:
    return ParentCarer.objects.filter(pupil_links__pupil=pupil).order_by("pupil_links__pk")


def agencies_for_pupil(pupil: Pupil) -> QuerySet[Agency]:
    return Agency.objects.filter(local_authority_id=pupil.school.local_authority_id)


@dataclass(frozen=True)
class Dashboard:
    roles: list[StaffGroup]
    schools: list[School]
    recent_events: list[TimelineEvent]
    sees_names: bool
    year_start: date

    @property
    def totals(self) -> dict[str, int]:
        keys = ("pupil_count", "suspension_count", "suspension_days", "permanent_count")
        return {key: sum(getattr(s, key) or 0 for s in self.schools) for key in keys}


def _per_school(queryset: QuerySet, aggregate, output_field) -> Coalesce:
    per_school = (
        queryset.filter(school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(total=aggregate)
        .values("total")
    )
    return Coalesce(Subquery(per_school, output_field=output_field), 0, output_field=output_field)


def user_sees_names(roles: list[StaffGroup]) -> bool:
    """Whether any of these roles may see pupils' and parents' names."""
    name_permissions = {access.VIEW_SCHOOL_CASES, access.VIEW_LA_CASES}
    return any(name_permissions & set(access.ROLE_PERMISSIONS[g.role]) for g in roles)


def dashboard_for(user, *, today: date) -> Dashboard:
    """Counts per school for this academic year, and recent case work where names may be seen.
    Aggregates are computed in SQL, one row a school."""
    year_start = academic_year_start(today)
    this_year = Exclusion.objects.filter(start_date__gte=year_start, start_date__lte=today)
    suspensions = this_year.exclude(kind=ExclusionKind.PERMANENT)
    whole = IntegerField()
    schools = list(
        schools_counted_by(user)
        .select_related("local_authority")
        .annotate(
            pupil_count=_per_school(Pupil.objects.all(), Count("pk"), whole),
            suspension_count=_per_school(suspensions, Count("pk"), whole),
            suspension_days=_per_school(
                suspensions, Sum("school_days"), DecimalField(max_digits=8, decimal_places=1)
            ),
            permanent_count=_per_school(
                this_year.filter(kind=ExclusionKind.PERMANENT), Count("pk"), whole
            ),
        )
        .order_by("local_authority__name", "name")
    )
    roles = staff_groups_of(user)
    sees_names = user_sees_names(roles)
    recent = (
        list(
            TimelineEvent.objects.filter(pupil__school__in=schools_visible_to(user))
            .select_related("pupil", "actor")[:10]
        )
        if sees_names
        else []
    )
    return Dashboard(
        roles=roles,
        schools=schools,
        recent_events=recent,
        sees_names=sees_names,
        year_start=year_start,
    )


# --- eligibility ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Eligibility:
    pupil: Pupil
    policy: Policy
    measures: list[Measure]


def pupil_eligibility(user, *, pupil_id: int, today: date) -> Eligibility:
    """For each measure, whether it is available for this pupil now, why, and until when."""
    pupil = _one_pupil(
        _pupils_with_school(user).prefetch_related(*PUPIL_PREFETCHES), pupil_id)
    policy = policy_for(pupil.school.local_authority)
    return Eligibility(pupil=pupil, policy=policy, measures=measures_for(pupil, today=today))


def _key(field: str):
    """A date column as YYYYMMDD (see cases.workdays.date_key)."""
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


def _months_as_key(months: int) -> int:
    if months % 12:
        raise ValueError("Only whole years can be compared as YYYYMMDD keys.")
    return months // 12 * 10000


def _paired_suspensions(exclusions: QuerySet[Exclusion], policy: Policy) -> QuerySet[Exclusion]:
    """Each suspension beside the one before it: those that began within the policy's window
    of the pupil's previous suspension."""
    return (
        exclusions.exclude(kind=ExclusionKind.PERMANENT)
        .annotate(
            key=_key("start_date"),
            previous_key=Window(
                Lag(_key("start_date")),
                partition_by=[F("pupil_id")],
                order_by=[F("start_date").asc(), F("pk").asc()],
            ),
        )
        .filter(previous_key__gte=F("key") - _months_as_key(policy.suspension_window_months))
    )


def gave_contract_grounds(local_authority: LocalAuthority) -> Q:
    """Which of the LA's exclusions, on the day they began, gave the pupil grounds for a
    behaviour contract under the LA's policy: a permanent exclusion, or a suspension (under a
    policy of two suspensions, one that began within the window of the one before)."""
    policy = policy_for(local_authority)
    # By the school that excluded, not the pupil's school now: a pupil who moves on leaves
    # the count of the school's past terms as it was. The suspension before may have been at
    # any school: the pupil's record followed them.
    in_la = Q(school__local_authority=local_authority)
    if not policy.contract_needs_two_suspensions:
        return in_la
    paired = _paired_suspensions(Exclusion.objects.filter(
        pupil_id__in=Exclusion.objects.filter(in_la).values("pupil_id")), policy)
    return in_la & (Q(kind=ExclusionKind.PERMANENT) | Q(pk__in=paired.values("pk")))


def contract_grounds_standing(local_authority: LocalAuthority, *, today: date) -> Q:
    """Pupils of the LA with grounds for a behaviour contract today, by the LA's policy: the
    grounds rules.contract_grounds found, as the services keep them (cases.grounds). For
    a filter on pupils, in one filter() call, so every condition meets the same row."""
    policy = policy_for(local_authority)
    standing = Q(contract_grounds__local_authority=local_authority,
                 contract_grounds__policy_name=policy.name,
                 contract_grounds__lapses_on__gte=today)
    if policy.looked_after_blocks_contract:
        standing &= Q(looked_after=False)
    return standing


def contract_eligible_pupils(local_authority: LocalAuthority, *, today: date) -> QuerySet[Pupil]:
    """Every pupil in the LA with grounds for a behaviour contract today: what
    rules.behaviour_contract_eligibility allows a pupil with no contract in hand. (contracts.
    selectors leaves out the pupils who have one.)"""
    return Pupil.objects.filter(contract_grounds_standing(local_authority, today=today))


# --- deadlines -----------------------------------------------------------------------------

DUE_SOON = timedelta(days=14)


@dataclass(frozen=True)
class DeadlineLists:
    overdue: list[Deadline]
    due_soon: list[Deadline]


def deadlines_for(user, *, now: datetime, pupil: Pupil | None = None) -> DeadlineLists:
    """Open deadlines in the user's scope: past due, and due within 14 days."""
    open_deadlines = Deadline.objects.filter(
        status=Deadline.Status.OPEN, school__in=schools_visible_to(user)
    ).exclude(
        Q(kind__in=CONDUCT_DEADLINES) & ~Q(school__in=schools_with_conduct_records_for(user))
    ).select_related("pupil", "school")
    if pupil is not None:
        open_deadlines = open_deadlines.filter(pupil=pupil)
    listed = list(open_deadlines.filter(due_at__lt=now + DUE_SOON)[:50])
    return DeadlineLists(
        overdue=[d for d in listed if d.due_at < now],
        due_soon=[d for d in listed if d.due_at >= now],
    )


def terms_for(local_authority: LocalAuthority, *, first_year: int) -> list[tuple[date, date]]:
    entered = list(
        TermDate.objects.filter(local_authority=local_authority, academic_year=first_year)
        .values_list("starts_on", "ends_on")
    )
    return entered or [(start, end) for _, start, end in default_terms(first_year)]


ACCESS_LOG_PAGE = 50


def _data_protection_scope(user) -> Q:
    """The access log entries the user answers for: the headteacher their school's, the LA
    admin their LA's. Read from the user's groups, already in hand for the page, as plain ids:
    each then walks its own index newest first, however long the log."""
    groups = [group for group in staff_groups_of(user) if _answers_for_data(group)]
    scope = Q(pk__in=[])
    schools = [group.school_id for group in groups if group.school_id]
    authorities = [group.local_authority_id for group in groups if group.local_authority_id]
    if schools:
        scope |= Q(school_id__in=schools)
    if authorities:
        scope |= Q(local_authority_id__in=authorities)
    return scope


def _answers_for_data(group: StaffGroup) -> bool:
    held = access.ROLE_PERMISSIONS[group.role]
    return access.SCHOOL_DATA_PROTECTION in held or access.LA_DATA_PROTECTION in held


def answers_for_data_protection(user) -> bool:
    return any(_answers_for_data(group) for group in staff_groups_of(user))


@dataclass(frozen=True)
class AccessLogPage:
    entries: list[AccessRecord]
    older: int | None  # the id to read on from, when there are older entries


def access_log_for(user, *, pupil_id: int | None = None, upn: str = "", person: str = "",
                   what: str = "", since: date | None = None, until: date | None = None,
                   before: int | None = None) -> AccessLogPage:
    """One page of the access log in the user's scope, newest first, read on by the id of the
    last entry shown (not by page number: the log only grows, and a count of it would cost a
    scan)."""
    entries = AccessRecord.objects.filter(_data_protection_scope(user)).select_related(
        "user", "pupil", "school")
    if pupil_id:
        entries = entries.filter(pupil_id=pupil_id)
    if upn:
        entries = entries.filter(pupil__upn=upn)
    if person:
        entries = entries.filter(
            Q(user__username__iexact=person) | Q(user__last_name__iexact=person)
            | Q(user__first_name__iexact=person))
    if what:
        entries = entries.filter(what=what)
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until and until < date.max:
        entries = entries.filter(
            at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))
    if before:
        entries = entries.filter(pk__lt=before)
    rows = list(entries.order_by("-id")[:ACCESS_LOG_PAGE + 1])
    older = rows[ACCESS_LOG_PAGE - 1].pk if len(rows) > ACCESS_LOG_PAGE else None
    return AccessLogPage(entries=rows[:ACCESS_LOG_PAGE], older=older)


VIEWED_BY_SHOWN = 10


def viewed_by(user, pupil: Pupil) -> list[AccessRecord] | None:
    """The latest openings of a pupil's records, for the headteacher of the pupil's school and
    the LA admin of its LA; None for everyone else (who are not shown the list, at no cost)."""
    if not any(_answers_for_data(group) and (
            group.school_id == pupil.school_id
            or group.local_authority_id == pupil.school.local_authority_id)
            for group in staff_groups_of(user)):
        return None
    # Only what the reader answers for: openings at another school or LA (before a move, or
    # of an order case another LA holds) are that school's or LA's to see.
    return list(AccessRecord.objects.filter(_data_protection_scope(user), pupil=pupil)
                .select_related("user").order_by("-id")[:VIEWED_BY_SHOWN])


def authorities_disposing_for(user) -> QuerySet[LocalAuthority]:
    """The LAs whose disposals the user reviews and confirms: the LA admin's."""
    return LocalAuthority.objects.filter(pk__in=LocalAuthorityGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=access.LA_DATA_PROTECTION
    ).values("content_object"))


DISPOSALS_SHOWN = 100


@dataclass(frozen=True)
class RetentionPage:
    schedule: list[RetentionRule]
    due: list[Disposal]
    due_count: int
    recent: list[Disposal]


def retention_page(user) -> RetentionPage:
    authorities = authorities_disposing_for(user)
    due = Disposal.objects.filter(local_authority__in=authorities,
                                  status=Disposal.Status.DUE).select_related("school")
    recent = (Disposal.objects.filter(local_authority__in=authorities)
              .exclude(status=Disposal.Status.DUE).select_related("school", "confirmed_by")
              .order_by("-confirmed_at", "-pk"))
    shown = list(due[:DISPOSALS_SHOWN])
    return RetentionPage(
        schedule=list(RetentionRule.objects.all()), due=shown,
        due_count=due.count() if len(shown) == DISPOSALS_SHOWN else len(shown),
        recent=list(recent[:20]))


def disposal_for(user, *, disposal_id: int) -> Disposal:
    try:
        return Disposal.objects.select_related("school", "local_authority").get(
            pk=disposal_id, local_authority__in=authorities_disposing_for(user))
    except Disposal.DoesNotExist as missing:
        raise Http404("No such record listed for disposal in your LA") from missing


def local_authority_administered_by(user, *, la_id: int) -> LocalAuthority:
    """An LA whose staff sign-in the user looks after (the LA admin); any other is 404."""
    administered = LocalAuthorityGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=access.LA_DATA_PROTECTION).values(
        "content_object")
    found = LocalAuthority.objects.filter(pk=la_id, pk__in=administered).first()
    if found is None:
        raise Http404("No such local authority among yours")
    return found


def staff_of(local_authority: LocalAuthority) -> QuerySet:
    """Everyone with a role at the LA or one of its schools, each with their roles there and
    whether they have set up two-step sign-in."""
    here = Q(staffgroup__local_authority=local_authority) | Q(
        staffgroup__school__local_authority=local_authority)
    return (
        get_user_model().objects.filter(groups__in=Group.objects.filter(here))
        .distinct()
        .annotate(has_authenticator=Exists(TOTPDevice.objects.filter(
            user=OuterRef("pk"), confirmed=True)))
        .prefetch_related(Prefetch(
            "groups", to_attr="roles_here",
            queryset=Group.objects.filter(here).select_related(
                "staffgroup__school", "staffgroup__local_authority")))
        .order_by("last_name", "first_name", "username")
    )


def staff_member_of(local_authority: LocalAuthority, *, user_id: int):
    found = staff_of(local_authority).filter(pk=user_id).first()
    if found is None:
        raise Http404("No such member of staff in your local authority")
    return found


def account_events_of(local_authority: LocalAuthority, *, limit: int = 50) -> list:
    return list(AccountEvent.objects.filter(local_authority=local_authority)
                .select_related("user", "actor")[:limit])
