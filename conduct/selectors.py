"""Reads about adults' conduct, scoped to the user. Three kinds of reader:

- those who see conduct records (the headteacher and the chair of governors at the school,
  the LA designated officer in the LA) open the record, and each opening is logged;
- everyone else who reads the pupil's case sees only the arrangements in force: what staff
  must do, never the incidents, letters or evidence;
- anyone else: the record does not exist (404).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from cases import access, notices
from cases import selectors as case_selectors
from cases.models import School, StaffRole
from cases.policies import policy_for
from cases.sources import EDUCATION_ACT_1996, cite

from . import rules
from .models import (
    IN_FORCE,
    ConductEvent,
    ConductRecord,
    ConductStep,
    Evidence,
    Incident,
    RecordOpened,
    Stage,
    StepKind,
)

LETTER_STEPS = (StepKind.REMINDER, StepKind.WARNING, StepKind.CONDITIONS)


CONDUCT_READING = {access.VIEW_SCHOOL_CONDUCT, access.VIEW_LA_CONDUCT}


def records_readable_by(user) -> QuerySet[ConductRecord]:
    return ConductRecord.objects.filter(
        school__in=case_selectors.schools_with_conduct_records_for(user))


@dataclass(frozen=True)
class Powers:
    reads: bool
    records: bool


def powers_at(user, school_id: int) -> Powers:
    """Whether the user reads, and records, conduct records at the school: one query."""
    school = School.objects.filter(pk=school_id)
    found = school.annotate(
        reads=Exists(case_selectors.schools_with_conduct_records_for(user)
                     .filter(pk=OuterRef("pk"))),
        records=Exists(case_selectors.schools_recording_conduct_for(user)
                       .filter(pk=OuterRef("pk"))),
    ).values_list("reads", "records").first()
    return Powers(*found) if found else Powers(False, False)


def user_records_conduct_at(user, school_id: int) -> bool:
    return case_selectors.schools_recording_conduct_for(user).filter(pk=school_id).exists()


def user_chairs(user, school_id: int) -> bool:
    return any(g.role == StaffRole.CHAIR_OF_GOVERNORS and g.school_id == school_id
               for g in case_selectors.staff_groups_of(user))


def record_or_notice(user, *, record_id: int) -> tuple[ConductRecord, bool]:
    """The record, and whether the user may open it in full (False: the arrangements only).
    404 for anyone who cannot read the pupil's case."""
    record = (ConductRecord.objects.select_related("school__local_authority", "pupil", "parent")
              .filter(pk=record_id, school__in=case_selectors.schools_visible_to(user)).first())
    if record is None:
        raise Http404("No such record in your schools")
    return record, powers_at(user, record.school_id).reads


def record_for(user, *, record_id: int) -> ConductRecord:
    """The record for someone who reads conduct records, or 404."""
    try:
        return records_readable_by(user).select_related(
            "school__local_authority", "pupil", "parent").get(pk=record_id)
    except ConductRecord.DoesNotExist as missing:
        raise Http404("No such record in your schools") from missing


def log_opening(user, record: ConductRecord, what: str, detail: str = "") -> None:
    RecordOpened.objects.create(record=record, user=user, what=what, detail=detail[:200])


def incidents_of(record: ConductRecord) -> list[Incident]:
    return list(record.incidents.prefetch_related("evidence", "adults__parent")
                .order_by("-occurred_at", "-pk"))


def facts_of(record: ConductRecord, *, user, today: date,
             steps: list[ConductStep] | None = None) -> rules.ConductFacts:
    steps = steps if steps is not None else list(record.steps.all())
    warnings = [s.taken_on for s in steps if s.kind == StepKind.WARNING]
    meetings = [s.taken_on for s in steps if s.kind == StepKind.PROGRESS_MEETING]
    return rules.ConductFacts(
        stage=record.stage, policy=policy_for(record.school.local_authority),
        nation=record.school.local_authority.nation, today=today,
        actor=rules.Actor(records=user_records_conduct_at(user, record.school_id),
                          chair=user_chairs(user, record.school_id)),
        name=record.full_name,
        incident_dates=list(record.incidents.values_list("occurred_at__date", flat=True)),
        warning_sent_on=max(warnings) if warnings else None,
        chair_agreed_on=record.chair_agreed_on, emergency=record.emergency,
        awaiting_reply=sum(1 for s in steps if s.kind in LETTER_STEPS and s.letter_id
                           and s.replied_on is None),
        last_progress_meeting_asked_on=max(meetings) if meetings else None,
    )


@dataclass(frozen=True)
class RecordPage:
    record: ConductRecord
    facts: rules.ConductFacts
    actions: dict
    incidents: list[Incident]
    steps: list[ConductStep]
    events: list[ConductEvent]
    awaiting_reply: list[ConductStep]


def record_page(user, *, record: ConductRecord, today: date) -> RecordPage:
    steps = list(record.steps.select_related("letter", "taken_by", "incident")
                 .defer("letter__pdf"))
    facts = facts_of(record, user=user, today=today, steps=steps)
    return RecordPage(
        record=record, facts=facts, actions=rules.actions(facts), incidents=incidents_of(record),
        steps=steps, events=list(record.events.select_related("actor")[:200]),
        awaiting_reply=[s for s in steps if s.kind in LETTER_STEPS and s.letter_id
                        and s.replied_on is None],
    )


def step_letter_for(user, *, record_id: int, letter_id: int):
    record = record_for(user, record_id=record_id)
    step = (ConductStep.objects.select_related("letter")
            .filter(record=record, letter_id=letter_id).first())
    if step is None:
        raise Http404("No such letter on this record")
    return record, step.letter


def evidence_for(user, *, record_id: int, evidence_id: int):
    record = record_for(user, record_id=record_id)
    evidence = Evidence.objects.filter(pk=evidence_id, incident__adults=record).first()
    if evidence is None:
        raise Http404("No such evidence on this record")
    return record, evidence


def openings_of(record: ConductRecord) -> QuerySet[RecordOpened]:
    return record.openings.select_related("user")


# --- what staff must do ------------------------------------------------------------------------

def arrangements(record: ConductRecord) -> tuple[str, ...]:
    """What staff must do while restrictions are in force: the conditions in staff's words,
    or what a ban means at the gate and in the office."""
    if record.stage == Stage.BANNED:
        review = f" until it is reviewed by {record.next_review_on:%-d %B %Y}" \
            if record.next_review_on else ""
        return (
            f"Banned from the school premises{review}: do not let them on site; if they come, "
            f"ask them to leave and tell the headteacher ({cite(EDUCATION_ACT_1996, 's.547')}).",
            "They may have one progress meeting a year with a senior leader, arranged by the "
            "headteacher.",
        )
    lines = tuple(c.get("staff") or c.get("parent", "") for c in record.conditions)
    if record.stage == Stage.CONDITIONS_PROVISIONAL:
        return (*lines, "These conditions are provisional until the governing board reviews "
                        "them.")
    return lines


def case_page(pupil, user) -> notices.CasePage:
    """The arrangements in force for adults connected with the pupil, for everyone who reads
    the case; and, for those who read conduct records, the records themselves."""
    # A parent's record is kept with the pupil it began with; their other children at the
    # school show it too. Records are the school's, about adults' conduct towards its staff:
    # a pupil who moves school does not bring the old school's arrangements with them.
    records = list(ConductRecord.objects.filter(
        Q(pupil=pupil) | Q(parent__in=pupil.parent_links.values("parent")),
        school=pupil.school_id,
    ).select_related("parent").order_by("last_name", "first_name", "pk"))
    page = notices.CasePage()
    for record in records:
        if record.stage in IN_FORCE:
            who = record.full_name + (f" ({record.connection})" if record.connection else "")
            page.notices.append(notices.Notice(
                text=f"Contact arrangements apply to {who}",
                items=arrangements(record),
                link=(reverse("conduct-record", args=[record.pk]),
                      f"The arrangements for {record.full_name}")))
    powers = powers_at(user, pupil.school_id)
    if powers.reads:
        actions = ((reverse("conduct-incident-new", args=[pupil.pk]),
                    "Record a conduct incident"),) if powers.records else ()
        page.sections.append(notices.Section(
            heading="Conduct of parents and carers",
            rows=tuple(notices.Row((reverse("conduct-record", args=[r.pk]), r.full_name),
                                   r.get_stage_display().lower()) for r in records),
            empty="No conduct incident is recorded for an adult connected with this pupil.",
            actions=actions))
    return page


# The dashboard lists the restrictions in force, soonest review first; the rest are a search
# away, so the list stays one short query however many schools the reader covers.
DASHBOARD_RECORDS = 20


def dashboard_sections(user) -> list[notices.Section]:
    """Restrictions in force at the reader's schools, each with its review date, for those who
    read conduct records."""
    roles = case_selectors.staff_groups_of(user)
    if not any(CONDUCT_READING & set(access.ROLE_PERMISSIONS[g.role]) for g in roles):
        return []
    records = (records_readable_by(user).filter(stage__in=IN_FORCE)
               .select_related("parent", "pupil", "school")
               .order_by(F("next_review_on").asc(nulls_first=True), "pk")[:DASHBOARD_RECORDS])
    return [notices.Section(
        heading="Restrictions on adults in force",
        rows=tuple(notices.Row(
            (reverse("conduct-record", args=[r.pk]),
             f"{r.full_name} ({r.pupil.full_name}, {r.school.name})"),
            r.get_stage_display().lower() + (f"; review by {r.next_review_on:%-d %B %Y}"
                                             if r.next_review_on else
                                             "; the governing board reviews them on "
                                             f"{r.board_review_on:%-d %B %Y}"
                                             if r.board_review_on else ""))
            for r in records),
        empty="No conditions or ban is in force.")]


def records_for_pupil(pupil) -> QuerySet[ConductRecord]:
    """The adults on record for a pupil: those an incident can name again."""
    return ConductRecord.objects.filter(pupil=pupil).filter(
        Q(parent__isnull=True) | Q(parent__in=pupil.parent_links.values("parent"))
    ).select_related("parent")


def steps_with_letters(record: ConductRecord) -> QuerySet[ConductStep]:
    return record.steps.filter(letter__isnull=False).select_related("letter")

