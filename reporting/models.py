"""Termly returns as stored snapshots (Bedfordshire protocol (2007) §15). A return is taken for a
school and a term; taking it again gives the same snapshot while the records stand, and a new
revision, with what changed, once a record dated in the term is added or corrected. Snapshots
are never changed; a headteacher's submission is recorded beside the revision it submits."""

from django.conf import settings
from django.db import models

from cases.models import School, Term


class TermlyReturn(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="termly_returns")
    academic_year = models.PositiveSmallIntegerField()
    term = models.CharField(max_length=10, choices=Term.choices)
    counts_from = models.DateField()
    counts_to = models.DateField()
    revision = models.PositiveIntegerField()
    counts = models.JSONField()
    # Against the revision before: {column: [before, after]} for each column that moved.
    changes = models.JSONField(default=dict, blank=True)
    taken_at = models.DateTimeField(auto_now_add=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="Empty when the termly job took it")

    class Meta:
        ordering = ["school", "-academic_year", "term", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year", "term", "revision"],
                                    name="termly_return_revision_once"),
        ]
        indexes = [models.Index(fields=["academic_year", "term", "school", "-revision"])]

    def __str__(self) -> str:
        return f"{self.school} {self.get_term_display()} {self.academic_year}, " \
               f"revision {self.revision}"


class ReturnSubmission(models.Model):
    """The headteacher's submission of one revision of the school's return to the LA."""

    termly_return = models.OneToOneField(TermlyReturn, on_delete=models.PROTECT,
                                         related_name="submission")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Submitted {self.submitted_at:%-d %b %Y}"


class Digest(models.Model):
    """The one e-mail of reminders a person is sent on a day, kept as sent so they can see it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reminder_digests")
    sent_on = models.DateField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    to = models.EmailField(blank=True, help_text="Empty when the person has no address: the "
                                                 "digest is kept and shown, not e-mailed")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"],
                                               name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.sent_on:%-d %b %Y})"


class Stage(models.TextChoices):
    WEEK = "week", "Due in 7 days"
    TOMORROW = "tomorrow", "Due tomorrow"
    OVERDUE = "overdue", "Overdue"


class Reminder(models.Model):
    """One deadline at one stage, told to one person: never told again."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    deadline = models.ForeignKey("cases.Deadline", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=10, choices=Stage.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "deadline", "stage"],
                                               name="one_reminder_a_stage")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.deadline}"
