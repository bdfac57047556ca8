import io
import re
import socket
import subprocess
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.template import TemplateSyntaxError
from django.urls import reverse
from pypdf import PdfReader

from cases.models import LocalPolicy, Nation, StaffRole, TimelineEvent
from letters import kinds, rendering, selectors, services
from letters.models import (
    CONDUCT_KINDS,
    IssuedLetter,
    LetterBatch,
    LetterKind,
    LetterTemplate,
)
from tests.clients import FormClient as Client
from tests.factories import (
    FREE_LETTER,
    ExclusionFactory,
    LocalAuthorityFactory,
    ParentCarerFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    free_letter_facts,
    free_letter_form,
    staff,
)

DATED = date(2026, 12, 18)
# Statements each letter must make, from its source (Bedfordshire protocol, Nottinghamshire
# guidance, St Pancras agreement, Monmouthshire policy), in English.
REQUIRED = {
    "contract_invitation": ["voluntary", "not a punishment", "parenting order"],
    "parenting_contract": ["voluntary agreement", "Main objectives for the next three months",
                           "review it together", "Signed by Ms Ama Mensah",
                           "What might stop this from happening?",
                           "What Ms Ama Mensah would find helpful",
                           "What the school and other agencies would find helpful",
                           "When we will next meet", "Support services and agencies attending",
                           "Link professional",
                           "agreed on 2 December 2026 that the school may share",
                           "signing this contract is not consent"],
    "attendance_contract": ["not legally binding", "lead practitioner",
                            "no criminal penalty"],
    "contract_review_invitation": ["review the contract"],
    "formal_warning": ["formal warning", "parenting order"],
    "final_warning": ["final warning", "parenting order", "£1,000"],
    "attendance_warning": ["may be ended", "education supervision order", "prosecution"],
    "ro_confirmation": ["responsible officer", "£1,000", "monitored"],
    "conduct_reminder": ["10 working days"],
    "conduct_warning": ["banning you", "10 working days"],
    "conduct_conditions": ["provisional", "10 working days"],
    "conduct_ban": ["section 547", "one meeting a year"],
    "conduct_review_outcome": ["reviewed"],
}


@pytest.fixture
def case(db):
    la = LocalAuthorityFactory(code="901", name="Ashford Vale", nation=Nation.ENGLAND,
                               policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    school = SchoolFactory(local_authority=la, name="Hillside Primary School",
                           address="1 Hill Road\nAshford", phone="01234 000000")
    pupil = PupilFactory(school=school, first_name="Jordan", last_name="Mensah")
    parent = ParentCarerFactory(title="Ms", first_name="Ama", last_name="Mensah",
                                address="4 Vale Close\nAshford", postcode="ZZ1 1ZZ")
    PupilParentFactory(pupil=pupil, parent=parent)
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    return pupil, parent, lead


def facts_for(kind: str) -> dict:
    return kinds.sample_facts(kind)


def draft(case, kind, language="en", **overrides):
    pupil, parent, _ = case
    values = {"pupil": pupil, "kind": kind, "language": language, "recipients": [parent],
              "method": "post", "facts": facts_for(kind), "dated": DATED}
    values.update(overrides)
    return services.Draft(**values)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(pdf)).pages)


def qpdf_check(pdf: bytes, tmp_path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_built_in_letter_renders_in_english_with_what_its_source_requires(
    case, kind, tmp_path
):
    pupil, parent, lead = case
    composed = services.compose(actor=lead, draft=draft(case, kind))
    text = text_of(composed.rendered.pdf)
    assert "Hillside Primary School" in text
    assert "Ms Ama Mensah" in text and "ZZ1 1ZZ" in text
    assert "18 December 2026" in text
    assert "Jordan" in text
    for statement in REQUIRED[kind]:
        assert statement.lower() in text.lower(), f"{kind} must say {statement!r}"
    assert "<p>" not in text and "&lt;" not in text, "the template's own HTML is markup"
    assert composed.rendered.refused == []
    qpdf_check(composed.rendered.pdf, tmp_path)


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_built_in_letter_renders_in_welsh(case, kind, tmp_path):
    _, _, lead = case
    composed = services.compose(actor=lead, draft=draft(case, kind, language="cy"))
    text = text_of(composed.rendered.pdf)
    assert "18 Rhagfyr 2026" in text, "dates in Welsh"
    assert "Ms Ama Mensah" in text and "Jordan" in text
    assert "Tudalen" in text
    qpdf_check(composed.rendered.pdf, tmp_path)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_no_built_in_letter_says_seed(case, language):
    _, _, lead = case
    for kind in LetterKind:
        composed = services.compose(actor=lead, draft=draft(case, kind, language=language))
        assert not re.search(r"\bseeds?\b", text_of(composed.rendered.pdf), re.I), kind


def test_a_welsh_la_writes_bilingually_welsh_first(case):
    pupil, parent, lead = case
    pupil.school.local_authority.nation = Nation.WALES
    assert services.language_for(pupil, [parent]) == "cy-en"
    composed = services.compose(actor=lead, draft=draft(case, "conduct_reminder",
                                                        language="cy-en"))
    text = text_of(composed.rendered.pdf)
    assert "18 Rhagfyr 2026 / 18 December 2026" in text
    assert text.index("Annwyl") < text.index("Dear")
    assert composed.rendered.page_count == 2


def test_conduct_letters_give_10_working_days_to_reply_across_christmas(case):
    _, _, lead = case
    composed = services.compose(actor=lead, draft=draft(case, "conduct_warning"))
    assert composed.facts["reply_by"] == date(2027, 1, 6)
    assert "6 January 2027" in text_of(composed.rendered.pdf)


def test_a_ban_letter_states_its_review_date_six_months_on(case):
    _, _, lead = case
    composed = services.compose(actor=lead, draft=draft(case, "conduct_ban"))
    assert "18 June 2027" in text_of(composed.rendered.pdf)


def test_issuing_stores_the_pdf_its_hash_and_a_timeline_event(case):
    pupil, parent, lead = case
    letter = services.letter_issue(actor=lead, draft=draft(case, FREE_LETTER))
    stored = IssuedLetter.objects.get(pk=letter.pk)
    assert services.rendering.hashlib.sha256(bytes(stored.pdf)).hexdigest() == stored.sha256
    assert stored.page_count == 1
    assert list(stored.recipients.all()) == [parent]
    assert stored.template_source == "Pact wording v1"
    event = pupil.timeline.get(kind=TimelineEvent.Kind.LETTER_ISSUED)
    assert event.details["sha256"] == stored.sha256
    with pytest.raises(TypeError, match="exactly as sent"):
        stored.save()


def test_an_issued_letter_is_never_re_rendered(case):
    pupil, _, lead = case
    letter = services.letter_issue(actor=lead, draft=draft(case, FREE_LETTER))
    headteacher = staff(StaffRole.HEADTEACHER, pupil.school)
    services.template_save(
        actor=headteacher, kind=FREE_LETTER, language="en",
        organisation=pupil.school, body="<p>Dear {{ salutation }}, new wording.</p>",
    )
    client = Client()
    client.force_login(lead)
    response = client.get(reverse("letter-download", args=[pupil.pk, letter.pk]))
    assert response.content == bytes(letter.pdf)
    assert response["Content-Disposition"].startswith("attachment")
    newer = services.compose(actor=lead, draft=draft(case, FREE_LETTER))
    assert "new wording" in text_of(newer.rendered.pdf)
    assert newer.template_source == "Hillside Primary School wording v1"


def test_letters_go_only_to_one_household_of_the_pupils_parents(case):
    pupil, parent, lead = case
    stranger = ParentCarerFactory()
    with pytest.raises(ValidationError, match="only to this pupil's parents"):
        services.compose(actor=lead, draft=draft(case, FREE_LETTER, recipients=[stranger]))
    elsewhere = ParentCarerFactory(address="9 Far Lane", postcode="ZZ9 9ZZ")
    PupilParentFactory(pupil=pupil, parent=elsewhere)
    with pytest.raises(ValidationError, match="different addresses"):
        services.compose(actor=lead, draft=draft(case, FREE_LETTER,
                                                 recipients=[parent, elsewhere]))


class TestSecurity:
    @pytest.fixture
    def no_network(self, monkeypatch):
        attempts = []

        def refuse(sock, address):
            attempts.append(address)
            raise OSError("network refused by the test")

        monkeypatch.setattr(socket.socket, "connect", refuse)
        return attempts

    def test_a_pupil_named_like_an_html_image_is_printed_not_fetched(
        self, case, no_network, monkeypatch
    ):
        pupil, parent, lead = case
        pupil.first_name = '<img src="file:///etc/passwd">'
        parent.first_name = '<link rel="stylesheet" href="http://example.org/x.css">'
        fetched = []
        original = rendering.LetterFetcher.fetch
        monkeypatch.setattr(rendering.LetterFetcher, "fetch",
                            lambda self, url, headers=None: fetched.append(url)
                            or original(self, url, headers))
        composed = services.compose(actor=lead, draft=draft(case, "contract_invitation"))
        text = text_of(composed.rendered.pdf)
        assert '<img src="file:///etc/passwd">' in text
        assert '<link rel="stylesheet" href="http://example.org/' in text
        assert "root:" not in text
        assert [url for url in fetched if "passwd" in url or "example.org" in url] == []
        assert no_network == []

    @pytest.mark.parametrize(
        ("body", "told"),
        [
            ('{% include "letters/letter.html" %}', "{% include %} is not allowed"),
            ("{% load static %}<p>Hi</p>", "{% load %} is not allowed"),
            ('<p>See <a href="file:///etc/passwd">this</a></p>', "file or web address (file:)"),
            ('<p><img src="http://example.org/logo.png"></p>', "file or web address (http:)"),
            ("<p>{{ settings.SECRET_KEY }}</p>", "{{ settings.SECRET_KEY }} is not something"),
        ],
    )
    def test_an_override_that_reaches_for_files_code_or_the_web_is_refused_and_says_why(
        self, case, body, told
    ):
        pupil, _, _ = case
        headteacher = staff(StaffRole.HEADTEACHER, pupil.school)
        with pytest.raises(ValidationError) as refused:
            services.template_save(
                actor=headteacher, kind="conduct_reminder", language="en",
                organisation=pupil.school, body=body,
            )
        assert any(told in message for message in refused.value.messages)
        assert not LetterTemplate.objects.exists()

    def test_the_engine_itself_knows_no_include_or_load(self):
        for body in ('{% include "letters/letter.html" %}', "{% load static %}",
                     "{% debug %}", '{% extends "base.html" %}'):
            with pytest.raises(TemplateSyntaxError):
                rendering.ENGINE.from_string(body)

    def test_wording_that_only_becomes_an_image_when_rendered_is_refused_at_saving(self, case):
        pupil, _, _ = case
        headteacher = staff(StaffRole.HEADTEACHER, pupil.school)
        split = "{% comment %}{% endcomment %}"
        body = (f"<p>Hi</p><im{split}g s{split}rc=ht{split}tp://evil.example/x.png>"
                f"<li{split}nk rel=stylesheet hr{split}ef=fi{split}le:///etc/passwd>")
        assert rendering.template_problems(body, names=selectors.TEMPLATE_NAMES) == [], (
            "the source alone looks harmless: only its result shows what it is")
        with pytest.raises(ValidationError) as refused:
            services.template_save(actor=headteacher, kind="conduct_reminder", language="en",
                                   organisation=pupil.school, body=body)
        told = refused.value.message_dict["body"]
        assert "It produces an element letters do not use: <img>" in told
        assert "It produces an element letters do not use: <link>" in told
        assert not LetterTemplate.objects.exists()

    def test_a_stored_override_that_slipped_past_the_checks_is_not_used(self, case, no_network):
        pupil, _, lead = case
        LetterTemplate.objects.create(
            kind=FREE_LETTER, language="en", version=1, school=pupil.school,
            body='<p>Hi</p><img src="file:///etc/passwd"><link rel="stylesheet" '
                 'href="http://example.org/x.css">',
        )
        with pytest.raises(ValidationError, match="produces what a letter may not contain"):
            services.compose(actor=lead, draft=draft(case, FREE_LETTER))
        with pytest.raises(ValidationError, match="produces what a letter may not contain"):
            services.letter_issue(actor=lead, draft=draft(case, FREE_LETTER))
        assert not IssuedLetter.objects.exists()
        assert no_network == []

    def test_the_pdf_fetcher_still_reads_no_file_and_no_web_whatever_html_it_is_given(
        self, no_network
    ):
        rendered = rendering.render_pdf(
            '<html><body><p>Hi</p><img src="file:///etc/passwd"><link rel="stylesheet" '
            'href="http://example.org/x.css"></body></html>')
        assert set(rendered.refused) == {"file:///etc/passwd", "http://example.org/x.css"}
        assert "root:" not in text_of(rendered.pdf)
        assert no_network == []

    def test_the_preview_tells_the_user_why_the_wording_was_not_used(self, case, client):
        pupil, _, lead = case
        LetterTemplate.objects.create(
            kind=FREE_LETTER, language="en", version=1, school=pupil.school,
            body='<p>Hi</p><img src="file:///etc/passwd">',
        )
        client.force_login(lead)
        response = client.post(reverse("letter-new", args=[pupil.pk, FREE_LETTER]),
                               free_letter_form([pupil.parent_links.get().parent_id],
                                                action="preview"))
        body = response.content.decode()
        assert "produces what a letter may not contain" in body
        assert "It produces an element letters do not use: &lt;img&gt;" in body
        assert not IssuedLetter.objects.exists()

    @pytest.mark.parametrize("body", [
        "{% for a in facts.incident %}{% for b in facts.incident %}{% for c in facts.incident %}"
        "x{% endfor %}{% endfor %}{% endfor %}",
        "{% for a in facts.incident %}{% for b in facts.incident %}{{ facts.incident }}"
        "{% endfor %}{% endfor %}",
    ])
    def test_wording_that_repeats_without_end_is_stopped_and_says_why(self, case, body):
        pupil, _, _ = case
        headteacher = staff(StaffRole.HEADTEACHER, pupil.school)
        with pytest.raises(ValidationError) as refused:
            services.template_save(actor=headteacher, kind="conduct_reminder", language="en",
                                   organisation=pupil.school, body=body)
        assert "look for a {% for %} inside another {% for %}" in " ".join(
            refused.value.messages)
        assert not LetterTemplate.objects.exists()


def test_verify_letters_reports_a_tampered_pdf(case):
    _, _, lead = case
    good = services.letter_issue(actor=lead, draft=draft(case, FREE_LETTER))
    bad = services.letter_issue(actor=lead, draft=draft(case, FREE_LETTER))
    out = io.StringIO()
    call_command("verify_letters", stdout=out)
    assert "Checked 2 letters; 0 mismatched." in out.getvalue()
    with connection.cursor() as cursor:
        # Only by switching off the database's own guard (superuser only) can it be done.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE letters_issuedletter SET pdf = %s WHERE id = %s",
                       [bytes(bad.pdf) + b"\n%altered", bad.pk])
        cursor.execute("SET session_replication_role = DEFAULT")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 letter does not match its SHA-256"):
        call_command("verify_letters", stdout=out)
    assert f"MISMATCH letter {bad.pk}" in out.getvalue()
    assert f"letter {good.pk}:" not in out.getvalue()


def test_the_database_refuses_to_change_an_issued_letter(case):
    _, _, lead = case
    letter = services.letter_issue(actor=lead, draft=draft(case, FREE_LETTER))
    with pytest.raises(DatabaseError, match="kept exactly as sent"), transaction.atomic():
        IssuedLetter.objects.filter(pk=letter.pk).update(method="email")


class TestViews:
    def test_preview_writes_nothing_and_issue_keeps_the_letter(self, case, client):
        pupil, parent, lead = case
        client.force_login(lead)
        url = reverse("letter-new", args=[pupil.pk, FREE_LETTER])
        form = free_letter_form([parent.pk])
        preview = client.post(url, {**form, "action": "preview"})
        assert free_letter_facts()["reason"] in preview.content.decode()
        pdf = client.post(url, {**form, "action": "preview-pdf"})
        assert pdf["Content-Type"] == "application/pdf"
        assert not IssuedLetter.objects.exists()
        issued = client.post(url, {**form, "action": "issue"})
        assert issued.status_code == 302
        assert IssuedLetter.objects.get().kind == FREE_LETTER

    def test_a_rejected_letter_form_shows_errors_and_issues_nothing(self, case, client):
        pupil, _, lead = case
        client.force_login(lead)
        response = client.post(reverse("letter-new", args=[pupil.pk, FREE_LETTER]),
                               {"action": "issue"})
        body = response.content.decode()
        assert "govuk-error-summary" in body
        assert "Select who the letter is to" in body
        assert not IssuedLetter.objects.exists()

    def test_a_headteacher_saves_a_new_version_and_an_la_admin_cannot_touch_the_school(
        self, case, client
    ):
        pupil, _, _ = case
        headteacher = staff(StaffRole.HEADTEACHER, pupil.school)
        client.force_login(headteacher)
        url = reverse("letter-template-edit",
                      args=["school", pupil.school.pk, "conduct_reminder", "cy"])
        for wording in ("<p>Annwyl {{ salutation }}</p>", "<p>Annwyl {{ salutation }}!</p>"):
            assert client.post(url, {"body": wording}).status_code == 302
        versions = LetterTemplate.objects.filter(school=pupil.school, language="cy")
        assert sorted(versions.values_list("version", flat=True)) == [1, 2]
        admin = staff(StaffRole.LA_ADMIN, pupil.school.local_authority)
        client.force_login(admin)
        assert client.post(url, {"body": "<p>x</p>"}).status_code == 404
        la_url = reverse("letter-template-edit", args=[
            "localauthority", pupil.school.local_authority.pk, "conduct_reminder", "en"])
        assert client.post(la_url, {"body": "<p>LA wording {{ salutation }}</p>"}
                           ).status_code == 302


def test_each_letter_of_a_batch_succeeds_or_fails_alone_and_the_batch_ends(case):
    pupil, _, lead = case
    other = PupilFactory(school=pupil.school)
    PupilParentFactory(pupil=other)
    lonely = PupilFactory(school=pupil.school)
    broken = PupilFactory(school=pupil.school)
    batch = LetterBatch.objects.create(kind="contract_invitation", method="post",
                                       requested_by=lead, total=4, facts={})
    for member in (pupil, lonely, broken, other):
        batch.items.create(pupil=member)

    def issue(*, actor, pupil, batch):
        if pupil == lonely:
            raise ValidationError("No parent or carer is recorded.")
        if pupil == broken:
            # A database error part-way through one family's letter, as a too-long value.
            services.letter_issue(actor=actor, draft=draft(case, FREE_LETTER))
            raise DatabaseError("value too long for type character varying(300)")
        household = services.household_of(pupil)
        services.letter_issue(actor=actor, batch=batch, draft=services.Draft(
            pupil=pupil, kind=FREE_LETTER, language="en", recipients=household,
            method="post", facts=free_letter_facts()))

    services.batch_run(batch_id=batch.pk, issue=issue)
    services.batch_run(batch_id=batch.pk, issue=issue)
    batch.refresh_from_db()
    assert batch.status == "done"
    assert sorted(batch.letters.values_list("pupil", flat=True)) == sorted([pupil.pk, other.pk])
    # The broken item's half-made letter went with its failure.
    assert not IssuedLetter.objects.filter(pupil=broken).exists()
    items = {item.pupil_id: item for item in batch.items.all()}
    assert items[lonely.pk].status == "failed"
    assert items[lonely.pk].problem == "No parent or carer is recorded."
    assert items[broken.pk].status == "failed"
    assert "error on its side" in items[broken.pk].problem
    assert {items[pupil.pk].status, items[other.pk].status} == {"issued"}
    client = Client()
    client.force_login(lead)
    body = client.get(reverse("letter-batch-detail", args=[batch.pk])).content.decode()
    assert "2 of 4 issued" in body and "No parent or carer is recorded." in body


def test_an_item_that_stops_its_worker_every_time_still_ends(case):
    pupil, _, lead = case
    batch = LetterBatch.objects.create(kind="contract_invitation", method="post",
                                       requested_by=lead, total=1, facts={})
    item = batch.items.create(pupil=pupil, attempts=services.BATCH_ITEM_ATTEMPTS)
    services.batch_run(batch_id=batch.pk, issue=lambda **_: pytest.fail("not tried again"))
    item.refresh_from_db()
    batch.refresh_from_db()
    assert (item.status, batch.status) == ("failed", "done")
    assert "tried 3 times" in item.problem


@pytest.mark.parametrize(
    ("body", "told"),
    [
        ('<video poster="//evil.example/x.png"></video>', "loads or runs something"),
        ('<meta http-equiv="refresh" content="0;url=//evil.example/">', "loads or runs"),
        ('<p><a href="//evil.example/">x</a></p>', "an address in an attribute"),
        ("<p>{% %}</p>", "An empty {% %}"),
    ],
)
def test_more_ways_to_reach_out_are_refused(body, told):
    problems = rendering.template_problems(body, names=selectors.TEMPLATE_NAMES)
    assert any(told in problem for problem in problems)


@pytest.mark.parametrize("kind", sorted(CONDUCT_KINDS))
def test_the_letters_page_issues_no_conduct_letter_outside_its_step(case, client, kind):
    pupil, parent, lead = case
    headteacher = staff(StaffRole.HEADTEACHER, pupil.school)
    client.force_login(headteacher)
    kinds_page = client.get(reverse("letter-kinds", args=[pupil.pk])).content.decode()
    assert reverse("letter-new", args=[pupil.pk, kind]) not in kinds_page
    assert "Issued from the adult&#x27;s conduct record" in kinds_page
    url = reverse("letter-new", args=[pupil.pk, kind])
    assert client.get(url).status_code == 403
    issued = client.post(url, {"recipients": [parent.pk], "language": "en", "method": "post",
                               "action": "issue", **facts_for(kind)})
    assert issued.status_code == 403
    with pytest.raises(ValidationError, match="adult's conduct record"):
        services.letter_issue(actor=headteacher, draft=draft(case, kind))
    with pytest.raises(ValidationError, match="adult's conduct record"):
        services.letter_issue(actor=headteacher, draft=draft(case, kind), issued_from="contract")
    assert not IssuedLetter.objects.exists()


def test_contract_step_letters_are_only_issued_from_the_contract(case, client):
    pupil, _, lead = case
    client.force_login(lead)
    response = client.get(reverse("letter-new", args=[pupil.pk, "formal_warning"]))
    assert response.status_code == 403
    assert "Issued from the contract" in response.content.decode()
    kinds_page = client.get(reverse("letter-kinds", args=[pupil.pk])).content.decode()
    assert "Issued at its step" in kinds_page
    response = client.get(reverse("letter-new", args=[pupil.pk, "final_warning"]))
    assert response.status_code == 403
    assert "parenting order case" in response.content.decode()


def test_the_eligibility_page_knows_a_final_warning_was_issued(case):
    from cases.selectors import pupil_eligibility

    pupil, _, lead = case
    for days in (40, 10):
        ExclusionFactory(pupil=pupil, start_date=date.today() - timedelta(days=days),
                         serious_misbehaviour=True)

    def final_warning_check():
        eligibility = pupil_eligibility(lead, pupil_id=pupil.pk, today=date.today())
        order = next(m for m in eligibility.measures if m.name.startswith("Parenting order"))
        return next(c for c in order.verdict.checks if "final warning" in c.text)

    assert not final_warning_check().met
    services.letter_issue(actor=lead, draft=draft(case, "final_warning"), issued_from="order")
    assert final_warning_check().met
    assert final_warning_check().text.startswith("A final warning letter was issued on")
