"""Composing, previewing and issuing letters. An issued letter is rendered once, and its PDF
bytes, SHA-256 and page count are stored with a timeline event in the same transaction."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.module_loading import import_string

from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import (
    SCHOOL_ROLES,
    LocalAuthority,
    Nation,
    ParentCarer,
    Pupil,
    School,
    StaffRole,
    TimelineEvent,
)
from cases.policies import policy_for

from . import kinds, rendering, selectors
from .models import (
    CONDUCT_KINDS,
    IssuedLetter,
    LetterBatch,
    LetterBatchItem,
    LetterKind,
    LetterLanguage,
    LetterTemplate,
)

logger = logging.getLogger(__name__)

ROLE_LABELS_CY = {
    StaffRole.SCHOOL_LEAD: "Arweinydd ysgol",
    StaffRole.HEADTEACHER: "Pennaeth",
    StaffRole.CHAIR_OF_GOVERNORS: "Cadeirydd y llywodraethwyr",
    StaffRole.LA_DESIGNATED_OFFICER: "Swyddog dynodedig yr awdurdod lleol",
    StaffRole.HEAD_OF_PARTNERSHIPS: "Pennaeth partneriaethau",
    StaffRole.LEGAL_PANEL_MEMBER: "Aelod o'r panel cyfreithiol",
    StaffRole.INFORMATION_OFFICER: "Swyddog gwybodaeth",
    StaffRole.LA_ADMIN: "Gweinyddwr yr awdurdod lleol",
}
AND = {"en": " and ", "cy": " a "}


@dataclass
class Draft:
    pupil: Pupil
    kind: str
    language: str
    recipients: list[ParentCarer]
    method: str
    facts: dict
    dated: date = field(default_factory=timezone.localdate)


def _require_recorder(actor, pupil: Pupil) -> None:
    if not case_selectors.user_may_record_for(actor, school=pupil.school):
        raise PermissionDenied("Your role can read this case but not write letters on it.")


def _organisation(organisation: School | LocalAuthority) -> dict:
    return {
        "name": organisation.name,
        "address_lines": kinds.lines(organisation.address),
        "phone": organisation.phone,
        "email": organisation.email,
    }


def _sender(actor, pupil: Pupil) -> tuple[School | LocalAuthority, str]:
    """Letters from school staff carry the school's letterhead; from LA staff, the LA's."""
    roles = case_selectors.staff_groups_of(actor)
    at_school = next((g for g in roles if g.school_id == pupil.school_id), None)
    if at_school or not roles:
        return pupil.school, at_school.role if at_school else ""
    la_role = next((g for g in roles if g.role not in SCHOOL_ROLES), roles[0])
    return pupil.school.local_authority, la_role.role


def _facts_for(draft: Draft) -> dict:
    """The facts as the template reads them, and the dates the rules decide."""
    facts = kinds.shaped(draft.kind, draft.facts)
    facts.update(kinds.derived_dates(
        draft.kind, dated=draft.dated, policy=policy_for(draft.pupil.school.local_authority),
        nation=draft.pupil.school.local_authority.nation,
    ))
    return facts


def wording_rendered(body: str, context: dict, *, language: str, source: str) -> str:
    """A letter's wording rendered with its facts, and the result checked: within the work a
    letter needs, and nothing in it but text in plain markup, whatever the source looked
    like (a tag split by a comment, say)."""
    try:
        html = rendering.render_body(body, context, language=language)
    except rendering.TooMuchWork as error:
        raise ValidationError(f"{source}: {error}") from error
    problems = rendering.markup_problems(html)
    if problems:
        raise ValidationError(
            [f"{source} produces what a letter may not contain, so it was not used."]
            + problems)
    return html


def _check_recipients(draft: Draft) -> None:
    linked = {link.parent_id for link in draft.pupil.parent_links.all()}
    if not draft.recipients:
        raise ValidationError({"recipients": "Select who the letter is to"})
    # A conduct letter may go to an adult who is not a parent on Pact (a partner, a
    # relative): the conduct record names them, and its service checks who they are.
    parents = [p for p in draft.recipients if isinstance(p, ParentCarer)]
    if draft.kind not in CONDUCT_KINDS and len(parents) < len(draft.recipients):
        raise ValidationError(
            {"recipients": "Letters go only to this pupil's parents and carers"})
    if any(parent.pk not in linked for parent in parents):
        raise ValidationError({"recipients": "Letters go only to this pupil's parents and carers"})
    addresses = {(p.address.strip(), p.postcode.strip()) for p in draft.recipients}
    if len(addresses) > 1:
        raise ValidationError({"recipients": "These parents or carers live at different "
                                             "addresses: write a letter to each"})


@dataclass
class Composed:
    rendered: rendering.RenderedLetter
    template_source: str
    template_version: int
    facts: dict


def compose(*, actor, draft: Draft) -> Composed:
    """Render a draft to PDF. Writes nothing."""
    _require_recorder(actor, draft.pupil)
    _check_recipients(draft)
    pupil, school = draft.pupil, draft.pupil.school
    organisation, role = _sender(actor, pupil)
    facts = _facts_for(draft)
    languages = ["cy", "en"] if draft.language == LetterLanguage.BILINGUAL else [draft.language]
    bodies, sources = [], []
    for language in languages:
        template = selectors.template_for(kind=draft.kind, language=language, school=school)
        sources.append(template)
        with translation.override(language):
            role_label = ROLE_LABELS_CY.get(role, "") if language == "cy" else (
                StaffRole(role).label if role else "")
        context = {
            "pupil": {"full_name": pupil.full_name, "first_name": pupil.first_name,
                      "date_of_birth": pupil.date_of_birth},
            "salutation": AND[language].join(p.salutation_name for p in draft.recipients),
            "school": {"name": school.name, "headteacher": school.headteacher_name},
            "la": {"name": school.local_authority.name},
            "sender": {"name": actor.get_full_name() or actor.username, "role": role_label,
                       "organisation": organisation.name},
            "facts": facts,
            "dated": draft.dated,
        }
        bodies.append((language, wording_rendered(template.body, context, language=language,
                                                  source=f"The wording ({template.source})")))
    first = draft.recipients[0]
    dated = " / ".join(
        _format_date(draft.dated, language) for language in languages
    )
    html = rendering.letter_html(
        layout={
            "html_lang": languages[0],
            "title": LetterKind(draft.kind).label,
            "sender_organisation": _organisation(organisation),
            "recipients": [{"full_name": p.full_name} for p in draft.recipients],
            "address_lines": kinds.lines(first.address) + (
                [first.postcode] if first.postcode else []),
            "dated": dated,
            "reference": f"Ref P{pupil.pk}-{draft.kind}-{draft.dated:%Y%m%d}",
            "pages_language": draft.language,
        },
        bodies=bodies,
    )
    return Composed(
        rendered=rendering.render_pdf(html),
        template_source=" + ".join(t.source for t in sources),
        template_version=max(t.version for t in sources),
        facts=facts,
    )


def _format_date(value: date, language: str) -> str:
    with translation.override(language):
        return date_format(value, "j F Y")


def _json_facts(value):
    """Facts as JSON keeps them: dates as ISO strings, at any depth."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_facts(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_facts(item) for item in value]
    return value


def letter_issue(*, actor, draft: Draft, batch: LetterBatch | None = None,
                 issued_from: str = "") -> IssuedLetter:
    """Issue a letter: rendered once, kept exactly as sent, on the timeline. A letter that is
    a step of a contract, an order case or a conduct record is issued only by that step
    (`issued_from` names it), so the record and the letter never disagree."""
    step = kinds.STEP_LETTERS.get(draft.kind)
    if step and issued_from != step:
        raise ValidationError(kinds.STEP_REASONS[step])
    composed = compose(actor=actor, draft=draft)
    rendered = composed.rendered
    with transaction.atomic():
        letter = IssuedLetter.objects.create(
            pupil=draft.pupil,
            school=draft.pupil.school,
            kind=draft.kind,
            language=draft.language,
            addressed_to=[
                {"name": p.full_name, "address": p.address, "postcode": p.postcode}
                for p in draft.recipients
            ],
            method=draft.method,
            issued_by=actor,
            template_source=composed.template_source,
            template_version=composed.template_version,
            facts=_json_facts({**composed.facts, "dated": draft.dated}),
            pdf=rendered.pdf,
            sha256=rendered.sha256,
            page_count=rendered.page_count,
            batch=batch,
        )
        letter.recipients.set([p for p in draft.recipients if isinstance(p, ParentCarer)])
        # A conduct letter is on the conduct record's own history, which few may read.
        if draft.kind not in CONDUCT_KINDS:
            case_services.timeline_record(
                pupil=draft.pupil, actor=actor, kind=TimelineEvent.Kind.LETTER_ISSUED,
                summary=f"{letter.get_kind_display()} issued by "
                        f"{letter.get_method_display().lower()} to "
                        f"{', '.join(p.full_name for p in draft.recipients)}",
                details={"letter": letter.pk, "kind": draft.kind, "sha256": rendered.sha256,
                         "pages": rendered.page_count, "method": draft.method},
            )
    return letter


def sample_context(kind: str, organisation: School | LocalAuthority) -> dict:
    """A letter's names and facts as a sample, each fact as long as a form allows, to check
    new wording with before it is kept."""
    return {
        "pupil": {"full_name": "Jordan Mensah", "first_name": "Jordan",
                  "date_of_birth": date(2013, 5, 17)},
        "salutation": "Ms Ama Mensah",
        "school": {"name": organisation.name, "headteacher": "Helen Price"},
        "la": {"name": getattr(organisation, "local_authority", organisation).name},
        "sender": {"name": "Sam Okafor", "role": "School lead", "organisation": organisation.name},
        "facts": kinds.shaped(kind, kinds.sample_facts(kind, largest=True)),
        "dated": date(2026, 12, 2),
    }


def template_save(
    *, actor, kind: str, language: str, organisation: School | LocalAuthority, body: str
) -> LetterTemplate:
    """A new version of a school's or LA's wording. Headteachers write for their school, LA
    admins for their LA; every earlier version is kept."""
    if organisation not in selectors.template_owners_for(actor):
        raise PermissionDenied("Only a headteacher (for the school) or an LA admin (for the LA) "
                               "can change letter wording.")
    problems = rendering.template_problems(body, names=selectors.TEMPLATE_NAMES)
    if problems:
        raise ValidationError({"body": problems})
    try:
        # What the wording produces, with a sample letter's facts, is checked too.
        wording_rendered(body, sample_context(kind, organisation), language=language,
                         source="This wording")
    except ValidationError as refused:
        raise ValidationError({"body": refused.messages}) from refused
    owner = {"school": organisation} if isinstance(organisation, School) else {
        "local_authority": organisation}
    with transaction.atomic():
        latest = LetterTemplate.objects.select_for_update().filter(
            kind=kind, language=language, **owner
        ).order_by("-version").first()
        try:
            return LetterTemplate.objects.create(
                kind=kind, language=language, body=body, created_by=actor,
                version=(latest.version + 1) if latest else 1, **owner,
            )
        except IntegrityError as clash:
            raise ValidationError("Someone saved a new version at the same moment. "
                                  "Reload the page and make your change again.") from clash


# A batch item is tried at most this often: an item that stops its worker every time (a
# letter too big to render in the time allowed) still ends, as not issued.
BATCH_ITEM_ATTEMPTS = 3

BatchItemIssue = Callable[..., object]  # (actor=, pupil=, batch=): issues the pupil's letter


def batch_request(*, actor, kind: str, pupils: list[Pupil], facts: dict,
                  method: str) -> LetterBatch:
    recordable = set(case_selectors.schools_recordable_by(actor).values_list("pk", flat=True))
    if any(pupil.school_id not in recordable for pupil in pupils):
        raise PermissionDenied("Your role cannot write letters for every one of these pupils.")
    task = import_string(kinds.BATCH_TASKS[kind])
    with transaction.atomic():
        batch = LetterBatch.objects.create(
            kind=kind, facts=_json_facts(facts), method=method, requested_by=actor,
            total=len(pupils),
        )
        LetterBatchItem.objects.bulk_create(
            LetterBatchItem(batch=batch, pupil=pupil) for pupil in pupils)
        # If the broker is down, the page still answers: the batch waits, queued, and the
        # sweeper (letters.tasks.requeue_waiting_batches) sends it when the broker is back.
        transaction.on_commit(lambda: task.delay(batch.pk), robust=True)
    return batch


def batches_requeue(*, older_than) -> list[LetterBatch]:
    """The batches still waiting or unfinished since before `older_than`: safe to send again,
    as an item is issued once however often, and however many workers, run the batch."""
    return list(LetterBatch.objects.filter(
        status__in=[LetterBatch.Status.QUEUED, LetterBatch.Status.RUNNING],
        requested_at__lt=older_than,
    ))


def batch_facts(batch: LetterBatch) -> dict:
    """The facts the requester gave, as a Draft takes them (dates as dates)."""
    return {
        spec.name: date.fromisoformat(value) if spec.type == "date" and value else value
        for spec in kinds.FACTS[batch.kind]
        for value in [batch.facts.get(spec.name)]
    }


def batch_run(*, batch_id: int, issue: BatchItemIssue) -> LetterBatch:
    """Issue the batch's letters still to issue, one pupil at a time; each succeeds or fails on
    its own, with the reason kept for the progress page, and the batch always ends. Safe to
    run twice, or twice at once: an item is locked while it is issued, and issued once."""
    LetterBatch.objects.filter(
        pk=batch_id, status=LetterBatch.Status.QUEUED
    ).update(status=LetterBatch.Status.RUNNING)
    batch = LetterBatch.objects.select_related("requested_by").get(pk=batch_id)
    pending = batch.items.filter(status=LetterBatchItem.Status.PENDING)
    for item_id in list(pending.values_list("pk", flat=True)):
        _batch_item_run(batch, item_id, issue)
    if not pending.exists():
        LetterBatch.objects.filter(pk=batch_id).update(status=LetterBatch.Status.DONE)
    batch.refresh_from_db()
    return batch


def _batch_item_end(item_id: int, status: str, problem: str = "") -> None:
    LetterBatchItem.objects.filter(pk=item_id, status=LetterBatchItem.Status.PENDING).update(
        status=status, problem=problem, finished_at=timezone.now())


def _batch_item_run(batch: LetterBatch, item_id: int, issue: BatchItemIssue) -> None:
    tried = LetterBatchItem.objects.filter(
        pk=item_id, status=LetterBatchItem.Status.PENDING, attempts__lt=BATCH_ITEM_ATTEMPTS,
    ).update(attempts=F("attempts") + 1)
    if not tried:
        _batch_item_end(item_id, LetterBatchItem.Status.FAILED,
                        f"Pact tried {BATCH_ITEM_ATTEMPTS} times and could not issue this "
                        "letter in the time allowed.")
        return
    try:
        with transaction.atomic():
            item = (LetterBatchItem.objects.select_for_update()
                    .select_related("pupil__school__local_authority").get(pk=item_id))
            if item.status != LetterBatchItem.Status.PENDING:
                return  # another run issued it while this one waited
            issue(actor=batch.requested_by, pupil=item.pupil, batch=batch)
            _batch_item_end(item_id, LetterBatchItem.Status.ISSUED)
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: the item stays to do, and the sweeper sends it again
    except (ValidationError, PermissionDenied) as refused:
        messages = getattr(refused, "messages", None) or [str(refused)]
        _batch_item_end(item_id, LetterBatchItem.Status.FAILED, " ".join(messages))
    except Exception:
        # Whatever went wrong with one family's letter, the others still go.
        logger.exception("Letter batch %s: item %s failed", batch.pk, item_id)
        _batch_item_end(item_id, LetterBatchItem.Status.FAILED,
                        f"Pact could not issue this letter because of an error on its side "
                        f"(batch {batch.pk}, item {item_id}). It has been logged; try again "
                        "from the pupil's case page.")


def letters_to_households(
    *, actor, pupil: Pupil, parents: list[ParentCarer], kind: str, facts: dict, method: str,
    issued_from: str, batch: LetterBatch | None = None,
) -> list[IssuedLetter]:
    """A step's letter to the parents it concerns: one a household, so that parents who live
    apart each get their own."""
    households: dict[tuple[str, str], list[ParentCarer]] = {}
    for parent in sorted(parents, key=lambda p: p.pk):
        home = (parent.address.strip(), parent.postcode.strip())
        households.setdefault(home, []).append(parent)
    return [
        letter_issue(actor=actor, batch=batch, issued_from=issued_from, draft=Draft(
            pupil=pupil, kind=kind, recipients=household, method=method, facts=facts,
            language=language_for(pupil, household),
        ))
        for household in households.values()
    ]


def household_of(pupil: Pupil) -> list[ParentCarer]:
    """The first-listed parent or carer and everyone linked to the pupil at the same address."""
    parents = [link.parent for link in pupil.parent_links.all()]
    if not parents:
        return []
    home = (parents[0].address.strip(), parents[0].postcode.strip())
    return [p for p in parents if (p.address.strip(), p.postcode.strip()) == home]


def language_for(pupil: Pupil, recipients: list[ParentCarer]) -> str:
    """Welsh LAs write bilingually; elsewhere, Welsh if every recipient reads Welsh."""
    if pupil.school.local_authority.nation == Nation.WALES:
        return LetterLanguage.BILINGUAL
    if recipients and all(p.preferred_language == "cy" for p in recipients):
        return LetterLanguage.WELSH
    return LetterLanguage.ENGLISH

