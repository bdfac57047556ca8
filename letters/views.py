from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases import selectors as case_selectors
from cases.access_log import What, access_record

from . import kinds, selectors, services
from .forms import LetterForm, TemplateForm
from .models import LetterKind, LetterLanguage

# The preview shows the letter's own HTML in a sandboxed frame; its policy lets it load the
# letters' stylesheet and nothing else, whatever a template contains.
PREVIEW_HEAD = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    'style-src \'self\' \'unsafe-inline\'">'
    '<base href="/static/letters/">'
)


def _pupil_to_write_for(request, pupil_id: int):
    pupil = case_selectors.pupil_for_recording(request.user, pupil_id=pupil_id)
    if not case_selectors.user_may_record_for(request.user, school=pupil.school):
        raise PermissionDenied("Your role can read this case but not write letters on it.")
    return pupil


def pdf_response(pdf: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    """A PDF as a download, or shown in the browser (the preview), never cached."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    if not attachment:
        # The browser's own PDF viewer shows it: the site's policy (no plugins, no objects)
        # would leave the preview blank. The PDF is Pact's own rendering of the letter.
        response._csp_exempt = True
    return response


def letter_kinds(request, pupil_id: int):
    pupil = _pupil_to_write_for(request, pupil_id)
    letter_kinds = [
        (value, label, kinds.STEP_REASONS.get(kinds.STEP_LETTERS.get(value), ""))
        for value, label in LetterKind.choices
    ]
    return render(request, "letters/kinds.html", {"pupil": pupil, "kinds": letter_kinds})


def letter_new(request, pupil_id: int, kind: str):
    if kind not in LetterKind.values:
        raise Http404("No such kind of letter")
    pupil = _pupil_to_write_for(request, pupil_id)
    if kind in kinds.STEP_LETTERS:
        raise PermissionDenied(kinds.STEP_REASONS[kinds.STEP_LETTERS[kind]])
    parents = case_selectors.parents_of(pupil)
    household = services.household_of(pupil)
    form = LetterForm(
        request.POST or None, kind=kind, parents=parents,
        initial={"recipients": household,
                 "language": services.language_for(pupil, household)},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        draft = services.Draft(
            pupil=pupil, kind=kind, language=form.cleaned_data["language"],
            recipients=list(form.cleaned_data["recipients"]),
            method=form.cleaned_data["method"], facts=form.facts(),
        )
        action = request.POST.get("action")
        try:
            if action == "issue":
                letter = services.letter_issue(actor=request.user, draft=draft)
                messages.success(request, f"{letter.get_kind_display()} issued and kept with "
                                          f"its SHA-256 fingerprint")
                return redirect("pupil-detail", pupil_id=pupil.pk)
            composed = services.compose(actor=request.user, draft=draft)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if action == "preview-pdf":
                return pdf_response(composed.rendered.pdf, "preview.pdf", attachment=False)
            preview = composed.rendered.html.replace("<head>", "<head>" + PREVIEW_HEAD, 1)
            if composed.rendered.refused:
                form.add_error(None, "Pact did not load: " + ", ".join(composed.rendered.refused))
    return render(request, "letters/letter_form.html", {
        "pupil": pupil, "form": form, "kind": LetterKind(kind), "preview": preview,
        "has_parents": bool(parents),
    })


def record_letter_opened(request, letter) -> None:
    access_record(request, what=What.LETTER,
                  label=f"Letter {letter.pk}: {letter.get_kind_display()}",
                  pupil_id=letter.pupil_id, school_id=letter.school_id,
                  local_authority_id=letter.school.local_authority_id)


@require_GET
def letter_download(request, pupil_id: int, letter_id: int):
    letter = selectors.letter_for_download(request.user, pupil_id=pupil_id, letter_id=letter_id)
    record_letter_opened(request, letter)
    filename = f"{letter.kind}-{letter.issued_at:%Y-%m-%d}-{letter.pk}.pdf"
    return pdf_response(bytes(letter.pdf), filename, attachment=True)


def template_list(request):
    owners = selectors.template_owners_for(request.user)
    if not owners:
        raise PermissionDenied("Only headteachers (for their school) and LA admins (for their "
                               "LA) change the wording of letters.")
    return render(request, "letters/template_list.html", {
        "owners": [(owner, owner._meta.model_name) for owner in owners],
        "kinds": LetterKind.choices,
        "languages": [LetterLanguage.ENGLISH, LetterLanguage.WELSH],
    })


def template_edit(request, owner_type: str, owner_id: int, kind: str, language: str):
    if kind not in LetterKind.values or language not in {"en", "cy"}:
        raise Http404("No such letter")
    owner = selectors.owner_for(request.user, owner_type=owner_type, owner_id=owner_id)
    versions = list(selectors.template_versions(owner=owner, kind=kind, language=language))
    current = versions[0].body if versions else selectors.builtin_body(
        kind=kind, language=language)
    form = TemplateForm(request.POST or None, initial={"body": current})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.template_save(
                actor=request.user, kind=kind, language=language, organisation=owner,
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Version {saved.version} saved. Letters issued from now "
                                      f"on use it; letters already issued are unchanged.")
            return redirect("letter-template-list")
    return render(request, "letters/template_form.html", {
        "form": form, "owner": owner, "kind": LetterKind(kind),
        "language": LetterLanguage(language), "versions": versions,
    })


def batch_detail(request, batch_id: int):
    progress = selectors.batch_progress(request.user, batch_id=batch_id)
    return render(request, "letters/batch_detail.html", {
        "progress": progress, "batch": progress.batch,
        "back": reverse("contract-eligible-list"),
    })
