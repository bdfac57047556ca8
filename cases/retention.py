"""Disposal under the retention schedule (RetentionRule): the nightly job lists what is due,
the LA admin reviews what will be removed and confirms, and the record is anonymised in
place: every row stays, with its dates, states and kinds, so that counts (and the termly
returns taken from them) stay right; the names, the words people wrote, the letters' and
documents' contents and the files go.

What a record holds is found by walking the rows that point at it (and at those, and so on),
so a field or a table added later is anonymised without anyone remembering to list it. Records
with a schedule of their own (conduct records, about adults) are left to it; the access log
holds no one's words and is kept whole.

A case file is the pupil's; other apps add kinds of record (conduct records) by giving their
AppConfig a `retention_source()` returning a Source.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Max, QuerySet
from django.db.models.functions import TruncYear
from django.utils import timezone

from .models import (
    Disposal,
    LocalAuthority,
    ParentCarer,
    Pupil,
    RetentionRule,
    TimelineEvent,
)
from .workdays import add_months

Kind = RetentionRule.Kind
REMOVED = "Removed"
# Kept as they are: they say what a row is, not who it is about, or prove what was sent.
KEPT_FIELDS = {"sha256", "content_type", "language", "kind", "state", "status"}
# No one's words, and the proof of who opened what and of what was disposed of: kept whole.
# The grounds "eligible now" reads are dates worked out from the exclusions, which stay.
NOT_WALKED = {"cases.AccessRecord", "cases.Disposal", "cases.ContractGrounds"}


@dataclass(frozen=True)
class Due:
    subject_id: int
    school_id: int
    kept_since: date
    label: str


@dataclass(frozen=True)
class Source:
    """A kind of record the schedule disposes of."""

    kind: str
    # The records of an LA due on a day, under the rules in force.
    due: Callable[[LocalAuthority, date, dict[str, RetentionRule]], list[Due]]
    # The record itself, to anonymise with everything that points at it.
    root: Callable[[int], models.Model]
    # Writes the record's own history entry once it is anonymised (record, actor, disposal).
    recorded: Callable[[models.Model, object, Disposal], None]
    # Extra rows the walk cannot find (reached through a many-to-many): (model, ids).
    extra: Callable[[models.Model], list[tuple[type[models.Model], set[int]]]] = (
        lambda record: [])
    # Rows to anonymise that the walk must not enter (their other links are not this
    # record's): a pupil's parents and carers.
    beside: Callable[[models.Model], list[tuple[type[models.Model], set[int]]]] = (
        lambda record: [])
    # The rules its due dates need: without them in the schedule, nothing of its kind is due.
    needs: tuple[str, ...] = ()
    # Takes out of another record's holdings the rows that are this kind's to dispose of
    # under its own rule (a conduct record's letters, found on the pupil's case file).
    withhold: Callable[[dict], None] = lambda held: None


def years_before(day: date, years: int) -> date:
    return add_months(day, -12 * years)


def _case_files_due(la: LocalAuthority, today: date, rules: dict[str, RetentionRule]) -> list[Due]:
    """Pupils who left their school for none on Pact, whose case file has been quiet since:
    due the given number of years after the later of the two (longer where a parenting order
    case was opened)."""
    case_cutoff = years_before(today, rules[Kind.CASE_FILE].years)
    order_cutoff = years_before(today, rules[Kind.PARENTING_ORDER].years)
    disposed = Disposal.objects.filter(kind=Kind.CASE_FILE, status=Disposal.Status.DONE
                                       ).values("subject_id")
    pupils = (
        Pupil.objects.filter(school__local_authority=la, left_on__isnull=False,
                             left_on__lte=case_cutoff)
        .exclude(pk__in=disposed)
        .annotate(last_event=Max("timeline__occurred_at"),
                  orders=models.Count("order_cases", distinct=True))
        .values_list("pk", "school_id", "left_on", "last_event", "orders", "upn")
    )
    found = []
    for pupil_id, school_id, left_on, last_event, orders, upn in pupils.iterator():
        since = max(left_on, timezone.localdate(last_event)) if last_event else left_on
        if since <= (order_cutoff if orders else case_cutoff):
            found.append(Due(pupil_id, school_id, since, f"Case file of the pupil with UPN {upn}"))
    return found


def _case_file_disposed(pupil: Pupil, actor, disposal: Disposal) -> None:
    TimelineEvent.objects.create(
        pupil=pupil, actor=actor, kind=TimelineEvent.Kind.DISPOSED,
        summary="Case file anonymised under the retention schedule",
        details={"disposal": disposal.pk})


CASE_FILES = Source(kind=Kind.CASE_FILE, due=_case_files_due,
                    root=lambda pupil_id: Pupil.objects.get(pk=pupil_id),
                    recorded=_case_file_disposed,
                    beside=lambda pupil: [(ParentCarer, _parents_of_no_one_else(pupil))],
                    needs=(Kind.CASE_FILE, Kind.PARENTING_ORDER))


def _due(source: Source, la: LocalAuthority, today: date, rules: dict) -> list[Due]:
    return source.due(la, today, rules) if set(source.needs) <= set(rules) else []


def sources() -> dict[str, Source]:
    found = {CASE_FILES.kind: CASE_FILES}
    for config in apps.get_app_configs():
        if hasattr(config, "retention_source"):
            source = config.retention_source()
            found[source.kind] = source
    return found


def schedule() -> dict[str, RetentionRule]:
    return {rule.kind: rule for rule in RetentionRule.objects.all()}


# -- what a record holds ------------------------------------------------------------------

def _plain(model: type[models.Model]) -> QuerySet:
    """A queryset without the model's own guards: the evidence tables' managers refuse every
    change in Python, and only the disposal, inside a transaction the database checks, may
    anonymise them."""
    return QuerySet(model=model)


def holdings(record: models.Model, source: Source) -> dict[type[models.Model], set[int]]:
    """Every row that is about the record: the record, the rows pointing at it, and so on."""
    held: dict[type[models.Model], set[int]] = defaultdict(set)
    held[type(record)].add(record.pk)
    pending = [(type(record), {record.pk})]
    for model, ids in source.extra(record):
        held[model] |= ids
        pending.append((model, ids))
    while pending:
        model, ids = pending.pop()
        # Hidden relations too (related_name="+"): they point at the record all the same.
        for relation in model._meta.get_fields(include_hidden=True):
            if not (relation.auto_created and not relation.concrete
                    and (relation.one_to_many or relation.one_to_one)):
                continue
            child = relation.related_model
            if relation.many_to_many or child._meta.label in NOT_WALKED:
                continue
            found = set(_plain(child).filter(**{f"{relation.field.name}__in": ids})
                        .values_list("pk", flat=True)) - held[child]
            if found:
                held[child] |= found
                pending.append((child, found))
    for model, ids in source.beside(record):
        held[model] |= ids
    for other in sources().values():
        if other.kind != source.kind:
            other.withhold(held)
    return {model: ids for model, ids in held.items() if ids}


def _parents_of_no_one_else(pupil: Pupil) -> set[int]:
    """The pupil's parents and carers who are no other remaining pupil's."""
    others = Pupil.objects.exclude(pk=pupil.pk).exclude(
        pk__in=Disposal.objects.filter(kind=Kind.CASE_FILE, status=Disposal.Status.DONE)
        .values("subject_id"))
    return set(ParentCarer.objects.filter(pupil_links__pupil=pupil)
               .exclude(pupil_links__pupil__in=others).values_list("pk", flat=True))


def _words(field: models.Field) -> bool:
    return (isinstance(field, models.CharField | models.TextField) and not field.choices
            and not field.unique and not field.primary_key and field.name not in KEPT_FIELDS
            and not field.name.endswith("sha256"))


def _removed(field: models.Field) -> str:
    if field.blank:
        return ""
    return REMOVED[:field.max_length] if field.max_length else REMOVED


def _scrub(value):
    """Names and words out of structured details; ids, numbers and yes/no kept."""
    if isinstance(value, str):
        return REMOVED
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


@dataclass(frozen=True)
class Removal:
    """What disposing of a record removes: rows anonymised and files deleted, per kind."""

    rows: dict[str, int]
    files: int
    letters: int

    def as_outcome(self) -> dict:
        return {"rows": self.rows, "files": self.files, "letters": self.letters}


def preview(held: dict[type[models.Model], set[int]]) -> Removal:
    files = letters = 0
    for model, ids in held.items():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                files += _plain(model).filter(pk__in=ids).exclude(**{field.name: ""}).count()
            elif isinstance(field, models.BinaryField):
                letters += len(ids)
    rows = {str(model._meta.verbose_name_plural): len(ids)
            for model, ids in sorted(held.items(), key=lambda pair: pair[0]._meta.label)}
    return Removal(rows=rows, files=files, letters=letters)


def _anonymise(held: dict[type[models.Model], set[int]]) -> list[tuple[models.FileField, str]]:
    """Overwrite the words, names and contents of every row held; return the files to delete
    once the change is committed."""
    files = []
    for model, ids in held.items():
        rows = _plain(model).filter(pk__in=ids)
        plain = {field.name: _removed(field) for field in model._meta.concrete_fields
                 if _words(field)}
        for field in model._meta.concrete_fields:
            if isinstance(field, models.BinaryField):
                plain[field.name] = b""
            elif isinstance(field, models.FileField):
                files += [(field, name) for name in rows.exclude(**{field.name: ""})
                          .values_list(field.name, flat=True)]
                plain[field.name] = ""
        if model is Pupil:
            plain.update(first_name=REMOVED, last_name="record", social_worker="",
                         date_of_birth=TruncYear("date_of_birth"))
        if model is ParentCarer:
            plain.update(first_name=REMOVED, last_name="record")
        if plain:
            rows.update(**plain)
        details = [field.name for field in model._meta.concrete_fields
                   if isinstance(field, models.JSONField)]
        if details:
            changed = []
            for row in rows.only("pk", *details):
                for name in details:
                    setattr(row, name, _scrub(getattr(row, name)))
                changed.append(row)
            _plain(model).bulk_update(changed, details, batch_size=500)
        if model is Pupil:
            for pupil_id in ids:
                # Never a real UPN (those start with a check letter and three digits), and
                # unique, as the field must be.
                rows.filter(pk=pupil_id).update(upn=f"ANON{pupil_id:09d}"[-13:])
    return files


# -- the job and the LA admin's steps ------------------------------------------------------

def disposals_list(*, la: LocalAuthority, today: date) -> int:
    """Record what is due at the LA today (the nightly job): each record listed once, however
    often the job runs. Changes nothing else."""
    rules = schedule()
    listed = [
        Disposal(kind=kind, subject_id=due.subject_id, local_authority=la,
                 school_id=due.school_id, label=due.label[:200], kept_since=due.kept_since)
        for kind, source in sources().items() for due in _due(source, la, today, rules)
    ]
    made = Disposal.objects.bulk_create(listed, ignore_conflicts=True)
    return len(made)


def disposal_review(disposal: Disposal) -> Removal:
    """The dry run: what confirming would remove, counted, changing nothing."""
    source = sources()[disposal.kind]
    record = source.root(disposal.subject_id)
    return preview(holdings(record, source))


def disposal_carry_out(*, actor, disposal_id: int, today: date) -> Disposal:
    """Anonymise a listed record, if it is still due: in one transaction, with the database's
    evidence guards opened for this disposal alone. A repeat (a double click) finds it done."""
    storage_deletes: list[tuple[models.FileField, str]] = []
    with transaction.atomic():
        disposal = Disposal.objects.select_for_update().get(pk=disposal_id)
        if disposal.status != Disposal.Status.DUE:
            return disposal
        source = sources()[disposal.kind]
        still = [due for due in _due(source, disposal.local_authority, today, schedule())
                 if due.subject_id == disposal.subject_id]
        disposal.confirmed_by, disposal.confirmed_at = actor, timezone.now()
        if not still:
            disposal.status = Disposal.Status.NOT_DUE
            disposal.outcome = {"reason": "Something was added to the record since it was "
                                          "listed, or the schedule changed: it is kept."}
            disposal.save()
            return disposal
        disposal.status = Disposal.Status.CONFIRMED
        disposal.save()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('pact.disposal', %s, true)",
                               [str(disposal.pk)])
        record = source.root(disposal.subject_id)
        held = holdings(record, source)
        removal = preview(held)
        storage_deletes = _anonymise(held)
        source.recorded(record, actor, disposal)
        disposal.status = Disposal.Status.DONE
        disposal.done_at = timezone.now()
        disposal.outcome = removal.as_outcome()
        disposal.save()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('pact.disposal', '', true)")
        transaction.on_commit(lambda: [field.storage.delete(name)
                                       for field, name in storage_deletes])
    return disposal
