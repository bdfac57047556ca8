"""The evidence pack as a court would check it: qpdf finds nothing wrong; its pages, index,
bookmarks and stamps agree; each letter inside is the letter as issued; names are printed as
text; and nothing an uploaded PDF carries can run, launch or reach out."""

import hashlib
import io
import re
import subprocess
import threading

import pikepdf
import pytest
from django.db import connections
from pypdf import PdfReader

from orders import services
from orders.models import EvidencePack, Numbering
from orders.pack import pack_build
from tests.orders.conftest import (
    complete_evidence,
    escalated_world,
    hostile_pdf,
    upload,
)


def built(world, **choices):
    case = world.pupil.order_cases.first() or services.order_open_from_contract(
        actor=world.officer, contract=world.contract)
    if case.state == "requested":
        services.order_start_review(actor=world.officer, case=case)
        services.order_final_warning(actor=world.lead, case=case, summary="So far",
                                     reply_by=case.requested_on.replace(year=2099),
                                     method="post")
    pack = services.order_pack_request(actor=world.officer, case=case, **choices)
    assert pack_build(pack_id=pack.pk) == EvidencePack.Status.BUILT, (
        EvidencePack.objects.get(pk=pack.pk).problem)
    pack.refresh_from_db()
    return pack


def pdf_bytes(pack) -> bytes:
    with pack.built.file.open("rb") as stored:
        return stored.read()


def page_texts(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split())
            for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def hostile_names(db):
    world = escalated_world(first_name="<script>alert(1)</script>", last_name="Rowe",
                            parent_first='<img src="file:///etc/passwd">')
    complete_evidence(world)
    return world


@pytest.mark.parametrize("numbering", [Numbering.SECTIONS, Numbering.SEQUENCE])
def test_the_pack_agrees_with_itself_page_by_page(hostile_names, numbering, tmp_path):
    world = hostile_names
    pack = built(world, numbering=numbering)
    data = pdf_bytes(pack)
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert hashlib.sha256(data).hexdigest() == pack.built.sha256

    parts = pack.built.parts
    texts = page_texts(data)
    total = len(texts)
    assert total == pack.built.page_count == sum(p["pages"] for p in parts)
    assert [p["section"] for p in parts] == sorted(p["section"] for p in parts)
    # 3 exclusions, the contract and its 4 letters, the 12-page statement, the image, the DOCX.
    assert sum(1 for p in parts if p["source"] == "letter") == 4
    statement = next(p for p in parts if "Teacher's statement" in p["title"])
    assert statement["pages"] == 12

    # Every page carries its place in the bundle.
    for number, text in enumerate(texts, 1):
        stamp = (f"Page {number} of {total}" if numbering == Numbering.SEQUENCE
                 else f"(page {number} of {total})")
        assert stamp in text, f"page {number}: {text[-80:]}"

    with pikepdf.open(io.BytesIO(data)) as pdf:
        index = next(p for p in parts if p["title"] == "Index")
        targets = set()
        for page in pdf.pages[index["first_page"] - 1:index["last_page"]]:
            for annotation in page.obj.get("/Annots", []):
                destination = annotation.get("/Dest")
                assert destination is not None, "every index link jumps within the pack"
                targets.add(next(n for n, p in enumerate(pdf.pages, 1)
                                 if p.obj == destination[0]))
        # An entry that wraps onto two lines is a link on each: the pages they jump to are
        # the first pages of the parts, every one.
        assert targets == {p["first_page"] for p in parts if p["pages"]}
        # The index prints each part's pages in the pack's own numbering.
        index_text = " ".join(texts[index["first_page"] - 1:index["last_page"]])
        for part in parts:
            if part["label"]:
                assert part["label"] in index_text
        docx = next(p for p in parts if p["attached"] and p["source"] == "document")
        assert docx["sha256"] in index_text.replace(" ", "") or docx["sha256"][:20] in (
            index_text.replace(" ", ""))

        # Bookmarks: a section each, a document each inside it.
        with pdf.open_outline() as outline:
            sections = [(item.title, item.destination) for item in outline.root]
            children = {item.title: [c.title for c in item.children] for item in outline.root}
        assert [title[:2] for title, _ in sections] == ["A.", "B.", "C.", "D.", "E."]
        assert any("Teacher's statement" in t for t in children["E. Witness statements and "
                                                                "exhibits"])

        # Each letter inside is the letter as issued: its pages' own content streams are the
        # issued PDF's, byte for byte, and the issued file itself is attached.
        from letters.models import IssuedLetter

        for part in (p for p in parts if p["source"] == "letter"):
            letter = IssuedLetter.objects.get(pk=part["letter"])
            assert part["sha256"] == letter.sha256
            with pikepdf.open(io.BytesIO(bytes(letter.pdf))) as issued:
                for offset, original in enumerate(issued.pages):
                    inside = pdf.pages[part["first_page"] - 1 + offset].obj.Contents
                    inside = [s.read_raw_bytes() for s in inside]
                    contents = original.obj.Contents
                    contents = contents if isinstance(contents, pikepdf.Array) else [contents]
                    originals = [s.read_raw_bytes() for s in contents]
                    assert inside[1:1 + len(originals)] == originals
            attached = pdf.attachments[f"letter-{letter.pk}.pdf"].get_file().read_bytes()
            assert hashlib.sha256(attached).hexdigest() == letter.sha256
        attached = pdf.attachments[docx["attached"]].get_file().read_bytes()
        assert hashlib.sha256(attached).hexdigest() == docx["sha256"]

    # Names are printed as the text they are, never taken for markup.
    everything = " ".join(texts)
    assert "<script>alert(1)</script> Rowe" in everything
    assert '<img src="file:///etc/passwd"> Rowe' in everything
    assert "root:" not in everything


def test_an_uploaded_pdf_keeps_what_it_shows_and_loses_everything_that_acts(world):
    complete_evidence(world)
    upload(world, "A parent's email", "other", "email.pdf", hostile_pdf())
    pack = built(world)
    with pikepdf.open(io.BytesIO(pdf_bytes(pack))) as pdf:
        for key in ("/OpenAction", "/AA", "/AcroForm"):
            assert key not in pdf.Root, key
        # The only names the pack keeps are its own attachments'.
        assert set(pdf.Root.get("/Names", {}).keys()) <= {"/EmbeddedFiles"}
        exhibit = next(p for p in pack.built.parts if "A parent's email" in p["title"])
        page = pdf.pages[exhibit["first_page"] - 1]
        assert "/Annots" not in page.obj and "/AA" not in page.obj
        acting = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                  and obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch,
                                        pikepdf.Name.URI)]
        assert acting == []
        assert not any(isinstance(obj, pikepdf.Dictionary) and "/JS" in obj
                       for obj in pdf.objects)


def test_what_is_left_out_is_left_out_and_recorded(world):
    from cases.services import meeting_record
    from tests.orders.conftest import TODAY

    complete_evidence(world)
    meeting_record(actor=world.lead, pupil=world.pupil, held_on=TODAY, purpose="Jo Marsh met",
                   attendees="Jo Marsh, education welfare", agencies=[], decisions="Carry on",
                   actions=[])
    left_out = world.pupil.documents.get(category="engagement")
    pack = built(world, left_out_documents=[left_out.pk], withheld_names=["Jo Marsh"],
                 chronology_kinds_left_out=["deadline_opened", "deadline_closed"])
    text = " ".join(page_texts(pdf_bytes(pack)))
    assert "Jo Marsh" not in text and "[name withheld] met" in text
    assert not any(p.get("document") == left_out.pk for p in pack.built.parts)
    assert "Before building: 1 document of the case file left out; the name of 1 third party " \
           "withheld" in re.sub(r"\s+", " ", text)
    assert pack.left_out_documents == [left_out.pk] and pack.withheld_names == ["Jo Marsh"]
    assert "Deadline set" not in text


@pytest.mark.usefixtures("census_reasons")
def test_building_one_pack_three_times_at_once_keeps_one_and_a_new_version_is_whole():
    world = escalated_world()
    complete_evidence(world)
    case = services.order_open_from_contract(actor=world.officer, contract=world.contract)
    services.order_start_review(actor=world.officer, case=case)
    first = services.order_pack_request(actor=world.officer, case=case)
    statuses = []

    def build(pack_id):
        try:
            statuses.append(pack_build(pack_id=pack_id))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build, args=(first.pk,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    second = services.order_pack_request(actor=world.officer, case=case)
    pack_build(pack_id=second.pk)
    packs = list(EvidencePack.objects.filter(order_case=case).order_by("version"))
    assert [(p.version, p.status) for p in packs] == [(1, "built"), (2, "built")]
    for pack in packs:
        data = pdf_bytes(pack)
        assert hashlib.sha256(data).hexdigest() == pack.built.sha256
        assert len(PdfReader(io.BytesIO(data)).pages) == pack.built.page_count
