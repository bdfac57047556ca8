"""The "eligible now" SQL query agrees with the behaviour-contract rule, pupil by pupil."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import rules, selectors
from cases.models import Exclusion, ExclusionKind, LocalPolicy
from cases.policies import POLICIES
from tests.factories import ExclusionFactory, LocalAuthorityFactory, PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def random_history(school, rnd: random.Random, count: int) -> None:
    boundary_days = [0, 1, 2, 364, 365, 366, 367, 730]
    for n in range(count):
        pupil = PupilFactory(school=school, looked_after=n % 9 == 0)
        anchor = TODAY - timedelta(days=rnd.choice(boundary_days + [rnd.randint(0, 900)]))
        for _ in range(rnd.choice([0, 1, 1, 2, 2, 3])):
            kind = rnd.choice([ExclusionKind.SUSPENSION] * 6 + [ExclusionKind.LUNCHTIME,
                                                                  ExclusionKind.PERMANENT])
            gap = rnd.choice([0, 1, 180, 364, 365, 366, 400])
            ExclusionFactory(pupil=pupil, kind=kind, start_date=anchor)
            anchor -= timedelta(days=gap)


@pytest.mark.parametrize("policy_name", list(LocalPolicy))
def test_the_sql_query_and_the_rule_agree(policy_name):
    la = LocalAuthorityFactory(code="901", policy_name=policy_name)
    school = SchoolFactory(local_authority=la)
    random_history(school, random.Random(policy_name), 80)
    # A leap-day pair: 29 Feb 2024 and 28 Feb 2025 are within 12 months; 1 Mar 2025 is not.
    for second in (date(2025, 2, 28), date(2025, 3, 1)):
        pupil = PupilFactory(school=school)
        ExclusionFactory(pupil=pupil, start_date=date(2024, 2, 29))
        ExclusionFactory(pupil=pupil, start_date=second)

    policy = POLICIES[policy_name]
    by_rule = {
        pupil.pk
        for pupil in school.pupils.prefetch_related("exclusions")
        if rules.behaviour_contract_eligibility(
            policy=policy, exclusions=list(pupil.exclusions.all()),
            looked_after=pupil.looked_after, today=TODAY,
        )
    }
    with CaptureQueriesContext(connection) as queries:
        by_sql = set(selectors.contract_eligible_pupils(la, today=TODAY).values_list(
            "pk", flat=True))
    assert by_sql == by_rule
    assert len(queries) == 1
    assert 0 < len(by_rule) < school.pupils.count(), "the data must test both answers"


def test_the_leap_day_pair_is_decided_in_sql_like_the_rule():
    la = LocalAuthorityFactory(code="901", policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    school = SchoolFactory(local_authority=la)
    within, beyond = PupilFactory(school=school), PupilFactory(school=school)
    for pupil, second in ((within, date(2025, 2, 28)), (beyond, date(2025, 3, 1))):
        ExclusionFactory(pupil=pupil, start_date=date(2024, 2, 29))
        ExclusionFactory(pupil=pupil, start_date=second)
    eligible = set(selectors.contract_eligible_pupils(la, today=date(2025, 6, 1)))
    assert eligible == {within}


def test_it_only_lists_pupils_of_that_la():
    la = LocalAuthorityFactory(code="901", policy_name=LocalPolicy.ENGLAND_STATUTORY)
    mine = PupilFactory(school=SchoolFactory(local_authority=la))
    theirs = PupilFactory(school=SchoolFactory())
    for pupil in (mine, theirs):
        ExclusionFactory(pupil=pupil, start_date=TODAY - timedelta(days=10))
    assert list(selectors.contract_eligible_pupils(la, today=TODAY)) == [mine]
    assert Exclusion.objects.count() == 2
