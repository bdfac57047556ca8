from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from . import models


@admin.register(models.IssuedLetter)
class IssuedLetterAdmin(ReadOnlyAdmin):
    list_display = ["kind", "pupil", "language", "method", "issued_at", "page_count", "sha256"]
    list_filter = ["kind", "language", "method"]
    list_select_related = ["pupil"]
    exclude = ["pdf"]


@admin.register(models.LetterTemplate)
class LetterTemplateAdmin(ReadOnlyAdmin):
    list_display = ["kind", "language", "version", "school", "local_authority", "created_at"]
    list_filter = ["kind", "language"]


@admin.register(models.LetterBatch)
class LetterBatchAdmin(ReadOnlyAdmin):
    list_display = ["kind", "total", "status", "requested_by", "requested_at"]
