"""Parent and carer conduct (St Pancras parent partnership agreement; Monmouthshire PRS conduct
policy; Education Act 1996 s.547): incidents, and for each adult a ladder of proportionate,
reviewable responses, each step a letter with its clock.

Conduct records are about adults, not pupils, and sensitive. The headteacher, the chair of
governors and the LA designated officer read them (cases.access); everyone else who reads the
pupil's case sees only the arrangements they must follow. Every opening of a record is logged.

The stage is protected: only the transitions below change it, and only services call them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from cases.models import Language, ParentCarer, Pupil, School
from letters.models import IssuedLetter


class Place(models.TextChoices):
    ON_SITE = "on_site", "On the school site"
    GATE = "gate", "At the school gate"
    EVENT = "event", "At a school event"
    OFF_SITE = "off_site", "Off site"
    ONLINE = "online", "Online"


class Channel(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    SOCIAL_MEDIA = "social_media", "Social media"


class Category(models.TextChoices):
    """What the conduct was (domain: "Parent/carer conduct"; the behaviour that is not welcome
    in the St Pancras agreement §3 and the unacceptable actions of the Monmouthshire policy)."""

    VERBAL_ABUSE = "verbal_abuse", "Verbal abuse: shouting, swearing or derogatory remarks"
    PHYSICAL_AGGRESSION = "physical_aggression", "Physical aggression"
    THREATS = "threats", "Threats"
    UNREASONABLE_DEMANDS = "unreasonable_demands", "Persistent or unreasonable demands"
    ONLINE_HARASSMENT = "online_harassment", "Defamation or harassment online"
    EVENT_DISRUPTION = "event_disruption", "Disrupting a school event"
    ABUSIVE_MESSAGES = "abusive_messages", "Abusive messages"
    PHYSICAL_PUNISHMENT = "physical_punishment", "Physical punishment of their own child on site"
    APPROACHING_CHILD = "approaching_child", "Approaching another person's child"
    SMOKING_ALCOHOL_DRUGS = "smoking_alcohol_drugs", "Smoking, alcohol or drugs on site"
    DOGS = "dogs", "Bringing a dog on site"


class Affected(models.TextChoices):
    STAFF = "staff", "Staff"
    PUPILS = "pupils", "Pupils"
    PARENTS = "parents", "Other parents and carers"


class Stage(models.TextChoices):
    NONE = "none", "No response yet"
    REMINDED = "reminded", "Reminded"
    WARNED = "warned", "Warned"
    CONDITIONS_PROVISIONAL = "conditions_provisional", "Conditions, provisional"
    CONDITIONS = "conditions", "Conditions, confirmed"
    BAN_PROPOSED = "ban_proposed", "Ban proposed"
    BANNED = "banned", "Banned from the premises"
    LIFTED = "lifted", "Restrictions lifted"


# The conditions the Monmouthshire policy's model letter 3 and the domain name: how the letter
# puts each to the parent, and what it means for staff ({named}: the one person they may email).
STANDARD_CONDITIONS = {
    "accompanied_meetings": (
        "You must be accompanied to any meeting with a member of school staff.",
        "Meet them only with a second member of staff present."),
    "email_named": (
        "You may not contact any member of staff by telephone or in writing, except {named} "
        "by email.",
        "Do not take their calls or letters: they may contact {named} by email only."),
    "written_only": (
        "You may contact the school in writing only.",
        "Do not take their calls or meet them: contact is in writing only."),
    "third_party": (
        "A third party must be present at any meeting with you.",
        "A third party must be present at any meeting with them."),
    "events_accompanied": (
        "You may not attend events for parents and carers unless a member of the senior "
        "leadership team accompanies you.",
        "At events for parents and carers, they must be accompanied by a senior leader."),
}

# Arrangements staff must follow: shown to everyone who reads the pupil's case.
IN_FORCE = frozenset({Stage.CONDITIONS_PROVISIONAL, Stage.CONDITIONS, Stage.BANNED})
# Where a reminder, a warning or new conditions may start from.
BEFORE_BAN = (Stage.NONE, Stage.REMINDED, Stage.WARNED, Stage.CONDITIONS_PROVISIONAL,
              Stage.CONDITIONS, Stage.LIFTED)


class ConductRecord(ConcurrentTransitionMixin, models.Model):
    """One adult's conduct record at one school: a parent or carer on Pact, or another adult
    connected with a pupil (a partner, a relative), recorded as a person, not as a parent."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="conduct_records")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="conduct_records",
                              help_text="The pupil the adult is connected with")
    parent = models.ForeignKey(ParentCarer, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="conduct_records")
    # An adult who is not a parent or carer on Pact.
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    connection = models.CharField("Connection with the pupil", max_length=120, blank=True)
    own_address = models.TextField("Address", blank=True)
    own_postcode = models.CharField("Postcode", max_length=10, blank=True)
    own_language = models.CharField(max_length=10, choices=Language.choices,
                                    default=Language.ENGLISH)

    stage = FSMField(default=Stage.NONE, choices=Stage.choices, protected=True)
    # Conditions in force or proposed: each {"parent": as the letter says it, "staff": what
    # staff must do}.
    conditions = models.JSONField(default=list, blank=True)
    board_review_on = models.DateField(null=True, blank=True,
                                       help_text="The governing board reviews provisional "
                                                 "conditions at its meeting on this date")
    next_review_on = models.DateField(null=True, blank=True)
    stage_before_ban = models.CharField(max_length=30, blank=True)
    ban_proposed_on = models.DateField(null=True, blank=True)
    ban_reasons = models.TextField(blank=True)
    emergency = models.BooleanField(default=False)
    chair_agreed_on = models.DateField(null=True, blank=True)
    chair_name = models.CharField(max_length=120, blank=True)
    chair_how = models.TextField(blank=True)
    banned_on = models.DateField(null=True, blank=True)
    lifted_on = models.DateField(null=True, blank=True)

    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "parent"], condition=Q(parent__isnull=False),
                                    name="conduct_one_record_per_parent_at_a_school"),
        ]
        indexes = [models.Index(fields=["pupil", "stage"])]

    def __str__(self) -> str:
        return f"Conduct record: {self.full_name}"

    # Who the letters go to: the parent as Pact knows them, or the adult as recorded here.
    @property
    def full_name(self) -> str:
        if self.parent_id:
            return self.parent.full_name
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    @property
    def salutation_name(self) -> str:
        if self.parent_id:
            return self.parent.salutation_name
        if self.title:
            return f"{self.title} {self.last_name}"
        return f"{self.first_name} {self.last_name}"

    @property
    def address(self) -> str:
        return self.parent.address if self.parent_id else self.own_address

    @property
    def postcode(self) -> str:
        return self.parent.postcode if self.parent_id else self.own_postcode

    @property
    def preferred_language(self) -> str:
        return self.parent.preferred_language if self.parent_id else self.own_language

    @property
    def addressee(self):
        return self.parent if self.parent_id else self

    @property
    def in_force(self) -> bool:
        return self.stage in IN_FORCE

    # The transitions. Services check permission and the rules (conduct.rules), then call one
    # of these inside a transaction and save.

    @transition(field=stage, source=[Stage.NONE, Stage.REMINDED, Stage.LIFTED],
                target=Stage.REMINDED)
    def remind(self):
        pass

    @transition(field=stage, source=[Stage.NONE, Stage.REMINDED, Stage.WARNED, Stage.LIFTED],
                target=Stage.WARNED)
    def warn(self):
        pass

    @transition(field=stage, source=BEFORE_BAN, target=Stage.CONDITIONS_PROVISIONAL)
    def impose_conditions(self, *, conditions, board_review_on):
        self.conditions, self.board_review_on = conditions, board_review_on
        self.next_review_on = None

    @transition(field=stage, source=Stage.CONDITIONS_PROVISIONAL, target=Stage.CONDITIONS)
    def confirm_conditions(self, *, next_review_on):
        self.next_review_on = next_review_on

    @transition(field=stage, source=Stage.CONDITIONS_PROVISIONAL, target=Stage.LIFTED)
    def withdraw_conditions(self, *, on):
        self.lifted_on, self.conditions = on, []

    @transition(field=stage, source=BEFORE_BAN, target=Stage.BAN_PROPOSED)
    def propose_ban(self, *, on, reasons):
        self.stage_before_ban = self.stage
        self.ban_proposed_on, self.ban_reasons = on, reasons
        self.chair_agreed_on, self.chair_name, self.chair_how = None, "", ""

    @transition(field=stage, source=Stage.BAN_PROPOSED, target=RETURN_VALUE(*BEFORE_BAN))
    def withdraw_ban_proposal(self):
        return self.stage_before_ban or Stage.WARNED

    @transition(field=stage, source=Stage.BAN_PROPOSED, target=Stage.BANNED)
    def ban(self, *, on, next_review_on):
        self.banned_on, self.next_review_on, self.emergency = on, next_review_on, False

    @transition(field=stage, source=BEFORE_BAN, target=Stage.BANNED)
    def ban_at_once(self, *, on, reasons, next_review_on):
        self.stage_before_ban = self.stage
        self.banned_on, self.next_review_on, self.emergency = on, next_review_on, True
        self.ban_reasons = reasons
        self.chair_agreed_on, self.chair_name, self.chair_how = None, "", ""

    @transition(field=stage, source=[Stage.BANNED, Stage.CONDITIONS],
                target=RETURN_VALUE(Stage.BANNED, Stage.CONDITIONS))
    def continue_after_review(self, *, next_review_on):
        self.next_review_on = next_review_on
        return self.stage

    @transition(field=stage, source=Stage.BANNED, target=Stage.CONDITIONS)
    def relax_to_conditions(self, *, conditions, next_review_on):
        self.conditions, self.next_review_on = conditions, next_review_on

    @transition(field=stage, source=[Stage.BANNED, Stage.CONDITIONS], target=Stage.LIFTED)
    def lift(self, *, on):
        self.lifted_on, self.next_review_on, self.conditions = on, None, []


class Incident(models.Model):
    """What happened, once, with everyone it involved. One incident may involve several adults,
    and an adult several incidents."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents")
    adults = models.ManyToManyField(ConductRecord, related_name="incidents")
    occurred_at = models.DateTimeField()
    place = models.CharField(max_length=20, choices=Place.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    categories = models.JSONField(default=list)
    description = models.TextField("What happened")
    affected = models.JSONField(default=list)
    effect = models.TextField("Its effect", blank=True)
    witnesses = models.TextField(blank=True)
    police_contacted = models.BooleanField(default=False)
    police_reference = models.CharField(max_length=60, blank=True)
    safeguarding_referral = models.BooleanField(default=False)
    staff_support = models.TextField("Support offered to staff", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"Incident on {self.occurred_at:%-d %b %Y}"

    @property
    def category_labels(self) -> list[str]:
        return [Category(c).label for c in self.categories if c in Category.values]

    @property
    def affected_labels(self) -> list[str]:
        return [Affected(a).label for a in self.affected if a in Affected.values]


def evidence_storage_name(instance, filename: str) -> str:
    # Never the uploader's name for the file: a random one, with the extension of the type
    # Pact detected.
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"conduct/{instance.incident.school_id}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    """A file kept with an incident: checked, hashed and stored as every upload in Pact is, but
    read only from the conduct record."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_storage_name)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title


class StepKind(models.TextChoices):
    REMINDER = "reminder", "Reminder letter"
    WARNING = "warning", "Warning letter"
    CONDITIONS = "conditions", "Conditions set, provisionally"
    BOARD = "board", "The governing board's review of the conditions"
    BAN_PROPOSED = "ban_proposed", "Ban proposed"
    BAN_PROPOSAL_WITHDRAWN = "ban_proposal_withdrawn", "Ban proposal withdrawn"
    CHAIR = "chair", "The chair of governors' agreement"
    BAN = "ban", "Ban confirmed"
    EMERGENCY_BAN = "emergency_ban", "Emergency ban"
    REVIEW = "review", "Review"
    PROGRESS_MEETING = "progress_meeting", "Progress meeting asked for"


class ConductStep(models.Model):
    """A step on the ladder as it was taken: its date, who took it, the incident it answers,
    its letter, and the parent's reply and any meeting that followed."""

    record = models.ForeignKey(ConductRecord, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=30, choices=StepKind.choices)
    taken_on = models.DateField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="steps")
    letter = models.OneToOneField(IssuedLetter, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="conduct_step")
    reasons = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    reply_by = models.DateField(null=True, blank=True)
    replied_on = models.DateField(null=True, blank=True)
    reply = models.TextField(blank=True)
    meeting_on = models.DateField(null=True, blank=True)
    meeting_notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.taken_on:%-d %b %Y}"


class AppendOnlyQuerySet(models.QuerySet):
    """A record's history and its access log are kept as written."""

    def update(self, **kwargs):
        raise TypeError("A conduct record's history is append-only: it is never changed.")

    def delete(self):
        raise TypeError("A conduct record's history is append-only: it is never deleted.")


class ConductEvent(models.Model):
    """One entry in a conduct record's own history. Append-only (PostgreSQL refuses changes)."""

    record = models.ForeignKey(ConductRecord, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+")
    summary = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return self.summary


class Opened(models.TextChoices):
    RECORD = "record", "The record"
    LETTER = "letter", "A letter"
    EVIDENCE = "evidence", "Evidence"
    ACCESS_LOG = "access_log", "Who opened the record"


class RecordOpened(models.Model):
    """Who opened a conduct record, or something in it, and when. Append-only."""

    record = models.ForeignKey(ConductRecord, on_delete=models.PROTECT,
                               related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    what = models.CharField(max_length=20, choices=Opened.choices)
    detail = models.CharField(max_length=200, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_what_display()} opened {self.opened_at:%-d %b %Y %H:%M}"
