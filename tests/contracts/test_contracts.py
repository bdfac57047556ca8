from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Deadline,
    DeadlineKind,
    LocalPolicy,
    StaffRole,
    TimelineEvent,
)
from cases.services import meeting_record
from contracts import services
from contracts.models import Contract, ContractKind, Decision, Notification, State
from letters.models import IssuedLetter
from tests.clients import post_at_once
from tests.contracts.helpers import CONTENT, MEETING, TODAY
from tests.factories import (
    AgencyFactory,
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)


@pytest.fixture
def world(db):
    la = LocalAuthorityFactory(code="901", policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    school = SchoolFactory(local_authority=la)
    pupil = PupilFactory(school=school, first_name="Jordan")
    link = PupilParentFactory(pupil=pupil)
    for days in (60, 20):
        ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=days),
                         serious_misbehaviour=True)
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    return pupil, link.parent, lead


def make_contract(world, kind=ContractKind.BEHAVIOUR) -> Contract:
    pupil, parent, lead = world
    contract = services.contract_create(actor=lead, pupil=pupil, kind=kind, parents=[parent])
    services.contract_update_content(actor=lead, contract=contract, **CONTENT)
    return contract


def signed(world) -> Contract:
    _, parent, lead = world
    contract = make_contract(world)
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    return services.contract_sign(actor=lead, contract=contract, method="post",
                                  signatures=[{"name": parent.full_name, "role": "parent"}],
                                  consents={parent.pk: "given"})


def test_offer_needs_the_grounds_and_says_which_dates_it_found(world):
    pupil, parent, lead = world
    other = PupilFactory(school=pupil.school)
    PupilParentFactory(pupil=other, parent=parent)
    ExclusionFactory(pupil=other, start_date=date(2026, 3, 3))
    contract = services.contract_create(actor=lead, pupil=other, kind="behaviour",
                                        parents=[parent])
    with pytest.raises(ValidationError, match="found 1: 3 Mar 2026"):
        services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING,
                                method="post")
    contract.refresh_from_db()
    assert contract.state == State.DRAFT
    assert not IssuedLetter.objects.exists()


def test_an_agency_involved_must_be_consulted_before_the_offer(world):
    pupil, _, lead = world
    from cases.services import agency_involvement_record

    agency = AgencyFactory(local_authority=pupil.school.local_authority, name="Youth Team")
    agency_involvement_record(actor=lead, pupil=pupil, agency=agency, key_worker="Jo",
                              started_on=TODAY - timedelta(days=30))
    contract = make_contract(world)
    with pytest.raises(ValidationError, match=r"Consult Youth Team before the offer "
                       r"\(Bedfordshire protocol \(2007\) §7\)"):
        services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING,
                                method="post")
    services.consultation_record(actor=lead, contract=contract, agency=agency,
                                 consulted_on=TODAY, views="Supports a contract")
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    assert contract.state == State.OFFERED


def test_signing_tells_the_la_starts_the_clocks_and_archives_the_contract(world):
    pupil, _, _ = world
    contract = signed(world)
    assert contract.state == State.ACTIVE
    assert contract.la_notified_on == TODAY
    assert Notification.objects.get(contract=contract).kind == "contract_issued"
    clocks = Deadline.objects.filter(pupil=pupil, status="open")
    # The order window is a clock only once an order is asked for (tests/orders).
    assert set(clocks.values_list("kind", flat=True)) == {
        DeadlineKind.CONTRACT_REVIEW, DeadlineKind.CONTRACT_END}
    kinds = set(contract.letters.values_list("letter__kind", flat=True))
    assert kinds == {"contract_invitation", "parenting_contract"}


def test_the_breach_ladder_to_escalation(world):
    pupil, parent, lead = world
    contract = signed(world)
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Report card not signed", explanation="Working late",
                           decision=Decision.REASONABLE)
    assert contract.state == State.ACTIVE
    with pytest.raises(ValidationError, match="a further breach follows a formal warning"):
        services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                               description="x", explanation="", decision=Decision.FURTHER)
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Missed the review call", explanation="",
                           decision=Decision.UNSATISFACTORY, reply_by=TODAY + timedelta(days=7))
    assert contract.state == State.WARNED
    assert contract.letters.filter(letter__kind="formal_warning").exists()
    with pytest.raises(ValidationError, match="Needs a further breach after the formal warning"):
        services.contract_escalate(actor=lead, contract=contract, reasons="x")
    exclusion = ExclusionFactory(pupil=pupil, start_date=TODAY, serious_misbehaviour=True)
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Again", explanation="", decision=Decision.FURTHER,
                           exclusion=exclusion)
    with pytest.raises(ValidationError, match="Needs a multi-agency meeting after that breach"):
        services.contract_escalate(actor=lead, contract=contract, reasons="x")
    meeting_record(actor=lead, pupil=pupil, held_on=TODAY, purpose="Next steps",
                   attendees="Sam, school lead\nDana, LA", agencies=[], decisions="Order",
                   actions=[], la_represented=True, recommends_parenting_order=True)
    services.contract_escalate(actor=lead, contract=contract, reasons="Recommended")
    assert contract.state == State.ESCALATED
    assert Notification.objects.filter(contract=contract, kind="escalated").exists()
    steps = TimelineEvent.objects.filter(pupil=pupil, details__contract=contract.pk)
    assert steps.count() >= 8


def test_a_no_fault_breach_puts_it_under_review_and_tells_the_la(world):
    _, _, lead = world
    contract = signed(world)
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Could not attend", explanation="Hospital",
                           decision=Decision.NO_FAULT)
    assert contract.state == State.UNDER_REVIEW
    assert Notification.objects.filter(contract=contract, kind="review_needed").exists()
    services.contract_amend(actor=lead, contract=contract, review_on=TODAY + timedelta(days=30),
                            summary="Calls moved to evenings")
    assert contract.state == State.ACTIVE
    assert Deadline.objects.filter(pupil=contract.pupil, kind=DeadlineKind.CONTRACT_REVIEW,
                                   status="met").count() == 1


def test_a_refusal_needs_the_negotiation_log(world):
    _, _, lead = world
    contract = make_contract(world)
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    with pytest.raises(ValidationError, match="Record every effort to negotiate"):
        services.contract_refuse(actor=lead, contract=contract, reasons="Does not want it")
    services.contact_record(actor=lead, contract=contract, kind="meeting", occurred_on=TODAY,
                            parent_took_part=True, notes="Met; said no help is needed")
    services.contract_refuse(actor=lead, contract=contract, reasons="Does not want it")
    assert contract.state == State.REFUSED


def test_an_attendance_contract_is_agreed_only_with_the_parent_present_and_ends_with_reasons(
    world
):
    pupil, parent, lead = world
    contract = services.contract_create(actor=lead, pupil=pupil, kind="attendance",
                                        parents=[parent])
    services.contract_update_content(
        actor=lead, contract=contract, support="A lead practitioner",
        lead_practitioner="Jo Marsh", parent_requirements="Jordan at school by 8:45",
        starts_on=TODAY, review_on=TODAY + timedelta(days=40), ends_on=TODAY + timedelta(days=100),
    )
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    with pytest.raises(ValidationError, match="cannot be agreed in the parent's absence"):
        services.contract_sign(actor=lead, contract=contract, method="post",
                               signatures=[{"name": "A", "role": "parent"}],
                               consents={parent.pk: "given"})
    services.contact_record(actor=lead, contract=contract, kind="meeting",
                            occurred_on=TODAY - timedelta(days=3), parent_took_part=True,
                            notes="Agreed")
    services.contract_sign(actor=lead, contract=contract, method="post",
                           signatures=[{"name": parent.full_name, "role": "parent"}],
                           consents={parent.pk: "given"})
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Late 6 times", explanation="",
                           decision=Decision.UNSATISFACTORY, reply_by=TODAY + timedelta(days=7))
    assert contract.letters.filter(letter__kind="attendance_warning").exists()
    with pytest.raises(ValidationError, match="hold a review meeting"):
        services.contract_terminate(actor=lead, contract=contract, reasons="x",
                                    alternative_course="penalty_notice")
    services.contact_record(actor=lead, contract=contract, kind="meeting", occurred_on=TODAY,
                            parent_took_part=False, notes="Review meeting; parent absent")
    services.contract_terminate(actor=lead, contract=contract,
                                reasons="Not kept; no engagement at review",
                                alternative_course="penalty_notice")
    assert contract.state == State.TERMINATED
    assert contract.get_alternative_course_display() == "Issue a penalty notice"


def test_the_state_cannot_be_set_directly():
    contract = Contract()
    with pytest.raises(AttributeError):
        contract.state = State.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_offers_one_wins_the_other_is_told_and_one_letter_exists(world):
    pupil, parent, lead = world
    contract = make_contract(world)
    url = reverse("contract-action", args=[contract.pk, "offer"])
    form = {"meeting_on_0": str(MEETING["meeting_on"].day),
            "meeting_on_1": str(MEETING["meeting_on"].month),
            "meeting_on_2": str(MEETING["meeting_on"].year), "meeting_time": "10:30am",
            "meeting_place": "School", "contact": "Sam",
            "reply_by_0": str(MEETING["reply_by"].day),
            "reply_by_1": str(MEETING["reply_by"].month),
            "reply_by_2": str(MEETING["reply_by"].year), "method": "post"}
    responses = post_at_once((lead, url, form), (lead, url, form))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 302]
    refused = next(r for r in responses if r.status_code == 200).content.decode()
    assert "changed by someone else" in refused or "only when the contract is draft" in refused
    contract.refresh_from_db()
    assert contract.state == State.OFFERED
    assert IssuedLetter.objects.filter(kind="contract_invitation").count() == 1


def test_a_meeting_earlier_on_the_day_of_the_warning_is_not_the_review(world):
    pupil, parent, lead = world
    contract = services.contract_create(actor=lead, pupil=pupil, kind="attendance",
                                        parents=[parent])
    services.contract_update_content(
        actor=lead, contract=contract, support="Lead practitioner", lead_practitioner="Jo",
        parent_requirements="On time", starts_on=TODAY, review_on=TODAY + timedelta(days=40),
        ends_on=TODAY + timedelta(days=100),
    )
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    services.contact_record(actor=lead, contract=contract, kind="meeting", occurred_on=TODAY,
                            parent_took_part=True, notes="Agreed this morning")
    services.contract_sign(actor=lead, contract=contract, method="post",
                           signatures=[{"name": parent.full_name, "role": "parent"}],
                           consents={parent.pk: "given"})
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Absent all afternoon", explanation="",
                           decision=Decision.UNSATISFACTORY, reply_by=TODAY + timedelta(days=7))
    with pytest.raises(ValidationError, match="hold a review meeting"):
        services.contract_terminate(actor=lead, contract=contract, reasons="x",
                                    alternative_course="prosecution")


def test_parents_who_live_apart_each_get_the_letter(world):
    pupil, parent, lead = world
    parent.address, parent.postcode = "1 North Road", "ZZ1 1ZZ"
    parent.save()
    other = PupilParentFactory(pupil=pupil, parent__address="9 South Road",
                               parent__postcode="ZZ9 9ZZ").parent
    contract = services.contract_create(actor=lead, pupil=pupil, kind="behaviour",
                                        parents=[parent, other])
    services.contract_update_content(actor=lead, contract=contract, **CONTENT)
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    letters = IssuedLetter.objects.filter(kind="contract_invitation")
    assert letters.count() == 2
    assert {tuple(r["postcode"] for r in letter.addressed_to) for letter in letters} == {
        ("ZZ1 1ZZ",), ("ZZ9 9ZZ",)}


def test_a_review_moves_the_clocks_but_never_the_signed_start(world):
    _, _, lead = world
    contract = signed(world)
    services.contract_start_review(actor=lead, contract=contract, reason="Scheduled")
    with pytest.raises(ValidationError, match="start date cannot change"):
        services.contract_update_content(actor=lead, contract=contract,
                                         starts_on=TODAY - timedelta(days=30))
    later = TODAY + timedelta(days=200)
    services.contract_update_content(actor=lead, contract=contract, ends_on=later)
    end = Deadline.objects.get(pupil=contract.pupil, kind=DeadlineKind.CONTRACT_END,
                               status="open")
    assert timezone.localtime(end.due_at).date() == later


def test_a_breach_must_fall_between_the_signing_and_today(world):
    _, _, lead = world
    contract = signed(world)
    with pytest.raises(ValidationError, match="between the signing"):
        services.breach_record(actor=lead, contract=contract,
                               occurred_on=TODAY + timedelta(days=1), description="x",
                               explanation="", decision=Decision.REASONABLE)
    with pytest.raises(ValidationError, match="after today"):
        services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                               description="x", explanation="",
                               decision=Decision.UNSATISFACTORY, reply_by=TODAY)


def test_an_edit_made_on_an_out_of_date_page_is_refused_and_saves_nothing(world):
    _, _, lead = world
    contract = make_contract(world)
    seen = Contract.objects.get(pk=contract.pk).revision
    services.contract_update_content(actor=lead, contract=contract, revision=seen,
                                     aims="First editor's aims")
    stale = Contract.objects.get(pk=contract.pk)
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.contract_update_content(actor=lead, contract=stale, revision=seen,
                                         aims="Second editor's aims")
    contract.refresh_from_db()
    assert contract.aims == "First editor's aims"
