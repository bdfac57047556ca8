"""Every read a user makes, already scoped to that user.

Scope comes from guardian object permissions granted to the user's groups on schools and
local authorities. Each selector composes the scope as a subquery, so a page costs the same
number of queries whatever the size of the LA.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from . import access
from .models import (
    SCHOOL_ROLES,
    Agency,
    Document,
    Exclusion,
    ExclusionKind,
    LocalAuthorityGroupObjectPermission,
    MultiAgencyMeeting,
    Pupil,
    School,
    SchoolGroupObjectPermission,
    StaffGroup,
    TimelineEvent,
)
from .rules import academic_year_start


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


def staff_groups_of(user) -> list[StaffGroup]:
    """The user's roles, read once and kept on the user object for the rest of the request."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_pact_staff_groups"):
        user._pact_staff_groups = list(
            StaffGroup.objects.filter(group__user=user)
            .select_related("school", "local_authority")
            .order_by("role")
        )
    return user._pact_staff_groups


def pupils_visible_to(user) -> QuerySet[Pupil]:
    return Pupil.objects.filter(school__in=schools_visible_to(user))


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
    pupils = pupils_visible_to(user).select_related(
        "school", "school__local_authority"
    ).prefetch_related(
        "parent_links__parent",
        "exclusions__reasons",
        "agency_involvements__agency",
        Prefetch(
            "meetings",
            queryset=MultiAgencyMeeting.objects.prefetch_related("actions", "agencies"),
        ),
        "documents",
        Prefetch("timeline", queryset=TimelineEvent.objects.select_related("actor")),
    )
    try:
        return pupils.get(pk=pupil_id)
    except Pupil.DoesNotExist as missing:
        raise Http404("No such pupil in your schools") from missing


def pupil_for_recording(user, *, pupil_id: int) -> Pupil:
    try:
        return pupils_visible_to(user).select_related(
            "school", "school__local_authority"
        ).get(pk=pupil_id)
    except Pupil.DoesNotExist as missing:
        raise Http404("No such pupil in your schools") from missing


def user_may_record_for(user, *, school: School) -> bool:
    return schools_recordable_by(user).filter(pk=school.pk).exists()


def document_for_download(user, *, pupil_id: int, document_id: int) -> Document:
    try:
        return Document.objects.select_related("pupil").get(
            pk=document_id, pupil_id=pupil_id, pupil__in=pupils_visible_to(user)
        )
    except Document.DoesNotExist as missing:
        raise Http404("No such document in your schools") from missing


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
    def school_roles(self) -> list[StaffGroup]:
        return [g for g in self.roles if g.role in SCHOOL_ROLES]

    @property
    def la_roles(self) -> list[StaffGroup]:
        return [g for g in self.roles if g.role not in SCHOOL_ROLES]

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
