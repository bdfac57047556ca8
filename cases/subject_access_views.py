"""The subject access request page and the export's download (cases.subject_access)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import selectors
from .access_log import What, access_record
from .models import ParentCarer, Pupil, SubjectAccessExport
from .subject_access import (
    SIZE_LIMIT,
    Held,
    answer_due,
    held_for,
    parent_held,
    pupil_held,
    subject_access_answer,
    too_large,
)
from .subject_access_export import export_write
from .subject_access_forms import SubjectAccessForm, WhoseDataForm

NOT_YOURS = ("Subject access requests are answered by the headteacher for the school's pupils "
             "and their parents, and by the LA admin for the LA's.")


def _pupil(request, pupil_id: int) -> Pupil:
    """The pupil, 404 outside what the user may read, 403 for readers who do not answer
    subject access requests."""
    pupil = selectors.pupil_for_recording(request.user, pupil_id=pupil_id)
    if not selectors.schools_answering_subject_access_for(request.user).filter(
            pk=pupil.school_id).exists():
        raise PermissionDenied(NOT_YOURS)
    return pupil


def _held(user, pupil: Pupil, who: str) -> Held:
    if who == "pupil":
        return pupil_held(pupil.pk, user=user)
    return parent_held(pupil.pk, int(who.removeprefix("parent-")), user=user)


def subject_access_request(request, pupil_id: int):
    pupil = _pupil(request, pupil_id)
    if not request.GET:
        return render(request, "cases/subject_access_whose.html", {
            "pupil": pupil,
            "form": WhoseDataForm(None, pupil=pupil, parents=selectors.parents_of(pupil))})
    whose = WhoseDataForm(request.GET, pupil=pupil, parents=selectors.parents_of(pupil))
    if not whose.is_valid():
        return render(request, "cases/subject_access_whose.html",
                      {"pupil": pupil, "form": whose})
    held = _held(request.user, pupil, whose.cleaned_data["who"])
    form = SubjectAccessForm(request.POST if request.method == "POST" else None, held=held)
    if request.method == "POST" and form.is_valid():
        try:
            export = subject_access_answer(
                actor=request.user, held=held, received_on=whose.cleaned_data["received_on"],
                **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("subject-access-download", pupil_id=pupil.pk, export_id=export.pk)
    received_on = whose.cleaned_data["received_on"]
    return render(request, "cases/subject_access.html", {
        "pupil": pupil, "held": held, "form": form, "size": held.size(),
        "size_limit": SIZE_LIMIT, "received_on": received_on, "due": answer_due(received_on),
    })


@require_GET
def subject_access_download(request, pupil_id: int, export_id: int):
    pupil = _pupil(request, pupil_id)
    export = SubjectAccessExport.objects.filter(pk=export_id, pupil=pupil).first()
    if export is None:
        raise Http404("No such subject access export for this pupil")
    try:
        held = held_for(export, user=request.user)
    except ParentCarer.DoesNotExist as gone:
        raise Http404("The parent or carer is no longer linked to this pupil") from gone
    if held.size(export.left_out) > SIZE_LIMIT:
        return render(request, "cases/subject_access_refused.html",
                      {"pupil": pupil, "reason": too_large(held.size(export.left_out))},
                      status=413)
    stream = export_write(held, export, user=request.user)
    whose = "the pupil" if export.parent_id is None else f"a parent or carer {export.parent_id}"
    access_record(request, what=What.SUBJECT_ACCESS, label=f"Subject access export for {whose}",
                  pupil_id=pupil.pk, school_id=pupil.school_id,
                  local_authority_id=pupil.school.local_authority_id)
    response = FileResponse(stream, as_attachment=True, content_type="application/zip",
                            filename=f"subject-access-{export.pk}.zip")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
