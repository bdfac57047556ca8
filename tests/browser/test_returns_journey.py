"""The information officer's termly returns in a real Chromium: a term's return for every
school, its chart with the numbers beside it, and the CSV and XLSX downloads, opened and read;
no name anywhere. The headteacher submits the school's return."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from cases.models import Pupil, StaffRole
from reporting import services
from reporting.terms import ended_terms
from tests.browser.conftest import PASSWORD, serious_accessibility_problems, sign_in
from tests.browser.test_orders_journey import sign_out_and_in
from tests.factories import staff
from tests.reporting.test_returns import a_year_of_events

pytestmark = pytest.mark.browser
NAMES = ("Jordan", "Mensah", "Lee Grant", "Grant")


@pytest.fixture
def people(transactional_db):
    from tests.reporting.test_returns import LocalAuthorityFactory, SchoolFactory

    la = LocalAuthorityFactory(code="903", name="Ashford Vale")
    schools = [SchoolFactory(local_authority=la, name="Hillside Primary School"),
               SchoolFactory(local_authority=la, name="Riverside Academy")]
    officer = staff(StaffRole.LA_DESIGNATED_OFFICER, la)
    a_year_of_events(la, schools, officer)
    users = {"information": staff(StaffRole.INFORMATION_OFFICER, la),
             "headteacher": staff(StaffRole.HEADTEACHER, schools[0])}
    for user in users.values():
        user.first_name, user.last_name = "Iris", "Lowe"
        user.set_password(PASSWORD)
        user.save()
    return la, schools, users


def no_names(text: str) -> None:
    """No pupil's or parent's name, UPN or date of birth."""
    upns = list(Pupil.objects.values_list("upn", flat=True))
    assert not [name for name in (*NAMES, *upns, "2013-05-17", "17/05/2013") if name in text]


def test_the_information_officer_reads_a_terms_returns_charts_and_downloads(
        page, live_server, people):
    la, schools, users = people
    autumn_2025 = next(t for t in ended_terms(la, timezone.localdate())
                       if t.key == "2025-autumn")
    page.goto("/")
    sign_in(page, users["information"])
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Termly returns"
                                                            ).click()
    page.get_by_label("Term").select_option(label=autumn_2025.name)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Termly returns: {autumn_2025.name}")
    expect(page.locator("#returns")).to_contain_text("Not taken")
    page.get_by_role("button", name="Take the returns now").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Returns taken for {autumn_2025.name}")
    expect(page.locator("main")).to_contain_text("2 of 2 schools have a return; 0 submitted")
    hillside = page.locator("#returns tbody tr").filter(has_text="Hillside Primary School")
    expect(hillside.locator("td").nth(2)).to_have_text("4")  # contracts entered into
    chart = page.locator("figure").filter(
        has_text="Parenting contracts (behaviour): entered into and refused")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart.get_by_role("table").locator("tbody tr").first).to_have_text(
        "Hillside Primary School41")
    no_names(page.content())
    assert serious_accessibility_problems(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="This term, CSV").click()
    rows = list(csv.reader(io.StringIO(
        download.value.path().read_text(encoding="utf-8-sig"))))
    entered = rows[0].index("Parenting contracts (behaviour): entered into")
    assert {r[2]: r[entered] for r in rows[1:]} == {
        "Hillside Primary School": "4", "Riverside Academy": "0", "All schools": "4"}
    no_names(str(rows))
    with page.expect_download() as download:
        page.locator("#downloads li").nth(1).get_by_role("link", name="XLSX").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    values = [[c.value for c in row] for row in book["Return"].iter_rows()]
    assert [r[entered] for r in values[1:]] == ["[c]", 0, 5]
    assert any("withheld" in str(c.value) for c in book["Notes"]["B"])
    no_names(str(values))

    # The headteacher submits the school's return; the LA sees it submitted.
    sign_out_and_in(page, users["headteacher"])
    page.goto(f"/returns/?term={autumn_2025.key}")
    page.get_by_role("link", name="Hillside Primary School").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Termly return: {autumn_2025.name}")
    assert serious_accessibility_problems(page) == []
    page.get_by_role("button", name="Submit revision 1 to the LA").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Revision 1 submitted to the LA")
    sign_out_and_in(page, users["information"])
    page.goto(f"/returns/?term={autumn_2025.key}")
    expect(page.locator("main")).to_contain_text("1 submitted by the headteacher")
    assert services.may_submit(users["headteacher"], schools[0].pk)
