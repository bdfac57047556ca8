"""Forms for the case file. They check the shape of what was typed; the rules and the
permission checks live in the services, which every form hands its data to."""

from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from . import selectors
from .identifiers import check_upn
from .models import (
    AccessRecord,
    Agency,
    DocumentCategory,
    ExclusionKind,
    ExclusionReason,
    Language,
    LeftFor,
    Relationship,
    School,
    SenStatus,
)
from .uploads import ACCEPTED

YES_NO = [("yes", "Yes"), ("no", "No")]


def text_field(label: str, *, required: bool = True, rows: int | None = None,
               help_text: str = "", max_length: int | None = None) -> forms.CharField:
    """A line of text (up to 300 characters) or, with rows, a paragraph (up to 4,000), whose
    error when left empty says "Enter" and the label."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, required=required, widget=widget, help_text=help_text,
        max_length=max_length or (4000 if rows else 300),
        error_messages={"required": f"Enter {label[:1].lower() + label[1:]}"},
    )


def yes_no(label: str, *, message: str) -> forms.TypedChoiceField:
    """Yes or No as radios, cleaned to True or False."""
    return forms.TypedChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect,
                                  coerce=lambda value: value == "yes",
                                  error_messages={"required": message})


class GovukDateWidget(forms.MultiWidget):
    template_name = "govuk/widgets/date.html"

    def __init__(self, attrs=None):
        numeric = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        super().__init__(
            [
                forms.TextInput({**numeric, "class": numeric["class"] + " govuk-input--width-2"}),
                forms.TextInput({**numeric, "class": numeric["class"] + " govuk-input--width-2"}),
                forms.TextInput({**numeric, "class": numeric["class"] + " govuk-input--width-4"}),
            ],
            attrs,
        )

    def decompress(self, value):
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, the GOV.UK way, with GOV.UK error messages."""

    widget = GovukDateWidget

    def __init__(self, *, name: str, **kwargs):
        self.name_in_errors = name
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", f"Enter {name}")
        parts = tuple(forms.CharField(required=False) for _ in range(3))
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValidationError(
                f"{_sentence(self.name_in_errors)} must include a {' and '.join(missing)}"
            )
        try:
            if len(year) != 4:
                raise ValueError
            return date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(
                f"{_sentence(self.name_in_errors)} must be a real date, like 27 3 2026"
            ) from None


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class PupilForm(forms.Form):
    first_name = forms.CharField(
        max_length=80, error_messages=_required("Enter the pupil's first name")
    )
    last_name = forms.CharField(
        max_length=80, error_messages=_required("Enter the pupil's last name")
    )
    date_of_birth = GovukDateField(name="the pupil's date of birth", label="Date of birth")
    upn = forms.CharField(
        label="Unique pupil number (UPN)",
        max_length=20,
        widget=forms.TextInput(attrs={"width": "20"}),
        help_text="13 characters, for example H801200001001. Temporary UPNs end in a letter.",
        error_messages=_required("Enter the pupil's UPN"),
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        empty_label=None,
        error_messages=_required("Select the pupil's school"),
    )
    looked_after = forms.BooleanField(
        required=False, label="Looked after (in statutory public care)"
    )
    sen_status = forms.ChoiceField(
        label="SEN status", choices=SenStatus.choices, initial=SenStatus.NONE,
        widget=forms.RadioSelect,
    )
    social_worker = forms.CharField(max_length=120, required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def clean_upn(self) -> str:
        upn = "".join(self.cleaned_data["upn"].split()).upper()
        result = check_upn(upn)
        if not result.valid:
            raise ValidationError(result.reason)
        return upn

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born and born >= date.today():
            raise ValidationError("The pupil's date of birth must be in the past")
        return born


class ParentForm(forms.Form):
    title = forms.CharField(max_length=20, required=False)
    first_name = forms.CharField(max_length=80, error_messages=_required("Enter a first name"))
    last_name = forms.CharField(max_length=80, error_messages=_required("Enter a last name"))
    relationship = forms.ChoiceField(
        label="Relationship to the pupil",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select the relationship to the pupil"),
    )
    parental_responsibility = forms.BooleanField(
        required=False, label="Holds parental responsibility"
    )
    has_care = forms.BooleanField(required=False, label="Has care of the child")
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    postcode = forms.CharField(
        max_length=10, required=False, widget=forms.TextInput(attrs={"width": "10"})
    )
    email = forms.EmailField(
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    phone = forms.CharField(max_length=30, required=False)
    preferred_language = forms.ChoiceField(
        choices=Language.choices, initial=Language.ENGLISH, widget=forms.RadioSelect,
        help_text="Letters are written in this language, or translated.",
    )
    other_language = forms.CharField(
        max_length=60, required=False, label="Other language, if another"
    )

    def clean(self):
        data = super().clean()
        if data.get("preferred_language") == Language.OTHER and not data.get("other_language"):
            self.add_error("other_language", "Enter the language the parent or carer reads")
        return data


def _reason_label(reason: ExclusionReason) -> str:
    if reason.valid_to:
        return f"{reason.description} ({reason.code}, until {reason.valid_to:%B %Y})"
    return f"{reason.description} ({reason.code})"


class ExclusionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of exclusion",
        choices=ExclusionKind.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select the type of exclusion"),
    )
    start_date = GovukDateField(name="the start date", label="Start date")
    school_days = forms.DecimalField(
        label="Length in school days",
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=0.5,
        widget=forms.TextInput(attrs={"width": "4", "inputmode": "decimal"}),
        help_text="A lunchtime suspension counts as half a day. Leave empty for a permanent "
        "exclusion.",
        error_messages={
            "invalid": "Length must be a number of school days, like 2 or 0.5",
            "min_value": "Length must be at least half a school day",
        },
    )
    reasons = forms.ModelMultipleChoiceField(
        label="Reasons (up to three)",
        queryset=ExclusionReason.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required("Select between one and three reasons"),
    )
    serious_misbehaviour = forms.BooleanField(required=False, label="Serious misbehaviour")
    statutory_process_ended_on = GovukDateField(
        name="the date the statutory process ended",
        label="Statutory process ended on (optional)",
        required=False,
        help_text="The governing board's review, the end of the time for an independent review "
        "panel, or the panel's decision.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every code is offered, with the years it was in use; the service checks that the
        # codes chosen were in use on the start date.
        self.fields["reasons"].queryset = ExclusionReason.objects.order_by(
            "valid_to", "code"
        )
        self.fields["reasons"].label_from_instance = _reason_label

    def clean(self):
        data = super().clean()
        if data.get("kind") == ExclusionKind.LUNCHTIME and data.get("school_days") is None:
            data["school_days"] = Decimal("0.5")
        return data


class ProcessEndedForm(forms.Form):
    ended_on = GovukDateField(
        name="the date the statutory process ended", label="The statutory process ended on",
        help_text="The governing board's review, the end of the time for an independent review "
        "panel, or the panel's decision.",
    )

    def __init__(self, *args, exclusion, **kwargs):
        super().__init__(*args, **kwargs)
        self.exclusion = exclusion
        self.fields["ended_on"].label = (
            f"The statutory process for the {exclusion.get_kind_display().lower()} of "
            f"{exclusion.start_date:%-d %B %Y} ended on")

    def clean(self):
        data = super().clean()
        data["exclusion"] = self.exclusion
        return data


class ExclusionInErrorForm(forms.Form):
    reason = forms.CharField(
        label="Why was it recorded in error?", max_length=2000, widget=forms.Textarea,
        help_text="For example: recorded for the wrong pupil, or the wrong date. The entry "
        "stays on the case file, marked as recorded in error, with your reason.",
        error_messages={**_required("Enter why the exclusion was recorded in error"),
                        "max_length": "The reason must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, exclusion, **kwargs):
        super().__init__(*args, **kwargs)
        self.exclusion = exclusion
        self.fields["reason"].label = (
            f"Why was the {exclusion.get_kind_display().lower()} from "
            f"{exclusion.start_date:%-d %B %Y} recorded in error?")

    def clean(self):
        data = super().clean()
        data["exclusion"] = self.exclusion
        return data


class AgencyInvolvementForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), error_messages=_required("Select the agency")
    )
    key_worker = forms.CharField(
        max_length=120, error_messages=_required("Enter the key worker's name")
    )
    key_worker_contact = forms.CharField(
        max_length=160, required=False, label="Key worker's phone or email"
    )
    started_on = GovukDateField(name="the date the involvement started", label="Involved from")
    ended_on = GovukDateField(
        name="the date the involvement ended", label="Involved until (optional)", required=False
    )
    consent_to_share = forms.BooleanField(
        required=False, label="The parent or carer has consented to information being shared"
    )
    consent_recorded_on = GovukDateField(
        name="the date consent was given", label="Consent given on", required=False
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class MeetingForm(forms.Form):
    ACTION_ROWS = 3

    held_on = GovukDateField(name="the date of the meeting", label="Date of the meeting")
    purpose = forms.CharField(max_length=200, error_messages=_required("Enter the purpose"))
    attendees = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One person a line, with their role",
        error_messages=_required("Enter who attended"),
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Agencies represented",
    )
    decisions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), error_messages=_required("Enter the decisions")
    )
    la_represented = forms.BooleanField(
        required=False, label="An LA representative attended"
    )
    recommends_parenting_order = forms.BooleanField(
        required=False, label="The meeting recommends that the LA applies for a parenting order"
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        for row in range(1, self.ACTION_ROWS + 1):
            self.fields[f"action_{row}_description"] = forms.CharField(
                max_length=300, required=False, label=f"Action {row}"
            )
            self.fields[f"action_{row}_owner"] = forms.CharField(
                max_length=120, required=False, label="Owner"
            )
            self.fields[f"action_{row}_due_on"] = GovukDateField(
                name=f"the due date of action {row}", label="Due by", required=False
            )

    def action_rows(self):
        return [
            (
                self[f"action_{row}_description"],
                self[f"action_{row}_owner"],
                self[f"action_{row}_due_on"],
            )
            for row in range(1, self.ACTION_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        actions = []
        for row in range(1, self.ACTION_ROWS + 1):
            description = data.get(f"action_{row}_description")
            owner = data.get(f"action_{row}_owner")
            due_on = data.get(f"action_{row}_due_on")
            if not (description or owner or due_on):
                continue
            if not description:
                self.add_error(f"action_{row}_description", f"Enter what action {row} is")
            if not owner:
                self.add_error(f"action_{row}_owner", f"Enter who owns action {row}")
            if not due_on and f"action_{row}_due_on" not in self.errors:
                self.add_error(f"action_{row}_due_on", f"Enter the due date of action {row}")
            if description and owner and due_on:
                actions.append((description, owner, due_on))
        data["actions"] = actions
        return data


class DocumentForm(forms.Form):
    title = forms.CharField(
        max_length=200, error_messages=_required("Enter a title for the document")
    )
    category = forms.ChoiceField(
        label="What it shows",
        choices=DocumentCategory.choices,
        initial=DocumentCategory.OTHER,
        widget=forms.RadioSelect,
        help_text="A parenting order application needs each of the first four.",
    )
    file = forms.FileField(
        label="File",
        help_text=f"{ACCEPTED}, up to 10 MB",
        error_messages=_required("Select a file"),
    )


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with its lengths enforced before any password is checked: a
    username longer than any account's, or a password long enough to tie up the hashing, is
    a plain sign-in error, never a lockout record (django-axes keeps 255 characters) or a
    held worker."""

    PASSWORD_MAX_LENGTH = 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(
            MaxLengthValidator(self.fields["username"].max_length))
        self.fields["password"].validators.append(MaxLengthValidator(self.PASSWORD_MAX_LENGTH))


class PupilSearchForm(forms.Form):
    """A name or a UPN. Bounded, because each word is one more condition on every pupil in
    scope: a few words find anyone, and more only slow the search for everyone."""

    MAX_WORDS = 5

    q = forms.CharField(
        max_length=100, required=False,
        error_messages={"max_length": "Search for a name or a UPN of up to 100 characters"},
    )

    def clean_q(self) -> str:
        query = " ".join(self.cleaned_data["q"].split())
        if len(query.split(" ")) > self.MAX_WORDS:
            raise ValidationError(
                f"Search for up to {self.MAX_WORDS} words: a first name, a last name, or both")
        return query


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


class AccessLogSearchForm(forms.Form):
    """What the access log can be searched by: every field optional, each bounded."""

    upn = forms.CharField(label="Pupil's UPN", max_length=13, required=False,
                          error_messages={"max_length": "A UPN has 13 characters"})
    person = forms.CharField(label="Member of staff", max_length=150, required=False,
                             help_text="Their username, first name or surname",
                             error_messages={"max_length": "Enter up to 150 characters"})
    what = forms.ChoiceField(label="What was opened", required=False,
                             choices=[("", "Anything"), *AccessRecord.What.choices])
    since = GovukDateField(name="the first day", label="From", required=False)
    until = GovukDateField(name="the last day", label="To", required=False)
    pupil = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_upn(self) -> str:
        return "".join(self.cleaned_data["upn"].split()).upper()

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day must be the same as or after the first day")
        return cleaned
def dfe_text(school: School) -> str:
    """A DfE number as schools write it: LA code, a slash, establishment number."""
    return f"{school.dfe_number[:3]}/{school.dfe_number[3:]}"


class MoveForm(forms.Form):
    to_school = forms.CharField(
        label="School the pupil is moving to", max_length=160,
        help_text="Its DfE number, for example 938/4012, or its name.",
        error_messages=_required("Enter the DfE number or the name of the school the pupil is "
                                 "moving to"),
    )
    moved_on = GovukDateField(
        name="the date the pupil moved", label="The pupil moved on",
        help_text="Their last day at this school, or their first at the new one. For example, "
                  "27 3 2026.")
    note = text_field("Why they moved (optional)", required=False, max_length=200,
                      help_text="For example, a managed move, or the family moved house.")

    def clean_to_school(self):
        query = " ".join(self.cleaned_data["to_school"].split())
        schools = selectors.schools_named(query)
        if len(schools) == 1:
            return schools[0]
        if not schools:
            raise ValidationError(
                f"No school on Pact has the DfE number or name “{query}”. Check it; if the "
                "school does not use Pact, record that the pupil left instead")
        if len(schools) > 5:
            raise ValidationError(f"More than 5 schools on Pact match “{query}”: enter the "
                                  "school's DfE number")
        listed = "; ".join(f"{s.name}, {dfe_text(s)}" for s in schools)
        raise ValidationError(f"{len(schools)} schools on Pact match “{query}” ({listed}): "
                              "enter the DfE number of the one you mean")


class LeaveForm(forms.Form):
    left_on = GovukDateField(name="the date the pupil left", label="The pupil left on",
                             help_text="Their last day at the school. For example, 27 3 2026.")
    left_for = forms.ChoiceField(
        label="Where did they go?", choices=LeftFor.choices, widget=forms.RadioSelect,
        error_messages=_required("Select where the pupil went"))
    destination = text_field("Where, in your words (optional)", required=False, max_length=200,
                             help_text="For example, the school's name and town, or moved to "
                                       "Scotland.")


def _without_spaces(value: str) -> str:
    # Apps show codes as "123 456" and people copy recovery codes with spaces or dashes.
    return "".join(value.split()).replace("-", "").lower()


class SetUpCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"})

    def clean_code(self) -> str:
        code = _without_spaces(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise ValidationError("Enter the 6-digit code from your authenticator app")
        return code


class SignInCodeForm(forms.Form):
    """A 6-digit code from the app, or one of the 8-character recovery codes."""

    code = forms.CharField(
        label="Code", max_length=40,
        error_messages={"required": "Enter the 6-digit code from your authenticator app, or "
                                    "a recovery code"})

    def clean_code(self) -> str:
        code = _without_spaces(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()) and not (
                len(code) == 8 and code.isascii() and code.isalnum()):
            raise ValidationError("Enter the 6-digit code from your authenticator app, or a "
                                  "recovery code of 8 letters and numbers")
        return code

    @property
    def is_recovery_code(self) -> bool:
        return len(self.cleaned_data["code"]) == 8


class SchoolStaffRuleForm(forms.Form):
    required = yes_no("Must staff at the LA's schools use two-step sign-in?",
                      message="Select yes if school staff must use two-step sign-in")
