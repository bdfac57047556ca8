"""A parenting order case from the escalated contract to the order's completion, through the
services, with the refusals the LA designated officer meets on the way."""

import html
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Deadline, DeadlineKind
from cases.workdays import add_months
from letters.models import IssuedLetter
from orders import services
from orders.models import State
from tests.clients import FormClient, post_at_once
from tests.orders.conftest import TODAY, at_panel, panel_decides


def test_the_escalated_contract_opens_a_request_in_one_click_carrying_its_history(world):
    client = FormClient()
    client.force_login(world.officer)
    queue = client.get(reverse("la-queue")).content.decode()
    assert "Open the order request" in queue
    response = client.post(reverse("order-open-from-contract", args=[world.contract.pk]))
    case = world.pupil.order_cases.get()
    assert response["Location"] == reverse("order-detail", args=[case.pk])
    assert case.contract == world.contract and list(case.parents.all()) == [world.parent]
    assert "Breaches:" in case.request_reasons
    assert case.opened_by_la
    # The application window is a clock from the request on, named on the page.
    window = Deadline.objects.get(kind=DeadlineKind.ORDER_WINDOW, subject=f"order:{case.pk}")
    assert timezone.localtime(window.due_at).date() == add_months(
        world.contract.signed_on, 6)
    page = client.get(reverse("order-detail", args=[case.pk])).content.decode()
    assert f"The application window closes on <strong>{window.due_at:%A %-d %B %Y}" in page


def test_a_school_can_ask_but_never_apply(world):
    case = at_panel(world)
    panel_decides(world, case)
    client = FormClient()
    client.force_login(world.lead)
    response = client.get(reverse("order-action", args=[case.pk, "apply"]))
    assert response.status_code == 403
    assert "Only the local authority can apply to the magistrates' court" in html.unescape(
        response.content.decode())
    with pytest.raises(PermissionDenied, match="Only the local authority can apply"):
        services.order_apply(actor=world.lead, case=case, court="Ashford", applied_on=TODAY)
    case.refresh_from_db()
    assert case.state == State.PROCEEDING


def test_the_panel_sits_only_on_a_complete_pack(world):
    case = services.order_open_from_contract(actor=world.officer, contract=world.contract)
    services.order_start_review(actor=world.officer, case=case)
    with pytest.raises(ValidationError, match="Build the evidence pack first"):
        services.order_refer_to_panel(actor=world.officer, case=case)
    from orders.pack import pack_build

    pack_build(pack_id=services.order_pack_request(actor=world.officer, case=case).pk)
    with pytest.raises(ValidationError) as refused:
        services.order_refer_to_panel(actor=world.officer, case=case)
    told = " ".join(refused.value.messages)
    assert "lacks witness statements about the exclusions" in told
    assert "the final warning letter to the parent" in told
    client = FormClient()
    client.force_login(world.officer)
    page = client.get(reverse("order-action", args=[case.pk, "panel"])).content.decode()
    assert "lacks witness statements about the exclusions" in page


def test_no_final_warning_no_application(world):
    case = services.order_open_from_contract(actor=world.officer, contract=world.contract)
    services.order_start_review(actor=world.officer, case=case)
    # Straight to the decision, as if the panel had met: the application still needs it.
    type(case).objects.filter(pk=case.pk).update(state=State.PROCEEDING)
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="No final warning letter has been issued"):
        services.order_apply(actor=world.officer, case=case, court="Ashford",
                             applied_on=TODAY)
    assert "No final warning letter has been issued" in officer_sees(world, case, "apply")


def officer_sees(world, case, step: str) -> str:
    client = FormClient()
    client.force_login(world.officer)
    return html.unescape(client.get(reverse("order-action", args=[case.pk, step]))
                         .content.decode())


@pytest.mark.parametrize(("ended_days_ago", "allowed"), [(0, False), (1, True)])
def test_the_statutory_process_on_the_day_it_ends_and_the_day_after(world, ended_days_ago,
                                                                     allowed):
    case = at_panel(world)
    panel_decides(world, case)
    latest = world.pupil.exclusions.filter(serious_misbehaviour=True).latest("start_date")
    ended = TODAY - timedelta(days=ended_days_ago)
    type(latest).objects.filter(pk=latest.pk).update(statutory_process_ended_on=ended)
    page = officer_sees(world, case, "apply")
    reason = (f"The statutory exclusion process ends on {ended:%-d %b %Y}: an application can "
              f"be made from the day after")
    if allowed:
        assert "This step is not available now" not in page and reason not in page
        services.order_apply(actor=world.officer, case=case, court="Ashford",
                             applied_on=TODAY)
    else:
        assert "This step is not available now" in page and reason in page
        with pytest.raises(ValidationError, match="an application can be made from the day"):
            services.order_apply(actor=world.officer, case=case, court="Ashford",
                                 applied_on=TODAY)


@pytest.mark.parametrize(("days_after_closing", "allowed"), [(0, True), (1, False)])
def test_the_application_window_at_its_end_and_the_day_after(world, days_after_closing,
                                                              allowed):
    case = at_panel(world)
    panel_decides(world, case)
    closes = add_months(world.contract.signed_on, 6)
    applied_on = closes + timedelta(days=days_after_closing)
    # The application is recorded on its own date: move the clock, not the rule.
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=applied_on):
        if allowed:
            services.order_apply(actor=world.officer, case=case, court="Ashford",
                                 applied_on=applied_on)
            assert case.state == State.APPLIED
        else:
            with pytest.raises(ValidationError, match=f"the window closed on "
                                                      f"{closes:%-d %b %Y}"):
                services.order_apply(actor=world.officer, case=case, court="Ashford",
                                     applied_on=applied_on)
            assert f"the window closed on {closes:%-d %b %Y}" in officer_sees(
                world, case, "apply")


def test_from_the_panel_to_the_order_and_its_clocks_to_completion(world):
    case = at_panel(world)
    services.order_panel_view(actor=world.panel_member, case=case, view="A strong case.")
    with pytest.raises(PermissionDenied):
        services.order_panel_view(actor=world.lead, case=case, view="Me too")
    panel_decides(world, case)
    services.order_apply(actor=world.officer, case=case, court="Ashford Magistrates' Court",
                         applied_on=TODAY)
    window = Deadline.objects.get(kind=DeadlineKind.ORDER_WINDOW, subject=f"order:{case.pk}")
    assert window.status == Deadline.Status.MET
    services.order_hearing(actor=world.officer, case=case, hearing_on=TODAY)
    with pytest.raises(ValidationError, match="up to 3 months"):
        services.order_outcome(
            actor=world.officer, case=case, outcome="made", decided_on=TODAY,
            made_at_time=time(10, 0), requirements="Attend every review",
            requirements_end_on=TODAY + timedelta(days=200), responsible_officer=world.officer)
    services.order_outcome(
        actor=world.officer, case=case, outcome="made", decided_on=TODAY,
        made_at_time=time(10, 0), requirements="Attend every review with the school",
        requirements_end_on=TODAY + timedelta(days=60), responsible_officer=world.officer)
    assert case.state == State.RUNNING
    meeting = Deadline.objects.get(kind=DeadlineKind.RO_MEETING, subject=f"order:{case.pk}")
    made_at = case.made_at
    # Bedfordshire counts the 48 hours on the clock, as written.
    assert meeting.due_at == made_at + timedelta(hours=48)
    with pytest.raises(ValidationError, match="Record the responsible officer's first meeting"):
        services.order_ro_confirmation(actor=world.officer, case=case, monitoring="m",
                                       programme="p", review_contact="r", method="post")
    services.order_ro_meeting(actor=world.officer, case=case,
                              met_at=min(timezone.now(), made_at + timedelta(hours=1)),
                              parent_took_part=True, notes="Explained everything")
    meeting.refresh_from_db()
    assert meeting.status == Deadline.Status.MET
    services.order_ro_confirmation(actor=world.officer, case=case, monitoring="Weekly calls",
                                   programme="None", review_contact="Monthly", method="post")
    assert IssuedLetter.objects.filter(pupil=world.pupil, kind="ro_confirmation").count() == 1
    services.order_breach(actor=world.officer, case=case, occurred_on=TODAY,
                          description="Missed the review")
    services.order_refer_breach(actor=world.officer, case=case)
    services.order_breach_decision(actor=world.officer, case=case, proceed=True,
                                   court="Ashford Magistrates' Court", reasons="Repeated")
    services.order_breach_outcome(actor=world.officer, case=case, outcome="Fined £200",
                                  decided_on=TODAY)
    assert case.state == State.RUNNING
    assert services.orders_complete_due(today=TODAY) == 0
    assert services.orders_complete_due(today=TODAY + timedelta(days=61)) == 1
    case.refresh_from_db()
    assert case.state == State.COMPLETED
    kinds = list(world.pupil.timeline.filter(details__order=case.pk).values_list(
        "kind", flat=True))
    for step in ("order_requested", "order_panel_decided", "order_applied", "order_outcome",
                 "order_ro_meeting", "order_ro_confirmed", "order_breach", "order_completed"):
        assert step in kinds


@pytest.mark.usefixtures("census_reasons")
def test_two_officers_recording_the_courts_decision_at_once_one_wins_the_other_is_told():
    from tests.orders.conftest import escalated_world

    world = escalated_world()
    case = at_panel(world)
    panel_decides(world, case)
    services.order_apply(actor=world.officer, case=case, court="Ashford", applied_on=TODAY)
    services.order_hearing(actor=world.officer, case=case, hearing_on=TODAY)
    url = reverse("order-action", args=[case.pk, "outcome"])
    on = {"decided_on_0": TODAY.day, "decided_on_1": TODAY.month, "decided_on_2": TODAY.year}
    forms = [
        (world.officer, {"outcome": "made", **on, "made_at_time": "10:00",
                         "requirements": "Attend the reviews", "responsible_officer":
                         world.officer.pk, "requirements_end_on_0": TODAY.day,
                         "requirements_end_on_1": (TODAY.month % 12) + 1,
                         "requirements_end_on_2": TODAY.year + (TODAY.month == 12)}),
        (world.partnerships, {"outcome": "refused", **on, "reasons": "Not satisfied"}),
    ]
    responses = post_at_once(*((user, url, form) for user, form in forms))
    assert sorted(r.status_code for r in responses) == [200, 302]
    told = next(r for r in responses if r.status_code == 200).content.decode()
    assert "changed by someone else" in told or "only when the case is listed for a hearing" in told
    case.refresh_from_db()
    assert case.state in {State.RUNNING, State.REFUSED}
    assert world.pupil.timeline.filter(kind="order_outcome").count() == 1
