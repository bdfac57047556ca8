"""Disposal under the retention schedule: listed when due, reviewed, confirmed by the LA
admin, then anonymised in place, with the counts kept."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import moves, retention, services
from cases.models import Disposal, Pupil, RetentionRule, StaffRole, TimelineEvent
from cases.retention import years_before
from conduct import services as conduct_services
from letters import services as letter_services
from letters.models import IssuedLetter
from orders import services as order_services
from reporting.services import return_take
from reporting.terms import ended_terms
from tests.clients import FormClient as Client
from tests.factories import (
    ExclusionFactory,
    PupilFactory,
    PupilParentFactory,
    free_letter_facts,
    staff,
)

TODAY = timezone.localdate()
SEVEN_YEARS_ON = TODAY + timedelta(days=7 * 366)


@pytest.fixture(autouse=True)
def _schedule(retention_schedule):
    pass


@pytest.fixture
def la_admin(school):
    return staff(StaffRole.LA_ADMIN, school.local_authority)


@pytest.fixture
def left_case(pupil, school_lead):
    """A pupil with a parent, an exclusion, a document and a letter, who left today."""
    link = PupilParentFactory(pupil=pupil)
    ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=20))
    services.document_upload(actor=school_lead, pupil=pupil, title=f"{pupil.last_name} report",
                             upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4 report"))
    letter_services.letter_issue(actor=school_lead, draft=letter_services.Draft(
        pupil=pupil, kind="contract_review_invitation", language="en",
        recipients=[link.parent], method="post", facts=free_letter_facts()))
    moves.pupil_leave(pupil=pupil, left_on=TODAY, by=school_lead, left_for="other",
                      destination=f"Moved abroad with {link.parent.last_name}")
    pupil.refresh_from_db()
    return pupil


def listed(la, today) -> list[Disposal]:
    retention.disposals_list(la=la, today=today)
    return list(Disposal.objects.filter(local_authority=la))


def test_the_schedule_names_each_period_and_its_authority(db):
    rules = {rule.kind: rule for rule in RetentionRule.objects.all()}
    assert rules["case_file"].years == 6
    assert "Limitation Act 1980" in rules["case_file"].source
    assert "Monmouthshire" in rules["conduct_record"].source


def test_a_case_file_is_listed_once_six_years_after_it_went_quiet(school, left_case):
    la = school.local_authority
    assert listed(la, TODAY + timedelta(days=5 * 366)) == []
    due = listed(la, SEVEN_YEARS_ON)
    assert [(d.kind, d.subject_id, d.status) for d in due] == [
        ("case_file", left_case.pk, "due")]
    assert left_case.last_name not in due[0].label
    assert len(listed(la, SEVEN_YEARS_ON + timedelta(days=1))) == 1


def test_a_pupil_still_on_roll_is_never_listed(school, pupil):
    ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=20))
    assert listed(school.local_authority, TODAY + timedelta(days=20 * 366)) == []


def test_a_case_with_a_parenting_order_keeps_the_orders_period(school, left_case, la_officer):
    order_services.order_request(actor=la_officer, pupil=left_case,
                                 parents=[left_case.parent_links.get().parent], reasons="r")
    RetentionRule.objects.filter(kind="parenting_order").update(years=8)
    assert listed(school.local_authority, SEVEN_YEARS_ON) == []
    assert len(listed(school.local_authority, TODAY + timedelta(days=9 * 366))) == 1


def test_the_review_changes_nothing_and_counts_what_will_go(school, left_case, la_admin):
    [disposal] = listed(school.local_authority, SEVEN_YEARS_ON)
    client = Client()
    client.force_login(la_admin)
    response = client.get(reverse("disposal-review", args=[disposal.pk]))
    assert response.status_code == 200
    removal = response.context["removal"]
    assert removal.rows["pupils"] == 1 and removal.rows["parents and carers"] == 1
    assert removal.files == 1 and removal.letters == 1
    left_case.refresh_from_db()
    assert left_case.first_name != "Removed"
    assert "This cannot be undone" in response.content.decode()


def every_text(pupil_id: int) -> str:
    """Every word left in the database about anything (a crude, thorough search)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(t::text, ' ') FROM cases_pupil t WHERE id = %s",
                       [pupil_id])
        words = [cursor.fetchone()[0]]
        for table in ("cases_parentcarer", "cases_timelineevent", "cases_document",
                      "letters_issuedletter", "cases_exclusion", "cases_pupilmove"):
            cursor.execute(f"SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t")
            words.append(cursor.fetchone()[0])
    return " ".join(words)


def test_confirming_anonymises_in_place_and_keeps_the_counts(
        school, left_case, la_admin, django_capture_on_commit_callbacks):
    parent = left_case.parent_links.get().parent
    names = [left_case.first_name, left_case.last_name, parent.first_name, parent.last_name,
             left_case.upn]
    document = left_case.documents.get()
    stored = document.file.name
    term = ended_terms(school.local_authority, TODAY + timedelta(days=200))[0]
    before = return_take(school_id=school.pk, term=term)
    # Due today, so that the LA admin confirms it on the page as it stands.
    RetentionRule.objects.update(years=0)
    [disposal] = listed(school.local_authority, TODAY)
    client = Client()
    client.force_login(la_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("disposal-review", args=[disposal.pk]))
    assert response.status_code == 302
    disposal.refresh_from_db()
    assert disposal.status == "done" and disposal.confirmed_by == la_admin
    text = every_text(left_case.pk)
    for name in names:
        assert name not in text, name
    left_case.refresh_from_db()
    assert left_case.upn.startswith("ANON") and left_case.date_of_birth.month == 1
    assert bytes(IssuedLetter.objects.get(pupil=left_case).pdf) == b""
    assert not document.file.storage.exists(stored)
    assert left_case.exclusions.count() == 1
    assert left_case.timeline.filter(kind=TimelineEvent.Kind.DISPOSED).exists()
    after = return_take(school_id=school.pk, term=term)
    assert (after.pk, after.counts) == (before.pk, before.counts)


def test_a_repeat_confirmation_changes_nothing_more(school, left_case, la_admin):
    [disposal] = listed(school.local_authority, SEVEN_YEARS_ON)
    first = retention.disposal_carry_out(actor=la_admin, disposal_id=disposal.pk,
                                         today=SEVEN_YEARS_ON)
    events = left_case.timeline.count()
    again = retention.disposal_carry_out(actor=la_admin, disposal_id=disposal.pk,
                                         today=SEVEN_YEARS_ON)
    assert first.status == again.status == "done"
    assert left_case.timeline.count() == events


def test_a_record_that_changed_since_it_was_listed_is_kept(school, left_case, la_admin,
                                                          school_lead):
    [disposal] = listed(school.local_authority, SEVEN_YEARS_ON)
    ExclusionFactory(pupil=left_case, start_date=TODAY)
    services.timeline_record(pupil=left_case, actor=school_lead, kind="exclusion_recorded",
                             summary="A late entry")
    Pupil.objects.filter(pk=left_case.pk).update(left_on=TODAY + timedelta(days=400))
    done = retention.disposal_carry_out(actor=la_admin, disposal_id=disposal.pk,
                                        today=SEVEN_YEARS_ON)
    assert done.status == "not_due" and "kept" in done.outcome["reason"]
    left_case.refresh_from_db()
    assert left_case.first_name != "Removed"


@pytest.mark.parametrize("setting", [None, "due"])
def test_the_database_refuses_anonymising_outside_a_confirmed_disposal(school, left_case,
                                                                       setting):
    [disposal] = listed(school.local_authority, SEVEN_YEARS_ON)
    event = left_case.timeline.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        if setting:
            cursor.execute("SELECT set_config('pact.disposal', %s, true)", [str(disposal.pk)])
        cursor.execute("UPDATE cases_timelineevent SET summary = 'x' WHERE id = %s",
                       [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_timelineevent WHERE id = %s", [event.pk])


@pytest.fixture
def warned_adult(school, pupil):
    head = staff(StaffRole.HEADTEACHER, school)
    parent = PupilParentFactory(pupil=pupil).parent
    incident = conduct_services.incident_record(
        actor=head, pupil=pupil, occurred_at=timezone.now(), place="gate",
        channel="face_to_face", categories=["threats"], description=f"{parent.last_name} shouted",
        affected=["staff"], parents=[parent],
        files=[("Statement", SimpleUploadedFile("s.pdf", b"%PDF-1.4 statement"))])
    record = incident.adults.get()
    conduct_services.warning_send(actor=head, record=record, incident=incident,
                                  summary="Shouting at the gate", method="post")
    return record


def test_a_conduct_record_at_rest_goes_a_year_after_its_last_step(
        school, warned_adult, la_admin, django_capture_on_commit_callbacks):
    la = school.local_authority
    assert listed(la, TODAY + timedelta(days=200)) == []
    [disposal] = listed(la, TODAY + timedelta(days=400))
    assert disposal.kind == "conduct_record"
    evidence = warned_adult.incidents.get().evidence.get()
    with django_capture_on_commit_callbacks(execute=True):
        retention.disposal_carry_out(actor=la_admin, disposal_id=disposal.pk,
                                     today=TODAY + timedelta(days=400))
    warned_adult.refresh_from_db()
    assert warned_adult.events.first().summary == "Anonymised under the retention schedule"
    incident = warned_adult.incidents.get()
    assert incident.description == "Removed"
    assert not evidence.file.storage.exists(evidence.file.name)
    letter = IssuedLetter.objects.get(conduct_step__record=warned_adult)
    assert bytes(letter.pdf) == b""
    # The pupil's case file is the case file's to dispose of: untouched.
    assert warned_adult.pupil.first_name != "Removed"


def test_a_case_file_disposal_leaves_the_conduct_letters_to_their_own_rule(
        school, warned_adult, la_admin):
    pupil = warned_adult.pupil
    Pupil.objects.filter(pk=pupil.pk).update(left_on=TODAY)
    [case_file] = [d for d in listed(school.local_authority, SEVEN_YEARS_ON)
                   if d.kind == "case_file"]
    retention.disposal_carry_out(actor=la_admin, disposal_id=case_file.pk,
                                 today=SEVEN_YEARS_ON)
    letter = IssuedLetter.objects.get(conduct_step__record=warned_adult)
    assert bytes(letter.pdf) != b""
    # The adult the conduct record is about keeps their name while the record stands.
    parent = warned_adult.parent
    parent.refresh_from_db()
    assert parent.first_name != "Removed"


def test_only_the_la_admin_of_the_la_sees_the_schedule_and_disposals(school, left_case,
                                                                    la_admin):
    [disposal] = listed(school.local_authority, SEVEN_YEARS_ON)
    other_admin = staff(StaffRole.LA_ADMIN, PupilFactory().school.local_authority)
    client = Client()
    client.force_login(other_admin)
    assert client.get(reverse("disposal-review", args=[disposal.pk])).status_code == 404
    assert client.post(reverse("disposal-review", args=[disposal.pk])).status_code == 404
    disposal.refresh_from_db()
    assert disposal.status == "due"
    client.force_login(staff(StaffRole.HEADTEACHER, school))
    assert client.get(reverse("retention")).status_code == 403
    client.force_login(la_admin)
    page = client.get(reverse("retention"))
    assert [d.pk for d in page.context["page"].due] == [disposal.pk]


def test_years_before_a_leap_day_falls_on_the_last_day_of_february():
    assert years_before(date(2032, 2, 29), 6) == date(2026, 2, 28)


def test_the_retention_page_costs_the_same_however_many_records_are_due(school, la_admin):
    client = Client()
    client.force_login(la_admin)
    client.get(reverse("dashboard"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("retention")).status_code == 200
        return len(captured)

    def list_one() -> None:
        pupil = PupilFactory(school=school, left_on=TODAY)
        Disposal.objects.create(kind="case_file", subject_id=pupil.pk, school=school,
                                local_authority=school.local_authority, label="Case file",
                                kept_since=TODAY)

    list_one()
    small = queries()
    for _ in range(12):
        list_one()
    assert queries() == small
