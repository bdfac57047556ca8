"""Re-hash every issued letter's stored PDF and report any that no longer match the SHA-256
recorded when it was issued. Exits with status 1 when any does, for monitoring."""

import hashlib

from django.core.management.base import BaseCommand, CommandError

from cases.rules import count
from letters.models import IssuedLetter


class Command(BaseCommand):
    help = "Check every issued letter's PDF against its recorded SHA-256."

    def handle(self, *args, **options):
        checked, mismatched = 0, []
        letters = IssuedLetter.objects.order_by("pk").values_list("pk", "sha256", "pdf")
        for pk, recorded, pdf in letters.iterator(chunk_size=200):
            checked += 1
            actual = hashlib.sha256(bytes(pdf)).hexdigest()
            if actual != recorded:
                mismatched.append(pk)
                self.stdout.write(
                    f"MISMATCH letter {pk}: recorded {recorded}, stored PDF hashes to {actual}"
                )
        self.stdout.write(f"Checked {count(checked, 'letter', 'letters')}; "
                          f"{len(mismatched)} mismatched.")
        if mismatched:
            raise CommandError(
                f"{count(len(mismatched), 'letter does', 'letters do')} not match "
                f"{'its' if len(mismatched) == 1 else 'their'} SHA-256.")
