from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as case_selectors
from cases import steps
from cases import views as case_views
from cases.access_log import What, access_record
from cases.models import TimelineEvent
from contracts import selectors as contract_selectors

from . import forms, rules, selectors, services
from .models import EvidencePack, State


def _call(service, **renamed):
    return steps.calls(service, record="case", **renamed)


STEPS: dict[str, steps.Step] = {
    "review": steps.Step("Start the LA's review", forms.ConfirmForm,
                   _call(services.order_start_review), "Start the review", "Review started"),
    "final_warning": steps.Step("Issue the final warning letter", forms.FinalWarningForm,
                          _call(services.order_final_warning), "Issue the final warning",
                          "Final warning letter issued"),
    "pack": steps.Step("Build the evidence pack", forms.PackForm,
                 _call(services.order_pack_request), "Build the pack",
                 "The pack is being built"),
    "panel": steps.Step("Take the case to the legal panel", forms.ConfirmForm,
                  _call(services.order_refer_to_panel), "Take it to the panel",
                  "The case is with the legal panel"),
    "view": steps.Step("Record your view for the panel", forms.ViewForm,
                 _call(services.order_panel_view), "Record my view", "Your view is recorded"),
    "decision": steps.Step("Record the legal panel's decision", forms.DecisionForm,
                     _call(services.order_panel_decision), "Record the decision",
                     "The panel's decision is recorded"),
    "apply": steps.Step("Apply to the magistrates' court", forms.ApplyForm,
                  _call(services.order_apply), "Record the application",
                  "The application is recorded"),
    "hearing": steps.Step("Record the hearing date", forms.HearingForm,
                    _call(services.order_hearing), "Record the hearing", "Hearing recorded"),
    "outcome": steps.Step("Record the court's decision", forms.OutcomeForm,
                    _call(services.order_outcome), "Record the decision",
                    "The court's decision is recorded",
                    fields_template="orders/outcome_fields.html"),
    "withdraw": steps.Step("Withdraw the application", forms.ReasonsForm,
                     _call(services.order_withdraw), "Withdraw", "Application withdrawn"),
    "ro_meeting": steps.Step("Record the responsible officer's first meeting", forms.RoMeetingForm,
                       _call(services.order_ro_meeting), "Record the meeting",
                       "First meeting recorded"),
    "ro_confirmation": steps.Step("Confirm the order in writing to the parent",
                            forms.RoConfirmationForm, _call(services.order_ro_confirmation),
                            "Issue the confirmation", "Confirmation letter issued"),
    "contact": steps.Step("Record monitoring contact", forms.ContactForm,
                    _call(services.order_contact), "Record", "Contact recorded"),
    "attendance": steps.Step("Record a parenting programme session", forms.AttendanceForm,
                       _call(services.order_attendance), "Record", "Session recorded"),
    "breach": steps.Step("Record a breach of the order", forms.BreachForm,
                   _call(services.order_breach), "Record the breach", "Breach recorded"),
    "refer_breach": steps.Step("Tell the legal panel about the breach", forms.ConfirmForm,
                         _call(services.order_refer_breach), "Refer to the panel",
                         "The breach is with the legal panel"),
    "breach_decision": steps.Step("Record the panel's decision on the breach",
                            forms.BreachDecisionForm, _call(services.order_breach_decision),
                            "Record the decision", "Decision recorded"),
    "breach_outcome": steps.Step("Record the outcome of breach proceedings",
                           forms.BreachOutcomeForm, _call(services.order_breach_outcome),
                           "Record the outcome", "Outcome recorded"),
    "complete": steps.Step("Complete the order", forms.ConfirmForm,
                     _call(services.order_complete), "Complete", "Order completed"),
}


def _form_kwargs(page: selectors.OrderPage, action: str) -> dict:
    case = page.case
    if action == "pack":
        kinds = (TimelineEvent.objects.filter(pupil=case.pupil).order_by("kind")
                 .values_list("kind", flat=True).distinct())
        return {"documents": case.pupil.documents.all(), "event_kinds": list(kinds)}
    if action == "decision":
        return {"members": selectors.la_staff_for(case),
                "programmes": selectors.programmes_for(case)}
    if action == "outcome":
        return {"programmes": selectors.programmes_for(case),
                "officers": selectors.responsible_officer_choices(case)}
    return {}


def order_list(request):
    case_views.require_name_access(request)
    form = forms.OrderFilterForm(request.GET, states=State.choices)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    page = Paginator(selectors.order_list(request.user, state=state), 50).get_page(
        request.GET.get("page"))
    return render(request, "orders/list.html", {
        "page": page, "form": form, "query_string": urlencode({"state": state}) + "&",
    })


def order_start(request, pupil_id: int):
    """A school asks the LA to apply for a parenting order; an LA officer opens a case."""
    pupil = case_selectors.pupil_for_recording(request.user, pupil_id=pupil_id)
    if not case_selectors.user_may_record_for(request.user, school=pupil.school):
        raise PermissionDenied("Your role can read this case but not ask for an order.")
    form = forms.RequestForm(request.POST or None, parents=case_selectors.parents_of(pupil))
    if request.method == "POST" and form.is_valid():
        try:
            case = services.order_request(
                actor=request.user, pupil=pupil, parents=list(form.cleaned_data["parents"]),
                reasons=form.cleaned_data["reasons"],
                parenting_factor=form.cleaned_data["parenting_factor"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The request is with the LA designated officer")
            return redirect("order-detail", case_id=case.pk)
    return render(request, "cases/form_page.html", {
        "form": form, "pupil": pupil, "title": "Ask the LA to apply for a parenting order",
        "submit": "Send the request", "back": reverse("pupil-detail", args=[pupil.pk]),
    })


@require_POST
def order_open_from_contract(request, contract_id: int):
    """From the LA queue: one click opens the request an escalated contract carries."""
    contract = contract_selectors.contract_for(request.user, contract_id=contract_id)
    if not selectors.LA_RECORDING_ROLES & {
            g.role for g in case_selectors.staff_groups_of(request.user)
            if g.local_authority_id == contract.school.local_authority_id}:
        raise PermissionDenied("The LA designated officer opens order requests.")
    try:
        case = services.order_open_from_contract(actor=request.user, contract=contract)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("la-queue")
    messages.success(request, "Order request opened from the escalated contract")
    return redirect("order-detail", case_id=case.pk)


def order_detail(request, case_id: int):
    page = selectors.order_page(request.user, case_id=case_id, today=timezone.localdate())
    access_record(request, what=What.ORDER, label=f"Parenting order case {case_id}",
                  pupil_id=page.case.pupil_id, school_id=page.case.school_id,
                  local_authority_id=page.case.local_authority_id)
    return render(request, "orders/detail.html", {
        "page": page, "case": page.case, **steps.open_and_not(STEPS, page.actions),
    })


def order_action(request, case_id: int, action: str):
    step = STEPS.get(action)
    if step is None:
        raise Http404("No such step")
    page = selectors.order_page(request.user, case_id=case_id, today=timezone.localdate())
    # A role that never does this step is refused outright, with the reason (403).
    role = rules.role_check(action, page.facts.actor)
    if not role.met:
        raise PermissionDenied(role.text)
    verdict = page.actions[action]
    form = step.form(request.POST or None, **_form_kwargs(page, action))
    if request.method == "POST" and verdict and form.is_valid():
        try:
            step.run(request.user, page.case, dict(form.cleaned_data))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, step.done)
            pack = page.case.packs.order_by("-version").first()
            if action == "pack" and pack is not None:
                return redirect("order-pack", pack_id=pack.pk)
            return redirect("order-detail", case_id=page.case.pk)
    return render(request, "orders/action.html", {
        "form": form, "case": page.case, "pupil": page.case.pupil, "title": step.title,
        "caption": f"{page.case.pupil.full_name}, parenting order case",
        "submit": step.submit, "verdict": verdict, "fields_template": step.fields_template,
        "application": page.application if action == "apply" else None,
        "back": reverse("order-detail", args=[page.case.pk]),
    })


def pack_detail(request, pack_id: int):
    """The pack being built (this page refreshes itself), or built: what went in."""
    pack = selectors.pack_for(request.user, pack_id=pack_id)
    return render(request, "orders/pack.html", {
        "pack": pack, "built": getattr(pack, "built", None),
        "building": pack.status in {EvidencePack.Status.QUEUED, EvidencePack.Status.BUILDING},
        "percent": int(100 * pack.progress_done / pack.progress_total)
        if pack.progress_total else 0,
    })


@require_GET
def pack_download(request, pack_id: int):
    pack = selectors.pack_for(request.user, pack_id=pack_id)
    built = getattr(pack, "built", None)
    if built is None:
        raise Http404("This pack is not built")
    case = pack.order_case
    access_record(request, what=What.PACK,
                  label=f"Evidence pack {pack.pk}, version {pack.version}, of order case {case.pk}",
                  pupil_id=case.pupil_id, school_id=case.school_id,
                  local_authority_id=case.local_authority_id)
    response = FileResponse(built.file.open("rb"), as_attachment=True,
                            filename=f"evidence-pack-{pack.order_case_id}-v{pack.version}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def la_queue(request):
    if not contract_selectors.user_has_queue(request.user):
        raise PermissionDenied("The queue is the LA designated officer's: your role does "
                               "not have one.")
    return render(request, "orders/queue.html", {"queue": selectors.la_queue(request.user)})


def programme_list(request):
    """The LA's catalogue of parenting programmes: what a panel and a court can choose from."""
    case_views.require_name_access(request)
    programmes = selectors.programmes_visible_to(request.user).select_related(
        "local_authority").order_by("local_authority__name", "-active", "name")
    return render(request, "orders/programmes.html", {
        "programmes": programmes,
        "keeps": selectors.programme_authorities(request.user).exists(),
    })


def programme_edit(request, programme_id: int | None = None):
    case_views.require_name_access(request)
    programme = None
    if programme_id is not None:
        programme = selectors.programme_for(request.user, programme_id=programme_id)
    authorities = selectors.programme_authorities(request.user)
    if programme is not None:
        authorities = authorities.filter(pk=programme.local_authority_id)
    if not authorities.exists():
        raise PermissionDenied("The LA's officers keep its catalogue of parenting programmes; "
                               "your role reads it.")
    initial = ({"local_authority": programme.local_authority_id, "name": programme.name,
                "provider": programme.provider, "sessions": programme.sessions,
                "topics": programme.topics, "places": programme.places,
                "active": programme.active, "revision": programme.revision}
               if programme else None)
    form = forms.ProgrammeForm(request.POST or None, initial=initial, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = services.programme_save(actor=request.user, programme=programme, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{saved.name} is saved in the catalogue")
            return redirect("programme-list")
    return render(request, "cases/form_page.html", {
        "form": form, "submit": "Save",
        "title": f"Change {programme.name}" if programme else "Add a parenting programme",
        "caption": "Parenting programmes", "back": reverse("programme-list"),
    })
