"""Records written once and never changed or removed, in Python as in PostgreSQL (where
cases.dbguards adds the trigger): the access log, account events, pupil moves."""

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.append_only} are append-only: never changed.")

    def delete(self):
        raise TypeError(f"{self.model.append_only} are append-only: never deleted.")


class AppendOnly(models.Model):
    append_only = "These records"  # what a refusal calls them

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{self.append_only} are append-only: never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{self.append_only} are append-only: never deleted.")
