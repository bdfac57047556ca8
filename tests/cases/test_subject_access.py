"""Subject access requests: the export's contents, redaction, scope, the record kept of it."""

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases import services, subject_access, submissions
from cases.models import AccessRecord, DocumentCategory, StaffRole, TimelineEvent
from cases.subject_access import Redactor, answer_due
from conduct import services as conduct_services
from contracts import services as contract_services
from letters import services as letter_services
from letters.models import IssuedLetter
from tests.clients import FormClient
from tests.factories import (
    FREE_LETTER,
    AgencyFactory,
    ExclusionFactory,
    ParentCarerFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    free_letter_facts,
    staff,
)

RECEIVED = {"received_on_0": "31", "received_on_1": "1", "received_on_2": "2026"}


def _letter(actor, pupil, parent):
    return letter_services.letter_issue(actor=actor, draft=letter_services.Draft(
        pupil=pupil, kind=FREE_LETTER, language="en", recipients=[parent], method="post",
        facts=free_letter_facts()))


@pytest.fixture
def case(db):
    """A pupil with two parents (one to answer for, one a third party), a case file with a
    little of everything, and a sibling with a case file of their own."""
    school = SchoolFactory()
    head = staff(StaffRole.HEADTEACHER, school)
    mother = ParentCarerFactory(title="Mrs", first_name="Ann", last_name="Ashby",
                                phone="07700 900123")
    stepfather = ParentCarerFactory(first_name="Rob", last_name="Fletcher")
    pupil = PupilFactory(school=school, first_name="Jordan", last_name="Ashby")
    PupilParentFactory(pupil=pupil, parent=mother)
    PupilParentFactory(pupil=pupil, parent=stepfather, relationship="step_parent")
    ExclusionFactory(pupil=pupil, start_date=date(2026, 1, 12))
    agency = AgencyFactory(local_authority=school.local_authority)
    services.agency_involvement_record(actor=head, pupil=pupil, agency=agency,
                                       key_worker="Kim Wardle", started_on=date(2026, 1, 5))
    services.meeting_record(
        actor=head, pupil=pupil, held_on=date(2026, 2, 2), purpose="Support plan",
        attendees="Dee Hollis, social worker\nAnn", agencies=[agency],
        decisions="Ann said the Annual review with Joanne and Rob Fletcher is due.",
        actions=[services.ActionPlan("Call home", "Dee Hollis", date(2026, 3, 1))])
    document = services.document_upload(
        actor=head, pupil=pupil, title="Engagement log", category=DocumentCategory.ENGAGEMENT,
        upload=SimpleUploadedFile("log book.pdf", b"%PDF-1.4 engagement log"))
    letter = _letter(head, pupil, mother)
    contract = contract_services.contract_create(actor=head, pupil=pupil, kind="behaviour",
                                                 parents=[mother, stepfather])
    contract_services.contract_update_content(
        actor=head, contract=contract, concerns="Fights at break", aims="Calm breaks",
        objectives="o; h; w", support="Mentor", parent_requirements="Attend meetings",
        starts_on=date.today(), review_on=date.today() + timedelta(days=40),
        ends_on=date.today() + timedelta(days=120))
    contract_services.consultation_record(actor=head, contract=contract, agency=agency,
                                          consulted_on=date.today(), views="Supports it")
    contract_services.contract_offer(actor=head, contract=contract, method="post", letter_facts={
        "meeting_on": date.today(), "meeting_time": "10am", "meeting_place": "School",
        "contact": "Office", "reply_by": date.today()})
    contract_services.contract_sign(actor=head, contract=contract, method="post",
                                    signatures=[{"name": "Ann Ashby", "role": "parent"}],
                                    consents={mother.pk: "given", stepfather.pk: "refused"})
    sibling = PupilFactory(school=school, first_name="Casey", last_name="Ashby")
    PupilParentFactory(pupil=sibling, parent=mother)
    ExclusionFactory(pupil=sibling, start_date=date(2026, 2, 20))
    sibling_document = services.document_upload(
        actor=head, pupil=sibling, title="Sibling statement",
        upload=SimpleUploadedFile("sib.pdf", b"%PDF-1.4 sibling"))
    return {"school": school, "head": head, "pupil": pupil, "mother": mother,
            "stepfather": stepfather, "letter": letter, "document": document,
            "sibling": sibling, "sibling_document": sibling_document, "contract": contract}


def _client(user):
    client = FormClient()
    client.force_login(user)
    return client


def _page(pupil, who="pupil", received=RECEIVED):
    query = "&".join(f"{k}={v}" for k, v in {"who": who, **received}.items())
    return reverse("subject-access-request", args=[pupil.pk]) + "?" + query


def _export(client, pupil, who="pupil", **form):
    response = client.post(_page(pupil, who), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    download = client.get(response["Location"])
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    return archive


def _summary(archive) -> str:
    reader = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _data(archive) -> dict:
    return json.loads(archive.read("data.json"))


def _key(held, name):
    return next(p.key for p in held.people if p.name == name)


def test_the_answer_is_due_a_calendar_month_after_receipt():
    assert answer_due(date(2026, 1, 31)) == date(2026, 2, 28)
    assert answer_due(date(2028, 1, 31)) == date(2028, 2, 29)
    assert answer_due(date(2026, 3, 3)) == date(2026, 4, 3)
    assert answer_due(date(2026, 12, 15)) == date(2027, 1, 15)


def test_redaction_replaces_whole_names_only_whatever_their_case():
    redact = Redactor(["Ann", "Rob Fletcher"])
    assert (redact.text("ANN met rob  fletcher; Annual review, Joanne, Robert Fletcherson.")
            == "[redacted] met [redacted]; Annual review, Joanne, Robert Fletcherson.")
    assert redact.data({"a": ["Ann", 3], "b": "Anne"}) == {"a": ["[redacted]", 3], "b": "Anne"}


def test_the_pupils_export_holds_a_readable_summary_the_files_as_stored_and_the_data(case):
    archive = _export(_client(case["head"]), case["pupil"])
    names = archive.namelist()
    letter, document = case["letter"], case["document"]
    letter_name = (f"letters/{timezone.localtime(letter.issued_at):%Y-%m-%d}-{FREE_LETTER}-"
                   f"{letter.pk}.pdf")
    document_name = f"documents/{document.pk}-log-book.pdf"
    assert {"summary.pdf", "data.json", "README.txt", letter_name, document_name} <= set(names)
    stored = bytes(IssuedLetter.objects.get(pk=letter.pk).pdf)
    assert archive.read(letter_name) == stored
    assert archive.read(document_name) == b"%PDF-1.4 engagement log"
    summary = _summary(archive)
    for heading in ("Details held", "Parents and carers", "Exclusions",
                    "Contracts and their steps", "Parenting orders", "Agencies",
                    "Multi-agency meetings", "Letters and documents", "The case timeline"):
        assert heading in summary
    assert "Jordan Ashby" in summary and "Fights at break" in summary
    assert "Kim Wardle" in summary and "12 January 2026" in summary
    assert "28 February 2026" in summary  # received 31 January
    data = _data(archive)
    files = {f["file"]: f for f in data["files"]}
    assert files[letter_name]["sha256"] == hashlib.sha256(stored).hexdigest() == letter.sha256
    assert files[document_name]["sha256"] == document.sha256
    assert data["sections"]["details"][0]["upn"] == case["pupil"].upn
    assert data["sections"]["exclusions"][0]["start_date"] == "2026-01-12"
    assert data["request"] == {**data["request"], "received_on": "2026-01-31",
                               "answer_due": "2026-02-28"}
    assert "letters/" in archive.read("README.txt").decode()


def test_ticked_names_are_redacted_in_the_summary_and_the_data_and_unticked_ones_stay(case):
    held = subject_access.pupil_held(case["pupil"].pk, user=case["head"])
    attendee = next(p.key for p in held.people if p.name == "Ann" and p.key.startswith("att"))
    archive = _export(_client(case["head"]), case["pupil"], redacted=[
        attendee, _key(held, "Rob Fletcher"), _key(held, "Kim Wardle")])
    summary, data = _summary(archive), archive.read("data.json").decode()
    for text in (summary, data):
        assert "Rob Fletcher" not in text and "Kim Wardle" not in text
        assert "[redacted] said the Annual review with Joanne and [redacted] is due" in text
        assert "Dee Hollis" in text  # not ticked
    assert "Jordan Ashby" in summary  # the subject is never offered


def test_a_left_out_letter_or_document_is_not_in_the_export(case):
    held = subject_access.pupil_held(case["pupil"].pk, user=case["head"])
    kept = held.files[-2]  # the signed contract, issued after the letter above
    left_out = [f.key for f in held.files if f != kept]
    assert f"letter:{case['letter'].pk}" in left_out
    archive = _export(_client(case["head"]), case["pupil"], left_out=left_out)
    assert [n for n in archive.namelist() if n.startswith(("letters/", "documents/"))] == [
        kept.zip_name]
    data = _data(archive)
    assert [f["reference"] for f in data["files"]] == [kept.key]
    assert [e["reference"] for e in data["sections"]["letters"]] == [int(kept.key[7:])]
    assert data["request"]["letters_or_documents_left_out"] == len(left_out)


def test_the_pupils_export_holds_nothing_of_a_siblings_case(case):
    archive = _export(_client(case["head"]), case["pupil"])
    everything = _summary(archive) + archive.read("data.json").decode()
    assert "Casey" not in everything and "Sibling statement" not in everything
    assert "20 February 2026" not in everything and "2026-02-20" not in everything
    assert not [n for n in archive.namelist() if "sib" in n]


def test_a_parents_export_holds_what_is_about_them_and_no_other_pupils_file(case):
    mother = case["mother"]
    sibling_letter = _letter(case["head"], case["sibling"], mother)
    held = subject_access.parent_held(case["pupil"].pk, mother.pk, user=case["head"])
    # The other parent is a third party to her: offered, and ticked to start with.
    assert [p.ticked for p in held.people if p.name == "Rob Fletcher"] == [True]
    archive = _export(_client(case["head"]), case["pupil"], who=f"parent-{mother.pk}",
                      redacted=[p.key for p in held.people if p.ticked])
    data, summary = _data(archive), _summary(archive)
    assert data["sections"]["details"][0]["phone"] == "07700 900123"
    assert {p["title"] for p in data["sections"]["pupils"]} == {"Jordan Ashby", "Casey Ashby"}
    files = {f["reference"] for f in data["files"]}
    to_her = {f"letter:{pk}" for pk in mother.letters.values_list("pk", flat=True)}
    assert {f"letter:{case['letter'].pk}", f"letter:{sibling_letter.pk}"} <= to_her
    assert files == to_her | {f"document:{case['document'].pk}"}
    consents = [e for e in data["sections"]["contracts"] if "consent" in e["title"]]
    assert [c["decision"] for c in consents] == ["given"]
    assert "Rob Fletcher" not in summary and "Rob Fletcher" not in json.dumps(data)
    # The sibling's exclusion and the pupil's own records are not hers.
    assert "2026-02-20" not in json.dumps(data) and "2026-01-12" not in json.dumps(data)
    assert "Kim Wardle" not in summary and "Sibling statement" not in summary


def _incident(case):
    return conduct_services.incident_record(
        actor=case["head"], pupil=case["pupil"], occurred_at=timezone.now(), place="gate",
        channel="face_to_face", categories=["threats"], description="Shouted at the gate",
        affected=["staff"], parents=[case["mother"]], witnesses="Pat Quinn, lollipop person",
        new_adult=conduct_services.NewAdult("Mr", "Lee", "Moss", "Partner", "1 Road", "AB1 2CD"),
        files=[("Photo", SimpleUploadedFile("p.pdf", b"%PDF-1.4 photo"))])


def test_a_headteacher_gives_a_parent_their_conduct_records(case):
    _incident(case)
    mother = case["mother"]
    held = subject_access.parent_held(case["pupil"].pk, mother.pk, user=case["head"])
    ticked = {p.name for p in held.people if p.ticked}
    assert {"Mr Lee Moss", "Pat Quinn"} <= ticked
    archive = _export(_client(case["head"]), case["pupil"], who=f"parent-{mother.pk}",
                      redacted=[p.key for p in held.people if p.ticked])
    summary = _summary(archive)
    assert "Conduct records" in summary and "Shouted at the gate" in summary
    assert "Lee Moss" not in summary and "Pat Quinn" not in summary
    assert [n for n in archive.namelist() if n.startswith("documents/conduct-")]


def test_the_la_admin_is_told_conduct_records_are_left_to_those_who_read_them(case):
    _incident(case)
    admin = staff(StaffRole.LA_ADMIN, case["school"].local_authority)
    mother = case["mother"]
    page = _client(admin).get(_page(case["pupil"], f"parent-{mother.pk}"))
    assert "Conduct records about this adult may exist" in page.content.decode()
    archive = _export(_client(admin), case["pupil"], who=f"parent-{mother.pk}")
    summary = _summary(archive)
    assert "Shouted at the gate" not in summary and "Conduct: ban" not in summary
    assert not [n for n in archive.namelist() if "conduct" in n]


def test_the_export_is_logged_and_on_the_timeline_without_names_and_a_repeat_does_it_once(case):
    client, pupil = _client(case["head"]), case["pupil"]
    held = subject_access.pupil_held(pupil.pk, user=case["head"])
    form = {submissions.FIELD: submissions.new_key(), "redacted": [_key(held, "Kim Wardle")],
            "left_out": [f"letter:{case['letter'].pk}"]}
    first = client.post(_page(pupil), form)
    again = client.post(_page(pupil), form)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    events = TimelineEvent.objects.filter(pupil=pupil, kind="subject_access_answered")
    assert events.count() == 1
    assert events.get().summary == ("Subject access request for the pupil, received 31 January "
                                    "2026, answered: 1 name redacted, 1 letter or document "
                                    "left out.")
    assert not AccessRecord.objects.filter(what="subject_access").exists()
    client.get(first["Location"])
    record = AccessRecord.objects.get(what="subject_access")
    assert (record.label, record.pupil_id, record.user) == (
        "Subject access export for the pupil", pupil.pk, case["head"])
    _export(client, pupil, who=f"parent-{case['mother'].pk}")
    assert AccessRecord.objects.filter(what="subject_access").order_by("pk").last().label == (
        f"Subject access export for a parent or carer {case['mother'].pk}")


def test_only_the_headteacher_and_the_la_admin_answer_and_only_for_their_pupils(case):
    pupil = case["pupil"]
    url = _page(pupil)
    assert _client(case["head"]).get(url).status_code == 200
    assert _client(staff(StaffRole.LA_ADMIN, case["school"].local_authority)).get(
        url).status_code == 200
    refused = _client(staff(StaffRole.SCHOOL_LEAD, case["school"])).get(url)
    assert refused.status_code == 403
    assert "answered by the headteacher" in refused.content.decode()
    other_head = staff(StaffRole.HEADTEACHER, SchoolFactory(
        local_authority=case["school"].local_authority))
    assert _client(other_head).get(url).status_code == 404
    case_page = _client(case["head"]).get(reverse("pupil-detail", args=[pupil.pk]))
    assert "Subject access request" in case_page.content.decode()
    lead_page = _client(staff(StaffRole.SCHOOL_LEAD, case["school"])).get(
        reverse("pupil-detail", args=[pupil.pk]))
    assert "Subject access request" not in lead_page.content.decode()


def test_it_refuses_unknown_choices_with_a_message_not_an_error(case):
    client, pupil = _client(case["head"]), case["pupil"]
    other_parent = PupilParentFactory(pupil=PupilFactory(school=case["school"])).parent
    for who in ("parent-999999", f"parent-{other_parent.pk}", "x" * 5000, "parent-1e9"):
        page = client.get(_page(pupil, who))
        assert page.status_code == 200
        assert "Select whose information is asked for" in page.content.decode()
    page = client.get(_page(pupil, received={"received_on_0": "9" * 3000, "received_on_1": "1",
                                             "received_on_2": "2026"}))
    assert "must be a real date" in page.content.decode()
    page = client.get(_page(pupil, received={"received_on_0": "1", "received_on_1": "1",
                                             "received_on_2": str(date.today().year + 1)}))
    assert "today or in the past" in page.content.decode()
    sibling_letter = _letter(case["head"], case["sibling"], case["mother"])
    for form in ({"left_out": [f"letter:{sibling_letter.pk}"]}, {"redacted": ["staff:0"]},
                 {"left_out": ["x" * 10000]}):
        response = client.post(_page(pupil), form)
        assert response.status_code == 200
        assert "from the list" in response.content.decode()
    assert not TimelineEvent.objects.filter(kind="subject_access_answered").exists()
    other = PupilFactory(school=case["school"])
    assert client.get(reverse("subject-access-download", args=[other.pk, 1])).status_code == 404


def test_it_refuses_an_export_larger_than_it_builds(case, monkeypatch):
    monkeypatch.setattr(subject_access, "SIZE_LIMIT", 10)
    response = _client(case["head"]).post(_page(case["pupil"]), {})
    assert response.status_code == 200
    assert "more than Pact builds at once" in response.content.decode()
    assert not TimelineEvent.objects.filter(kind="subject_access_answered").exists()


def test_the_request_page_costs_the_same_with_a_longer_case(case):
    client, pupil, head = _client(case["head"]), case["pupil"], case["head"]
    client.get(reverse("dashboard"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_page(pupil)).status_code == 200
        return len(captured)

    def grow():
        for i in range(3):
            PupilParentFactory(pupil=pupil)
            ExclusionFactory(pupil=pupil, start_date=date(2026, 1, 20) + timedelta(i))
            services.meeting_record(
                actor=head, pupil=pupil, held_on=date(2026, 2, 2), purpose=f"Meeting {i}",
                attendees="A\nB", agencies=[], decisions="Decided",
                actions=[services.ActionPlan("Act", "Owner", date(2026, 3, 1))])
            services.document_upload(actor=head, pupil=pupil, title=f"Doc {i}",
                                     upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4 doc"))
            _letter(head, pupil, case["mother"])

    small = queries()
    grow()
    assert queries() == small
    assert small <= 40
