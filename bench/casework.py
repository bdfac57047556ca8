"""Five years of case work added to a seeded LA for the benchmarks: contracts, orders and conduct
steps, spread over the LA's pupils in the mix of the `la` dataset (12,000 contracts, 1,500
orders and 3,000 adults' conduct records for 40,000 pupils). The seeds load none, and the
pages that list them would otherwise time empty tables. Callers add it in a transaction they
roll back, so the dataset stays as seeded."""

import random
from datetime import date, timedelta

from cases.models import LocalAuthority, Pupil
from conduct.models import ConductRecord, ConductStep
from contracts.models import Contract
from orders.models import OrderCase


def add_case_work(la: LocalAuthority, *, lead, today: date) -> None:
    rng = random.Random(2026)
    pupils = list(Pupil.objects.filter(school__local_authority=la).order_by("pk")
                  .values_list("pk", "school"))
    start = today - timedelta(days=5 * 365)

    def day() -> date:
        return start + timedelta(days=rng.randrange(5 * 365))

    contracts = []
    for pupil, school in rng.sample(pupils, len(pupils) * 3 // 10):
        state = rng.choice(["active", "refused", "terminated", "completed", "escalated"])
        signed = day()
        contracts.append(Contract(
            kind=rng.choice(["behaviour", "behaviour", "attendance"]), pupil_id=pupil,
            school_id=school, lead=lead, state=state,
            signed_on=None if state == "refused" else signed,
            closed_on=None if state == "active" else signed + timedelta(days=rng.randrange(200))))
    Contract.objects.bulk_create(contracts, batch_size=5000)
    orders = []
    for pupil, school in rng.sample(pupils, len(pupils) * 3 // 80):
        requested = day()
        orders.append(OrderCase(
            pupil_id=pupil, school_id=school, local_authority=la, requested_by=lead,
            requested_on=requested, request_reasons="Exclusions",
            applied_on=requested + timedelta(days=40), outcome="made",
            outcome_on=requested + timedelta(days=80), state="completed",
            closed_on=requested + timedelta(days=300)))
    OrderCase.objects.bulk_create(orders, batch_size=5000)
    records = ConductRecord.objects.bulk_create([
        ConductRecord(school_id=school, pupil_id=pupil, first_name="A", last_name="Parent",
                      created_by=lead)
        for pupil, school in rng.sample(pupils, len(pupils) * 3 // 40)], batch_size=5000)
    ConductStep.objects.bulk_create([
        ConductStep(record=record, taken_by=lead, taken_on=day(),
                    kind=rng.choice(["reminder", "warning", "conditions", "ban"]))
        for record in records for _ in range(2)], batch_size=5000)
