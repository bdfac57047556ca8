"""Boundary tests of the parenting order rule (ASBA 2003 s.20; Bedfordshire protocol §11-13)
under each of the three local policies, and its clocks."""

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from django.utils import timezone

from cases.models import ExclusionKind, LocalPolicy
from cases.policies import POLICIES
from orders import rules

BEDS = POLICIES[LocalPolicy.BEDFORDSHIRE_2007]
ENGLAND = POLICIES[LocalPolicy.ENGLAND_STATUTORY]
WALES = POLICIES[LocalPolicy.WALES_2010]
COMPLETE = dict.fromkeys(rules.ORDER_EVIDENCE, True)


@dataclass
class Ex:
    start_date: date
    kind: str = ExclusionKind.SUSPENSION
    serious_misbehaviour: bool = True
    statutory_process_ended_on: date | None = None


def order(policy, exclusions, today, **kwargs):
    values = {"contract_signed_on": None, "evidence": COMPLETE,
              "final_warning_issued_on": date(2026, 3, 20)}
    values.update(kwargs)
    return rules.order_application_eligibility(
        policy=policy, exclusions=exclusions, today=today, **values
    )


class TestOrderApplication:
    pair = [
        Ex(date(2025, 11, 3), statutory_process_ended_on=date(2025, 11, 20)),
        Ex(date(2026, 2, 27), statutory_process_ended_on=date(2026, 3, 16)),
    ]

    def test_it_is_available_inside_6_months_of_the_latest_exclusion(self):
        verdict = order(BEDS, self.pair, date(2026, 8, 27))
        assert verdict.allowed
        assert verdict.holds_until == date(2026, 8, 27)
        assert "apply by 27 Aug 2026" in " ".join(verdict.reasons)

    def test_it_closes_the_day_after_6_months(self):
        verdict = order(BEDS, self.pair, date(2026, 8, 28))
        assert not verdict.allowed
        assert verdict.reasons == (
            "More than 6 months since the latest exclusion, on 27 Feb 2026: the window closed "
            "on 27 Aug 2026.",
        )

    @pytest.mark.parametrize(
        ("today", "allowed"), [(date(2026, 2, 28), True), (date(2026, 3, 1), False)]
    )
    def test_six_months_from_31_august_end_on_the_last_day_of_february(self, today, allowed):
        exclusions = [Ex(date(2025, 8, 31), kind=ExclusionKind.PERMANENT,
                         statutory_process_ended_on=date(2025, 9, 20))]
        verdict = order(BEDS, exclusions, today, final_warning_issued_on=date(2025, 10, 1))
        assert verdict.allowed is allowed

    def test_a_signed_contract_restarts_the_window_under_bedfordshire(self):
        verdict = order(BEDS, self.pair, date(2026, 10, 1), contract_signed_on=date(2026, 5, 1))
        assert verdict.allowed
        assert "the contract signed on 1 May 2026: apply by 1 Nov 2026" in " ".join(
            verdict.reasons
        )

    def test_wales_counts_from_the_last_exclusion_even_with_a_contract(self):
        verdict = order(WALES, self.pair, date(2026, 10, 1), contract_signed_on=date(2026, 5, 1))
        assert not verdict.allowed
        assert "window closed on 27 Aug 2026" in verdict.reasons[0]

    def test_it_waits_for_the_statutory_exclusion_process_to_end(self):
        exclusions = [self.pair[0], Ex(date(2026, 2, 27))]
        verdict = order(BEDS, exclusions, date(2026, 3, 10))
        assert not verdict.allowed
        assert verdict.reasons == (
            "The statutory exclusion process has not ended for the exclusion of 27 Feb 2026: "
            "an application can only follow it (Bedfordshire protocol (2007) §13).",
        )

    @pytest.mark.parametrize(("today", "allowed"), [(date(2026, 3, 16), False),
                                                    (date(2026, 3, 17), True)])
    def test_an_application_follows_the_day_the_statutory_process_ended(self, today, allowed):
        verdict = order(BEDS, self.pair, today, final_warning_issued_on=date(2026, 3, 1))
        assert verdict.allowed is allowed
        if not allowed:
            assert verdict.reasons == (
                "The statutory exclusion process ends on 16 Mar 2026: an application can be "
                "made from the day after, 17 Mar 2026 (Bedfordshire protocol (2007) §13).",)
        else:
            assert verdict.holds_from == date(2026, 3, 17)

    def test_it_names_the_missing_evidence_and_the_missing_final_warning(self):
        evidence = {**COMPLETE, "witness_statements": False}
        verdict = order(BEDS, self.pair, date(2026, 4, 1), evidence=evidence,
                        final_warning_issued_on=None)
        assert verdict.reasons == (
            "The evidence pack lacks witness statements about the exclusions.",
            "No final warning letter has been issued to the parent (Bedfordshire protocol "
            "(2007) §12).",
        )

    def test_bedfordshire_needs_serious_misbehaviour(self):
        mild = [Ex(e.start_date, serious_misbehaviour=False,
                   statutory_process_ended_on=e.statutory_process_ended_on) for e in self.pair]
        refused = order(BEDS, mild, date(2026, 4, 1))
        assert "of 2 exclusions, 0 are marked serious misbehaviour" in refused.reasons[0]
        allowed = order(ENGLAND, mild, date(2026, 4, 1))
        assert allowed.allowed
        assert "serious" in allowed.warnings[0]

    def test_england_needs_one_exclusion_wales_needs_more_than_one(self):
        one = [self.pair[1]]
        assert order(ENGLAND, one, date(2026, 4, 1)).allowed
        assert not order(WALES, one, date(2026, 4, 1)).allowed




def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


class TestResponsibleOfficerClocks:
    def test_bedfordshire_counts_48_clock_hours_as_the_protocol_writes(self):
        made = at(2026, 11, 27, 15, 30)  # a Friday afternoon
        assert rules.ro_meeting_due(policy=BEDS, order_made_at=made, nation="england") == at(
            2026, 11, 29, 15, 30)

    def test_the_statutory_policy_counts_working_days_so_a_friday_order_is_due_on_tuesday(self):
        made = at(2026, 11, 27, 15, 30)
        assert rules.ro_meeting_due(policy=ENGLAND, order_made_at=made,
                                    nation="england") == at(2026, 12, 1, 15, 30)

    def test_a_due_time_on_a_weekend_or_bank_holiday_says_so_plainly(self):
        assert rules.due_text(at(2026, 11, 29, 15, 30), nation="england") == (
            "Sunday 29 November 2026, 15:30 (a Sunday: the school and the LA may be closed)")
        assert "Christmas Day, a bank holiday" in rules.due_text(at(2026, 12, 25, 10, 0),
                                                                  nation="england")
        assert rules.due_text(at(2026, 12, 1, 9, 0), nation="wales") == (
            "Tuesday 1 December 2026, 09:00")
