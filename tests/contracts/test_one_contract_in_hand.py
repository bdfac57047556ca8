"""A contract offered, running or with the LA stops another being offered: on the pupil's
"What is available now" page, in "Eligible for a behaviour contract", and in the invitations
sent in a batch, which offer the pupil's contract and never write to the parents twice."""

import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import rules
from cases.models import LocalPolicy, StaffRole
from cases.policies import POLICIES
from cases.selectors import pupil_eligibility
from contracts import selectors, services
from contracts.models import Contract, ContractKind, State
from letters import services as letter_services
from letters.models import IssuedLetter, LetterBatch
from tests.clients import FormClient as Client
from tests.contracts.helpers import MEETING, TODAY
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
def school(db):
    la = LocalAuthorityFactory(code="901", policy_name=LocalPolicy.ENGLAND_STATUTORY)
    return SchoolFactory(local_authority=la)


@pytest.fixture
def lead(school):
    return staff(StaffRole.SCHOOL_LEAD, school)


def eligible_pupil(school, **names):
    pupil = PupilFactory(school=school, **names)
    PupilParentFactory(pupil=pupil)
    ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=10))
    return pupil


def offer(pupil, lead) -> Contract:
    contract = services.contract_create(actor=lead, pupil=pupil, kind=ContractKind.BEHAVIOUR,
                                        parents=[pupil.parent_links.first().parent])
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    return contract


def behaviour_measure(lead, pupil):
    eligibility = pupil_eligibility(lead, pupil_id=pupil.pk, today=TODAY)
    return next(m for m in eligibility.measures if m.name == "Behaviour parenting contract")


def test_an_offered_contract_is_named_with_its_date_and_a_link_and_blocks_another(
    school, lead
):
    pupil = eligible_pupil(school)
    assert behaviour_measure(lead, pupil).verdict.allowed
    contract = offer(pupil, lead)
    verdict = behaviour_measure(lead, pupil).verdict
    assert not verdict.allowed
    blocking = next(c for c in verdict.checks if not c.met)
    assert blocking.text == (f"A behaviour contract is already offered, since {TODAY:%-d %b %Y}:"
                             " work with that one rather than offering another.")
    assert blocking.href == reverse("contract-detail", args=[contract.pk])
    with pytest.raises(ValidationError, match="already has a parenting contract"):
        services.contract_create(actor=lead, pupil=pupil, kind=ContractKind.BEHAVIOUR,
                                 parents=[pupil.parent_links.first().parent])


@pytest.mark.parametrize("state", [State.ACTIVE, State.WARNED, State.UNDER_REVIEW,
                                   State.ESCALATED])
def test_every_state_in_hand_leaves_the_pupil_out_of_the_list_and_says_so(
    school, lead, state
):
    kept, left_out = eligible_pupil(school), eligible_pupil(school)
    contract = offer(left_out, lead)
    # The state as the ladder would leave it; the path there is tested elsewhere.
    Contract.objects.filter(pk=contract.pk).update(
        state=state, signed_on=TODAY, warned_on=TODAY, closed_on=TODAY)
    eligible = selectors.contract_eligible_for(lead, today=TODAY)
    assert list(eligible.pupils) == [kept]
    assert eligible.left_out == {selectors.rules.STATE_TEXT[state]: 1}
    client = Client()
    client.force_login(lead)
    body = client.get(reverse("contract-eligible-list")).content.decode()
    assert "1 more pupil has grounds but is left out" in body
    assert f"1 with a contract {selectors.rules.STATE_TEXT[state]}" in body
    assert "Invite their parents to contract meetings (1 pupil)" in body


def test_a_draft_is_a_warning_not_a_refusal_and_the_invitation_offers_it(school, lead):
    pupil = eligible_pupil(school)
    draft = services.contract_create(actor=lead, pupil=pupil, kind=ContractKind.BEHAVIOUR,
                                     parents=[pupil.parent_links.first().parent])
    verdict = behaviour_measure(lead, pupil).verdict
    assert verdict.allowed
    assert verdict.warnings == (
        f"A behaviour contract is already being prepared, as a draft started on "
        f"{TODAY:%-d %b %Y}: continue it rather than starting another.",)
    batch = letter_services.batch_request(actor=lead, kind="contract_invitation",
                                          pupils=[pupil], facts=MEETING, method="post")
    letter_services.batch_run(batch_id=batch.pk, issue=services.contract_invite)
    draft.refresh_from_db()
    assert draft.state == State.OFFERED
    assert Contract.objects.filter(pupil=pupil).count() == 1


def test_invitations_offer_contracts_and_a_second_batch_writes_to_no_one_again(school, lead):
    first, second = eligible_pupil(school), eligible_pupil(school)
    unconsulted = eligible_pupil(school)
    agency = AgencyFactory(local_authority=school.local_authority, name="Youth Team")
    from cases.services import agency_involvement_record

    agency_involvement_record(actor=lead, pupil=unconsulted, agency=agency, key_worker="Jo",
                              started_on=TODAY - timedelta(days=30))
    pupils = list(selectors.contract_eligible_for(lead, today=TODAY).pupils)
    assert set(pupils) == {first, second, unconsulted}
    batch = letter_services.batch_request(actor=lead, kind="contract_invitation",
                                          pupils=pupils, facts=MEETING, method="post")
    letter_services.batch_run(batch_id=batch.pk, issue=services.contract_invite)
    letter_services.batch_run(batch_id=batch.pk, issue=services.contract_invite)
    assert set(Contract.objects.filter(state=State.OFFERED).values_list("pupil", flat=True)
               ) == {first.pk, second.pk}
    failed = batch.items.get(status="failed")
    assert failed.pupil == unconsulted
    assert "Consult Youth Team before the offer" in failed.problem
    assert IssuedLetter.objects.count() == 2

    still_eligible = list(selectors.contract_eligible_for(lead, today=TODAY).pupils)
    assert still_eligible == [unconsulted]
    assert not IssuedLetter.objects.filter(pupil__in=[first, second],
                                           batch__isnull=False).exclude(batch=batch).exists()


def test_a_batch_asked_for_while_the_broker_is_down_waits_and_is_sent_later(
    school, lead, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from contracts import tasks as contract_tasks
    from letters import tasks

    pupil = eligible_pupil(school)
    sent = []

    def broker_down(batch_id):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(contract_tasks.invite_to_contract_meetings, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_services.batch_request(
            actor=lead, kind="contract_invitation", pupils=[pupil], method="post",
            facts=MEETING)
    batch.refresh_from_db()
    assert batch.status == "queued"
    monkeypatch.setattr(contract_tasks.invite_to_contract_meetings, "delay", sent.append)
    assert tasks.requeue_waiting_batches() == 0  # not yet 10 minutes old
    LetterBatch.objects.filter(pk=batch.pk).update(
        requested_at=timezone.now() - timedelta(minutes=11))
    assert tasks.requeue_waiting_batches() == 1
    assert sent == [batch.pk]


@pytest.mark.parametrize("policy_name", list(LocalPolicy))
def test_the_list_and_the_rule_agree_pupil_by_pupil_with_contracts_in_hand(db, policy_name):
    la = LocalAuthorityFactory(code="902", policy_name=policy_name)
    school = SchoolFactory(local_authority=la)
    user = staff(StaffRole.SCHOOL_LEAD, school)
    rnd = random.Random(policy_name)
    for _ in range(40):
        pupil = PupilFactory(school=school)
        PupilParentFactory(pupil=pupil)
        for _ in range(rnd.choice([1, 2, 2])):
            ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=rnd.randint(0, 400)))
        state = rnd.choice([None, None, State.DRAFT, State.OFFERED, State.ACTIVE,
                            State.ESCALATED, State.COMPLETED])
        if state:
            Contract.objects.create(kind=ContractKind.BEHAVIOUR, pupil=pupil, school=school,
                                    lead=user, state=state, offered_on=TODAY,
                                    signed_on=TODAY, closed_on=TODAY)
    policy = POLICIES[policy_name]
    by_rule = {
        pupil.pk for pupil in school.pupils.prefetch_related("exclusions", "contracts")
        if rules.behaviour_contract_eligibility(
            policy=policy, exclusions=list(pupil.exclusions.all()),
            looked_after=pupil.looked_after, today=TODAY,
            in_hand=selectors.in_hand(c for c in pupil.contracts.all()
                                      if c.state in {*selectors.OPEN, *selectors.IN_HAND}))
    }
    by_sql = set(selectors.contract_eligible_for(user, today=TODAY).pupils.values_list(
        "pk", flat=True))
    assert by_sql == by_rule
    assert 0 < len(by_rule) < school.pupils.count(), "the data must test both answers"
