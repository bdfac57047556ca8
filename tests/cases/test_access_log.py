"""The access log: who opened which case record, and every export, searched by the
headteacher for their school and the LA admin for their LA."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import AccessRecord, StaffRole
from tests.clients import FormClient as Client
from tests.factories import PupilFactory, SchoolFactory, staff
from tests.test_access_matrix import LAST_TERM, make_world, url_for

OPENINGS = [
    ("pupil-detail", "pupil", AccessRecord.What.CASE_PAGE),
    ("contract-detail", "contract", AccessRecord.What.CONTRACT),
    ("contract-pdf", "contract", AccessRecord.What.LETTER),
    ("order-detail", "order", AccessRecord.What.ORDER),
    ("order-pack-download", "pack", AccessRecord.What.PACK),
    ("letter-download", "letter", AccessRecord.What.LETTER),
    ("document-download", "document", AccessRecord.What.DOCUMENT),
]


@pytest.fixture
def world(db):
    return make_world()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_opening_is_logged_once_with_who_what_whose_and_from_where(world):
    users, places = world
    officer = users[StaffRole.LA_DESIGNATED_OFFICER]
    client = signed_in(officer)
    own = places["own"]
    for name, kwargs, what in OPENINGS:
        before = AccessRecord.objects.count()
        response = client.get(url_for(name, kwargs, own), REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 200, name
        assert AccessRecord.objects.count() == before + 1, name
        entry = AccessRecord.objects.order_by("-pk").first()
        assert (entry.user, entry.what, entry.pupil, entry.school, entry.local_authority,
                entry.address) == (officer, what, own["pupil"], own["school"],
                                   own["school"].local_authority, "203.0.113.9"), name
        assert own["pupil"].last_name not in entry.label
        assert own["pupil"].first_name not in entry.label


def test_every_export_is_logged_against_the_la(world):
    users, places = world
    officer = users[StaffRole.INFORMATION_OFFICER]
    client = signed_in(officer)
    for url in (reverse("return-export", args=["csv"]), reverse("return-series", args=["xlsx"]),
                reverse("return-annual", args=[int(LAST_TERM[:4])])):
        assert client.get(url).status_code == 200
    entries = AccessRecord.objects.filter(user=officer).order_by("pk")
    assert [e.what for e in entries] == [AccessRecord.What.EXPORT] * 3
    assert {e.local_authority for e in entries} == {places["own"]["school"].local_authority}
    assert entries[0].label.startswith("termly-return-901-") and entries[0].label.endswith(".csv")
    assert {e.pupil for e in entries} == {None}


def test_an_opening_refused_is_not_logged(world):
    users, places = world
    client = signed_in(users[StaffRole.SCHOOL_LEAD])
    for name, kwargs, _what in OPENINGS:
        assert client.get(url_for(name, kwargs, places["other_la"])).status_code == 404
    assert not AccessRecord.objects.exists()


def test_the_database_refuses_to_change_or_remove_an_entry(pupil, school_lead):
    client = signed_in(school_lead)
    client.get(reverse("pupil-detail", args=[pupil.pk]))
    entry = AccessRecord.objects.get()
    for statement in ("UPDATE cases_accessrecord SET label = 'x' WHERE id = %s",
                      "DELETE FROM cases_accessrecord WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert AccessRecord.objects.get().label == "Case page"


@pytest.fixture
def two_schools_opened(school, pupil, school_lead):
    """One pupil opened at the headteacher's school, another at a second school in the LA."""
    other_school = SchoolFactory(local_authority=school.local_authority)
    other_pupil = PupilFactory(school=other_school)
    signed_in(school_lead).get(reverse("pupil-detail", args=[pupil.pk]))
    signed_in(staff(StaffRole.SCHOOL_LEAD, other_school)).get(
        reverse("pupil-detail", args=[other_pupil.pk]))
    return other_pupil


def shown(response) -> list[str]:
    return [entry.pupil.upn for entry in response.context["page"].entries]


def test_the_headteacher_searches_their_school_and_the_la_admin_their_la(
        school, pupil, two_schools_opened):
    head = signed_in(staff(StaffRole.HEADTEACHER, school))
    admin = signed_in(staff(StaffRole.LA_ADMIN, school.local_authority))
    assert shown(head.get(reverse("access-log"))) == [pupil.upn]
    assert shown(admin.get(reverse("access-log"))) == [two_schools_opened.upn, pupil.upn]
    # Another school's pupil is simply not found by the headteacher, even by UPN.
    assert shown(head.get(reverse("access-log"), {"upn": two_schools_opened.upn})) == []
    assert shown(admin.get(reverse("access-log"), {"upn": pupil.upn.lower()})) == [pupil.upn]


def test_it_searches_by_person_what_and_days(school, pupil, school_lead, two_schools_opened):
    admin = signed_in(staff(StaffRole.LA_ADMIN, school.local_authority))
    url = reverse("access-log")
    assert shown(admin.get(url, {"person": school_lead.username})) == [pupil.upn]
    assert shown(admin.get(url, {"what": "letter"})) == []
    today = timezone.localdate()
    day = {"since_0": today.day, "since_1": today.month, "since_2": today.year}
    assert len(shown(admin.get(url, day))) == 2
    tomorrow = today + timedelta(days=1)
    assert shown(admin.get(url, {"since_0": tomorrow.day, "since_1": tomorrow.month,
                                 "since_2": tomorrow.year})) == []


def test_a_search_it_cannot_read_is_answered_in_words(school):
    admin = signed_in(staff(StaffRole.LA_ADMIN, school.local_authority))
    response = admin.get(reverse("access-log"), {
        "since_0": "31", "since_1": "2", "since_2": "2026", "upn": "X" * 500,
        "what": "everything", "pupil": "-4", "before": "nope"})
    assert response.status_code == 200
    assert response.context["page"] is None
    body = response.content.decode()
    assert "There is a problem" in body
    assert "The first day must be a real date" in body
    assert "A UPN has 13 characters" in body
    far = admin.get(reverse("access-log"), {"until_0": "31", "until_1": "12", "until_2": "9999"})
    assert far.status_code == 200 and far.context["page"] is not None


def test_older_entries_are_read_on_from_the_last_one_shown(school, pupil, school_lead):
    client = signed_in(school_lead)
    for _ in range(53):
        client.get(reverse("pupil-detail", args=[pupil.pk]))
    head = signed_in(staff(StaffRole.HEADTEACHER, school))
    first = head.get(reverse("access-log"))
    assert len(first.context["page"].entries) == 50
    older = first.context["older"]
    assert older
    second = head.get(f"{reverse('access-log')}?{older}")
    ids = [e.pk for e in first.context["page"].entries + second.context["page"].entries]
    assert len(ids) == 53 and ids == sorted(ids, reverse=True)
    assert second.context["older"] is None


def test_the_case_page_shows_who_viewed_it_to_the_headteacher_only(school, pupil, school_lead):
    lead = signed_in(school_lead)
    lead.get(reverse("pupil-detail", args=[pupil.pk]))
    assert lead.get(reverse("pupil-detail", args=[pupil.pk])).context["viewed_by"] is None
    head_user = staff(StaffRole.HEADTEACHER, school)
    response = signed_in(head_user).get(reverse("pupil-detail", args=[pupil.pk]))
    viewers = [entry.user for entry in response.context["viewed_by"]]
    assert viewers == [head_user, school_lead, school_lead]
    assert "Viewed by" in response.content.decode()


def test_the_log_page_costs_the_same_however_long_the_log(school, pupil, school_lead):
    lead = signed_in(school_lead)
    head = signed_in(staff(StaffRole.HEADTEACHER, school))
    head.get(reverse("dashboard"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert head.get(reverse("access-log")).status_code == 200
        return len(captured)

    lead.get(reverse("pupil-detail", args=[pupil.pk]))
    small = queries()
    for _ in range(30):
        lead.get(reverse("pupil-detail", args=[PupilFactory(school=school).pk]))
    assert queries() == small
