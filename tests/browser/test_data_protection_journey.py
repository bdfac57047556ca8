"""The LA admin's data protection pages in a real Chromium: who opened a pupil's records, the
retention schedule, and the review and confirmation of a disposal, by keyboard."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cases import moves
from cases.models import Disposal, RetentionRule, StaffRole
from cases.retention import disposals_list
from tests.browser.conftest import open_as, serious_accessibility_problems
from tests.factories import PupilFactory, PupilParentFactory, staff

pytestmark = pytest.mark.browser


def test_the_la_admin_finds_who_opened_a_case_and_confirms_a_disposal(page, live_server,
                                                                       retention_schedule):
    pupil = PupilFactory(first_name="Casey", last_name="Morrow")
    PupilParentFactory(pupil=pupil)
    lead = staff(StaffRole.SCHOOL_LEAD, pupil.school)
    admin = staff(StaffRole.LA_ADMIN, pupil.school.local_authority)

    open_as(page, lead, f"/pupils/{pupil.pk}/")
    expect(page.locator("h1")).to_contain_text("Casey Morrow")
    page.context.clear_cookies()

    open_as(page, admin, f"/pupils/{pupil.pk}/")
    expect(page.locator("#viewed-by")).to_be_visible()
    assert serious_accessibility_problems(page) == []
    page.get_by_role("link", name="Data protection").first.click()
    assert serious_accessibility_problems(page) == []
    page.get_by_role("link", name="Who opened what").click()
    page.get_by_label("Pupil's UPN").fill(pupil.upn)
    page.get_by_label("Pupil's UPN").press("Enter")
    expect(page.locator("tbody")).to_contain_text(lead.username)
    assert serious_accessibility_problems(page) == []

    moves.pupil_leave(pupil=pupil, left_on=date.today(), by=lead, left_for="other")
    RetentionRule.objects.update(years=0)
    disposals_list(la=pupil.school.local_authority, today=date.today())
    page.goto("/data-protection/retention/")
    expect(page.locator("main")).to_contain_text("Limitation Act 1980")
    assert serious_accessibility_problems(page) == []
    page.get_by_role("link", name=f"Case file of the pupil with UPN {pupil.upn}").click()
    expect(page.locator("main")).to_contain_text("What will be anonymised")
    assert serious_accessibility_problems(page) == []
    button = page.get_by_role("button", name="Confirm and anonymise")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("anonymised")
    assert Disposal.objects.get().status == "done"
