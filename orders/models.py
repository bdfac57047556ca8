"""Parenting orders (ASBA 2003 s.20; Bedfordshire protocol §11-14): the school's request, the
LA's review, the legal panel, the application to the magistrates' court, the order and its
responsible officer, breaches, and the evidence pack.

The state is protected: only the transitions below change it, and only services call them.
Concurrent transitions of one case are refused by optimistic locking on the state."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import LocalAuthority, ParentCarer, Pupil, School
from contracts.models import Contract
from letters.models import IssuedLetter


class State(models.TextChoices):
    REQUESTED = "requested", "Requested"
    UNDER_REVIEW = "under_review", "Under LA review"
    AT_PANEL = "at_panel", "At the legal panel"
    PROCEEDING = "proceeding", "Proceeding: the panel agreed"
    NOT_PROCEEDING = "not_proceeding", "Not proceeding"
    APPLIED = "applied", "Application made"
    HEARING_LISTED = "hearing_listed", "Hearing listed"
    REFUSED = "refused", "Refused by the court"
    WITHDRAWN = "withdrawn", "Withdrawn"
    RUNNING = "running", "Order made and running"
    BREACHED = "breached", "Order breached"
    BREACH_REFERRED = "breach_referred", "Breach with the legal panel"
    BREACH_PROCEEDINGS = "breach_proceedings", "Breach proceedings"
    COMPLETED = "completed", "Completed"


# Before an order is made: the application window is a running clock.
BEFORE_APPLICATION = [State.REQUESTED, State.UNDER_REVIEW, State.AT_PANEL, State.PROCEEDING]
ORDER_IN_FORCE = [State.RUNNING, State.BREACHED, State.BREACH_REFERRED,
                  State.BREACH_PROCEEDINGS]
ENDED = [State.NOT_PROCEEDING, State.REFUSED, State.WITHDRAWN, State.COMPLETED]
# A pupil has at most one order case open at a time.
OPEN = [s for s in State.values if s not in ENDED]


class ParentingProgramme(models.Model):
    """A parenting programme the LA can offer or a court can order (domain: multi-agency
    work): who runs it, how many sessions, what it covers, and how many places."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT,
                                        related_name="parenting_programmes")
    name = models.CharField(max_length=160)
    provider = models.CharField(max_length=160)
    sessions = models.PositiveSmallIntegerField()
    topics = models.TextField(blank=True)
    places = models.PositiveSmallIntegerField(help_text="Places available now")
    active = models.BooleanField(default=True)
    # Each save adds one: two officers changing one entry at once cannot overwrite each other.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "name"],
                                               name="programme_name_unique_in_la")]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider}, {self.sessions} sessions)"


class ProgrammeChange(models.Model):
    """Each change to a catalogue entry, with what it said before: a panel's decision or an
    order names a programme as it was then."""

    programme = models.ForeignKey(ParentingProgramme, on_delete=models.PROTECT,
                                  related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(null=True, blank=True, help_text="Empty when it was added")
    after = models.JSONField()

    def __str__(self) -> str:
        return f"{self.after.get('name', '')}, changed {self.changed_at:%-d %b %Y}"


class Outcome(models.TextChoices):
    MADE = "made", "Order made"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ADJOURNED = "adjourned", "Adjourned to a new date"


class OrderCase(ConcurrentTransitionMixin, models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="order_cases")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="order_cases")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT,
                                        related_name="order_cases")
    state = FSMField(default=State.REQUESTED, choices=State.choices, protected=True)
    parents = models.ManyToManyField(ParentCarer, related_name="order_cases")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="order_cases",
                                 help_text="The escalated contract the request came from")

    # The request.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_on = models.DateField()
    opened_by_la = models.BooleanField(default=False)
    request_reasons = models.TextField()
    parenting_factor = models.TextField(
        "How parenting is a factor in the behaviour", blank=True)

    # The legal panel's decision.
    panel_decided_on = models.DateField(null=True, blank=True)
    panel_reasons = models.TextField(blank=True)

    # The application and the hearing.
    court = models.CharField(max_length=200, blank=True)
    applied_on = models.DateField(null=True, blank=True)
    hearing_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_reasons = models.TextField(blank=True)

    # The order.
    made_at = models.DateTimeField(null=True, blank=True)
    programme = models.ForeignKey(ParentingProgramme, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="orders")
    programme_ends_on = models.DateField(null=True, blank=True)
    requirements = models.TextField(blank=True)
    requirements_end_on = models.DateField(null=True, blank=True)
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+")
    ro_met_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["local_authority", "state"]),
                   models.Index(fields=["school", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["pupil"], condition=Q(state__in=OPEN),
                                    name="ordercase_one_open_per_pupil"),
        ]

    def __str__(self) -> str:
        return f"Parenting order case for {self.pupil}"

    # The transitions. Services check permission and the rules (orders.rules), then call one
    # of these inside a transaction and save.

    @transition(field=state, source=State.REQUESTED, target=State.UNDER_REVIEW)
    def start_review(self):
        pass

    @transition(field=state, source=State.UNDER_REVIEW, target=State.AT_PANEL)
    def refer_to_panel(self):
        pass

    @transition(field=state, source=State.AT_PANEL, target=State.PROCEEDING)
    def proceed(self, *, on, reasons):
        self.panel_decided_on, self.panel_reasons = on, reasons

    @transition(field=state, source=State.AT_PANEL, target=State.NOT_PROCEEDING)
    def decline(self, *, on, reasons):
        self.panel_decided_on, self.panel_reasons = on, reasons
        self.closed_on = on

    @transition(field=state, source=State.PROCEEDING, target=State.APPLIED)
    def apply(self, *, court, on):
        self.court, self.applied_on = court, on

    @transition(field=state, source=[State.APPLIED, State.HEARING_LISTED],
                target=State.HEARING_LISTED)
    def list_hearing(self, *, on):
        self.hearing_on = on

    @transition(field=state, source=State.HEARING_LISTED, target=State.RUNNING)
    def make(self, *, on, at, reasons):
        self.outcome, self.outcome_on, self.outcome_reasons = Outcome.MADE, on, reasons
        self.made_at = at

    @transition(field=state, source=State.HEARING_LISTED, target=State.REFUSED)
    def refuse(self, *, on, reasons):
        self.outcome, self.outcome_on, self.outcome_reasons = Outcome.REFUSED, on, reasons
        self.closed_on = on

    @transition(field=state, source=[State.PROCEEDING, State.APPLIED, State.HEARING_LISTED],
                target=State.WITHDRAWN)
    def withdraw(self, *, on, reasons):
        self.outcome, self.outcome_on, self.outcome_reasons = Outcome.WITHDRAWN, on, reasons
        self.closed_on = on

    @transition(field=state, source=State.RUNNING, target=State.BREACHED)
    def breach(self):
        pass

    @transition(field=state, source=State.BREACHED, target=State.BREACH_REFERRED)
    def refer_breach(self):
        pass

    @transition(field=state, source=State.BREACH_REFERRED, target=State.BREACH_PROCEEDINGS)
    def bring_breach_proceedings(self):
        pass

    @transition(field=state, source=[State.BREACH_REFERRED, State.BREACH_PROCEEDINGS],
                target=State.RUNNING)
    def resume(self):
        pass

    @transition(field=state, source=State.RUNNING, target=State.COMPLETED)
    def complete(self, *, on):
        self.closed_on = on


class PanelDecision(models.TextChoices):
    PROCEED = "proceed", "Proceed: apply to the court"
    DO_NOT_PROCEED = "do_not_proceed", "Do not proceed"


class Strength(models.TextChoices):
    STRONG = "strong", "Strong"
    ADEQUATE = "adequate", "Adequate"
    WEAK = "weak", "Weak"
    MISSING = "missing", "Missing"


class LegalPanel(models.Model):
    """The legal panel's meeting on a case (Bedfordshire protocol §12): who sat, how strong each
    part of the evidence is, whether a parenting programme is open to the parent, and the
    decision."""

    order_case = models.ForeignKey(OrderCase, on_delete=models.PROTECT, related_name="panels")
    held_on = models.DateField()
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    other_members = models.TextField(blank=True, help_text="One a line: name, role")
    strength = models.JSONField(help_text="Each evidence category: strong, adequate, weak "
                                          "or missing")
    programme_available = models.BooleanField()
    programme = models.ForeignKey(ParentingProgramme, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=PanelDecision.choices)
    reasons = models.TextField()
    pack = models.ForeignKey("EvidencePack", on_delete=models.PROTECT, related_name="+",
                             help_text="The pack the panel considered")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Legal panel of {self.held_on:%-d %b %Y}: {self.get_decision_display()}"


class PanelView(models.Model):
    """A legal panel member's own view of the case, for the panel: they read everything and
    change nothing else."""

    order_case = models.ForeignKey(OrderCase, on_delete=models.PROTECT, related_name="views")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    view = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"View of {self.member} on {self.recorded_at:%-d %b %Y}"


class ContactKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    PHONE = "phone", "Phone call"
    HOME_VISIT = "home_visit", "Home visit"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"


class OrderContact(models.Model):
    """The responsible officer's contact with the parent while the order runs: the first
    meeting within 48 hours, then monitoring."""

    order_case = models.ForeignKey(OrderCase, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=12, choices=ContactKind.choices)
    occurred_at = models.DateTimeField()
    parent_took_part = models.BooleanField()
    notes = models.TextField()
    first_meeting = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_at:%-d %b %Y}"


class Attendance(models.Model):
    """A session of the parenting programme, attended or not."""

    order_case = models.ForeignKey(OrderCase, on_delete=models.PROTECT,
                                   related_name="attendance")
    session_on = models.DateField()
    attended = models.BooleanField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_on", "pk"]

    def __str__(self) -> str:
        went = "attended" if self.attended else "missed"
        return f"Session of {self.session_on:%-d %b %Y}: {went}"


class OrderBreach(models.Model):
    """A failure to keep the order, what the panel decided, and any breach proceedings (a fine
    up to level 3 on the standard scale: ASBA 2003 s.20 with the Crime and Disorder Act 1998
    s.9(7))."""

    order_case = models.ForeignKey(OrderCase, on_delete=models.PROTECT, related_name="breaches")
    occurred_on = models.DateField()
    description = models.TextField()
    referred_on = models.DateField(null=True, blank=True)
    proceedings = models.BooleanField(null=True)
    decided_reasons = models.TextField(blank=True)
    court = models.CharField(max_length=200, blank=True)
    outcome = models.TextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return f"Breach on {self.occurred_on:%-d %b %Y}"


class OrderLetter(models.Model):
    """Which issued letters belong to an order case, and at which step."""

    order_case = models.ForeignKey(OrderCase, on_delete=models.PROTECT, related_name="letters")
    letter = models.OneToOneField(IssuedLetter, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=30)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.step}: {self.letter}"


def pack_storage_name(instance: "EvidencePack", filename: str) -> str:
    return f"evidence/packs/{uuid.uuid4().hex}.pdf"


class Numbering(models.TextChoices):
    # Practice Direction 27A's habits: pages numbered within the bundle, one scheme a pack.
    SECTIONS = "sections", "By section: A1, A2, B1 …"
    SEQUENCE = "sequence", "One sequence: 1, 2, 3 …"


class EvidencePack(models.Model):
    """One version of a case's evidence pack: a court bundle built in the background. Once
    built, its PDF, SHA-256, page count and the list of what went in (each part with its own
    hash) never change; building again makes a new version."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Being built"
        BUILT = "built", "Built"
        FAILED = "failed", "Could not be built"

    order_case = models.ForeignKey(OrderCase, on_delete=models.PROTECT, related_name="packs")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    numbering = models.CharField(max_length=10, choices=Numbering.choices,
                                 default=Numbering.SECTIONS)
    # What the officer chose before building: documents left out, third parties' names
    # withheld, kinds of event left out of the chronology.
    left_out_documents = models.JSONField(default=list, blank=True)
    withheld_names = models.JSONField(default=list, blank=True)
    chronology_kinds_left_out = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    progress = models.CharField(max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["order_case", "version"], name="pack_version_once"),
        ]

    def __str__(self) -> str:
        return f"Evidence pack version {self.version} for {self.order_case.pupil}"


class BuiltPack(models.Model):
    """The pack as built: never changed or deleted (PostgreSQL refuses it)."""

    pack = models.OneToOneField(EvidencePack, on_delete=models.PROTECT, related_name="built",
                                primary_key=True)
    file = models.FileField(upload_to=pack_storage_name)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    # Every part in order: section, title, date, its source and SHA-256, its bundle pages.
    parts = models.JSONField()
    categories = models.JSONField(help_text="The evidence categories the pack holds")
    final_warning = models.BooleanField(help_text="A final warning letter is in the pack")
    built_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.pack}: {self.page_count} pages"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("A built evidence pack is kept as built: it is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("A built evidence pack is kept as built: it is never deleted.")
