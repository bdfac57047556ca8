"""Moving a pupil in a real Chromium: the school lead finds the move page from the case page,
the page says what follows the pupil and what stays, an unknown school is an error in the
summary, and the move leaves the old school without the case; each page passes axe."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cases.models import Pupil, StaffRole
from tests.browser.conftest import open_as, serious_accessibility_problems
from tests.factories import LocalAuthorityFactory, PupilFactory, SchoolFactory, staff

pytestmark = pytest.mark.browser


def test_a_school_lead_moves_a_pupil_to_a_school_in_another_la(page, live_server):
    old = SchoolFactory(local_authority=LocalAuthorityFactory(code="901"), name="Ashford Hill")
    new = SchoolFactory(local_authority=LocalAuthorityFactory(code="938"), name="Brook Academy",
                        dfe_number="9384012")
    pupil = PupilFactory(school=old, first_name="Casey", last_name="Rowe")
    open_as(page, staff(StaffRole.SCHOOL_LEAD, old), f"/pupils/{pupil.pk}/")
    page.get_by_role("link", name="Record a move to another school").click()
    expect(page.get_by_role("heading", name="Record a move to another school")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Education (Pupil Information) (England) Regulations 2005, regulation 9")
    assert serious_accessibility_problems(page) == []

    page.get_by_label("School the pupil is moving to").fill("938/9999")
    page.get_by_label("Day").fill(str(date.today().day))
    page.get_by_label("Month").fill(str(date.today().month))
    page.get_by_label("Year").fill(str(date.today().year))
    page.get_by_role("button", name="Record the move").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("No school on Pact has the DfE number or name “938/9999”")
    assert serious_accessibility_problems(page) == []

    page.get_by_label("School the pupil is moving to").fill("938/4012")
    page.get_by_role("button", name="Record the move").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Casey Rowe's case file has moved to Brook Academy")
    assert page.goto(f"/pupils/{pupil.pk}/").status == 404
    assert Pupil.objects.get(pk=pupil.pk).school == new
