from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.forms import GovukDateField
from cases.models import TimelineEvent
from letters.models import Method

from . import rules
from .models import ContactKind, Numbering, Outcome, PanelDecision, Strength

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label, *, required=True, rows=None, help_text="", max_length=None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, required=required, widget=widget, help_text=help_text,
        max_length=max_length or (4000 if rows else 200),
        error_messages={"required": f"Enter {label[:1].lower() + label[1:]}"},
    )


def _yes_no(label, *, message):
    return forms.TypedChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect,
                                  coerce=lambda value: value == "yes",
                                  error_messages={"required": message})


def _method():
    return forms.ChoiceField(label="How the letter will be sent", choices=Method.choices,
                             widget=forms.RadioSelect, initial=Method.POST)


class TimeField(forms.CharField):
    """A time of day typed as 14:30 (or 2:30pm)."""

    def __init__(self, *, name: str, **kwargs):
        self.name_in_errors = name
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("widget", forms.TextInput(attrs={"width": "5"}))
        kwargs.setdefault("help_text", "For example 14:30")
        super().__init__(error_messages={"required": f"Enter {name}"}, **kwargs)

    def clean(self, value):
        text = super().clean(value).strip().lower().replace(".", ":")
        if not text:
            return None
        for pattern in ("%H:%M", "%I:%M%p", "%I%p", "%H%M"):
            try:
                return datetime.strptime(text.replace(" ", ""), pattern).time()
            except ValueError:
                continue
        raise ValidationError(f"Enter {self.name_in_errors} as a time, like 14:30")


def _moment(day, at: time | None):
    return timezone.make_aware(datetime.combine(day, at)) if day and at else None


class RequestForm(forms.Form):
    parents = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple,
        label="The parents or carers the order would be against",
        error_messages={"required": "Select the parents or carers the order would be against"})
    reasons = _text("Why the school asks the LA to apply for a parenting order", rows=6,
                    help_text="The exclusions, the contract and its breaches, the support "
                              "offered and the parent's response")
    parenting_factor = _text("How parenting is a factor in the behaviour", rows=4,
                             required=False,
                             help_text="The protocol asks the school to say how (Bedfordshire "
                                       "protocol (2007) §12)")

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parents"].queryset = parents


class ConfirmForm(forms.Form):
    pass


class FinalWarningForm(forms.Form):
    summary = _text("The exclusions, breaches and support so far", rows=6)
    reply_by = GovukDateField(name="the date to reply by", label="Please reply by")
    method = _method()


class PackForm(forms.Form):
    numbering = forms.ChoiceField(
        label="How the pages are numbered", choices=Numbering.choices,
        widget=forms.RadioSelect, initial=Numbering.SECTIONS,
        help_text="One scheme for the whole pack, as a court bundle has")
    left_out_documents = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Documents to leave out",
        help_text="The pack records what was left out")
    withheld_names = _text(
        "Third parties' names to withhold", rows=3, required=False,
        help_text="One a line. Wherever Pact writes them (the chronology, meetings, the "
                  "summary) they read \"[name withheld]\"; letters and documents are included "
                  "as they are, so leave out any that name them")
    chronology_kinds_left_out = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
        label="Kinds of event to leave out of the chronology",
        help_text="Practice Direction 27A keeps a chronology to 10 pages")

    def __init__(self, *args, documents, event_kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_out_documents"].queryset = documents
        self.fields["left_out_documents"].label_from_instance = (
            lambda d: f"{d.title} ({d.get_category_display().lower()}, "
                      f"{d.uploaded_at:%-d %b %Y})")
        self.fields["chronology_kinds_left_out"].choices = [
            (kind, TimelineEvent.Kind(kind).label) for kind in event_kinds]

    def clean(self):
        data = super().clean()
        data["left_out_documents"] = [d.pk for d in data.get("left_out_documents") or []]
        data["withheld_names"] = (data.get("withheld_names") or "").splitlines()
        return data


class ViewForm(forms.Form):
    view = _text("Your view of the case, for the panel", rows=8)


class DecisionForm(forms.Form):
    held_on = GovukDateField(name="the date the panel met", label="Date the panel met")
    members = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Who sat on the panel",
        error_messages={"required": "Select who sat on the panel"})
    other_members = _text("Others who sat", rows=2, required=False,
                          help_text="One a line: name, role")
    programme_available = _yes_no(
        "Is a parenting programme open to the parent?",
        message="Select whether a parenting programme is open to the parent")
    programme = forms.ModelChoiceField(queryset=None, required=False,
                                       label="Which programme (if any)")
    decision = forms.ChoiceField(label="The panel's decision", choices=PanelDecision.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Select the panel's decision"})
    reasons = _text("The panel's reasons", rows=6)

    def __init__(self, *args, members, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["programme"].queryset = programmes
        for key, label in rules.ORDER_EVIDENCE.items():
            self.fields[f"strength_{key}"] = forms.ChoiceField(
                label=f"Strength of {label}", choices=Strength.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select the strength of {label}"})

    def clean(self):
        data = super().clean()
        data["strength"] = {key: data.pop(f"strength_{key}") for key in rules.ORDER_EVIDENCE
                            if data.get(f"strength_{key}")}
        return data


class ApplyForm(forms.Form):
    court = _text("The magistrates' court", help_text="For example, Ashford Magistrates' Court")
    applied_on = GovukDateField(name="the date of the application",
                                label="Date of the application")


class HearingForm(forms.Form):
    hearing_on = GovukDateField(name="the date of the hearing", label="Date of the hearing")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="The court's decision", choices=Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select the court's decision"})
    decided_on = GovukDateField(name="the date of the decision", label="Date of the decision")
    reasons = _text("Notes on the decision", rows=3, required=False)
    made_at_time = TimeField(name="the time the order was made", required=False,
                             label="Time the order was made")
    programme = forms.ModelChoiceField(queryset=None, required=False,
                                       label="Parenting programme the order requires")
    programme_ends_on = GovukDateField(name="the programme's end date", required=False,
                                       label="The programme ends on")
    requirements = _text("Other requirements of the order", rows=4, required=False)
    requirements_end_on = GovukDateField(name="the requirements' end date", required=False,
                                         label="The other requirements end on")
    responsible_officer = forms.ModelChoiceField(
        queryset=None, required=False, label="Responsible officer named in the order")
    next_hearing_on = GovukDateField(name="the date of the adjourned hearing", required=False,
                                     label="Adjourned to")

    REVEALS = {Outcome.MADE: ("made_at_time", "programme", "programme_ends_on",
                              "requirements", "requirements_end_on", "responsible_officer"),
               Outcome.ADJOURNED: ("next_hearing_on",)}

    def __init__(self, *args, programmes, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["responsible_officer"].queryset = officers
        self.fields["responsible_officer"].label_from_instance = (
            lambda u: u.get_full_name() or u.username)

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        for other, names in self.REVEALS.items():
            if other != outcome:
                for name in names:
                    data[name] = None if name != "requirements" else ""
        return data


class ReasonsForm(forms.Form):
    reasons = _text("Reasons", rows=5)


class MomentForm(forms.Form):
    """A date and a time, checked together."""

    def moment(self, day_field: str, time_field: str):
        return _moment(self.cleaned_data.get(day_field), self.cleaned_data.get(time_field))


class RoMeetingForm(MomentForm):
    met_on = GovukDateField(name="the date of the meeting", label="Date of the meeting")
    met_time = TimeField(name="the time of the meeting", label="Time of the meeting")
    parent_took_part = _yes_no("Did the parent attend?",
                               message="Select yes if the parent attended")
    notes = _text("What was explained and agreed", rows=5,
                  help_text="Monitoring, the consequences of not complying, the programme, "
                            "review and contact arrangements")

    def clean(self):
        data = super().clean()
        data["met_at"] = self.moment("met_on", "met_time")
        for name in ("met_on", "met_time"):
            data.pop(name, None)
        return data


class RoConfirmationForm(forms.Form):
    monitoring = _text("How the order will be monitored", rows=4)
    programme = _text("The parenting programme: provider, dates and place", rows=4)
    review_contact = _text("Review and contact arrangements", rows=4)
    method = _method()


class ContactForm(MomentForm):
    kind = forms.ChoiceField(label="What it was", choices=ContactKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what it was"})
    occurred_on = GovukDateField(name="the date", label="Date")
    occurred_time = TimeField(name="the time", label="Time")
    parent_took_part = _yes_no("Did the parent take part?",
                               message="Select yes if the parent took part")
    notes = _text("What happened", rows=4)

    def clean(self):
        data = super().clean()
        data["occurred_at"] = self.moment("occurred_on", "occurred_time")
        for name in ("occurred_on", "occurred_time"):
            data.pop(name, None)
        return data


class AttendanceForm(forms.Form):
    session_on = GovukDateField(name="the date of the session", label="Date of the session")
    attended = _yes_no("Did the parent attend?", message="Select yes if the parent attended")
    notes = _text("Notes", rows=3, required=False)


class BreachForm(forms.Form):
    occurred_on = GovukDateField(name="the date of the breach", label="Date of the breach")
    description = _text("What the parent did not do", rows=4)


class BreachDecisionForm(forms.Form):
    proceed = _yes_no("Does the legal panel bring breach proceedings?",
                      message="Select whether the panel brings breach proceedings")
    court = _text("The court (if proceedings are brought)", required=False)
    reasons = _text("The panel's reasons", rows=4)


class BreachOutcomeForm(forms.Form):
    decided_on = GovukDateField(name="the date of the decision", label="Date of the decision")
    outcome = _text("What the court decided", rows=3,
                    help_text="For example, a fine of £200. A breach can be fined up to level "
                              "3 on the standard scale (£1,000)")


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", "Any")],
                              error_messages={"invalid_choice": "Select a state from the list"})

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any"), *states]
