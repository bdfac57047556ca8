"""The LA's catalogue of parenting programmes: kept by its officers, read by everyone who works
its cases, never losing what an entry said."""

import pytest
from django.urls import reverse

from orders import selectors, services
from orders.models import ParentingProgramme, ProgrammeChange
from tests.clients import FormClient, post_at_once

FIELDS = {"name": "Strengthening Families", "provider": "Family Support", "sessions": "10",
          "topics": "Routines and boundaries", "places": "8", "active": "on"}


def signed_in(user) -> FormClient:
    client = FormClient()
    client.force_login(user)
    return client


def add(world, **changes):
    return signed_in(world.officer).post(reverse("programme-add"), {
        "local_authority": world.la.pk, **FIELDS, **changes})


def test_an_la_officer_adds_a_programme_and_a_school_lead_reads_it(world):
    response = add(world)
    assert response["Location"] == reverse("programme-list")
    programme = ParentingProgramme.objects.get()
    assert (programme.name, programme.sessions, programme.places) == (
        "Strengthening Families", 10, 8)
    assert programme.changes.get().before is None

    page = signed_in(world.lead).get(reverse("programme-list")).content.decode()
    assert "Strengthening Families" in page and "Family Support" in page
    assert "Add a programme" not in page and "Change" not in page
    refused = signed_in(world.lead).get(reverse("programme-edit", args=[programme.pk]))
    assert refused.status_code == 403
    assert "The LA&#x27;s officers keep its catalogue" in refused.content.decode()


def test_a_second_programme_of_the_same_name_is_refused_and_nothing_is_saved(world):
    add(world)
    response = add(world, provider="Someone else")
    assert response.status_code == 200
    assert ("Ashford Vale&#x27;s catalogue already has a programme called Strengthening "
            "Families") in response.content.decode()
    assert ParentingProgramme.objects.count() == 1
    assert ProgrammeChange.objects.count() == 1


@pytest.mark.parametrize("field, value, message", [
    ("sessions", "0", "Enter at least 1 session"),
    ("sessions", "ten", "Enter the number of sessions in figures, like 10"),
    ("places", "-1", "Enter 0 or more places"),
    ("name", "", "Enter name of the programme"),
])
def test_bad_input_is_told_in_words_and_saves_nothing(world, field, value, message):
    response = add(world, **{field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ParentingProgramme.objects.exists()


def test_a_change_keeps_what_the_entry_said_before(world):
    add(world)
    programme = ParentingProgramme.objects.get()
    response = signed_in(world.officer).post(
        reverse("programme-edit", args=[programme.pk]),
        {"local_authority": world.la.pk, **FIELDS, "places": "0", "active": "",
         "revision": programme.revision})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.places, programme.active, programme.revision) == (0, False, 1)
    change = programme.changes.order_by("changed_at", "pk").last()
    assert change.before["places"] == 8 and change.after["places"] == 0
    page = signed_in(world.officer).get(reverse("programme-list")).content.decode()
    assert "Not offered now" in page


@pytest.mark.usefixtures("census_reasons")
def test_two_officers_changing_one_entry_at_once_one_wins_the_other_is_told(world):
    add(world)
    programme = ParentingProgramme.objects.get()
    url = reverse("programme-edit", args=[programme.pk])
    answers = post_at_once(*(
        (world.officer, url, {"local_authority": world.la.pk, **FIELDS, "places": places,
                              "revision": programme.revision})
        for places in ("3", "5")))
    assert sorted(a.status_code for a in answers) == [200, 302]
    told = next(a for a in answers if a.status_code == 200).content.decode()
    assert "changed by someone else" in told
    programme.refresh_from_db()
    assert programme.revision == 1
    assert programme.changes.count() == 2


def test_a_programme_no_longer_offered_is_not_offered_to_the_panel(world):
    add(world)
    add(world, name="Old course", active="")
    case = services.order_open_from_contract(actor=world.officer, contract=world.contract)
    assert [p.name for p in selectors.programmes_for(case)] == ["Strengthening Families"]
