from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import moves, notices, selectors, services, subject_access
from . import retention as retention_service
from .access_log import What, access_record
from .forms import (
    AccessLogSearchForm,
    AgencyInvolvementForm,
    DocumentForm,
    ExclusionForm,
    ExclusionInErrorForm,
    LeaveForm,
    MeetingForm,
    MoveForm,
    ParentForm,
    ProcessEndedForm,
    PupilForm,
    PupilSearchForm,
)
from .models import Nation, Pupil, StaffRole
from .sources import PUPIL_INFORMATION_ENGLAND, PUPIL_INFORMATION_WALES, cite


@login_not_required
@never_cache
@require_GET
def health(request):
    """Whether the database and the job broker answer. No personal data."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = "in-process"
    else:
        from config.celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:
            checks["broker"] = "unreachable"
    healthy = all(value in {"ok", "in-process"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503
    )


def dashboard(request):
    board = selectors.dashboard_for(request.user, today=timezone.localdate())
    deadlines = (
        selectors.deadlines_for(request.user, now=timezone.now()) if board.sees_names else None
    )
    return render(request, "cases/dashboard.html", {
        "board": board, "deadlines": deadlines,
        "sections": notices.for_dashboard(request.user) if board.sees_names else ()})


def require_name_access(request) -> None:
    # The information officer works with counts only: pupil pages do not exist for them.
    if not selectors.user_sees_names(selectors.staff_groups_of(request.user)):
        raise Http404("Pupil records are not part of your role")


def pupil_search(request):
    require_name_access(request)
    form = PupilSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = None
    if query:
        paginator = Paginator(selectors.pupil_search(request.user, query=query), 25)
        page = paginator.get_page(request.GET.get("page"))
    may_add = selectors.schools_recordable_by(request.user).exists()
    return render(request, "cases/pupil_search.html", {
        "form": form, "query": query, "page": page, "may_add": may_add,
        "query_string": urlencode({"q": query}) + "&",
    })


def pupil_add(request):
    schools = selectors.schools_recordable_by(request.user)
    if not schools.exists():
        raise PermissionDenied("Your role cannot add pupils.")
    form = PupilForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        try:
            pupil = services.pupil_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{pupil.full_name} added")
            return redirect("pupil-detail", pupil_id=pupil.pk)
    return render(request, "cases/form_page.html", {
        "form": form,
        "title": "Add a pupil",
        "submit": "Add pupil",
        "back": reverse("pupil-search"),
    })


def pupil_detail(request, pupil_id: int):
    pupil = selectors.pupil_case_file(request.user, pupil_id=pupil_id)
    may_record = selectors.user_may_record_for(request.user, school=pupil.school)
    deadlines = selectors.deadlines_for(request.user, now=timezone.now(), pupil=pupil)
    access_record(request, what=What.CASE_PAGE, label="Case page", pupil_id=pupil.pk,
                  school_id=pupil.school_id, local_authority_id=pupil.school.local_authority_id)
    return render(request, "cases/pupil_detail.html", {
        "pupil": pupil, "may_record": may_record, "deadlines": deadlines,
        "extras": notices.for_pupil(pupil, request.user),
        "viewed_by": selectors.viewed_by(request.user, pupil),
        "answers_subject_access": subject_access.answers_for(request.user, pupil),
    })


def pupil_eligibility(request, pupil_id: int):
    eligibility = selectors.pupil_eligibility(
        request.user, pupil_id=pupil_id, today=timezone.localdate()
    )
    return render(request, "cases/pupil_eligibility.html", {"eligibility": eligibility})


def _pupil_recorded_by(request, pupil_id: int) -> Pupil:
    """The pupil, for a user who records on their case. Outside the user's scope: 404; in
    scope but read-only: 403."""
    pupil = selectors.pupil_for_recording(request.user, pupil_id=pupil_id)
    if not selectors.user_may_record_for(request.user, school=pupil.school):
        raise PermissionDenied("Your role can read this case but not record on it.")
    return pupil


def _saved(form, pupil: Pupil, save: Callable[[Pupil, dict], str]) -> str | None:
    """The service's message once a sent form is valid and saved; otherwise None, with the
    service's refusal on the form."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return save(pupil, form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _record_on_pupil(
    request,
    pupil_id: int,
    *,
    form_class,
    title: str,
    submit: str,
    save: Callable[[Pupil, dict], str],
    form_kwargs: Callable[[Pupil], dict] = lambda pupil: {},
    files: bool = False,
):
    """A form that records something on a pupil's case file through a service, then returns
    to the case page."""
    pupil = _pupil_recorded_by(request, pupil_id)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, request.FILES if files and data else None, **form_kwargs(pupil))
    message = _saved(form, pupil, save)
    if message:
        messages.success(request, message)
        return redirect("pupil-detail", pupil_id=pupil.pk)
    return render(request, "cases/form_page.html", {
        "form": form,
        "pupil": pupil,
        "title": title,
        "submit": submit,
        "files": files,
        "back": reverse("pupil-detail", args=[pupil.pk]),
    })


def parent_add(request, pupil_id: int):
    def save(pupil, data):
        link = services.parent_add(actor=request.user, pupil=pupil, **data)
        return f"{link.parent.full_name} added as {link.get_relationship_display().lower()}"

    return _record_on_pupil(
        request, pupil_id, form_class=ParentForm, title="Add a parent or carer",
        submit="Add parent or carer", save=save,
    )


def exclusion_add(request, pupil_id: int):
    def save(pupil, data):
        recorded = services.exclusion_record(
            actor=request.user, pupil=pupil, **{**data, "reasons": list(data["reasons"])}
        )
        for warning in recorded.warnings:
            messages.warning(request, warning)
        return f"{recorded.exclusion} recorded"

    return _record_on_pupil(
        request, pupil_id, form_class=ExclusionForm, title="Record an exclusion",
        submit="Record exclusion", save=save,
    )


def exclusion_process_ended(request, pupil_id: int, exclusion_id: int):
    def save(pupil, data):
        services.exclusion_process_ended(
            actor=request.user, exclusion=data["exclusion"], ended_on=data["ended_on"]
        )
        return "End of the statutory process recorded"

    return _record_on_pupil(
        request, pupil_id, form_class=ProcessEndedForm,
        title="Record the end of the statutory exclusion process", submit="Record", save=save,
        # The exclusion is found through the pupil, so one outside the user's scope, or of
        # another pupil, is not found (404) before any form is shown.
        form_kwargs=lambda pupil: {
            "exclusion": selectors.exclusion_of(pupil, exclusion_id=exclusion_id)},
    )


def exclusion_in_error(request, pupil_id: int, exclusion_id: int):
    def save(pupil, data):
        services.exclusion_in_error(actor=request.user, exclusion=data["exclusion"],
                                    reason=data["reason"])
        return f"{data['exclusion']} marked as recorded in error"

    return _record_on_pupil(
        request, pupil_id, form_class=ExclusionInErrorForm,
        title="Mark an exclusion as recorded in error", submit="Mark as recorded in error",
        save=save,
        form_kwargs=lambda pupil: {
            "exclusion": selectors.exclusion_of(pupil, exclusion_id=exclusion_id)},
    )


def agency_involvement_add(request, pupil_id: int):
    def save(pupil, data):
        involvement = services.agency_involvement_record(actor=request.user, pupil=pupil, **data)
        return f"{involvement.agency.name} involvement recorded"

    return _record_on_pupil(
        request, pupil_id, form_class=AgencyInvolvementForm,
        title="Record an agency's involvement", submit="Record involvement", save=save,
        form_kwargs=lambda pupil: {"agencies": selectors.agencies_for_pupil(pupil)},
    )


def meeting_add(request, pupil_id: int):
    def save(pupil, data):
        meeting = services.meeting_record(
            actor=request.user,
            pupil=pupil,
            held_on=data["held_on"],
            purpose=data["purpose"],
            attendees=data["attendees"],
            agencies=list(data["agencies"]),
            decisions=data["decisions"],
            actions=[services.ActionPlan(*action) for action in data["actions"]],
            la_represented=data["la_represented"],
            recommends_parenting_order=data["recommends_parenting_order"],
        )
        return f"Meeting of {meeting.held_on:%-d %B %Y} recorded"

    return _record_on_pupil(
        request, pupil_id, form_class=MeetingForm, title="Record a multi-agency meeting",
        submit="Record meeting", save=save,
        form_kwargs=lambda pupil: {"agencies": selectors.agencies_for_pupil(pupil)},
    )


def document_add(request, pupil_id: int):
    def save(pupil, data):
        document = services.document_upload(
            actor=request.user, pupil=pupil, title=data["title"], upload=data["file"],
            category=data["category"],
        )
        return f"“{document.title}” uploaded"

    return _record_on_pupil(
        request, pupil_id, form_class=DocumentForm, title="Upload a document",
        submit="Upload document", save=save, files=True,
    )


@require_GET
def document_download(request, pupil_id: int, document_id: int):
    document = selectors.document_for_download(
        request.user, pupil_id=pupil_id, document_id=document_id
    )
    access_record(request, what=What.DOCUMENT,
                  label=f"Document {document.pk}: {document.get_category_display()}",
                  pupil_id=pupil_id, school_id=document.pupil.school_id,
                  local_authority_id=document.pupil.school.local_authority_id)
    suffix = document.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.title[:80]}.{suffix}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def require_data_protection_role(request) -> None:
    if not selectors.answers_for_data_protection(request.user):
        raise PermissionDenied("Data protection work is the headteacher's, for their school, "
                               "and the LA admin's, for their LA.")


@require_GET
def data_protection(request):
    """What the headteacher and the LA admin answer for: who opened what, subject access,
    retention and staff sign-in."""
    require_data_protection_role(request)
    return render(request, "cases/data_protection.html", {
        "is_la_admin": any(group.role == StaffRole.LA_ADMIN
                           for group in selectors.staff_groups_of(request.user)),
    })


@require_GET
def access_log(request):
    require_data_protection_role(request)
    form = AccessLogSearchForm(request.GET or None)
    page = None
    if not form.is_bound:
        page = selectors.access_log_for(request.user)
    elif form.is_valid():
        page = selectors.access_log_for(
            request.user, **{ACCESS_LOG_FILTERS[key]: value
                             for key, value in form.cleaned_data.items() if value})
    older = None
    if page and page.older:
        query = request.GET.copy()
        query["before"] = page.older
        older = query.urlencode()
    return render(request, "cases/access_log.html", {"form": form, "page": page,
                                                      "older": older})


ACCESS_LOG_FILTERS = {"pupil": "pupil_id", "upn": "upn", "person": "person", "what": "what",
                      "since": "since", "until": "until", "before": "before"}


def require_la_admin(request) -> None:
    if not selectors.authorities_disposing_for(request.user).exists():
        raise PermissionDenied("Disposals under the retention schedule are confirmed by the "
                               "LA admin.")


@require_GET
def retention(request):
    require_la_admin(request)
    return render(request, "cases/retention.html",
                  {"page": selectors.retention_page(request.user)})


def disposal_review(request, disposal_id: int):
    """The dry run, then the LA admin's confirmation: what will be removed, counted."""
    disposal = selectors.disposal_for(request.user, disposal_id=disposal_id)
    if request.method == "POST":
        done = retention_service.disposal_carry_out(
            actor=request.user, disposal_id=disposal.pk, today=timezone.localdate())
        if done.status == done.Status.DONE:
            messages.success(request, f"{done.label}: anonymised")
        else:
            messages.info(request, f"{done.label}: {done.get_status_display().lower()}. "
                                   f"{done.outcome.get('reason', '')}")
        return redirect("retention")
    removal = (retention_service.disposal_review(disposal)
               if disposal.status == disposal.Status.DUE else None)
    return render(request, "cases/disposal_review.html",
                  {"disposal": disposal, "removal": removal})


def _move_page(request, pupil_id: int, *, form_class, title: str, submit: str,
               verdict_of: Callable[[Pupil], object], save: Callable[[Pupil, dict], str]):
    """Moving a pupil out of the school, or recording that they left: the form, or why it is
    not open now."""
    pupil = _pupil_recorded_by(request, pupil_id)
    verdict = verdict_of(pupil)
    form = form_class(request.POST if request.method == "POST" and verdict else None)
    message = _saved(form, pupil, save)
    if message:
        messages.success(request, message)
        if selectors.pupils_visible_to(request.user).filter(pk=pupil.pk).exists():
            return redirect("pupil-detail", pupil_id=pupil.pk)
        return redirect("pupil-search")
    source = (PUPIL_INFORMATION_WALES if pupil.school.local_authority.nation == Nation.WALES
              else PUPIL_INFORMATION_ENGLAND)
    return render(request, "cases/move_page.html", {
        "form": form, "pupil": pupil, "title": title, "submit": submit, "verdict": verdict,
        "caption": f"{pupil.full_name}, {pupil.school.name}",
        "law": cite(source, "" if source is PUPIL_INFORMATION_WALES else "regulation 9"),
        "back": reverse("pupil-detail", args=[pupil.pk]),
    })


def pupil_move(request, pupil_id: int):
    def save(pupil, data):
        move = moves.pupil_move(pupil=pupil, to_school=data["to_school"],
                                moved_on=data["moved_on"], by=request.user, note=data["note"])
        return (f"{pupil.full_name}'s case file has moved to {move.to_school.name} from "
                f"{move.moved_on:%-d %B %Y}")

    return _move_page(
        request, pupil_id, form_class=MoveForm, title="Record a move to another school",
        submit="Record the move", save=save,
        verdict_of=lambda pupil: moves.move_verdict(pupil=pupil, actor=request.user))


def pupil_leave(request, pupil_id: int):
    def save(pupil, data):
        moves.pupil_leave(pupil=pupil, left_on=data["left_on"], by=request.user,
                          left_for=data["left_for"], destination=data["destination"])
        return f"Recorded that {pupil.full_name} left on {data['left_on']:%-d %B %Y}"

    return _move_page(
        request, pupil_id, form_class=LeaveForm,
        title="Record that the pupil left for a school not on Pact, home education or none",
        submit="Record that they left", save=save,
        verdict_of=lambda pupil: moves.leave_verdict(pupil=pupil))
