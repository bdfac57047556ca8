"""A school where a parent has behaved unacceptably towards staff, with the people of every
role who meet the conduct record, and one who works at another school."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import LocalPolicy, StaffRole
from conduct import services
from tests.factories import (
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)


@dataclass
class World:
    la: object
    school: object
    pupil: object
    parent: object
    headteacher: object
    chair: object
    lead: object
    officer: object
    information_officer: object
    elsewhere: object  # the headteacher of another school in the LA


def an_hour_ago() -> datetime:
    return timezone.now() - timedelta(hours=1)


def statement(name: str = "statement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 a witness statement")


def incident(world: World, *, parents=None, files=(), **changes):
    values = {
        "actor": world.headteacher, "pupil": world.pupil, "occurred_at": an_hour_ago(),
        "place": "gate", "channel": "face_to_face", "categories": ["verbal_abuse"],
        "description": "Shouted and swore at the class teacher at the gate.",
        "affected": ["staff", "pupils"], "parents": [world.parent] if parents is None
        else parents, "files": list(files)}
    values.update(changes)
    return services.incident_record(**values)


@pytest.fixture
def world(db) -> World:
    return make_world()


def make_world() -> World:
    la = LocalAuthorityFactory(code="902", name="Ashford Vale",
                               policy_name=LocalPolicy.BEDFORDSHIRE_2007)
    school = SchoolFactory(local_authority=la, name="Hillside Primary School",
                           headteacher_name="Helen Price")
    pupil = PupilFactory(school=school, first_name="Jordan", last_name="Mensah")
    parent = PupilParentFactory(pupil=pupil, parent__first_name="Ama",
                                parent__last_name="Mensah", parent__address="4 Vale Close",
                                parent__postcode="ZZ1 1ZZ").parent
    return World(
        la=la, school=school, pupil=pupil, parent=parent,
        headteacher=staff(StaffRole.HEADTEACHER, school),
        chair=staff(StaffRole.CHAIR_OF_GOVERNORS, school),
        lead=staff(StaffRole.SCHOOL_LEAD, school),
        officer=staff(StaffRole.LA_DESIGNATED_OFFICER, la),
        information_officer=staff(StaffRole.INFORMATION_OFFICER, la),
        elsewhere=staff(StaffRole.HEADTEACHER, SchoolFactory(local_authority=la)),
    )
