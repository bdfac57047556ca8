"""Where a pupil went: each move to another school on Pact, or out of Pact, as recorded."""

from django.conf import settings
from django.db import models

from .append_only import AppendOnly


class LeftFor(models.TextChoices):
    SCHOOL_NOT_ON_PACT = "school_not_on_pact", "A school that does not use Pact"
    HOME_EDUCATION = "home_education", "Elective home education"
    LEFT_EDUCATION = "left_education", "Left education (for example, past school leaving age)"
    OTHER = "other", "Somewhere else"


class PupilMove(AppendOnly):
    """A pupil's case file moving with them from one school to another on Pact, or the day
    they left for none on Pact (to_school empty). Written once by cases.moves; append-only,
    in PostgreSQL too: where a case file was held, and when, is part of its history."""

    pupil = models.ForeignKey("cases.Pupil", on_delete=models.PROTECT, related_name="moves")
    from_school = models.ForeignKey("cases.School", on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey(
        "cases.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField()
    left_for = models.CharField(max_length=30, choices=LeftFor.choices, blank=True)
    # Where they went or why, in the recorder's words ("moved to Scotland", "managed move").
    destination = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    append_only = "Pupil moves"

    class Meta:
        ordering = ["-moved_on", "-pk"]

    def __str__(self) -> str:
        to = self.to_school.name if self.to_school else self.get_left_for_display().lower()
        return f"{self.from_school.name} to {to} on {self.moved_on:%-d %b %Y}"
