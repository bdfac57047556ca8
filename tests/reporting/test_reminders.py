"""Reminders: one e-mail a day to the person responsible, listing deadlines due in 7 days, due
tomorrow or overdue, each told once at each point, however often or wherever the job runs."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import DeadlineKind, StaffRole
from contracts.models import Contract
from reporting import reminders
from reporting.models import Digest, Reminder
from tests.clients import FormClient as Client
from tests.clients import at_once
from tests.factories import PupilFactory, SchoolFactory, staff


@pytest.fixture
def reminders_send(django_capture_on_commit_callbacks):
    """The job, with the e-mails its transactions send on commit."""
    def send(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_send(**kwargs)
    return send


@pytest.fixture
def school(db):
    return SchoolFactory(name="Hillside Primary School")


def clock(school, actor, kind, *, due_in_days, subject=""):
    pupil = PupilFactory(school=school, first_name="Jordan", last_name="Mensah")
    return case_services.deadline_open(
        pupil=pupil, kind=kind, actor=actor, started_by="test",
        due_at=case_services.end_of_day(timezone.localdate() + timedelta(days=due_in_days)),
        subject=subject)


def contract_clock(school, lead, *, due_in_days):
    pupil = PupilFactory(school=school, first_name="Jordan", last_name="Mensah")
    contract = Contract.objects.create(kind="behaviour", pupil=pupil, school=school, lead=lead)
    return case_services.deadline_open(
        pupil=pupil, kind=DeadlineKind.CONTRACT_REVIEW, actor=lead, started_by="signed",
        due_at=case_services.end_of_day(timezone.localdate() + timedelta(days=due_in_days)),
        subject=f"contract:{contract.pk}")


def test_the_lead_is_told_a_week_ahead_the_day_before_and_when_overdue_once_each(
        school, reminders_send):
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    lead.email = "sam@example.org"
    lead.save()
    review = contract_clock(school, lead, due_in_days=7)
    assert reminders_send() == 1
    assert len(mail.outbox) == 1
    told = mail.outbox[0]
    assert told.to == ["sam@example.org"]
    assert "Due in 7 days: Contract review, Jordan Mensah, by" in told.body
    assert f"/pupils/{review.pupil_id}/" in told.body
    assert reminders_send() == 0, "the same day: nothing again"
    later = timezone.now() + timedelta(days=6)
    assert reminders_send(now=later) == 1
    assert "Due tomorrow: Contract review" in mail.outbox[1].body
    assert reminders_send(now=later) == 0
    assert reminders_send(now=timezone.now() + timedelta(days=9)) == 1
    assert "Overdue: Contract review" in mail.outbox[2].body
    assert reminders_send(now=timezone.now() + timedelta(days=10)) == 0, "overdue: told once"
    assert Reminder.objects.filter(deadline=review).count() == 3


def test_a_deadline_not_at_one_of_those_points_is_not_told(school, reminders_send):
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    contract_clock(school, lead, due_in_days=5)
    assert reminders_send() == 0
    assert not mail.outbox


def test_conduct_clocks_go_to_the_headteacher_and_not_to_the_lead(school, reminders_send):
    headteacher = staff(StaffRole.HEADTEACHER, school)
    headteacher.email = "head@example.org"
    headteacher.save()
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    clock(school, lead, DeadlineKind.PARENT_REPLY, due_in_days=1, subject="conduct:1:reply:1")
    assert reminders_send() == 1
    assert mail.outbox[0].to == ["head@example.org"]
    assert "/conduct/1/" in mail.outbox[0].body
    assert not Digest.objects.filter(user=lead).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_email(school):
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    lead.email = "sam@example.org"
    lead.save()
    contract_clock(school, lead, due_in_days=1)
    sent = at_once(reminders.reminders_send, reminders.reminders_send)
    assert sorted(sent) == [0, 1]
    assert len(mail.outbox) == 1
    assert Digest.objects.count() == 1


def test_people_see_what_was_sent_to_them_and_only_that(school, reminders_send):
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    contract_clock(school, lead, due_in_days=7)
    reminders_send()
    client = Client()
    client.force_login(lead)
    page = client.get(reverse("reminder-list")).content.decode()
    assert "Due in 7 days: Contract review" in page
    assert "Not e-mailed" in page  # no address on the account: kept and shown
    client.force_login(staff(StaffRole.SCHOOL_LEAD, school))
    assert "Contract review" not in client.get(reverse("reminder-list")).content.decode()
