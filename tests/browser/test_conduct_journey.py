"""A parent's conduct in a real Chromium, against the live server: the headteacher records an
incident with its evidence, warns, records the reply, records a second incident and proposes a
ban; the ban waits for the chair of governors' agreement, is confirmed with its letter and its
review 6 months on, and the review lifts it. The school lead sees only what they must do."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cases.workdays import add_months
from conduct.models import RecordOpened
from tests.browser.conftest import PASSWORD, serious_accessibility_problems, sign_in
from tests.browser.test_contracts_journey import fill_date
from tests.browser.test_orders_journey import sign_out_and_in
from tests.conduct.conftest import World, make_world

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db) -> World:
    world = make_world()
    for user, (first, last) in ((world.headteacher, ("Helen", "Price")),
                                (world.chair, ("Grace", "Okafor")),
                                (world.lead, ("Sam", "Patel"))):
        user.first_name, user.last_name = first, last
        user.set_password(PASSWORD)
        user.save()
    return world


def no_accessibility_problems(page: Page) -> None:
    assert serious_accessibility_problems(page) == []


def on_record(page: Page, banner: str | None = None, stage: str | None = None) -> None:
    expect(page.get_by_role("heading", name="Conduct record: Ama Mensah", level=1)
           ).to_be_visible()
    if banner:
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(banner)
    if stage:
        expect(page.locator("#record-stage")).to_have_text(stage)


def open_step(page: Page, title: str) -> None:
    page.locator("#steps").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1, exact=True)).to_be_visible()


def record_incident(page: Page, *, when, at: str, category: str, what: str,
                    evidence=None) -> None:
    expect(page.get_by_role("heading", name="Record a conduct incident", level=1)
           ).to_be_visible()
    page.get_by_label("Ama Mensah").check()
    fill_date(page, "Date", when)
    page.get_by_label("Time", exact=True).fill(at)
    page.get_by_label("At the school gate").check()
    page.get_by_label("Face to face").check()
    page.get_by_label(category).check()
    page.get_by_label("What happened", exact=True).fill(what)
    page.get_by_role("group", name="Who was affected").get_by_label("Staff").check()
    page.get_by_role("group", name="Were the police contacted?").get_by_label("No").check()
    page.get_by_role("group", name="Was a safeguarding referral made?").get_by_label("No").check()
    if evidence:
        page.get_by_label("Evidence (optional)").set_input_files(evidence)
    no_accessibility_problems(page)
    page.get_by_role("button", name="Record the incident").click()


def letter_text(page: Page, link: str) -> str:
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    reader = PdfReader(download.value.path())
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_a_parent_is_warned_then_banned_with_the_chairs_agreement_and_the_review_lifts_it(
        page, live_server, people, tmp_path):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    pupil = people.pupil
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(b"%PDF-1.4 the class teacher's statement")

    # The headteacher records the first incident, with a statement, from the pupil's case.
    page.goto(f"/pupils/{pupil.pk}/")
    sign_in(page, people.headteacher)
    no_accessibility_problems(page)
    page.get_by_role("link", name="Record a conduct incident").click()
    record_incident(page, when=yesterday, at="08:40", category="Verbal abuse",
                    what="Shouted and swore at the class teacher at the gate.",
                    evidence=str(statement))
    on_record(page, "Incident recorded", "No response yet")
    expect(page.get_by_role("link", name="statement.pdf")).to_be_visible()
    no_accessibility_problems(page)

    # A warning letter, with 10 working days to reply.
    open_step(page, "Send a warning letter")
    no_accessibility_problems(page)
    page.get_by_role("button", name="Send the warning").click()
    on_record(page, "Warning letter issued", "Warned")
    warning = letter_text(page, "Conduct: warning (PDF)")
    assert "banning you" in warning and "10 working days" in warning
    expect(page.locator("#awaiting")).to_contain_text("reply by")

    # The parent's reply, within the 10 working days.
    open_step(page, "Record the parent's reply")
    fill_date(page, "Date of the reply", today)
    page.get_by_label("What the parent said").fill("She apologised and will keep calm.")
    page.get_by_role("button", name="Record the reply").click()
    on_record(page, "Reply recorded")
    expect(page.locator("main")).to_contain_text("Reply received")
    expect(page.locator("#awaiting")).to_have_count(0)

    # A second incident, then a ban proposed: it cannot be confirmed without the chair.
    page.get_by_role("link", name="Record another incident").click()
    record_incident(page, when=yesterday, at="15:20", category="Threats",
                    what="Threatened the class teacher at pick-up.")
    on_record(page, "Incident recorded")
    open_step(page, "Propose a ban from the premises")
    page.get_by_label("Why a ban is needed").fill("Threats after a warning; staff are afraid.")
    page.get_by_role("button", name="Propose the ban").click()
    on_record(page, "Ban proposed", "Ban proposed")
    page.get_by_text("Steps not open now, and why").click()
    expect(page.locator("#other-steps")).to_contain_text(
        "A ban needs the chair of governors' agreement (St Pancras parent partnership "
        "agreement (2024) §4; Monmouthshire PRS conduct policy, Escalation): none is recorded "
        "for this ban.")
    no_accessibility_problems(page)
    record_url = page.url
    page.goto(record_url + "confirm_ban/")
    expect(page.locator("#reasons")).to_contain_text(
        "A ban needs the chair of governors' agreement")

    # The chair of governors records their agreement.
    page.goto(record_url)
    sign_out_and_in(page, people.chair)
    page.goto(f"/pupils/{pupil.pk}/")
    page.get_by_role("link", name="Ama Mensah", exact=True).click()
    on_record(page)
    expect(page.locator("#steps > li")).to_have_text(
        ["Record the chair of governors' agreement"])
    open_step(page, "Record the chair of governors' agreement")
    fill_date(page, "Date the chair agreed", today)
    page.get_by_label("How the chair agreed").fill("At a meeting with the headteacher")
    no_accessibility_problems(page)
    page.get_by_role("button", name="Record the agreement").click()
    on_record(page, "The chair's agreement is recorded")

    # The headteacher confirms the ban: the letter, and its review 6 months on.
    sign_out_and_in(page, people.headteacher)
    page.goto(record_url)
    open_step(page, "Confirm the ban and send the letter")
    page.get_by_role("button", name="Confirm the ban").click()
    on_record(page, "Ban confirmed and the letter issued", "Banned from the premises")
    review_by = add_months(today, 6)
    ban = letter_text(page, "Conduct: ban from the premises (PDF)")
    assert "section 547" in ban and f"{review_by:%-d %B %Y}" in ban
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", name="Restrictions on adults in force")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        f"Ama Mensah ({pupil.full_name}, Hillside Primary School): banned from the premises; "
        f"review by {review_by:%-d %B %Y}")
    no_accessibility_problems(page)

    # The school lead sees the restriction and what to do, not the record.
    openings = RecordOpened.objects.count()
    sign_out_and_in(page, people.lead)
    page.goto(f"/pupils/{pupil.pk}/")
    warning_text = page.locator(".govuk-warning-text").filter(has_text="Contact arrangements")
    expect(warning_text).to_contain_text("Contact arrangements apply to Ama Mensah")
    expect(warning_text).to_contain_text("Banned from the school premises")
    expect(page.locator("main")).not_to_contain_text("Conduct of parents and carers")
    no_accessibility_problems(page)
    page.get_by_role("link", name="The arrangements for Ama Mensah").click()
    expect(page.get_by_role("heading", name="Contact arrangements: Ama Mensah")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Threatened")
    expect(page.locator("main")).not_to_contain_text("statement.pdf")
    no_accessibility_problems(page)
    assert RecordOpened.objects.count() == openings, "the lead's pages are not openings"

    # The review lifts the ban; the headteacher sees who opened the record.
    sign_out_and_in(page, people.headteacher)
    page.goto(record_url)
    open_step(page, "Review the restrictions")
    fill_date(page, "Date of the review", today)
    page.get_by_label("Lift the restrictions").check()
    page.get_by_label("The reasons").fill("No further incidents; the parent has engaged.")
    no_accessibility_problems(page)
    page.get_by_role("button", name="Record the review").click()
    on_record(page, "The review is recorded and the letter issued", "Restrictions lifted")
    expect(page.get_by_role("link", name="Conduct: review outcome (PDF)")).to_be_visible()
    page.get_by_role("link", name="Who opened this record").click()
    expect(page.locator("#openings")).to_contain_text("Grace Okafor")
    expect(page.locator("#openings")).not_to_contain_text("Sam Patel")
    no_accessibility_problems(page)
