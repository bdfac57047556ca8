"""The pages staff use most, timed in-process as an LA designated officer and as a school lead
would open them, each beside the nearest page of the Django admin over the same rows (as a
superuser made for the benchmark) and beside the same rows fetched by hand-written SQL. Prints
one table with the ratios marked against the goals; asserts nothing.

    python bench/table.py                               # the LA with the most pupils
    python bench/table.py --la 950 --prefix midshire.   # the `la` dataset's LA and users

The users are <prefix>la.officer and <prefix>school.lead (prefix "<LA code>." unless given).
An LA without contracts or orders gets five years of them (bench/casework.py), and each LA the
returns of its last ended term if the termly job has not taken them: all in a transaction
rolled back at the end, so the dataset stays as seeded.
"""

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from bench.casework import add_case_work  # noqa: E402
from cases.models import LocalAuthority, Pupil, StaffGroup, StaffRole  # noqa: E402
from cases.policies import policy_for  # noqa: E402
from cases.rules import academic_year_start  # noqa: E402
from contracts.models import IN_HAND, Contract  # noqa: E402
from contracts.models import State as ContractState  # noqa: E402
from orders.models import BEFORE_APPLICATION, OrderCase  # noqa: E402
from orders.models import State as OrderState  # noqa: E402
from reporting import services as return_services  # noqa: E402
from reporting.models import TermlyReturn  # noqa: E402
from reporting.terms import ReturnTerm, ended_terms  # noqa: E402
from tests.clients import FormClient  # noqa: E402 (signs in with the second step)

RUNS = 20
WARM_UP = 2
# The goals (issue "national scale"): a page at most a quarter of the admin's nearest page and
# five times the raw SQL for its rows, its p95 under 100 ms; every LA's termly return in 2 s.
GOAL_ADMIN = 0.25
GOAL_RAW = 5.0
GOAL_P95_MS = 100.0
GOAL_ALL_LAS_MS = 2000.0
# Fewer runs for the row that opens every LA's return in turn: 25 pages a run.
ALL_LAS_RUNS = 10
NOT_COUNTED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass(frozen=True)
class Timing:
    median: float
    p95: float
    worst: float
    queries: int


def time_work(work: Callable[[], object], *, runs: int = RUNS, warm_up: int = WARM_UP) -> Timing:
    """Milliseconds of each run after the warm-up: median, p95 (nearest rank) and worst, and
    the queries of the last run."""
    for _ in range(warm_up):
        work()
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            work()
            timings.append((time.perf_counter() - started) * 1000)
    ordered = sorted(timings)
    # Inside the benchmark's transaction each atomic block of a page is a savepoint, which the
    # same request in production (a transaction of its own) does not pay.
    counted = sum(1 for query in queries.captured_queries
                  if not query["sql"].startswith(NOT_COUNTED))
    return Timing(median=statistics.median(timings),
                  p95=ordered[math.ceil(0.95 * len(ordered)) - 1],
                  worst=ordered[-1], queries=counted)


def gets(*pairs: tuple[FormClient, str]) -> Callable[[], None]:
    """GET each address with its signed-in client, each answering 200."""
    def work() -> None:
        for client, url in pairs:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    return work


def raw(*statements: tuple[str, dict]) -> Callable[[], None]:
    """Run each statement through a cursor and fetch every row it returns."""
    def work() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
    return work


def signed_in(user) -> FormClient:
    client = FormClient()
    client.force_login(user)
    return client


# --- the rows each page shows, by hand-written SQL -------------------------------------------
# Each takes the ids of the schools in the user's scope as %(schools)s.

DASHBOARD = """
WITH pupils AS (
  SELECT school_id, count(*) AS n FROM cases_pupil
  WHERE school_id = ANY(%(schools)s) GROUP BY school_id),
exclusions AS (
  SELECT school_id,
         count(*) FILTER (WHERE kind <> 'permanent') AS suspensions,
         sum(school_days) FILTER (WHERE kind <> 'permanent') AS days,
         count(*) FILTER (WHERE kind = 'permanent') AS permanent
  FROM cases_exclusion
  WHERE school_id = ANY(%(schools)s) AND start_date BETWEEN %(year_start)s AND %(today)s
  GROUP BY school_id)
SELECT s.id, s.name, la.name, coalesce(p.n, 0), coalesce(e.suspensions, 0),
       coalesce(e.days, 0), coalesce(e.permanent, 0)
FROM cases_school s JOIN cases_localauthority la ON la.id = s.local_authority_id
LEFT JOIN pupils p ON p.school_id = s.id LEFT JOIN exclusions e ON e.school_id = s.id
WHERE s.id = ANY(%(schools)s) ORDER BY la.name, s.name"""
RECENT_EVENTS = """
SELECT t.id, t.occurred_at, t.kind, t.summary, p.id, p.first_name, p.last_name,
       u.first_name, u.last_name
FROM cases_timelineevent t JOIN cases_pupil p ON p.id = t.pupil_id
LEFT JOIN auth_user u ON u.id = t.actor_id
WHERE p.school_id = ANY(%(schools)s) ORDER BY t.occurred_at DESC, t.id DESC LIMIT 10"""
DEADLINES = """
SELECT d.id, d.kind, d.subject, d.due_at, p.first_name, p.last_name, s.name
FROM cases_deadline d JOIN cases_school s ON s.id = d.school_id
LEFT JOIN cases_pupil p ON p.id = d.pupil_id
WHERE d.status = 'open' AND d.school_id = ANY(%(schools)s) AND d.due_at < %(soon)s
ORDER BY d.due_at, d.id LIMIT 50"""

SEARCH = """
SELECT p.id, p.first_name, p.last_name, p.upn, p.date_of_birth, s.name
FROM cases_pupil p JOIN cases_school s ON s.id = p.school_id
WHERE p.school_id = ANY(%(schools)s) AND {match}
ORDER BY p.last_name, p.first_name, p.id LIMIT 25"""
BY_NAME = SEARCH.format(match="(p.first_name ILIKE %(like)s OR p.last_name ILIKE %(like)s)")
BY_UPN = SEARCH.format(match="p.upn = %(upn)s")

CASE_PAGE = [
    """SELECT p.*, s.name, la.name FROM cases_pupil p
       JOIN cases_school s ON s.id = p.school_id
       JOIN cases_localauthority la ON la.id = s.local_authority_id
       WHERE p.id = %(pupil)s AND p.school_id = ANY(%(schools)s)""",
    """SELECT link.*, parent.* FROM cases_pupilparent link
       JOIN cases_parentcarer parent ON parent.id = link.parent_id
       WHERE link.pupil_id = %(pupil)s""",
    """SELECT e.*, array_agg(r.code ORDER BY r.code) FROM cases_exclusion e
       LEFT JOIN cases_exclusion_reasons er ON er.exclusion_id = e.id
       LEFT JOIN cases_exclusionreason r ON r.id = er.exclusionreason_id
       WHERE e.pupil_id = %(pupil)s GROUP BY e.id ORDER BY e.start_date DESC, e.id DESC""",
    """SELECT i.*, a.name FROM cases_agencyinvolvement i
       JOIN cases_agency a ON a.id = i.agency_id
       WHERE i.pupil_id = %(pupil)s ORDER BY i.started_on DESC, i.id DESC""",
    """SELECT m.*, action.* FROM cases_multiagencymeeting m
       LEFT JOIN cases_meetingaction action ON action.meeting_id = m.id
       WHERE m.pupil_id = %(pupil)s ORDER BY m.held_on DESC, m.id DESC, action.due_on""",
    """SELECT id, title, category, content_type, size, uploaded_at, integrity_ok
       FROM cases_document WHERE pupil_id = %(pupil)s ORDER BY uploaded_at DESC, id DESC""",
    """SELECT id, kind, state, signed_on, review_on, ends_on, closed_on
       FROM contracts_contract WHERE pupil_id = %(pupil)s ORDER BY created_at DESC, id DESC""",
    """SELECT o.id, o.state, o.requested_on, la.name FROM orders_ordercase o
       JOIN cases_localauthority la ON la.id = o.local_authority_id
       WHERE o.pupil_id = %(pupil)s ORDER BY o.created_at DESC, o.id DESC""",
    """SELECT id, kind, language, addressed_to, method, issued_at, page_count
       FROM letters_issuedletter WHERE pupil_id = %(pupil)s ORDER BY issued_at DESC, id DESC""",
    """SELECT t.*, u.first_name, u.last_name FROM cases_timelineevent t
       LEFT JOIN auth_user u ON u.id = t.actor_id
       WHERE t.pupil_id = %(pupil)s ORDER BY t.occurred_at DESC, t.id DESC""",
]

CONTRACTS = """
SELECT c.id, c.kind, c.state, c.review_on, p.first_name, p.last_name, s.name
FROM contracts_contract c JOIN cases_pupil p ON p.id = c.pupil_id
JOIN cases_school s ON s.id = c.school_id
WHERE c.id IN (
  SELECT id FROM contracts_contract WHERE school_id = ANY(%(schools)s)
  UNION SELECT mine.id FROM contracts_contract mine
  JOIN cases_pupil now ON now.id = mine.pupil_id WHERE now.school_id = ANY(%(schools)s))
ORDER BY c.created_at DESC, c.id DESC LIMIT 50"""

QUEUE = [
    """SELECT n.id, n.kind, n.dated, n.summary, p.first_name, p.last_name, s.name
       FROM contracts_notification n JOIN contracts_contract c ON c.id = n.contract_id
       JOIN cases_pupil p ON p.id = c.pupil_id JOIN cases_school s ON s.id = c.school_id
       WHERE n.local_authority_id = %(la)s AND n.acknowledged_at IS NULL
       ORDER BY n.created_at DESC, n.id DESC LIMIT 200""",
    """SELECT c.id, c.closed_on, p.first_name, p.last_name, s.name, o.id
       FROM contracts_contract c JOIN cases_school s ON s.id = c.school_id
       JOIN cases_pupil p ON p.id = c.pupil_id
       LEFT JOIN orders_ordercase o ON o.contract_id = c.id
       WHERE s.local_authority_id = %(la)s AND c.state = 'escalated'
       ORDER BY c.closed_on DESC, c.id DESC LIMIT 200""",
    """SELECT o.id, o.state, p.first_name, p.last_name, s.name
       FROM orders_ordercase o JOIN cases_pupil p ON p.id = o.pupil_id
       JOIN cases_school s ON s.id = o.school_id
       WHERE o.local_authority_id = %(la)s AND o.state = ANY(%(waiting)s)
       ORDER BY o.created_at, o.id LIMIT 200""",
]
# The order cases that wait on the LA: before the application, and those with the court.
WAITING = [*BEFORE_APPLICATION, OrderState.APPLIED, OrderState.HEARING_LISTED,
           OrderState.BREACHED, OrderState.BREACH_REFERRED, OrderState.BREACH_PROCEEDINGS]

ORDERS = """
SELECT o.id, o.state, o.requested_on, p.first_name, p.last_name, s.name
FROM orders_ordercase o JOIN cases_pupil p ON p.id = o.pupil_id
JOIN cases_school s ON s.id = o.school_id
WHERE o.school_id = ANY(%(schools)s) ORDER BY o.created_at DESC, o.id DESC LIMIT 50"""

# Grounds for a behaviour contract today: an exclusion in the last year, or under a policy of
# two suspensions, a permanent exclusion or a suspension within the window of the one before.
ANY_EXCLUSION = """EXISTS (SELECT 1 FROM cases_exclusion e
  WHERE e.pupil_id = p.id AND e.start_date >= %(recent)s)"""
TWO_SUSPENSIONS = """(EXISTS (SELECT 1 FROM cases_exclusion e
  WHERE e.pupil_id = p.id AND e.kind = 'permanent' AND e.start_date >= %(recent)s)
 OR EXISTS (SELECT 1 FROM (
   SELECT e.start_date, lag(e.start_date) OVER (ORDER BY e.start_date, e.id) AS before
   FROM cases_exclusion e WHERE e.pupil_id = p.id AND e.kind <> 'permanent') pairs
  WHERE pairs.start_date >= %(recent)s
    AND pairs.before >= pairs.start_date - make_interval(months => %(window)s)))"""
WITH_GROUNDS = """WITH grounds AS MATERIALIZED (
  SELECT p.id FROM cases_pupil p WHERE p.school_id = ANY(%(schools)s) {looked_after}
  AND {grounds})"""
IN_HAND_SQL = """SELECT 1 FROM contracts_contract c WHERE c.pupil_id = p.id
  AND c.kind = 'behaviour' AND c.state = ANY(%(in_hand)s)"""
ELIGIBLE = """{with_grounds}
SELECT p.id, p.first_name, p.last_name, p.upn, s.name
FROM grounds JOIN cases_pupil p ON p.id = grounds.id JOIN cases_school s ON s.id = p.school_id
WHERE NOT EXISTS ({in_hand})
ORDER BY s.name, p.last_name, p.first_name, p.id LIMIT 50"""
LEFT_OUT = """{with_grounds}
SELECT c.state, count(DISTINCT c.pupil_id) FROM contracts_contract c
WHERE c.kind = 'behaviour' AND c.state = ANY(%(in_hand)s)
  AND c.pupil_id IN (SELECT id FROM grounds)
GROUP BY c.state"""

RETURNS = """
SELECT s.id, s.name, r.revision, r.counts, submission.submitted_at
FROM cases_school s
LEFT JOIN LATERAL (
  SELECT r.id, r.revision, r.counts FROM reporting_termlyreturn r
  WHERE r.school_id = s.id AND r.academic_year = %(year)s AND r.term = %(term)s
  ORDER BY r.revision DESC LIMIT 1) r ON true
LEFT JOIN reporting_returnsubmission submission ON submission.termly_return_id = r.id
WHERE s.id = ANY(%(schools)s) ORDER BY s.name"""


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: the rule compares YYYYMMDD keys, so 1 March
        return date(day.year - years, 3, 1)


def eligible_sql(la: LocalAuthority, params: dict) -> list[tuple[str, dict]]:
    policy = policy_for(la)
    with_grounds = WITH_GROUNDS.format(
        looked_after="AND NOT p.looked_after" if policy.looked_after_blocks_contract else "",
        grounds=TWO_SUSPENSIONS if policy.contract_needs_two_suspensions else ANY_EXCLUSION)
    params = {**params, "in_hand": [str(state) for state in IN_HAND],
              "recent": years_before(params["today"], policy.contract_recency_months // 12),
              "window": policy.suspension_window_months}
    return [(ELIGIBLE.format(with_grounds=with_grounds, in_hand=IN_HAND_SQL), params),
            (LEFT_OUT.format(with_grounds=with_grounds), params)]


# --- the table ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    label: str
    page: Callable[[], None] | None  # None: not this role's page
    admin: Callable[[], None] | None = None
    raw: Callable[[], None] | None = None
    runs: int | None = None  # None: as many as the others
    p95_goal_ms: float = GOAL_P95_MS


@dataclass(frozen=True)
class Scope:
    """Whom the pages are timed for, and the same rows for the admin and the raw SQL."""
    title: str
    client: FormClient
    schools: list[int]
    # The admin's filter to the same schools: on a model with a school, and on School itself.
    by_school: str
    school_filter: str


def mark(value: float, goal: float) -> str:
    return f"{value:7.2f} {'ok' if value <= goal else 'over':4}"


HEADER = (f"{'':32} {'page':^19}  {'admin changelist':^20}  {'raw SQL':>7}  {'page/admin':>12}  "
          f"{'page/raw':>12}  {'p95':>6}\n"
          f"{'':32} {'median':>7}{'p95':>7}{'qs':>5}  {'median':>8}{'p95':>7}{'qs':>5}  "
          f"{'median':>7}  {'goal ≤ ' + str(GOAL_ADMIN):>12}  {f'goal ≤ {GOAL_RAW:.0f}':>12}  "
          f"{'goal':>6}")


def print_row(row: Row, *, runs: int) -> None:
    if row.page is None:
        print(f"{row.label:32} not this role's page")
        return
    runs = row.runs or runs
    page = time_work(row.page, runs=runs)
    admin = time_work(row.admin, runs=runs)
    raw_sql = time_work(row.raw, runs=runs)
    print(f"{row.label:32} {page.median:7.1f}{page.p95:7.1f}{page.queries:5}  "
          f"{admin.median:8.1f}{admin.p95:7.1f}{admin.queries:5}  {raw_sql.median:7.2f}  "
          f"{mark(page.median / admin.median, GOAL_ADMIN)}  "
          f"{mark(page.median / raw_sql.median, GOAL_RAW)}  "
          f"{'ok' if page.p95 < row.p95_goal_ms else 'over':>6}", flush=True)


def rows_for(scope: Scope, *, superuser: FormClient, la: LocalAuthority, pupil: Pupil,
             name: str, today: date, terms: dict[int, ReturnTerm], every_la: Row) -> list[Row]:
    client = scope.client
    params = {"schools": scope.schools, "la": la.pk, "today": today,
              "year_start": academic_year_start(today),
              "soon": timezone.now() + timedelta(days=14)}
    term = terms[la.pk]
    is_la = scope.school_filter.startswith("local_authority")

    def page(url: str) -> Callable[[], None]:
        return gets((client, url))

    def admin(url: str) -> Callable[[], None]:
        return gets((superuser, url))

    contracts = "/admin/contracts/contract/?" + scope.by_school
    pupils = "/admin/cases/pupil/?" + scope.by_school
    return [
        Row("dashboard", page(reverse("dashboard")),
            admin("/admin/cases/school/?" + scope.school_filter),
            raw((DASHBOARD, params), (RECENT_EVENTS, params), (DEADLINES, params))),
        Row(f"pupil search, name '{name}'",
            page(reverse("pupil-search") + "?" + urlencode({"q": name})),
            admin(pupils + "&" + urlencode({"q": name})),
            raw((BY_NAME, {**params, "like": f"%{name}%"}))),
        Row("pupil search, UPN",
            page(reverse("pupil-search") + "?" + urlencode({"q": pupil.upn})),
            admin(pupils + "&" + urlencode({"q": pupil.upn})),
            raw((BY_UPN, {**params, "upn": pupil.upn}))),
        Row("case page", page(reverse("pupil-detail", args=[pupil.pk])),
            admin(f"/admin/cases/pupil/{pupil.pk}/change/"),
            raw(*((sql, {**params, "pupil": pupil.pk}) for sql in CASE_PAGE))),
        Row("contracts list", page(reverse("contract-list")), admin(contracts),
            raw((CONTRACTS, params))),
        Row("LA queue", page(reverse("la-queue")) if is_la else None,
            admin(contracts + "&state__exact=" + ContractState.ESCALATED),
            raw(*((sql, {**params, "waiting": [str(s) for s in WAITING]}) for sql in QUEUE))),
        Row("order list", page(reverse("order-list")),
            admin("/admin/orders/ordercase/?" + scope.by_school), raw((ORDERS, params))),
        Row("eligible now", page(reverse("contract-eligible-list")),
            admin(pupils + "&looked_after__exact=0"), raw(*eligible_sql(la, params))),
        Row("termly return, the LA",
            page(reverse("return-list") + "?" + urlencode({"la": la.code, "term": term.key})),
            admin("/admin/reporting/termlyreturn/?" + scope.by_school + "&" + urlencode(
                {"academic_year": term.academic_year, "term__exact": term.term})),
            raw((RETURNS, {**params, "year": term.academic_year, "term": term.term}))),
        every_la if is_la else Row(every_la.label, None),
    ]


def every_la_row(*, superuser: FormClient, terms: dict[int, ReturnTerm]) -> Row:
    """Each LA's termly return opened by an LA designated officer of that LA, one after the
    other: the national picture, as the LAs see it."""
    officers = (StaffGroup.objects.filter(role=StaffRole.LA_DESIGNATED_OFFICER)
                .order_by("local_authority__code", "group__user__pk")
                .values_list("local_authority", "group__user"))
    first_officer: dict[int, int] = {}
    for la_id, user_id in officers:
        first_officer.setdefault(la_id, user_id)
    users = get_user_model().objects.in_bulk(first_officer.values())
    pages, admins, statements = [], [], []
    for la in LocalAuthority.objects.filter(pk__in=first_officer).order_by("code"):
        term = terms[la.pk]
        pages.append((signed_in(users[first_officer[la.pk]]),
                      reverse("return-list") + "?" + urlencode({"la": la.code, "term": term.key})))
        admins.append((superuser, "/admin/reporting/termlyreturn/?" + urlencode({
            "school__local_authority__id__exact": la.pk, "academic_year": term.academic_year,
            "term__exact": term.term})))
        statements.append((RETURNS, {"schools": list(la.schools.values_list("pk", flat=True)),
                                     "year": term.academic_year, "term": term.term}))
    return Row(f"termly return, every LA ({len(pages)})", gets(*pages), gets(*admins),
               raw(*statements), runs=ALL_LAS_RUNS, p95_goal_ms=GOAL_ALL_LAS_MS)


def prepare(la: LocalAuthority, *, lead, today: date) -> dict[int, ReturnTerm]:
    """Case work for the LA if it has none, and every LA's returns for its last ended term
    where the termly job has not taken them. Returns each LA's term."""
    if not (Contract.objects.filter(school__local_authority=la).exists()
            or OrderCase.objects.filter(school__local_authority=la).exists()):
        started = time.perf_counter()
        add_case_work(la, lead=lead, today=today)
        print(f"added five years of contracts, orders and conduct steps to {la.name} "
              f"({time.perf_counter() - started:.1f} s)")
    terms, took, started = {}, 0, time.perf_counter()
    for each in LocalAuthority.objects.prefetch_related("schools"):
        term = terms[each.pk] = ended_terms(each, today)[0]
        schools = [school.pk for school in each.schools.all()]
        if not TermlyReturn.objects.filter(school__in=schools, academic_year=term.academic_year,
                                           term=term.term).exists():
            return_services.returns_take(schools=schools, term=term)
            took += len(schools)
    if took:
        print(f"took {took:,} schools' returns for their last ended term "
              f"({time.perf_counter() - started:.1f} s)")
    with connection.cursor() as cursor:
        for table in ("contracts_contract", "orders_ordercase", "conduct_conductrecord",
                      "conduct_conductstep", "reporting_termlyreturn"):
            cursor.execute(f"ANALYZE {table}")
    return terms


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", help="the LA's code (default: the LA with the most pupils)")
    parser.add_argument("--prefix", help="the users' prefix (default: '<LA code>.')")
    parser.add_argument("--name", default="smith", help="the name searched for")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of each page")
    args = parser.parse_args(argv)
    la = (LocalAuthority.objects.get(code=args.la) if args.la else
          LocalAuthority.objects.annotate(pupils=Count("schools__pupils"))
          .order_by("-pupils", "code").first())
    prefix = args.prefix if args.prefix is not None else f"{la.code}."
    users = get_user_model().objects
    officer = users.get(username=f"{prefix}la.officer")
    lead = users.get(username=f"{prefix}school.lead")
    school = StaffGroup.objects.get(group__user=lead, role=StaffRole.SCHOOL_LEAD).school
    today = timezone.localdate()
    with transaction.atomic():
        terms = prepare(la, lead=lead, today=today)
        superuser = signed_in(users.create_superuser("bench.table.superuser"))
        # A pupil of the school lead's school with the longest case history: both may open it.
        pupil = (Pupil.objects.filter(school=school).annotate(events=Count("timeline"))
                 .order_by("-events", "pk").first())
        la_schools = list(la.schools.values_list("pk", flat=True))
        print(f"{la.name} ({la.code}): {len(la_schools):,} schools, "
              f"{Pupil.objects.filter(school__local_authority=la).count():,} pupils; "
              f"{args.runs} runs after {WARM_UP} to warm up (all LAs: {ALL_LAS_RUNS}); "
              "times in ms, qs = queries")
        print(f"goals: page/admin ≤ {GOAL_ADMIN}, page/raw ≤ {GOAL_RAW:.0f}, p95 < "
              f"{GOAL_P95_MS:.0f} ms (all LAs: < {GOAL_ALL_LAS_MS / 1000:.0f} s)")
        every_la = every_la_row(superuser=superuser, terms=terms)
        scopes = [
            Scope(f"LA designated officer {officer.username}", signed_in(officer), la_schools,
                  by_school=f"school__local_authority__id__exact={la.pk}",
                  school_filter=f"local_authority__id__exact={la.pk}"),
            Scope(f"School lead {lead.username}, {school.name}", signed_in(lead), [school.pk],
                  by_school=f"school__id__exact={school.pk}",
                  school_filter=f"id__exact={school.pk}"),
        ]
        for scope in scopes:
            print(f"\n{scope.title}\n{HEADER}")
            for row in rows_for(scope, superuser=superuser, la=la, pupil=pupil, name=args.name,
                                today=today, terms=terms, every_la=every_la):
                print_row(row, runs=args.runs)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
