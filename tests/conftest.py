import importlib
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection

from cases.models import StaffRole
from tests.clients import FormClient
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)


@pytest.fixture
def census_reasons(transactional_db):
    """The census reason codes, as their data migration loads them: a test that commits (a
    live server, concurrent requests, several workers) flushes the database after it,
    migration data included."""
    migration = importlib.import_module("cases.migrations.0002_exclusion_reasons")
    migration.load(django_apps, None)


@pytest.fixture
def retention_schedule(db):
    """The retention schedule, as its data migration loads it (flushed like the codes)."""
    migration = importlib.import_module("cases.migrations.0015_retention_schedule")
    migration.load_schedule(django_apps, None)


@pytest.fixture
def client():
    """Posts as Pact's forms do, with a one-time submission key."""
    return FormClient()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(db):
    return SchoolFactory(local_authority=LocalAuthorityFactory(code="901", name="Ashford Vale"))


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school)


@pytest.fixture
def school_lead(school):
    return staff(StaffRole.SCHOOL_LEAD, school)


@pytest.fixture
def la_officer(school):
    return staff(StaffRole.LA_DESIGNATED_OFFICER, school.local_authority)


@pytest.fixture
def case_with_history(pupil):
    """A pupil with a parent and two suspensions."""
    PupilParentFactory(pupil=pupil)
    ExclusionFactory(pupil=pupil)
    ExclusionFactory(pupil=pupil, start_date=pupil.date_of_birth.replace(year=2025))
    return pupil


def pytest_configure(config):
    # Real parts: the suite runs against the PostgreSQL and Redis that `make test` starts.
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.exit("Run the tests with `make test`: they need real PostgreSQL and Redis.", 2)


DB_ROLES_SQL = Path(__file__).resolve().parent.parent / "scripts" / "db-roles.sql"


def psql() -> str:
    found = shutil.which("psql") or next(
        iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))), None)
    assert found, "psql is needed: make test installs PostgreSQL"
    return str(found)


@pytest.fixture
def app_role_database_url(django_db_setup, django_db_blocker) -> str:
    """The test database as the production processes see it: through the application's
    role (made by `make test`), with the grants scripts/db-roles.sql gives it, as the
    owner applies them."""
    app = urlsplit(os.environ["DATABASE_APP_URL"])
    with django_db_blocker.unblock():
        db = connection.settings_dict
    owner = f"postgres://{quote(db['USER'], safe='')}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    subprocess.run(
        [psql(), owner, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"owner_role={db['USER']}",
         "-v", f"app_role={app.username}", "-v", f"app_password={app.password}",
         "-v", f"dbname={db['NAME']}", "-f", str(DB_ROLES_SQL)],
        check=True, capture_output=True,
    )
    return (f"postgres://{app.username}:{quote(app.password, safe='')}@{db['HOST']}:"
            f"{db['PORT']}/{quote(db['NAME'], safe='')}")
