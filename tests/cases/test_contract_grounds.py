"""The grounds "eligible now" keeps (cases.grounds) agree with the behaviour-contract rule for
every pupil, whatever the services did before: exclusions in any order and back-dated, some
marked as recorded in error, pupils moving between LAs, LAs changing their policy."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import moves, rules, services
from cases.grounds import contract_grounds_rebuild
from cases.models import (
    ContractGrounds,
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    LocalAuthority,
    LocalPolicy,
    Pupil,
    StaffRole,
    TimelineEvent,
)
from cases.policies import policy_for
from cases.selectors import contract_eligible_pupils
from tests.clients import FormClient
from tests.factories import LocalAuthorityFactory, PupilFactory, SchoolFactory, staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
PUPILS = 4
# Days before today around the 12-month edges (and a few ahead: a suspension may be recorded
# before it starts), with a 29 February among them.
DAYS_BACK = st.one_of(
    st.sampled_from([0, 1, 364, 365, 366, 367, (TODAY - date(2025, 2, 28)).days,
                     (TODAY - date(2024, 2, 29)).days, (TODAY - date(2025, 3, 1)).days]),
    st.integers(-20, 1100),
)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.integers(0, PUPILS - 1), DAYS_BACK,
                  st.sampled_from([ExclusionKind.SUSPENSION] * 3
                                  + [ExclusionKind.LUNCHTIME, ExclusionKind.PERMANENT])),
        st.tuples(st.just("in error"), st.integers(0, 40)),
        st.tuples(st.just("policy"), st.integers(0, 1), st.sampled_from(list(LocalPolicy))),
        st.tuples(st.just("move"), st.integers(0, PUPILS - 1)),
    ),
    min_size=1, max_size=14,
)


@pytest.fixture
def places(db):
    authorities = [LocalAuthorityFactory(code="901", policy_name=LocalPolicy.BEDFORDSHIRE_2007),
                   LocalAuthorityFactory(code="902", policy_name=LocalPolicy.ENGLAND_STATUTORY)]
    schools = [SchoolFactory(local_authority=la) for la in authorities]
    leads = {school.pk: staff(StaffRole.SCHOOL_LEAD, school) for school in schools}
    return authorities, schools, leads


def _reason(day: date) -> ExclusionReason:
    return next(r for r in ExclusionReason.objects.order_by("pk") if r.in_use_on(day))


def _take(step, pupils: list[Pupil], schools, leads) -> None:
    action = step[0]
    if action == "record":
        _, index, back, kind = step
        pupil = Pupil.objects.get(pk=pupils[index].pk)
        start = TODAY - timedelta(days=back)
        services.exclusion_record(
            actor=leads[pupil.school_id], pupil=pupil, kind=kind, start_date=start,
            school_days=None if kind == ExclusionKind.PERMANENT else Decimal(1),
            reasons=[_reason(start)])
    elif action == "in error":
        standing = list(Exclusion.objects.filter(pupil__in=pupils).order_by("pk"))
        if standing:
            exclusion = standing[step[1] % len(standing)]
            services.exclusion_in_error(actor=leads[exclusion.pupil.school_id],
                                        exclusion=exclusion, reason="Wrong pupil")
    elif action == "policy":
        # As the LA's record is changed in the admin site: no service, no recomputing.
        LocalAuthority.objects.filter(pk=schools[step[1]].local_authority_id).update(
            policy_name=step[2])
    else:
        pupil = Pupil.objects.get(pk=pupils[step[1]].pk)
        to = next(school for school in schools if school.pk != pupil.school_id)
        moves.pupil_move(pupil=pupil, to_school=to, moved_on=TODAY, by=leads[pupil.school_id])


def _eligible_by_rule(la: LocalAuthority, day: date) -> set[int]:
    policy = policy_for(la)
    return {
        pupil.pk
        for pupil in Pupil.objects.filter(school__local_authority=la).prefetch_related(
            "exclusions")
        if rules.behaviour_contract_eligibility(
            policy=policy, exclusions=list(pupil.exclusions.all()),
            looked_after=pupil.looked_after, today=day)
    }


def _kept() -> set[tuple]:
    return set(ContractGrounds.objects.values_list(
        "pupil_id", "policy_name", "school_id", "local_authority_id", "met_on", "lapses_on"))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS, looked_after=st.lists(st.booleans(), min_size=PUPILS, max_size=PUPILS))
def test_the_kept_grounds_agree_with_the_rule_after_any_steps(places, steps, looked_after):
    authorities, schools, leads = places
    with transaction.atomic():
        pupils = [PupilFactory(school=schools[n % 2], looked_after=looked_after[n])
                  for n in range(PUPILS)]
        for step in steps:
            _take(step, pupils, schools, leads)
        for la in LocalAuthority.objects.filter(pk__in=[a.pk for a in authorities]):
            for day in (TODAY, TODAY - timedelta(days=200), TODAY + timedelta(days=200),
                        date(2025, 3, 1)):
                by_rule = _eligible_by_rule(la, day)
                kept = set(contract_eligible_pupils(la, today=day).values_list("pk", flat=True))
                assert kept == by_rule, (la.policy_name, day, steps)
        # Kept step by step, the rows are exactly those worked out from scratch.
        before = _kept()
        contract_grounds_rebuild()
        assert _kept() == before
        transaction.set_rollback(True)


def test_the_list_is_an_index_range_scan(places):
    """However many pupils the other LAs hold, and however old the grounds kept: the planner
    reads the LA's grounds standing today from the index, not the table."""
    authorities, schools, leads = places
    pupils = Pupil.objects.bulk_create(
        PupilFactory.build(school=schools[n % 2]) for n in range(3000))
    ContractGrounds.objects.bulk_create(
        ContractGrounds(pupil=pupil, policy_name=policy, school_id=pupil.school_id,
                        local_authority_id=pupil.school.local_authority_id,
                        met_on=TODAY - timedelta(days=n % 1800 + 30),
                        lapses_on=TODAY - timedelta(days=n % 1800 - 335))
        for n, pupil in enumerate(pupils) for policy in LocalPolicy)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_contractgrounds")
        cursor.execute("ANALYZE cases_pupil")
    sql, params = contract_eligible_pupils(
        authorities[0], today=TODAY).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The grounds are read by LA, policy and lapse date, never by pairing every exclusion.
    assert "grounds_of_la_by_lapse" in plan, plan
    assert "Seq Scan on cases_contractgrounds" not in plan, plan
    assert "cases_exclusion" not in plan, plan


def test_marking_an_exclusion_in_error_keeps_it_and_takes_away_its_grounds(places):
    authorities, schools, leads = places
    pupil = PupilFactory(school=schools[1])
    lead = leads[schools[1].pk]
    recorded = services.exclusion_record(
        actor=lead, pupil=pupil, kind=ExclusionKind.PERMANENT, start_date=TODAY,
        school_days=None, reasons=[_reason(TODAY)]).exclusion
    assert list(contract_eligible_pupils(authorities[1], today=TODAY)) == [pupil]

    services.exclusion_in_error(actor=lead, exclusion=recorded, reason="  Wrong pupil ")

    assert list(contract_eligible_pupils(authorities[1], today=TODAY)) == []
    kept = Exclusion.every.get(pk=recorded.pk)
    assert (kept.in_error_by, kept.in_error_reason, kept.start_date) == (lead, "Wrong pupil", TODAY)
    assert not pupil.exclusions.exists()
    event = TimelineEvent.objects.filter(pupil=pupil).order_by("-pk").first()
    assert event.kind == TimelineEvent.Kind.EXCLUSION_IN_ERROR
    assert "Wrong pupil" in event.summary
    with pytest.raises(ValidationError, match="already marked"):
        services.exclusion_in_error(actor=lead, exclusion=recorded, reason="Again")


def test_it_asks_why_and_changes_nothing_without_a_reason(places):
    authorities, schools, leads = places
    pupil = PupilFactory(school=schools[0])
    lead = leads[schools[0].pk]
    recorded = services.exclusion_record(
        actor=lead, pupil=pupil, kind=ExclusionKind.SUSPENSION, start_date=TODAY,
        school_days=Decimal(1), reasons=[_reason(TODAY)]).exclusion
    client = FormClient()
    client.force_login(lead)
    url = reverse("exclusion-in-error", args=[pupil.pk, recorded.pk])

    response = client.post(url, {"reason": "   "})

    assert response.status_code == 200
    assert "Enter why the exclusion was recorded in error" in response.content.decode()
    assert Exclusion.objects.filter(pk=recorded.pk).exists()

    response = client.post(url, {"reason": "Recorded for the wrong pupil"}, follow=True)

    page = response.content.decode()
    assert "marked as recorded in error" in page
    assert "Recorded in error (1)" in page and "Recorded for the wrong pupil" in page
    assert not Exclusion.objects.filter(pk=recorded.pk).exists()


def test_the_rebuild_command_works_out_one_policy_again_and_leaves_the_others(places):
    authorities, schools, leads = places
    pupil = PupilFactory(school=schools[0])
    services.exclusion_record(
        actor=leads[schools[0].pk], pupil=pupil, kind=ExclusionKind.PERMANENT,
        start_date=TODAY, school_days=None, reasons=[_reason(TODAY)])
    kept = _kept()
    ContractGrounds.objects.filter(policy_name=LocalPolicy.WALES_2010).update(
        met_on=date(2020, 1, 1))
    ContractGrounds.objects.filter(policy_name=LocalPolicy.ENGLAND_STATUTORY).delete()
    out = StringIO()

    call_command("contract_grounds_rebuild", "--policy", LocalPolicy.ENGLAND_STATUTORY,
                 stdout=out)

    assert "1 kept" in out.getvalue()
    assert ContractGrounds.objects.get(
        policy_name=LocalPolicy.WALES_2010).met_on == date(2020, 1, 1)
    call_command("contract_grounds_rebuild", stdout=out)
    assert _kept() == kept
