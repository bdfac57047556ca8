"""Two-step sign-in in a real Chromium: an LA officer sets up an authenticator app, keeps the
recovery codes, signs in again with a code; the LA admin resets the officer's device."""

import re
import time
from base64 import b32decode

import pytest
from playwright.sync_api import expect

from cases.models import AccountEvent, StaffRole
from tests.browser.conftest import PASSWORD, serious_accessibility_problems, sign_in
from tests.clients import app_code, authenticator_for
from tests.factories import LocalAuthorityFactory, SchoolFactory, staff

pytestmark = pytest.mark.browser


@pytest.fixture
def people():
    la = LocalAuthorityFactory(name="Ashford Vale")
    SchoolFactory(local_authority=la)
    officer = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    admin = staff(StaffRole.LA_ADMIN, la)
    for user in (officer, admin):
        user.set_password(PASSWORD)
        user.save()
    return officer, admin


def test_an_officer_sets_up_two_step_sign_in_and_signs_in_with_a_code(page, people):
    officer, _ = people
    page.goto("/pupils/")
    sign_in(page, officer, code_step=False)

    expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")
           ).to_be_visible()
    assert serious_accessibility_problems(page) == []
    # The person types the key into their app; the app shows the code.
    typed = page.locator("#typed-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{4}", typed)
    key = b32decode(typed.replace(" ", "")).hex()
    page.get_by_label("Code from your authenticator app").fill(app_code(key))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Two-step sign-in is set up")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    assert serious_accessibility_problems(page) == []
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Find a pupil", level=1)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, officer, code_step=False)
    code_box = page.get_by_label("Enter the code from your authenticator app")
    expect(code_box).to_be_visible()
    assert serious_accessibility_problems(page) == []
    code_box.fill("000000" if app_code(key, steps_ahead=1) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert serious_accessibility_problems(page) == []
    time.sleep(1.1)  # django-otp's wait after one wrong code
    # The set-up used this half minute's code: the app's next one is accepted.
    page.get_by_label("Enter the code from your authenticator app").fill(
        app_code(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert AccountEvent.objects.filter(what="set_up", user=officer).count() == 1


def test_the_la_admin_resets_an_officers_two_step_sign_in(page, people):
    officer, admin = people
    authenticator_for(officer)
    page.goto("/")
    sign_in(page, admin)
    page.get_by_role("link", name="Staff sign-in at Ashford Vale").click()
    expect(page.get_by_role("heading", name="Staff sign-in", level=1)).to_be_visible()
    assert serious_accessibility_problems(page) == []
    page.get_by_role("link", name=f"Reset two-step sign-in for {officer.get_full_name()}"
                     ).click()
    expect(page.get_by_role("heading", name=f"Reset two-step sign-in for "
                            f"{officer.get_full_name()}")).to_be_visible()
    assert serious_accessibility_problems(page) == []
    page.get_by_role("button", name="Reset two-step sign-in").click()
    expect(page.get_by_text(f"Two-step sign-in reset for {officer.get_full_name()}")
           ).to_be_visible()
    assert AccountEvent.objects.filter(what="reset", user=officer, actor=admin).exists()

    page.get_by_role("link", name="Change two-step sign-in for school staff").click()
    assert serious_accessibility_problems(page) == []
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("School staff must now use two-step sign-in")).to_be_visible()
