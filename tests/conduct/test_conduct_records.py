"""Conduct records as the headteacher, the chair of governors, the LA designated officer and
the rest of the school meet them: incidents, the ladder's steps with their letters and clocks,
who sees what, and the log of every opening."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Deadline, DeadlineKind, TimelineEvent
from cases.policies import policy_for
from cases.rules import ban_review_due, parent_reply_due
from conduct import services
from conduct.models import (
    ConductEvent,
    ConductRecord,
    Evidence,
    Incident,
    RecordOpened,
    Stage,
    StepKind,
)
from conduct.rules import chair_agreement_due
from letters.models import IssuedLetter
from tests.clients import FormClient as Client
from tests.conduct.conftest import incident, statement
from tests.factories import ParentCarerFactory

TODAY = timezone.localdate()


def reply_clock(step):
    return Deadline.objects.get(kind=DeadlineKind.PARENT_REPLY,
                                subject=f"conduct:{step.record_id}:reply:{step.pk}")


def warned(world):
    first = incident(world)
    record = ConductRecord.objects.get(parent=world.parent)
    step = services.warning_send(actor=world.headteacher, record=record, incident=first,
                                 summary="You shouted at the class teacher.", method="post")
    return record, step


class TestIncidents:
    def test_an_incident_records_a_parent_and_an_adult_who_is_not_a_parent_on_pact(self, world):
        recorded = incident(world, new_adult=services.NewAdult(
            title="Mr", first_name="Lee", last_name="Grant", connection="mother's partner",
            address="4 Vale Close", postcode="zz1 1zz"),
            files=[("Witness statement", statement())], police_contacted=True,
            police_reference="CAD 1234")
        parent_record = ConductRecord.objects.get(parent=world.parent)
        partner = ConductRecord.objects.get(last_name="Grant")
        assert partner.parent is None and partner.full_name == "Mr Lee Grant"
        assert partner.own_postcode == "ZZ1 1ZZ"
        assert set(recorded.adults.all()) == {parent_record, partner}
        # The partner is a person on the record, never a parent of the pupil.
        assert not world.pupil.parent_links.filter(parent__last_name="Grant").exists()
        evidence = Evidence.objects.get()
        assert evidence.sha256 == hashlib.sha256(b"%PDF-1.4 a witness statement").hexdigest()
        assert evidence.file.read() == b"%PDF-1.4 a witness statement"
        assert partner.events.get().summary.startswith("Incident on ")
        # Conduct is about adults: nothing reaches the pupil's timeline.
        assert not TimelineEvent.objects.filter(pupil=world.pupil).exists()

    def test_a_parent_in_a_second_incident_keeps_one_record(self, world):
        incident(world)
        incident(world, categories=["threats"])
        record = ConductRecord.objects.get()
        assert record.incidents.count() == 2

    def test_a_file_that_is_not_a_document_keeps_nothing_at_all(self, world):
        program = SimpleUploadedFile("statement.pdf", b"MZ\x90\x00 a program")
        with pytest.raises(ValidationError) as refused:
            incident(world, files=[("Good", statement()), ("Bad", program)])
        assert "statement.pdf:" in str(refused.value.message_dict["files"])
        assert not Incident.objects.exists()
        assert not ConductRecord.objects.exists()
        assert not Evidence.objects.exists()

    @pytest.mark.parametrize(("changes", "field", "message"), [
        ({"occurred_at": timezone.now() + timedelta(days=1)}, "occurred_on",
         "The incident cannot be in the future"),
        ({"categories": []}, "categories", "Select what the conduct was"),
        ({"description": "  "}, "description", "Enter what happened"),
        ({"parents": []}, "parents", "Select who was involved, or enter the details of "
                                     "someone else"),
        ({"police_reference": "CAD 1"}, "police_reference",
         "A police reference goes with contacting the police"),
    ])
    def test_what_is_missing_or_wrong_is_said_and_nothing_is_kept(self, world, changes,
                                                                   field, message):
        with pytest.raises(ValidationError) as refused:
            incident(world, **changes)
        assert refused.value.message_dict[field] == [message]
        assert not Incident.objects.exists() and not ConductRecord.objects.exists()

    def test_a_parent_of_another_pupil_cannot_be_named(self, world):
        with pytest.raises(ValidationError, match="the pupil's own parents"):
            incident(world, parents=[ParentCarerFactory()])

    @pytest.mark.parametrize("who", ["lead", "chair", "information_officer", "elsewhere"])
    def test_only_the_headteacher_or_the_la_designated_officer_records_one(self, world, who):
        with pytest.raises(PermissionDenied):
            incident(world, actor=getattr(world, who))
        incident(world, actor=world.officer)


class TestTheLadder:
    def test_a_warning_gives_10_working_days_and_the_reply_closes_the_clock(self, world):
        record, step = warned(world)
        policy = policy_for(world.la)
        assert step.reply_by == parent_reply_due(policy=policy, letter_dated=TODAY,
                                                 nation=world.la.nation)
        assert step.letter.kind == "conduct_warning"
        assert reply_clock(step).status == Deadline.Status.OPEN
        record.refresh_from_db()
        assert record.stage == Stage.WARNED
        # The letter is read from the record, not from the pupil's case.
        assert not IssuedLetter.objects.filter(pupil=world.pupil).open_to_case_readers().exists()
        services.reply_record(actor=world.headteacher, record=record, step=step,
                              replied_on=TODAY, reply="I am sorry; it will not happen again.",
                              meeting_on=TODAY, meeting_notes="Met the deputy head.")
        assert reply_clock(step).status == Deadline.Status.MET
        with pytest.raises(ValidationError, match="No letter is waiting for a reply"):
            services.reply_record(actor=world.headteacher, record=record, step=step,
                                  replied_on=TODAY, reply="Again")

    def test_a_ban_waits_for_the_chair_then_is_reviewed_6_months_on_and_lifted(self, world):
        record, _ = warned(world)
        second = incident(world, categories=["threats"])
        services.ban_propose(actor=world.headteacher, record=record, incident=second,
                             reasons="Threats after the warning.")
        with pytest.raises(ValidationError, match="chair of governors' agreement"):
            services.ban_confirm(actor=world.headteacher, record=record, summary="Threats",
                                 response="", method="post")
        record.refresh_from_db()
        assert record.stage == Stage.BAN_PROPOSED
        with pytest.raises(PermissionDenied):
            services.chair_agreement_record(actor=world.lead, record=record, agreed_on=TODAY,
                                            how="In person")
        services.chair_agreement_record(actor=world.chair, record=record, agreed_on=TODAY,
                                        how="At a meeting with the headteacher")
        record.refresh_from_db()
        assert record.chair_name == world.chair.get_full_name()
        confirmed = services.ban_confirm(actor=world.headteacher, record=record,
                                         summary="Threats at the gate.", response="",
                                         method="post")
        record.refresh_from_db()
        review_by = ban_review_due(policy=policy_for(world.la), confirmed_on=TODAY)
        assert (record.stage, record.next_review_on) == (Stage.BANNED, review_by)
        assert confirmed.letter.kind == "conduct_ban"
        review = Deadline.objects.get(kind=DeadlineKind.SANCTION_REVIEW, subject=
                                      f"conduct:{record.pk}")
        assert timezone.localtime(review.due_at).date() == review_by

        services.review_record(actor=world.headteacher, record=record, reviewed_on=TODAY,
                               outcome="lift", reasons="No further incidents.", method="post")
        record.refresh_from_db()
        assert record.stage == Stage.LIFTED and record.next_review_on is None
        review.refresh_from_db()
        assert review.status == Deadline.Status.MET
        assert list(record.steps.values_list("kind", flat=True)) == [
            StepKind.WARNING, StepKind.BAN_PROPOSED, StepKind.CHAIR, StepKind.BAN,
            StepKind.REVIEW]
        assert record.steps.get(kind=StepKind.REVIEW).letter.kind == "conduct_review_outcome"

    def test_an_emergency_ban_needs_the_chairs_agreement_within_5_working_days(self, world):
        first = incident(world, categories=["physical_aggression"])
        record = ConductRecord.objects.get()
        services.ban_at_once(actor=world.headteacher, record=record, incident=first,
                             summary="You pushed a teacher.", method="by_hand",
                             reasons="A teacher was pushed; the risk is immediate.")
        clock = Deadline.objects.get(kind=DeadlineKind.CHAIR_AGREEMENT)
        assert timezone.localtime(clock.due_at).date() == chair_agreement_due(
            policy=policy_for(world.la), banned_on=TODAY, nation=world.la.nation)
        record.refresh_from_db()
        assert record.stage == Stage.BANNED and record.emergency
        services.chair_agreement_record(actor=world.headteacher, record=record,
                                        agreed_on=TODAY, how="By phone",
                                        chair_name="Mrs Okafor")
        clock.refresh_from_db()
        assert clock.status == Deadline.Status.MET

    def test_conditions_are_provisional_until_the_board_confirms_them(self, world):
        first = incident(world)
        record = ConductRecord.objects.get()
        conditions = [{"key": "accompanied_meetings", "parent": "You must be accompanied.",
                       "staff": "Meet them only with a second member of staff present."}]
        with pytest.raises(ValidationError, match="after today"):
            services.conditions_set(actor=world.headteacher, record=record, incident=first,
                                    summary="Shouting", conditions=conditions,
                                    board_review_on=TODAY, method="post")
        services.conditions_set(actor=world.headteacher, record=record, incident=first,
                                summary="Shouting", conditions=conditions,
                                board_review_on=TODAY + timedelta(days=20), method="post")
        assert Deadline.objects.get(kind=DeadlineKind.BOARD_REVIEW).status == "open"
        latest = ban_review_due(policy=policy_for(world.la), confirmed_on=TODAY)
        for never_or_too_late in (None, latest + timedelta(days=1)):
            with pytest.raises(ValidationError, match=f"by {latest:%-d %b %Y} \\(6 months\\)"):
                services.board_decision(actor=world.headteacher, record=record,
                                        held_on=TODAY, confirm=True,
                                        next_review_on=never_or_too_late,
                                        reasons="Proportionate", method="post")
        services.board_decision(actor=world.headteacher, record=record, held_on=TODAY,
                                confirm=True, next_review_on=latest, reasons="Proportionate",
                                method="post")
        record.refresh_from_db()
        assert (record.stage, record.next_review_on) == (Stage.CONDITIONS, latest)
        assert Deadline.objects.get(kind=DeadlineKind.BOARD_REVIEW).status == "met"
        assert Deadline.objects.filter(kind=DeadlineKind.SANCTION_REVIEW,
                                       status="open").count() == 1

    def test_a_second_progress_meeting_in_a_year_is_refused_with_the_reason(self, world):
        first = incident(world)
        record = ConductRecord.objects.get()
        services.ban_at_once(actor=world.headteacher, record=record, incident=first,
                             summary="Threats", reasons="Immediate risk", method="post")
        services.progress_meeting_record(actor=world.headteacher, record=record,
                                         asked_on=TODAY)
        with pytest.raises(ValidationError, match="one was asked for on"):
            services.progress_meeting_record(actor=world.headteacher, record=record,
                                             asked_on=TODAY)
        assert record.steps.filter(kind=StepKind.PROGRESS_MEETING).count() == 1

    def test_the_records_history_its_evidence_and_access_log_cannot_be_changed(self, world):
        incident(world, files=[("Statement", statement())])
        record, _ = warned(world)
        RecordOpened.objects.create(record=record, user=world.headteacher, what="record")
        for table in ("conduct_conductevent", "conduct_recordopened", "conduct_evidence"):
            with pytest.raises(DatabaseError, match="never"), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        with pytest.raises(TypeError):
            ConductEvent.objects.filter(record=record).delete()


class TestWhoSeesWhat:
    def _banned(self, world):
        first = incident(world, files=[("Statement", statement())])
        record = ConductRecord.objects.get()
        step = services.ban_at_once(actor=world.headteacher, record=record, incident=first,
                                    summary="Threats", reasons="Immediate risk",
                                    method="post")
        record.refresh_from_db()
        return record, step

    @pytest.mark.parametrize("who", ["headteacher", "chair", "officer"])
    def test_the_people_who_read_conduct_records_see_it_and_each_opening_is_logged(
            self, world, who):
        record, step = self._banned(world)
        client = Client()
        client.force_login(getattr(world, who))
        page = client.get(reverse("conduct-record", args=[record.pk]))
        assert page.status_code == 200
        assert "Shouted and swore" in page.content.decode()
        letter = client.get(reverse("conduct-letter-download", args=[record.pk,
                                                                      step.letter_id]))
        assert letter.content == bytes(step.letter.pdf)
        evidence = Evidence.objects.get()
        download = client.get(reverse("conduct-evidence-download",
                                      args=[record.pk, evidence.pk]))
        assert b"".join(download.streaming_content) == b"%PDF-1.4 a witness statement"
        assert list(RecordOpened.objects.filter(user=getattr(world, who)).order_by("pk")
                    .values_list("what", flat=True)) == ["record", "letter", "evidence"]

    def test_the_rest_of_the_school_sees_only_what_they_must_do(self, world):
        record, step = self._banned(world)
        client = Client()
        client.force_login(world.lead)
        case = client.get(reverse("pupil-detail", args=[world.pupil.pk])).content.decode()
        assert "govuk-warning-text" in case
        assert "Contact arrangements apply to Ama Mensah" in case
        assert "Banned from the school premises" in case
        assert "Shouted and swore" not in case
        notice = client.get(reverse("conduct-record", args=[record.pk])).content.decode()
        assert "Banned from the school premises" in notice
        assert "Shouted and swore" not in notice and "Immediate risk" not in notice
        for url in (reverse("conduct-letter-download", args=[record.pk, step.letter_id]),
                    reverse("conduct-evidence-download",
                            args=[record.pk, Evidence.objects.get().pk]),
                    reverse("conduct-action", args=[record.pk, "review"])):
            assert client.get(url).status_code == 404
        assert client.get(reverse("conduct-access-log", args=[record.pk])).status_code == 404
        assert not RecordOpened.objects.exists()

    @pytest.mark.parametrize("who", ["information_officer", "elsewhere"])
    def test_outside_the_school_the_record_does_not_exist(self, world, who):
        record, _ = self._banned(world)
        client = Client()
        client.force_login(getattr(world, who))
        assert client.get(reverse("conduct-record", args=[record.pk])).status_code == 404
        assert not RecordOpened.objects.exists()

    def test_the_headteacher_sees_who_opened_the_record_and_the_chair_does_not(self, world):
        record, _ = self._banned(world)
        client = Client()
        client.force_login(world.chair)
        client.get(reverse("conduct-record", args=[record.pk]))
        assert client.get(reverse("conduct-access-log", args=[record.pk])).status_code == 403
        client.force_login(world.headteacher)
        log = client.get(reverse("conduct-access-log", args=[record.pk])).content.decode()
        assert world.chair.get_full_name() in log
        assert list(RecordOpened.objects.order_by("pk").values_list("user", "what")) == [
            (world.chair.pk, "record"), (world.headteacher.pk, "access_log")]

    def test_the_dashboard_lists_restrictions_with_their_review_for_conduct_readers_only(
            self, world):
        record, _ = self._banned(world)
        review_by = f"{record.next_review_on:%-d %B %Y}"
        client = Client()
        client.force_login(world.headteacher)
        board = client.get(reverse("dashboard")).content.decode()
        assert "Restrictions on adults in force" in board
        assert f"review by {review_by}" in board
        assert "Chair of governors to agree an emergency ban" in board
        client.force_login(world.lead)
        board = client.get(reverse("dashboard")).content.decode()
        assert "Restrictions on adults in force" not in board
        assert "Chair of governors to agree" not in board

    def test_a_brother_or_sister_at_the_school_shows_the_parents_restrictions(self, world):
        from tests.factories import PupilFactory, PupilParentFactory

        self._banned(world)
        sibling = PupilFactory(school=world.school)
        PupilParentFactory(pupil=sibling, parent=world.parent)
        client = Client()
        client.force_login(world.lead)
        case = client.get(reverse("pupil-detail", args=[sibling.pk])).content.decode()
        assert "Contact arrangements apply to Ama Mensah" in case


class TestClocksAsTheLadderMoves:
    CONDITIONS = [{"key": "written_only", "parent": "Write to us.", "staff": "In writing."}]

    def open_clocks(self):
        return sorted(Deadline.objects.filter(status="open").values_list("kind", flat=True))

    def test_new_conditions_and_then_a_ban_replace_the_clocks_they_supersede(self, world):
        first = incident(world)
        record = ConductRecord.objects.get()
        for board_in in (20, 30):
            services.conditions_set(actor=world.headteacher, record=record, incident=first,
                                    summary="Shouting", conditions=self.CONDITIONS,
                                    board_review_on=TODAY + timedelta(days=board_in),
                                    method="post")
        # Each letter waits for its own reply; one board review runs, the later one.
        assert self.open_clocks() == ["board_review", "parent_reply", "parent_reply"]
        board = Deadline.objects.get(kind=DeadlineKind.BOARD_REVIEW, status="open")
        assert timezone.localtime(board.due_at).date() == TODAY + timedelta(days=30)
        services.ban_at_once(actor=world.headteacher, record=record, incident=first,
                             summary="Threats", reasons="Immediate risk", method="post")
        assert self.open_clocks() == ["chair_agreement", "parent_reply", "parent_reply",
                                      "sanction_review"]

    def test_lifting_an_emergency_ban_before_the_chair_agreed_ends_the_chairs_clock(
            self, world):
        first = incident(world)
        record = ConductRecord.objects.get()
        services.ban_at_once(actor=world.headteacher, record=record, incident=first,
                             summary="Threats", reasons="Immediate risk", method="post")
        services.review_record(actor=world.headteacher, record=record, reviewed_on=TODAY,
                               outcome="lift", reasons="It was a misunderstanding.",
                               method="post")
        assert self.open_clocks() == []
        assert Deadline.objects.get(kind=DeadlineKind.CHAIR_AGREEMENT).status == "cancelled"
