"""Every POST is safe to repeat. For each POST route in the URL configuration, the same form
sent twice at once (a double click, 50 ms apart, from two connections) does exactly what it
does sent once, and both answers lead to the same place."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from cases import submissions
from cases.models import Disposal, ExclusionReason, LocalAuthority, RetentionRule, StaffRole
from conduct import services as conduct_services
from contracts import services as contract_services
from contracts.models import Contract, Notification
from orders import services as order_services
from orders.models import OrderCase, ParentingProgramme
from reporting import services as reporting_services
from reporting.terms import ended_terms
from tests.clients import FormClient, authenticator_for
from tests.contracts.helpers import CONTENT, MEETING
from tests.factories import (
    FREE_LETTER,
    AgencyFactory,
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    free_letter_form,
    staff,
    valid_upn,
)
from tests.test_access_matrix import NOT_USER_FACING, url_names

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = date.today()
RECORDED_APPS = {"cases", "conduct", "contracts", "letters", "orders", "reporting"}
# Answering these twice changes nothing by their nature: signing in or out again, and the
# second step of signing in (a code is accepted once, an authenticator set up once).
UNGUARDED = {"login", "logout", "two-step-code", "two-step-set-up"}


def on(day: date, prefix: str) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


class Target:
    """One pupil with a parent, an exclusion, a signed contract and its LA notification: what
    a form can be sent about. A route is tried on one target once and another twice."""

    def __init__(self, school, actor, agency, headteacher, *, submit_term, take_term):
        self.agency = agency
        self.pupil = PupilFactory(school=school)
        self.parent = PupilParentFactory(pupil=self.pupil).parent
        self.exclusion = ExclusionFactory(pupil=self.pupil,
                                          start_date=TODAY - timedelta(days=5))
        self.waiting = PupilParentFactory(pupil=PupilFactory(school=school)).pupil
        ExclusionFactory(pupil=self.waiting, start_date=TODAY - timedelta(days=5))
        # Where a pupil with no contract open (the waiting one) can move to.
        self.elsewhere = SchoolFactory(local_authority=school.local_authority)
        self.contract = contract_services.contract_create(
            actor=actor, pupil=self.pupil, kind="behaviour", parents=[self.parent])
        contract_services.contract_update_content(actor=actor, contract=self.contract,
                                                  **CONTENT)
        contract_services.contract_offer(actor=actor, contract=self.contract,
                                         letter_facts=MEETING, method="post")
        contract_services.contract_sign(actor=actor, contract=self.contract, method="post",
                                        signatures=[{"name": "P", "role": "parent"}],
                                        consents={self.parent.pk: "given"})
        self.notification = Notification.objects.get(contract=self.contract)
        # An escalated contract (as the ladder would leave it; the path is tested elsewhere)
        # and an order made on another pupil.
        escalated = PupilParentFactory(pupil=PupilFactory(school=school))
        self.escalated = contract_services.contract_create(
            actor=actor, pupil=escalated.pupil, kind="behaviour", parents=[escalated.parent])
        Contract.objects.filter(pk=self.escalated.pk).update(
            state="escalated", signed_on=TODAY, closed_on=TODAY)
        ordered = PupilParentFactory(pupil=PupilFactory(school=school))
        self.order = order_services.order_request(
            actor=actor, pupil=ordered.pupil, parents=[ordered.parent], reasons="Exclusions")
        OrderCase.objects.filter(pk=self.order.pk).update(
            state="running", made_at=timezone.now(), outcome_on=TODAY)
        self.conduct = conduct_services.incident_record(
            actor=headteacher, pupil=self.pupil, occurred_at=timezone.now() - timedelta(hours=1),
            place="gate", channel="phone", categories=["verbal_abuse"], description="Shouting",
            affected=["staff"], parents=[self.parent]).adults.get()
        # A return taken, for the headteacher to submit; another term, for taking returns.
        self.submit_term, self.take_term = submit_term, take_term
        self.termly_return = reporting_services.return_take(school_id=school.pk,
                                                            term=submit_term)
        # A pupil who left, due for disposal (the schedule is set to nothing kept, here).
        gone = PupilParentFactory(pupil=PupilFactory(school=school, left_on=TODAY)).pupil
        self.disposal = Disposal.objects.create(
            kind="case_file", subject_id=gone.pk, school=school,
            local_authority=school.local_authority, label="Case file", kept_since=TODAY)
        # Someone whose two-step sign-in the LA admin resets.
        self.member = staff(StaffRole.SCHOOL_LEAD, school)
        authenticator_for(self.member)
        self.programme = ParentingProgramme.objects.create(
            local_authority=school.local_authority, name=f"Triple P {self.pupil.pk}",
            provider="Early Help", sessions=8, places=4)


# Each POST route: who sends it, its address for a target, and the form's fields.
def _forms():
    return {
        "pupil-add": ("lead", lambda t: reverse("pupil-add"), lambda t: {
            "first_name": "Ada", "last_name": "Lovelace", **on(date(2013, 5, 1), "date_of_birth"),
            "upn": valid_upn(), "school": t.pupil.school_id, "sen_status": "none"}),
        "parent-add": ("lead", lambda t: reverse("parent-add", args=[t.pupil.pk]), lambda t: {
            "first_name": "Kofi", "last_name": "Mensah", "relationship": "birth_parent",
            "preferred_language": "en"}),
        "exclusion-add": ("lead", lambda t: reverse("exclusion-add", args=[t.pupil.pk]),
                          lambda t: {"kind": "suspension", **on(TODAY, "start_date"),
                                     "school_days": "1",
                                     "reasons": [ExclusionReason.objects.get(code="PP").pk]}),
        "pupil-move": ("lead", lambda t: reverse("pupil-move", args=[t.waiting.pk]),
                       lambda t: {"to_school": t.elsewhere.dfe_number, **on(TODAY, "moved_on")}),
        "pupil-leave": ("lead", lambda t: reverse("pupil-leave", args=[t.waiting.pk]),
                        lambda t: {**on(TODAY, "left_on"), "left_for": "home_education"}),
        "exclusion-process-ended": (
            "lead", lambda t: reverse("exclusion-process-ended",
                                      args=[t.pupil.pk, t.exclusion.pk]),
            lambda t: on(TODAY, "ended_on")),
        "exclusion-in-error": (
            "lead", lambda t: reverse("exclusion-in-error", args=[t.pupil.pk, t.exclusion.pk]),
            lambda t: {"reason": "Recorded for the wrong pupil"}),
        "agency-involvement-add": (
            "lead", lambda t: reverse("agency-involvement-add", args=[t.pupil.pk]),
            lambda t: {"agency": t.agency.pk, "key_worker": "Jo", **on(TODAY, "started_on")}),
        "meeting-add": ("lead", lambda t: reverse("meeting-add", args=[t.pupil.pk]),
                        lambda t: {**on(TODAY, "held_on"), "purpose": "Review",
                                   "attendees": "Sam", "decisions": "Carry on"}),
        "document-add": ("lead", lambda t: reverse("document-add", args=[t.pupil.pk]),
                         lambda t: {"title": "Statement", "category": "other",
                                    "file": SimpleUploadedFile("s.pdf", b"%PDF-1.4 x")}),
        "letter-new": (
            "lead", lambda t: reverse("letter-new", args=[t.pupil.pk, FREE_LETTER]),
            lambda t: free_letter_form([t.parent.pk])),
        "letter-template-edit": (
            "headteacher",
            lambda t: reverse("letter-template-edit",
                              args=["school", t.pupil.school_id, "conduct_reminder", "en"]),
            lambda t: {"body": "<p>Dear {{ salutation }}</p>"}),
        "contract-start": (
            "lead", lambda t: reverse("contract-start", args=[t.waiting.pk]),
            lambda t: {"kind": "attendance", "parents": [t.waiting.parent_links.get().parent_id]}),
        "contract-action": (
            "lead", lambda t: reverse("contract-action", args=[t.contract.pk, "contact"]),
            lambda t: {"kind": "phone", **on(TODAY, "occurred_on"), "parent_took_part": "no",
                       "notes": "No answer"}),
        "contract-invitations-new": (
            "lead", lambda t: reverse("contract-invitations-new"),
            lambda t: {"method": "post", "meeting_time": "10am", "meeting_place": "School",
                       "contact": "Office", **on(TODAY + timedelta(days=7), "meeting_on"),
                       **on(TODAY + timedelta(days=5), "reply_by")}),
        "notification-acknowledge": (
            "officer", lambda t: reverse("notification-acknowledge", args=[t.notification.pk]),
            lambda t: {}),
        "order-start": ("lead", lambda t: reverse("order-start", args=[t.pupil.pk]),
                        lambda t: {"parents": [t.parent.pk], "reasons": "Exclusions"}),
        "order-open-from-contract": (
            "officer", lambda t: reverse("order-open-from-contract", args=[t.escalated.pk]),
            lambda t: {}),
        "programme-add": ("officer", lambda t: reverse("programme-add"), lambda t: {
            "local_authority": t.pupil.school.local_authority_id,
            "name": f"Family Links {t.pupil.pk}", "provider": "Family Links", "sessions": "8",
            "places": "6", "active": "on"}),
        "programme-edit": (
            "officer", lambda t: reverse("programme-edit", args=[t.programme.pk]),
            lambda t: {"local_authority": t.pupil.school.local_authority_id,
                       "name": t.programme.name, "provider": "Family Links", "sessions": "10",
                       "places": "3", "revision": "0"}),
        "conduct-incident-new": (
            "headteacher", lambda t: reverse("conduct-incident-new", args=[t.pupil.pk]),
            lambda t: {"parents": [t.parent.pk], **on(TODAY - timedelta(days=1), "occurred_on"),
                       "occurred_time": "09:00", "place": "gate", "channel": "phone",
                       "categories": ["threats"], "description": "Threats",
                       "affected": ["staff"], "police_contacted": "no",
                       "safeguarding_referral": "no"}),
        "conduct-action": (
            "headteacher", lambda t: reverse("conduct-action", args=[t.conduct.pk, "warning"]),
            lambda t: {"incident": t.conduct.incidents.get().pk, "summary": "Shouting",
                       "method": "post"}),
        "return-take": ("officer", lambda t: reverse("return-take"),
                        lambda t: {"la": t.pupil.school.local_authority.code,
                                   "term": t.take_term.key}),
        "return-submit": (
            "headteacher",
            lambda t: reverse("return-submit", args=[t.pupil.school_id, t.submit_term.key]),
            lambda t: {"revision": t.termly_return.pk}),
        # Whose data and when the request came are chosen first, in the address.
        "subject-access-request": (
            "headteacher", lambda t: reverse("subject-access-request", args=[t.pupil.pk])
            + f"?who=parent-{t.parent.pk}&received_on_0=2&received_on_1=2&received_on_2=2026",
            lambda t: {}),
        "order-action": (
            "officer", lambda t: reverse("order-action", args=[t.order.pk, "contact"]),
            lambda t: {"kind": "phone", **on(TODAY, "occurred_on"), "occurred_time": "09:00",
                       "parent_took_part": "no", "notes": "No answer"}),
        "disposal-review": ("la_admin",
                            lambda t: reverse("disposal-review", args=[t.disposal.pk]),
                            lambda t: {}),
        "two-step-reset": (
            "la_admin", lambda t: reverse("two-step-reset",
                                          args=[t.pupil.school.local_authority_id,
                                                t.member.pk]),
            lambda t: {}),
        # Each target asks for the other answer than the LA's rule has now: a change.
        "two-step-school-staff": (
            "la_admin", lambda t: reverse("two-step-school-staff",
                                          args=[t.pupil.school.local_authority_id]),
            lambda t: {"required": "no" if LocalAuthority.objects.get(
                pk=t.pupil.school.local_authority_id).two_step_for_school_staff else "yes"}),
    }


@pytest.fixture
def world(census_reasons, retention_schedule):
    # Nothing kept, so that a disposal is due today.
    RetentionRule.objects.update(years=0)
    la = LocalAuthorityFactory(code="901")
    school = SchoolFactory(local_authority=la)
    users = {"lead": staff(StaffRole.SCHOOL_LEAD, school),
             "headteacher": staff(StaffRole.HEADTEACHER, school),
             "officer": staff(StaffRole.LA_DESIGNATED_OFFICER, la),
             "la_admin": staff(StaffRole.LA_ADMIN, la)}
    agency = AgencyFactory(local_authority=la)
    terms = ended_terms(la, TODAY)
    return {"users": users,
            "once": Target(school, users["lead"], agency, users["headteacher"],
                           submit_term=terms[0], take_term=terms[2]),
            "twice": Target(school, users["lead"], agency, users["headteacher"],
                            submit_term=terms[1], take_term=terms[3])}


def recorded() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in RECORDED_APPS and model.__name__ != "Submission"}


def changes(before: dict, after: dict) -> dict:
    return {label: after[label] - before[label] for label in after
            if after[label] != before[label]}


def test_every_post_route_has_a_form_here(db):
    post_routes = set(_forms()) | UNGUARDED
    get_only = {"dashboard", "health", "pupil-search", "pupil-detail", "pupil-eligibility",
                "contract-eligible-list", "document-download", "letter-kinds",
                "letter-download", "letter-template-list", "letter-batch-detail",
                "contract-list", "contract-detail", "contract-pdf", "la-queue", "order-list",
                "order-detail", "order-pack", "order-pack-download", "programme-list",
                "conduct-record", "conduct-access-log", "conduct-letter-download",
                "conduct-evidence-download", "return-list", "return-export",
                "return-series", "return-detail", "reminder-list",
                "return-annual", "subject-access-download", "staff-sign-in",
                "data-protection", "access-log", "retention",
                "two-step-recovery-codes"}
    assert url_names() == post_routes | get_only, (
        "Give each new route a form in this test, or list it as GET only")
    assert "admin" in NOT_USER_FACING


def send(url: str, data: dict, user, key: str, answers: list, delay: float = 0.0):
    time.sleep(delay)
    try:
        client = FormClient()
        client.force_login(user)
        answers.append(client.post(url, {**data, submissions.FIELD: key}))
    finally:
        connections.close_all()


@pytest.mark.parametrize("name", sorted(_forms()))
def test_a_form_sent_twice_at_once_does_what_it_does_once(world, name):
    who, url_of, data_of = _forms()[name]
    user = world["users"][who]

    before = recorded()
    once = []
    send(url_of(world["once"]), data_of(world["once"]), user, submissions.new_key(), once)
    assert once[0].status_code == 302, once[0].content.decode()[:2000]
    done_once = changes(before, recorded())
    assert done_once, f"{name} changed nothing: the test cannot tell a repeat"

    before = recorded()
    key, answers = submissions.new_key(), []
    threads = [threading.Thread(target=send, args=(url_of(world["twice"]),
                                                   data_of(world["twice"]), user, key,
                                                   answers, delay))
               for delay in (0.0, 0.05)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert changes(before, recorded()) == done_once


def test_a_repeat_later_is_told_it_was_already_done(world):
    who, url_of, data_of = _forms()["exclusion-add"]
    client = FormClient()
    client.force_login(world["users"][who])
    data = {**data_of(world["once"]), submissions.FIELD: submissions.new_key()}
    first = client.post(url_of(world["once"]), data)
    second = client.post(url_of(world["once"]), data, follow=True)
    assert second.redirect_chain[0][0] == first["Location"]
    assert submissions.REPEATED in second.content.decode()
    assert world["once"].pupil.exclusions.count() == 2


def test_a_form_without_its_key_is_refused_and_changes_nothing(world):
    who, url_of, data_of = _forms()["exclusion-add"]
    client = FormClient()
    client.force_login(world["users"][who])
    before = recorded()
    response = client.post(url_of(world["once"]),
                           {**data_of(world["once"]), submissions.FIELD: "not-a-key"})
    assert response.status_code == 400
    assert recorded() == before


def test_a_refused_form_keeps_nothing_so_the_corrected_one_can_be_sent(world):
    who, url_of, data_of = _forms()["exclusion-add"]
    client = FormClient()
    client.force_login(world["users"][who])
    key = submissions.new_key()
    wrong = {**data_of(world["once"]), "school_days": "", submissions.FIELD: key}
    assert client.post(url_of(world["once"]), wrong).status_code == 200
    right = {**data_of(world["once"]), submissions.FIELD: key}
    assert client.post(url_of(world["once"]), right).status_code == 302
    assert world["once"].pupil.exclusions.count() == 2
