"""Behaviour parenting contracts (ASBA 2003 s.19; Bedfordshire protocol §3-10) and attendance
contracts (Nottinghamshire guidance). One model: the law is the same for most of their life; where
it differs (the ladder's last step, who is told), the rules and services branch on `kind`.

The state is protected: only the transitions below change it, and only services call them.
Concurrent transitions of one contract are refused by optimistic locking on the state."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Agency, Exclusion, LocalAuthority, ParentCarer, Pupil, School
from letters.models import IssuedLetter


class ContractKind(models.TextChoices):
    BEHAVIOUR = "behaviour", "Parenting contract (behaviour)"
    ATTENDANCE = "attendance", "Attendance contract"


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    OFFERED = "offered", "Offered"
    ACTIVE = "active", "Signed and running"
    UNDER_REVIEW = "under_review", "Under review"
    WARNED = "warned", "Warned"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ESCALATED = "escalated", "Escalated to the LA"
    TERMINATED = "terminated", "Terminated"
    COMPLETED = "completed", "Completed"


RUNNING = [State.ACTIVE, State.UNDER_REVIEW, State.WARNED]
ENDED = [State.REFUSED, State.WITHDRAWN, State.ESCALATED, State.TERMINATED, State.COMPLETED]
# A pupil has at most one contract of each kind being prepared, offered or running.
OPEN = [State.DRAFT, State.OFFERED, *RUNNING]
# A contract in hand stops another of its kind being offered: it is offered, running, or with
# the LA for a parenting order.
IN_HAND = [State.OFFERED, *RUNNING, State.ESCALATED]


class AlternativeCourse(models.TextChoices):
    # Nottinghamshire guidance: when an attendance contract ends unkept, the decision and the
    # alternative.
    EDUCATION_SUPERVISION_ORDER = "eso", "Apply for an education supervision order"
    PENALTY_NOTICE = "penalty_notice", "Issue a penalty notice"
    PROSECUTION = "prosecution", "Prosecution (Education Act 1996 s.444)"
    OTHER = "other", "Other support or intervention"
    NONE = "none", "No further action"


class Contract(ConcurrentTransitionMixin, models.Model):
    kind = models.CharField(max_length=12, choices=ContractKind.choices)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="contracts")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="contracts")
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        help_text="The designated senior lead who monitors the contract",
    )
    parents = models.ManyToManyField(ParentCarer, related_name="contracts")

    # Content: every section of the Bedfordshire protocol's model contract (Appendix 3);
    # attendance contracts use the parts the Nottinghamshire guidance asks for.
    concerns = models.TextField("Reasons for the contract: the areas of concern", blank=True)
    aims = models.TextField("What we are trying to achieve", blank=True)
    parent_involvement = models.TextField(
        "How the parents can be involved in achieving this", blank=True)
    obstacles = models.TextField("What might stop this from happening", blank=True)
    overcoming = models.TextField("How we can overcome these difficulties", blank=True)
    # Appendix 3 asks what each parent would find helpful, one by one: {parent id: text}.
    help_by_parent = models.JSONField(
        "What each parent would find helpful", default=dict, blank=True)
    pupil_help = models.TextField("What the pupil would find helpful", blank=True)
    school_help = models.TextField(
        "What the school and other agencies would find helpful", blank=True)
    objectives = models.TextField(
        "Objectives for the next three months", blank=True,
        help_text="One a line: what we want to happen; how; who will do it",
    )
    support = models.TextField("What the school (or LA) will do to support the parents",
                               blank=True)
    parent_requirements = models.TextField("What the parents agree to do", blank=True)
    pupil_commitments = models.TextField("What the pupil agrees to do", blank=True)
    support_services = models.TextField(
        "Support services and agencies attending", blank=True,
        help_text="One a line: name; service or agency",
    )
    link_professional = models.CharField("Link professional", max_length=160, blank=True)
    link_professional_position = models.CharField(
        "Link professional's position", max_length=160, blank=True)
    lead_practitioner = models.CharField("Lead practitioner", max_length=160, blank=True)
    starts_on = models.DateField("Start date", null=True, blank=True)
    review_on = models.DateField("Review date", null=True, blank=True)
    ends_on = models.DateField("End date", null=True, blank=True)
    next_meeting = models.CharField("When we will next meet", max_length=300, blank=True)
    other_dates = models.TextField("Other important dates", blank=True)
    additional_contacts = models.TextField("Additional contact details", blank=True)
    translation = models.CharField(
        "Translation provided", max_length=60, blank=True,
        help_text="The language of any translation given to the parents",
    )
    copies_to = models.TextField("Copies given to", blank=True, help_text="One party a line")

    # What happened, and when.
    offered_on = models.DateField(null=True, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    signatures = models.JSONField(default=list, blank=True)
    la_notified_on = models.DateField(null=True, blank=True)
    warned_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closing_reasons = models.TextField(blank=True)
    alternative_course = models.CharField(
        max_length=20, choices=AlternativeCourse.choices, blank=True
    )
    # Counts changes to the content, so an edit made on an out-of-date page is refused.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "state"]), models.Index(fields=["review_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "kind"], condition=models.Q(state__in=OPEN),
                name="contract_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.pupil}"

    @property
    def where_it_stands(self) -> str:
        """Where the contract stands, with its date, as the rest of a sentence ("A behaviour
        contract is already …")."""
        day = "{:%-d %b %Y}".format
        if self.state == State.DRAFT:
            return f"being prepared, as a draft started on {day(self.created_at)}"
        if self.state == State.OFFERED:
            return f"offered, since {day(self.offered_on)}"
        if self.state == State.ACTIVE:
            return f"signed and running, since {day(self.signed_on)}"
        if self.state == State.UNDER_REVIEW:
            return f"under review (signed on {day(self.signed_on)})"
        if self.state == State.WARNED:
            return (f"running with a formal warning of {day(self.warned_on)} (signed on "
                    f"{day(self.signed_on)})")
        if self.state == State.ESCALATED:
            return f"with the LA designated officer, escalated on {day(self.closed_on)}"
        return f"{self.get_state_display().lower()} on {day(self.closed_on)}"

    @property
    def objective_rows(self) -> list[list[str]]:
        rows = [line.split(";") for line in self.objectives.splitlines() if line.strip()]
        return [([p.strip() for p in row] + ["", "", ""])[:3] for row in rows]

    # The transitions. Services check permission and the rules (contracts.rules), then call
    # one of these inside a transaction and save.

    @transition(field=state, source=State.DRAFT, target=State.OFFERED)
    def offer(self, *, on):
        self.offered_on = on

    @transition(field=state, source=State.OFFERED, target=State.ACTIVE)
    def sign(self, *, on, signatures):
        self.signed_on = on
        self.signatures = signatures
        self.la_notified_on = on

    @transition(field=state, source=State.OFFERED, target=State.REFUSED)
    def refuse(self, *, on, reasons):
        self.closed_on, self.closing_reasons = on, reasons

    @transition(field=state, source=[State.DRAFT, State.OFFERED], target=State.WITHDRAWN)
    def withdraw(self, *, on, reasons):
        self.closed_on, self.closing_reasons = on, reasons

    @transition(field=state, source=[State.ACTIVE, State.WARNED], target=State.UNDER_REVIEW)
    def start_review(self):
        pass

    @transition(field=state, source=State.UNDER_REVIEW, target=State.ACTIVE)
    def amend(self):
        pass

    @transition(field=state, source=[State.ACTIVE, State.WARNED], target=State.WARNED)
    def warn(self, *, on):
        self.warned_on = on

    @transition(field=state, source=State.WARNED, target=State.ESCALATED)
    def escalate(self, *, on, reasons):
        self.closed_on, self.closing_reasons = on, reasons

    @transition(field=state, source=RUNNING, target=State.TERMINATED)
    def terminate(self, *, on, reasons, alternative_course):
        self.closed_on, self.closing_reasons = on, reasons
        self.alternative_course = alternative_course

    @transition(field=state, source=RUNNING, target=State.COMPLETED)
    def complete(self, *, on):
        self.closed_on = on


class Consent(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"


class ConsentDecision(models.Model):
    """A parent's decision about sharing the contract's information with the agencies named in
    it. Each decision is kept; the latest counts. Sharing the law requires without consent
    (safeguarding; telling the LA the contract's date) is never recorded as consent."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="consents")
    parent = models.ForeignKey(ParentCarer, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Consent.choices)
    decided_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.parent} on {self.decided_on:%-d %b %Y}"


class AgencyConsultation(models.Model):
    """An agency consulted before the offer (Bedfordshire protocol §7)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="consultations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    consulted_on = models.DateField()
    views = models.TextField("what the agency said")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["consulted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.agency} consulted on {self.consulted_on:%-d %b %Y}"


class ContactKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    PHONE = "phone", "Phone call"
    HOME_VISIT = "home_visit", "Home visit"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"


class Contact(models.Model):
    """A meeting or an attempt to reach the parents: with refusals, the negotiation log
    (Bedfordshire protocol §10); with attendance contracts, proof it was agreed in their
    presence."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=12, choices=ContactKind.choices)
    occurred_on = models.DateField()
    parent_took_part = models.BooleanField(
        help_text="Did the parent attend the meeting, or answer?"
    )
    notes = models.TextField(help_text="What was said, or what happened")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%-d %b %Y}"


class Decision(models.TextChoices):
    # The breach ladder (Bedfordshire protocol §9; Nottinghamshire guidance).
    REASONABLE = "reasonable", "Reasonable explanation: record it and continue"
    NO_FAULT = "no_fault", "Hard to keep through no fault of the parent: review and amend"
    UNSATISFACTORY = "unsatisfactory", "Explanation not satisfactory: formal warning letter"
    FURTHER = "further", "A further breach after the warning"


class Breach(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="breaches")
    occurred_on = models.DateField()
    description = models.TextField("what was not done")
    explanation = models.TextField("the parent's explanation", blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    exclusion = models.ForeignKey(
        Exclusion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The further exclusion that came with a further breach",
    )
    letter = models.ForeignKey(
        IssuedLetter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return f"Breach on {self.occurred_on:%-d %b %Y}: {self.get_decision_display()}"


class ContractLetter(models.Model):
    """Which issued letters belong to which contract, and at which step."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="letters")
    letter = models.OneToOneField(IssuedLetter, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=30)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.step}: {self.letter}"


class Notification(models.Model):
    """What the LA designated officer must see: contracts issued (the date starts the order
    clock, Bedfordshire protocol §7), reviews for no-fault breaches, escalations."""

    class Kind(models.TextChoices):
        CONTRACT_ISSUED = "contract_issued", "Contract issued"
        REVIEW_NEEDED = "review_needed", "Contract under review: no fault of the parent"
        ESCALATED = "escalated", "Escalated: a parenting order is recommended"
        TERMINATED = "terminated", "Attendance contract terminated"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT,
                                        related_name="contract_notifications")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    dated = models.DateField()
    summary = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.summary
