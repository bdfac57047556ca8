from django import forms

from cases.forms import GovukDateField, text_field, yes_no
from letters.forms import BatchForm as LetterFactsWithMethod
from letters.forms import method_field
from letters.models import LetterKind, Method

from .models import (
    AlternativeCourse,
    Consent,
    ContactKind,
    Contract,
    ContractKind,
    Decision,
    State,
)


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


def _content(name: str, *, rows: int | None = 3) -> forms.Field:
    """A part of the contract, labelled as the model (and the letter) names it."""
    field = Contract._meta.get_field(name)
    return text_field(str(field.verbose_name), required=False, rows=rows,
                 help_text=str(field.help_text), max_length=field.max_length)


def _content_date(name: str, hint: str = "") -> GovukDateField:
    label = str(Contract._meta.get_field(name).verbose_name)
    return GovukDateField(name=f"the {label.lower()}", label=label, required=False,
                          help_text=hint)


class ContentForm(forms.Form):
    """Every part of the contract: for a behaviour contract, each section of the Bedfordshire
    protocol's model contract (Appendix 3), in its order; for an attendance contract, what the
    Nottinghamshire guidance asks for."""

    concerns = _content("concerns")
    aims = _content("aims")
    parent_involvement = _content("parent_involvement")
    obstacles = _content("obstacles")
    overcoming = _content("overcoming")
    pupil_help = _content("pupil_help")
    school_help = _content("school_help")
    objectives = _content("objectives", rows=4)
    support = _content("support", rows=4)
    parent_requirements = _content("parent_requirements", rows=4)
    pupil_commitments = _content("pupil_commitments")
    support_services = _content("support_services")
    link_professional = _content("link_professional", rows=None)
    link_professional_position = _content("link_professional_position", rows=None)
    lead_practitioner = _content("lead_practitioner", rows=None)
    starts_on = _content_date("starts_on")
    review_on = _content_date("review_on")
    ends_on = _content_date("ends_on", hint="Usually between 3 and 12 months after the start")
    next_meeting = _content("next_meeting", rows=None)
    other_dates = _content("other_dates")
    additional_contacts = _content("additional_contacts")
    translation = _content("translation", rows=None)
    copies_to = _content("copies_to")
    revision = forms.IntegerField(widget=forms.HiddenInput)

    BEHAVIOUR_SECTIONS = (
        ("Why, and what we want to achieve",
         ("concerns", "aims", "parent_involvement", "obstacles", "overcoming")),
        ("What would help", ("help", "pupil_help", "school_help")),
        ("Objectives and agreements",
         ("objectives", "support", "parent_requirements", "pupil_commitments")),
        ("Who is involved",
         ("support_services", "link_professional", "link_professional_position")),
        ("Important dates and contact details",
         ("starts_on", "review_on", "ends_on", "next_meeting", "other_dates",
          "additional_contacts")),
        ("Copies and translation", ("translation", "copies_to")),
    )
    ATTENDANCE_SECTIONS = (
        ("The contract", ("parent_requirements", "support", "lead_practitioner")),
        ("Dates", ("starts_on", "review_on", "ends_on")),
        ("Copies and translation", ("translation", "copies_to")),
    )

    def __init__(self, *args, kind: str, parents, **kwargs):
        initial = kwargs.setdefault("initial", {})
        help_by_parent = initial.pop("help_by_parent", None) or {}
        for parent in parents:
            initial[f"help_{parent.pk}"] = help_by_parent.get(str(parent.pk), "")
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.parents = list(parents)
        self.help_fields = []
        for parent in self.parents:
            name = f"help_{parent.pk}"
            self.fields[name] = text_field(f"What {parent.full_name} would find helpful",
                                      required=False, rows=3)
            self.help_fields.append(name)
        layout = (self.BEHAVIOUR_SECTIONS if kind == ContractKind.BEHAVIOUR
                  else self.ATTENDANCE_SECTIONS)
        kept = {"revision", *(n for _, names in layout for n in names)}
        if kind == ContractKind.BEHAVIOUR:
            kept |= set(self.help_fields)
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]
        self.layout = layout

    @property
    def sections(self) -> list[tuple[str, list]]:
        def bound(name):
            return [self[n] for n in self.help_fields] if name == "help" else [self[name]]
        return [(title, [f for name in names for f in bound(name)])
                for title, names in self.layout]

    def clean(self):
        data = super().clean()
        texts = {str(p.pk): (data.pop(f"help_{p.pk}", None) or "").strip()
                 for p in self.parents}
        if self.kind == ContractKind.BEHAVIOUR:
            data["help_by_parent"] = {pk: text for pk, text in texts.items() if text}
        return data


class ConsultForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=None,
                                    error_messages={"required": "Select the agency"})
    consulted_on = GovukDateField(name="the date of the consultation", label="Consulted on")
    views = text_field("What the agency said", rows=4)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label="What it was", choices=ContactKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what it was"})
    occurred_on = GovukDateField(name="the date", label="Date")
    parent_took_part = yes_no("Did the parent attend or answer?",
                              message="Select yes if the parent attended or answered")
    notes = text_field("What was said, or what happened", rows=4)


class OfferForm(LetterFactsWithMethod):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, kind=LetterKind.CONTRACT_INVITATION, **kwargs)


# Many invitations at once ask for the same facts as one.
InvitationsForm = OfferForm


CONSENT_AT_SIGNING = [(Consent.GIVEN, "Yes, agrees"), (Consent.REFUSED, "No, does not agree")]


class SignForm(forms.Form):
    signatures = text_field(
        "Who signed", rows=3,
        help_text="One a line: name, then role. For example: Ama Mensah, parent",
    )
    method = method_field()

    def __init__(self, *args, parents, consents, **kwargs):
        super().__init__(*args, **kwargs)
        self.parents = list(parents)
        for parent in self.parents:
            current = consents.get(parent.pk)
            self.fields[f"consent_{parent.pk}"] = forms.ChoiceField(
                label=f"Does {parent.full_name} agree to the information in the contract being "
                "shared with the local authority and the services named in it?",
                help_text="Signing is not consent: record what they said. Sharing to keep a "
                "child safe, and telling the LA the contract's date, do not need consent.",
                choices=CONSENT_AT_SIGNING, widget=forms.RadioSelect,
                initial=current if current in {Consent.GIVEN, Consent.REFUSED} else None,
                error_messages={"required": f"Select whether {parent.full_name} agrees to "
                                            "information being shared"},
            )

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

    def clean(self):
        data = super().clean()
        data["consents"] = {p.pk: data.pop(f"consent_{p.pk}") for p in self.parents
                            if data.get(f"consent_{p.pk}")}
        return data


class ConsentForm(forms.Form):
    parent = forms.ModelChoiceField(
        queryset=None, widget=forms.RadioSelect, label="Whose decision",
        error_messages={"required": "Select the parent or carer whose decision it is"},
    )
    decision = forms.ChoiceField(
        label="Their decision about sharing the contract's information",
        choices=Consent.choices, widget=forms.RadioSelect,
        help_text="Consent can be withdrawn only after it was given.",
        error_messages={"required": "Select their decision"},
    )
    decided_on = GovukDateField(name="the date of the decision", label="Date of the decision")
    notes = text_field("Notes", required=False, rows=3,
                  help_text="For example, how the decision was given: in writing, at a meeting")

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class ReasonsForm(forms.Form):
    reasons = text_field("Reasons", rows=5)


class BreachForm(forms.Form):
    """A breach and the lead's decision on it. Only the decisions the ladder allows now are
    offered; the letter's details are asked for only with the decision that sends one, and a
    further exclusion only with a further breach."""

    occurred_on = GovukDateField(name="the date of the breach", label="Date of the breach")
    description = text_field("What was not done", rows=3)
    explanation = text_field("The parent's explanation", rows=3, required=False,
                        help_text="Ask the parent for an explanation before deciding")
    decision = forms.ChoiceField(
        widget=forms.RadioSelect, label="Your decision",
        error_messages={"required": "Select your decision",
                        "invalid_choice": "Select one of the decisions available now"},
    )
    reply_by = GovukDateField(name="the date to reply by", label="Reply by", required=False,
                              help_text="The date the warning letter asks the parent to "
                              "reply by")
    method = forms.ChoiceField(label="How the letter will be sent", choices=Method.choices,
                               widget=forms.RadioSelect, required=False, initial=Method.POST)
    exclusion = forms.ModelChoiceField(
        queryset=None, required=False, label="The further exclusion that came with it",
        empty_label="No further exclusion",
        help_text="Exclusions recorded since the formal warning",
    )

    # Which fields belong to which decision: shown with it, ignored with any other.
    REVEALS = {Decision.UNSATISFACTORY: ("reply_by", "method"),
               Decision.FURTHER: ("exclusion",)}

    def __init__(self, *args, decisions, exclusions, **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions = decisions
        self.fields["decision"].choices = [
            (value, label) for value, label in Decision.choices if decisions[value]]
        self.fields["exclusion"].queryset = exclusions
        self.fields["exclusion"].label_from_instance = str

    @property
    def decision_options(self) -> list[dict]:
        """Each decision: allowed ones with the fields they reveal, the others with why."""
        chosen = self["decision"].value()
        options, radios = [], 0
        for value, label in Decision.choices:
            allowed = bool(self.decisions[value])
            options.append({
                "value": value, "label": label, "why": " ".join(self.decisions[value].reasons),
                "allowed": allowed, "checked": chosen == value,
                # The first radio carries the id the error summary links to.
                "id": f"{self['decision'].auto_id}_{radios}",
                "fields": [self[name] for name in self.REVEALS.get(value, ())],
            })
            radios += allowed
        return options

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == Decision.UNSATISFACTORY:
            if not data.get("reply_by") and "reply_by" not in self.errors:
                self.add_error("reply_by", "Enter the date the parent should reply by")
            if not data.get("method"):
                self.add_error("method", "Select how the letter will be sent")
        for other, names in self.REVEALS.items():
            if other != decision:
                for name in names:
                    data[name] = None
        data["method"] = data.get("method") or Method.POST
        return data


class AmendForm(forms.Form):
    review_on = GovukDateField(name="the next review date", label="Next review date")
    summary = text_field("What changed at the review", rows=4)


class TerminateForm(forms.Form):
    reasons = text_field("The decision and its reasons", rows=5)
    alternative_course = forms.ChoiceField(
        label="What happens instead", choices=AlternativeCourse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happens instead"},
    )


class ConfirmForm(forms.Form):
    pass


class ContractFilterForm(forms.Form):
    """The contracts list's filters. A value that is not one of the choices is said to be
    wrong, and that filter left off."""

    state = forms.ChoiceField(
        required=False, choices=[("", "Any"), *State.choices],
        error_messages={"invalid_choice": "Select a state from the list"})
    school = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any",
        error_messages={"invalid_choice": "Select a school from the list"})
    review = forms.ChoiceField(
        required=False, choices=[("", "Any time"), ("due", "Review due in 14 days or overdue")],
        error_messages={"invalid_choice": "Select when the review is due from the list"})

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def filters(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}
