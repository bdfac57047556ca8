"""Conduct records under the retention schedule: an adult's record is disposed of the given
number of years after its last step, once no restriction is in force (a ban or conditions
still in force keep it, however old). Incidents go with the last record they involve."""

from datetime import date

from django.db.models import Max

from cases.models import (
    CONDUCT_DEADLINES,
    Deadline,
    Disposal,
    LocalAuthority,
    ParentCarer,
    RetentionRule,
)
from cases.retention import Due, Source, years_before
from letters.models import CONDUCT_KINDS, IssuedLetter

from .models import ConductEvent, ConductRecord, Incident, Stage

Kind = RetentionRule.Kind
# No restriction in force: the record is only history.
AT_REST = {Stage.NONE, Stage.REMINDED, Stage.WARNED, Stage.LIFTED}


def _disposed_records():
    return Disposal.objects.filter(kind=Kind.CONDUCT_RECORD,
                                   status=Disposal.Status.DONE).values("subject_id")


def records_due(la: LocalAuthority, today: date, rules: dict) -> list[Due]:
    cutoff = years_before(today, rules[Kind.CONDUCT_RECORD].years)
    records = (ConductRecord.objects.filter(school__local_authority=la, stage__in=AT_REST)
               .exclude(pk__in=_disposed_records())
               .annotate(last=Max("events__occurred_at"))
               .filter(last__date__lte=cutoff)
               .values_list("pk", "school_id", "last"))
    return [Due(pk, school_id, last.date(), f"Conduct record {pk}")
            for pk, school_id, last in records.iterator()]


def incidents_and_letters(record: ConductRecord) -> list[tuple[type, set[int]]]:
    others = ConductRecord.objects.exclude(pk=record.pk).exclude(pk__in=_disposed_records())
    incidents = set(record.incidents.exclude(adults__in=others).values_list("pk", flat=True))
    letters = set(record.steps.filter(letter__isnull=False).values_list("letter_id", flat=True))
    return [(Incident, incidents), (IssuedLetter, letters)]


def withhold(held: dict) -> None:
    """A pupil's case file does not carry its adults' conduct records or their letters away:
    they keep their own rule."""
    for model in [model for model in held if model._meta.app_label == "conduct"]:
        del held[model]
    # A conduct record's clocks, and the adult it is about while the record stands.
    if Deadline in held:
        held[Deadline] -= set(Deadline.objects.filter(
            pk__in=held[Deadline], kind__in=CONDUCT_DEADLINES).values_list("pk", flat=True))
    if ParentCarer in held:
        held[ParentCarer] -= set(ConductRecord.objects.filter(
            parent__in=held[ParentCarer]).exclude(pk__in=_disposed_records())
            .values_list("parent_id", flat=True))
    if IssuedLetter in held:
        held[IssuedLetter] -= set(IssuedLetter.objects.filter(
            pk__in=held[IssuedLetter], kind__in=CONDUCT_KINDS).values_list("pk", flat=True))


def record_disposed(record: ConductRecord, actor, disposal: Disposal) -> None:
    ConductEvent.objects.create(
        record=record, actor=actor, summary="Anonymised under the retention schedule",
        details={"stage": record.stage, "disposal": disposal.pk})


CONDUCT_RECORDS = Source(kind=Kind.CONDUCT_RECORD, due=records_due,
                         root=lambda record_id: ConductRecord.objects.get(pk=record_id),
                         recorded=record_disposed,
                         extra=incidents_and_letters, withhold=withhold,
                         needs=(Kind.CONDUCT_RECORD,))
