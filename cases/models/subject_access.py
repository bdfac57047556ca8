"""Subject access requests answered (UK GDPR Article 15): what was asked for and what was
held back, never the names held back."""

from django.conf import settings
from django.db import models


class SubjectAccessExport(models.Model):
    """One answer to a subject access request, made from a pupil's case page. The export is
    built from it each time it is downloaded; the choices made are kept, as keys, so a repeat
    gives the same answer."""

    pupil = models.ForeignKey("cases.Pupil", on_delete=models.PROTECT,
                              related_name="subject_access_exports")
    # Empty when the request was the pupil's own (or made for the pupil).
    parent = models.ForeignKey("cases.ParentCarer", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    # Keys of the third parties whose names were replaced ("parent:12", "staff:3"), and of
    # the letters and documents left out ("letter:5", "document:9").
    redacted = models.JSONField(default=list, blank=True)
    left_out = models.JSONField(default=list, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_at", "-pk"]

    def __str__(self) -> str:
        return f"Subject access export {self.pk}"
