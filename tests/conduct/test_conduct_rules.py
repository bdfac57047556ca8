"""Every refusal of the conduct ladder with its reason (St Pancras parent partnership
agreement §4; Monmouthshire PRS conduct policy, "Escalation" and model letters 1-4), and its
clocks: 10 working days to reply, 5 for the chair's agreement to an emergency ban, 6 months to
a ban's review."""

from dataclasses import replace
from datetime import date

import pytest

from cases import rules as case_rules
from cases import workdays
from cases.models import LocalPolicy, Nation
from cases.policies import POLICIES
from conduct import rules
from conduct.models import Stage

BEDS = POLICIES[LocalPolicy.BEDFORDSHIRE_2007]
WALES = POLICIES[LocalPolicy.WALES_2010]
HEAD = rules.Actor(records=True)
CHAIR = rules.Actor(chair=True)
LEAD = rules.Actor()

FACTS = rules.ConductFacts(
    stage=Stage.NONE, policy=BEDS, nation=Nation.ENGLAND, today=date(2026, 11, 23),
    actor=HEAD, name="Ama Mensah", incident_dates=[date(2026, 11, 20)], warning_sent_on=None,
    chair_agreed_on=None, emergency=False, awaiting_reply=0)


def verdicts(**changes):
    return rules.actions(replace(FACTS, **changes))


def refused(step: str, **changes) -> tuple[str, ...]:
    verdict = verdicts(**changes)[step]
    assert not verdict.allowed
    return verdict.reasons


class TestTheLadder:
    def test_the_headteacher_may_go_straight_to_a_warning_or_conditions(self):
        open_now = {step for step, verdict in verdicts().items() if verdict}
        assert open_now == {"reminder", "warning", "conditions", "emergency_ban"}
        assert "provisional until the governing board" in verdicts()["conditions"].warnings[0]

    def test_nothing_is_sent_before_an_incident_is_recorded(self):
        for step in ("reminder", "warning", "conditions", "propose_ban", "emergency_ban"):
            assert refused(step, incident_dates=[])[0] == (
                "No incident is recorded for Ama Mensah: record what happened first.")

    @pytest.mark.parametrize("step", ["reminder", "warning", "conditions", "board",
                                      "propose_ban", "withdraw_proposal", "confirm_ban",
                                      "emergency_ban", "review", "reply", "progress_meeting"])
    def test_only_the_headteacher_or_the_la_designated_officer_takes_a_step(self, step):
        assert rules.ROLE_REASON in refused(step, actor=LEAD)
        assert rules.ROLE_REASON in refused(step, actor=CHAIR)

    def test_a_ban_is_never_proposed_without_a_warning_first(self):
        assert refused("propose_ban", stage=Stage.REMINDED) == (
            "A ban follows a warning letter (Monmouthshire PRS conduct policy, "
            "model letter 2; St Pancras parent partnership agreement (2024) §4): none has been "
            "sent to Ama Mensah. Where safety demands action at once, record an emergency ban with "
            "its reasons instead.",)

    def test_after_a_warning_a_ban_may_be_proposed_and_needs_the_chair(self):
        proposal = verdicts(stage=Stage.WARNED, warning_sent_on=date(2026, 11, 2))["propose_ban"]
        assert proposal.allowed
        assert "A warning letter was sent on 2 Nov 2026." in proposal.reasons
        assert proposal.warnings[0].startswith("A ban needs the chair of governors' agreement")

    def test_a_proposed_ban_is_not_confirmed_without_the_chairs_agreement(self):
        assert refused("confirm_ban", stage=Stage.BAN_PROPOSED,
                       warning_sent_on=date(2026, 11, 2)) == (
            "A ban needs the chair of governors' agreement (St Pancras parent partnership "
            "agreement (2024) §4; Monmouthshire PRS conduct policy, Escalation): none is "
            "recorded for this ban.",)

    def test_with_the_chairs_agreement_the_ban_is_confirmed_and_reviewed_6_months_on(self):
        confirm = verdicts(stage=Stage.BAN_PROPOSED, warning_sent_on=date(2026, 11, 2),
                           chair_agreed_on=date(2026, 11, 20))["confirm_ban"]
        assert confirm.allowed
        assert "The chair of governors agreed on 20 Nov 2026." in confirm.reasons
        assert "reviewed 6 months after it is confirmed" in confirm.warnings[0]

    def test_a_ban_is_confirmed_only_once_proposed(self):
        assert refused("confirm_ban", stage=Stage.WARNED, warning_sent_on=date(2026, 11, 2),
                       chair_agreed_on=date(2026, 11, 20)) == (
            "You can confirm a ban only when the record stands at ban proposed; it stands at: "
            "warned.",)

    def test_the_chair_records_agreement_only_to_a_ban_waiting_for_it(self):
        assert refused("chair", actor=CHAIR, stage=Stage.WARNED) == (
            "No ban is waiting for the chair of governors' agreement.",)
        assert refused("chair", actor=LEAD, stage=Stage.BAN_PROPOSED) == (
            rules.CHAIR_ROLE_REASON,)
        assert refused("chair", actor=CHAIR, stage=Stage.BAN_PROPOSED,
                       chair_agreed_on=date(2026, 11, 20)) == (
            "The chair of governors agreed on 20 Nov 2026.",)
        assert verdicts(actor=CHAIR, stage=Stage.BAN_PROPOSED)["chair"].allowed
        assert verdicts(actor=CHAIR, stage=Stage.BANNED, emergency=True)["chair"].allowed
        assert not verdicts(actor=CHAIR, stage=Stage.BANNED)["chair"].allowed

    def test_an_emergency_ban_needs_no_warning_and_gives_the_chair_5_working_days(self):
        emergency = verdicts(today=date(2026, 12, 23))["emergency_ban"]
        assert emergency.allowed
        # 24 Dec, then 29, 30, 31 Dec and 4 Jan 2027: Christmas, Boxing Day (on a Saturday,
        # so 28 Dec) and New Year's Day are not working days.
        assert "The chair of governors must agree by 4 Jan 2027 (5 working days)" in \
            emergency.warnings[0]

    @pytest.mark.parametrize(("step", "stage", "words"), [
        ("reminder", Stage.WARNED, "You can send a reminder only when the record stands at no "
                                   "response yet, reminded or restrictions lifted; it stands "
                                   "at: warned."),
        ("warning", Stage.BANNED, "You can send a warning only when the record stands at no "
                                  "response yet, reminded, warned or restrictions lifted; it "
                                  "stands at: banned from the premises."),
        ("conditions", Stage.BAN_PROPOSED, "You can set conditions only when the record stands "
                                           "at no response yet, reminded, warned, conditions, "
                                           "provisional, conditions, confirmed or restrictions "
                                           "lifted; it stands at: ban proposed."),
        ("board", Stage.CONDITIONS, "You can record the governing board's review only when the "
                                    "record stands at conditions, provisional; it stands at: "
                                    "conditions, confirmed."),
        ("withdraw_proposal", Stage.WARNED, "You can withdraw a proposed ban only when the "
                                            "record stands at ban proposed; it stands at: "
                                            "warned."),
        ("emergency_ban", Stage.BANNED, "You can ban at once only when the record stands at no "
                                        "response yet, reminded, warned, conditions, "
                                        "provisional, conditions, confirmed or restrictions "
                                        "lifted; it stands at: banned from the premises."),
        ("review", Stage.CONDITIONS_PROVISIONAL, "You can review the restrictions only when the "
                                                 "record stands at conditions, confirmed or "
                                                 "banned from the premises; it stands at: "
                                                 "conditions, provisional."),
        ("progress_meeting", Stage.CONDITIONS, "You can record a progress meeting only when the "
                                               "record stands at banned from the premises; it "
                                               "stands at: conditions, confirmed."),
    ])
    def test_each_step_only_from_the_stages_it_follows(self, step, stage, words):
        assert words in refused(step, stage=stage, warning_sent_on=date(2026, 11, 2))

    def test_a_reply_is_recorded_only_against_a_letter_waiting_for_one(self):
        assert refused("reply", awaiting_reply=0) == (
            "No letter is waiting for a reply: each reminder, warning and conditions letter "
            "gives 10 working days, and its reply is recorded against it.",)
        assert verdicts(awaiting_reply=1)["reply"].allowed

    def test_a_second_progress_meeting_in_12_months_is_refused_with_the_date_of_the_next(self):
        banned = {"stage": Stage.BANNED, "last_progress_meeting_asked_on": date(2026, 2, 28)}
        assert refused("progress_meeting", today=date(2027, 2, 27), **banned) == (
            "A banned parent may have one progress meeting a year (Monmouthshire PRS "
            "conduct policy, model letter 4): one was asked for on 28 Feb 2026; "
            "the next can be from 28 Feb 2027.",)
        assert verdicts(today=date(2027, 2, 28), **banned)["progress_meeting"].allowed


class TestClocks:
    @pytest.mark.parametrize(("dated", "due", "across"), [
        (date(2026, 12, 18), date(2027, 1, 6), "Christmas, Boxing Day and New Year's Day"),
        (date(2027, 3, 22), date(2027, 4, 7), "Good Friday and Easter Monday"),
        (date(2026, 11, 23), date(2026, 12, 7), "two weekends only"),
    ])
    @pytest.mark.parametrize("nation", [Nation.ENGLAND, Nation.WALES])
    def test_a_parent_has_10_working_days_to_reply(self, dated, due, across, nation):
        assert case_rules.parent_reply_due(policy=BEDS, letter_dated=dated,
                                           nation=nation) == due, across

    def test_a_welsh_only_bank_holiday_moves_the_welsh_reply_date_and_not_the_english(
            self, monkeypatch):
        # England and Wales keep the same bank holidays today (the `holidays` package has no
        # year where they differ), so a Welsh-only one, as St David's Day would be, is added
        # here for Wales alone.
        st_davids_day = date(2027, 3, 1)
        english = workdays.bank_holidays

        def with_st_davids_day(nation, year):
            days = english(nation, year)
            return days | {st_davids_day} if nation == Nation.WALES and year == 2027 else days

        monkeypatch.setattr(workdays, "bank_holidays", with_st_davids_day)
        dated = date(2027, 2, 26)
        assert case_rules.parent_reply_due(policy=BEDS, letter_dated=dated,
                                           nation=Nation.ENGLAND) == date(2027, 3, 12)
        assert case_rules.parent_reply_due(policy=WALES, letter_dated=dated,
                                           nation=Nation.WALES) == date(2027, 3, 15)

    @pytest.mark.parametrize(("confirmed", "review"), [
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2028, 2, 29), date(2028, 8, 29)),
        (date(2027, 2, 28), date(2027, 8, 28)),
    ])
    def test_a_ban_is_reviewed_6_calendar_months_after_it_is_confirmed(self, confirmed, review):
        assert case_rules.ban_review_due(policy=BEDS, confirmed_on=confirmed) == review

    def test_the_chairs_agreement_to_an_emergency_ban_is_due_in_5_working_days(self):
        assert rules.chair_agreement_due(policy=BEDS, banned_on=date(2027, 3, 25),
                                         nation=Nation.ENGLAND) == date(2027, 4, 5)
