"""The processes connect as a role that owns nothing: evidence survives TRUNCATE, and the
triggers that refuse changing it cannot be dropped by the application."""

import psycopg
import pytest

from cases.services import timeline_record
from letters import services as letter_services
from tests.factories import (
    FREE_LETTER,
    PupilParentFactory,
    SchoolFactory,
    free_letter_facts,
    staff,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def evidence():
    """A timeline event and an issued letter, committed."""
    school = SchoolFactory()
    lead = staff("school_lead", school)
    link = PupilParentFactory(pupil__school=school)
    timeline_record(pupil=link.pupil, actor=lead, kind="pupil_added", summary="Added")
    letter_services.letter_issue(actor=lead, draft=letter_services.Draft(
        pupil=link.pupil, kind=FREE_LETTER, language="en", recipients=[link.parent],
        method="post", facts=free_letter_facts()))


@pytest.mark.parametrize("statement", [
    "TRUNCATE letters_issuedletter CASCADE",
    "TRUNCATE cases_timelineevent CASCADE",
    "DROP TRIGGER letters_issuedletter_refuse_changes ON letters_issuedletter",
    "ALTER TABLE cases_timelineevent DISABLE TRIGGER ALL",
    "DROP TABLE letters_issuedletter CASCADE",
    "UPDATE letters_issuedletter SET sha256 = 'forged'",
    "DELETE FROM cases_timelineevent",
])
def test_the_application_role_cannot_destroy_or_change_evidence(
    evidence, app_role_database_url, statement
):
    with psycopg.connect(app_role_database_url, autocommit=True) as app:
        with pytest.raises((psycopg.errors.InsufficientPrivilege,
                            psycopg.errors.RaiseException)):
            app.execute(statement)
        assert app.execute("SELECT count(*) FROM letters_issuedletter").fetchone()[0] == 1
        assert app.execute("SELECT count(*) FROM cases_timelineevent").fetchone()[0] >= 2


def test_the_application_role_reads_and_writes_rows_as_pact_needs(
    evidence, app_role_database_url
):
    with psycopg.connect(app_role_database_url, autocommit=True) as app:
        app.execute("INSERT INTO django_session (session_key, session_data, expire_date) "
                    "VALUES ('k', 'd', now())")
        app.execute("UPDATE django_session SET session_data = 'e' WHERE session_key = 'k'")
        app.execute("DELETE FROM django_session WHERE session_key = 'k'")
        owner = app.execute("SELECT tableowner FROM pg_tables WHERE tablename = "
                            "'letters_issuedletter'").fetchone()[0]
        me = app.execute("SELECT current_user").fetchone()[0]
        assert owner != me
