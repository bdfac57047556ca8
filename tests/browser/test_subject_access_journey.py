"""A headteacher answers a parent's subject access request in a real Chromium."""

import zipfile
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cases.models import StaffRole
from contracts.services import contract_create
from tests.browser.conftest import PASSWORD, serious_accessibility_problems, sign_in
from tests.factories import (
    ExclusionFactory,
    ParentCarerFactory,
    PupilFactory,
    PupilParentFactory,
    staff,
)

pytestmark = pytest.mark.browser


def test_a_headteacher_answers_a_parents_request_with_a_third_party_redacted(page, live_server):
    pupil = PupilFactory(first_name="Jordan", last_name="Ashby")
    mother = ParentCarerFactory(title="Mrs", first_name="Ann", last_name="Ashby")
    PupilParentFactory(pupil=pupil, parent=mother)
    stepfather = ParentCarerFactory(first_name="Rob", last_name="Fletcher")
    PupilParentFactory(pupil=pupil, parent=stepfather, relationship="step_parent")
    head = staff(StaffRole.HEADTEACHER, pupil.school)
    head.set_password(PASSWORD)
    head.save()
    ExclusionFactory(pupil=pupil, start_date=date.today() - timedelta(days=3))
    contract_create(actor=head, pupil=pupil, kind="behaviour", parents=[mother, stepfather])

    page.goto(f"/pupils/{pupil.pk}/")
    sign_in(page, head)
    page.get_by_role("link", name="Subject access request").click()
    assert serious_accessibility_problems(page) == []
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whose information is asked for")
    page.get_by_label("Mrs Ann Ashby, parent or carer").check()
    received = page.get_by_role("group", name="When was the request received?")
    received.get_by_label("Day").fill("31")
    received.get_by_label("Month").fill("1")
    received.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("main")).to_contain_text("28 February 2026")
    other_parent = page.get_by_label("Rob Fletcher (Another parent or carer)")
    expect(other_parent).to_be_checked()
    assert serious_accessibility_problems(page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export (zip)").click()
    archive = zipfile.ZipFile(download.value.path())
    assert {"summary.pdf", "data.json", "README.txt"} <= set(archive.namelist())
    assert "Rob Fletcher" not in archive.read("data.json").decode()
