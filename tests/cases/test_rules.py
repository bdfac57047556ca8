from datetime import date
from decimal import Decimal

import pytest

from cases.models import Relationship
from cases.rules import academic_year_start, parent_definition, suspension_cap


def test_a_birth_parent_is_a_parent_without_responsibility_or_care():
    verdict = parent_definition(
        relationship=Relationship.BIRTH_PARENT, parental_responsibility=False, has_care=False
    )
    assert verdict.allowed


@pytest.mark.parametrize(
    ("responsibility", "care", "because"),
    [(True, False, "holds parental responsibility"), (False, True, "has care of the child")],
)
def test_a_grandparent_is_a_parent_with_responsibility_or_care(responsibility, care, because):
    verdict = parent_definition(
        relationship=Relationship.GRANDPARENT,
        parental_responsibility=responsibility,
        has_care=care,
    )
    assert verdict.allowed
    assert because in verdict.reasons[0]


def test_a_step_parent_without_responsibility_or_care_is_not_a_parent():
    verdict = parent_definition(
        relationship=Relationship.STEP_PARENT, parental_responsibility=False, has_care=False
    )
    assert not verdict.allowed
    assert "section 576" in verdict.reasons[0]
    assert "step-parent" in verdict.reasons[0]


def test_a_local_authority_as_corporate_parent_is_never_a_parent():
    verdict = parent_definition(
        relationship=Relationship.CORPORATE_PARENT, parental_responsibility=True, has_care=True
    )
    assert not verdict.allowed
    assert "corporate parent" in verdict.reasons[0]


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2026, 8, 31), date(2025, 9, 1)),
        (date(2026, 9, 1), date(2026, 9, 1)),
        (date(2027, 1, 15), date(2026, 9, 1)),
    ],
)
def test_the_academic_year_starts_on_1_september(day, start):
    assert academic_year_start(day) == start


def test_45_school_days_is_within_the_cap_and_45_and_a_half_is_past_it():
    assert suspension_cap(days_in_year=Decimal(45), year_of=date(2026, 3, 1)).allowed
    past = suspension_cap(days_in_year=Decimal("45.5"), year_of=date(2026, 3, 1))
    assert not past.allowed
    assert "45.5 school days in 2025/26" in past.reasons[0]
