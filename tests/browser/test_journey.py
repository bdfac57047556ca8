"""A school lead's journey through Pact in a real Chromium, against the live server."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Exclusion, StaffRole
from tests.browser.conftest import PASSWORD, serious_accessibility_problems, sign_in
from tests.factories import (
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def pupil():
    school = SchoolFactory(local_authority=LocalAuthorityFactory(name="Ashford Vale"))
    return PupilFactory(school=school, first_name="Jordan", last_name="Mensah-Clarke")


@pytest.fixture
def school_lead(pupil):
    user = staff(StaffRole.SCHOOL_LEAD, pupil.school)
    user.set_password(PASSWORD)
    user.save()
    return user


def a_recent_weekday() -> date:
    day = date.today() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def test_a_school_lead_signs_in_finds_a_pupil_records_an_exclusion_and_sees_it_on_the_timeline(
    page, live_server, pupil, school_lead
):
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")
    sign_in(page, school_lead)

    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Find a pupil").click()
    page.get_by_label("Name or UPN").fill("Mensah")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Mensah-Clarke, Jordan").click()
    expect(page.get_by_role("heading", name="Jordan Mensah-Clarke", level=1)).to_be_visible()

    page.get_by_role("link", name="Record an exclusion").click()
    started = a_recent_weekday()
    page.get_by_label("Suspension", exact=True).check()
    start_date = page.get_by_role("group", name="Start date", exact=True)
    start_date.get_by_label("Day").fill(str(started.day))
    start_date.get_by_label("Month").fill(str(started.month))
    start_date.get_by_label("Year").fill(str(started.year))
    page.get_by_label("Length in school days").fill("2")
    page.get_by_label("Persistent or general disruptive behaviour").check()
    page.get_by_role("button", name="Record exclusion").click()

    expect(page).to_have_url(f"{live_server.url}/pupils/{pupil.pk}/")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"Suspension from {started:%-d %b %Y} recorded")
    expect(page.locator(".moj-timeline")).to_contain_text(
        f"Suspension from {started:%-d %B %Y}, 2 school days"
    )
    exclusion = Exclusion.objects.get(pupil=pupil)
    assert exclusion.start_date == started
    assert exclusion.recorded_by == school_lead
    assert [r.code for r in exclusion.reasons.all()] == ["DB"]

    assert serious_accessibility_problems(page) == []


def test_a_rejected_exclusion_form_shows_the_error_summary_and_saves_nothing(
    page, live_server, pupil, school_lead
):
    form_path = f"/pupils/{pupil.pk}/exclusions/new/"
    page.goto(form_path)
    sign_in(page, school_lead)
    expect(page).to_have_url(f"{live_server.url}{form_path}")

    page.get_by_role("button", name="Record exclusion").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Select the type of exclusion")
    assert page.title().startswith("Error:")
    link = summary.get_by_role("link", name="Select the type of exclusion")
    assert link.get_attribute("href") == "#id_kind_0"
    link.click()
    expect(page.locator("#id_kind_0")).to_be_focused()
    assert serious_accessibility_problems(page) == []
    assert not Exclusion.objects.filter(pupil=pupil).exists()


def test_a_letter_is_previewed_and_a_double_click_on_issue_issues_it_once(
    page, live_server, pupil, school_lead
):
    from letters.models import IssuedLetter

    PupilParentFactory(pupil=pupil, parent__first_name="Ama", parent__last_name="Mensah")
    page.goto(f"/pupils/{pupil.pk}/letters/new/contract_review_invitation/")
    sign_in(page, school_lead)
    day = a_recent_weekday()
    for group in ("Date the contract was signed", "Date of the meeting", "Please reply by"):
        when = page.get_by_role("group", name=group)
        when.get_by_label("Day").fill(str(day.day))
        when.get_by_label("Month").fill(str(day.month))
        when.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Why we are reviewing the contract").fill("Shouting at the gate.")
    page.get_by_label("Time of the meeting").fill("10:30am")
    page.get_by_label("Where the meeting is").fill("The school office")
    page.get_by_label("Who to contact to rearrange").fill("Mrs Hale, 01234 567890")
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.frame_locator("iframe[title='Preview of the letter']")
    expect(preview.get_by_text("Shouting at the gate.")).to_be_visible()
    assert serious_accessibility_problems(page) == []

    page.get_by_role("button", name="Issue letter").dblclick()
    expect(page.get_by_role("heading", name=pupil.full_name, level=1)).to_be_visible()
    assert IssuedLetter.objects.filter(pupil=pupil).count() == 1
