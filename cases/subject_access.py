"""Subject access requests (UK GDPR Article 15): everything Pact holds about a pupil, or about
one of the pupil's parents or carers, as one zip: a readable summary (PDF), the letters and
documents exactly as stored, the same data in structured form (JSON) and a note of what is in
it.

What Pact wrote can be redacted: third parties' names chosen on the request page are replaced
by "[redacted]" in the summary and the JSON (Article 15(4): the right of access must not
adversely affect the rights of others). Letters and documents are included as stored, never
altered: one that cannot go out as it is is left out instead.

Gathering reads a fixed number of queries whatever the size of the case; the zip is written
by cases.subject_access_export.
"""

import calendar
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import capfirst

from . import selectors
from .access import LA_DATA_PROTECTION, ROLE_PERMISSIONS, SCHOOL_DATA_PROTECTION
from .models import (
    Document,
    DocumentCategory,
    ParentCarer,
    Pupil,
    PupilParent,
    SubjectAccessExport,
    TimelineEvent,
)

REDACTED = "[redacted]"
# A case file is letters and a few uploads: 200 MB is far beyond any real one, and keeps the
# temporary file and the download within what a worker and a browser handle.
SIZE_LIMIT = 200 * 1024 * 1024
# Letters and uploads are read and written in pieces of this size.
CHUNK = 1024 * 1024
# Fields that are Pact's own bookkeeping, not information about anyone.
BOOKKEEPING = {"revision", "template_source", "template_version", "claimed_at", "attempts"}
# Case-file documents that are about a parent by what they are (the evidence a request for a
# parenting order carries, Bedfordshire protocol (2007) §12).
ABOUT_THE_PARENT = (DocumentCategory.ENGAGEMENT, DocumentCategory.PARENTING_FACTOR)


def answer_due(received_on: date) -> date:
    """When the answer is due: one month from receipt (UK GDPR Article 12(3)), the same day
    of the next month, or that month's last day where it has no such day (received
    31 January, due 28 or 29 February)."""
    year, month = received_on.year + received_on.month // 12, received_on.month % 12 + 1
    return date(year, month, min(received_on.day, calendar.monthrange(year, month)[1]))


# --- redaction -----------------------------------------------------------------------------

class Redactor:
    """Replaces names with "[redacted]": whole words only, whatever their case, so "Ann"
    leaves "Annual" and "Joanne" alone."""

    def __init__(self, names: Iterable[str]):
        spaced = sorted({" ".join(n.split()) for n in names if n and n.strip()},
                        key=len, reverse=True)
        alternatives = [r"\s+".join(re.escape(word) for word in name.split(" "))
                        for name in spaced]
        self.pattern = (re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)",
                                   re.IGNORECASE) if alternatives else None)

    def text(self, value: str) -> str:
        return self.pattern.sub(REDACTED, value) if self.pattern and value else value

    def data(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value


def names_in(text: str, names: Iterable[str]) -> bool:
    """Whether any of the names is in the text, as whole words."""
    pattern = Redactor(names).pattern
    return bool(pattern and pattern.search(text or ""))


# --- what is held --------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """Someone other than the subject whose name is in what Pact wrote."""

    key: str
    name: str
    why: str
    ticked: bool
    variants: tuple[str, ...]


@dataclass
class Entry:
    title: str
    fields: list[tuple[str, str]]  # what the summary prints
    data: dict  # what data.json holds
    key: str = ""  # a letter's, which goes if the letter is left out


@dataclass
class Section:
    key: str
    heading: str
    entries: list[Entry]
    empty: str


@dataclass(frozen=True)
class HeldFile:
    key: str  # "letter:5", "document:9", "evidence:3"
    kind: str  # "Letter" or "Document"
    title: str
    dated: date
    zip_name: str
    size: int
    stored_sha256: str
    source: object

    def chunks(self) -> Iterator[bytes]:
        if self.key.startswith("letter:"):
            pdf = type(self.source).objects.filter(pk=self.source.pk).values_list(
                "pdf", flat=True).get()
            yield bytes(pdf)
            return
        with self.source.file.open("rb") as stream:
            yield from iter(lambda: stream.read(CHUNK), b"")


@dataclass
class Held:
    pupil: Pupil
    parent: ParentCarer | None
    sections: list[Section]
    files: list[HeldFile]
    people: list[Person]
    # The requester may not read conduct records about adults (the LA admin): any there are
    # must be added by someone who may.
    conduct_left_to_others: bool = False
    subject_variants: tuple[str, ...] = field(default=())

    @property
    def subject(self) -> str:
        return "a parent or carer" if self.parent else "the pupil"

    @property
    def subject_name(self) -> str:
        return (self.parent or self.pupil).full_name

    def size(self, left_out: Iterable[str] = ()) -> int:
        skipped = set(left_out)
        return sum(f.size for f in self.files if f.key not in skipped)


def _variants(person) -> tuple[str, ...]:
    names = [person.full_name, f"{person.first_name} {person.last_name}"]
    if getattr(person, "title", ""):
        names.append(f"{person.title} {person.last_name}")
    return tuple(dict.fromkeys(n for n in names if n.strip()))


def staff_name(user) -> str:
    return user.get_full_name() or user.username


def as_json(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(value) -> str:
    if value is None or value in ("", [], {}):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%-d %B %Y, %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, list):
        return "; ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    return str(value)


class _Builder:
    """Turns records into entries, naming staff from one query for everyone at the end."""

    def __init__(self):
        self.pending: list[tuple[Section, str, models.Model, list, str]] = []
        self.user_ids: set[int] = set()
        self.users: dict[int, object] = {}

    def add(self, section: Section, title: str, record: models.Model,
            extra: Iterable[tuple[str, object]] = (), key: str = "") -> None:
        for model_field in record._meta.concrete_fields:
            if model_field.is_relation and model_field.related_model is get_user_model():
                user_id = getattr(record, model_field.attname)
                if user_id:
                    self.user_ids.add(user_id)
        self.pending.append((section, title, record, list(extra), key))

    def staff(self, user_id: int | None) -> str | None:
        return staff_name(self.users[user_id]) if user_id in self.users else None

    def finish(self) -> None:
        self.users = {u.pk: u for u in get_user_model().objects.filter(pk__in=self.user_ids)}
        for section, title, record, extra, key in self.pending:
            section.entries.append(replace(self._entry(title, record, extra), key=key))

    def _entry(self, title: str, record: models.Model, extra) -> Entry:
        shown, data = [], {"reference": record.pk}
        for model_field in record._meta.concrete_fields:
            if (model_field.primary_key or model_field.name in BOOKKEEPING
                    or isinstance(model_field, models.BinaryField | models.FileField)):
                continue
            if model_field.is_relation:
                if model_field.related_model is not get_user_model():
                    continue
                value = self.staff(getattr(record, model_field.attname))
            else:
                value = getattr(record, model_field.name)
            data[model_field.name] = as_json(value)
            words = (getattr(record, f"get_{model_field.name}_display")()
                     if model_field.choices and value else _shown(value))
            if words:
                shown.append((capfirst(str(model_field.verbose_name)), words))
        for label, value in extra:
            data[label.lower().replace(" ", "_")] = as_json(value)
            if _shown(value):
                shown.append((label, _shown(value)))
        return Entry(title=title, fields=shown, data=data)


def _letters_model():
    # The letters app owns the archive; the case file reaches it through the pupil.
    return Pupil.letters.rel.related_model


def _letter_file(letter) -> HeldFile:
    return HeldFile(
        key=f"letter:{letter.pk}", kind="Letter", title=letter.get_kind_display(),
        dated=timezone.localtime(letter.issued_at).date(),
        zip_name=f"letters/{timezone.localtime(letter.issued_at):%Y-%m-%d}-{letter.kind}-"
                 f"{letter.pk}.pdf",
        size=letter.pdf_size or 0, stored_sha256=letter.sha256, source=letter)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:80] or "file"


def _document_file(document, *, key: str, prefix: str = "") -> HeldFile:
    return HeldFile(
        key=f"{key}:{document.pk}", kind="Document", title=document.title,
        dated=timezone.localtime(document.uploaded_at).date(),
        zip_name=f"documents/{prefix}{document.pk}-{_safe(document.original_name)}",
        size=document.size, stored_sha256=document.sha256, source=document)


def _lines(text: str) -> list[str]:
    """The names in a list typed one person a line ("Jo Bloggs, social worker")."""
    names = []
    for line in (text or "").splitlines():
        name = re.split(r",|\(| - | – ", line, maxsplit=1)[0].strip()
        if name:
            names.append(name)
    return names


def _letters_section(letters, builder: "_Builder") -> Section:
    section = Section("letters", "Letters", [], "No letters.")
    for letter in letters:
        builder.add(section, f"{letter.get_kind_display()}, {letter.issued_at:%-d %B %Y}",
                    letter, [("File in this zip", _letter_file(letter).zip_name)],
                    key=f"letter:{letter.pk}")
    return section


def _timeline_section(events: Iterable[TimelineEvent], builder: _Builder,
                      heading: str) -> Section:
    section = Section("timeline", heading, [], "No entries.")
    for event in sorted(events, key=lambda e: (e.occurred_at, e.pk)):
        builder.add(section, event.get_kind_display(), event)
    return section


def _contract_sections(contracts, builder: _Builder, *, parent: ParentCarer | None) -> Section:
    section = Section("contracts", "Contracts and their steps", [], "No contracts.")
    for contract in contracts:
        name = f"{contract.get_kind_display()} {contract.pk}"
        builder.add(section, name, contract, [
            ("Parents or carers party to it", [p.full_name for p in contract.parents.all()])])
        for consent in contract.consents.all():
            if parent is None or consent.parent_id == parent.pk:
                builder.add(section, f"{name}: consent to share information", consent,
                            [("Parent or carer", consent.parent.full_name)])
        for consultation in contract.consultations.all():
            builder.add(section, f"{name}: agency consulted", consultation,
                        [("Agency", consultation.agency.name)])
        for contact in contract.contacts.all():
            builder.add(section, f"{name}: {contact.get_kind_display().lower()}", contact)
        for breach in contract.breaches.all():
            builder.add(section, f"{name}: breach", breach)
    return section


CONTRACT_PARTS = ("parents", "consents__parent", "consultations__agency", "contacts",
                  "breaches")
ORDER_PARTS = ("parents", "programme", "panels", "views", "contacts", "attendance", "breaches")


def _order_section(cases, builder: _Builder) -> Section:
    section = Section("orders", "Parenting orders", [], "No parenting order cases.")
    for case in cases:
        name = f"Parenting order case {case.pk}"
        builder.add(section, name, case, [
            ("Parents or carers party to it", [p.full_name for p in case.parents.all()]),
            ("Parenting programme", case.programme.name if case.programme else "")])
        for panel in case.panels.all():
            builder.add(section, f"{name}: legal panel", panel)
        for view in case.views.all():
            builder.add(section, f"{name}: a legal panel member's view", view)
        for contact in case.contacts.all():
            builder.add(section, f"{name}: monitoring", contact)
        for session in case.attendance.all():
            builder.add(section, f"{name}: programme session", session)
        for breach in case.breaches.all():
            builder.add(section, f"{name}: breach", breach)
    return section


def _staff_people(builder: _Builder) -> list[Person]:
    # Staff acting in their work are named as they acted: offered, never ticked.
    return [Person(f"staff:{pk}", staff_name(user), "Member of staff, in their work", False,
                   (staff_name(user),)) for pk, user in sorted(builder.users.items())]


def pupil_held(pupil_id: int, *, user) -> Held:
    """The pupil's whole case file. Conduct records and their letters are about adults, not
    the pupil, and are left to a request by the adult."""
    letters = (_letters_model().objects.open_to_case_readers().defer("pdf")
               .annotate(pdf_size=Length("pdf")).order_by("issued_at", "pk"))
    pupil = (answerable_pupils(user).select_related("school__local_authority")
             .prefetch_related(
                 "parent_links__parent", "exclusions__reasons", "agency_involvements__agency",
                 "meetings__actions", "meetings__agencies", "documents", "timeline",
                 *(f"contracts__{part}" for part in CONTRACT_PARTS),
                 *(f"order_cases__{part}" for part in ORDER_PARTS),
                 Prefetch("letters", queryset=letters))
             .get(pk=pupil_id))
    builder = _Builder()
    details = Section("details", "Details held", [], "")
    builder.add(details, pupil.full_name, pupil, [("School", pupil.school.name)])
    family = Section("parents", "Parents and carers", [], "No parent or carer recorded.")
    for link in pupil.parent_links.all():
        # The pupil's file records who the parents are, not their contact details: those are
        # the parents' own, for a request of their own.
        builder.add(family, link.parent.full_name, link)
    exclusions = Section("exclusions", "Exclusions", [], "No exclusions.")
    for exclusion in pupil.exclusions.all():
        builder.add(exclusions, str(exclusion), exclusion, [
            ("Reasons", [str(r) for r in exclusion.reasons.all()])])
    agencies = Section("agencies", "Agencies", [], "No agency involvement.")
    for involvement in pupil.agency_involvements.all():
        builder.add(agencies, involvement.agency.name, involvement)
    meetings = Section("meetings", "Multi-agency meetings", [], "No meetings.")
    for meeting in pupil.meetings.all():
        builder.add(meetings, str(meeting), meeting, [
            ("Agencies", [a.name for a in meeting.agencies.all()]),
            ("Actions", [f"{a.description} ({a.owner}, by {a.due_on:%-d %B %Y})"
                         for a in meeting.actions.all()])])
    sections = [details, family, exclusions,
                _contract_sections(pupil.contracts.all(), builder, parent=None),
                _order_section(pupil.order_cases.all(), builder), agencies, meetings,
                _timeline_section(pupil.timeline.all(), builder, "The case timeline")]
    sections.insert(-1, _letters_section(pupil.letters.all(), builder))
    builder.finish()
    people = [Person(f"parent:{link.parent_id}", link.parent.full_name,
                     "Parent or carer of the pupil", False, _variants(link.parent))
              for link in pupil.parent_links.all()]
    people += [Person(f"worker:{i.pk}", i.key_worker, f"Key worker, {i.agency.name}", False,
                      (i.key_worker,)) for i in pupil.agency_involvements.all()]
    people += [Person(f"attendee:{m.pk}:{n}", name, "Named at a multi-agency meeting", False,
                      (name,)) for m in pupil.meetings.all()
               for n, name in enumerate(_lines(m.attendees))]
    files = [_letter_file(letter) for letter in pupil.letters.all()]
    files += [_document_file(d, key="document") for d in
              sorted(pupil.documents.all(), key=lambda d: (d.uploaded_at, d.pk))]
    return _finished(Held(pupil=pupil, parent=None, sections=sections, files=files,
                          people=people + _staff_people(builder),
                          subject_variants=_variants(pupil)), builder)


def parent_held(pupil_id: int, parent_id: int, *, user) -> Held:
    """What Pact holds about one of the pupil's parents or carers, across the pupils linked to
    them whose records the requester answers for: their details and links, contracts and
    parenting orders they are party to, consents they gave, letters to them, case timeline
    entries naming them, and (only for someone who may read them) conduct records about them.
    Nothing else of any pupil's file."""
    pupil = answerable_pupils(user).select_related("school__local_authority").get(pk=pupil_id)
    try:
        parent = pupil.parent_links.select_related("parent").get(parent_id=parent_id).parent
    except PupilParent.DoesNotExist:
        raise ParentCarer.DoesNotExist from None
    scope = answerable_pupils(user)
    links = list(PupilParent.objects.filter(parent=parent, pupil__in=scope)
                 .select_related("pupil__school").order_by("pupil__last_name", "pk"))
    pupil_ids = [link.pupil_id for link in links]
    builder = _Builder()
    details = Section("details", "Details held", [], "")
    builder.add(details, parent.full_name, parent)
    family = Section("pupils", "Children linked to them", [], "None.")
    for link in links:
        builder.add(family, link.pupil.full_name, link, [("School", link.pupil.school.name)])
    contracts = (parent.contracts.filter(pupil_id__in=pupil_ids).order_by("created_at", "pk")
                 .prefetch_related(*CONTRACT_PARTS))
    orders = (parent.order_cases.filter(pupil_id__in=pupil_ids).order_by("created_at", "pk")
              .prefetch_related(*ORDER_PARTS))
    reads_conduct = selectors.schools_with_conduct_records_for(user).filter(
        pk=pupil.school_id).exists()
    letters = (_letters_model().objects.filter(recipients=parent, pupil_id__in=pupil_ids)
               .defer("pdf").annotate(pdf_size=Length("pdf")).order_by("issued_at", "pk"))
    if not reads_conduct:
        letters = letters.open_to_case_readers()
    mentions = [event for event in TimelineEvent.objects.filter(
        pupil_id__in=pupil_ids, summary__icontains=parent.last_name)
        if names_in(event.summary, _variants(parent))]
    sections = [details, family, _contract_sections(contracts, builder, parent=parent),
                _order_section(orders, builder)]
    people: list[Person] = []
    evidence: list[HeldFile] = []
    if reads_conduct:
        section, people, evidence = _conduct(parent, user=user, builder=builder)
        sections.append(section)
    letters = list(letters)
    sections += [_letters_section(letters, builder),
                 _timeline_section(mentions, builder, "Case timeline entries naming them")]
    builder.finish()
    others = (PupilParent.objects.filter(pupil_id__in=pupil_ids).exclude(parent=parent)
              .select_related("parent").order_by("parent__last_name", "parent_id"))
    # Other parents and carers are third parties to this parent: their names are ticked.
    people = [Person(f"parent:{p.pk}", p.full_name, "Another parent or carer", True,
                     _variants(p)) for p in {o.parent_id: o.parent for o in others}.values()
              ] + people
    documents = Document.objects.filter(pupil_id__in=pupil_ids, category__in=ABOUT_THE_PARENT)
    files = [_letter_file(letter) for letter in letters]
    files += [_document_file(d, key="document") for d in documents.order_by("uploaded_at", "pk")]
    return _finished(Held(pupil=pupil, parent=parent, sections=sections, files=files + evidence,
                          people=people + _staff_people(builder),
                          conduct_left_to_others=not reads_conduct,
                          subject_variants=_variants(parent)), builder)


def _conduct(parent: ParentCarer, *, user, builder: _Builder):
    records = (parent.conduct_records
               .filter(school__in=selectors.schools_with_conduct_records_for(user))
               .filter(school__in=selectors.schools_answering_subject_access_for(user))
               .order_by("created_at", "pk")
               .prefetch_related("steps", "events", "incidents__adults__parent",
                                 "incidents__evidence"))
    section = Section("conduct", "Conduct records", [], "No conduct records.")
    people: dict[str, Person] = {}
    files: dict[int, HeldFile] = {}
    for record in records:
        name = f"Conduct record {record.pk}"
        builder.add(section, name, record)
        for incident in record.incidents.all():
            builder.add(section, f"{name}: incident", incident, [
                ("Adults involved", [a.full_name for a in incident.adults.all()])])
            for adult in incident.adults.all():
                if adult.parent_id != parent.pk:
                    people[f"adult:{adult.pk}"] = Person(
                        f"adult:{adult.pk}", adult.full_name,
                        "Another adult named in a conduct incident", True, _variants(adult))
            for n, witness in enumerate(_lines(incident.witnesses)):
                people[f"witness:{incident.pk}:{n}"] = Person(
                    f"witness:{incident.pk}:{n}", witness, "Witness to a conduct incident",
                    True, (witness,))
            for item in incident.evidence.all():
                files[item.pk] = _document_file(item, key="evidence", prefix="conduct-")
        for step in record.steps.all():
            builder.add(section, f"{name}: {step.get_kind_display().lower()}", step)
        for event in record.events.all():
            builder.add(section, f"{name}: entry", event)
    return section, list(people.values()), list(files.values())


def _finished(held: Held, builder: _Builder) -> Held:
    """The people offered: those named in what Pact wrote for the export, once each, leaving
    out any name the subject shares."""
    written = "\n".join(
        "\n".join([entry.title, *(value for _, value in entry.fields),
                   json.dumps(entry.data, ensure_ascii=False, default=str)])
        for section in held.sections for entry in section.entries)
    own = {v.lower() for v in held.subject_variants}
    seen: dict[str, Person] = {}
    for person in held.people:
        variants = tuple(v for v in person.variants if v.lower() not in own)
        if variants and person.key not in seen and names_in(written, variants):
            seen[person.key] = replace(person, variants=variants)
    held.people = list(seen.values())
    return held


# --- scope ---------------------------------------------------------------------------------

def answerable_pupils(user):
    return Pupil.objects.filter(school__in=selectors.schools_answering_subject_access_for(user))


def answers_for(user, pupil: Pupil) -> bool:
    """Whether the user answers subject access requests for the pupil's school, from the
    roles already read for the page: the headteacher for the school, the LA admin for the
    LA."""
    for group in selectors.staff_groups_of(user):
        permissions = ROLE_PERMISSIONS[group.role]
        if SCHOOL_DATA_PROTECTION in permissions and group.school_id == pupil.school_id:
            return True
        if (LA_DATA_PROTECTION in permissions
                and group.local_authority_id == pupil.school.local_authority_id):
            return True
    return False


# --- the answer ----------------------------------------------------------------------------

def redactor_for(held: Held, keys: Iterable[str]) -> Redactor:
    chosen = set(keys)
    return Redactor(v for p in held.people if p.key in chosen for v in p.variants)


def subject_access_answer(*, actor, held: Held, received_on: date, redacted: list[str],
                          left_out: list[str]) -> SubjectAccessExport:
    """Record that a subject access request was answered, and how: on the pupil's timeline,
    with what was redacted and left out counted, never named."""
    if held.size(left_out) > SIZE_LIMIT:
        raise ValidationError(too_large(held.size(left_out)))
    with transaction.atomic():
        export = SubjectAccessExport.objects.create(
            pupil=held.pupil, parent=held.parent, received_on=received_on,
            redacted=sorted(redacted), left_out=sorted(left_out), answered_by=actor)
        whose = "for the pupil" if held.parent is None else f"for {held.parent.full_name}"
        TimelineEvent.objects.create(
            pupil=held.pupil, actor=actor, kind=TimelineEvent.Kind.SUBJECT_ACCESS_ANSWERED,
            summary=(f"Subject access request {whose}, received {received_on:%-d %B %Y}, "
                     f"answered: {_count(len(redacted), 'name')} redacted, "
                     f"{_count(len(left_out), 'letter or document', 'letters or documents')} "
                     "left out."),
            details={"export": export.pk, "received_on": received_on.isoformat(),
                     "redacted": len(redacted), "left_out": len(left_out)})
    return export


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def too_large(size: int) -> str:
    return (f"This export would be {size / 1024 / 1024:,.0f} MB, more than Pact builds at "
            f"once ({SIZE_LIMIT // 1024 // 1024} MB). Leave out some large documents and send "
            "them separately.")


def held_for(export: SubjectAccessExport, *, user) -> Held:
    if export.parent_id:
        return parent_held(export.pupil_id, export.parent_id, user=user)
    return pupil_held(export.pupil_id, user=user)
