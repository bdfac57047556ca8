"""The pages of the breach ladder: the breach form offers only the decisions open now and says
why not the others; escalating shows first what the LA will find missing for an order; an
escalated contract says who has it now and what happens next."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import LocalPolicy, StaffRole
from cases.services import exclusion_record, meeting_record
from contracts import services
from contracts.models import Breach, ContractKind, Decision
from tests.clients import FormClient as Client
from tests.contracts.helpers import CONTENT, MEETING, TODAY
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)


@pytest.fixture
def running(db):
    """A signed contract under the Bedfordshire protocol, with suspensions that are not marked
    serious misbehaviour (so an order's own grounds are not met)."""
    la = LocalAuthorityFactory(code="901", policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    school = SchoolFactory(local_authority=la)
    pupil = PupilFactory(school=school, first_name="Jordan")
    parent = PupilParentFactory(pupil=pupil).parent
    for days in (60, 20):
        ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=days))
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    officer = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    contract = services.contract_create(actor=lead, pupil=pupil, kind=ContractKind.BEHAVIOUR,
                                        parents=[parent])
    services.contract_update_content(actor=lead, contract=contract, **CONTENT)
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    services.contract_sign(actor=lead, contract=contract, method="post",
                           signatures=[{"name": parent.full_name, "role": "parent"}],
                           consents={parent.pk: "given"})
    client = Client()
    client.force_login(lead)
    return contract, lead, officer, client


def breach_page(client, contract) -> str:
    return client.get(reverse("contract-action", args=[contract.pk, "breach"])
                      ).content.decode()


def test_the_breach_form_offers_only_what_the_ladder_allows_and_says_why_not_the_rest(running):
    contract, _, _, client = running
    body = breach_page(client, contract)
    assert body.index("<h1") < body.index("decision-ladder"), "the ladder follows the heading"
    assert 'value="further"' not in body
    assert ("A further breach after the warning</strong> is not available now. Not available "
            "yet: a further breach follows a formal warning, and none has been sent.") in body
    assert "seed" not in body.lower()
    # The letter's details sit with the decision that sends one, and nowhere else.
    reveal = body[body.index('id="conditional-unsatisfactory"'):]
    assert body.count("How the letter will be sent") == 1
    assert "How the letter will be sent" in reveal[:reveal.index("</fieldset>") + 2000]


def test_a_decision_the_ladder_does_not_allow_is_refused_by_the_form_and_saves_nothing(
    running
):
    contract, _, _, client = running
    response = client.post(reverse("contract-action", args=[contract.pk, "breach"]), {
        "occurred_on_0": TODAY.day, "occurred_on_1": TODAY.month, "occurred_on_2": TODAY.year,
        "description": "Card not signed", "decision": "further",
    })
    assert response.status_code == 200
    assert "Select one of the decisions available now" in response.content.decode()
    assert not Breach.objects.exists()


def test_the_further_exclusion_list_offers_only_exclusions_after_the_warning(running):
    contract, lead, _, client = running
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Missed the call", explanation="",
                           decision=Decision.UNSATISFACTORY, reply_by=TODAY + timedelta(days=7))
    later = exclusion_record(actor=lead, pupil=contract.pupil, kind="suspension",
                             start_date=TODAY, school_days=Decimal(1),
                             reasons=list(_reasons())).exclusion
    body = breach_page(client, contract)
    select = body[body.index('name="exclusion"'):]
    select = select[:select.index("</select>")]
    assert '<option value="" selected>No further exclusion</option>' in select
    assert f'value="{later.pk}"' in select
    earlier = contract.pupil.exclusions.exclude(pk=later.pk)
    assert not any(f'value="{e.pk}"' in select for e in earlier)


def _reasons():
    from cases.models import ExclusionReason

    return ExclusionReason.objects.filter(code="PP")


def escalate(contract, lead):
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Missed the call", explanation="",
                           decision=Decision.UNSATISFACTORY, reply_by=TODAY + timedelta(days=7))
    further = exclusion_record(actor=lead, pupil=contract.pupil, kind="suspension",
                               start_date=TODAY, school_days=Decimal(1),
                               reasons=list(_reasons()), serious_misbehaviour=True).exclusion
    services.breach_record(actor=lead, contract=contract, occurred_on=TODAY,
                           description="Card thrown away", explanation="",
                           decision=Decision.FURTHER, exclusion=further)
    meeting_record(actor=lead, pupil=contract.pupil, held_on=TODAY, purpose="Next steps",
                   attendees="Lead\nLA officer", agencies=[], decisions="Ask for an order",
                   actions=[], la_represented=True, recommends_parenting_order=True)


def test_escalating_shows_first_what_the_la_will_find_missing_for_an_order(running):
    contract, lead, _, client = running
    escalate(contract, lead)
    body = client.get(reverse("contract-action", args=[contract.pk, "escalate"])
                      ).content.decode()
    readiness = body[body.index('id="order-readiness"'):body.index('<form method="post" nov')]
    assert "of 3 exclusions, 1 is marked serious misbehaviour" in readiness
    assert "No final warning letter has been issued to the parent" in readiness
    assert "Bedfordshire protocol (2007) §12" in readiness
    response = client.post(reverse("contract-action", args=[contract.pk, "escalate"]),
                           {"reasons": "The meeting recommends an order."})
    assert response.status_code == 302
    event = contract.pupil.timeline.get(kind="contract_escalated")
    assert any("final warning" in lack for lack in event.details["order_lacks"])


def test_an_escalated_contract_says_who_has_it_and_what_happens_next(running):
    contract, lead, officer, client = running
    escalate(contract, lead)
    services.contract_escalate(actor=lead, contract=contract, reasons="Recommended")
    body = client.get(reverse("contract-detail", args=[contract.pk])).content.decode()
    assert (f"With the LA designated officer ({officer.get_full_name()}) since "
            f"{TODAY:%-d %b %Y}") in body
    assert "to the la." not in body
    assert "The contract has ended: with the LA designated officer, escalated on" not in body
