import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases import services
from cases.models import (
    Document,
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    ParentCarer,
    Pupil,
    Relationship,
    StaffRole,
    TimelineEvent,
)
from tests.factories import AgencyFactory, ExclusionFactory, SchoolFactory, staff

PDF_BYTES = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def reasons(*codes):
    return list(ExclusionReason.objects.filter(code__in=codes))


class TestPupils:
    def test_it_adds_a_pupil_and_records_it_on_the_timeline(self, school, school_lead):
        pupil = services.pupil_create(
            actor=school_lead, school=school, first_name="Ava", last_name="Okoro",
            date_of_birth=date(2014, 2, 3), upn="h801200001001",
        )
        assert pupil.upn == "H801200001001"
        event = pupil.timeline.get()
        assert event.kind == TimelineEvent.Kind.PUPIL_ADDED
        assert event.actor == school_lead

    def test_it_refuses_a_bad_check_letter_and_saves_nothing(self, school, school_lead):
        with pytest.raises(ValidationError) as refused:
            services.pupil_create(
                actor=school_lead, school=school, first_name="Ava", last_name="Okoro",
                date_of_birth=date(2014, 2, 3), upn="A801200001001",
            )
        assert "check letter" in str(refused.value)
        assert not Pupil.objects.exists()

    def test_it_refuses_a_second_pupil_with_the_same_upn(self, pupil, school_lead):
        with pytest.raises(ValidationError, match="already recorded"):
            services.pupil_create(
                actor=school_lead, school=pupil.school, first_name="B", last_name="C",
                date_of_birth=date(2014, 2, 3), upn=pupil.upn,
            )

    def test_a_lead_cannot_add_a_pupil_to_another_school(self, school_lead):
        with pytest.raises(PermissionDenied):
            services.pupil_create(
                actor=school_lead, school=SchoolFactory(), first_name="A", last_name="B",
                date_of_birth=date(2014, 2, 3), upn="H801200001001",
            )


class TestParents:
    def test_it_links_a_parent_and_keeps_why_they_count_as_one(self, pupil, school_lead):
        link = services.parent_add(
            actor=school_lead, pupil=pupil, relationship=Relationship.GRANDPARENT,
            parental_responsibility=False, has_care=True, first_name="Rose", last_name="Hale",
        )
        event = pupil.timeline.get(kind=TimelineEvent.Kind.PARENT_LINKED)
        assert link.parent.full_name == "Rose Hale"
        assert "has care of the child" in event.details["why_a_parent"][0]

    def test_it_refuses_a_corporate_parent_and_saves_nothing(self, pupil, school_lead):
        with pytest.raises(ValidationError, match="corporate parent"):
            services.parent_add(
                actor=school_lead, pupil=pupil, relationship=Relationship.CORPORATE_PARENT,
                parental_responsibility=True, has_care=True, first_name="Ashford",
                last_name="Vale Council",
            )
        assert not ParentCarer.objects.exists()
        assert not pupil.timeline.exists()


class TestExclusions:
    def record(self, pupil, actor, **overrides):
        values = {
            "kind": ExclusionKind.SUSPENSION,
            "start_date": date(2026, 3, 3),
            "school_days": Decimal(2),
            "reasons": reasons("DB"),
        }
        values.update(overrides)
        return services.exclusion_record(actor=actor, pupil=pupil, **values)

    def test_it_records_an_exclusion_with_its_reasons_on_the_timeline(self, pupil, school_lead):
        recorded = self.record(pupil, school_lead, reasons=reasons("DB", "VA"))
        assert set(recorded.exclusion.reasons.values_list("code", flat=True)) == {"DB", "VA"}
        event = pupil.timeline.get(kind=TimelineEvent.Kind.EXCLUSION_RECORDED)
        assert event.summary == "Suspension from 3 March 2026, 2 school days"
        assert recorded.warnings == []

    def test_it_refuses_a_statutory_process_end_still_to_come_as_recording_the_end_does(
        self, pupil, school_lead
    ):
        tomorrow = timezone.localdate() + timedelta(days=1)
        with pytest.raises(ValidationError, match="on a date still to come") as at_entry:
            self.record(pupil, school_lead, start_date=timezone.localdate(),
                        statutory_process_ended_on=tomorrow)
        assert not Exclusion.objects.exists()
        exclusion = self.record(pupil, school_lead, start_date=timezone.localdate()).exclusion
        with pytest.raises(ValidationError) as afterwards:
            services.exclusion_process_ended(actor=school_lead, exclusion=exclusion,
                                             ended_on=tomorrow)
        assert (at_entry.value.message_dict["statutory_process_ended_on"]
                == afterwards.value.message_dict["ended_on"])

    def test_it_refuses_more_than_three_reasons(self, pupil, school_lead):
        with pytest.raises(ValidationError, match="between one and three"):
            self.record(pupil, school_lead, reasons=reasons("DB", "VA", "PA", "PP"))
        assert not Exclusion.objects.exists()

    def test_it_refuses_a_reason_code_not_in_use_on_the_start_date(self, pupil, school_lead):
        with pytest.raises(ValidationError, match="PD was not in use on 3 March 2026"):
            self.record(pupil, school_lead, reasons=reasons("PD"))
        assert not Exclusion.objects.exists()

    def test_it_accepts_a_withdrawn_code_for_an_exclusion_from_its_time(
        self, pupil, school_lead
    ):
        recorded = self.record(
            pupil, school_lead, start_date=date(2019, 11, 4), reasons=reasons("PD")
        )
        assert recorded.exclusion.pk

    def test_it_warns_once_suspensions_pass_45_school_days_in_the_academic_year(
        self, pupil, school_lead
    ):
        ExclusionFactory(pupil=pupil, start_date=date(2025, 9, 15), school_days=Decimal(44))
        # A suspension in the previous academic year does not count towards this one.
        ExclusionFactory(pupil=pupil, start_date=date(2025, 7, 1), school_days=Decimal(10))
        within = self.record(pupil, school_lead, school_days=Decimal(1))
        assert within.warnings == []
        past = self.record(pupil, school_lead, school_days=Decimal("0.5"),
                           kind=ExclusionKind.LUNCHTIME)
        assert "45.5 school days in 2025/26" in past.warnings[0]
        assert past.exclusion.pk, "the exclusion happened, so it is recorded"
        event = pupil.timeline.filter(kind=TimelineEvent.Kind.EXCLUSION_RECORDED).first()
        assert event.details["warnings"] == past.warnings

    def test_a_permanent_exclusion_has_no_length(self, pupil, school_lead):
        recorded = self.record(
            pupil, school_lead, kind=ExclusionKind.PERMANENT, school_days=Decimal(5)
        )
        assert recorded.exclusion.school_days is None

    def test_a_chair_of_governors_cannot_record(self, pupil):
        chair = staff(StaffRole.CHAIR_OF_GOVERNORS, pupil.school)
        with pytest.raises(PermissionDenied):
            self.record(pupil, chair)


class TestAgenciesAndMeetings:
    def test_it_refuses_consent_without_its_date(self, pupil, school_lead):
        agency = AgencyFactory(local_authority=pupil.school.local_authority)
        with pytest.raises(ValidationError, match="date consent"):
            services.agency_involvement_record(
                actor=school_lead, pupil=pupil, agency=agency, key_worker="Jo Marsh",
                started_on=date(2026, 1, 5), consent_to_share=True,
            )

    def test_it_refuses_an_agency_from_another_la(self, pupil, school_lead):
        with pytest.raises(ValidationError, match="works in this pupil's local authority"):
            services.agency_involvement_record(
                actor=school_lead, pupil=pupil, agency=AgencyFactory(), key_worker="Jo",
                started_on=date(2026, 1, 5),
            )

    def test_it_records_a_meeting_with_its_actions(self, pupil, school_lead):
        agency = AgencyFactory(local_authority=pupil.school.local_authority)
        meeting = services.meeting_record(
            actor=school_lead, pupil=pupil, held_on=date(2026, 2, 2), purpose="Review",
            attendees="Sam, lead\nJo, EWO", agencies=[agency], decisions="Offer a contract",
            actions=[services.ActionPlan("Send invitation", "Sam", date(2026, 2, 9))],
        )
        assert meeting.actions.get().owner == "Sam"
        assert meeting.attendee_list == ["Sam, lead", "Jo, EWO"]
        assert pupil.timeline.filter(kind=TimelineEvent.Kind.MEETING_RECORDED).exists()


class TestDocuments:
    @pytest.mark.parametrize(
        ("name", "content", "content_type"),
        [
            ("letter.pdf", PDF_BYTES, "application/pdf"),
            ("photo.png", PNG_BYTES, "image/png"),
            ("photo.jpeg", JPEG_BYTES, "image/jpeg"),
            ("statement.docx", docx_bytes(),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            # The name says nothing: the content decides.
            ("scan.bin", PDF_BYTES, "application/pdf"),
        ],
    )
    def test_it_accepts_evidence_by_content(self, pupil, school_lead, name, content, content_type):
        document = services.document_upload(
            actor=school_lead, pupil=pupil, title="Evidence",
            upload=SimpleUploadedFile(name, content),
        )
        assert document.content_type == content_type
        assert document.original_name == name
        assert name not in document.file.name, "stored under a generated name"
        with document.file.open("rb") as stored:
            assert stored.read() == content
        event = pupil.timeline.get(kind=TimelineEvent.Kind.DOCUMENT_UPLOADED)
        assert event.details["sha256"] == document.sha256

    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("virus.pdf", b"MZ\x90\x00 this is a Windows program"),
            ("page.png", b"<html><script>alert(1)</script></html>"),
            ("notes.docx", b"PK\x03\x04 not really a zip"),
            ("archive.docx", None),  # a real zip that is not a Word document
        ],
    )
    def test_it_rejects_a_file_whose_content_is_not_an_accepted_type(
        self, pupil, school_lead, name, content
    ):
        if content is None:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("readme.txt", "hello")
            content = buffer.getvalue()
        with pytest.raises(ValidationError, match="must be a PDF, Word"):
            services.document_upload(
                actor=school_lead, pupil=pupil, title="Evidence",
                upload=SimpleUploadedFile(name, content),
            )
        assert not Document.objects.exists()
        assert not pupil.timeline.exists()

    def test_it_rejects_a_word_document_that_unpacks_to_a_gigabyte(self, pupil, school_lead):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
            with archive.open("word/media/padding.bin", "w", force_zip64=True) as padding:
                chunk = b"\0" * (1024 * 1024)
                for _ in range(1024):
                    padding.write(chunk)
        bomb = buffer.getvalue()
        assert len(bomb) < 2 * 1024 * 1024, "a small file that unpacks to 1 GiB"
        with pytest.raises(ValidationError, match="unpacks to far more than a real document"):
            services.document_upload(actor=school_lead, pupil=pupil, title="Statement",
                                     upload=SimpleUploadedFile("statement.docx", bomb))
        assert not Document.objects.exists()

    def test_it_rejects_a_file_over_10_mb_and_accepts_exactly_10_mb(
        self, pupil, school_lead
    ):
        limit = 10 * 1024 * 1024
        too_big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (limit - len(PDF_BYTES) + 1))
        with pytest.raises(ValidationError, match="smaller than 10 MB"):
            services.document_upload(
                actor=school_lead, pupil=pupil, title="Big", upload=too_big
            )
        assert not Document.objects.exists()
        exactly = SimpleUploadedFile("ok.pdf", PDF_BYTES + b"0" * (limit - len(PDF_BYTES)))
        assert services.document_upload(
            actor=school_lead, pupil=pupil, title="Exactly", upload=exactly
        ).size == limit

    def test_verification_notices_a_tampered_file_once(self, pupil, school_lead):
        document = services.document_upload(
            actor=school_lead, pupil=pupil, title="Statement",
            upload=SimpleUploadedFile("s.pdf", PDF_BYTES),
        )
        assert services.document_verify(document_id=document.pk) is True
        with open(document.file.path, "ab") as stored:
            stored.write(b"tampered")
        assert services.document_verify(document_id=document.pk) is False
        assert services.document_verify(document_id=document.pk) is False
        failures = pupil.timeline.filter(kind=TimelineEvent.Kind.DOCUMENT_INTEGRITY_FAILED)
        assert failures.count() == 1


class TestTimeline:
    def test_events_cannot_be_changed_or_deleted(self, pupil, school_lead):
        event = services.timeline_record(
            pupil=pupil, actor=school_lead, kind=TimelineEvent.Kind.PUPIL_ADDED, summary="x"
        )
        event.summary = "rewritten"
        with pytest.raises(TypeError, match="append-only"):
            event.save()
        with pytest.raises(TypeError, match="append-only"):
            event.delete()
        with pytest.raises(TypeError, match="append-only"):
            TimelineEvent.objects.filter(pk=event.pk).update(summary="rewritten")
        with pytest.raises(TypeError, match="append-only"):
            TimelineEvent.objects.all().delete()
        event.refresh_from_db()
        assert event.summary == "x"

    def test_the_database_refuses_to_change_an_event_behind_the_models_back(
        self, pupil, school_lead
    ):
        event = services.timeline_record(
            pupil=pupil, actor=school_lead, kind=TimelineEvent.Kind.PUPIL_ADDED, summary="x"
        )
        for statement in ("UPDATE cases_timelineevent SET summary = 'y' WHERE id = %s",
                          "DELETE FROM cases_timelineevent WHERE id = %s"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
        event.refresh_from_db()
        assert event.summary == "x"
