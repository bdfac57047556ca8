import pytest
from django.conf import settings

from cases.models import StaffRole
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)


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
