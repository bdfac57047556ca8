"""The eligibility page in a real Chromium: each measure says whether it is available, and
each refusal names its dates."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import ExclusionKind, LocalPolicy, StaffRole
from cases.workdays import add_months
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


def test_an_la_officer_sees_what_is_available_and_why_not_with_dates(page, live_server):
    today = timezone.localdate()
    la = LocalAuthorityFactory(code="901", policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    pupil = PupilFactory(
        school=SchoolFactory(local_authority=la), first_name="Casey", last_name="Rowe",
        date_of_birth=date(2013, 5, 17),
    )
    PupilParentFactory(pupil=pupil, parent__first_name="Dana", parent__last_name="Rowe")
    first = today - timedelta(days=100)
    second = today - timedelta(days=20)
    ExclusionFactory(pupil=pupil, start_date=first, serious_misbehaviour=True,
                     statutory_process_ended_on=first + timedelta(days=15))
    ExclusionFactory(pupil=pupil, start_date=second, kind=ExclusionKind.SUSPENSION,
                     serious_misbehaviour=True)
    officer = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    officer.set_password(PASSWORD)
    officer.save()

    page.goto(f"/pupils/{pupil.pk}/")
    sign_in(page, officer)
    page.get_by_role("link", name="What is available now").click()
    expect(page.get_by_role("heading", name="What is available now", level=1)).to_be_visible()

    def card(title):
        return page.locator(".govuk-summary-card").filter(
            has=page.get_by_role("heading", name=title, exact=True)
        )

    contract = card("Behaviour parenting contract")
    expect(contract).to_contain_text("Available now")
    expect(contract).to_contain_text(
        f"2 suspensions within 12 months: {first:%-d %b %Y} and {second:%-d %b %Y}"
    )

    order = card("Parenting order application (by the LA)")
    expect(order).to_contain_text("Not available")
    expect(order).to_contain_text(
        f"The statutory exclusion process has not ended for the exclusion of {second:%-d %b %Y}"
    )
    expect(order).to_contain_text(f"apply by {add_months(second, 6):%-d %b %Y}")
    expect(order).to_contain_text(
        "No final warning letter has been issued to the parent (Bedfordshire protocol (2007) §12).")

    expect(page.get_by_text("on that adult's conduct record")).to_be_visible()
    assert serious_accessibility_problems(page) == []
