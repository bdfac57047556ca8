from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from . import models


@admin.register(models.ParentingProgramme)
class ParentingProgrammeAdmin(admin.ModelAdmin):
    """The LA's catalogue of parenting programmes, kept up to date by its admins."""

    list_display = ["name", "provider", "sessions", "places", "active", "local_authority"]
    list_filter = ["local_authority", "active"]


@admin.register(models.OrderCase)
class OrderCaseAdmin(ReadOnlyAdmin):
    """Read-only: cases change only through their services, with timeline events."""

    list_display = ["pupil", "state", "requested_on", "applied_on", "outcome", "school"]
    list_filter = ["state", "school__local_authority"]
    search_fields = ["pupil__last_name", "pupil__first_name", "pupil__upn"]
    list_select_related = ["pupil", "school"]


@admin.register(models.LegalPanel, models.PanelView, models.OrderContact, models.Attendance,
                models.OrderBreach, models.OrderLetter, models.EvidencePack, models.BuiltPack,
                models.ProgrammeChange)
class OrderRecordAdmin(ReadOnlyAdmin):
    pass
