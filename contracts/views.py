from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as case_selectors
from cases import steps
from cases import views as case_views
from cases.access_log import What, access_record
from cases.sources import BEDFORDSHIRE, cite
from letters import services as letter_services
from letters import views as letter_views
from letters.models import LetterKind

from . import forms, selectors, services


def _offer(actor, contract, data):
    method = data.pop("method")
    services.contract_offer(actor=actor, contract=contract, method=method, letter_facts=data)


def _form_kwargs(page: selectors.ContractPage, action: str) -> dict:
    contract, facts = page.contract, page.facts
    if action == "edit":
        return {"kind": contract.kind, "parents": facts.parents, "initial": {
            name: getattr(contract, name) for name in (*services.CONTENT_FIELDS, "revision")}}
    if action == "consult":
        return {"agencies": case_selectors.agencies_for_pupil(contract.pupil)}
    if action == "consent":
        return {"parents": contract.parents.all()}
    if action == "sign":
        return {"parents": facts.parents, "consents": {
            p.pk: facts.consent_of(p).decision for p in facts.parents if facts.consent_of(p)}}
    if action == "breach":
        # A further exclusion is one that started on or after the formal warning.
        exclusions = contract.pupil.exclusions.none()
        if contract.warned_on:
            exclusions = contract.pupil.exclusions.filter(start_date__gte=contract.warned_on)
        return {"decisions": page.decisions, "exclusions": exclusions}
    return {}


def _call(service, **renamed):
    return steps.calls(service, record="contract", **renamed)


STEPS: dict[str, steps.Step] = {
    "edit": steps.Step("Change the contract's content", forms.ContentForm,
                 _call(services.contract_update_content), "Save", "Contract content saved"),
    "consult": steps.Step("Record an agency consulted", forms.ConsultForm,
                    _call(services.consultation_record), "Record", "Consultation recorded"),
    "contact": steps.Step("Record a meeting or an attempt to reach the parents", forms.ContactForm,
                    _call(services.contact_record), "Record", "Recorded"),
    "consent": steps.Step("Record a decision about sharing information", forms.ConsentForm,
                    _call(services.consent_record), "Record the decision",
                    "Decision about sharing information recorded"),
    "offer": steps.Step("Offer the contract: invite the parents to a meeting", forms.OfferForm,
                  _offer, "Offer and issue the invitation",
                  "Contract offered; the invitation letter is issued"),
    "sign": steps.Step("Record the signed contract", forms.SignForm, _call(services.contract_sign),
                 "Sign", "Contract signed; the LA designated officer has been told"),
    "refuse": steps.Step("Record that the parents refused", forms.ReasonsForm,
                   _call(services.contract_refuse), "Record the refusal", "Refusal recorded"),
    "withdraw": steps.Step("Withdraw the contract", forms.ReasonsForm,
                     _call(services.contract_withdraw), "Withdraw", "Contract withdrawn"),
    "breach": steps.Step("Record a breach and your decision", forms.BreachForm,
                   _call(services.breach_record), "Record the breach", "Breach recorded",
                   fields_template="contracts/breach_fields.html"),
    "start_review": steps.Step("Start a review", forms.ReasonsForm,
                         _call(services.contract_start_review, reasons="reason"),
                         "Start the review", "Review started"),
    "amend": steps.Step("Finish the review", forms.AmendForm, _call(services.contract_amend),
                  "Finish the review", "Contract amended and running again"),
    "escalate": steps.Step("Escalate to the LA for a parenting order", forms.ReasonsForm,
                     _call(services.contract_escalate), "Escalate to the LA",
                     "Escalated: the LA designated officer will see it in their queue"),
    "terminate": steps.Step("End the contract early", forms.TerminateForm,
                      _call(services.contract_terminate), "End the contract", "Contract ended"),
    "complete": steps.Step("Complete the contract", forms.ConfirmForm,
                     _call(services.contract_complete), "Complete", "Contract completed"),
}


def contract_list(request):
    today = timezone.localdate()
    schools = case_selectors.schools_visible_to(request.user).order_by("name")
    form = forms.ContractFilterForm(request.GET, schools=schools)
    filters = form.filters()
    contracts = selectors.contract_list(
        request.user, state=filters["state"], school_id=getattr(filters["school"], "pk", ""),
        review=filters["review"], today=today,
    )
    page = Paginator(contracts, 50).get_page(request.GET.get("page"))
    return render(request, "contracts/list.html", {
        "page": page, "form": form, "schools": schools, "today": today,
        "query_string": urlencode({name: form.data.get(name, "") for name in form.fields
                                   if name not in form.errors}) + "&",
    })


def contract_start(request, pupil_id: int):
    pupil = case_selectors.pupil_for_recording(request.user, pupil_id=pupil_id)
    if not case_selectors.user_may_record_for(request.user, school=pupil.school):
        raise PermissionDenied("Your role can read this case but not start a contract.")
    form = forms.StartForm(request.POST or None, parents=case_selectors.parents_of(pupil))
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(
                actor=request.user, pupil=pupil, kind=form.cleaned_data["kind"],
                parents=list(form.cleaned_data["parents"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Draft contract started")
            return redirect("contract-detail", contract_id=contract.pk)
    return render(request, "cases/form_page.html", {
        "form": form, "pupil": pupil, "title": "Start a contract", "submit": "Start",
        "back": reverse("pupil-detail", args=[pupil.pk]),
    })


def contract_detail(request, contract_id: int):
    page = selectors.contract_page(request.user, contract_id=contract_id,
                                   today=timezone.localdate())
    contract = page.contract
    may_act = case_selectors.user_may_record_for(request.user, school=contract.school)
    access_record(request, what=What.CONTRACT,
                  label=f"{contract.get_kind_display()} {contract.pk}",
                  pupil_id=contract.pupil_id, school_id=contract.school_id,
                  local_authority_id=contract.school.local_authority_id)
    return render(request, "contracts/detail.html", {
        "page": page, "contract": page.contract, "may_act": may_act,
        **steps.open_and_not(STEPS, page.actions),
    })


def contract_action(request, contract_id: int, action: str):
    step = STEPS.get(action)
    if step is None:
        raise Http404("No such step")
    contract = selectors.contract_for(request.user, contract_id=contract_id)
    if not case_selectors.user_may_record_for(request.user, school=contract.school):
        raise PermissionDenied("Your role can read this contract but not act on it.")
    page = selectors.contract_page(request.user, contract_id=contract_id,
                                   today=timezone.localdate())
    verdict = page.actions[action]
    form = step.form(request.POST or None, **_form_kwargs(page, action))
    if request.method == "POST" and verdict and form.is_valid():
        try:
            step.run(request.user, contract, dict(form.cleaned_data))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, step.done)
            return redirect("contract-detail", contract_id=contract.pk)
    return render(request, "contracts/action.html", {
        "form": form, "contract": contract, "pupil": contract.pupil, "title": step.title,
        "caption": f"{contract.pupil.full_name}, {contract.get_kind_display().lower()}",
        "submit": step.submit, "verdict": verdict, "fields_template": step.fields_template,
        "ladder_source": cite(BEDFORDSHIRE, "§9"),
        "order_readiness": services.order_readiness(contract, today=timezone.localdate())
        if action == "escalate" else None,
        "pack_source": cite(BEDFORDSHIRE, "§12"),
        "back": reverse("contract-detail", args=[contract.pk]),
    })


@require_GET
def contract_pdf(request, contract_id: int):
    letter = selectors.signed_contract(request.user, contract_id=contract_id)
    letter_views.record_letter_opened(request, letter)
    return letter_views.pdf_response(bytes(letter.pdf), f"contract-{contract_id}.pdf",
                                     attachment=True)


def contract_eligible_list(request):
    case_views.require_name_access(request)
    today = timezone.localdate()
    eligible = selectors.contract_eligible_for(request.user, today=today)
    page = Paginator(eligible.pupils, 50).get_page(request.GET.get("page"))
    may_write = case_selectors.schools_recordable_by(request.user).exists()
    return render(request, "contracts/eligible.html", {
        "page": page, "today": today, "may_write": may_write, "eligible": eligible,
    })


def invitations_new(request):
    """Invite the parents of every pupil eligible for a behaviour contract, in the user's
    recordable scope, to a contract meeting: one offer each, issued in the background."""
    kind = LetterKind.CONTRACT_INVITATION
    eligible = selectors.contract_eligible_for(request.user, today=timezone.localdate())
    pupils = list(eligible.pupils.filter(
        school__in=case_selectors.schools_recordable_by(request.user)))
    if not pupils:
        raise PermissionDenied("There is no pupil in your schools to write to.")
    form = forms.InvitationsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = letter_services.batch_request(
            actor=request.user, kind=kind, pupils=pupils, facts=form.facts(),
            method=form.cleaned_data["method"],
        )
        return redirect("letter-batch-detail", batch_id=batch.pk)
    return render(request, "contracts/invitations_form.html", {
        "form": form, "pupils": pupils, "eligible": eligible, "kind": LetterKind(kind),
    })


@require_POST
def notification_acknowledge(request, notification_id: int):
    notification = selectors.notification_for(request.user, notification_id=notification_id)
    services.notification_acknowledge(actor=request.user, notification=notification)
    messages.success(request, "Noted")
    return redirect("la-queue")
