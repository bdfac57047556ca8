"""Letter templates and the archive of letters issued, kept exactly as sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import LocalAuthority, ParentCarer, Pupil, School


class LetterKind(models.TextChoices):
    CONTRACT_INVITATION = "contract_invitation", "Invitation to a parenting contract meeting"
    PARENTING_CONTRACT = "parenting_contract", "Parenting contract"
    ATTENDANCE_CONTRACT = "attendance_contract", "Attendance contract"
    CONTRACT_REVIEW_INVITATION = "contract_review_invitation", "Invitation to a contract review"
    FORMAL_WARNING = "formal_warning", "Formal warning: parenting contract"
    FINAL_WARNING = "final_warning", "Final warning before a parenting order application"
    ATTENDANCE_WARNING = "attendance_warning", "Warning: attendance contract"
    RO_CONFIRMATION = "ro_confirmation", "Responsible officer's confirmation"
    CONDUCT_REMINDER = "conduct_reminder", "Conduct: reminder"
    CONDUCT_WARNING = "conduct_warning", "Conduct: warning"
    CONDUCT_CONDITIONS = "conduct_conditions", "Conduct: conditions (provisional)"
    CONDUCT_BAN = "conduct_ban", "Conduct: ban from the premises"
    CONDUCT_REVIEW_OUTCOME = "conduct_review_outcome", "Conduct: review outcome"


class LetterLanguage(models.TextChoices):
    ENGLISH = "en", "English"
    WELSH = "cy", "Welsh"
    BILINGUAL = "cy-en", "Welsh and English"


class Method(models.TextChoices):
    POST = "post", "Post"
    EMAIL = "email", "Email"
    BY_HAND = "by_hand", "By hand"


class LetterTemplate(models.Model):
    """A school's or LA's own wording for a kind of letter, in one language. Never edited in
    place: each change is a new version, and the latest is used."""

    kind = models.CharField(max_length=40, choices=LetterKind.choices)
    language = models.CharField(max_length=2, choices=[("en", "English"), ("cy", "Welsh")])
    version = models.PositiveIntegerField()
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT,
        related_name="letter_templates",
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="letter_templates"
    )
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=True) ^ Q(local_authority__isnull=True),
                name="lettertemplate_one_owner",
            ),
            models.UniqueConstraint(
                fields=["kind", "language", "school", "version"],
                name="lettertemplate_school_version",
            ),
            models.UniqueConstraint(
                fields=["kind", "language", "local_authority", "version"],
                name="lettertemplate_la_version",
            ),
        ]

    def __str__(self) -> str:
        owner = self.school or self.local_authority
        return f"{self.get_kind_display()} ({self.language}), {owner}, version {self.version}"


# Letters about an adult's conduct are read only from the conduct record, by those who see
# conduct records (cases.access); every other list and download leaves them out.
CONDUCT_KINDS = frozenset({
    LetterKind.CONDUCT_REMINDER, LetterKind.CONDUCT_WARNING, LetterKind.CONDUCT_CONDITIONS,
    LetterKind.CONDUCT_BAN, LetterKind.CONDUCT_REVIEW_OUTCOME,
})


class IssuedLetterQuerySet(models.QuerySet):
    def open_to_case_readers(self):
        """The letters anyone who reads the pupil's case may read: all but conduct letters."""
        return self.exclude(kind__in=CONDUCT_KINDS)


class IssuedLetter(models.Model):
    """A letter as it was sent: the PDF bytes, their SHA-256 and everything that made them.
    Never re-rendered, never changed."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="letters")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=40, choices=LetterKind.choices)
    language = models.CharField(max_length=5, choices=LetterLanguage.choices)
    recipients = models.ManyToManyField(ParentCarer, related_name="letters")
    addressed_to = models.JSONField(help_text="Names and addresses as printed")
    method = models.CharField(max_length=10, choices=Method.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    # Which wording made it, naming the school or LA whose it is: any length.
    template_source = models.TextField()
    template_version = models.PositiveIntegerField()
    facts = models.JSONField(help_text="The dates and details the letter states")
    pdf = models.BinaryField()
    sha256 = models.CharField("SHA-256", max_length=64)
    page_count = models.PositiveSmallIntegerField()
    batch = models.ForeignKey(
        "LetterBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )

    objects = IssuedLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.pupil}, {self.issued_at:%-d %b %Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("An issued letter is kept exactly as sent: it is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("An issued letter is kept exactly as sent: it is never deleted.")


class LetterBatch(models.Model):
    """One letter to each of many pupils' parents, issued in the background: an item a pupil,
    each succeeding or failing on its own."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    kind = models.CharField(max_length=40, choices=LetterKind.choices)
    facts = models.JSONField()
    method = models.CharField(max_length=10, choices=Method.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.total}"


class LetterBatchItem(models.Model):
    """One pupil's letter in a batch: issued, failed with the reason, or still to do."""

    class Status(models.TextChoices):
        PENDING = "pending", "Still to issue"
        ISSUED = "issued", "Issued"
        FAILED = "failed", "Not issued"

    batch = models.ForeignKey(LetterBatch, on_delete=models.PROTECT, related_name="items")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Counted before each try, so an item that stops its worker every time still ends.
    attempts = models.PositiveSmallIntegerField(default=0)
    problem = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "pupil"], name="letterbatchitem_once"),
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.get_status_display()}"
