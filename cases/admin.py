from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from . import models


class ReadOnlyAdmin(admin.ModelAdmin):
    """For case records and evidence, written by services only, each with a timeline event:
    operators read them here and change nothing. Organisations, roles, reason codes, agencies
    and term dates stay editable."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.LocalAuthority)
class LocalAuthorityAdmin(GuardedModelAdmin):
    list_display = ["name", "code", "nation", "policy_name"]
    search_fields = ["name", "code"]


@admin.register(models.School)
class SchoolAdmin(GuardedModelAdmin):
    list_display = ["name", "dfe_number", "school_type", "local_authority"]
    list_filter = ["local_authority", "school_type"]
    search_fields = ["name", "dfe_number"]


@admin.register(models.StaffGroup)
class StaffGroupAdmin(admin.ModelAdmin):
    list_display = ["group", "role", "school", "local_authority"]
    list_filter = ["role"]
    list_select_related = ["group", "school", "local_authority"]


@admin.register(models.SchoolGroupObjectPermission, models.LocalAuthorityGroupObjectPermission)
class ObjectPermissionAdmin(admin.ModelAdmin):
    list_display = ["group", "permission", "content_object"]
    list_select_related = ["group", "permission", "content_object"]


@admin.register(models.ExclusionReason)
class ExclusionReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "valid_from", "valid_to"]


class PupilParentInline(admin.TabularInline):
    model = models.PupilParent
    extra = 0
    raw_id_fields = ["parent"]


@admin.register(models.Pupil)
class PupilAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "upn", "school", "looked_after"]
    list_select_related = ["school"]
    list_filter = ["school__local_authority", "looked_after"]
    search_fields = ["last_name", "first_name", "upn"]
    raw_id_fields = ["school"]
    inlines = [PupilParentInline]


@admin.register(models.ParentCarer)
class ParentCarerAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "preferred_language"]
    search_fields = ["last_name", "first_name", "email"]


@admin.register(models.PupilParent)
class PupilParentAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "parent", "relationship", "parental_responsibility", "has_care"]
    raw_id_fields = ["pupil", "parent"]


@admin.register(models.Exclusion)
class ExclusionAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "kind", "start_date", "school_days", "school"]
    list_filter = ["kind", "school__local_authority"]
    search_fields = ["pupil__last_name", "pupil__first_name", "pupil__upn"]
    list_select_related = ["pupil", "school"]
    raw_id_fields = ["pupil", "school", "recorded_by"]
    date_hierarchy = "start_date"


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "local_authority"]
    list_filter = ["kind", "local_authority"]


@admin.register(models.AgencyInvolvement)
class AgencyInvolvementAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "agency", "key_worker", "started_on", "ended_on"]
    list_select_related = ["pupil", "agency"]
    raw_id_fields = ["pupil", "recorded_by"]


class MeetingActionInline(admin.TabularInline):
    model = models.MeetingAction
    extra = 0


@admin.register(models.MultiAgencyMeeting)
class MultiAgencyMeetingAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "held_on", "purpose"]
    list_select_related = ["pupil"]
    raw_id_fields = ["pupil", "recorded_by"]
    inlines = [MeetingActionInline]


@admin.register(models.MeetingAction)
class MeetingActionAdmin(ReadOnlyAdmin):
    list_display = ["description", "owner", "due_on", "meeting"]
    raw_id_fields = ["meeting"]


@admin.register(models.Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "pupil", "content_type", "size", "uploaded_at", "integrity_ok"]
    list_select_related = ["pupil"]
    raw_id_fields = ["pupil", "uploaded_by"]


@admin.register(models.TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "pupil", "kind", "summary", "actor"]
    list_filter = ["kind"]
    search_fields = ["pupil__last_name", "pupil__first_name", "pupil__upn"]
    list_select_related = ["pupil", "actor"]


@admin.register(models.TermDate)
class TermDateAdmin(admin.ModelAdmin):
    list_display = ["local_authority", "academic_year", "term", "starts_on", "ends_on"]
    list_filter = ["local_authority", "academic_year"]


@admin.register(models.Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["kind", "pupil", "school", "due_at", "status"]
    list_filter = ["kind", "status", "school__local_authority"]
    search_fields = ["pupil__last_name", "pupil__first_name", "pupil__upn"]
    list_select_related = ["pupil", "school"]
