from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Deadline,
    DeadlineKind,
    ExclusionKind,
    ExclusionReason,
    LocalPolicy,
    TimelineEvent,
)
from cases.tasks import lapse_deadlines
from tests.clients import FormClient as Client
from tests.factories import LocalAuthorityFactory, PupilFactory, SchoolFactory, staff


@pytest.fixture
def beds_pupil(db):
    la = LocalAuthorityFactory(code="901", policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    return PupilFactory(school=SchoolFactory(local_authority=la))


def suspend(pupil, actor, start: date, serious=True):
    return services.exclusion_record(
        actor=actor, pupil=pupil, kind=ExclusionKind.SUSPENSION, start_date=start,
        school_days=Decimal(1), reasons=list(ExclusionReason.objects.filter(code="DB")),
        serious_misbehaviour=serious,
    )


def test_closed_windows_lapse_once_however_often_the_job_runs(beds_pupil):
    lead = staff("school_lead", beds_pupil.school)
    deadline = services.deadline_open(
        pupil=beds_pupil, kind=DeadlineKind.ORDER_WINDOW, actor=lead,
        due_at=timezone.now() - timedelta(hours=1), started_by="test grounds",
    )
    still_to_do = services.deadline_open(
        pupil=beds_pupil, kind=DeadlineKind.RO_MEETING, actor=lead, all_day=False,
        due_at=timezone.now() - timedelta(hours=1), started_by="order made",
    )
    assert lapse_deadlines() == 1
    assert lapse_deadlines() == 0
    deadline.refresh_from_db()
    still_to_do.refresh_from_db()
    assert deadline.status == Deadline.Status.MISSED
    assert still_to_do.status == Deadline.Status.OPEN, "an overdue action stays to be done"
    assert beds_pupil.timeline.filter(kind=TimelineEvent.Kind.DEADLINE_CLOSED).count() == 1


def test_closing_a_closed_deadline_changes_nothing(beds_pupil):
    lead = staff("school_lead", beds_pupil.school)
    deadline = services.deadline_open(
        pupil=beds_pupil, kind=DeadlineKind.PARENT_REPLY, actor=lead,
        due_at=timezone.now() + timedelta(days=3), started_by="letter",
    )
    assert services.deadline_close(deadline=deadline, status="met", actor=lead, reason="reply")
    assert not services.deadline_close(
        deadline=deadline, status="missed", actor=lead, reason="late"
    )
    deadline.refresh_from_db()
    assert deadline.status == "met"


def test_dashboards_and_the_case_page_list_overdue_and_due_soon_in_scope(beds_pupil):
    lead = staff("school_lead", beds_pupil.school)
    services.deadline_open(
        pupil=beds_pupil, kind=DeadlineKind.RO_MEETING, actor=lead, all_day=False,
        due_at=timezone.make_aware(datetime.now() - timedelta(days=1)), started_by="order made",
    )
    services.deadline_open(
        pupil=beds_pupil, kind=DeadlineKind.CONTRACT_END, actor=lead,
        due_at=timezone.now() + timedelta(days=5), started_by="contract signed",
    )
    services.deadline_open(
        pupil=beds_pupil, kind=DeadlineKind.CONTRACT_REVIEW, actor=lead,
        due_at=timezone.now() + timedelta(days=40), started_by="contract signed",
    )
    client = Client()
    client.force_login(lead)
    for url in (reverse("dashboard"), reverse("pupil-detail", args=[beds_pupil.pk])):
        body = client.get(url).content.decode()
        assert "Overdue</strong>" in body and "Responsible officer to meet the parent" in body
        assert "Due soon</strong>" in body and "Contract ends" in body
        listed = '<td class="govuk-table__cell">Contract review</td>'
        assert listed not in body, "40 days away is not due soon"
    outsider = staff(
        "school_lead", SchoolFactory(local_authority=beds_pupil.school.local_authority)
    )
    client.force_login(outsider)
    assert "Responsible officer" not in client.get(reverse("dashboard")).content.decode()
