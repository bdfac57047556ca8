"""Parenting and attendance contracts in a real Chromium, against the live server: the ladder
from a draft to its end, step by step through the forms a school lead uses."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import LocalPolicy, StaffRole
from tests.browser.conftest import PASSWORD, serious_accessibility_problems, sign_in
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)

pytestmark = pytest.mark.browser

BEHAVIOUR = "Parenting contract (behaviour)"
ATTENDANCE = "Attendance contract"


@pytest.fixture
def world(transactional_db):
    """A Bedfordshire pupil with a parent and two serious suspensions in the last 90 days, their
    school lead and the LA designated officer, both able to sign in."""
    today = timezone.localdate()
    la = LocalAuthorityFactory(code="901", name="Ashford Vale",
                               policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    school = SchoolFactory(local_authority=la, name="Ashford Vale Academy")
    pupil = PupilFactory(school=school, first_name="Jordan", last_name="Mensah-Clarke")
    parent = PupilParentFactory(pupil=pupil, parent__first_name="Ama",
                                parent__last_name="Mensah").parent
    for days in (60, 20):
        ExclusionFactory(pupil=pupil, start_date=today - timedelta(days=days),
                         serious_misbehaviour=True)
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    officer = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    for user in (lead, officer):
        user.set_password(PASSWORD)
        user.save()
    return pupil, parent, lead, officer


# --- helpers -----------------------------------------------------------------------------

def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def on_contract_page(page: Page, kind: str, banner: str | None = None) -> None:
    expect(page.get_by_role("heading", name=kind, level=1, exact=True)).to_be_visible()
    if banner:
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(banner)


def open_step(page: Page, title: str) -> None:
    page.locator("#steps").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1, exact=True)).to_be_visible()


def step_row(page: Page, title: str):
    return page.locator("#steps > li").filter(has_text=title)


def expect_not_available(page: Page, title: str, reason: str) -> None:
    row = step_row(page, title)
    expect(row).to_contain_text("Not available")
    expect(row).to_contain_text(reason)
    expect(row.get_by_role("link")).to_have_count(0)


def expect_state(page: Page, state: str) -> None:
    expect(page.locator("#contract-state")).to_have_text(state)


def start_contract(page: Page, pupil, parent, kind: str) -> None:
    """From the case page: a draft contract with the parent."""
    expect(page.get_by_role("heading", name=pupil.full_name, level=1)).to_be_visible()
    page.get_by_role("link", name="Start a contract").click()
    expect(page.get_by_role("heading", name="Start a contract", level=1)).to_be_visible()
    page.get_by_label(kind, exact=True).check()
    page.get_by_label(parent.full_name, exact=True).check()
    page.get_by_role("button", name="Start", exact=True).click()
    on_contract_page(page, kind, "Draft contract started")
    expect_state(page, "Draft")


def fill_dates(page: Page, today: date) -> None:
    fill_date(page, "Start date", today)
    fill_date(page, "Review date", today + timedelta(days=45))
    fill_date(page, "End date", today + timedelta(days=120))


def fill_behaviour_content(page: Page, today: date) -> None:
    open_step(page, "Change the contract's content")
    page.get_by_label("Reasons for the contract: the areas of concern").fill(
        "Repeated disruption in lessons.")
    page.get_by_label("What we are trying to achieve").fill("Jordan stays in lessons.")
    page.get_by_label("What Ama Mensah would find helpful").fill("A weekly call")
    page.get_by_label("Objectives for the next three months").fill(
        "Jordan attends every lesson; daily report card; form tutor")
    page.get_by_label("What the school (or LA) will do to support the parents").fill(
        "Weekly call from the form tutor")
    page.get_by_label("What the parents agree to do").fill("Check and sign the report card")
    fill_dates(page, today)
    page.get_by_role("button", name="Save", exact=True).click()
    on_contract_page(page, BEHAVIOUR, "Contract content saved")


def offer(page: Page, kind: str, today: date) -> None:
    open_step(page, "Offer the contract: invite the parents to a meeting")
    fill_date(page, "Date of the meeting", today + timedelta(days=7))
    page.get_by_label("Time of the meeting").fill("10:30am")
    page.get_by_label("Where the meeting is").fill("The school office")
    page.get_by_label("Who to contact to rearrange").fill("Sam Patel on 01234 567890")
    fill_date(page, "Please reply by", today + timedelta(days=5))
    page.get_by_role("button", name="Offer and issue the invitation").click()
    on_contract_page(page, kind, "Contract offered; the invitation letter is issued")
    expect_state(page, "Offered")


def record_contact(page: Page, kind: str, on: date, *, took_part: bool, notes: str) -> None:
    open_step(page, "Record a meeting or an attempt to reach the parents")
    page.get_by_role("group", name="What it was", exact=True).get_by_label(
        "Meeting", exact=True).check()
    fill_date(page, "Date", on)
    page.get_by_role("group", name="Did the parent attend or answer?").get_by_label(
        "Yes" if took_part else "No", exact=True).check()
    page.get_by_label("What was said, or what happened").fill(notes)
    page.get_by_role("button", name="Record", exact=True).click()
    on_contract_page(page, kind, "Recorded")


def sign(page: Page, kind: str, parent) -> None:
    open_step(page, "Record the signed contract")
    page.get_by_label("Who signed").fill(f"{parent.full_name}, parent")
    page.get_by_role("group", name=f"Does {parent.full_name} agree").get_by_label(
        "Yes, agrees").check()
    page.get_by_role("button", name="Sign", exact=True).click()
    on_contract_page(page, kind, "Contract signed; the LA designated officer has been told")
    expect_state(page, "Signed and running")
    expect(page.get_by_role("link", name="Download the signed contract (PDF)")).to_be_visible()


def record_breach(page: Page, kind: str, on: date, *, description: str, decision: str,
                  explanation: str = "", reply_by: date | None = None,
                  exclusion: str | None = None) -> None:
    open_step(page, "Record a breach and your decision")
    fill_date(page, "Date of the breach", on)
    page.get_by_label("What was not done").fill(description)
    if explanation:
        page.get_by_label("The parent's explanation").fill(explanation)
    page.get_by_role("group", name="Your decision").get_by_label(decision).check()
    if exclusion:
        page.get_by_label("The further exclusion that came with it").select_option(
            label=exclusion)
    if reply_by:
        fill_date(page, "Reply by", reply_by)
    page.get_by_role("button", name="Record the breach").click()
    on_contract_page(page, kind, "Breach recorded")


# --- the journeys ------------------------------------------------------------------------

def test_a_school_lead_takes_a_contract_from_offer_to_escalation_and_the_la_officer_sees_it(
    page, live_server, world
):
    pupil, parent, lead, officer = world
    today = timezone.localdate()

    page.goto(f"/pupils/{pupil.pk}/")
    sign_in(page, lead)
    start_contract(page, pupil, parent, BEHAVIOUR)
    contract_url = page.url
    fill_behaviour_content(page, today)
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Jordan attends every lesson — daily report card (form tutor)")
    offer(page, BEHAVIOUR, today)
    expect(page.get_by_role("link", name="Invitation to a parenting contract meeting")
           ).to_be_visible()
    sign(page, BEHAVIOUR, parent)
    expect(page.locator("#consent")).to_contain_text(
        f"{parent.full_name}: consent given on {today:%-d %b %Y}")

    # A contract in hand: no second offer, on the pupil's page or in the list (item 3).
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_role("link", name="What is available now").click()
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name="Behaviour parenting contract", exact=True))
    expect(card).to_contain_text("Not available")
    expect(card).to_contain_text(
        f"A behaviour contract is already signed and running, since {today:%-d %b %Y}")
    card.get_by_role("link", name="A behaviour contract is already").click()
    on_contract_page(page, BEHAVIOUR)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    page.goto("/eligible/behaviour-contract/")
    expect(page.get_by_role("heading", name="Eligible for a behaviour contract today")
           ).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(pupil.last_name)
    expect(page.locator("#left-out")).to_contain_text("1 with a contract signed and running")
    page.goto(contract_url)

    # The breach form offers what the ladder allows now, and says why not the rest (item 7).
    open_step(page, "Record a breach and your decision")
    heading = page.get_by_role("heading", name="Record a breach and your decision", level=1)
    ladder = page.locator("#decision-ladder")
    assert heading.evaluate("(h, ladder) => !!(h.compareDocumentPosition(ladder) & 4)",
                            ladder.element_handle()), "the ladder comes after the heading"
    decisions = page.get_by_role("group", name="Your decision")
    expect(decisions.get_by_label("A further breach after the warning")).to_have_count(0)
    expect(page.locator("#unavailable-further")).to_contain_text(
        "a further breach follows a formal warning, and none has been sent")
    expect(page.get_by_text("How the letter will be sent")).to_be_hidden()
    decisions.get_by_label("Explanation not satisfactory").check()
    expect(page.get_by_text("How the letter will be sent")).to_be_visible()
    assert serious_accessibility_problems(page) == []
    page.get_by_role("link", name="Cancel").click()

    record_breach(page, BEHAVIOUR, today, description="Report card not signed on Tuesday",
                  explanation="Working late", decision="Reasonable explanation")
    expect_state(page, "Signed and running")

    record_breach(page, BEHAVIOUR, today, description="Missed the weekly call",
                  decision="Explanation not satisfactory: formal warning letter",
                  reply_by=today + timedelta(days=7))
    expect_state(page, "Warned")
    expect(page.get_by_role("link", name="Formal warning: parenting contract")).to_be_visible()
    expect_not_available(page, "Escalate to the LA for a parenting order",
                         "Needs a further breach after the formal warning")

    # A further exclusion, recorded on the case page.
    page.get_by_role("link", name="Back to the case").click()
    expect(page.get_by_role("heading", name=pupil.full_name, level=1)).to_be_visible()
    page.get_by_role("link", name="Record an exclusion").click()
    expect(page.get_by_role("heading", name="Record an exclusion", level=1)).to_be_visible()
    page.get_by_label("Suspension", exact=True).check()
    fill_date(page, "Start date", today)
    page.get_by_label("Length in school days").fill("1")
    page.get_by_label("Persistent or general disruptive behaviour").check()
    page.get_by_label("Serious misbehaviour", exact=True).check()
    page.get_by_role("button", name="Record exclusion").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Suspension from {today:%-d %b %Y} recorded")

    page.goto(contract_url)
    on_contract_page(page, BEHAVIOUR)
    open_step(page, "Record a breach and your decision")
    further = page.get_by_label("The further exclusion that came with it")
    # Only exclusions since the warning, and a clear empty choice (item 7).
    expect(further.locator("option")).to_have_text(
        ["No further exclusion", f"Suspension from {today:%-d %b %Y}"])
    page.get_by_role("link", name="Cancel").click()
    record_breach(page, BEHAVIOUR, today, description="Report card thrown away",
                  decision="A further breach after the warning",
                  exclusion=f"Suspension from {today:%-d %b %Y}")
    expect_state(page, "Warned")
    expect(page.locator("body")).to_contain_text(
        f"with the exclusion of {today:%-d %b %Y}")
    expect_not_available(page, "Escalate to the LA for a parenting order",
                         "Needs a multi-agency meeting after that breach")

    # The multi-agency meeting, recorded on the case page.
    page.get_by_role("link", name="Back to the case").click()
    expect(page.get_by_role("heading", name=pupil.full_name, level=1)).to_be_visible()
    page.get_by_role("link", name="Record a meeting").click()
    expect(page.get_by_role("heading", name="Record a multi-agency meeting", level=1)
           ).to_be_visible()
    fill_date(page, "Date of the meeting", today)
    page.get_by_label("Purpose").fill("Next steps after the further breach")
    page.get_by_label("Attendees").fill("Sam Patel, school lead\nDana Cole, LA officer")
    page.get_by_label("Decisions").fill("Ask the LA to apply for a parenting order")
    page.get_by_label("An LA representative attended").check()
    page.get_by_label("The meeting recommends that the LA applies for a parenting order").check()
    page.get_by_role("button", name="Record meeting").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Meeting of {today:%-d %B %Y} recorded")

    page.goto(contract_url)
    on_contract_page(page, BEHAVIOUR)
    open_step(page, "Escalate to the LA for a parenting order")
    # Before confirming, what the LA will find missing for an order (item 4).
    readiness = page.locator("#order-readiness")
    expect(readiness).to_contain_text("What the LA will find for a parenting order")
    expect(readiness).to_contain_text("The statutory exclusion process has not ended")
    expect(readiness).to_contain_text("No final warning letter has been issued to the parent")
    expect(readiness).to_contain_text("The evidence pack lacks")
    assert serious_accessibility_problems(page) == []
    page.get_by_label("Reasons").fill("A further breach and exclusion after the warning; the "
                                      "multi-agency meeting recommends an order.")
    page.get_by_role("button", name="Escalate to the LA").click()
    on_contract_page(page, BEHAVIOUR, "Escalated: the LA designated officer will see it")
    expect_state(page, "Escalated to the LA")
    # Who has it now, and what happens next (item 8).
    expect(page.locator("#next-steps")).to_contain_text(
        f"With the LA designated officer ({officer.get_full_name()}) since {today:%-d %b %Y}")
    expect(page.locator("main")).not_to_contain_text("escalated to the la.")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Pact", level=1)).to_be_visible()
    sign_in(page, officer)
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="LA queue").click()
    expect(page.get_by_role("heading", name="LA designated officer's queue", level=1)
           ).to_be_visible()
    expect(page.locator("#escalations")).to_contain_text(pupil.full_name)
    expect(page.locator("#notifications")).to_contain_text("Contract issued")
    expect(page.locator("#notifications")).to_contain_text(
        f"{BEHAVIOUR} for {pupil.full_name} signed on {today:%-d %B %Y}")
    assert serious_accessibility_problems(page) == []
    page.locator("#escalations").get_by_role("link", name=pupil.full_name).click()
    expect_state(page, "Escalated to the LA")
    assert serious_accessibility_problems(page) == []


def test_a_refusal_is_recorded_with_its_negotiation_log(page, live_server, world):
    pupil, parent, lead, _ = world
    today = timezone.localdate()

    page.goto(f"/pupils/{pupil.pk}/")
    sign_in(page, lead)
    start_contract(page, pupil, parent, BEHAVIOUR)
    fill_behaviour_content(page, today)
    offer(page, BEHAVIOUR, today)

    expect_not_available(page, "Record that the parents refused",
                         "Record every effort to negotiate")
    record_contact(page, BEHAVIOUR, today, took_part=True,
                   notes="Met at school; said no help is needed")

    open_step(page, "Record that the parents refused")
    page.get_by_label("Reasons").fill("The parent does not want a contract.")
    page.get_by_role("button", name="Record the refusal").click()
    on_contract_page(page, BEHAVIOUR, "Refusal recorded")
    expect_state(page, "Refused")

    # The negotiation log stays with the refused contract, under "Meetings and contact".
    contacts = page.get_by_role("heading", name="Meetings and contact", level=2).locator(
        "xpath=following-sibling::p[1]")
    expect(contacts).to_have_text(
        f"Meeting, {today:%-d %b %Y} (the parent took part): Met at school; said no help is "
        "needed")
    reasons = page.locator(".govuk-summary-list__row").filter(has_text="Reasons for ending")
    expect(reasons).to_contain_text("The parent does not want a contract.")


def test_an_attendance_contract_is_terminated_with_reasons(page, live_server, world):
    pupil, parent, lead, _ = world
    today = timezone.localdate()

    page.goto(f"/pupils/{pupil.pk}/")
    sign_in(page, lead)
    start_contract(page, pupil, parent, ATTENDANCE)

    open_step(page, "Change the contract's content")
    page.get_by_label("What the school (or LA) will do to support the parents").fill(
        "A lead practitioner meets the family weekly")
    page.get_by_label("Lead practitioner").fill("Jo Marsh")
    page.get_by_label("What the parents agree to do").fill("Jordan at school by 8:45 every day")
    fill_dates(page, today)
    page.get_by_role("button", name="Save", exact=True).click()
    on_contract_page(page, ATTENDANCE, "Contract content saved")

    offer(page, ATTENDANCE, today)
    expect_not_available(page, "Record the signed contract",
                         "cannot be agreed in the parent's absence")
    # Agreed at a meeting a few days ago: a meeting on the day of the warning would already
    # count as the review meeting after it (the rule compares dates, not times).
    record_contact(page, ATTENDANCE, today - timedelta(days=3), took_part=True,
                   notes="Contract agreed with the parent at school")
    sign(page, ATTENDANCE, parent)

    record_breach(page, ATTENDANCE, today, description="Late six times in two weeks",
                  decision="Explanation not satisfactory", reply_by=today + timedelta(days=7))
    expect_state(page, "Warned")
    expect(page.get_by_role("link", name="Warning: attendance contract")).to_be_visible()
    expect_not_available(page, "End the contract early", "hold a review meeting")

    record_contact(page, ATTENDANCE, today, took_part=False,
                   notes="Review meeting; the parent did not come")
    open_step(page, "End the contract early")
    page.get_by_label("The decision and its reasons").fill(
        "Not kept after the warning; no engagement at the review.")
    page.get_by_role("group", name="What happens instead").get_by_label(
        "Issue a penalty notice").check()
    page.get_by_role("button", name="End the contract").click()
    on_contract_page(page, ATTENDANCE, "Contract ended")
    expect_state(page, "Terminated")
    reasons = page.locator(".govuk-summary-list__row").filter(has_text="Reasons for ending")
    expect(reasons).to_contain_text("Not kept after the warning; no engagement at the review.")
    expect(reasons).to_contain_text("Instead: Issue a penalty notice")
