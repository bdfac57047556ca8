"""Milliseconds per letter and per page, rendering built-in letters for a pupil of the la
dataset (HTML from the template, then WeasyPrint to PDF/A-3u), as issuing does."""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from cases.models import Pupil  # noqa: E402
from letters import services  # noqa: E402

RUNS = 10
lead = get_user_model().objects.get(username="midshire.school.lead")
pupil = (
    Pupil.objects.filter(school__staff_groups__group__user=lead, parent_links__isnull=False)
    .prefetch_related("parent_links__parent").first()
)
parents = [link.parent for link in pupil.parent_links.all()]
long_text = "\n".join(["The contract is not being kept in several ways we have discussed."] * 8)
letters = {
    "one-page conduct reminder": ("conduct_reminder", {
        "incident_on": date(2026, 11, 2), "incident": "Shouting at staff at the gate."}),
    "parenting contract (long)": ("parenting_contract", {
        "concerns": long_text, "aims": long_text, "parent_help": long_text,
        "pupil_help": long_text,
        "objectives": "\n".join(["Arrive on time; walk to school together; parent"] * 12),
        "school_commitments": long_text, "parent_commitments": long_text,
        "pupil_commitments": long_text, "starts_on": date(2026, 12, 1),
        "review_on": date(2027, 3, 1), "ends_on": date(2027, 6, 1)}),
}
services.compose(actor=lead, draft=services.Draft(  # warm up fonts and templates
    pupil=pupil, kind="conduct_reminder", language="en", recipients=parents, method="post",
    facts=letters["one-page conduct reminder"][1]))
for label, (kind, facts) in letters.items():
    for language in ("en", "cy-en"):
        draft = services.Draft(pupil=pupil, kind=kind, language=language, recipients=parents,
                               method="post", facts=facts)
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            composed = services.compose(actor=lead, draft=draft)
            timings.append((time.perf_counter() - started) * 1000)
        pages = composed.rendered.page_count
        median = statistics.median(timings)
        print(f"{label:<28} {language:<6} {pages} page{'s' if pages > 1 else ' '}  "
              f"median {median:6.1f} ms a letter, {median / pages:6.1f} ms a page, "
              f"worst {max(timings):6.1f} ms (goal: a one-page letter under 400 ms)")
