"""Boundary tests of the rules that gate contracts and conduct sanctions, under each of the
three local policies. (The parenting order rule is tested with orders.)"""

from dataclasses import dataclass
from datetime import date

import pytest

from cases import rules
from cases.models import ExclusionKind, LocalPolicy
from cases.policies import POLICIES

BEDS = POLICIES[LocalPolicy.BEDFORDSHIRE_2007]
ENGLAND = POLICIES[LocalPolicy.ENGLAND_STATUTORY]
WALES = POLICIES[LocalPolicy.WALES_2010]


@dataclass
class Ex:
    start_date: date
    kind: str = ExclusionKind.SUSPENSION
    serious_misbehaviour: bool = True
    statutory_process_ended_on: date | None = None


def contract(policy, exclusions, today, looked_after=False):
    return rules.behaviour_contract_eligibility(
        policy=policy, exclusions=exclusions, looked_after=looked_after, today=today
    )


class TestBehaviourContract:
    def test_two_suspensions_exactly_12_months_apart_qualify(self):
        verdict = contract(BEDS, [Ex(date(2025, 3, 3)), Ex(date(2026, 3, 3))], date(2026, 3, 4))
        assert verdict.allowed
        assert verdict.reasons == (
            "Available: 2 suspensions within 12 months: 3 Mar 2025 and 3 Mar 2026.",
        )
        assert verdict.holds_from == date(2026, 3, 3)
        assert verdict.holds_until == date(2027, 3, 3)

    def test_two_suspensions_12_months_and_a_day_apart_do_not(self):
        verdict = contract(BEDS, [Ex(date(2025, 3, 3)), Ex(date(2026, 3, 4))], date(2026, 3, 5))
        assert not verdict.allowed
        assert verdict.reasons == (
            "Needs a permanent exclusion, or 2 suspensions within 12 months; "
            "found 2: 3 Mar 2025, 4 Mar 2026.",
        )

    def test_one_suspension_is_not_enough_and_the_refusal_names_its_date(self):
        verdict = contract(BEDS, [Ex(date(2026, 3, 3))], date(2026, 4, 1))
        assert "found 1: 3 Mar 2026" in verdict.reasons[0]

    @pytest.mark.parametrize(
        ("second", "allowed"), [(date(2025, 2, 28), True), (date(2025, 3, 1), False)]
    )
    def test_a_leap_day_start_ends_its_12_months_on_28_february(self, second, allowed):
        verdict = contract(BEDS, [Ex(date(2024, 2, 29)), Ex(second)], date(2025, 3, 2))
        assert verdict.allowed is allowed

    def test_a_permanent_exclusion_qualifies_alone(self):
        verdict = contract(
            BEDS, [Ex(date(2026, 1, 12), kind=ExclusionKind.PERMANENT)], date(2026, 2, 1)
        )
        assert verdict.allowed
        assert "permanently excluded on 12 Jan 2026" in verdict.reasons[0]

    def test_grounds_lapse_12_months_after_the_second_suspension(self):
        pair = [Ex(date(2025, 3, 3)), Ex(date(2025, 6, 3))]
        assert contract(BEDS, pair, date(2026, 6, 3)).allowed
        lapsed = contract(BEDS, pair, date(2026, 6, 4))
        assert not lapsed.allowed
        assert "lapsed on 3 Jun 2026" in lapsed.reasons[0]

    def test_a_looked_after_pupil_is_not_appropriate_whatever_the_exclusions(self):
        verdict = contract(BEDS, [Ex(date(2026, 1, 12), kind=ExclusionKind.PERMANENT)],
                           date(2026, 2, 1), looked_after=True)
        assert not verdict.allowed
        assert "Not appropriate" in verdict.reasons[0]

    @pytest.mark.parametrize("policy", [ENGLAND, WALES])
    def test_one_exclusion_is_enough_under_the_statute_in_england_and_wales(self, policy):
        verdict = contract(policy, [Ex(date(2026, 3, 3))], date(2026, 4, 1))
        assert verdict.allowed
        assert "suspended on 3 Mar 2026" in verdict.reasons[0]

    @pytest.mark.parametrize("policy", [ENGLAND, WALES])
    def test_no_exclusion_is_not_enough_under_the_statute(self, policy):
        verdict = contract(policy, [], date(2026, 4, 1))
        assert verdict.reasons[0].endswith("none is recorded.")


class TestContractDuration:
    @pytest.mark.parametrize(
        ("ends", "warning"),
        [
            (date(2026, 6, 2), "Shorter than 3 months"),
            (date(2026, 6, 3), None),
            (date(2027, 3, 3), None),
            (date(2027, 3, 4), "Longer than 12 months"),
        ],
    )
    def test_three_to_twelve_months_is_fine_outside_it_warns(self, ends, warning):
        verdict = rules.contract_duration(policy=BEDS, starts_on=date(2026, 3, 3), ends_on=ends)
        assert verdict.allowed
        if warning:
            assert warning in verdict.warnings[0]
        else:
            assert verdict.warnings == ()

    def test_an_end_before_the_start_is_refused(self):
        verdict = rules.contract_duration(
            policy=BEDS, starts_on=date(2026, 3, 3), ends_on=date(2026, 3, 3)
        )
        assert not verdict.allowed


class TestAttendanceContract:
    def test_it_needs_a_parent_and_compulsory_school_age(self):
        verdict = rules.attendance_contract_preconditions(
            parent_names=["Rose Hale"], date_of_birth=date(2014, 5, 17), today=date(2026, 11, 23)
        )
        assert verdict.allowed
        assert "parent present" in verdict.warnings[0]

    def test_without_a_parent_it_says_to_record_one(self):
        verdict = rules.attendance_contract_preconditions(
            parent_names=[], date_of_birth=date(2014, 5, 17), today=date(2026, 11, 23)
        )
        assert verdict.reasons == ("Record a parent or carer first: the contract is between "
                                   "the school or LA and a parent.",)

    @pytest.mark.parametrize(
        ("born", "starts", "ends"),
        [
            # The youngest and the oldest of one year group leave a year apart.
            (date(2020, 8, 31), date(2025, 8, 31), date(2036, 6, 27)),
            (date(2020, 9, 1), date(2025, 12, 31), date(2037, 6, 26)),
            (date(2021, 1, 15), date(2026, 3, 31), date(2037, 6, 26)),
            (date(2021, 4, 1), date(2026, 8, 31), date(2037, 6, 26)),
        ],
    )
    def test_compulsory_school_age(self, born, starts, ends):
        assert rules.compulsory_school_age(born) == (starts, ends)


class TestDeadlineArithmetic:
    def test_a_parent_has_10_working_days_to_reply(self):
        assert rules.parent_reply_due(
            policy=BEDS, letter_dated=date(2026, 12, 18), nation="wales"
        ) == date(2027, 1, 6)

    def test_a_ban_is_reviewed_6_months_after_confirmation(self):
        assert rules.ban_review_due(policy=BEDS, confirmed_on=date(2026, 8, 31)) == date(
            2027, 2, 28
        )
