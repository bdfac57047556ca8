from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from . import models


@admin.register(models.TermlyReturn)
class TermlyReturnAdmin(ReadOnlyAdmin):
    """Read-only: a return is a snapshot, never changed (PostgreSQL refuses)."""

    list_display = ["school", "academic_year", "term", "revision", "taken_at"]
    list_filter = ["school__local_authority", "academic_year", "term"]
    list_select_related = ["school"]
    search_fields = ["school__name", "school__dfe_number"]
