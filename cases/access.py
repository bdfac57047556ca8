"""Roles and what each may do, as guardian object permissions on a school or an LA.

A role at an organisation is a group (cases.StaffGroup); the group holds the role's object
permissions on that one school or LA; staff are members of groups. Scoped reads are in
cases.selectors.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm

from .models import SCHOOL_ROLES, LocalAuthority, School, StaffGroup, StaffRole

VIEW_SCHOOL_CASES = "view_school_cases"
RECORD_SCHOOL_CASES = "record_school_cases"
VIEW_LA_CASES = "view_la_cases"
RECORD_LA_CASES = "record_la_cases"
VIEW_LA_COUNTS = "view_la_counts"
# Conduct records are about adults, and sensitive: the headteacher and the chair of governors
# see their school's, the LA designated officer the LA's; the headteacher and the officer
# record (the chair records only their agreement to a ban, as a step of the record).
VIEW_SCHOOL_CONDUCT = "view_school_conduct"
RECORD_SCHOOL_CONDUCT = "record_school_conduct"
VIEW_LA_CONDUCT = "view_la_conduct"
RECORD_LA_CONDUCT = "record_la_conduct"
# Data protection duties: the headteacher for the school (the school is the controller of its
# pupils' records), the LA admin for the LA: who opened what, subject access requests, and
# (the LA admin alone) disposals under the retention schedule and staff sign-in devices.
SCHOOL_DATA_PROTECTION = "school_data_protection"
LA_DATA_PROTECTION = "la_data_protection"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    StaffRole.SCHOOL_LEAD: (VIEW_SCHOOL_CASES, RECORD_SCHOOL_CASES),
    StaffRole.HEADTEACHER: (VIEW_SCHOOL_CASES, RECORD_SCHOOL_CASES, VIEW_SCHOOL_CONDUCT,
                            RECORD_SCHOOL_CONDUCT, SCHOOL_DATA_PROTECTION),
    # The chair reads the school's cases (a ban needs the chair's agreement) but does not
    # record case work.
    StaffRole.CHAIR_OF_GOVERNORS: (VIEW_SCHOOL_CASES, VIEW_SCHOOL_CONDUCT),
    StaffRole.LA_DESIGNATED_OFFICER: (VIEW_LA_CASES, RECORD_LA_CASES, VIEW_LA_COUNTS,
                                      VIEW_LA_CONDUCT, RECORD_LA_CONDUCT),
    StaffRole.HEAD_OF_PARTNERSHIPS: (VIEW_LA_CASES, RECORD_LA_CASES, VIEW_LA_COUNTS),
    StaffRole.LEGAL_PANEL_MEMBER: (VIEW_LA_CASES,),
    # Aggregates only: the information officer never sees a pupil's or a parent's name.
    StaffRole.INFORMATION_OFFICER: (VIEW_LA_COUNTS,),
    StaffRole.LA_ADMIN: (VIEW_LA_CASES, RECORD_LA_CASES, VIEW_LA_COUNTS, LA_DATA_PROTECTION),
}


def staff_group_for(*, role: str, organisation: School | LocalAuthority) -> StaffGroup:
    """The group for a role at a school or LA, made with its permissions the first time."""
    is_school = isinstance(organisation, School)
    if (role in SCHOOL_ROLES) != is_school:
        kind = "a school" if role in SCHOOL_ROLES else "a local authority"
        raise ValueError(f"{StaffRole(role).label} is a role at {kind}.")
    lookup = {"school": organisation} if is_school else {"local_authority": organisation}
    existing = StaffGroup.objects.filter(role=role, **lookup).select_related("group").first()
    if existing:
        return existing
    with transaction.atomic():
        label = organisation.name if is_school else f"{organisation.name} LA"
        suffix = f" — {StaffRole(role).label} ({organisation.pk})"
        # A group's name holds 150 characters; the id keeps a shortened one unique.
        room = Group._meta.get_field("name").max_length - len(suffix)
        group = Group.objects.create(name=f"{label[:room]}{suffix}")
        staff_group = StaffGroup.objects.create(group=group, role=role, **lookup)
        for codename in ROLE_PERMISSIONS[role]:
            assign_perm(f"cases.{codename}", group, organisation)
    return staff_group


def staff_grant_role(*, user, role: str, organisation: School | LocalAuthority) -> StaffGroup:
    staff_group = staff_group_for(role=role, organisation=organisation)
    user.groups.add(staff_group.group)
    return staff_group
