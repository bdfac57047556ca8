from django import forms

from cases.forms import GovukDateField
from letters.forms import BatchForm as LetterFactsWithMethod
from letters.models import LetterKind, Method

from .models import AlternativeCourse, ContactKind, ContractKind, Decision

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label, *, required=True, rows=None, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, required=required, widget=widget, help_text=help_text,
        max_length=4000 if rows else 300,
        error_messages={"required": f"Enter {label[:1].lower() + label[1:]}"},
    )


def _method():
    return forms.ChoiceField(label="How the letter will be sent", choices=Method.choices,
                             widget=forms.RadioSelect, initial=Method.POST)


class StartForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of contract", choices=ContractKind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the type of contract"},
    )
    parents = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="With",
        error_messages={"required": "Select the parents or carers the contract is with"},
    )

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parents"].queryset = parents


class ContentForm(forms.Form):
    concerns = _text("Reasons for the contract: the areas of concern", required=False, rows=3)
    aims = _text("What we are trying to achieve", required=False, rows=3)
    parent_help = _text("What the parents would find helpful", required=False, rows=3)
    pupil_help = _text("What the pupil would find helpful", required=False, rows=3)
    school_help = _text("What the school and other agencies would find helpful",
                        required=False, rows=3)
    objectives = _text("Objectives", required=False, rows=4,
                       help_text="One a line: what we want to happen; how; who will do it")
    support = _text("What the school (or LA) will do to support the parents", required=False,
                    rows=4, help_text="One a line")
    parent_requirements = _text("What the parents agree to do", required=False, rows=4,
                                help_text="One a line")
    pupil_commitments = _text("What the pupil agrees to do", required=False, rows=3,
                              help_text="One a line, as suits the pupil's age")
    lead_practitioner = _text("Lead practitioner (attendance contracts)", required=False)
    starts_on = GovukDateField(name="the start date", label="Start date", required=False)
    review_on = GovukDateField(name="the review date", label="Review date", required=False)
    ends_on = GovukDateField(name="the end date", label="End date", required=False,
                             help_text="Usually between 3 and 12 months after the start")
    consent_to_share = forms.BooleanField(
        required=False, label="The parents consent to information being shared with the "
        "agencies named")
    translation = _text("Translation provided, if any", required=False,
                        help_text="The language, if the contract was translated")
    copies_to = _text("Copies given to", required=False, rows=3, help_text="One party a line")
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind == ContractKind.ATTENDANCE:
            for name in ("concerns", "aims", "parent_help", "pupil_help", "school_help",
                         "objectives", "pupil_commitments"):
                del self.fields[name]
        else:
            del self.fields["lead_practitioner"]


class ConsultForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=None,
                                    error_messages={"required": "Select the agency"})
    consulted_on = GovukDateField(name="the date of the consultation", label="Consulted on")
    views = _text("What the agency said", rows=4)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label="What it was", choices=ContactKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what it was"})
    occurred_on = GovukDateField(name="the date", label="Date")
    parent_took_part = forms.ChoiceField(
        label="Did the parent attend or answer?", choices=YES_NO, widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the parent attended or answered"},
    )
    notes = _text("What was said, or what happened", rows=4)

    def clean_parent_took_part(self):
        return self.cleaned_data["parent_took_part"] == "yes"


class OfferForm(LetterFactsWithMethod):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, kind=LetterKind.CONTRACT_INVITATION, **kwargs)


class SignForm(forms.Form):
    signatures = _text(
        "Who signed", rows=3,
        help_text="One a line: name, then role. For example: Ama Mensah, parent",
    )
    method = _method()

    def clean_signatures(self):
        rows = []
        for line in self.cleaned_data["signatures"].splitlines():
            if not line.strip():
                continue
            name, _, role = line.partition(",")
            if not role.strip():
                raise forms.ValidationError(
                    f"Give the role of {name.strip()} after a comma, for example: "
                    f"{name.strip()}, parent")
            rows.append({"name": name.strip(), "role": role.strip()})
        return rows


class ReasonsForm(forms.Form):
    reasons = _text("Reasons", rows=5)


class BreachForm(forms.Form):
    occurred_on = GovukDateField(name="the date of the breach", label="Date of the breach")
    description = _text("What was not done", rows=3)
    explanation = _text("The parent's explanation", rows=3, required=False,
                        help_text="Ask the parent for an explanation before deciding")
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect,
                                 label="Your decision",
                                 error_messages={"required": "Select your decision"})
    exclusion = forms.ModelChoiceField(
        queryset=None, required=False, label="A further exclusion that came with it (if any)",
    )
    reply_by = GovukDateField(name="the date to reply by", label="For a warning: reply by",
                              required=False)
    method = _method()

    def __init__(self, *args, exclusions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exclusion"].queryset = exclusions


class AmendForm(forms.Form):
    review_on = GovukDateField(name="the next review date", label="Next review date")
    summary = _text("What changed at the review", rows=4)


class TerminateForm(forms.Form):
    reasons = _text("The decision and its reasons", rows=5)
    alternative_course = forms.ChoiceField(
        label="What happens instead", choices=AlternativeCourse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happens instead"},
    )


class ConfirmForm(forms.Form):
    pass
