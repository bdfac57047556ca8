from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from . import models


@admin.register(models.ConductRecord, models.Incident, models.Evidence, models.ConductStep,
                models.ConductEvent, models.RecordOpened)
class ConductAdmin(ReadOnlyAdmin):
    """Read-only: conduct records change only through their services, with their history."""
