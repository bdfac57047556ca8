"""A pupil's "What is available now" page: each app that owns a measure contributes it.

The case file does not know about contracts, orders or conduct; the apps that do add their
measures by giving their AppConfig an `eligibility_measures(pupil, *, today)` method. The pupil
comes with its school, LA, exclusions, parents and documents already fetched.
"""

from dataclasses import dataclass
from datetime import date

from django.apps import apps

from .rules import Verdict


@dataclass(frozen=True)
class Measure:
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
