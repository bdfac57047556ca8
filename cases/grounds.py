""""Eligible now", kept rather than recomputed.

The behaviour-contract rule pairs each pupil's suspensions (cases.rules.contract_grounds).
Pairing every exclusion of an LA on each visit grows with the LA; instead the services that
change a pupil's exclusions, or move the pupil, recompute that pupil's grounds under every
policy here, with the rule itself, and "eligible now" reads the rows with an index range scan
(cases.selectors.contract_eligible_pupils). Rows are derived, never evidence: this module can
rebuild them all from the exclusions (`manage.py contract_grounds_rebuild`), as a release that
changes a policy's numbers must for that policy (cases.policies).
"""

from collections.abc import Collection, Iterable, Iterator
from datetime import date
from itertools import groupby
from typing import NamedTuple

from django.db import connection, transaction

from .models import ContractGrounds, Exclusion, Pupil, School
from .policies import POLICIES, Policy
from .rules import contract_grounds


class _Facts(NamedTuple):
    kind: str
    start_date: date
    serious_misbehaviour: bool = False
    statutory_process_ended_on: date | None = None


REBUILD_PUPILS = 50_000
COLUMNS = ("pupil_id", "policy_name", "school_id", "local_authority_id", "met_on", "lapses_on")


def _rows(pupil_id: int, school_id: int, la_id: int, facts: list[_Facts],
          policies: Iterable[Policy]) -> Iterator[tuple]:
    for policy in policies:
        found = contract_grounds(policy=policy, exclusions=facts)
        if found is not None:
            grounds, lapses_on = found
            yield (pupil_id, policy.name, school_id, la_id, grounds.met_on, lapses_on)


def _exclusions_by_pupil(exclusions) -> Iterator[tuple[tuple[int, int, int], list[_Facts]]]:
    """The exclusions' facts, grouped by pupil (with the pupil's school and LA now)."""
    ordered = exclusions.order_by("pupil_id").values_list(
        "pupil_id", "pupil__school_id", "pupil__school__local_authority_id", "kind", "start_date")
    for pupil, rows in groupby(ordered, key=lambda r: r[:3]):
        yield pupil, [_Facts(kind, start) for *_, kind, start in rows]


def _write(model, rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.copy(
                f"COPY {model._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        model.objects.bulk_create((model(**dict(zip(COLUMNS, row, strict=True))) for row in rows),
                                  batch_size=5_000)


def contract_grounds_refresh(pupil_ids: Collection[int]) -> None:
    """Recompute these pupils' grounds under every policy, from their exclusions as they stand.
    Called inside the service's transaction, with the pupil locked, after its change."""
    ContractGrounds.objects.filter(pupil_id__in=pupil_ids).delete()
    ContractGrounds.objects.bulk_create(
        ContractGrounds(**dict(zip(COLUMNS, row, strict=True)))
        for pupil, facts in _exclusions_by_pupil(Exclusion.objects.filter(pupil_id__in=pupil_ids))
        for row in _rows(*pupil, facts, POLICIES.values())
    )


def contract_grounds_moved(*, pupil_id: int, school: School) -> None:
    """The pupil's grounds go with them to their new school (and LA)."""
    ContractGrounds.objects.filter(pupil_id=pupil_id).update(
        school=school, local_authority_id=school.local_authority_id)


def contract_grounds_rebuild(policy_names: Collection[str] | None = None) -> int:
    """Every pupil's grounds under these policies (all when None), from scratch, in one
    transaction: the list reads the old rows until the new ones are committed."""
    return rebuild_with(Pupil, Exclusion, ContractGrounds, policy_names)


def rebuild_with(pupil_model, exclusion_model, grounds_model,
                 policy_names: Collection[str] | None = None) -> int:
    """contract_grounds_rebuild with the models given: a migration passes its own."""
    policies = [POLICIES[name] for name in policy_names] if policy_names else list(
        POLICIES.values())
    written = 0
    with transaction.atomic():
        grounds_model.objects.filter(policy_name__in=[p.name for p in policies]).delete()
        last = pupil_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # A slice of pupils at a time: memory stays flat in the number of pupils.
        for first in range(0, last + 1, REBUILD_PUPILS):
            rows = [row for pupil, facts in _exclusions_by_pupil(exclusion_model.objects.filter(
                        pupil_id__gte=first, pupil_id__lt=first + REBUILD_PUPILS))
                    for row in _rows(*pupil, facts, policies)]
            _write(grounds_model, rows)
            written += len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {grounds_model._meta.db_table}")
    return written
