"""Every user-facing URL × every role × own school, another school in the same LA, and
another LA. The matrix is built from the URL configuration: a new URL without an entry in
ACCESS fails test_every_url_has_an_entry."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases import services
from cases.models import Disposal, Document, Exclusion, StaffRole, SubjectAccessExport
from cases.workdays import default_terms
from conduct import services as conduct_services
from contracts import services as contract_services
from letters import services as letter_services
from letters.models import LetterBatch
from orders import services as order_services
from orders.models import ParentingProgramme
from orders.pack import pack_build
from tests.clients import FormClient as Client
from tests.factories import (
    FREE_LETTER,
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    free_letter_facts,
    staff,
)

# The Django admin is for system operators (is_staff), with its own sign-in; it is not part
# of what the roles below use. test_admin_needs_staff_status covers it.
NOT_USER_FACING = {"admin"}
PUBLIC = {"login", "health"}
# The second step of signing in: reachable before it is done, leading on once it is
# (test_the_sign_in_steps_lead_on_once_done).
SIGN_IN_STEPS = {"two-step-code", "two-step-set-up", "two-step-recovery-codes"}

SCHOOL_RECORDERS = {StaffRole.SCHOOL_LEAD, StaffRole.HEADTEACHER}
LA_READERS = {
    StaffRole.LA_DESIGNATED_OFFICER, StaffRole.HEAD_OF_PARTNERSHIPS,
    StaffRole.LEGAL_PANEL_MEMBER, StaffRole.LA_ADMIN,
}
LA_RECORDERS = LA_READERS - {StaffRole.LEGAL_PANEL_MEMBER}
NAME_READERS = SCHOOL_RECORDERS | {StaffRole.CHAIR_OF_GOVERNORS} | LA_READERS
ALL_ROLES = set(StaffRole)
QUEUE_ROLES = {StaffRole.LA_DESIGNATED_OFFICER, StaffRole.HEAD_OF_PARTNERSHIPS,
               StaffRole.LA_ADMIN}
# Conduct records are about adults: the headteacher and the LA designated officer record them,
# the chair of governors reads them too; everyone else who reads the case sees only the
# arrangements in force.
CONDUCT_RECORDERS = {StaffRole.HEADTEACHER, StaffRole.LA_DESIGNATED_OFFICER}
CONDUCT_READERS = CONDUCT_RECORDERS | {StaffRole.CHAIR_OF_GOVERNORS}
# Returns are counts: every role counts its school or LA; the LA's officers and a school's
# headteacher take them, the headteacher submits.
LA_ROLES = LA_READERS | {StaffRole.INFORMATION_OFFICER}
RETURN_TAKERS = {StaffRole.HEADTEACHER, StaffRole.LA_DESIGNATED_OFFICER,
                 StaffRole.HEAD_OF_PARTNERSHIPS, StaffRole.INFORMATION_OFFICER,
                 StaffRole.LA_ADMIN}
DATA_PROTECTION = {StaffRole.HEADTEACHER, StaffRole.LA_ADMIN}


def _last_term_ended() -> str:
    """The latest term ended before today, by the default term dates the test LAs use."""
    today = date.today()
    ended = [(end, f"{year}-{name}") for year in (today.year - 1, today.year)
             for name, _start, end in default_terms(year) if end < today]
    return max(ended)[1]


LAST_TERM = _last_term_ended()


def url_names(patterns=None, namespace=None) -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in NOT_USER_FACING:
                continue
            names |= url_names(pattern.url_patterns, pattern.namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


@dataclass(frozen=True)
class Rule:
    """Who gets 200 for a URL at each place. `target` picks the object: own school, another
    school in the same LA, another LA. Everyone else gets `refused` (404 outside scope, 403
    for a role that may read the case but not record on it)."""

    kwargs: str  # "" (no object), or what the URL names: see url_for
    own: frozenset
    same_la: frozenset = frozenset()
    forbidden_in_scope: frozenset = frozenset()
    method: str = "get"


def rule(kwargs, own, same_la=(), forbidden=(), method="get"):
    return Rule(kwargs, frozenset(own), frozenset(same_la), frozenset(forbidden), method)


RECORD = rule(
    "pupil", SCHOOL_RECORDERS | LA_RECORDERS, LA_RECORDERS,
    forbidden={StaffRole.CHAIR_OF_GOVERNORS, StaffRole.LEGAL_PANEL_MEMBER},
)
SUBJECT_ACCESS = rule(
    "pupil", {StaffRole.HEADTEACHER, StaffRole.LA_ADMIN}, {StaffRole.LA_ADMIN},
    forbidden=NAME_READERS - {StaffRole.HEADTEACHER, StaffRole.LA_ADMIN},
)
ACCESS: dict[str, Rule] = {
    "dashboard": rule("", ALL_ROLES),
    "pupil-search": rule("", NAME_READERS),
    "pupil-add": rule(
        "", SCHOOL_RECORDERS | LA_RECORDERS,
        forbidden={StaffRole.CHAIR_OF_GOVERNORS, StaffRole.LEGAL_PANEL_MEMBER,
                   StaffRole.INFORMATION_OFFICER},
    ),
    "pupil-detail": rule("pupil", NAME_READERS, LA_READERS),
    "pupil-eligibility": rule("pupil", NAME_READERS, LA_READERS),
    "contract-eligible-list": rule("", NAME_READERS),
    # The own pupil has a contract running: the move pages answer with why not (200).
    "pupil-move": RECORD,
    "pupil-leave": RECORD,
    "parent-add": RECORD,
    "exclusion-add": RECORD,
    "exclusion-process-ended": rule(
        "exclusion", SCHOOL_RECORDERS | LA_RECORDERS, LA_RECORDERS,
        forbidden={StaffRole.CHAIR_OF_GOVERNORS, StaffRole.LEGAL_PANEL_MEMBER},
    ),
    "exclusion-in-error": rule(
        "exclusion", SCHOOL_RECORDERS | LA_RECORDERS, LA_RECORDERS,
        forbidden={StaffRole.CHAIR_OF_GOVERNORS, StaffRole.LEGAL_PANEL_MEMBER},
    ),
    "agency-involvement-add": RECORD,
    "meeting-add": RECORD,
    "document-add": RECORD,
    "document-download": rule("document", NAME_READERS, LA_READERS),
    # Sign-out is a POST; every role may sign out.
    "logout": rule("", ALL_ROLES, method="post"),
    "letter-kinds": RECORD,
    "letter-new": rule(
        "pupil+kind", SCHOOL_RECORDERS | LA_RECORDERS, LA_RECORDERS,
        forbidden={StaffRole.CHAIR_OF_GOVERNORS, StaffRole.LEGAL_PANEL_MEMBER},
    ),
    "letter-download": rule("letter", NAME_READERS, LA_READERS),
    "letter-template-list": rule(
        "", {StaffRole.HEADTEACHER, StaffRole.LA_ADMIN},
        forbidden=ALL_ROLES - {StaffRole.HEADTEACHER, StaffRole.LA_ADMIN},
    ),
    # A school's wording: only its headteacher changes it (the LA admin changes the LA's).
    "letter-template-edit": rule("school-wording", {StaffRole.HEADTEACHER}),
    "contract-invitations-new": rule(
        "", SCHOOL_RECORDERS | LA_RECORDERS,
        forbidden={StaffRole.CHAIR_OF_GOVERNORS, StaffRole.LEGAL_PANEL_MEMBER,
                   StaffRole.INFORMATION_OFFICER},
    ),
    # A batch is its requester's (the LA admin here).
    "letter-batch-detail": rule("batch", {StaffRole.LA_ADMIN}),
    "contract-list": rule("", ALL_ROLES),
    "contract-start": RECORD,
    "contract-detail": rule("contract", NAME_READERS, LA_READERS),
    "contract-pdf": rule("contract", NAME_READERS, LA_READERS),
    "contract-action": rule(
        "contract+action", SCHOOL_RECORDERS | LA_RECORDERS, LA_RECORDERS,
        forbidden={StaffRole.CHAIR_OF_GOVERNORS, StaffRole.LEGAL_PANEL_MEMBER},
    ),
    "la-queue": rule("", QUEUE_ROLES, forbidden=ALL_ROLES - QUEUE_ROLES),
    "order-list": rule("", NAME_READERS),
    "order-start": RECORD,
    # Opening a request from an escalated contract is the LA's; the school sees why not.
    "order-open-from-contract": rule(
        "contract", LA_RECORDERS, LA_RECORDERS, method="post",
        forbidden=SCHOOL_RECORDERS | {StaffRole.CHAIR_OF_GOVERNORS,
                                      StaffRole.LEGAL_PANEL_MEMBER}),
    "order-detail": rule("order", NAME_READERS, LA_READERS),
    # The final warning is the school's or the LA's to issue; readers are told why not.
    "order-action": rule(
        "order+action", SCHOOL_RECORDERS | LA_RECORDERS, LA_RECORDERS,
        forbidden={StaffRole.CHAIR_OF_GOVERNORS, StaffRole.LEGAL_PANEL_MEMBER}),
    "order-pack": rule("pack", NAME_READERS, LA_READERS),
    "order-pack-download": rule("pack", NAME_READERS, LA_READERS),
    "programme-list": rule("", NAME_READERS),
    "programme-add": rule("", LA_RECORDERS, forbidden=NAME_READERS - LA_RECORDERS),
    # The LA's catalogue: its officers change an entry, everyone who reads its cases is told
    # why not, and another LA's entry does not exist for them.
    "programme-edit": rule("programme", LA_RECORDERS, forbidden=NAME_READERS - LA_RECORDERS),
    "conduct-incident-new": rule(
        "pupil", CONDUCT_RECORDERS, {StaffRole.LA_DESIGNATED_OFFICER},
        forbidden=NAME_READERS - CONDUCT_RECORDERS),
    # Everyone who reads the case opens the adult: conduct readers the record, the rest the
    # arrangements they must follow.
    "conduct-record": rule("conduct", NAME_READERS, LA_READERS),
    "conduct-action": rule(
        "conduct+action", CONDUCT_RECORDERS, {StaffRole.LA_DESIGNATED_OFFICER},
        forbidden={StaffRole.CHAIR_OF_GOVERNORS}),
    "conduct-access-log": rule(
        "conduct", CONDUCT_RECORDERS, {StaffRole.LA_DESIGNATED_OFFICER},
        forbidden={StaffRole.CHAIR_OF_GOVERNORS}),
    "conduct-letter-download": rule("conduct-letter", CONDUCT_READERS,
                                    {StaffRole.LA_DESIGNATED_OFFICER}),
    "conduct-evidence-download": rule("conduct-evidence", CONDUCT_READERS,
                                      {StaffRole.LA_DESIGNATED_OFFICER}),
    "return-list": rule("", ALL_ROLES),
    "reminder-list": rule("", ALL_ROLES),
    "return-annual": rule("year", ALL_ROLES),
    "return-take": rule("", RETURN_TAKERS, forbidden=ALL_ROLES - RETURN_TAKERS, method="post"),
    "return-export": rule("csv", ALL_ROLES),
    "return-series": rule("csv", ALL_ROLES),
    "return-detail": rule("school-term", ALL_ROLES, LA_ROLES),
    "return-submit": rule("school-term", {StaffRole.HEADTEACHER}, method="post",
                          forbidden=ALL_ROLES - {StaffRole.HEADTEACHER}),
    # Data protection: the headteacher answers for the school, the LA admin for the LA.
    "data-protection": rule("", DATA_PROTECTION, forbidden=ALL_ROLES - DATA_PROTECTION),
    "access-log": rule("", DATA_PROTECTION, forbidden=ALL_ROLES - DATA_PROTECTION),
    # Disposals are the LA admin's to confirm; a disposal of another LA does not exist.
    "retention": rule("", {StaffRole.LA_ADMIN}, forbidden=ALL_ROLES - {StaffRole.LA_ADMIN}),
    "disposal-review": rule("disposal", {StaffRole.LA_ADMIN}, {StaffRole.LA_ADMIN}),
    # Subject access requests are the data protection role's: the headteacher for the
    # school, the LA admin for the LA; everyone else who reads the case is told why not.
    "subject-access-request": SUBJECT_ACCESS,
    "subject-access-download": replace(SUBJECT_ACCESS, kwargs="subject-access"),
    # Noting a notification is a POST, by the LA's queue roles, for their own LA only.
    "notification-acknowledge": rule("notification", QUEUE_ROLES, QUEUE_ROLES, method="post"),
    # Staff sign-in is the LA admin's, for their own LA (the same-LA school's LA is theirs);
    # for everyone else the page does not exist.
    "staff-sign-in": rule("la", {StaffRole.LA_ADMIN}, {StaffRole.LA_ADMIN}),
    "two-step-school-staff": rule("la", {StaffRole.LA_ADMIN}, {StaffRole.LA_ADMIN}),
    "two-step-reset": rule("la+member", {StaffRole.LA_ADMIN}, {StaffRole.LA_ADMIN}),
}


def test_every_url_has_an_entry():
    missing = url_names() - set(ACCESS) - PUBLIC - SIGN_IN_STEPS
    assert not missing, f"Add these URLs to the access matrix: {sorted(missing)}"
    assert not set(ACCESS) - url_names(), "The matrix names URLs that no longer exist"


@pytest.fixture
def world(db):
    return make_world()


def make_world() -> tuple[dict, dict]:
    """Two LAs; the first has two schools. One user per role at the first LA / school."""
    own_la = LocalAuthorityFactory(code="901")
    own_school = SchoolFactory(local_authority=own_la)
    same_la_school = SchoolFactory(local_authority=own_la)
    other_school = SchoolFactory(local_authority=LocalAuthorityFactory(code="902"))
    users = {
        role: staff(role, own_school if role in SCHOOL_RECORDERS | {
            StaffRole.CHAIR_OF_GOVERNORS} else own_la)
        for role in StaffRole
    }
    recorder = staff(StaffRole.LA_ADMIN, own_la)
    other_recorder = staff(StaffRole.LA_ADMIN, other_school.local_authority)
    places = {}
    for place, school in (("own", own_school), ("same_la", same_la_school),
                          ("other_la", other_school)):
        pupil = PupilFactory(school=school)
        link = PupilParentFactory(pupil=pupil)
        exclusion = ExclusionFactory(pupil=pupil, start_date=date.today() - timedelta(days=5))
        # Another pupil with a recent exclusion and no contract yet: eligible for one, so
        # there are invitations to send.
        waiting = PupilParentFactory(pupil=PupilFactory(school=school)).pupil
        ExclusionFactory(pupil=waiting, start_date=date.today() - timedelta(days=5))
        actor = other_recorder if place == "other_la" else recorder
        document = services.document_upload(
            actor=actor, pupil=pupil, title="Statement",
            upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4 statement"),
        )
        letter = letter_services.letter_issue(actor=actor, draft=letter_services.Draft(
            pupil=pupil, kind=FREE_LETTER, language="en", recipients=[link.parent],
            method="post", facts=free_letter_facts(),
        ))
        contract = contract_services.contract_create(
            actor=actor, pupil=pupil, kind="behaviour", parents=[link.parent])
        contract_services.contract_update_content(
            actor=actor, contract=contract, concerns="c", aims="a", objectives="o; h; w",
            support="s", parent_requirements="p", starts_on=date.today(),
            review_on=date.today() + timedelta(days=40),
            ends_on=date.today() + timedelta(days=120))
        contract_services.contract_offer(actor=actor, contract=contract, method="post",
                                         letter_facts={"meeting_on": date.today(),
                                                       "meeting_time": "10am",
                                                       "meeting_place": "School",
                                                       "contact": "Office",
                                                       "reply_by": date.today()})
        contract_services.contract_sign(actor=actor, contract=contract, method="post",
                                        signatures=[{"name": "P", "role": "parent"}],
                                        consents={link.parent.pk: "given"})
        order = order_services.order_request(actor=actor, pupil=pupil, parents=[link.parent],
                                             reasons="Exclusions and breaches")
        order_services.order_start_review(actor=actor, case=order)
        pack = order_services.order_pack_request(actor=actor, case=order)
        pack_build(pack_id=pack.pk)
        places[place] = {"pupil": pupil, "parent": link.parent, "document": document,
                         "letter": letter, "school": school, "contract": contract,
                         "order": order, "pack": pack,
                         "programme": ParentingProgramme.objects.get_or_create(
                             local_authority=school.local_authority, name="Family Links",
                             defaults={"provider": "Family Links", "sessions": 8,
                                       "places": 4})[0],
                         "exclusion": exclusion, **conduct_case(pupil, link.parent),
                         "disposal": Disposal.objects.create(
                             kind="case_file", subject_id=pupil.pk, school=school,
                             local_authority=school.local_authority, label="Case file",
                             kept_since=date.today()),
                         "member": staff(StaffRole.SCHOOL_LEAD, school),
                         "notification": contract.notifications.get(),
                         "subject_access": SubjectAccessExport.objects.create(
                             pupil=pupil, received_on=date.today(), answered_by=actor)}
    batch = LetterBatch.objects.create(
        kind="contract_invitation", facts={}, method="post",
        requested_by=users[StaffRole.LA_ADMIN], status="done",
    )
    for target in places.values():
        target["batch"] = batch
    return users, places


def conduct_case(pupil, parent) -> dict:
    """An adult banned at once, with an incident, its evidence and the ban letter: recorded by
    the LA designated officer of the school's LA."""
    officer = staff(StaffRole.LA_DESIGNATED_OFFICER, pupil.school.local_authority)
    incident = conduct_services.incident_record(
        actor=officer, pupil=pupil, occurred_at=timezone.now(), place="gate",
        channel="face_to_face", categories=["threats"], description="Threats",
        affected=["staff"], parents=[parent],
        files=[("Statement", SimpleUploadedFile("s.pdf", b"%PDF-1.4 statement"))])
    record = incident.adults.get()
    step = conduct_services.ban_at_once(actor=officer, record=record, incident=incident,
                                        summary="Threats", reasons="Immediate risk",
                                        method="post")
    return {"conduct": record, "conduct_letter": step.letter,
            "conduct_evidence": incident.evidence.get()}


def url_for(name: str, kwargs: str, target: dict) -> str:
    pupil_id = target["pupil"].pk
    by_kind = {
        "": {},
        "pupil": {"pupil_id": pupil_id},
        "pupil+kind": {"pupil_id": pupil_id, "kind": FREE_LETTER},
        "document": {"pupil_id": pupil_id, "document_id": target["document"].pk},
        "letter": {"pupil_id": pupil_id, "letter_id": target["letter"].pk},
        "school-wording": {"owner_type": "school", "owner_id": target["school"].pk,
                           "kind": "conduct_reminder", "language": "en"},
        "batch": {"batch_id": target["batch"].pk},
        "contract": {"contract_id": target["contract"].pk},
        "exclusion": {"pupil_id": pupil_id, "exclusion_id": target["exclusion"].pk},
        "contract+action": {"contract_id": target["contract"].pk, "action": "contact"},
        "notification": {"notification_id": target["notification"].pk},
        "order": {"case_id": target["order"].pk},
        "order+action": {"case_id": target["order"].pk, "action": "final_warning"},
        "conduct": {"record_id": target["conduct"].pk},
        "csv": {"fmt": "csv"},
        "year": {"year": int(LAST_TERM[:4])},
        "school-term": {"school_id": target["school"].pk, "term_key": LAST_TERM},
        "conduct+action": {"record_id": target["conduct"].pk, "action": "review"},
        "conduct-letter": {"record_id": target["conduct"].pk,
                           "letter_id": target["conduct_letter"].pk},
        "conduct-evidence": {"record_id": target["conduct"].pk,
                             "evidence_id": target["conduct_evidence"].pk},
        "pack": {"pack_id": target["pack"].pk},
        "disposal": {"disposal_id": target["disposal"].pk},
        "programme": {"programme_id": target["programme"].pk},
        "subject-access": {"pupil_id": pupil_id,
                           "export_id": target["subject_access"].pk},
        "la": {"la_id": target["school"].local_authority_id},
        "la+member": {"la_id": target["school"].local_authority_id,
                      "user_id": target["member"].pk},
    }
    return reverse(name, kwargs=by_kind[kwargs])


def expected_status(entry: Rule, role: str, place: str) -> int:
    allowed_status = 302 if entry.method == "post" else 200
    if entry.kwargs == "school-term":
        counts = role in ALL_ROLES if place == "own" else place == "same_la" and role in LA_ROLES
        allowed = entry.own if place == "own" else entry.same_la if place == "same_la" else ()
        if role in allowed:
            return allowed_status
        return 403 if counts and role in entry.forbidden_in_scope else 404
    if entry.kwargs == "school-wording" and place != "own":
        return 404
    if entry.kwargs == "programme":
        if place == "other_la":
            return 404
        return allowed_status if role in entry.own else (
            403 if role in entry.forbidden_in_scope else 404)
    if entry.kwargs in {"la", "la+member"}:
        return allowed_status if role in (entry.own if place != "other_la" else ()) else 404
    if entry.kwargs in {"", "school-wording", "batch", "csv", "year"}:
        if role in entry.own:
            return allowed_status
        return 403 if role in entry.forbidden_in_scope else 404
    allowed = entry.own if place == "own" else entry.same_la if place == "same_la" else set()
    if role in allowed:
        return allowed_status
    in_scope = (place == "own" and role in NAME_READERS) or (
        place == "same_la" and role in LA_READERS
    )
    return 403 if in_scope and role in entry.forbidden_in_scope else 404


def all_names(places) -> list[str]:
    return [
        name
        for target in places.values()
        for person in (target["pupil"], target["parent"])
        for name in (person.first_name, person.last_name)
    ]


@pytest.mark.parametrize("role", list(StaffRole))
def test_each_role_sees_exactly_its_scope(world, role):
    users, places = world
    client = Client()
    client.force_login(users[role])
    failures = []
    for name, entry in ACCESS.items():
        # URLs that name no place, or one the user owns, are asked once.
        single = entry.kwargs in {"", "batch", "csv", "year"}
        targets = [("own", places["own"])] if single else places.items()
        for place, target in targets:
            url = url_for(name, entry.kwargs, target)
            response = getattr(client, entry.method)(url)
            want = expected_status(entry, role, place)
            if response.status_code != want:
                failures.append(f"{name} @ {place}: {response.status_code}, expected {want}")
            if role == StaffRole.INFORMATION_OFFICER and response.status_code == 200:
                body = response.content.decode(errors="replace")
                shown = [n for n in all_names(places) if n in body]
                if shown:
                    failures.append(f"{name} shows names to the information officer: {shown}")
            if entry.method == "post":
                client.force_login(users[role])
    assert not failures, "\n".join(failures)


def test_an_object_of_another_school_under_ones_own_pupil_is_not_found(world):
    """Every URL that names a pupil and something of theirs resolves that thing through the
    pupil: another school's exclusion, document or letter under one's own pupil is 404."""
    users, places = world
    client = Client()
    client.force_login(users[StaffRole.SCHOOL_LEAD])
    nested = {name: entry for name, entry in ACCESS.items() if entry.kwargs in {
        "exclusion", "document", "letter"}}
    assert set(nested) == {"exclusion-process-ended", "exclusion-in-error", "document-download",
                           "letter-download"}
    for name, entry in nested.items():
        own, other = places["own"], places["other_la"]
        mixed = {**other, "pupil": own["pupil"]}
        url = url_for(name, entry.kwargs, mixed)
        assert client.get(url).status_code == 404, name
        if name == "exclusion-process-ended":
            before = other["exclusion"].statutory_process_ended_on
            response = client.post(url, {"ended_on_0": "1", "ended_on_1": "1",
                                         "ended_on_2": "2026"})
            assert response.status_code == 404
            other["exclusion"].refresh_from_db()
            assert other["exclusion"].statutory_process_ended_on == before
        if name == "exclusion-in-error":
            response = client.post(url, {"reason": "Recorded for the wrong pupil"})
            assert response.status_code == 404
            other["exclusion"].refresh_from_db()
            assert other["exclusion"].in_error_at is None


def test_recording_outside_scope_is_404_and_changes_nothing(world):
    users, places = world
    client = Client()
    client.force_login(users[StaffRole.SCHOOL_LEAD])
    other = places["other_la"]["pupil"]
    before = Exclusion.objects.filter(pupil=other).count()
    response = client.post(
        reverse("exclusion-add", kwargs={"pupil_id": other.pk}),
        {"kind": "suspension", "start_date_0": "3", "start_date_1": "3",
         "start_date_2": "2026", "school_days": "1", "reasons": ["1"]},
    )
    assert response.status_code == 404
    assert Exclusion.objects.filter(pupil=other).count() == before


@pytest.mark.parametrize("name", sorted(set(ACCESS) | PUBLIC | SIGN_IN_STEPS))
def test_login_is_required_everywhere_but_sign_in_and_health(db, name):
    # Sign-in is asked for before any record is looked up, so any id will do.
    anything = SimpleNamespace(pk=1, local_authority_id=1)
    entry = ACCESS.get(name)
    target = dict.fromkeys(("pupil", "document", "letter", "school", "batch", "contract",
                            "notification", "exclusion", "order", "pack", "programme",
                            "conduct", "conduct_letter", "conduct_evidence", "disposal",
                            "subject_access", "member"),
                           anything)
    url = url_for(name, entry.kwargs, target) if entry else reverse(name)
    response = getattr(Client(), entry.method if entry else "get")(url)
    if name in PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", list(StaffRole))
def test_the_sign_in_steps_lead_on_once_done(world, role):
    """Signed in to the end (the second step done where the role needs it), the code and
    set-up pages lead on to where the user was going; the recovery codes page has none left
    to show."""
    users, _ = world
    client = Client()
    client.force_login(users[role])
    wanted = reverse("contract-list")
    for name in ("two-step-code", "two-step-set-up"):
        response = client.get(reverse(name), {"next": wanted})
        assert (response.status_code, response["Location"]) == (302, wanted), name
    assert client.get(reverse("two-step-recovery-codes")).status_code == 200


def test_the_sign_in_steps_never_lead_off_pact(world):
    users, _ = world
    client = Client()
    client.force_login(users[StaffRole.LA_ADMIN])
    for wanted in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get(reverse("two-step-code"), {"next": wanted})
        assert response["Location"] == reverse("dashboard"), wanted


def test_health_shows_no_personal_data(world):
    _, places = world
    body = Client().get(reverse("health")).content.decode()
    assert not [n for n in all_names(places) if n in body]


def test_admin_needs_staff_status(world):
    users, _ = world
    client = Client()
    client.force_login(users[StaffRole.LA_ADMIN])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_downloaded_document_is_an_attachment_that_is_not_cached(world):
    users, places = world
    client = Client()
    client.force_login(users[StaffRole.SCHOOL_LEAD])
    target = places["own"]
    response = client.get(url_for("document-download", "document", target))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 statement"
    assert Document.objects.count() == 3
