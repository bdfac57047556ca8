"""Records about the records: who opened what (the access log), kept apart from the case
timeline, which is the evidence of the case work itself."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .append_only import AppendOnly


class AccessRecord(AppendOnly):
    """One opening of a case record or one export: who, when, what, from where. Written by
    cases.access_log in the request that served it; append-only, in PostgreSQL too."""

    class What(models.TextChoices):
        CASE_PAGE = "case_page", "Case page"
        CONTRACT = "contract", "Contract"
        ORDER = "order", "Parenting order case"
        PACK = "pack", "Evidence pack"
        LETTER = "letter", "Letter"
        DOCUMENT = "document", "Document"
        EXPORT = "export", "Export"
        SUBJECT_ACCESS = "subject_access", "Subject access export"

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=20, choices=What.choices)
    # Whose record it was, and where it was held when it was opened: the headteacher searches
    # their school's openings, the LA admin their LA's. A pupil who later moves school leaves
    # the openings at the school that held the record then.
    pupil = models.ForeignKey("cases.Pupil", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    school = models.ForeignKey("cases.School", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    local_authority = models.ForeignKey("cases.LocalAuthority", on_delete=models.PROTECT,
                                        related_name="+")
    # The record opened, in words without names ("Letter 41: contract review invitation").
    label = models.CharField(max_length=200)
    path = models.CharField(max_length=300)
    address = models.GenericIPAddressField(null=True, blank=True)

    append_only = "Entries in the access log"

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["pupil", "-id"], name="access_by_pupil"),
            models.Index(fields=["school", "-id"], name="access_by_school"),
            models.Index(fields=["local_authority", "-id"], name="access_by_authority"),
        ]

    def __str__(self) -> str:
        return f"{self.label} at {self.at:%-d %b %Y %H:%M}"



class RetentionRule(models.Model):
    """How long a kind of record is kept, counted from what, and on whose authority: the
    schedule as data, changed by the operator when an LA's records policy says otherwise."""

    class Kind(models.TextChoices):
        CASE_FILE = "case_file", "A pupil's case file"
        PARENTING_ORDER = "parenting_order", "A case file with a parenting order case"
        CONDUCT_RECORD = "conduct_record", "A conduct record about an adult"

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    years = models.PositiveSmallIntegerField()
    counted_from = models.CharField(max_length=300, help_text="In words, for the schedule page")
    source = models.CharField(max_length=300, help_text="The authority for the period, by title")

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.years} years"


class Disposal(models.Model):
    """A record due for disposal under the schedule: listed by the nightly job, reviewed and
    confirmed by the LA admin, then anonymised in place (rows stay, so counts stay right; the
    names, words and files in them go). The database lets evidence rows change only while a
    confirmed disposal is being carried out (cases.dbguards)."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        CONFIRMED = "confirmed", "Being carried out"
        DONE = "done", "Disposed of"
        NOT_DUE = "not_due", "No longer due"

    kind = models.CharField(max_length=20, choices=RetentionRule.Kind.choices)
    # The pupil (case files) or the conduct record: which, the kind says.
    subject_id = models.BigIntegerField()
    local_authority = models.ForeignKey("cases.LocalAuthority", on_delete=models.PROTECT,
                                        related_name="+")
    school = models.ForeignKey("cases.School", on_delete=models.PROTECT, related_name="+")
    # Without names: the LA admin reviews what will be removed before confirming.
    label = models.CharField(max_length=200)
    kept_since = models.DateField(help_text="The day the retention period was counted from")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    listed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # What was removed, counted (rows and files per kind of record), or why it was not due.
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["kept_since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_id"], condition=~models.Q(status="not_due"),
                name="disposal_once_per_record"),
        ]
        indexes = [models.Index(fields=["local_authority", "status"])]

    def __str__(self) -> str:
        return self.label


class AccountEvent(AppendOnly):
    """A change to how someone signs in: two-step sign-in set up or reset, a recovery code
    used, the LA's rule for school staff changed. The LA admin answers for these to the data
    protection officer (UK GDPR Article 32: security of processing); append-only, in
    PostgreSQL too."""

    class What(models.TextChoices):
        SET_UP = "set_up", "Set up two-step sign-in"
        RECOVERY_CODE_USED = "recovery_code_used", "Signed in with a recovery code"
        RESET = "reset", "Reset two-step sign-in"
        SCHOOL_STAFF_ON = "school_staff_on", "Required two-step sign-in for school staff"
        SCHOOL_STAFF_OFF = "school_staff_off", "Stopped requiring two-step sign-in for school staff"

    at = models.DateTimeField(default=timezone.now)
    # Whose sign-in changed; none for a change of the LA's rule.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    what = models.CharField(max_length=20, choices=What.choices)
    # The LA whose admin sees the event: one event an LA for someone with roles in several.
    local_authority = models.ForeignKey("cases.LocalAuthority", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    append_only = "Account events"

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["local_authority", "-at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_what_display()} at {self.at:%-d %b %Y %H:%M}"

