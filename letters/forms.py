from django import forms

from cases.forms import GovukDateField

from . import kinds
from .models import LetterLanguage, Method


def method_field(label: str = "How the letter will be sent") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Method.choices, widget=forms.RadioSelect,
                             initial=Method.POST)


def _fact_field(spec: kinds.Fact) -> forms.Field:
    if spec.type == "date":
        return GovukDateField(
            name=spec.label[:1].lower() + spec.label[1:], label=spec.label,
            required=spec.required, help_text=spec.hint,
        )
    widget = forms.Textarea(attrs={"rows": 4}) if spec.type != "text" else None
    return forms.CharField(
        label=spec.label, required=spec.required, help_text=spec.hint, widget=widget,
        max_length=kinds.TYPED_LIMITS[spec.type],
        error_messages={"required": f"Enter {spec.label[:1].lower() + spec.label[1:]}"},
    )


class FactsForm(forms.Form):
    """The facts a kind of letter states (letters.kinds.FACTS)."""

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for spec in kinds.FACTS[kind]:
            self.fields[spec.name] = _fact_field(spec)

    def facts(self) -> dict:
        return {spec.name: self.cleaned_data.get(spec.name) for spec in kinds.FACTS[self.kind]}


class LetterForm(FactsForm):
    recipients = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="To",
        error_messages={"required": "Select who the letter is to"},
    )
    language = forms.ChoiceField(choices=LetterLanguage.choices, widget=forms.RadioSelect)
    method = method_field("How it will be sent")

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = parents
        self.fields["recipients"].label_from_instance = lambda p: (
            f"{p.full_name}{', ' + p.postcode if p.postcode else ''}"
        )
        self.order_fields(["recipients", "language", "method"])


class TemplateForm(forms.Form):
    body = forms.CharField(
        label="Wording", widget=forms.Textarea(attrs={"rows": 24}), max_length=50_000,
        error_messages={"required": "Enter the wording of the letter"},
        help_text="HTML paragraphs and headings, with {{ fields }} and {% if %} or {% for %}. "
        "No images, links, styles or other templates.",
    )


class BatchForm(FactsForm):
    method = method_field("How they will be sent")
