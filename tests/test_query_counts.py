"""Pages cost a fixed number of queries, whatever the amount of data behind them."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import StaffRole
from contracts import services as contract_services
from letters import services as letter_services
from tests.clients import FormClient as Client
from tests.factories import (
    FREE_LETTER,
    AgencyFactory,
    ExclusionFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    free_letter_facts,
    staff,
)


def grow_case(pupil, actor, n: int) -> None:
    """n more of everything the case page shows."""
    agency = AgencyFactory(local_authority=pupil.school.local_authority)
    for i in range(n):
        PupilParentFactory(pupil=pupil)
        exclusion = ExclusionFactory(pupil=pupil, start_date=date(2026, 1, 5) + timedelta(i))
        exclusion.reasons.set([1, 2])
        services.agency_involvement_record(
            actor=actor, pupil=pupil, agency=agency, key_worker=f"Worker {i}",
            started_on=date(2026, 1, 5),
        )
        services.meeting_record(
            actor=actor, pupil=pupil, held_on=date(2026, 2, 2), purpose=f"Meeting {i}",
            attendees="A\nB", agencies=[agency], decisions="Decided",
            actions=[services.ActionPlan("Act", "Owner", date(2026, 3, 1))] * 2,
        )
        services.document_upload(
            actor=actor, pupil=pupil, title=f"Doc {i}",
            upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4 doc"),
        )
        letter_services.letter_issue(actor=actor, draft=letter_services.Draft(
            pupil=pupil, kind=FREE_LETTER, language="en",
            recipients=[pupil.parent_links.first().parent], method="post",
            facts={**free_letter_facts(), "reason": f"Review {i}"},
        ))


def grow_school(school, n: int) -> None:
    for pupil in PupilFactory.create_batch(n, school=school, last_name="Searchable"):
        ExclusionFactory(pupil=pupil, start_date=date.today() - timedelta(days=3))


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def lead_client(school_lead):
    client = Client()
    client.force_login(school_lead)
    client.get(reverse("dashboard"))  # settle the session's first write
    return client


@pytest.mark.parametrize("role", [StaffRole.SCHOOL_LEAD, StaffRole.LA_DESIGNATED_OFFICER,
                                  StaffRole.INFORMATION_OFFICER])
def test_the_dashboard_costs_the_same_with_more_schools_and_pupils(school, role):
    user = staff(role, school if role == StaffRole.SCHOOL_LEAD else school.local_authority)
    client = Client()
    client.force_login(user)
    client.get(reverse("dashboard"))
    grow_school(school, 2)
    small = queries_for(client, reverse("dashboard"))
    for _ in range(3):
        grow_school(SchoolFactory(local_authority=school.local_authority), 5)
    grow_school(school, 20)
    assert queries_for(client, reverse("dashboard")) == small
    # 6, one more for those who read conduct records (the restrictions in force) and one
    # more for those who sign in in two steps (the device that verified the session).
    assert small <= 8


def test_pupil_search_costs_the_same_with_more_matches(school, lead_client):
    url = reverse("pupil-search") + "?q=searchable"
    grow_school(school, 2)
    small = queries_for(lead_client, url)
    grow_school(school, 60)
    assert queries_for(lead_client, url) == small
    assert small <= 6


def test_the_case_page_costs_the_same_with_a_longer_history(pupil, school_lead, lead_client):
    url = reverse("pupil-detail", args=[pupil.pk])
    grow_case(pupil, school_lead, 1)
    small = queries_for(lead_client, url)
    grow_case(pupil, school_lead, 6)
    assert queries_for(lead_client, url) == small
    # 22 (the pupil's moves and exclusions recorded in error among them), two for the
    # adults' contact arrangements (conduct.selectors.case_page) and the access log's insert.
    assert small <= 25


def test_the_eligibility_page_costs_the_same_with_a_longer_history(
    pupil, school_lead, lead_client
):
    url = reverse("pupil-eligibility", args=[pupil.pk])
    grow_case(pupil, school_lead, 1)
    small = queries_for(lead_client, url)
    grow_case(pupil, school_lead, 6)
    assert queries_for(lead_client, url) == small
    assert small <= 12


def test_the_eligible_list_costs_the_same_with_more_eligible_pupils(school, lead_client):
    url = reverse("contract-eligible-list")
    grow_school(school, 2)
    small = queries_for(lead_client, url)
    grow_school(school, 30)
    assert queries_for(lead_client, url) == small
    assert small <= 8


def grow_contracts(pupil, actor, n: int) -> None:
    """n more contracts: the first for this pupil, the others for more pupils of the school (a
    pupil has one contract of a kind at a time)."""
    pupils = [pupil] if not pupil.contracts.exists() else []
    while len(pupils) < n:
        pupils.append(PupilParentFactory(pupil=PupilFactory(school=pupil.school)).pupil)
    for pupil in pupils[:n]:
        contract = contract_services.contract_create(
            actor=actor, pupil=pupil, kind="behaviour",
            parents=[pupil.parent_links.first().parent],
        )
        contract_services.contract_update_content(
            actor=actor, contract=contract, concerns="Disruption", aims="Stay in lessons",
            objectives="Attend; report card; tutor", support="Calls",
            parent_requirements="Sign the card", starts_on=date.today(),
            review_on=date.today() + timedelta(days=40),
            ends_on=date.today() + timedelta(days=120),
        )
        contract_services.contact_record(
            actor=actor, contract=contract, kind="meeting", occurred_on=date.today(),
            parent_took_part=True, notes="Met",
        )


@pytest.fixture
def contract_case(pupil, school_lead):
    PupilParentFactory(pupil=pupil)
    for days in (3, 30):
        ExclusionFactory(pupil=pupil, start_date=date.today() - timedelta(days=days))
    return pupil


def test_the_contracts_list_costs_the_same_with_more_contracts(contract_case, school_lead,
                                                               lead_client):
    url = reverse("contract-list")
    grow_contracts(contract_case, school_lead, 1)
    small = queries_for(lead_client, url)
    grow_contracts(contract_case, school_lead, 8)
    assert queries_for(lead_client, url) == small
    assert small <= 8


def test_the_contract_page_costs_the_same_with_a_longer_history(contract_case, school_lead,
                                                                lead_client):
    grow_contracts(contract_case, school_lead, 1)
    contract = contract_case.contracts.get()
    url = reverse("contract-detail", args=[contract.pk])
    small = queries_for(lead_client, url)
    for _ in range(5):
        contract_services.contact_record(
            actor=school_lead, contract=contract, kind="phone", occurred_on=date.today(),
            parent_took_part=False, notes="No answer",
        )
    grow_case(contract_case, school_lead, 2)
    assert queries_for(lead_client, url) == small
    assert small <= 20


def test_the_order_case_page_and_the_orders_list_cost_the_same_with_a_longer_history(
    contract_case, school_lead, lead_client
):
    from orders import services as order_services
    from orders.pack import pack_build

    officer = staff(StaffRole.LA_DESIGNATED_OFFICER, contract_case.school.local_authority)
    case = order_services.order_request(
        actor=officer, pupil=contract_case, reasons="Exclusions",
        parents=[contract_case.parent_links.first().parent])
    order_services.order_start_review(actor=officer, case=case)
    urls = [reverse("order-detail", args=[case.pk]), reverse("order-list"),
            reverse("la-queue"), reverse("programme-list")]
    client = Client()
    client.force_login(officer)
    client.get(reverse("dashboard"))
    small = [queries_for(client, url) for url in urls]
    for _ in range(3):
        order_services.order_final_warning(
            actor=officer, case=case, summary="So far", method="post",
            reply_by=date.today() + timedelta(days=10))
        pack_build(pack_id=order_services.order_pack_request(actor=officer, case=case).pk)
        grow_case(contract_case, school_lead, 1)
    for pupil in PupilFactory.create_batch(3, school=contract_case.school):
        parent = PupilParentFactory(pupil=pupil).parent
        order_services.order_request(actor=officer, pupil=pupil, parents=[parent],
                                     reasons="Exclusions")
        order_services.programme_save(
            actor=officer, local_authority=contract_case.school.local_authority,
            name=f"Programme {pupil.pk}", provider="Family Links", sessions=8, topics="",
            places=4)
    assert [queries_for(client, url) for url in urls] == small
    # One of them the device that verified the officer's two-step sign-in.
    assert small[0] <= 21


def grow_conduct(pupil, headteacher, n: int):
    """n more incidents, with evidence, each answered by a reminder and its reply; and n more
    adults in force at the school."""
    from conduct import services as conduct_services

    for i in range(n):
        parent = PupilParentFactory(pupil=pupil).parent
        incident = conduct_services.incident_record(
            actor=headteacher, pupil=pupil, occurred_at=timezone.now(), place="gate",
            channel="phone", categories=["verbal_abuse"], description=f"Shouting {i}",
            affected=["staff"], parents=[pupil.parent_links.first().parent, parent],
            files=[("Note", SimpleUploadedFile("n.pdf", b"%PDF-1.4 note"))])
        for record in incident.adults.all():
            if record.stage == "none":
                step = conduct_services.reminder_send(
                    actor=headteacher, record=record, incident=incident, summary="Shouting",
                    method="post")
                conduct_services.reply_record(actor=headteacher, record=record, step=step,
                                              replied_on=date.today(), reply="Sorry")
        banned = incident.adults.get(parent=parent)
        conduct_services.ban_at_once(actor=headteacher, record=banned, incident=incident,
                                     summary="Threats", reasons="Risk", method="post")
    return pupil.conduct_records.get(parent=pupil.parent_links.first().parent)


def test_a_conduct_record_and_the_case_page_cost_the_same_as_the_record_grows(pupil):
    headteacher = staff(StaffRole.HEADTEACHER, pupil.school)
    PupilParentFactory(pupil=pupil)
    record = grow_conduct(pupil, headteacher, 1)
    client = Client()
    client.force_login(headteacher)
    client.get(reverse("dashboard"))
    urls = [reverse("conduct-record", args=[record.pk]),
            reverse("pupil-detail", args=[pupil.pk]), reverse("dashboard"),
            reverse("conduct-access-log", args=[record.pk])]
    small = [queries_for(client, url) for url in urls]
    grow_conduct(pupil, headteacher, 4)
    assert [queries_for(client, url) for url in urls] == small
    assert small[0] <= 16


def test_the_termly_returns_page_costs_the_same_with_more_schools_and_returns(school):
    from reporting import services as reporting_services
    from reporting.models import Digest
    from reporting.terms import ended_terms

    la = school.local_authority
    terms = ended_terms(la, date.today())
    officer = staff(StaffRole.INFORMATION_OFFICER, la)
    client = Client()
    client.force_login(officer)
    client.get(reverse("dashboard"))
    urls = [reverse("return-list"), reverse("return-detail", args=[school.pk, terms[0].key]),
            reverse("reminder-list")]

    def grow(n: int) -> None:
        schools = [school.pk] + [SchoolFactory(local_authority=la).pk for _ in range(n)]
        for term in terms[:2]:
            grow_school(school, 1)
            reporting_services.returns_take(schools=schools, term=term)
        for _ in range(n):
            day = date.today() - timedelta(days=Digest.objects.filter(user=officer).count() + 1)
            Digest.objects.create(user=officer, sent_on=day, subject="Pact: 1 deadline",
                                  body="- Due tomorrow: Contract review")

    grow(1)
    small = [queries_for(client, url) for url in urls]
    grow(6)
    assert [queries_for(client, url) for url in urls] == small
    # One query of each the device that verified the officer's two-step sign-in.
    assert small[0] <= 11 and small[1] <= 9 and small[2] <= 7
