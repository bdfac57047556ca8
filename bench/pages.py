"""Times the busiest pages on the la dataset as the users who see them, in-process, and
prints the median and worst of several runs with the number of queries each made; then the
access log and the "eligible now" query. bench/table.py puts the pages staff use most beside
the admin and raw SQL."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.table import gets, signed_in, time_work  # noqa: E402
from cases.models import Pupil  # noqa: E402

RUNS = 7


def measure(label: str, username: str, url: str) -> None:
    client = signed_in(get_user_model().objects.get(username=username))
    timing = time_work(gets((client, url)), runs=RUNS, warm_up=1)
    print(f"{label:<44} median {timing.median:7.1f} ms   worst {timing.worst:7.1f} ms   "
          f"{timing.queries} queries")


a_pupil = (
    Pupil.objects.filter(school__local_authority__code="950")
    .order_by("-pk").first()
)
measure("dashboard, LA officer (120 schools)", "midshire.la.officer", reverse("dashboard"))
measure("dashboard, information officer", "midshire.information.officer", reverse("dashboard"))
measure("dashboard, school lead", "midshire.school.lead", reverse("dashboard"))
measure("pupil search 'smith', LA officer", "midshire.la.officer",
        reverse("pupil-search") + "?q=smith")
measure("pupil search by UPN, LA officer", "midshire.la.officer",
        reverse("pupil-search") + f"?q={a_pupil.upn}")
measure("case page, LA officer", "midshire.la.officer",
        reverse("pupil-detail", args=[a_pupil.pk]))

# The access log: what one opening costs (one insert), and the LA admin's search with a
# log of ACCESS_LOG_ROWS openings, newest first and by UPN.
from django.test import RequestFactory  # noqa: E402

from cases.access_log import What, access_record  # noqa: E402
from cases.models import AccessRecord  # noqa: E402

ACCESS_LOG_ROWS = 500_000
officer = get_user_model().objects.get(username="midshire.la.officer")
request = RequestFactory().get(f"/pupils/{a_pupil.pk}/")
request.user = officer
inserts = []
for _ in range(200):
    started = time.perf_counter()
    access_record(request, what=What.CASE_PAGE, label="Case page", pupil_id=a_pupil.pk,
                  school_id=a_pupil.school_id,
                  local_authority_id=a_pupil.school.local_authority_id)
    inserts.append((time.perf_counter() - started) * 1000)
print(f"{'access log: one opening recorded':<44} median {statistics.median(inserts):7.2f} ms   "
      f"worst {max(inserts):7.2f} ms   1 query")
missing = ACCESS_LOG_ROWS - AccessRecord.objects.count()
if missing > 0:
    # Openings spread over the LA's pupils and the last year, as a busy LA's log would be.
    with connection.cursor() as cursor:
        cursor.execute(
            """WITH la_pupils AS (
                   SELECT array_agg(p.id ORDER BY p.id) AS ids FROM cases_pupil p
                   JOIN cases_school s ON s.id = p.school_id
                   WHERE s.local_authority_id = %s)
               INSERT INTO cases_accessrecord
                   (at, user_id, what, pupil_id, school_id, local_authority_id, label, path)
               SELECT now() - (g.n * interval '63 seconds'), %s, 'case_page', p.id,
                      p.school_id, %s, 'Case page', '/pupils/' || p.id || '/'
               FROM la_pupils CROSS JOIN generate_series(1, %s) AS g(n)
               JOIN cases_pupil p
                 ON p.id = la_pupils.ids[1 + g.n %% array_length(la_pupils.ids, 1)]""",
            [a_pupil.school.local_authority_id, officer.pk, a_pupil.school.local_authority_id,
             missing])
        cursor.execute("ANALYZE cases_accessrecord")
measure(f"access log, LA admin ({ACCESS_LOG_ROWS:,} openings)", "midshire.la.admin",
        reverse("access-log"))
measure("access log by UPN, LA admin", "midshire.la.admin",
        reverse("access-log") + f"?upn={a_pupil.upn}")
head = get_user_model().objects.get(username="midshire.headteacher")
head_pupil = Pupil.objects.filter(school__staff_groups__group__user=head).first()
measure("case page, headteacher (with 'viewed by')", "midshire.headteacher",
        reverse("pupil-detail", args=[head_pupil.pk]))

# The "eligible now" query for the whole LA: through the ORM, and the same SQL run raw.
from datetime import date  # noqa: E402

from cases.models import LocalAuthority  # noqa: E402
from cases.selectors import contract_eligible_pupils  # noqa: E402

la = LocalAuthority.objects.get(code="950")
for policy in ("bedfordshire-2007", "england-statutory"):
    la.policy_name = policy
    eligible = contract_eligible_pupils(la, today=date.today())
    sql, params = eligible.values_list("pk", flat=True).query.sql_with_params()
    orm_ms, raw_ms = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        found = len(list(contract_eligible_pupils(la, today=date.today()).values_list(
            "pk", flat=True)))
        orm_ms.append((time.perf_counter() - started) * 1000)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql, params)
            raw = len(cursor.fetchall())
            raw_ms.append((time.perf_counter() - started) * 1000)
    assert found == raw
    print(
        f"eligible now for a behaviour contract ({policy}): {found} pupils; "
        f"ORM median {statistics.median(orm_ms):.1f} ms, raw SQL median "
        f"{statistics.median(raw_ms):.1f} ms (goal: under 200 ms)"
    )
