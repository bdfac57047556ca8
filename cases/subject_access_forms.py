"""The subject access request page's forms: whose data, then when the request came, whose
names to redact and what to leave out."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .forms import GovukDateField
from .subject_access import Held

GDPR_BEGAN = date(2018, 5, 25)


class WhoseDataForm(forms.Form):
    """Sent by GET: choosing whose data changes what the next step lists."""

    who = forms.ChoiceField(label="Whose information is asked for?", widget=forms.RadioSelect,
                            error_messages={"required": "Select whose information is asked for",
                                            "invalid_choice": "Select whose information is "
                                                              "asked for"})
    received_on = GovukDateField(
        name="the date the request was received", label="When was the request received?",
        help_text="The answer is due one month later. For example, 27 3 2026")

    def __init__(self, data, *, pupil, parents):
        super().__init__(data)
        self.fields["who"].choices = [("pupil", f"{pupil.full_name}, the pupil")] + [
            (f"parent-{parent.pk}", f"{parent.full_name}, parent or carer")
            for parent in parents]

    def clean_received_on(self) -> date:
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise ValidationError("The date the request was received must be today or in the "
                                  "past")
        if received_on < GDPR_BEGAN:
            raise ValidationError("The date the request was received must be on or after "
                                  "25 May 2018, when the GDPR began to apply")
        return received_on


class SubjectAccessForm(forms.Form):
    redacted = forms.MultipleChoiceField(
        label="Names to redact", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Each ticked name is replaced by “[redacted]” wherever Pact wrote it, in the "
                  "summary and the data file.",
        error_messages={"invalid_choice": "Select names from the list"})
    left_out = forms.MultipleChoiceField(
        label="Letters and documents to leave out", required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Letters and documents are included exactly as stored and cannot be "
                  "redacted: leave out any that cannot be given as they are, and give an "
                  "edited copy separately.",
        error_messages={"invalid_choice": "Select letters and documents from the list"})

    def __init__(self, data, *, held: Held):
        super().__init__(data, initial={"redacted": [p.key for p in held.people if p.ticked]})
        self.fields["redacted"].choices = [(p.key, f"{p.name} ({p.why})") for p in held.people]
        self.fields["left_out"].choices = [
            (f.key, f"{f.kind}: {f.title}, {f.dated:%-d %B %Y}") for f in held.files]
