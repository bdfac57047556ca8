import time
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.access import staff_grant_role
from cases.models import (
    Document,
    Exclusion,
    ExclusionReason,
    MultiAgencyMeeting,
    ParentCarer,
    Pupil,
    StaffRole,
)
from tests.clients import FormClient as Client
from tests.factories import AgencyFactory, ExclusionFactory, PupilFactory, SchoolFactory, staff


@pytest.fixture
def client_for(db):
    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


def pupil_form(school, **overrides):
    data = {
        "first_name": "Ava", "last_name": "Okoro", "date_of_birth_0": "3",
        "date_of_birth_1": "2", "date_of_birth_2": "2014", "upn": "H801200001001",
        "school": school.pk, "sen_status": "none",
    }
    data.update(overrides)
    return data


def exclusion_form(**overrides):
    data = {
        "kind": "suspension", "start_date_0": "3", "start_date_1": "3", "start_date_2": "2026",
        "school_days": "2", "reasons": [ExclusionReason.objects.get(code="DB").pk],
    }
    data.update(overrides)
    return data


def error_summary(response) -> str:
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "<title>Error:" in body
    return body


class TestAddingAPupil:
    def test_it_adds_a_pupil_and_shows_the_case_page(self, school, school_lead, client_for):
        response = client_for(school_lead).post(reverse("pupil-add"), pupil_form(school))
        pupil = Pupil.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("pupil-detail", args=[pupil.pk])

    def test_a_bad_upn_is_explained_and_nothing_is_saved(self, school, school_lead, client_for):
        response = client_for(school_lead).post(
            reverse("pupil-add"), pupil_form(school, upn="A801200001001")
        )
        body = error_summary(response)
        assert 'href="#id_upn"' in body
        assert "The check letter does not match" in body
        assert not Pupil.objects.exists()

    @pytest.mark.parametrize(
        ("day", "message"),
        [("31", "must be a real date"), ("", "must include a day")],
    )
    def test_an_impossible_date_of_birth_is_explained(
        self, school, school_lead, client_for, day, message
    ):
        response = client_for(school_lead).post(
            reverse("pupil-add"), pupil_form(school, date_of_birth_0=day, date_of_birth_1="2")
        )
        body = error_summary(response)
        assert 'href="#id_date_of_birth_0"' in body
        assert message in body
        assert not Pupil.objects.exists()

    def test_a_lead_cannot_choose_another_schools_roll(self, school, school_lead, client_for):
        other = SchoolFactory(local_authority=school.local_authority)
        response = client_for(school_lead).post(reverse("pupil-add"), pupil_form(other))
        assert "Select a valid choice" in error_summary(response)
        assert not Pupil.objects.exists()


class TestRecordingOnACase:
    def test_an_exclusion_is_recorded_and_listed(self, pupil, school_lead, client_for):
        client = client_for(school_lead)
        response = client.post(reverse("exclusion-add", args=[pupil.pk]), exclusion_form())
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "Suspension from 3 March 2026, 2 school days" in page
        assert "Suspension from 3 Mar 2026 recorded" in page

    def test_an_empty_exclusion_form_saves_nothing(self, pupil, school_lead, client_for):
        response = client_for(school_lead).post(reverse("exclusion-add", args=[pupil.pk]), {})
        body = error_summary(response)
        for message in ("Select the type of exclusion", "Enter the start date",
                        "Select between one and three reasons"):
            assert message in body
        assert not Exclusion.objects.exists()

    def test_a_lunchtime_suspension_counts_half_a_day(self, pupil, school_lead, client_for):
        client_for(school_lead).post(
            reverse("exclusion-add", args=[pupil.pk]),
            exclusion_form(kind="lunchtime", school_days=""),
        )
        assert Exclusion.objects.get().school_days == 0.5

    def test_the_45_day_warning_is_shown_after_saving(self, pupil, school_lead, client_for):
        client = client_for(school_lead)
        client.post(reverse("exclusion-add", args=[pupil.pk]), exclusion_form(school_days="40"))
        response = client.post(
            reverse("exclusion-add", args=[pupil.pk]),
            exclusion_form(start_date_0="10", school_days="6"),
            follow=True,
        )
        assert "legal limit is 45 school days" in response.content.decode()
        assert Exclusion.objects.count() == 2

    def test_a_corporate_parent_is_refused_with_the_law_named(
        self, pupil, school_lead, client_for
    ):
        response = client_for(school_lead).post(
            reverse("parent-add", args=[pupil.pk]),
            {"first_name": "Ashford", "last_name": "Council", "relationship": "corporate_parent",
             "parental_responsibility": "on", "preferred_language": "en"},
        )
        body = error_summary(response)
        assert "section 576" in body
        assert not ParentCarer.objects.exists()

    def test_a_half_filled_meeting_action_saves_nothing(self, pupil, school_lead, client_for):
        agency = AgencyFactory(local_authority=pupil.school.local_authority)
        response = client_for(school_lead).post(
            reverse("meeting-add", args=[pupil.pk]),
            {"held_on_0": "2", "held_on_1": "2", "held_on_2": "2026", "purpose": "Review",
             "attendees": "Sam", "decisions": "Offer", "agencies": [agency.pk],
             "action_1_description": "Send invitation"},
        )
        body = error_summary(response)
        assert "Enter who owns action 1" in body
        assert "Enter the due date of action 1" in body
        assert not MultiAgencyMeeting.objects.exists()

    def test_an_upload_of_the_wrong_type_is_explained(self, pupil, school_lead, client_for):
        response = client_for(school_lead).post(
            reverse("document-add", args=[pupil.pk]),
            {"title": "Photo", "category": "other",
             "file": SimpleUploadedFile("photo.jpg", b"GIF89a not a jpeg")},
        )
        assert "must be a PDF, Word (DOCX), PNG or JPEG" in error_summary(response)
        assert not Document.objects.exists()

    def test_a_pdf_upload_is_kept(self, pupil, school_lead, client_for):
        response = client_for(school_lead).post(
            reverse("document-add", args=[pupil.pk]),
            {"title": "Statement", "category": "witness_statement",
             "file": SimpleUploadedFile("s.pdf", b"%PDF-1.4 x")},
        )
        assert response.status_code == 302
        document = Document.objects.get()
        assert (document.title, document.category) == ("Statement", "witness_statement")

    def test_a_chair_sees_why_there_are_no_recording_buttons(self, pupil, client_for):
        chair = staff(StaffRole.CHAIR_OF_GOVERNORS, pupil.school)
        body = client_for(chair).get(reverse("pupil-detail", args=[pupil.pk])).content.decode()
        assert "can read this case but not record on it" in body
        assert reverse("exclusion-add", args=[pupil.pk]) not in body


class TestSearch:
    def test_it_finds_by_name_parts_and_by_upn(self, school, school_lead, client_for):
        found = PupilFactory(school=school, first_name="Jordan", last_name="Mensah")
        PupilFactory(school=school, first_name="Jordan", last_name="Smith")
        client = client_for(school_lead)
        by_name = client.get(reverse("pupil-search"), {"q": "jordan mens"}).content.decode()
        assert "Mensah, Jordan" in by_name
        assert "Smith, Jordan" not in by_name
        by_upn = client.get(reverse("pupil-search"), {"q": found.upn.lower()}).content.decode()
        assert "1 pupil found" in by_upn

    def test_it_never_finds_a_pupil_at_another_school(self, school, school_lead, client_for):
        PupilFactory(first_name="Jordan", last_name="Elsewhere")
        body = client_for(school_lead).get(reverse("pupil-search"), {"q": "Elsewhere"})
        assert "0 pupils found" in body.content.decode()


class TestSecurity:
    def test_a_post_without_a_csrf_token_is_refused_and_saves_nothing(self, pupil, school_lead):
        client = Client(enforce_csrf_checks=True)
        client.force_login(school_lead)
        response = client.post(reverse("exclusion-add", args=[pupil.pk]), exclusion_form())
        assert response.status_code == 403
        assert not Exclusion.objects.exists()

    def test_a_session_idle_for_30_minutes_is_signed_out(self, school_lead, client_for):
        client = client_for(school_lead)
        client.get(reverse("dashboard"))
        session = client.session
        session["last_seen"] = int(time.time()) - 31 * 60
        session.save()
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_a_session_older_than_12_hours_is_signed_out(self, school_lead, client_for):
        client = client_for(school_lead)
        client.get(reverse("dashboard"))
        session = client.session
        session["signed_in_at"] = int(time.time()) - 12 * 3600 - 1
        session.save()
        assert client.get(reverse("dashboard")).status_code == 302

    def test_a_deactivated_user_is_signed_out_at_once(self, school_lead, client_for):
        client = client_for(school_lead)
        get_user_model().objects.filter(pk=school_lead.pk).update(is_active=False)
        assert client.get(reverse("dashboard")).status_code == 302

    def test_sign_in_locks_a_username_at_one_address_not_the_whole_address(self, school):
        user_model = get_user_model()
        for name in ("target", "colleague"):
            user = user_model.objects.create_user(name, password="correct horse battery")
            staff_grant_role(user=user, role=StaffRole.SCHOOL_LEAD, organisation=school)
        client = Client(REMOTE_ADDR="203.0.113.9")
        for _ in range(5):
            client.post(reverse("login"), {"username": "target", "password": "wrong"})
        locked = client.post(
            reverse("login"), {"username": "target", "password": "correct horse battery"}
        )
        assert "Too many attempts" in locked.content.decode()
        colleague = Client(REMOTE_ADDR="203.0.113.9").post(
            reverse("login"), {"username": "colleague", "password": "correct horse battery"}
        )
        assert colleague.status_code == 302
        assert colleague["Location"] == reverse("dashboard")

    def test_health_reports_database_and_broker(self, db):
        response = Client().get(reverse("health"))
        assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_the_demo_seed_loads_every_role_and_runs_twice_safely(db):
    from django.core.management import call_command

    call_command("seed", "--scale", "demo")
    call_command("seed", "--scale", "demo")
    users = get_user_model().objects.filter(groups__staffgroup__isnull=False).distinct()
    roles = set(users.values_list("groups__staffgroup__role", flat=True))
    assert roles == set(StaffRole)
    assert Pupil.objects.filter(school__local_authority__nation="wales").exists()
    assert Exclusion.objects.filter(start_date__gte=date(2020, 9, 1), reasons__code="PD")\
        .count() == 0


def test_the_end_of_the_statutory_process_is_recorded_once(pupil, school_lead, client_for):
    exclusion = ExclusionFactory(pupil=pupil, start_date=date(2026, 3, 3))
    client = client_for(school_lead)
    url = reverse("exclusion-process-ended", args=[pupil.pk, exclusion.pk])
    early = client.post(url, {"ended_on_0": "1", "ended_on_1": "3", "ended_on_2": "2026"})
    assert "cannot end before the exclusion starts" in error_summary(early)
    done = client.post(url, {"ended_on_0": "20", "ended_on_1": "3", "ended_on_2": "2026"})
    assert done.status_code == 302
    exclusion.refresh_from_db()
    assert exclusion.statutory_process_ended_on == date(2026, 3, 20)
    again = client.post(url, {"ended_on_0": "21", "ended_on_1": "3", "ended_on_2": "2026"})
    assert "already recorded" in error_summary(again)
    exclusion.refresh_from_db()
    assert exclusion.statutory_process_ended_on == date(2026, 3, 20)
    assert pupil.timeline.filter(summary__contains="ended on 20 March 2026").exists()
