"""Words users read: no page of the demo data, for any role, says "seed" (sources are named by
their titles; the letters are read in tests/letters); the demo sign-ins name the school a school
role works at; the case page puts the commonest actions first; counts read as English does."""

import re
from collections import Counter
from datetime import date
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve

from cases import rules
from cases.models import ExclusionKind, LocalPolicy
from cases.policies import POLICIES
from orders import rules as order_rules
from tests.clients import FormClient as Client

SEED = re.compile(r"\bseeds?\b", re.I)
# Each kind of page is read a few times per role: enough to see every page's words without
# reading every pupil's.
PAGES_PER_KIND = 2


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            self.hrefs.append(href.split("#")[0])


def crawl(client: Client) -> dict[str, str]:
    """Every kind of page a user can reach from the dashboard by following links."""
    seen: dict[str, str] = {}
    per_kind: Counter = Counter()
    queue = ["/"]
    while queue:
        url = queue.pop(0)
        if url in seen or url.startswith(("/admin", "/static")):
            continue
        try:
            match = resolve(url.split("?")[0])
        except Resolver404:
            continue
        # A kind of page: its route, and any word in it that is not an id (a contract's step,
        # a letter's kind).
        kind = (match.url_name, tuple(sorted(
            (key, value) for key, value in match.kwargs.items() if not isinstance(value, int))))
        if per_kind[kind] >= PAGES_PER_KIND:
            continue
        per_kind[kind] += 1
        response = client.get(url)
        assert response.status_code in {200, 302, 403}, f"{url}: {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            seen[url] = ""
            continue
        seen[url] = body = response.content.decode()
        links = Links()
        links.feed(body)
        queue.extend(links.hrefs)
    return seen


@pytest.fixture
def demo(db, capsys):
    call_command("seed", scale="demo")
    return capsys.readouterr().out


def test_no_page_of_the_demo_data_says_seed_to_any_role(demo):
    said, kinds = [], set()
    for user in get_user_model().objects.filter(is_superuser=False):
        client = Client()
        client.force_login(user)
        pages = crawl(client)
        kinds |= {resolve(url.split("?")[0]).url_name for url in pages}
        said += [f"{user.username}: {url}" for url, body in pages.items() if SEED.search(body)]
    assert not said, "\n".join(said)
    # The crawl reached the pages that cite sources: the rules, the steps, the letters.
    assert {"pupil-eligibility", "contract-detail", "contract-action", "letter-kinds",
            "contract-eligible-list", "la-queue"} <= kinds


def test_the_demo_sign_ins_name_the_school_of_each_school_role(demo):
    assert "School lead, Hillside Primary School" in demo
    assert "Headteacher, Hillside Primary School" in demo
    assert "LA designated officer, Ashford Vale LA" in demo
    assert "School lead, Ashford Vale\n" not in demo
    assert "Add this key to an authenticator app" in demo and "PACT DEMO KEYN" in demo


def test_the_case_page_puts_the_commonest_actions_first(demo):
    user = get_user_model().objects.get(username="school.lead")
    client = Client()
    client.force_login(user)
    pupil_url = next(url for url in crawl(client) if re.fullmatch(r"/pupils/\d+/", url))
    body = client.get(pupil_url).content.decode()
    order = [body.index(label) for label in (
        "Record an exclusion", "Start a contract", "Write a letter", "Record a meeting",
        "Upload a document", "Add a parent or carer", "Record agency involvement")]
    assert order == sorted(order)


def test_counts_read_as_english_does():
    class Ex:
        def __init__(self, start, serious=False):
            self.kind = ExclusionKind.SUSPENSION
            self.start_date = start
            self.serious_misbehaviour = serious
            self.statutory_process_ended_on = None

    exclusions = [Ex(date(2026, 1, 5), serious=True), Ex(date(2026, 2, 5)),
                  Ex(date(2026, 3, 5)), Ex(date(2026, 4, 5))]
    verdict = order_rules.order_application_eligibility(
        policy=POLICIES[LocalPolicy.BEDFORDSHIRE_2007], exclusions=exclusions,
        today=date(2026, 5, 1), contract_signed_on=None, evidence={},
        final_warning_issued_on=None)
    assert "of 4 exclusions, 1 is marked serious misbehaviour" in verdict.reasons[0]
    assert rules.count(1, "effort", "efforts") == "1 effort"
    assert rules.count(3, "effort", "efforts") == "3 efforts"
