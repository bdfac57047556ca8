FROM python:3.11-slim-bookworm
# postgresql-client (15, as the compose file's server): pg_dump, pg_restore and psql for
# `manage.py backup` and `restore`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation nodejs npm postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock package.json package-lock.json ./
RUN uv sync --frozen --no-dev && npm ci --no-audit --no-fund
COPY . .
RUN npm run build && DJANGO_ENV=production SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64) \
    ALLOWED_HOSTS=build uv run --no-dev python manage.py collectstatic --noinput
ENV PATH="/app/.venv/bin:$PATH"
# Migrations run once per release, as the tables' owner (the compose file's `migrate`); the
# web, worker and beat processes run as the application's role, which owns nothing.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
