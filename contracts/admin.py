from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from . import models


@admin.register(models.Contract)
class ContractAdmin(ReadOnlyAdmin):
    """Read-only: contracts change only through their services, with timeline events."""

    list_display = ["pupil", "kind", "state", "signed_on", "review_on", "ends_on", "school"]
    list_filter = ["kind", "state", "school__local_authority"]
    search_fields = ["pupil__last_name", "pupil__first_name", "pupil__upn"]
    list_select_related = ["pupil", "school"]


@admin.register(models.AgencyConsultation, models.Contact, models.Breach, models.ContractLetter,
                models.Notification)
class ContractRecordAdmin(ReadOnlyAdmin):
    pass
