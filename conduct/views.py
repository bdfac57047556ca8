from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import selectors as case_selectors
from cases import steps
from letters.views import pdf_response

from . import forms, rules, selectors, services
from .models import Opened


def _call(service, **renamed):
    return steps.calls(service, record="record", **renamed)


STEPS: dict[str, steps.Step] = {
    "reminder": steps.Step("Send a reminder letter", forms.LetterStepForm,
                           _call(services.reminder_send), "Send the reminder",
                           "Reminder letter issued"),
    "warning": steps.Step("Send a warning letter", forms.LetterStepForm,
                          _call(services.warning_send), "Send the warning",
                          "Warning letter issued"),
    "conditions": steps.Step("Set conditions on their contact with the school",
                             forms.ConditionsForm, _call(services.conditions_set),
                             "Set the conditions", "Conditions set and the letter issued"),
    "board": steps.Step("Record the governing board's review of the conditions",
                        forms.BoardForm, _call(services.board_decision), "Record the decision",
                        "The board's decision is recorded and the letter issued"),
    "propose_ban": steps.Step("Propose a ban from the premises", forms.ProposeBanForm,
                              _call(services.ban_propose), "Propose the ban",
                              "Ban proposed: it needs the chair of governors' agreement"),
    "chair": steps.Step("Record the chair of governors' agreement", forms.ChairForm,
                        _call(services.chair_agreement_record), "Record the agreement",
                        "The chair's agreement is recorded"),
    "confirm_ban": steps.Step("Confirm the ban and send the letter", forms.ConfirmBanForm,
                              _call(services.ban_confirm), "Confirm the ban",
                              "Ban confirmed and the letter issued"),
    "withdraw_proposal": steps.Step("Withdraw the proposed ban", forms.WithdrawProposalForm,
                                    _call(services.ban_proposal_withdraw), "Withdraw it",
                                    "The proposed ban is withdrawn"),
    "emergency_ban": steps.Step("Ban at once, in an emergency", forms.EmergencyBanForm,
                                _call(services.ban_at_once), "Ban at once",
                                "Emergency ban recorded and the letter issued"),
    "review": steps.Step("Review the restrictions", forms.ReviewForm,
                         _call(services.review_record), "Record the review",
                         "The review is recorded and the letter issued"),
    "reply": steps.Step("Record the parent's reply", forms.ReplyForm,
                        _call(services.reply_record), "Record the reply", "Reply recorded"),
    "progress_meeting": steps.Step("Record a request for a progress meeting",
                                   forms.ProgressMeetingForm,
                                   _call(services.progress_meeting_record), "Record it",
                                   "Progress meeting recorded"),
}


def _incidents(record):
    return record.incidents.order_by("-occurred_at", "-pk")


def _form_kwargs(page: selectors.RecordPage, action: str) -> dict:
    record = page.record
    if action in {"reminder", "warning", "conditions", "propose_ban", "emergency_ban"}:
        return {"incidents": _incidents(record)}
    if action == "chair":
        return {"by_the_chair": page.facts.actor.chair and not page.facts.actor.records}
    if action == "reply":
        return {"steps": record.steps.filter(pk__in=[s.pk for s in page.awaiting_reply])}
    if action == "confirm_ban":
        incidents = [f"{timezone.localtime(i.occurred_at):%-d %B %Y}: {i.description}"
                     for i in reversed(page.incidents)]
        replies = [f"{s.replied_on:%-d %B %Y}: {s.reply}" for s in page.steps if s.replied_on]
        return {"initial": {"summary": "\n\n".join(incidents),
                            "response": "\n\n".join(replies)}}
    return {}


def record_detail(request, record_id: int):
    """The whole record for those who read conduct records, each opening logged; for everyone
    else who reads the pupil's case, only the arrangements they must follow."""
    record, full = selectors.record_or_notice(request.user, record_id=record_id)
    if not full:
        return render(request, "conduct/arrangements.html", {
            "record": record, "arrangements": selectors.arrangements(record)
            if record.in_force else ()})
    selectors.log_opening(request.user, record, Opened.RECORD)
    page = selectors.record_page(request.user, record=record, today=timezone.localdate())
    return render(request, "conduct/record.html", {
        "page": page, "record": record, "arrangements": selectors.arrangements(record)
        if record.in_force else (), **steps.open_and_not(STEPS, page.actions),
        "may_record": page.facts.actor.records,
        "more_step": (f"{reverse('conduct-incident-new', args=[record.pupil_id])}"
                      f"?record={record.pk}", "Record another incident")
        if page.facts.actor.records else None,
    })


def record_action(request, record_id: int, action: str):
    step = STEPS.get(action)
    if step is None:
        raise Http404("No such step")
    record = selectors.record_for(request.user, record_id=record_id)
    page = selectors.record_page(request.user, record=record, today=timezone.localdate())
    actor = page.facts.actor
    if action == "chair" and not (actor.records or actor.chair):
        raise PermissionDenied(rules.CHAIR_ROLE_REASON)
    if action != "chair" and not actor.records:
        raise PermissionDenied(rules.ROLE_REASON)
    verdict = page.actions[action]
    form = step.form(request.POST or None, request.FILES or None,
                     **_form_kwargs(page, action))
    if request.method == "POST" and verdict and form.is_valid():
        try:
            step.run(request.user, record, dict(form.cleaned_data))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, step.done)
            return redirect("conduct-record", record_id=record.pk)
    if request.method == "GET":
        selectors.log_opening(request.user, record, Opened.RECORD, step.title)
    return render(request, "conduct/action.html", {
        "form": form, "record": record, "title": step.title,
        "caption": f"Conduct record: {record.full_name}", "submit": step.submit,
        "verdict": verdict, "back": reverse("conduct-record", args=[record.pk]),
    })


def incident_new(request, pupil_id: int):
    pupil = case_selectors.pupil_for_recording(request.user, pupil_id=pupil_id)
    if not selectors.user_records_conduct_at(request.user, pupil.school_id):
        raise PermissionDenied("The headteacher or the LA designated officer records conduct "
                               "incidents.")
    records = selectors.records_for_pupil(pupil).filter(parent__isnull=True)
    initial = {}
    chosen = request.GET.get("record", "")
    if chosen.isdigit():
        again = selectors.records_for_pupil(pupil).filter(pk=int(chosen)).first()
        if again is not None:
            initial = ({"parents": [again.parent_id]} if again.parent_id
                       else {"records": [again.pk]})
    form = forms.IncidentForm(request.POST or None, request.FILES or None, initial=initial,
                              parents=case_selectors.parents_of(pupil), records=records)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_record(
                actor=request.user, pupil=pupil, occurred_at=data["occurred_at"],
                place=data["place"], channel=data["channel"], categories=data["categories"],
                description=data["description"], affected=data["affected"],
                effect=data["effect"], witnesses=data["witnesses"],
                police_contacted=data["police_contacted"],
                police_reference=data["police_reference"],
                safeguarding_referral=data["safeguarding_referral"],
                staff_support=data["staff_support"], parents=list(data["parents"]),
                records=list(data.get("records") or []), new_adult=data["new_adult"],
                files=[(upload.name, upload) for upload in data["files"]])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Incident recorded")
            first = incident.adults.order_by("pk").first()
            return redirect("conduct-record", record_id=first.pk)
    return render(request, "cases/form_page.html", {
        "form": form, "pupil": pupil, "title": "Record a conduct incident",
        "submit": "Record the incident", "files": True,
        "back": reverse("pupil-detail", args=[pupil.pk]),
    })


@require_GET
def letter_download(request, record_id: int, letter_id: int):
    record, letter = selectors.step_letter_for(request.user, record_id=record_id,
                                               letter_id=letter_id)
    selectors.log_opening(request.user, record, Opened.LETTER, letter.get_kind_display())
    filename = f"{letter.kind}-{letter.issued_at:%Y-%m-%d}-{letter.pk}.pdf"
    return pdf_response(bytes(letter.pdf), filename, attachment=True)


@require_GET
def evidence_download(request, record_id: int, evidence_id: int):
    record, evidence = selectors.evidence_for(request.user, record_id=record_id,
                                              evidence_id=evidence_id)
    selectors.log_opening(request.user, record, Opened.EVIDENCE, evidence.title)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True,
                            filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def access_log(request, record_id: int):
    record = selectors.record_for(request.user, record_id=record_id)
    if not selectors.user_records_conduct_at(request.user, record.school_id):
        raise PermissionDenied("The headteacher and the LA designated officer see who opened a "
                               "conduct record.")
    selectors.log_opening(request.user, record, Opened.ACCESS_LOG)
    page = Paginator(selectors.openings_of(record), 50).get_page(request.GET.get("page"))
    return render(request, "conduct/access_log.html", {"record": record, "page": page,
                                                       "query_string": ""})

