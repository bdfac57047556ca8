"""A parenting order in a real Chromium, against the live server: from the school lead's
escalation, through the LA designated officer's review, the evidence pack and the legal panel,
to the court's order, the responsible officer's clocks, a breach and the order's completion."""

from datetime import timedelta

import pikepdf
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from orders import services
from orders.models import EvidencePack, ParentingProgramme
from orders.tasks import build_evidence_pack
from tests.browser.conftest import PASSWORD, serious_accessibility_problems, sign_in
from tests.browser.test_contracts_journey import fill_date
from tests.orders.conftest import complete_evidence, escalated_world

pytestmark = pytest.mark.browser

PROGRAMME = "Strengthening Families"
PROGRAMME_CHOICE = f"{PROGRAMME} (Ashford Vale Family Support, 10 sessions)"


@pytest.fixture
def world(transactional_db):
    """A contract with everything in place to escalate (a warning, a further breach with a
    further exclusion, a meeting that recommends an order), the evidence a panel needs, and a
    parenting programme in the LA's catalogue; everyone able to sign in."""
    world = escalated_world(escalate=False)
    complete_evidence(world)
    ParentingProgramme.objects.create(
        local_authority=world.la, name=PROGRAMME, provider="Ashford Vale Family Support",
        sessions=10, topics="Routines, boundaries, school", places=8)
    for user in (world.lead, world.officer, world.panel_member):
        user.first_name, user.last_name = {
            world.lead: ("Sam", "Patel"), world.officer: ("Dana", "Cole"),
            world.panel_member: ("Lee", "Hart")}[user]
        user.set_password(PASSWORD)
        user.save()
    return world


# --- helpers -----------------------------------------------------------------------------

def expect_state(page: Page, state: str) -> None:
    expect(page.locator("#order-state")).to_have_text(state)


def on_order_page(page: Page, banner: str | None = None) -> None:
    expect(page.get_by_role("heading", name="Parenting order case", level=1)).to_be_visible()
    if banner:
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(banner)


def open_step(page: Page, title: str) -> None:
    page.locator("#steps").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1, exact=True)).to_be_visible()


def sign_out_and_in(page: Page, user) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Pact", level=1)).to_be_visible()
    sign_in(page, user)
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def to_the_order(page: Page, pupil) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Parenting orders").click()
    page.get_by_role("link", name=pupil.full_name).click()
    on_order_page(page)


def no_accessibility_problems(page: Page) -> None:
    assert serious_accessibility_problems(page) == []


# --- the journey -------------------------------------------------------------------------

def test_an_order_goes_from_the_schools_escalation_to_completion(page, live_server, world):
    today = timezone.localdate()
    pupil, lead, officer, panel_member = world.pupil, world.lead, world.officer, world.panel_member

    # The school lead escalates the contract.
    page.goto(f"/contracts/{world.contract.pk}/")
    sign_in(page, lead)
    page.locator("#steps").get_by_role(
        "link", name="Escalate to the LA for a parenting order", exact=True).click()
    page.get_by_label("Reasons").fill("A further breach and exclusion after the warning.")
    page.get_by_role("button", name="Escalate to the LA").click()
    expect(page.locator("#contract-state")).to_have_text("Escalated to the LA")

    # The LA designated officer opens the request from the queue, in one click.
    sign_out_and_in(page, officer)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="LA queue").click()
    page.locator("#escalations").get_by_role(
        "button", name=f"Open the order request for {pupil.full_name}").click()
    on_order_page(page, "Order request opened from the escalated contract")
    expect_state(page, "Requested")
    expect(page.locator("#window")).to_contain_text("The application window closes on")
    expect(page.locator("#other-steps")).to_contain_text(
        "You can apply to the court only when the case is proceeding (the panel agreed); "
        "it is requested.")
    no_accessibility_problems(page)

    open_step(page, "Start the LA's review")
    page.get_by_role("button", name="Start the review").click()
    on_order_page(page, "Review started")
    expect_state(page, "Under LA review")

    open_step(page, "Issue the final warning letter")
    page.get_by_label("The exclusions, breaches and support so far").fill(
        "Two serious suspensions, a warning and a further breach; weekly calls offered.")
    fill_date(page, "Please reply by", today + timedelta(days=10))
    no_accessibility_problems(page)
    page.get_by_role("button", name="Issue the final warning").click()
    on_order_page(page, "Final warning letter issued")
    expect(page.get_by_role("link", name="Final warning before a parenting order application")
           ).to_be_visible()

    # The pack: built by the job (in-process here; a real worker in the process tests).
    open_step(page, "Build the evidence pack")
    no_accessibility_problems(page)
    page.get_by_role("button", name="Build the pack").click()
    expect(page.get_by_role("heading", name="Evidence pack, version 1", level=1)).to_be_visible()
    expect(page.locator("#pack-status")).to_have_text("Waiting to start")
    expect(page.get_by_role("progressbar", name="Pack built")).to_be_visible()
    no_accessibility_problems(page)
    # The worker's part, done here; the page follows it by itself.
    build_evidence_pack(EvidencePack.objects.get().pk)
    expect(page.locator("#pack-status")).to_have_text("Built", timeout=10_000)
    # Followed in place, not reloaded (a reload would move a screen reader's place), and
    # announced once.
    expect(page.get_by_role("status")).to_have_text("Built")
    expect(page.locator("#parts")).to_contain_text("Teacher's statement")
    no_accessibility_problems(page)
    page.get_by_role("link", name="Back to the order case").click()

    open_step(page, "Take the case to the legal panel")
    page.get_by_role("button", name="Take it to the panel").click()
    on_order_page(page, "The case is with the legal panel")
    expect_state(page, "At the legal panel")

    # A legal panel member reads the pack and records a view; nothing else is theirs to do.
    sign_out_and_in(page, panel_member)
    to_the_order(page, pupil)
    expect(page.locator("#steps > li")).to_have_text(["Record your view for the panel"])
    page.get_by_role("link", name="Version 1").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the pack").click()
    with pikepdf.open(download.value.path()) as pack:
        assert len(pack.pages) > 12
    page.get_by_role("link", name="Back to the order case").click()
    open_step(page, "Record your view for the panel")
    page.get_by_label("Your view of the case, for the panel").fill(
        "The statements are consistent and the support offered was refused.")
    page.get_by_role("button", name="Record my view").click()
    on_order_page(page, "Your view is recorded")
    expect(page.locator("main")).to_contain_text("Lee Hart")
    # The panel's decision is the LA's to record: the step's address says why not.
    case_url = page.url
    page.goto(case_url + "decision/")
    expect(page.get_by_role("heading", name="You cannot do this", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Only an LA officer does this")
    page.goto(case_url)

    # The officer records the panel's decision, the application and the court's order.
    sign_out_and_in(page, officer)
    to_the_order(page, pupil)
    open_step(page, "Record the legal panel's decision")
    fill_date(page, "Date the panel met", today)
    page.get_by_label("Dana Cole").check()
    page.get_by_label("Lee Hart").check()
    for group in page.get_by_role("group", name="Strength of").all():
        group.get_by_label("Strong").check()
    page.get_by_role("group", name="Is a parenting programme open to the parent?").get_by_label(
        "Yes").check()
    page.get_by_label("Which programme (if any)").select_option(label=PROGRAMME_CHOICE)
    page.get_by_label("Proceed: apply to the court").check()
    page.get_by_label("The panel's reasons").fill("Strong evidence; a programme has places.")
    no_accessibility_problems(page)
    page.get_by_role("button", name="Record the decision").click()
    on_order_page(page, "The panel's decision is recorded")
    expect_state(page, "Proceeding: the panel agreed")

    open_step(page, "Apply to the magistrates' court")
    expect(page.locator("main")).to_contain_text("The order rule, for an application today")
    page.get_by_label("The magistrates' court").fill("Ashford Magistrates' Court")
    fill_date(page, "Date of the application", today)
    page.get_by_role("button", name="Record the application").click()
    on_order_page(page, "The application is recorded")
    expect_state(page, "Application made")

    open_step(page, "Record the hearing date")
    fill_date(page, "Date of the hearing", today)
    page.get_by_role("button", name="Record the hearing").click()
    expect_state(page, "Hearing listed")

    open_step(page, "Record the court's decision")
    expect(page.get_by_label("Time the order was made")).to_be_hidden()
    page.get_by_label("Order made").check()
    expect(page.get_by_label("Time the order was made")).to_be_visible()
    no_accessibility_problems(page)
    # Made at midnight and met a moment ago: both today, neither in the future.
    page.get_by_label("Time the order was made").fill("00:00")
    page.get_by_label("Parenting programme the order requires").select_option(
        label=PROGRAMME_CHOICE)
    ends = today + timedelta(days=60)
    fill_date(page, "The programme ends on", ends)
    page.get_by_label("Responsible officer named in the order").select_option(label="Sam Patel")
    fill_date(page, "Date of the decision", today)
    page.get_by_role("button", name="Record the decision").click()
    on_order_page(page, "The court's decision is recorded")
    expect_state(page, "Order made and running")
    expect(page.locator("#clocks")).to_contain_text("by ")

    # The school lead, named responsible officer, meets the parent and confirms in writing.
    sign_out_and_in(page, lead)
    to_the_order(page, pupil)
    open_step(page, "Record the responsible officer's first meeting")
    fill_date(page, "Date of the meeting", today)
    page.get_by_label("Time of the meeting").fill(f"{timezone.localtime():%H:%M}")
    page.get_by_role("group", name="Did the parent attend?").get_by_label("Yes").check()
    page.get_by_label("What was explained and agreed").fill(
        "The programme, monitoring and what happens if the order is not kept.")
    page.get_by_role("button", name="Record the meeting").click()
    on_order_page(page, "First meeting recorded")

    open_step(page, "Confirm the order in writing to the parent")
    page.get_by_label("How the order will be monitored").fill("A call every Friday")
    page.get_by_label("The parenting programme: provider, dates and place").fill(
        f"{PROGRAMME}, Thursdays 6pm at the family centre")
    page.get_by_label("Review and contact arrangements").fill("A review at six weeks")
    page.get_by_role("button", name="Issue the confirmation").click()
    on_order_page(page, "Confirmation letter issued")
    expect(page.get_by_role("link", name="Responsible officer's confirmation")).to_be_visible()

    open_step(page, "Record a breach of the order")
    fill_date(page, "Date of the breach", today)
    page.get_by_label("What the parent did not do").fill("Missed two programme sessions")
    page.get_by_role("button", name="Record the breach").click()
    expect_state(page, "Order breached")
    open_step(page, "Tell the legal panel about the breach")
    page.get_by_role("button", name="Refer to the panel").click()
    expect_state(page, "Breach with the legal panel")

    sign_out_and_in(page, officer)
    to_the_order(page, pupil)
    open_step(page, "Record the panel's decision on the breach")
    page.get_by_role("group", name="Does the legal panel bring breach proceedings?"
                     ).get_by_label("No").check()
    page.get_by_label("The panel's reasons").fill("The parent has since attended every session.")
    page.get_by_role("button", name="Record the decision").click()
    expect_state(page, "Order made and running")
    expect(page.locator("#other-steps")).to_contain_text(
        f"Its requirements run until {ends:%-d %b %Y}")

    # The daily job completes the order the day after its last requirement ends.
    assert services.orders_complete_due(today=ends) == 0
    assert services.orders_complete_due(today=ends + timedelta(days=1)) == 1
    page.reload()
    expect_state(page, "Completed")
    expect(page.locator("#next-steps")).to_contain_text(
        f"completed on {ends + timedelta(days=1):%-d %b %Y}")
    no_accessibility_problems(page)

    # The LA's catalogue of programmes, kept by its officer.
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Parenting orders").click()
    page.get_by_role("link", name="The LA's parenting programmes").click()
    expect(page.locator("#programmes")).to_contain_text(PROGRAMME)
    no_accessibility_problems(page)
    page.get_by_role("link", name="Add a programme").click()
    page.get_by_label("Name of the programme").fill("Parenting Teenagers")
    page.get_by_label("Who runs it").fill("Family Links")
    page.get_by_label("Number of sessions").fill("eight")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the number of sessions in figures, like 10")
    no_accessibility_problems(page)
    page.get_by_label("Number of sessions").fill("8")
    page.get_by_label("Places available now").fill("12")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Parenting Teenagers is saved in the catalogue")
    expect(page.locator("#programmes")).to_contain_text("Family Links")
