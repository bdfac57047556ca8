"""What a contract holds and says: each parent's consent to sharing, every section of the
Bedfordshire protocol's model contract (Appendix 3) on the form and in the signed PDF, and
timeline events named by their step."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cases.models import LocalPolicy, Nation, StaffRole, TimelineEvent
from contracts import services
from contracts.models import ConsentDecision, ContractKind
from tests.clients import FormClient as Client
from tests.contracts.helpers import CONTENT, MEETING, TODAY
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    ParentCarerFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)


@pytest.fixture
def family(db):
    """Jordan, two parents at two addresses, two recent serious suspensions, their lead."""
    la = LocalAuthorityFactory(code="901", policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    school = SchoolFactory(local_authority=la, headteacher_name="Helen Price")
    pupil = PupilFactory(school=school, first_name="Jordan", last_name="Mensah")
    ama = ParentCarerFactory(first_name="Ama", last_name="Mensah", address="4 Vale Close",
                             postcode="ZZ1 1ZZ", phone="07700 900001")
    kofi = ParentCarerFactory(first_name="Kofi", last_name="Mensah", address="9 Hill Road",
                              postcode="ZZ2 2ZZ")
    for parent in (ama, kofi):
        PupilParentFactory(pupil=pupil, parent=parent)
    for days in (60, 20):
        ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=days),
                         serious_misbehaviour=True)
    return pupil, ama, kofi, staff(StaffRole.SCHOOL_LEAD, school)


def offered(family, **content):
    pupil, ama, kofi, lead = family
    contract = services.contract_create(actor=lead, pupil=pupil, kind=ContractKind.BEHAVIOUR,
                                        parents=[ama, kofi])
    services.contract_update_content(actor=lead, contract=contract, **{**CONTENT, **content})
    services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING, method="post")
    return contract


def sign(family, contract, consents):
    _, ama, _, lead = family
    return services.contract_sign(actor=lead, contract=contract, method="post",
                                  signatures=[{"name": ama.full_name, "role": "parent"}],
                                  consents=consents)


def signed_text(contract) -> list[str]:
    """The text of each signed contract letter (one a household)."""
    return [
        " ".join(" ".join((p.extract_text() or "").split())
                 for p in PdfReader(io.BytesIO(bytes(link.letter.pdf))).pages)
        for link in contract.letters.filter(step="signed").select_related("letter")
    ]


# --- consent to share --------------------------------------------------------------------

def test_the_contract_states_each_parents_own_consent_never_consent_by_signing(family):
    _, ama, kofi, _ = family
    contract = offered(family)
    sign(family, contract, {ama.pk: "given", kofi.pk: "refused"})
    texts = signed_text(contract)
    assert len(texts) == 2, "the parents live apart: a letter each"
    for text in texts:
        assert f"Ama Mensah agreed on {TODAY:%-d %B %Y} that the school may share" in text
        assert "Kofi Mensah did not agree to information being shared" in text
        assert "By signing, you agree" not in text
        assert "signing this contract is not consent to it" in text
        assert "(safeguarding)" in text
    decisions = ConsentDecision.objects.filter(contract=contract)
    assert {(d.parent_id, d.decision, d.decided_on) for d in decisions} == {
        (ama.pk, "given", TODAY), (kofi.pk, "refused", TODAY)}


def test_signing_needs_every_parents_decision_and_saves_nothing_without_it(family):
    _, ama, kofi, _ = family
    contract = offered(family)
    with pytest.raises(ValidationError, match="Record whether Kofi Mensah agrees"):
        sign(family, contract, {ama.pk: "given"})
    contract.refresh_from_db()
    assert contract.state == "offered"
    assert not ConsentDecision.objects.exists()
    assert not contract.letters.filter(step="signed").exists()


def test_consent_is_withdrawn_only_once_given_and_every_decision_is_kept(family):
    _, ama, kofi, lead = family
    contract = offered(family)
    sign(family, contract, {ama.pk: "given", kofi.pk: "refused"})
    with pytest.raises(ValidationError, match="Kofi Mensah has not given consent"):
        services.consent_record(actor=lead, contract=contract, parent=kofi,
                                decision="withdrawn", decided_on=TODAY)
    services.consent_record(actor=lead, contract=contract, parent=ama, decision="withdrawn",
                            decided_on=TODAY, notes="By email")
    assert list(ConsentDecision.objects.filter(parent=ama).values_list(
        "decision", flat=True)) == ["given", "withdrawn"]
    event = TimelineEvent.objects.filter(kind="consent_recorded").first()
    assert event.get_kind_display() == "Consent to share information recorded"
    assert "Ama Mensah: consent withdrawn" in event.summary
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.consent_record(actor=lead, contract=contract, parent=ama, decision="given",
                                decided_on=TODAY + timedelta(days=1))


def test_the_sign_page_asks_each_parent_about_sharing(family):
    _, ama, kofi, lead = family
    contract = offered(family)
    client = Client()
    client.force_login(lead)
    url = reverse("contract-action", args=[contract.pk, "sign"])
    response = client.post(url, {"signatures": "Ama Mensah, parent", "method": "post",
                                 f"consent_{ama.pk}": "given"})
    body = response.content.decode()
    assert "Select whether Kofi Mensah agrees to information being shared" in body
    assert "Signing is not consent" in body
    contract.refresh_from_db()
    assert contract.state == "offered"


# --- every part of Appendix 3 ------------------------------------------------------------

APPENDIX_3_ON_THE_FORM = [
    "Reasons for the contract: the areas of concern", "What we are trying to achieve",
    "How the parents can be involved in achieving this", "What might stop this from happening",
    "How we can overcome these difficulties", "What Ama Mensah would find helpful",
    "What Kofi Mensah would find helpful", "What the pupil would find helpful",
    "What the school and other agencies would find helpful",
    "Objectives for the next three months", "What the pupil agrees to do",
    "Support services and agencies attending", "Link professional",
    "Link professional&#x27;s position", "When we will next meet", "Other important dates",
    "Review date", "End date", "Additional contact details",
]


def test_the_content_form_asks_for_every_section_of_appendix_3(family):
    pupil, ama, kofi, lead = family
    contract = services.contract_create(actor=lead, pupil=pupil, kind=ContractKind.BEHAVIOUR,
                                        parents=[ama, kofi])
    client = Client()
    client.force_login(lead)
    url = reverse("contract-action", args=[contract.pk, "edit"])
    body = client.get(url).content.decode()
    missing = [label for label in APPENDIX_3_ON_THE_FORM if label not in body]
    assert not missing
    response = client.post(url, {
        "revision": contract.revision, f"help_{ama.pk}": "A weekly call",
        f"help_{kofi.pk}": "Meetings after 5pm", "obstacles": "Shift work",
        "next_meeting": "Tuesday 8 December at 3:30pm, at school",
    })
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.help_by_parent == {str(ama.pk): "A weekly call",
                                       str(kofi.pk): "Meetings after 5pm"}
    assert contract.next_meeting == "Tuesday 8 December at 3:30pm, at school"


def test_the_signed_contract_prints_every_section_and_none_recorded_for_empty_ones(family):
    _, ama, kofi, _ = family
    contract = offered(
        family, help_by_parent={str(ama.pk): "A weekly call from the tutor"},
        school_help="Notice of hospital appointments", obstacles="Shift work",
        support_services="Jo Marsh; Education Welfare Service",
        link_professional="Sam Okafor", link_professional_position="Head of Year 8",
        next_meeting="8 December, 3:30pm",
    )
    sign(family, contract, {ama.pk: "given", kofi.pk: "given"})
    text = signed_text(contract)[0]
    for section in (
        "Reasons for the contract: the areas of concern", "What we are trying to achieve",
        "How the parents can be involved in achieving this",
        "What might stop this from happening? Shift work",
        "How we can overcome these difficulties None recorded.",
        "What Ama Mensah would find helpful A weekly call from the tutor",
        "What Kofi Mensah would find helpful None recorded.",
        "What Jordan would find helpful None recorded.",
        "What the school and other agencies would find helpful Notice of hospital",
        "Main objectives for the next three months", "School agreement", "Parent agreement",
        "Pupil agreement None recorded.", "Jo Marsh Education Welfare Service",
        "Sam Okafor, Head of Year 8", "Headteacher Helen Price",
        "When we will next meet 8 December, 3:30pm", "Other important dates None recorded",
        "Additional contact details None recorded", "Relationship to Jordan",
        "Signed by Ama Mensah", "Signed by Kofi Mensah",
    ):
        assert section in text, f"the contract must print {section!r}"


def test_the_welsh_contract_prints_every_section_too(family):
    pupil, ama, kofi, _ = family
    pupil.school.local_authority.nation = Nation.WALES
    pupil.school.local_authority.save()
    contract = offered(family)
    sign(family, contract, {ama.pk: "given", kofi.pk: "refused"})
    text = signed_text(contract)[0]
    for section in ("Beth allai atal hyn rhag digwydd? Dim wedi'i gofnodi.",
                    "Beth fyddai'n helpu Kofi Mensah Dim wedi'i gofnodi.",
                    "Beth fyddai'n helpu'r ysgol a'r asiantaethau eraill",
                    "Pryd y byddwn yn cyfarfod nesaf", "Cytunodd Ama Mensah ar",
                    "Ni chytunodd Kofi Mensah i rannu gwybodaeth",
                    "nid yw llofnodi'r contract hwn yn rhoi caniatâd iddo"):
        assert section in text, f"the Welsh contract must print {section!r}"


# --- timeline words ----------------------------------------------------------------------

def test_each_event_is_titled_by_its_step_and_changes_are_named_by_their_labels(family):
    _, ama, kofi, _ = family
    contract = offered(family)
    sign(family, contract, {ama.pk: "given", kofi.pk: "given"})
    events = TimelineEvent.objects.filter(details__contract=contract.pk)
    titles = [e.get_kind_display() for e in events.order_by("pk")]
    assert "Contract" not in titles
    assert {"Contract started", "Contract content changed", "Contract offered",
            "Contract signed"} <= set(titles)
    changed = events.get(kind="contract_changed")
    assert "parent_requirements" not in changed.summary and "starts_on" not in changed.summary
    assert "What the parents agree to do" in changed.summary
    assert "Start date" in changed.summary
