"""Termly returns: every column of every return for a year of events in two schools, counted
in the term of each event's own date, exactly once, however often and by whomever the return
is taken; corrections make revisions; exports carry no names."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import LocalPolicy, Pupil, StaffRole
from conduct.models import ConductRecord, ConductStep
from contracts.models import Contract
from orders.models import OrderBreach, OrderCase
from reporting import services
from reporting.columns import KEYS
from reporting.models import TermlyReturn
from reporting.tasks import take_termly_returns
from reporting.terms import terms_of_year
from tests.clients import FormClient as Client
from tests.clients import at_once
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)

YEAR = 2025  # 2025/26: every term has ended by today (23 November 2026 or later)


@pytest.fixture
def la(db):
    return LocalAuthorityFactory(code="903", name="Ashford Vale",
                                 policy_name=LocalPolicy.BEDFORDSHIRE_2007)


@pytest.fixture
def schools(la):
    return [SchoolFactory(local_authority=la, name="Hillside Primary School"),
            SchoolFactory(local_authority=la, name="Riverside Academy")]


def contract(school, actor, kind, *, state, signed_on=None, closed_on=None):
    pupil = PupilParentFactory(pupil=PupilFactory(school=school, first_name="Jordan",
                                                  last_name="Mensah")).pupil
    made = Contract.objects.create(kind=kind, pupil=pupil, school=school, lead=actor)
    Contract.objects.filter(pk=made.pk).update(state=state, signed_on=signed_on,
                                               closed_on=closed_on)
    return made


def order(school, actor, *, requested_on, applied_on=None, outcome_on=None, outcome="",
          state="requested", closed_on=None, breaches=()):
    pupil = PupilFactory(school=school)
    case = OrderCase.objects.create(
        pupil=pupil, school=school, local_authority=school.local_authority,
        requested_by=actor, requested_on=requested_on, request_reasons="Exclusions")
    OrderCase.objects.filter(pk=case.pk).update(
        applied_on=applied_on, outcome_on=outcome_on, outcome=outcome, state=state,
        closed_on=closed_on)
    for day in breaches:
        OrderBreach.objects.create(order_case=case, occurred_on=day, description="Missed",
                                   recorded_by=actor)
    return case


def conduct_step(school, actor, kind, on):
    record = ConductRecord.objects.create(school=school, pupil=PupilFactory(school=school),
                                          first_name="Lee", last_name="Grant",
                                          created_by=actor)
    return ConductStep.objects.create(record=record, kind=kind, taken_on=on, taken_by=actor)


def a_year_of_events(la, schools, actor):
    """Events on the first and last day of terms, in the holidays between, and outside the
    year; returns what each term's return must say for each school."""
    autumn, spring, summer = terms_of_year(la, YEAR)
    hill, river = schools
    expected = {(s.pk, t.key): dict.fromkeys(KEYS, 0) for s in schools
                for t in (autumn, spring, summer)}

    def expect(school, term, key, n=1):
        expected[(school.pk, term.key)][key] += n

    # Hillside: signed on the first day of autumn, in the October half term, and in the
    # summer holiday before autumn (counts in autumn: the holidays before a term count in it).
    for day in (autumn.starts_on, autumn.starts_on + timedelta(days=50), autumn.counts_from):
        contract(hill, actor, "behaviour", state="active", signed_on=day)
        expect(hill, autumn, "behaviour_entered")
    # Refused on autumn's last day, and in the Christmas holiday (counts in spring).
    contract(hill, actor, "behaviour", state="refused", closed_on=autumn.ends_on)
    expect(hill, autumn, "behaviour_refused")
    contract(hill, actor, "behaviour", state="refused", closed_on=autumn.ends_on + timedelta(3))
    expect(hill, spring, "behaviour_refused")
    # Signed in autumn, ended early in spring, one completed on summer's last day.
    contract(hill, actor, "behaviour", state="terminated", signed_on=autumn.starts_on,
             closed_on=spring.starts_on)
    expect(hill, autumn, "behaviour_entered")
    expect(hill, spring, "behaviour_ended_early")
    contract(hill, actor, "behaviour", state="completed", signed_on=spring.ends_on,
             closed_on=summer.ends_on)
    expect(hill, spring, "behaviour_entered")
    expect(hill, summer, "behaviour_completed")
    contract(hill, actor, "behaviour", state="escalated", signed_on=spring.starts_on,
             closed_on=summer.starts_on)
    expect(hill, spring, "behaviour_entered")
    expect(hill, summer, "behaviour_ended_early")
    # Riverside: attendance contracts, and one signed in the summer holiday after the year
    # (the next autumn's), and one the day before the year's first count (last year's).
    contract(river, actor, "attendance", state="active", signed_on=spring.counts_from)
    expect(river, spring, "attendance_entered")
    contract(river, actor, "attendance", state="terminated", signed_on=summer.starts_on,
             closed_on=summer.ends_on)
    expect(river, summer, "attendance_entered")
    expect(river, summer, "attendance_terminated")
    contract(river, actor, "attendance", state="active", signed_on=summer.ends_on + timedelta(1))
    contract(river, actor, "attendance", state="active",
             signed_on=autumn.counts_from - timedelta(1))
    # Orders at Riverside: requested in autumn, applied in spring, made and breached in summer.
    order(river, actor, requested_on=autumn.ends_on, applied_on=spring.starts_on,
          outcome_on=summer.starts_on, outcome="made", state="running",
          breaches=[summer.ends_on, summer.ends_on + timedelta(1)])
    expect(river, autumn, "orders_requested")
    expect(river, spring, "orders_applied")
    expect(river, summer, "orders_made")
    expect(river, summer, "orders_breached")
    order(river, actor, requested_on=spring.counts_from, state="completed",
          closed_on=summer.counts_from)
    expect(river, spring, "orders_requested")
    expect(river, summer, "orders_completed")
    # Conduct at Hillside.
    for kind, term, key in (("reminder", autumn, "conduct_reminders"),
                            ("warning", spring, "conduct_warnings"),
                            ("conditions", spring, "conduct_conditions"),
                            ("ban", summer, "conduct_bans"),
                            ("emergency_ban", summer, "conduct_bans")):
        conduct_step(hill, actor, kind, term.ends_on)
        expect(hill, term, key)
    conduct_step(hill, actor, "chair", autumn.ends_on)  # not a column
    # Exclusions at Hillside, under the Bedfordshire protocol: a first suspension gives no
    # grounds; a second within 12 months does (spring); a permanent exclusion does (summer).
    twice = PupilFactory(school=hill)
    ExclusionFactory(pupil=twice, start_date=autumn.starts_on)
    ExclusionFactory(pupil=twice, start_date=spring.ends_on)
    expect(hill, spring, "exclusions_grounds")
    ExclusionFactory(pupil=PupilFactory(school=hill), kind="permanent",
                     start_date=summer.starts_on)
    expect(hill, summer, "exclusions_grounds")
    return (autumn, spring, summer), expected


def test_every_column_of_every_return_counts_each_event_once_in_its_term(la, schools):
    actor = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    terms, expected = a_year_of_events(la, schools, actor)
    for term in terms:
        assert services.returns_take(schools=[s.pk for s in schools], term=term) == {}
    for school in schools:
        for term in terms:
            taken = TermlyReturn.objects.get(school=school, academic_year=YEAR, term=term.term)
            assert taken.counts == expected[(school.pk, term.key)], (school.name, term.key)
    # Every counted event lands in exactly one term.
    hill = schools[0]
    assert sum(TermlyReturn.objects.get(school=hill, term=t.term).counts["behaviour_entered"]
               for t in terms) == 6


def test_a_contract_signed_in_autumn_and_a_refusal_in_spring_count_in_their_own_terms(
        la, schools):
    actor = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    autumn, spring, _ = terms_of_year(la, 2026)
    contract(schools[0], actor, "behaviour", state="active", signed_on=date(2026, 10, 12))
    contract(schools[0], actor, "behaviour", state="refused", closed_on=date(2027, 2, 3))
    taken = {t.term: services.return_take(school_id=schools[0].pk, term=t)
             for t in (autumn, spring)}
    assert (taken["autumn"].counts["behaviour_entered"],
            taken["autumn"].counts["behaviour_refused"]) == (1, 0)
    assert (taken["spring"].counts["behaviour_entered"],
            taken["spring"].counts["behaviour_refused"]) == (0, 1)


def test_taking_a_return_again_gives_the_same_snapshot_and_a_correction_a_revision(
        la, schools):
    actor = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    autumn = terms_of_year(la, YEAR)[0]
    contract(schools[0], actor, "behaviour", state="active", signed_on=autumn.starts_on)
    first = services.return_take(school_id=schools[0].pk, term=autumn)
    again = services.return_take(school_id=schools[0].pk, term=autumn, actor=actor)
    assert again.pk == first.pk and again.revision == 1
    # A refusal recorded late, dated back in the term.
    contract(schools[0], actor, "behaviour", state="refused", closed_on=autumn.ends_on)
    revised = services.return_take(school_id=schools[0].pk, term=autumn, actor=actor)
    assert revised.revision == 2
    assert revised.changes == {"behaviour_refused": [0, 1]}
    assert TermlyReturn.objects.filter(school=schools[0]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_leave_one_snapshot(la, schools):
    actor = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    autumn = terms_of_year(la, YEAR)[0]
    contract(schools[0], actor, "behaviour", state="active", signed_on=autumn.starts_on)
    ids = [s.pk for s in schools]
    results = at_once(*[lambda: services.returns_take(schools=ids, term=autumn)] * 2)
    assert results == [{}, {}]
    assert TermlyReturn.objects.count() == 2  # one a school
    assert set(TermlyReturn.objects.values_list("revision", flat=True)) == {1}


def test_one_schools_failure_leaves_the_others_returns_taken(la, schools, monkeypatch):
    autumn = terms_of_year(la, YEAR)[0]
    real = services.return_take

    def failing(*, school_id, **kwargs):
        if school_id == schools[0].pk:
            raise RuntimeError("the disk is full")
        return real(school_id=school_id, **kwargs)

    monkeypatch.setattr(services, "return_take", failing)
    failed = services.returns_take(schools=[s.pk for s in schools], term=autumn)
    assert list(failed) == [schools[0].pk] and "the disk is full" in failed[schools[0].pk]
    assert list(TermlyReturn.objects.values_list("school", flat=True)) == [schools[1].pk]


def test_the_termly_job_takes_every_schools_return_for_the_term_just_ended(la, schools):
    assert take_termly_returns() == 0
    taken = TermlyReturn.objects.filter(school__in=schools)
    assert taken.count() == 2
    assert take_termly_returns() == 0
    assert taken.count() == 2, "running it again changes nothing"


class TestPages:
    @pytest.fixture
    def taken(self, la, schools):
        actor = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
        terms, expected = a_year_of_events(la, schools, actor)
        for term in terms:
            services.returns_take(schools=[s.pk for s in schools], term=term)
        return terms

    def test_the_information_officer_reads_every_school_and_downloads_without_names(
            self, la, schools, taken):
        autumn = taken[0]
        client = Client()
        client.force_login(staff(StaffRole.INFORMATION_OFFICER, la))
        where = {"la": la.code, "term": autumn.key}
        page = client.get(reverse("return-list"), where).content.decode()
        assert "Hillside Primary School" in page and "Riverside Academy" in page
        csv_response = client.get(reverse("return-export", args=["csv"]), where)
        rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["LA code", "LA", "School"]
        hill = next(r for r in rows if r[2] == "Hillside Primary School")
        assert hill[rows[0].index("Parenting contracts (behaviour): entered into")] == "4"
        xlsx = client.get(reverse("return-export", args=["xlsx"]), where)
        book = load_workbook(io.BytesIO(xlsx.content))
        sheet = book["Return"]
        assert sheet.freeze_panes == "A2"
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        hill_row = next(r for r in values if r[2] == "Hillside Primary School")
        assert hill_row[values[0].index("Parenting contracts (behaviour): entered into")] == 4
        assert "Definition" in [c.value for c in book["Notes"]["A"]] + [
            c.value for c in book["Notes"]["B"]]
        series = client.get(reverse("return-series", args=["csv"]), {"la": la.code})
        upns = list(Pupil.objects.values_list("upn", flat=True))
        for body in (page, csv_response.content.decode("utf-8-sig"),
                     series.content.decode("utf-8-sig"), str(values)):
            assert "Mensah" not in body and "Jordan" not in body and "Grant" not in body
            assert "2013-05-17" not in body  # the pupils' date of birth
            assert not [upn for upn in upns if upn in body]

    def test_a_published_export_withholds_small_numbers_and_rounds_their_totals(
            self, la, schools, taken):
        client = Client()
        client.force_login(staff(StaffRole.INFORMATION_OFFICER, la))
        response = client.get(reverse("return-export", args=["csv"]),
                              {"la": la.code, "term": taken[0].key, "suppress": "1"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        column = rows[0].index("Parenting contracts (behaviour): entered into")
        assert [r[column] for r in rows[1:]] == ["[c]", "0", "5"]  # 4, 0 and their total

    def test_a_school_sees_its_own_return_and_its_headteacher_submits_it(
            self, la, schools, taken):
        autumn = taken[0]
        lead = staff(StaffRole.SCHOOL_LEAD, schools[0])
        client = Client()
        client.force_login(lead)
        page = client.get(reverse("return-list"), {"term": autumn.key}).content.decode()
        assert "Hillside Primary School" in page and "Riverside Academy" not in page
        detail = reverse("return-detail", args=[schools[0].pk, autumn.key])
        assert client.get(detail).status_code == 200
        assert client.get(reverse("return-detail", args=[schools[1].pk, autumn.key])
                          ).status_code == 404
        latest = TermlyReturn.objects.get(school=schools[0], term="autumn")
        submit = reverse("return-submit", args=[schools[0].pk, autumn.key])
        assert client.post(submit, {"revision": latest.pk}).status_code == 403
        client.force_login(staff(StaffRole.HEADTEACHER, schools[0]))
        assert client.post(submit, {"revision": latest.pk}).status_code == 302
        assert latest.submission.submitted_at.date() == timezone.localdate()
        officer = Client()
        officer.force_login(staff(StaffRole.INFORMATION_OFFICER, la))
        page = officer.get(reverse("return-list"), {"term": autumn.key}).content.decode()
        assert "1 submitted by the headteacher" in page

    def test_a_term_not_yet_ended_or_made_up_has_no_return(self, la, schools):
        client = Client()
        client.force_login(staff(StaffRole.INFORMATION_OFFICER, la))
        for term in ("2099-autumn", "2026-winter", "x", f"{timezone.localdate().year + 1}"
                                                        "-summer"):
            assert client.get(reverse("return-list"), {"term": term}).status_code == 404


def test_the_annual_report_is_one_page_of_the_years_totals_from_the_stored_returns(
        la, schools):
    from pypdf import PdfReader

    actor = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    terms, _ = a_year_of_events(la, schools, actor)
    for term in terms:
        services.returns_take(schools=[s.pk for s in schools], term=term)
    client = Client()
    client.force_login(staff(StaffRole.INFORMATION_OFFICER, la))
    response = client.get(reverse("return-annual", args=[YEAR]), {"la": la.code})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Ashford Vale: parenting contracts, orders and conduct, 2025/26" in text
    # 4 in autumn and 2 in spring at Hillside: 6 in the year.
    assert "Parenting contracts (behaviour): entered into 4 2 0 6" in text
    assert "Jordan" not in text and "Mensah" not in text
    assert client.get(reverse("return-annual", args=[2099])).status_code == 404


def test_a_chart_of_many_schools_compares_the_fifteen_with_the_most():
    from types import SimpleNamespace

    from reporting.views import CHART_SCHOOLS, _busiest

    rows = [SimpleNamespace(school=SimpleNamespace(name=f"School {n:02d}"),
                            counts=[n, 1] + [0] * 20) for n in range(40)]
    title, _series, shown = _busiest("Grounds and contracts", ("A", "B"),
                                     SimpleNamespace(rows=rows), *KEYS[:2])
    assert len(shown) == CHART_SCHOOLS == 15
    assert shown[0] == ("School 39", 39, 1) and shown[-1] == ("School 25", 25, 1)
    assert title == "Grounds and contracts: the 15 schools with the most"
    assert _busiest("Few", ("A", "B"), SimpleNamespace(rows=rows[:3]), *KEYS[:2])[0] == "Few"
