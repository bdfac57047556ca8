"""A parenting order case as the LA designated officer meets it: a Bedfordshire pupil whose
school escalated a contract after a warning, a further breach and a further exclusion, with the
people of every role the case involves."""

import struct
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services as case_services
from cases.models import ExclusionReason, LocalPolicy, StaffRole
from contracts import services as contract_services
from contracts.models import Decision
from orders import services
from tests.cases.test_services import docx_bytes
from tests.contracts.helpers import CONTENT, MEETING
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)

TODAY = timezone.localdate()


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    """A real PNG: grey pixels, as a scanner might make."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def pdf_with_pages(count: int, text: str = "Statement page") -> bytes:
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    for n in range(1, count + 1):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(
            f"BT /F1 14 Tf 72 760 Td ({text} {n}) Tj ET".encode())
    return _saved(pdf)


def hostile_pdf() -> bytes:
    """A PDF that tries everything: a script on opening, a page action, links that run
    JavaScript, launch a program and reach a web address, and a form with a script."""
    pdf = pikepdf.Pdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.Root.OpenAction = pdf.make_indirect(js)
    page.obj.AA = pikepdf.Dictionary(O=js)
    links = [
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                           Rect=[10, 10, 100, 100], A=action)
        for action in (
            js,
            pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")),
            pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://evil.example/")),
        )
    ]
    field = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget,
                               FT=pikepdf.Name.Tx, T=pikepdf.String("name"),
                               Rect=[10, 200, 200, 220], AA=pikepdf.Dictionary(K=js))
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([*links, field]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([page.obj.Annots[3]]))
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("x"), js])))
    return _saved(pdf)


def _saved(pdf) -> bytes:
    import io

    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@dataclass
class World:
    pupil: object
    parent: object
    lead: object
    headteacher: object
    officer: object
    panel_member: object
    partnerships: object
    contract: object
    la: object


def reasons():
    return list(ExclusionReason.objects.filter(code="PP"))


def escalated_world(*, first_name="Jordan", last_name="Mensah", parent_first="Ama",
                    escalate: bool = True) -> World:
    """The world, its contract escalated to the LA; or (escalate=False) with everything in
    place for the school lead to escalate it."""
    la = LocalAuthorityFactory(code="901", name="Ashford Vale",
                               policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    school = SchoolFactory(local_authority=la, name="Hillside Primary School",
                           headteacher_name="Helen Price")
    pupil = PupilFactory(school=school, first_name=first_name, last_name=last_name)
    parent = PupilParentFactory(pupil=pupil, parent__first_name=parent_first,
                                parent__last_name=last_name, parent__address="4 Vale Close",
                                parent__postcode="ZZ1 1ZZ").parent
    for days in (80, 50):
        start = TODAY - timedelta(days=days)
        ExclusionFactory(pupil=pupil, start_date=start, serious_misbehaviour=True,
                         statutory_process_ended_on=start + timedelta(days=10))
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    world = World(
        pupil=pupil, parent=parent, lead=lead,
        headteacher=staff(StaffRole.HEADTEACHER, school),
        officer=staff(StaffRole.LA_DESIGNATED_OFFICER, la),
        panel_member=staff(StaffRole.LEGAL_PANEL_MEMBER, la),
        partnerships=staff(StaffRole.HEAD_OF_PARTNERSHIPS, la),
        contract=None, la=la,
    )
    contract = contract_services.contract_create(actor=lead, pupil=pupil, kind="behaviour",
                                                 parents=[parent])
    contract_services.contract_update_content(actor=lead, contract=contract, **CONTENT)
    contract_services.contract_offer(actor=lead, contract=contract, letter_facts=MEETING,
                                     method="post")
    contract_services.contract_sign(actor=lead, contract=contract, method="post",
                                    signatures=[{"name": parent.full_name, "role": "parent"}],
                                    consents={parent.pk: "given"})
    contract_services.breach_record(
        actor=lead, contract=contract, occurred_on=TODAY, description="Missed the weekly call",
        explanation="", decision=Decision.UNSATISFACTORY, reply_by=TODAY + timedelta(days=7))
    # The further exclusion, since the warning. Not marked serious, so the order's grounds
    # stay the two earlier suspensions, whose statutory process has ended.
    further = case_services.exclusion_record(
        actor=lead, pupil=pupil, kind="suspension", start_date=TODAY,
        school_days=Decimal(1), reasons=reasons()).exclusion
    contract_services.breach_record(
        actor=lead, contract=contract, occurred_on=TODAY, description="Report card thrown away",
        explanation="", decision=Decision.FURTHER, exclusion=further)
    case_services.meeting_record(
        actor=lead, pupil=pupil, held_on=TODAY, purpose="Next steps", attendees="Sam, lead\nDana",
        agencies=[], decisions="Ask for an order", actions=[], la_represented=True,
        recommends_parenting_order=True)
    if escalate:
        contract_services.contract_escalate(actor=lead, contract=contract,
                                            reasons="A further breach and exclusion after the "
                                                    "warning; the meeting recommends an order.")
    world.contract = contract
    return world


def upload(world: World, title: str, category: str, name: str, content: bytes):
    return case_services.document_upload(actor=world.lead, pupil=world.pupil, title=title,
                                         category=category,
                                         upload=SimpleUploadedFile(name, content))


def complete_evidence(world: World) -> None:
    """A document of each kind the protocol asks for."""
    upload(world, "Teacher's statement", "witness_statement", "s.pdf", pdf_with_pages(12))
    upload(world, "Calls not returned", "engagement", "e.pdf", pdf_with_pages(1, "Call log"))
    upload(world, "Support offered", "support", "support.png", png_bytes())
    upload(world, "How parenting is a factor", "parenting_factor", "p.docx", docx_bytes())


def at_panel(world: World):
    """A case opened from the escalated contract, reviewed, warned, its pack built, and with
    the legal panel."""
    case = services.order_open_from_contract(actor=world.officer, contract=world.contract)
    services.order_start_review(actor=world.officer, case=case)
    services.order_final_warning(actor=world.lead, case=case, summary="Exclusions and breaches",
                                 reply_by=TODAY + timedelta(days=10), method="post")
    complete_evidence(world)
    from orders.pack import pack_build

    pack = services.order_pack_request(actor=world.officer, case=case)
    pack_build(pack_id=pack.pk)
    services.order_refer_to_panel(actor=world.officer, case=case)
    return case


@pytest.fixture
def world(db):
    return escalated_world()


def panel_decides(world: World, case, decision="proceed", held_on: date = TODAY):
    return services.order_panel_decision(
        actor=world.officer, case=case, held_on=held_on,
        members=[world.panel_member, world.officer], other_members="",
        strength=dict.fromkeys(
            ["exclusions", "witness_statements", "engagement", "support", "parenting_factor"],
            "strong"),
        programme_available=True, programme=None, decision=decision,
        reasons="The evidence is strong and a programme is available.")
