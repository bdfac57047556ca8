"""A school lead's journey through Pact in a real Chromium, against the live server."""

import importlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cases.models import Exclusion, StaffRole
from tests.factories import LocalAuthorityFactory, PupilFactory, SchoolFactory, staff

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module", autouse=True)
def _django_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are
    # still synchronous, so Django's async-safety check is relaxed for this module.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_django_orm_beside_playwright, django_db_setup) -> Browser:
    # The test database is made before Playwright starts. While Playwright's loop is marked
    # running, Django keeps this thread's connections apart (asgiref storage per context):
    # those are closed before Playwright stops, so none is left open on the test database.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            try:
                chromium.close()
            finally:
                connections.close_all()


@pytest.fixture
def page(browser, live_server, census_reasons) -> Page:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def census_reasons(transactional_db):
    """The census reason codes, as their data migration loads them. The live server's tests
    flush the database after each test, migration data included."""
    migration = importlib.import_module("cases.migrations.0002_exclusion_reasons")
    migration.load(django_apps, None)


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


def sign_in(page: Page, user) -> None:
    """On the sign-in page: the school lead's username and password."""
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


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

    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run()).violations
            .filter(v => v.impact === "critical" || v.impact === "serious")
            .map(v => v.id + ": " + v.help)"""
    )
    assert violations == []


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
    assert not Exclusion.objects.filter(pupil=pupil).exists()
