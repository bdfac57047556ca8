#!/usr/bin/env bash
# Creates the application's database role (scripts/db-roles.sql) when the PostgreSQL volume
# is first initialised: docker-compose mounts this into /docker-entrypoint-initdb.d/.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_role="$POSTGRES_USER" -v app_role="$PACT_APP_DB_USER" \
  -v app_password="$PACT_APP_DB_PASSWORD" -v dbname="$POSTGRES_DB" \
  -f /docker-entrypoint-initdb.d/db-roles.sql.in
