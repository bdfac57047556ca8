#!/usr/bin/env bash
# Benchmarks on the large-authority dataset, then the pages table again on the national one,
# against the PostgreSQL that scripts/with-services.sh starts (`make bench`). Prints figures;
# asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
uv run python manage.py migrate --noinput -v 0
echo "== seed --scale la (goal: under 3 minutes)"
/usr/bin/time -f "wall %e s, peak memory %M KB" uv run python manage.py seed --scale la
echo "== pages on the la dataset"
uv run python bench/pages.py
echo "== the pages staff use most, beside the admin and raw SQL: la dataset (see README)"
uv run python bench/table.py --la 950 --prefix midshire.
echo "== termly returns: 120 schools, 15 terms, next to raw SQL (goal: at most 2x raw, under 200 ms)"
uv run python bench/returns.py
echo "== letters"
uv run python bench/letters.py
echo "== evidence packs: 40 pages next to qpdf, then 200 and 800 pages with their memory"
uv run python bench/pack.py
echo "== under load: 20 clients through gunicorn for 30 s, next to one client (goal: 0 errors)"
uv run python bench/load.py
echo "== seed --scale national (25 LAs, 3,000 schools, 1,000,000 pupils)"
/usr/bin/time -f "wall %e s, peak memory %M KB" uv run python manage.py seed --scale national
echo "== the pages staff use most, beside the admin and raw SQL: national dataset, biggest LA"
uv run python bench/table.py
