"""The admin's lists of case records: an operator finds a pupil's records by name or UPN and
narrows them to one LA, one school, a state or a term (bench/table.py times these lists
beside the pages staff use)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from cases.models import StaffRole
from contracts.models import Contract, ContractKind
from orders.models import OrderCase
from reporting import services
from reporting.terms import ended_terms
from tests.clients import FormClient
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    SchoolFactory,
    staff,
)


@pytest.fixture
def operator(db):
    client = FormClient()
    client.force_login(get_user_model().objects.create_superuser("operator"))
    return client


@pytest.fixture
def pupils(db):
    """A pupil named Okonkwo in each of two LAs, each with a contract, an exclusion and an
    order case."""
    found = []
    for la in (LocalAuthorityFactory(), LocalAuthorityFactory()):
        pupil = PupilFactory(school=SchoolFactory(local_authority=la), last_name="Okonkwo")
        lead = staff(StaffRole.SCHOOL_LEAD, pupil.school)
        Contract.objects.create(kind=ContractKind.BEHAVIOUR, pupil=pupil, school=pupil.school,
                                lead=lead)
        ExclusionFactory(pupil=pupil)
        OrderCase.objects.create(pupil=pupil, school=pupil.school, local_authority=la,
                                 requested_by=lead, requested_on=date(2026, 3, 9),
                                 request_reasons="Exclusions")
        found.append(pupil)
    return found


def listed(client, model: str, **query) -> int:
    response = client.get(reverse(f"admin:{model}_changelist"), query)
    assert response.status_code == 200, (model, query)
    return response.context["cl"].result_count


@pytest.mark.parametrize("model", ["cases_pupil", "cases_exclusion", "contracts_contract",
                                   "orders_ordercase"])
def test_an_operator_finds_a_pupils_records_by_name_in_one_la(operator, pupils, model):
    assert listed(operator, model, q="okonkwo") == 2
    assert listed(operator, model, q="okonkwo",
                  school__local_authority__id__exact=pupils[0].school.local_authority_id) == 1
    assert listed(operator, model, q="okonkwo", school__id__exact=pupils[1].school_id) == 1


def test_an_operator_finds_a_pupil_by_upn(operator, pupils):
    assert listed(operator, "cases_pupil", q=pupils[1].upn) == 1


def test_an_operator_lists_an_las_contracts_by_state(operator, pupils):
    la = pupils[0].school.local_authority_id
    assert listed(operator, "contracts_contract", school__local_authority__id__exact=la,
                  state__exact="draft") == 1
    assert listed(operator, "contracts_contract", school__local_authority__id__exact=la,
                  state__exact="escalated") == 0


def test_an_operator_lists_an_las_returns_for_a_term(operator, pupils):
    school = pupils[0].school
    term = ended_terms(school.local_authority, timezone.localdate())[0]
    services.returns_take(schools=[school.pk], term=term)
    assert listed(operator, "reporting_termlyreturn",
                  school__local_authority__id__exact=school.local_authority_id,
                  academic_year=term.academic_year, term__exact=term.term) == 1
    assert listed(operator, "reporting_termlyreturn", q=school.name) == 1
