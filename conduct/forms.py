"""The forms of a conduct record. They check the shape of what was typed; the ladder's rules
and who may act live in conduct.rules and conduct.services."""

from datetime import datetime

from django import forms
from django.utils import timezone

from cases.forms import GovukDateField, TimeField, text_field, yes_no
from letters.forms import method_field

from .models import STANDARD_CONDITIONS, Affected, Category, Channel, Place
from .services import MAX_EVIDENCE_FILES, NewAdult


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several files chosen at once; none is fine."""

    def __init__(self, **kwargs):
        super().__init__(widget=MultipleFileInput(), required=False, **kwargs)

    def clean(self, data, initial=None):
        chosen = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(EvidenceFilesField, self).clean(upload, initial) for upload in chosen]


def _choices(field_label: str, choices, *, message: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=field_label, choices=choices,
                                     widget=forms.CheckboxSelectMultiple,
                                     error_messages={"required": message,
                                                     "invalid_choice": message})


def _radios(field_label: str, choices, *, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=field_label, choices=choices, widget=forms.RadioSelect,
                             error_messages={"required": message, "invalid_choice": message})


class IncidentForm(forms.Form):
    parents = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="The pupil's parents and carers involved")
    records = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Other adults already on record")
    other_title = text_field("Title (optional)", required=False, max_length=20)
    other_first_name = text_field("First name", required=False, max_length=80)
    other_last_name = text_field("Last name", required=False, max_length=80)
    other_connection = text_field("Their connection with the pupil", required=False,
                                  max_length=120, help_text="For example, mother's partner")
    other_address = text_field("Address (for letters)", rows=3, required=False,
                               max_length=500)
    other_postcode = text_field("Postcode", required=False, max_length=10)

    occurred_on = GovukDateField(name="the date of the incident", label="Date")
    occurred_time = TimeField(name="the time of the incident", label="Time")
    place = _radios("Where", Place.choices, message="Select where it happened")
    channel = _radios("How", Channel.choices, message="Select how the conduct reached us")
    categories = _choices("What the conduct was", Category.choices,
                          message="Select what the conduct was")
    description = text_field("What happened", rows=6,
                             help_text="Facts only: what was said or done, by whom, to whom")
    affected = forms.MultipleChoiceField(
        label="Who was affected", choices=Affected.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select who was affected from the list"})
    effect = text_field("Its effect on them", rows=3, required=False)
    witnesses = text_field("Witnesses", rows=2, required=False,
                           help_text="Names and roles, one a line")
    police_contacted = yes_no("Were the police contacted?",
                              message="Select yes if the police were contacted")
    police_reference = text_field("Police reference (if any)", required=False, max_length=60)
    safeguarding_referral = yes_no("Was a safeguarding referral made?",
                                   message="Select yes if a safeguarding referral was made")
    staff_support = text_field("Support offered to staff", rows=3, required=False,
                               help_text="A debrief, wellbeing support, other arrangements")
    files = EvidenceFilesField(
        label="Evidence (optional)",
        help_text=f"Emails, messages, statements: PDF, Word (DOCX), PNG or JPEG, up to "
                  f"{MAX_EVIDENCE_FILES} files")

    sections = None  # set in __init__: headings over the fields, for the page

    def __init__(self, *args, parents, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parents"].queryset = parents
        self.fields["records"].queryset = records
        self.fields["records"].label_from_instance = (
            lambda r: f"{r.full_name} ({r.connection})" if r.connection else r.full_name)
        other = ["other_title", "other_first_name", "other_last_name", "other_connection",
                 "other_address", "other_postcode"]
        who = ["parents", *(["records"] if records.exists() else [])]
        if "records" not in who:
            del self.fields["records"]
        self.sections = [
            ("Who was involved", [self[name] for name in who]),
            ("Someone else, not a parent or carer on Pact (if they were involved)",
             [self[name] for name in other]),
            ("What happened", [self[name] for name in (
                "occurred_on", "occurred_time", "place", "channel", "categories", "description",
                "affected", "effect", "witnesses")]),
            ("What was done", [self[name] for name in (
                "police_contacted", "police_reference", "safeguarding_referral",
                "staff_support", "files")]),
        ]

    def clean(self):
        data = super().clean()
        other = {name: (data.get(f"other_{name}") or "").strip() for name in (
            "title", "first_name", "last_name", "connection", "address", "postcode")}
        data["new_adult"] = None
        if any(other.values()):
            for name, words in (("first_name", "their first name"),
                                ("last_name", "their last name"),
                                ("connection", "their connection with the pupil")):
                if not other[name]:
                    self.add_error(f"other_{name}", f"Enter {words}")
            data["new_adult"] = NewAdult(**other)
        day, at = data.get("occurred_on"), data.get("occurred_time")
        data["occurred_at"] = (timezone.make_aware(datetime.combine(day, at))
                               if day and at else None)
        if (not data.get("parents") and not data.get("records") and not any(other.values())
                and "parents" not in self.errors):
            self.add_error("parents", "Select who was involved, or enter the details of "
                                      "someone else")
        return data


class _IncidentChoice(forms.Form):
    """The incident a step answers, and how the letter puts it."""

    incident = forms.ModelChoiceField(
        queryset=None, label="The incident this answers", empty_label=None,
        error_messages={"required": "Select the incident",
                        "invalid_choice": "Select one of this adult's incidents"})

    def __init__(self, *args, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents
        self.fields["incident"].label_from_instance = (
            lambda i: f"{timezone.localtime(i.occurred_at):%-d %b %Y, %H:%M}: "
                      f"{'; '.join(i.category_labels).lower()}")
        latest = incidents.first()
        if latest is not None and not self.is_bound:
            self.fields["incident"].initial = latest.pk
            if "summary" in self.fields:
                self.fields["summary"].initial = "\n\n".join(
                    p for p in (latest.description, latest.effect) if p)


class LetterStepForm(_IncidentChoice):
    summary = text_field("What happened, and its effect, as the letter will say it", rows=6,
                         help_text="A factual summary: the parent reads this")
    method = method_field()


def _conditions_fields(form: forms.Form) -> None:
    form.fields["standard_conditions"] = forms.MultipleChoiceField(
        label="Conditions", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(key, parent.replace("{named}", "the named person"))
                 for key, (parent, _staff) in STANDARD_CONDITIONS.items()],
        error_messages={"invalid_choice": "Select conditions from the list"})
    form.fields["named_contact"] = text_field(
        "The one person they may email", required=False, max_length=120,
        help_text="With the email condition: for example, the deputy headteacher, Mr Lee")
    form.fields["other_conditions"] = text_field(
        "Other conditions", rows=3, required=False,
        help_text="One a line, reasonable and proportionate, as the letter will say them")


def _conditions_of(form: forms.Form, data: dict) -> list[dict]:
    named = (data.get("named_contact") or "").strip()
    chosen = data.get("standard_conditions") or []
    if "email_named" in chosen and not named:
        form.add_error("named_contact", "Enter the one person they may email")
    conditions = [
        {"key": key, "parent": STANDARD_CONDITIONS[key][0].format(named=named),
         "staff": STANDARD_CONDITIONS[key][1].format(named=named)}
        for key in chosen]
    conditions += [{"key": "other", "parent": line.strip(), "staff": line.strip()}
                   for line in (data.get("other_conditions") or "").splitlines()
                   if line.strip()]
    return conditions


class ConditionsForm(LetterStepForm):
    board_review_on = GovukDateField(
        name="the date the governing board reviews them",
        label="The governing board reviews them at its meeting on",
        help_text="Until then they are provisional")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _conditions_fields(self)
        self.order_fields(["incident", "summary", "standard_conditions", "named_contact",
                           "other_conditions", "board_review_on", "method"])

    def clean(self):
        data = super().clean()
        data["conditions"] = _conditions_of(self, data)
        if not data["conditions"] and not self.errors:
            self.add_error("standard_conditions", "Select or enter at least one condition")
        for name in ("standard_conditions", "named_contact", "other_conditions"):
            data.pop(name, None)
        return data


class BoardForm(forms.Form):
    held_on = GovukDateField(name="the date of the board's meeting",
                             label="Date of the board's meeting")
    decision = _radios("The board's decision", [("confirm", "Confirm the conditions"),
                                                 ("withdraw", "Withdraw them")],
                       message="Select the board's decision")
    next_review_on = GovukDateField(name="the next review date", required=False,
                                    label="Review the conditions again by",
                                    help_text="With confirmed conditions: within 6 months")
    reasons = text_field("The board's reasons", rows=4)
    method = method_field()

    def clean(self):
        data = super().clean()
        data["confirm"] = data.pop("decision", None) == "confirm"
        return data


class ProposeBanForm(_IncidentChoice):
    reasons = text_field("Why a ban is needed", rows=5,
                         help_text="The chair of governors reads this before agreeing")


class WithdrawProposalForm(forms.Form):
    reasons = text_field("Why the proposal is withdrawn", rows=4)


class ChairForm(forms.Form):
    agreed_on = GovukDateField(name="the date the chair agreed", label="Date the chair agreed")
    chair_name = text_field("Name of the chair of governors", required=False, max_length=120)
    how = text_field("How the chair agreed", max_length=300,
                     help_text="For example: in a meeting with the headteacher; by email")

    def __init__(self, *args, by_the_chair: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if by_the_chair:
            del self.fields["chair_name"]


class ConfirmBanForm(forms.Form):
    summary = text_field("The conduct, with dates and its effect, as the letter will say it",
                         rows=8)
    response = text_field("The parent's response, if any", rows=4, required=False)
    method = method_field()


class EmergencyBanForm(LetterStepForm):
    reasons = text_field("Why the ban cannot wait for the chair of governors' agreement",
                         rows=4, help_text="The letter gives these reasons")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["incident", "summary", "reasons", "method"])


class ReviewForm(forms.Form):
    reviewed_on = GovukDateField(name="the date of the review", label="Date of the review")
    outcome = _radios("The decision", [(key, words) for key, words in {
        "continue": "The restrictions continue",
        "relax": "Relax a ban to conditions",
        "lift": "Lift the restrictions"}.items()], message="Select the decision")
    next_review_on = GovukDateField(name="the next review date", required=False,
                                    label="Review again by",
                                    help_text="When the restrictions continue or a ban is "
                                              "relaxed")
    reasons = text_field("The reasons", rows=4)
    method = method_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _conditions_fields(self)
        self.fields["standard_conditions"].label = "Conditions, when a ban is relaxed"
        self.order_fields(["reviewed_on", "outcome", "next_review_on", "standard_conditions",
                           "named_contact", "other_conditions", "reasons", "method"])

    def clean(self):
        data = super().clean()
        data["conditions"] = _conditions_of(self, data) if data.get("outcome") == "relax" \
            else []
        for name in ("standard_conditions", "named_contact", "other_conditions"):
            data.pop(name, None)
        return data


class ReplyForm(forms.Form):
    step = forms.ModelChoiceField(queryset=None, label="The letter replied to", empty_label=None,
                                  error_messages={"required": "Select the letter",
                                                  "invalid_choice": "Select one of the letters "
                                                                    "waiting for a reply"})
    replied_on = GovukDateField(name="the date of the reply", label="Date of the reply")
    reply = text_field("What the parent said", rows=5, help_text="Or a summary, with where the "
                                                                 "reply is kept")
    meeting_on = GovukDateField(name="the date of the meeting", required=False,
                                label="Met a senior leader on (optional)")
    meeting_notes = text_field("What was said at the meeting", rows=3, required=False)

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = steps
        self.fields["step"].label_from_instance = (
            lambda s: f"{s.get_kind_display()} of {s.taken_on:%-d %b %Y}"
                      + (f", reply by {s.reply_by:%-d %b %Y}" if s.reply_by else ""))


class ProgressMeetingForm(forms.Form):
    asked_on = GovukDateField(name="the date it was asked for", label="Asked for on")
    held_on = GovukDateField(name="the date of the meeting", required=False,
                             label="Held on (if it has been)")
    notes = text_field("Notes", rows=3, required=False)

