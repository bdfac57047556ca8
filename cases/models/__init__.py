"""The case file: organisations, pupils, parents and carers, exclusions, agencies, meetings,
evidence documents and the append-only case timeline."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"


class LocalPolicy(models.TextChoices):
    BEDFORDSHIRE_2007 = "bedfordshire-2007", "Bedfordshire protocol (2007)"
    ENGLAND_STATUTORY = "england-statutory", "England: statute and guidance"
    WALES_2010 = "wales-2010", "Wales: 2010 regulations and guidance"


class LocalAuthority(models.Model):
    code = models.CharField("LA code", max_length=3, unique=True)
    name = models.CharField(max_length=120)
    nation = models.CharField(max_length=10, choices=Nation.choices)
    policy_name = models.CharField(
        "local policy", max_length=40, choices=LocalPolicy.choices,
        default=LocalPolicy.ENGLAND_STATUTORY,
    )
    address = models.TextField(blank=True, help_text="For the letterhead of LA letters")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    # Published exports withhold a school's counts from 1 up to one below this, which could
    # identify a child (domain: "Termly return"); 5 withholds 1 to 4.
    small_number_threshold = models.PositiveSmallIntegerField(
        default=5, help_text="Published exports withhold counts from 1 up to one below this")
    # LA staff and operators always sign in in two steps (cases.two_step); the LA decides
    # whether its schools' staff must too, as the controller of the records they share.
    two_step_for_school_staff = models.BooleanField(
        "two-step sign-in for school staff", default=False,
        help_text="School staff must enter a code from an authenticator app to sign in")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        permissions = [
            ("view_la_cases", "See every case in the local authority"),
            ("record_la_cases", "Record case work in the local authority"),
            ("view_la_counts", "See the local authority's counts, without names"),
            ("view_la_conduct", "See the conduct records of adults at the LA's schools"),
            ("record_la_conduct", "Record conduct steps at the LA's schools"),
            ("la_data_protection", "Search who opened the LA's records, answer subject access "
             "requests, confirm disposals and reset staff sign-in devices"),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolType(models.TextChoices):
    COMMUNITY = "community", "Community school"
    FOUNDATION = "foundation", "Foundation school"
    VOLUNTARY_AIDED = "voluntary_aided", "Voluntary aided school"
    VOLUNTARY_CONTROLLED = "voluntary_controlled", "Voluntary controlled school"
    SPECIAL = "special", "Special school"
    NURSERY = "nursery", "Nursery school"
    ACADEMY = "academy", "Academy"
    FREE_SCHOOL = "free_school", "Free school"
    CTC = "ctc", "City technology college"
    PRU = "pru", "Pupil referral unit"


class School(models.Model):
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="schools"
    )
    dfe_number = models.CharField(
        "DfE number", max_length=7, unique=True,
        help_text="LA code and establishment number, 7 digits, for example 8231234",
    )
    name = models.CharField(max_length=160)
    school_type = models.CharField(max_length=30, choices=SchoolType.choices)
    address = models.TextField(blank=True, help_text="For the letterhead of school letters")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    headteacher_name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("view_school_cases", "See the school's pupils and their case files"),
            ("record_school_cases", "Record case work for the school's pupils"),
            ("view_school_conduct", "See the conduct records of adults at the school"),
            ("record_school_conduct", "Record conduct steps at the school"),
            ("school_data_protection", "Search who opened the school's records and answer "
             "subject access requests"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.dfe_number})"


class SchoolGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(School, on_delete=models.CASCADE)


class LocalAuthorityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE)


class StaffRole(models.TextChoices):
    SCHOOL_LEAD = "school_lead", "School lead"
    HEADTEACHER = "headteacher", "Headteacher"
    CHAIR_OF_GOVERNORS = "chair_of_governors", "Chair of governors"
    LA_DESIGNATED_OFFICER = "la_designated_officer", "LA designated officer"
    HEAD_OF_PARTNERSHIPS = "head_of_partnerships", "Head of partnerships"
    LEGAL_PANEL_MEMBER = "legal_panel_member", "Legal panel member"
    INFORMATION_OFFICER = "information_officer", "Information officer"
    LA_ADMIN = "la_admin", "LA admin"


SCHOOL_ROLES = frozenset(
    {StaffRole.SCHOOL_LEAD, StaffRole.HEADTEACHER, StaffRole.CHAIR_OF_GOVERNORS}
)


class StaffGroup(models.Model):
    """A role at one school or one local authority. Members get the role's object
    permissions on that organisation (see cases.access)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, primary_key=True)
    role = models.CharField(max_length=30, choices=StaffRole.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="staff_groups"
    )
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.CASCADE,
        related_name="staff_groups",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=True) ^ Q(local_authority__isnull=True),
                name="staffgroup_one_organisation",
            ),
            models.UniqueConstraint(fields=["role", "school"], name="staffgroup_school_role"),
            models.UniqueConstraint(
                fields=["role", "local_authority"], name="staffgroup_la_role"
            ),
        ]

    def __str__(self) -> str:
        return self.group.name

    @property
    def organisation(self) -> School | LocalAuthority:
        return self.school or self.local_authority


class ExclusionReason(models.Model):
    """DfE school census reason codes, with the academic years they were in use."""

    code = models.CharField(max_length=4, unique=True)
    description = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"

    def in_use_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class SenStatus(models.TextChoices):
    NONE = "none", "No special educational needs"
    SEN_SUPPORT = "sen_support", "SEN support"
    EHC_PLAN = "ehc_plan", "Education, health and care plan"


class Pupil(models.Model):
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    upn = models.CharField("UPN", max_length=13, unique=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    looked_after = models.BooleanField(
        "looked after (in statutory public care)", default=False
    )
    sen_status = models.CharField(
        "SEN status", max_length=20, choices=SenStatus.choices, default=SenStatus.NONE
    )
    social_worker = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The day the pupil left their school for none on Pact (moved away, home education, left
    # education): the case file stays with the school, and its retention clock starts.
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["school", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def upn_is_temporary(self) -> bool:
        return not self.upn[-1].isdigit()


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    WELSH = "cy", "Welsh"
    OTHER = "other", "Another language"


class ParentCarer(models.Model):
    """A parent under s.576 Education Act 1996: a natural parent, anyone with parental
    responsibility, or anyone who has care of the child."""

    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    preferred_language = models.CharField(
        max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    other_language = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "parent or carer"
        verbose_name_plural = "parents and carers"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    @property
    def salutation_name(self) -> str:
        """How a letter greets them: "Mrs Ahmed", or the full name when no title is known."""
        if self.title:
            return f"{self.title} {self.last_name}"
        return f"{self.first_name} {self.last_name}"


class Relationship(models.TextChoices):
    BIRTH_PARENT = "birth_parent", "Birth or adoptive parent"
    STEP_PARENT = "step_parent", "Step-parent"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_RELATIVE = "other_relative", "Other relative"
    FOSTER_CARER = "foster_carer", "Foster carer"
    SPECIAL_GUARDIAN = "special_guardian", "Special guardian"
    OTHER_CARER = "other_carer", "Other carer"
    CORPORATE_PARENT = "corporate_parent", "Local authority (corporate parent under a care order)"


class PupilParent(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(ParentCarer, on_delete=models.CASCADE, related_name="pupil_links")
    relationship = models.CharField(max_length=30, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(default=False)
    has_care = models.BooleanField("has care of the child", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pupil", "parent"], name="pupilparent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} — {self.get_relationship_display()} of {self.pupil}"


class ExclusionKind(models.TextChoices):
    SUSPENSION = "suspension", "Suspension"
    LUNCHTIME = "lunchtime", "Lunchtime suspension"
    PERMANENT = "permanent", "Permanent exclusion"


class StandingExclusions(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(in_error_at__isnull=True)


class Exclusion(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="exclusions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="exclusions")
    kind = models.CharField(max_length=20, choices=ExclusionKind.choices)
    start_date = models.DateField()
    school_days = models.DecimalField(
        "length in school days", max_digits=4, decimal_places=1, null=True, blank=True
    )
    reasons = models.ManyToManyField(ExclusionReason, related_name="exclusions")
    serious_misbehaviour = models.BooleanField(default=False)
    statutory_process_ended_on = models.DateField(
        "statutory process ended on", null=True, blank=True,
        help_text="Governing board review done, time for a review panel passed, or panel decided",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Recorded in error (the wrong pupil, a mistyped date): the row stays, as the evidence of
    # what was recorded, by whom and when, and of the correction; no rule, count, list or
    # letter reads it again (cases.services.exclusion_in_error).
    in_error_at = models.DateTimeField(null=True, blank=True)
    in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    in_error_reason = models.TextField(blank=True)

    # Every exclusion, those recorded in error too: for the case page's record of corrections.
    every = models.Manager()
    objects = StandingExclusions()

    class Meta:
        ordering = ["-start_date", "-pk"]
        default_manager_name = "objects"
        base_manager_name = "every"
        indexes = [
            models.Index(fields=["pupil", "start_date"]),
            models.Index(fields=["school", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%-d %b %Y}"


class AgencyKind(models.TextChoices):
    EDUCATION_WELFARE = "education_welfare", "Education welfare"
    SOCIAL_CARE = "social_care", "Social care"
    YOT = "yot", "Youth offending team"
    CAMHS = "camhs", "CAMHS"
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology", "Educational psychology"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    VOLUNTARY = "voluntary", "Voluntary organisation"
    PARENTING_PROGRAMME = "parenting_programme", "Parenting programme provider"


class Agency(models.Model):
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="agencies"
    )
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class AgencyInvolvement(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="agency_involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    key_worker = models.CharField(max_length=120)
    key_worker_contact = models.CharField(max_length=160, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    consent_to_share = models.BooleanField(default=False)
    consent_recorded_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} with {self.pupil}"


class MultiAgencyMeeting(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    purpose = models.CharField(max_length=200)
    attendees = models.TextField(help_text="One person a line, with their role")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="meetings")
    decisions = models.TextField()
    # Bedfordshire protocol §9: after a further breach and a further exclusion, a multi-agency
    # meeting with an LA representative considers whether a parenting order is the next step.
    la_represented = models.BooleanField("an LA representative attended", default=False)
    recommends_parenting_order = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.held_on:%-d %b %Y})"

    @property
    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class MeetingAction(models.Model):
    meeting = models.ForeignKey(
        MultiAgencyMeeting, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=120)
    due_on = models.DateField()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description


def document_storage_name(instance: "Document", filename: str) -> str:
    # Stored under a generated name: the uploader's file name is kept only as data.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class DocumentCategory(models.TextChoices):
    # The evidence a school's request for a parenting order carries (Bedfordshire protocol §12).
    WITNESS_STATEMENT = "witness_statement", "Witness statement about an exclusion"
    ENGAGEMENT = "engagement", "Record of the parent's failure to engage"
    SUPPORT = "support", "Record of support provided or attempted"
    PARENTING_FACTOR = "parenting_factor", "How parenting is a factor in the behaviour"
    OTHER = "other", "Other evidence"


class Document(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    category = models.CharField(
        max_length=30, choices=DocumentCategory.choices, default=DocumentCategory.OTHER
    )
    file = models.FileField(upload_to=document_storage_name)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    integrity_checked_at = models.DateTimeField(null=True, blank=True)
    integrity_ok = models.BooleanField(null=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class TimelineQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The case timeline is append-only: events are never changed.")

    def delete(self):
        raise TypeError("The case timeline is append-only: events are never deleted.")


class TimelineEvent(models.Model):
    """One entry on a pupil's case timeline: the evidence of what was done, by whom, when.
    Append-only: written once by a service, never updated or deleted."""

    class Kind(models.TextChoices):
        PUPIL_ADDED = "pupil_added", "Pupil added"
        PARENT_LINKED = "parent_linked", "Parent or carer added"
        EXCLUSION_RECORDED = "exclusion_recorded", "Exclusion recorded"
        EXCLUSION_IN_ERROR = "exclusion_in_error", "Exclusion recorded in error"
        AGENCY_INVOLVEMENT_RECORDED = "agency_involvement_recorded", "Agency involvement recorded"
        MEETING_RECORDED = "meeting_recorded", "Multi-agency meeting recorded"
        DOCUMENT_UPLOADED = "document_uploaded", "Document uploaded"
        DOCUMENT_INTEGRITY_FAILED = "document_integrity_failed", "Document failed its check"
        LETTER_ISSUED = "letter_issued", "Letter issued"
        # Events written before each step had its own kind.
        CONTRACT_STEP = "contract_step", "Contract step"
        CONTRACT_STARTED = "contract_started", "Contract started"
        CONTRACT_CHANGED = "contract_changed", "Contract content changed"
        AGENCY_CONSULTED = "agency_consulted", "Agency consulted about the contract"
        CONTRACT_CONTACT = "contract_contact", "Meeting or contact with the parents"
        CONSENT_RECORDED = "consent_recorded", "Consent to share information recorded"
        CONTRACT_OFFERED = "contract_offered", "Contract offered"
        CONTRACT_SIGNED = "contract_signed", "Contract signed"
        CONTRACT_REFUSED = "contract_refused", "Contract refused"
        CONTRACT_WITHDRAWN = "contract_withdrawn", "Contract withdrawn"
        CONTRACT_REVIEW_STARTED = "contract_review_started", "Contract review started"
        CONTRACT_REVIEWED = "contract_reviewed", "Contract reviewed"
        CONTRACT_ESCALATED = "contract_escalated", "Escalated to the LA"
        CONTRACT_TERMINATED = "contract_terminated", "Contract ended early"
        CONTRACT_COMPLETED = "contract_completed", "Contract completed"
        LA_NOTED = "la_noted", "Noted by the LA designated officer"
        ORDER_REQUESTED = "order_requested", "Parenting order requested"
        ORDER_REVIEW_STARTED = "order_review_started", "LA review of the order request started"
        ORDER_FINAL_WARNING = "order_final_warning", "Final warning letter issued"
        ORDER_PACK_REQUESTED = "order_pack_requested", "Evidence pack asked for"
        ORDER_PACK_BUILT = "order_pack_built", "Evidence pack built"
        ORDER_AT_PANEL = "order_at_panel", "Taken to the legal panel"
        ORDER_PANEL_VIEW = "order_panel_view", "Legal panel member's view recorded"
        ORDER_PANEL_DECIDED = "order_panel_decided", "Legal panel decided"
        ORDER_APPLIED = "order_applied", "Parenting order applied for"
        ORDER_HEARING_LISTED = "order_hearing_listed", "Court hearing listed"
        ORDER_OUTCOME = "order_outcome", "Court's decision recorded"
        ORDER_WITHDRAWN = "order_withdrawn", "Order application withdrawn"
        ORDER_RO_MEETING = "order_ro_meeting", "Responsible officer met the parent"
        ORDER_RO_CONFIRMED = "order_ro_confirmed", "Order confirmed in writing"
        ORDER_CONTACT = "order_contact", "Order monitoring recorded"
        ORDER_ATTENDANCE = "order_attendance", "Parenting programme session recorded"
        ORDER_BREACH = "order_breach", "Parenting order breached"
        ORDER_BREACH_REFERRED = "order_breach_referred", "Breach referred to the legal panel"
        ORDER_BREACH_DECIDED = "order_breach_decided", "Legal panel decided on the breach"
        ORDER_BREACH_OUTCOME = "order_breach_outcome", "Breach proceedings decided"
        ORDER_COMPLETED = "order_completed", "Parenting order completed"
        BREACH_RECORDED = "breach_recorded", "Contract breach recorded"
        DEADLINE_OPENED = "deadline_opened", "Deadline set"
        DEADLINE_CLOSED = "deadline_closed", "Deadline closed"
        DISPOSED = "disposed", "Anonymised under the retention schedule"
        PUPIL_MOVED = "pupil_moved", "Moved to another school"
        PUPIL_LEFT = "pupil_left", "Left the school"
        SUBJECT_ACCESS_ANSWERED = "subject_access_answered", "Subject access request answered"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="timeline")
    occurred_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # Built from names and text people typed: as long as it needs to be, never cut.
    summary = models.TextField()
    details = models.JSONField(default=dict, blank=True)

    objects = TimelineQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["pupil", "-occurred_at"])]

    def __str__(self) -> str:
        return self.summary

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The case timeline is append-only: events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The case timeline is append-only: events are never deleted.")


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class TermDate(models.Model):
    """An LA's term dates. Where an LA has entered none for a year, Pact uses a default
    (cases.workdays.default_terms)."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="term_dates"
    )
    academic_year = models.PositiveSmallIntegerField(
        help_text="The year the academic year starts in: 2026 for 2026/27"
    )
    term = models.CharField(max_length=10, choices=Term.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["local_authority", "academic_year", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "academic_year", "term"], name="termdate_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="termdate_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        next_year = (self.academic_year + 1) % 100
        return f"{self.get_term_display()} {self.academic_year}/{next_year:02d}"


class DeadlineKind(models.TextChoices):
    CONTRACT_REVIEW = "contract_review", "Contract review"
    CONTRACT_END = "contract_end", "Contract ends"
    ORDER_WINDOW = "order_window", "Parenting order application window closes"
    RO_MEETING = "ro_meeting", "Responsible officer to meet the parent"
    RO_CONFIRMATION = "ro_confirmation", "Responsible officer to confirm in writing"
    ORDER_END = "order_end", "Parenting order's requirements end"
    PARENT_REPLY = "parent_reply", "Parent's written reply due"
    SANCTION_REVIEW = "sanction_review", "Ban or conditions to be reviewed"
    BOARD_REVIEW = "board_review", "Governing board to review provisional conditions"
    CHAIR_AGREEMENT = "chair_agreement", "Chair of governors to agree an emergency ban"
    TERMLY_RETURN = "termly_return", "Termly return due"


# Windows lapse when they close: once past, the chance is gone and the deadline is missed.
# Every other kind is something still to do, so it stays open, overdue, until it is done.
LAPSING_DEADLINES = frozenset({DeadlineKind.ORDER_WINDOW, DeadlineKind.PARENT_REPLY})
# Clocks on an adult's conduct record: seen only by those who see conduct records (the
# headteacher, the chair of governors, the LA designated officer), never on a pupil's timeline.
CONDUCT_DEADLINES = frozenset({DeadlineKind.PARENT_REPLY, DeadlineKind.SANCTION_REVIEW,
                               DeadlineKind.BOARD_REVIEW, DeadlineKind.CHAIR_AGREEMENT})


class Deadline(models.Model):
    """A running clock on a case: opened and closed by services only."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=30, choices=DeadlineKind.choices)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="deadlines")
    pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    # What the clock runs for, where a case can have several of a kind ("contract:12").
    subject = models.CharField(max_length=60, blank=True)
    due_at = models.DateTimeField()
    all_day = models.BooleanField(default=True)
    started_by = models.TextField(help_text="What started the clock")
    opened_by_event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "pupil", "subject"],
                condition=Q(status="open"),
                name="deadline_one_open_clock",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due_at:%-d %b %Y}"

    @property
    def conduct_record_id(self) -> int | None:
        # Conduct clocks name their record in the subject ("conduct:<id>", or
        # "conduct:<id>:reply:<step>"): lists link them to the record, not to the case.
        if self.kind in CONDUCT_DEADLINES and self.subject.startswith("conduct:"):
            number = self.subject.split(":")[1]
            return int(number) if number.isdigit() else None
        return None


class Submission(models.Model):
    """A form sent once. Every state-changing form carries a one-time key; the first request
    with it records the key inside the same transaction as its changes, and a repeat (a double
    click, a retry) is answered with where the first one led (cases.submissions)."""

    key = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500)
    result = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.path} → {self.result}"


# Kept in their own modules: what "eligible now" reads, where a pupil went, and records
# about the records (who opened what, retention, subject access).
from .grounds import ContractGrounds  # noqa: E402, F401
from .moves import LeftFor, PupilMove  # noqa: E402, F401
from .protection import AccessRecord, AccountEvent, Disposal, RetentionRule  # noqa: E402, F401
from .subject_access import SubjectAccessExport  # noqa: E402, F401
