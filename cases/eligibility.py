"""A pupil's "What is available now": each app that owns a measure contributes it.

The case file does not know about contracts, orders or conduct; the apps that do add their
measures by giving their AppConfig an `eligibility_measures(pupil, *, today)` method. The pupil
comes with its school, LA, exclusions, parents and documents already fetched. Another app may
ask for one measure by its key (the contract's escalation step shows what the LA will find for
a parenting order) without knowing the app that answers.
"""

from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db.models import prefetch_related_objects

from .rules import Verdict

# What every measure reads about the pupil.
PUPIL_PREFETCHES = ("exclusions", "parent_links__parent", "documents")


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    verdict: Verdict
    position: int  # where the measure sits on the page, smallest first


def measures_for(pupil, *, today: date) -> list[Measure]:
    measures: list[Measure] = []
    for config in apps.get_app_configs():
        contribute = getattr(config, "eligibility_measures", None)
        if contribute is not None:
            measures.extend(contribute(pupil, today=today))
    return sorted(measures, key=lambda m: m.position)


def measure(pupil, key: str, *, today: date) -> Measure | None:
    """One measure for a pupil fetched without its relations, by its key."""
    prefetch_related_objects([pupil], *PUPIL_PREFETCHES)
    return next((m for m in measures_for(pupil, today=today) if m.key == key), None)
