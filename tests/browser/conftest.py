"""Shared fixtures for browser tests: one Chromium per module, a page per test against the
live server, and the sign-in step."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cases import two_step
from tests.clients import app_code, authenticator_for

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
    """A page on the live server. Whatever the test does, no page it visits may break the
    site's content security policy: the browser reports each breach, and the test fails."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    breaches: list[str] = []
    context.on("console", lambda message: breaches.append(message.text)
               if "Content Security Policy" in message.text else None)
    try:
        yield context.new_page()
        assert breaches == [], "\n".join(breaches)
    finally:
        context.close()


def sign_in(page: Page, user, *, code_step: bool = True) -> None:
    """On the sign-in page: the user's username and password, then, for a user who must use
    two-step sign-in, the code their authenticator app shows (set up for them if need be);
    with code_step=False the test takes the second step itself."""
    fresh = get_user_model().objects.get(pk=user.pk)
    device = None
    if code_step and two_step.two_step_required(fresh):
        # Ready before the password is sent, as the app is in the person's pocket.
        device = authenticator_for(fresh)
        # A code counts once, and a test may sign one person in twice in half a minute: the
        # device forgets the code it last took (the once-only rule is tested in
        # tests/cases/test_two_step.py).
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device:
        expect(page.get_by_label("Enter the code from your authenticator app")).to_be_visible()
        page.get_by_label("Enter the code from your authenticator app").fill(
            app_code(device.key))
        page.get_by_role("button", name="Continue").click()


def open_as(page: Page, user, path: str) -> None:
    """The page at `path`, signed in as the user (given the test password)."""
    user.set_password(PASSWORD)
    user.save()
    page.goto(path)
    sign_in(page, user)


def serious_accessibility_problems(page: Page) -> list[str]:
    """What axe-core finds of critical or serious impact on the page as it stands.

    One finding is GOV.UK Frontend's by design and is not counted: `aria-expanded` on a radio
    or checkbox that reveals conditional questions. The Design System keeps it after research
    with screen reader users, though ARIA does not yet list it for those roles
    (alphagov/govuk-frontend#979, w3c/aria#1404)."""
    # Evaluated by the browser's developer protocol, not added as a <script>: the site's
    # content security policy allows no inline script without its nonce, rightly.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => (await axe.run()).violations
            .filter(v => v.impact === "critical" || v.impact === "serious")
            .map(v => ({...v, nodes: v.nodes.filter(n => !(
                v.id === "aria-allowed-attr"
                && /^aria-expanded="(true|false)"$/.test(n.any.concat(n.all)
                    .flatMap(c => (c.data && c.data.values) || []).join(" "))
                && document.querySelector(n.target[0])?.matches(
                    ".govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]")
            ))}))
            .filter(v => v.nodes.length)
            .map(v => v.id + ": " + v.help)"""
    )
