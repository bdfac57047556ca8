"""Back up the database and every stored file into one archive (cases/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from cases import backups
from cases.rules import count


class Command(BaseCommand):
    help = ("Write one archive with the database, every stored file and a manifest of their "
            "SHA-256 hashes. The archive holds children's records: encrypt it before it leaves "
            "the server.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write; must not exist")

    def handle(self, *args, path: Path, **options):
        manifest = backups.backup(path)
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Backed up {count(len(manifest['rows']), 'table', 'tables')} "
            f"({count(rows, 'row', 'rows')}) and "
            f"{count(len(manifest['files']), 'stored file', 'stored files')} to {path}.")
