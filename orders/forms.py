from datetime import datetime

from django import forms
from django.utils import timezone

from cases.forms import GovukDateField, TimeField, text_field, yes_no
from cases.models import TimelineEvent
from letters.forms import method_field

from . import rules
from .models import ContactKind, Numbering, Outcome, PanelDecision, Strength


class RequestForm(forms.Form):
    parents = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple,
        label="The parents or carers the order would be against",
        error_messages={"required": "Select the parents or carers the order would be against"})
    reasons = text_field("Why the school asks the LA to apply for a parenting order", rows=6,
                    help_text="The exclusions, the contract and its breaches, the support "
                              "offered and the parent's response")
    parenting_factor = text_field("How parenting is a factor in the behaviour", rows=4,
                             required=False,
                             help_text="The protocol asks the school to say how (Bedfordshire "
                                       "protocol (2007) §12)")

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parents"].queryset = parents


class ConfirmForm(forms.Form):
    pass


class FinalWarningForm(forms.Form):
    summary = text_field("The exclusions, breaches and support so far", rows=6)
    reply_by = GovukDateField(name="the date to reply by", label="Please reply by")
    method = method_field()


class PackForm(forms.Form):
    numbering = forms.ChoiceField(
        label="How the pages are numbered", choices=Numbering.choices,
        widget=forms.RadioSelect, initial=Numbering.SECTIONS,
        help_text="One scheme for the whole pack, as a court bundle has")
    left_out_documents = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Documents to leave out",
        help_text="The pack records what was left out")
    withheld_names = text_field(
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
    view = text_field("Your view of the case, for the panel", rows=8)


class DecisionForm(forms.Form):
    held_on = GovukDateField(name="the date the panel met", label="Date the panel met")
    members = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Who sat on the panel",
        error_messages={"required": "Select who sat on the panel"})
    other_members = text_field("Others who sat", rows=2, required=False,
                          help_text="One a line: name, role")
    programme_available = yes_no(
        "Is a parenting programme open to the parent?",
        message="Select whether a parenting programme is open to the parent")
    programme = forms.ModelChoiceField(queryset=None, required=False,
                                       label="Which programme (if any)")
    decision = forms.ChoiceField(label="The panel's decision", choices=PanelDecision.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Select the panel's decision"})
    reasons = text_field("The panel's reasons", rows=6)

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
    court = text_field("The magistrates' court", max_length=200,
                       help_text="For example, Ashford Magistrates' Court")
    applied_on = GovukDateField(name="the date of the application",
                                label="Date of the application")


class HearingForm(forms.Form):
    hearing_on = GovukDateField(name="the date of the hearing", label="Date of the hearing")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="The court's decision", choices=Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select the court's decision"})
    decided_on = GovukDateField(name="the date of the decision", label="Date of the decision")
    reasons = text_field("Notes on the decision", rows=3, required=False)
    made_at_time = TimeField(name="the time the order was made", required=False,
                             label="Time the order was made")
    programme = forms.ModelChoiceField(queryset=None, required=False,
                                       label="Parenting programme the order requires")
    programme_ends_on = GovukDateField(name="the programme's end date", required=False,
                                       label="The programme ends on")
    requirements = text_field("Other requirements of the order", rows=4, required=False)
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
    reasons = text_field("Reasons", rows=5)


class MomentForm(forms.Form):
    """A date and a time typed apart, handed on together: MOMENT names the result and the
    two fields it comes from."""

    MOMENT: tuple[str, str, str]  # (result, date field, time field)

    def clean(self):
        data = super().clean()
        result, day_field, time_field = self.MOMENT
        day, at = data.pop(day_field, None), data.pop(time_field, None)
        data[result] = timezone.make_aware(datetime.combine(day, at)) if day and at else None
        return data


class RoMeetingForm(MomentForm):
    MOMENT = ("met_at", "met_on", "met_time")
    met_on = GovukDateField(name="the date of the meeting", label="Date of the meeting")
    met_time = TimeField(name="the time of the meeting", label="Time of the meeting")
    parent_took_part = yes_no("Did the parent attend?",
                               message="Select yes if the parent attended")
    notes = text_field("What was explained and agreed", rows=5,
                  help_text="Monitoring, the consequences of not complying, the programme, "
                            "review and contact arrangements")


class RoConfirmationForm(forms.Form):
    monitoring = text_field("How the order will be monitored", rows=4)
    programme = text_field("The parenting programme: provider, dates and place", rows=4)
    review_contact = text_field("Review and contact arrangements", rows=4)
    method = method_field()


class ContactForm(MomentForm):
    MOMENT = ("occurred_at", "occurred_on", "occurred_time")
    kind = forms.ChoiceField(label="What it was", choices=ContactKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what it was"})
    occurred_on = GovukDateField(name="the date", label="Date")
    occurred_time = TimeField(name="the time", label="Time")
    parent_took_part = yes_no("Did the parent take part?",
                               message="Select yes if the parent took part")
    notes = text_field("What happened", rows=4)


class AttendanceForm(forms.Form):
    session_on = GovukDateField(name="the date of the session", label="Date of the session")
    attended = yes_no("Did the parent attend?", message="Select yes if the parent attended")
    notes = text_field("Notes", rows=3, required=False)


class BreachForm(forms.Form):
    occurred_on = GovukDateField(name="the date of the breach", label="Date of the breach")
    description = text_field("What the parent did not do", rows=4)


class BreachDecisionForm(forms.Form):
    proceed = yes_no("Does the legal panel bring breach proceedings?",
                      message="Select whether the panel brings breach proceedings")
    court = text_field("The court (if proceedings are brought)", required=False,
                       max_length=200)
    reasons = text_field("The panel's reasons", rows=4)


class BreachOutcomeForm(forms.Form):
    decided_on = GovukDateField(name="the date of the decision", label="Date of the decision")
    outcome = text_field("What the court decided", rows=3,
                    help_text="For example, a fine of £200. A breach can be fined up to level "
                              "3 on the standard scale (£1,000)")


def _whole_number(label: str, *, name: str, example: int, least: int, most: int, unit: str,
                  help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=least, max_value=most, help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "width": "3"}),
        error_messages={"required": f"Enter {name}",
                        "invalid": f"Enter {name} in figures, like {example}",
                        "min_value": f"Enter {least} or more {unit}s" if least != 1
                        else f"Enter at least 1 {unit}",
                        "max_value": f"Enter {most} {unit}s or fewer"})


class ProgrammeForm(forms.Form):
    local_authority = forms.ModelChoiceField(
        queryset=None, label="Whose catalogue", empty_label=None,
        error_messages={"required": "Select the LA whose catalogue this is",
                        "invalid_choice": "Select one of your LAs"})
    name = text_field("Name of the programme", max_length=160)
    provider = text_field("Who runs it", max_length=160)
    sessions = _whole_number("Number of sessions", name="the number of sessions", example=10,
                             least=1, most=100, unit="session")
    topics = text_field("What it covers", rows=3, required=False)
    places = _whole_number("Places available now", name="the places available now",
                           example=8, least=0, most=999, unit="place", help_text="0 if none")
    active = forms.BooleanField(label="Offered now: panels and courts can choose it",
                                required=False, initial=True)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].queryset = authorities
        if len(authorities) == 1:
            self.fields["local_authority"].widget = forms.HiddenInput()
            self.fields["local_authority"].initial = authorities[0].pk


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", "Any")],
                              error_messages={"invalid_choice": "Select a state from the list"})

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any"), *states]
