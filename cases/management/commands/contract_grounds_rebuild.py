"""Work out again every pupil's grounds for a behaviour contract, under one policy or all.

A release that changes a policy's numbers (cases.policies) runs this for that policy, so
"eligible now" reads grounds worked out with the new numbers. Safe to run at any time: the
list reads the old rows until the new ones are committed."""

from django.core.management.base import BaseCommand

from cases.grounds import contract_grounds_rebuild
from cases.models import LocalPolicy


class Command(BaseCommand):
    help = "Work out every pupil's grounds for a behaviour contract again (one policy or all)."

    def add_arguments(self, parser):
        parser.add_argument("--policy", choices=list(LocalPolicy), action="append",
                            help="Only this policy (may be given more than once).")

    def handle(self, *args, policy, **options):
        written = contract_grounds_rebuild(policy)
        self.stdout.write(f"Grounds worked out again: {written} kept.")
