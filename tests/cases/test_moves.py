"""A pupil moving to another school on Pact, or leaving for none: the case file follows the
pupil; contracts stay the old school's, order cases the LA's, conduct records the old
school's; the move is recorded; past returns count the same."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import moves, services, submissions
from cases.models import Deadline, DeadlineKind, LeftFor, Pupil, PupilMove, StaffRole, TimelineEvent
from conduct import services as conduct_services
from contracts import services as contract_services
from letters import services as letter_services
from orders import services as order_services
from reporting import services as return_services
from reporting.terms import ReturnTerm
from tests.clients import FormClient
from tests.factories import (
    FREE_LETTER,
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    free_letter_facts,
    staff,
)

TODAY = date.today()


def date_form(name: str, day: date) -> dict:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def move_form(school, day: date = TODAY, **extra) -> dict:
    return {"to_school": school if isinstance(school, str) else school.dfe_number,
            **date_form("moved_on", day), "note": "", **extra}


@pytest.fixture
def world(db):
    """LA A with schools A1 and A2, LA B with school B1. A pupil at A1 with a parent, an
    exclusion, a document, a letter, a withdrawn contract, an order case the LA holds, and a
    ban on an adult in force at A1."""
    la_a, la_b = LocalAuthorityFactory(code="901"), LocalAuthorityFactory(code="902")
    a1, a2 = SchoolFactory(local_authority=la_a), SchoolFactory(local_authority=la_a)
    b1 = SchoolFactory(local_authority=la_b, dfe_number="9024012", name="Brook Academy")
    people = {
        "lead_a1": staff(StaffRole.SCHOOL_LEAD, a1), "head_a1": staff(StaffRole.HEADTEACHER, a1),
        "lead_a2": staff(StaffRole.SCHOOL_LEAD, a2), "lead_b1": staff(StaffRole.SCHOOL_LEAD, b1),
        "head_b1": staff(StaffRole.HEADTEACHER, b1),
        "officer_a": staff(StaffRole.LA_DESIGNATED_OFFICER, la_a),
        "officer_b": staff(StaffRole.LA_DESIGNATED_OFFICER, la_b),
    }
    link = PupilParentFactory(pupil=PupilFactory(school=a1))
    pupil, lead = link.pupil, people["lead_a1"]
    exclusion = ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=20))
    document = services.document_upload(
        actor=lead, pupil=pupil, title="Statement",
        upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4 statement"))
    letter = letter_services.letter_issue(actor=lead, draft=letter_services.Draft(
        pupil=pupil, kind=FREE_LETTER, language="en", recipients=[link.parent],
        method="post", facts=free_letter_facts()))
    contract = contract_services.contract_create(
        actor=lead, pupil=pupil, kind="behaviour", parents=[link.parent])
    contract_services.contract_withdraw(actor=lead, contract=contract, reasons="Moving away")
    order = order_services.order_request(actor=lead, pupil=pupil, parents=[link.parent],
                                         reasons="Exclusions")
    incident = conduct_services.incident_record(
        actor=people["officer_a"], pupil=pupil, occurred_at=timezone.now(), place="gate",
        channel="face_to_face", categories=["threats"], description="Threats",
        affected=["staff"], parents=[link.parent], files=[])
    record = incident.adults.get()
    conduct_services.ban_at_once(actor=people["officer_a"], record=record, incident=incident,
                                 summary="Threats", reasons="Immediate risk", method="post")
    return {"a1": a1, "a2": a2, "b1": b1, "pupil": pupil, "parent": link.parent,
            "exclusion": exclusion, "document": document, "letter": letter,
            "contract": contract, "order": order, "conduct": record, **people}


def client_of(user) -> FormClient:
    client = FormClient()
    client.force_login(user)
    return client


def status(user, url: str) -> int:
    return client_of(user).get(url).status_code


def urls(w) -> dict[str, str]:
    pupil = w["pupil"]
    return {
        "case page": reverse("pupil-detail", args=[pupil.pk]),
        "document": reverse("document-download", args=[pupil.pk, w["document"].pk]),
        "letter": reverse("letter-download", args=[pupil.pk, w["letter"].pk]),
        "contract": reverse("contract-detail", args=[w["contract"].pk]),
        "order": reverse("order-detail", args=[w["order"].pk]),
        "conduct": reverse("conduct-record", args=[w["conduct"].pk]),
    }


def seen_by(w, who: str) -> set[str]:
    return {what for what, url in urls(w).items() if status(w[who], url) == 200}


def move(w, to, by="lead_a1", day=TODAY) -> PupilMove:
    return moves.pupil_move(pupil=w["pupil"], to_school=w[to], moved_on=day, by=w[by])


# --- what follows the pupil, what stays --------------------------------------------------------

def test_the_case_file_follows_the_pupil_to_a_school_in_another_la(world):
    case_file = {"case page", "document", "letter"}
    # The contract its governing body made, the letter it sent, the order case it asked the
    # LA for, the conduct record about an adult (for a school lead, the arrangements).
    old_school_keeps = {"letter", "contract", "order", "conduct"}
    for who in ("lead_a1", "head_a1", "officer_a"):
        assert seen_by(world, who) == case_file | old_school_keeps, who
    assert seen_by(world, "lead_b1") == seen_by(world, "officer_b") == set()

    move(world, "b1")

    for who in ("lead_a1", "head_a1", "officer_a"):
        assert seen_by(world, who) == old_school_keeps, who
    # The new school and its LA read the whole case file, and the old contract with it; not
    # the order case (the LA holding it keeps it) nor the conduct record.
    assert seen_by(world, "lead_b1") == {"case page", "document", "letter", "contract"}
    assert seen_by(world, "head_b1") == {"case page", "document", "letter", "contract"}
    assert seen_by(world, "officer_b") == {"case page", "document", "letter", "contract"}


def test_a_move_within_the_la_leaves_the_la_reading_the_case(world):
    move(world, "a2")

    assert status(world["lead_a1"], urls(world)["case page"]) == 404
    assert status(world["lead_a2"], urls(world)["case page"]) == 200
    assert status(world["officer_a"], urls(world)["case page"]) == 200
    assert status(world["lead_a2"], urls(world)["document"]) == 200


def test_the_new_school_reads_the_old_contract_but_cannot_act_on_it(world):
    move(world, "b1")
    url = reverse("contract-action", args=[world["contract"].pk, "contact"])

    assert client_of(world["lead_b1"]).get(url).status_code == 403


def test_the_new_schools_case_page_shows_where_the_pupil_came_from_and_who_holds_the_order(
    world,
):
    move(world, "b1", day=TODAY - timedelta(days=1))

    page = client_of(world["head_b1"]).get(urls(world)["case page"]).content.decode()

    assert f"From {world['a1'].name} on {TODAY - timedelta(days=1):%-d %B %Y}" in page
    assert f"Parenting order case held by {world['a1'].local_authority.name}" in page
    assert urls(world)["order"] not in page
    # The old school's ban is its own arrangement, not the new school's.
    assert "Contact arrangements apply" not in page
    assert urls(world)["conduct"] not in page


def test_the_old_schools_case_page_showed_the_arrangements_before_the_move(world):
    page = client_of(world["head_a1"]).get(urls(world)["case page"]).content.decode()

    assert "Contact arrangements apply" in page


# --- the record of the move --------------------------------------------------------------------

def test_the_move_is_recorded_on_the_timeline_and_as_a_move(world):
    recorded = move(world, "b1", day=TODAY - timedelta(days=2))

    row = PupilMove.objects.get(pupil=world["pupil"])
    assert row == recorded
    assert (row.from_school, row.to_school, row.moved_on, row.recorded_by) == (
        world["a1"], world["b1"], TODAY - timedelta(days=2), world["lead_a1"])
    event = TimelineEvent.objects.filter(pupil=world["pupil"]).first()
    assert event.kind == TimelineEvent.Kind.PUPIL_MOVED
    assert world["a1"].name in event.summary and world["b1"].name in event.summary
    assert event.details["move"] == row.pk
    assert Pupil.objects.get(pk=world["pupil"].pk).school == world["b1"]


def test_a_move_can_never_be_changed_or_deleted(world):
    row = move(world, "b1")

    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        PupilMove.objects.filter(pk=row.pk).update(moved_on=TODAY - timedelta(days=9))
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_pupilmove SET moved_on = %s", [TODAY - timedelta(days=9)])


# --- refusals, with reasons ----------------------------------------------------------------------

def test_it_refuses_a_move_while_a_contract_is_open_and_says_what_to_do(world):
    contract_services.contract_create(actor=world["lead_a1"], pupil=world["pupil"],
                                      kind="attendance", parents=[world["parent"]])
    url = reverse("pupil-move", args=[world["pupil"].pk])
    client = client_of(world["lead_a1"])

    page = client.get(url).content.decode()
    response = client.post(url, move_form(world["b1"]))

    assert "not available now" in page
    assert "governing body" in page and "withdraw it" in page
    assert response.status_code == 200
    assert not PupilMove.objects.exists()
    with pytest.raises(ValidationError, match="withdraw it"):
        move(world, "b1")


@pytest.mark.parametrize("form, message", [
    (lambda w: move_form(w["a1"]), "is already at"),
    (lambda w: move_form(w["b1"], TODAY + timedelta(days=1)), "cannot be in the future"),
    (lambda w: move_form(w["b1"], TODAY - timedelta(days=30)), "enter that date or a later"),
    (lambda w: move_form("999/9999"), "No school on Pact has the DfE number or name"),
    (lambda w: move_form("School"), "enter the DfE number of the one you mean"),
    (lambda w: move_form("x" * 5000), "160 characters"),
    (lambda w: {**move_form(w["b1"]), "moved_on_1": "13"}, "must be a real date"),
])
def test_it_refuses_a_move_it_cannot_make_with_a_reason(world, form, message):
    response = client_of(world["lead_a1"]).post(
        reverse("pupil-move", args=[world["pupil"].pk]), form(world))

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert message in response.content.decode()
    assert not PupilMove.objects.exists()


def test_it_finds_the_school_by_dfe_number_with_a_slash_or_by_a_unique_name(world):
    client = client_of(world["lead_a1"])
    url = reverse("pupil-move", args=[world["pupil"].pk])

    response = client.post(url, move_form("Brook Academy"))

    assert response.status_code == 302
    assert response["Location"] == reverse("pupil-search")
    assert Pupil.objects.get(pk=world["pupil"].pk).school == world["b1"]
    moves.pupil_move(pupil=Pupil.objects.get(pk=world["pupil"].pk), to_school=world["a2"],
                     moved_on=TODAY, by=world["lead_b1"])
    assert client_of(world["lead_a2"]).post(
        reverse("pupil-move", args=[world["pupil"].pk]),
        move_form("902/4012"))["Location"] == reverse("pupil-search")


def test_a_role_that_reads_but_does_not_record_may_not_move_a_pupil(world):
    chair = staff(StaffRole.CHAIR_OF_GOVERNORS, world["a1"])

    response = client_of(chair).post(reverse("pupil-move", args=[world["pupil"].pk]),
                                     move_form(world["b1"]))

    assert response.status_code == 403
    assert not PupilMove.objects.exists()


def test_sending_the_move_twice_moves_the_pupil_once(world):
    client = client_of(world["officer_a"])
    url = reverse("pupil-move", args=[world["pupil"].pk])
    form = {**move_form(world["b1"]), submissions.FIELD: submissions.new_key()}

    first, second = client.post(url, form), client.post(url, form)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert PupilMove.objects.count() == 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.PUPIL_MOVED).count() == 1


# --- leaving for none on Pact ------------------------------------------------------------------

def test_recording_that_a_pupil_left_starts_the_retention_clock_and_keeps_the_case(world):
    client = client_of(world["lead_a1"])
    url = reverse("pupil-leave", args=[world["pupil"].pk])

    response = client.post(url, {**date_form("left_on", TODAY),
                                 "left_for": LeftFor.HOME_EDUCATION, "destination": ""})

    assert response.status_code == 302
    pupil = Pupil.objects.get(pk=world["pupil"].pk)
    assert (pupil.left_on, pupil.school) == (TODAY, world["a1"])
    row = PupilMove.objects.get()
    assert (row.to_school, row.left_for) == (None, LeftFor.HOME_EDUCATION)
    assert TimelineEvent.objects.filter(
        pupil=pupil, kind=TimelineEvent.Kind.PUPIL_LEFT).count() == 1
    page = client.get(urls(world)["case page"]).content.decode()
    assert f"On {TODAY:%-d %B %Y}, for elective home education" in page


def test_a_pupil_who_left_cannot_leave_again_nor_be_moved_by_the_school(world):
    moves.pupil_leave(pupil=world["pupil"], left_on=TODAY, by=world["lead_a1"],
                      left_for=LeftFor.LEFT_EDUCATION)
    pupil = Pupil.objects.get(pk=world["pupil"].pk)

    with pytest.raises(ValidationError, match="already left"):
        moves.pupil_leave(pupil=pupil, left_on=TODAY, by=world["lead_a1"],
                          left_for=LeftFor.OTHER)
    with pytest.raises(ValidationError, match="the LA designated officer records it"):
        moves.pupil_move(pupil=pupil, to_school=world["b1"], moved_on=TODAY,
                         by=world["lead_a1"])
    page = client_of(world["lead_a1"]).get(reverse("pupil-move", args=[pupil.pk]))
    assert "the LA designated officer records it" in page.content.decode()


def test_the_la_records_that_a_pupil_who_left_joined_a_school_on_pact_again(world):
    moves.pupil_leave(pupil=world["pupil"], left_on=TODAY - timedelta(days=3),
                      by=world["lead_a1"], left_for=LeftFor.HOME_EDUCATION)
    pupil = Pupil.objects.get(pk=world["pupil"].pk)

    moves.pupil_move(pupil=pupil, to_school=world["a2"], moved_on=TODAY, by=world["officer_a"])

    pupil.refresh_from_db()
    assert (pupil.school, pupil.left_on) == (world["a2"], None)
    assert TimelineEvent.objects.filter(pupil=pupil).first().details["rejoined"] is True


def test_it_refuses_a_leaving_date_in_the_future(world):
    response = client_of(world["lead_a1"]).post(
        reverse("pupil-leave", args=[world["pupil"].pk]),
        {**date_form("left_on", TODAY + timedelta(days=3)), "left_for": LeftFor.OTHER})

    assert "cannot be in the future" in response.content.decode()
    assert Pupil.objects.get(pk=world["pupil"].pk).left_on is None


# --- clocks and counts -------------------------------------------------------------------------

def test_the_order_cases_clocks_stay_with_the_school_that_asked(world):
    move(world, "b1")
    pupil = Pupil.objects.get(pk=world["pupil"].pk)
    # The new school records an exclusion: the order window is worked out again, and its
    # clock is still kept where the order case is.
    services.exclusion_record(actor=world["lead_b1"], pupil=pupil, kind="suspension",
                              start_date=TODAY, school_days=Decimal(1), reasons=[_a_reason()])

    clocks = Deadline.objects.filter(pupil=pupil, kind=DeadlineKind.ORDER_WINDOW,
                                     status=Deadline.Status.OPEN)
    assert {c.school for c in clocks} <= {world["a1"]}


def _a_reason():
    from cases.models import ExclusionReason

    return next(r for r in ExclusionReason.objects.all() if r.in_use_on(TODAY))


def test_a_return_for_the_old_school_taken_after_the_move_counts_the_same(world):
    ExclusionFactory(pupil=world["pupil"], kind="permanent", school_days=None,
                     start_date=TODAY - timedelta(days=10))
    term = ReturnTerm(academic_year=TODAY.year, term="autumn", starts_on=TODAY - timedelta(60),
                      ends_on=TODAY, counts_from=TODAY - timedelta(days=60))
    before = return_services.return_take(school_id=world["a1"].pk, term=term)

    move(world, "b1")
    after = return_services.return_take(school_id=world["a1"].pk, term=term)

    assert after.counts == before.counts
    assert after.revision == before.revision == 1
    assert sum(before.counts.values()) > 0


# --- the page ---------------------------------------------------------------------------------

def test_the_move_page_names_the_law_and_what_stays(world):
    page = client_of(world["lead_a1"]).get(
        reverse("pupil-move", args=[world["pupil"].pk])).content.decode()

    assert "Education (Pupil Information) (England) Regulations 2005, regulation 9" in page
    assert "within 15 school days" in page
    assert "stays with" in page and world["a1"].local_authority.name in page
    assert "1 ended contract stays" in page


def test_the_move_page_costs_the_same_with_more_contracts_and_order_cases(world):
    client = client_of(world["lead_a1"])
    url = reverse("pupil-move", args=[world["pupil"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for _ in range(3):
        contract = contract_services.contract_create(
            actor=world["lead_a1"], pupil=world["pupil"], kind="behaviour",
            parents=[world["parent"]])
        contract_services.contract_withdraw(actor=world["lead_a1"], contract=contract,
                                            reasons="Not needed")
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200

    assert len(second) == len(first)
