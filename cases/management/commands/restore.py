"""Restore an archive made by `backup` (cases/backups.py), then check it against its manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand

from cases import backups
from cases.rules import count


class Command(BaseCommand):
    help = ("Restore a backup onto an empty database and stored-files folder (or, with --replace, "
            "in place of what is there), then check every table's rows, every stored file's "
            "SHA-256 and every issued letter against the backup.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="an archive written by `backup`")
        parser.add_argument(
            "--replace", action="store_true",
            help="delete the database's tables and the stored files first")
        parser.add_argument(
            "--app-role", default="pact_app",
            help="the application's database role, given its grants again (default pact_app)")

    def handle(self, *args, path: Path, replace: bool, app_role: str, **options):
        manifest = backups.restore(path, replace=replace, app_role=app_role)
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Restored the backup made at {manifest['made_at']}: "
            f"{count(len(manifest['rows']), 'table', 'tables')} ({count(rows, 'row', 'rows')}) "
            f"and {count(len(manifest['files']), 'stored file', 'stored files')}, all matching "
            "the backup. If this release has newer migrations, run `manage.py migrate` now.")
