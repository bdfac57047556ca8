"""The termly return at `la` scale: 120 schools, five years. Adds five years of contracts,
orders and conduct steps to the `la` dataset (in a transaction rolled back at the end), then
times, for one LA term: the return's counts for every school through the ORM (a query a
column) next to the same counts in one raw SQL query (goal: at most 2x raw, and under 200 ms);
taking every school's return (counts and snapshots); taking the returns of all 15 terms; and
building the 15-term export as CSV and XLSX from the stored returns. Prints figures; asserts
nothing."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.casework import add_case_work  # noqa: E402
from cases.models import LocalAuthority  # noqa: E402
from reporting import exports, selectors, services  # noqa: E402
from reporting.columns import counts_for  # noqa: E402
from reporting.terms import ended_terms  # noqa: E402

RUNS = 7
# The same counts in one query: a branch a column, each restricted to the LA's schools. The
# `la` dataset's LA follows the England statutory policy, under which every exclusion gives
# grounds for a contract.
RAW = """
WITH c AS (SELECT * FROM contracts_contract WHERE school_id = ANY(%(schools)s)),
     o AS (SELECT * FROM orders_ordercase WHERE school_id = ANY(%(schools)s))
SELECT school_id, 'exclusions_grounds', count(*) FROM cases_exclusion
 WHERE school_id = ANY(%(schools)s) AND start_date BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'behaviour_entered', count(*) FROM c
 WHERE kind = 'behaviour' AND signed_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'behaviour_refused', count(*) FROM c
 WHERE kind = 'behaviour' AND state = 'refused' AND closed_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'behaviour_ended_early', count(*) FROM c
 WHERE kind = 'behaviour' AND state IN ('terminated', 'escalated')
   AND closed_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'behaviour_completed', count(*) FROM c
 WHERE kind = 'behaviour' AND state = 'completed' AND closed_on BETWEEN %(a)s AND %(b)s
 GROUP BY 1
UNION ALL SELECT school_id, 'attendance_entered', count(*) FROM c
 WHERE kind = 'attendance' AND signed_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'attendance_terminated', count(*) FROM c
 WHERE kind = 'attendance' AND state IN ('terminated', 'escalated')
   AND closed_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'orders_requested', count(*) FROM o
 WHERE requested_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'orders_applied', count(*) FROM o
 WHERE applied_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'orders_made', count(*) FROM o
 WHERE outcome = 'made' AND outcome_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT school_id, 'orders_completed', count(*) FROM o
 WHERE state = 'completed' AND closed_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT o.school_id, 'orders_breached', count(*) FROM orders_orderbreach b
 JOIN o ON o.id = b.order_case_id WHERE b.occurred_on BETWEEN %(a)s AND %(b)s GROUP BY 1
UNION ALL SELECT r.school_id, CASE s.kind WHEN 'reminder' THEN 'conduct_reminders'
 WHEN 'warning' THEN 'conduct_warnings' WHEN 'conditions' THEN 'conduct_conditions'
 ELSE 'conduct_bans' END, count(*) FROM conduct_conductstep s
 JOIN conduct_conductrecord r ON r.id = s.record_id
 WHERE r.school_id = ANY(%(schools)s) AND s.kind IN ('reminder', 'warning', 'conditions',
 'ban', 'emergency_ban') AND s.taken_on BETWEEN %(a)s AND %(b)s GROUP BY 1, 2
"""


def timed(work, runs: int = RUNS) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def main() -> None:
    la = LocalAuthority.objects.get(code="950")
    officer = get_user_model().objects.get(username="midshire.information.officer")
    today = timezone.localdate()
    with transaction.atomic():
        add_case_work(la, lead=get_user_model().objects.get(username="midshire.school.lead"),
                      today=today)
        terms = ended_terms(la, today)
        term = terms[1]
        schools = list(la.schools.values_list("pk", flat=True))

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(RAW, {"a": term.counts_from, "b": term.ends_on,
                                     "schools": schools})
                return cursor.fetchall()

        orm_ms, table = timed(lambda: counts_for(schools, term.counts_from, term.ends_on))
        raw_ms, rows = timed(raw)
        assert sum(sum(c.values()) for c in table.values()) == sum(n for *_, n in rows)
        print(f"one term's counts, {len(schools)} schools: ORM {orm_ms:6.1f} ms, raw SQL "
              f"{raw_ms:6.1f} ms ({orm_ms / raw_ms:.1f}x; goal at most 2x and under 200 ms)")
        take_ms, _ = timed(lambda: services.returns_take(schools=schools, term=term), runs=1)
        again_ms, _ = timed(lambda: services.returns_take(schools=schools, term=term), runs=3)
        print(f"taking one term's returns for {len(schools)} schools: first {take_ms:6.0f} ms, "
              f"again (no change) {again_ms:6.0f} ms")
        started = time.perf_counter()
        for each in terms:
            services.returns_take(schools=schools, term=each)
        print(f"taking the returns of all {len(terms)} terms: "
              f"{time.perf_counter() - started:5.1f} s")
        tables_ms, tables = timed(lambda: selectors.series(officer, la=la, terms=terms), runs=3)
        export = exports.build(tables, suppress=True)
        csv_ms, csv_bytes = timed(lambda: exports.as_csv(export), runs=3)
        xlsx_ms, xlsx_bytes = timed(lambda: exports.as_xlsx(export), runs=3)
        print(f"{len(terms)}-term export ({len(export.rows) - 1} rows): reading the stored "
              f"returns {tables_ms:6.1f} ms; CSV {csv_ms:6.1f} ms ({len(csv_bytes) // 1024} KB); "
              f"XLSX {xlsx_ms:6.1f} ms ({len(xlsx_bytes) // 1024} KB)")
        transaction.set_rollback(True)


main()
