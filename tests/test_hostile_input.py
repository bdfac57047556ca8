"""Hostile input: generated values posted to every form and put in every list's filters, and
numbers in every address. Pact answers with a form error, 400 or 404, never 500, and a form it
refuses changes nothing."""

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import submissions
from cases.models import StaffRole
from conduct import services as conduct_services
from contracts import services as contract_services
from orders import services as order_services
from orders.models import OrderCase, ParentingProgramme
from tests.clients import FormClient
from tests.contracts.helpers import CONTENT, MEETING
from tests.factories import (
    FREE_LETTER,
    AgencyFactory,
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    free_letter_form,
    staff,
)

RECORDED_APPS = {"cases", "contracts", "letters", "orders", "conduct", "reporting"}
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# Text a person, a paste or an attacker might send: control characters, NUL, right-to-left
# marks, emoji, markup, very long runs, numbers past any column's range.
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.sampled_from(["\x00", "a\x00b", "<script>alert(1)</script>", "' OR 1=1 --", "9" * 30,
                     "-1", "0", "1e309", "NaN", "2026-02-30", "\u202e", "😀" * 50,
                     "x" * 5000, " ", "", "../../etc/passwd", "{% debug %}", "{{ x }}"]),
)


class FormFields(HTMLParser):
    """The fields of the page's main POST form, with the values it offers for each."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.files: set[str] = set()
        self._in_form = False
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = (attrs.get("method") == "post"
                             and attrs.get("action", "") != reverse("logout"))
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and name not in {"csrfmiddlewaretoken", submissions.FIELD}:
            if attrs.get("type") == "file":
                self.files.add(name)
            self.fields.setdefault(name, [])
            if attrs.get("type") in {"radio", "checkbox", "hidden"}:
                self.fields[name].append(attrs.get("value", "on"))
        elif tag in {"textarea"} and name:
            self.fields.setdefault(name, [])
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            self.fields[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        if tag == "select":
            self._select = None


def form_of(client, url) -> FormFields:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser


def recorded() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in RECORDED_APPS and model.__name__ != "Submission"}


def conduct_records(school, headteacher) -> dict:
    """An adult's conduct record at each stage whose forms are tried."""
    records = {}
    for stage in ("none", "warned", "ban_proposed", "banned", "conditions_provisional"):
        link = PupilParentFactory(pupil=PupilFactory(school=school))
        incident = conduct_services.incident_record(
            actor=headteacher, pupil=link.pupil, occurred_at=timezone.now() - timedelta(hours=1),
            place="gate", channel="phone", categories=["threats"], description="Threats",
            affected=["staff"], parents=[link.parent])
        record = incident.adults.get()
        letter = {"actor": headteacher, "record": record, "incident": incident,
                  "summary": "Threats", "method": "post"}
        if stage in {"warned", "ban_proposed"}:
            conduct_services.warning_send(**letter)
        if stage == "ban_proposed":
            conduct_services.ban_propose(actor=headteacher, record=record, incident=incident,
                                         reasons="Threats after a warning")
        if stage == "banned":
            conduct_services.ban_at_once(**letter, reasons="Immediate risk")
        if stage == "conditions_provisional":
            conduct_services.conditions_set(
                **letter, board_review_on=date.today() + timedelta(days=20),
                conditions=[{"key": "other", "parent": "Write to us", "staff": "In writing"}])
        records[stage] = record
    return records


@pytest.fixture
def world(db):
    la = LocalAuthorityFactory(code="901")
    school = SchoolFactory(local_authority=la)
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    headteacher = staff(StaffRole.HEADTEACHER, school)
    AgencyFactory(local_authority=la)
    pupil = PupilFactory(school=school)
    parent = PupilParentFactory(pupil=pupil).parent
    exclusion = ExclusionFactory(pupil=pupil, start_date=date.today() - timedelta(days=5))
    signed = contract_services.contract_create(actor=lead, pupil=pupil, kind="behaviour",
                                               parents=[parent])
    contract_services.contract_update_content(actor=lead, contract=signed, **CONTENT)
    contract_services.contract_offer(actor=lead, contract=signed, letter_facts=MEETING,
                                     method="post")
    contract_services.contract_sign(actor=lead, contract=signed, method="post",
                                    signatures=[{"name": "P", "role": "parent"}],
                                    consents={parent.pk: "given"})
    other = PupilParentFactory(pupil=PupilFactory(school=school)).pupil
    ExclusionFactory(pupil=other, start_date=date.today() - timedelta(days=5))
    draft = contract_services.contract_create(actor=lead, pupil=other, kind="attendance",
                                              parents=[other.parent_links.get().parent])
    officer = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    la_admin = staff(StaffRole.LA_ADMIN, la)
    # Order cases at the stages whose forms are tried: the path there is tested in
    # tests/orders; here only the forms matter.
    cases = {}
    for state in ("under_review", "hearing_listed", "running"):
        ordered = PupilParentFactory(pupil=PupilFactory(school=school)).pupil
        case = order_services.order_request(
            actor=officer, pupil=ordered, reasons="Repeated exclusions",
            parents=[ordered.parent_links.get().parent])
        OrderCase.objects.filter(pk=case.pk).update(
            state=state, applied_on=date.today(), made_at=timezone.now(),
            outcome_on=date.today(), responsible_officer=officer)
        cases[state] = case
    return {"lead": lead, "headteacher": headteacher, "officer": officer, "la_admin": la_admin,
            "pupil": pupil,
            "other": other, "mover": PupilFactory(school=school),
            "leaver": PupilFactory(school=school), "exclusion": exclusion,
            "signed": signed, "draft": draft,
            "school": school, "orders": cases, "conduct": conduct_records(school, headteacher),
            "programme": ParentingProgramme.objects.create(
                local_authority=la, name="Triple P", provider="Early Help", sessions=8,
                places=4)}


def form_urls(world) -> list[tuple[str, str]]:
    pupil, signed, draft = world["pupil"], world["signed"], world["draft"]
    urls = [
        ("lead", reverse("pupil-add")),
        ("lead", reverse("parent-add", args=[pupil.pk])),
        ("lead", reverse("exclusion-add", args=[pupil.pk])),
        ("lead", reverse("exclusion-process-ended", args=[pupil.pk, world["exclusion"].pk])),
        ("lead", reverse("exclusion-in-error", args=[pupil.pk, world["exclusion"].pk])),
        ("lead", reverse("agency-involvement-add", args=[pupil.pk])),
        ("lead", reverse("meeting-add", args=[pupil.pk])),
        ("lead", reverse("document-add", args=[pupil.pk])),
        ("lead", reverse("letter-new", args=[pupil.pk, FREE_LETTER])),
        ("lead", reverse("order-start", args=[world["other"].pk])),
        ("lead", reverse("pupil-move", args=[world["mover"].pk])),
        ("lead", reverse("pupil-leave", args=[world["leaver"].pk])),
        ("headteacher", reverse("letter-template-edit",
                                args=["school", world["school"].pk, "conduct_reminder", "en"])),
        ("lead", reverse("contract-start", args=[pupil.pk])),
        ("lead", reverse("contract-invitations-new")),
        ("officer", reverse("programme-add")),
        ("officer", reverse("programme-edit", args=[world["programme"].pk])),
        ("headteacher", reverse("subject-access-request", args=[pupil.pk])
         + "?who=pupil&received_on_0=2&received_on_1=2&received_on_2=2026"),
        ("la_admin", reverse("two-step-school-staff", args=[world["school"].local_authority_id])),
    ]
    for contract, steps in ((signed, ["contact", "consent", "breach", "start_review",
                                      "terminate"]),
                            (draft, ["edit", "consult", "withdraw"])):
        urls += [("lead", reverse("contract-action", args=[contract.pk, step]))
                 for step in steps]
    urls.append(("officer", reverse("return-list")))
    urls.append(("headteacher", reverse("conduct-incident-new",
                                        args=[world["conduct"]["none"].pupil_id])))
    for stage, steps in (("none", ["reminder", "warning", "conditions", "emergency_ban"]),
                         ("warned", ["reply", "propose_ban"]),
                         ("ban_proposed", ["chair", "withdraw_proposal"]),
                         ("banned", ["review", "progress_meeting", "chair"]),
                         ("conditions_provisional", ["board"])):
        urls += [("headteacher", reverse("conduct-action",
                                         args=[world["conduct"][stage].pk, step]))
                 for step in steps]
    for state, steps in (("under_review", ["final_warning", "pack"]),
                         ("hearing_listed", ["outcome", "withdraw"]),
                         ("running", ["ro_meeting", "contact", "breach"])):
        urls += [("officer", reverse("order-action", args=[world["orders"][state].pk, step]))
                 for step in steps]
    return urls


def post_generated_values(client, url: str, form: FormFields, failures: list[str]) -> None:
    @EXAMPLES
    @given(data=st.data())
    def post_generated(data):
        values = {}
        for name, offered in form.fields.items():
            if name in form.files:
                continue
            choices = st.sampled_from(offered) if offered else st.nothing()
            values[name] = data.draw(st.one_of(choices, TEXT), label=name)
        before = recorded()
        response = client.post(url, values)
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code} for {values!r}"[:500])
        elif response.status_code != 302 and recorded() != before:
            failures.append(f"{url}: refused ({response.status_code}) but saved part of "
                            f"{values!r}"[:500])

    post_generated()


def test_every_form_answers_generated_input_without_a_server_error_or_a_partial_save(world):
    failures: list[str] = []
    for who, url in form_urls(world):
        client = FormClient()
        client.force_login(world[who])
        form = form_of(client, url)
        assert form.fields, f"{url} shows no form to try"
        post_generated_values(client, url, form, failures)
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize(("name", "parameters"), [
    ("pupil-search", ["q", "page"]),
    ("contract-list", ["state", "school", "review", "page"]),
    ("contract-eligible-list", ["page"]),
    ("dashboard", ["page"]),
    ("return-list", ["la", "term"]),
])
def test_every_list_filter_answers_generated_values_without_a_server_error(
    world, name, parameters
):
    client = FormClient()
    client.force_login(world["lead"])

    @EXAMPLES
    @given(query=st.fixed_dictionaries({p: TEXT for p in parameters}))
    def get_generated(query):
        response = client.get(reverse(name), query)
        assert response.status_code < 500, query

    get_generated()


@EXAMPLES
@given(number=st.one_of(st.integers(min_value=0, max_value=10**30),
                        st.sampled_from([2**31, 2**63, 2**63 - 1, 2**64])))
def test_any_number_in_an_address_is_found_or_not_found_never_an_error(world, number):
    client = FormClient()
    client.force_login(world["lead"])
    pupil = world["pupil"]
    for url in (f"/pupils/{number}/", f"/pupils/{number}/eligibility/",
                f"/contracts/{number}/", f"/contracts/{number}/signed.pdf",
                f"/pupils/{pupil.pk}/documents/{number}/",
                f"/pupils/{pupil.pk}/letters/{number}/",
                f"/pupils/{pupil.pk}/exclusions/{number}/process-ended/",
                f"/pupils/{pupil.pk}/exclusions/{number}/in-error/",
                f"/letters/batches/{number}/", f"/conduct/{number}/",
                f"/conduct/{number}/who-opened/", f"/conduct/{number}/review/",
                f"/conduct/{number}/letters/{number}/",
                f"/conduct/{number}/evidence/{number}/",
                f"/pupils/{number}/conduct/incidents/new/"):
        assert client.get(url).status_code in {200, 404}, url


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "..%2f"])
def test_every_export_answers_generated_values_without_a_server_error(world, fmt):
    client = FormClient()
    client.force_login(world["headteacher"])

    @EXAMPLES
    @given(query=st.fixed_dictionaries({p: TEXT for p in ("la", "term", "from", "to",
                                                         "suppress")}))
    def get_generated(query):
        for name in ("return-export", "return-series"):
            response = client.get(reverse(name, args=[fmt]), query)
            assert response.status_code < 500, (name, query)

    get_generated()


@EXAMPLES
@given(number=st.one_of(st.integers(min_value=0, max_value=10**30),
                        st.sampled_from([2**31, 2**63, 2**64])))
def test_any_number_in_a_staff_sign_in_address_is_found_or_not_found(world, number):
    client = FormClient()
    client.force_login(world["la_admin"])
    la = world["school"].local_authority_id
    for url in (f"/data-protection/{number}/sign-in/",
                f"/data-protection/{number}/sign-in/school-staff/",
                f"/data-protection/{la}/sign-in/staff/{number}/reset/",
                f"/data-protection/{number}/sign-in/staff/{world['lead'].pk}/reset/"):
        assert client.get(url).status_code in {200, 404}, url
        assert client.get(url, {"page": str(number)}).status_code in {200, 404}, url


def post_generated_codes(client, url: str) -> None:
    @EXAMPLES
    @given(code=TEXT)
    def post_generated(code):
        response = client.post(url, {"code": code})
        if "\x00" in code:
            assert response.status_code == 400
        else:
            assert response.status_code == 200, code
            assert "govuk-error-summary" in response.content.decode()

    post_generated()


def test_the_code_pages_answer_generated_codes_with_a_form_error(world):
    """Before the second step is done: whatever is typed as a code, on the set-up page or
    the code page, is a form error, never a server error, and verifies nothing."""
    from tests.cases.test_two_step import password_step, with_password
    from tests.clients import authenticator_for

    la = world["school"].local_authority
    with_code = with_password(staff(StaffRole.LA_DESIGNATED_OFFICER, la))
    authenticator_for(with_code)
    without = with_password(staff(StaffRole.HEAD_OF_PARTNERSHIPS, la))
    for user, name in ((with_code, "two-step-code"), (without, "two-step-set-up")):
        client = password_step(user)
        client.get(reverse(name))
        post_generated_codes(client, reverse(name))
        assert client.get(reverse("dashboard")).status_code == 302


def test_a_nul_character_anywhere_is_a_400_and_saves_nothing(world):
    client = FormClient()
    client.force_login(world["lead"])
    before = recorded()
    for response in (
        client.get(reverse("pupil-search"), {"q": "a\x00b"}),
        client.get(reverse("contract-list"), {"state": "\x00"}),
        client.post(reverse("exclusion-add", args=[world["pupil"].pk]),
                    {"kind": "suspension\x00"}),
    ):
        assert response.status_code == 400
    assert recorded() == before


def test_a_username_longer_than_any_account_is_a_sign_in_error(db):
    from axes.models import AccessAttempt

    response = FormClient().post(reverse("login"), {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert not AccessAttempt.objects.filter(username__startswith="uuu").exists()


def test_a_search_of_many_words_is_bounded_and_explained(world):
    client = FormClient()
    client.force_login(world["lead"])
    response = client.get(reverse("pupil-search"), {"q": " ".join(["word"] * 1900)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Search for up to 5 words" in body or "up to 100 characters" in body


def test_three_carers_with_the_longest_names_can_have_a_contract_and_a_letter(world):
    """Every summary, clock and notification built from names holds them whole."""
    pupil = PupilFactory(school=world["school"], first_name="P" * 80, last_name="Q" * 80)
    ExclusionFactory(pupil=pupil, start_date=date.today() - timedelta(days=5))
    carers = [PupilParentFactory(pupil=pupil, parent__first_name=letter * 80,
                                 parent__last_name="Z" * 80, parent__address="1 Long Road",
                                 parent__postcode="ZZ1 1ZZ").parent for letter in "ABC"]
    client = FormClient()
    client.force_login(world["lead"])
    started = client.post(reverse("contract-start", args=[pupil.pk]), {
        "kind": "behaviour", "parents": [c.pk for c in carers]})
    assert started.status_code == 302
    issued = client.post(reverse("letter-new", args=[pupil.pk, FREE_LETTER]),
                         free_letter_form([c.pk for c in carers]))
    assert issued.status_code == 302
    event = pupil.timeline.filter(kind="letter_issued").get()
    assert all(c.full_name in event.summary for c in carers)
