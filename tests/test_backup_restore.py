"""Backup and restore as an operator runs them: `manage.py backup` and `manage.py restore` as
processes, from the demo data (with a document, an issued letter and conduct evidence added) in
the test database to a second, new database and stored-files folder."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cases import services
from cases.models import Document, Pupil, StaffRole
from conduct import services as conduct_services
from conduct.models import Evidence
from letters import services as letter_services
from orders.models import BuiltPack
from tests.factories import FREE_LETTER, free_letter_facts, staff

pytestmark = pytest.mark.operations

ROOT = Path(__file__).resolve().parent.parent
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


class Site:
    """A database and a stored-files folder, as one Pact installation's."""

    def __init__(self, url: str, media: Path):
        self.url, self.media = url, media

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": self.url, "MEDIA_ROOT": str(self.media)}
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.url) as db:
            return db.execute(sql).fetchall()

    def state(self, *, verify_letters: bool = True) -> dict:
        """Everything a restore must bring back identically."""
        tables = [t for (t,) in self.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        rows = dict(self.query(" UNION ALL ".join(
            f"SELECT '{t}', count(*) FROM {t}" for t in tables)))
        files = {p.relative_to(self.media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in self.media.rglob("*") if p.is_file()}
        stored = {}
        for model in (Document, Evidence, BuiltPack):
            table = model._meta.db_table
            for pk, recorded, name in self.query(
                    f"SELECT {model._meta.pk.column}, sha256, file FROM {table}"):
                stored[(table, pk)] = (recorded, files.get(name))
        verified = self.manage("verify_letters") if verify_letters else None
        return {
            "rows": rows,
            "letters": self.query("SELECT id, sha256, encode(sha256(pdf), 'hex') "
                                  "FROM letters_issuedletter ORDER BY id"),
            "stored": stored,
            "files": files,
            "verify_letters": verified and (verified.returncode, verified.stdout),
            "guards": self.query("SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                                 "WHERE NOT tgisinternal ORDER BY 1, 2"),
        }


def owner_url(name: str) -> str:
    db = connection.settings_dict
    return (f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
            f"{db['HOST']}:{db['PORT']}/{quote(name, safe='')}")


@pytest.fixture
def here(transactional_db, census_reasons, settings) -> Site:
    """The test database and stored-files folder, holding what the test committed."""
    return Site(owner_url(connection.settings_dict["NAME"]), Path(settings.MEDIA_ROOT))


@pytest.fixture
def demo(here) -> Site:
    call_command("seed", scale="demo", stdout=io.StringIO())
    pupil = Pupil.objects.filter(parent_links__isnull=False).order_by("pk").first()
    lead = staff(StaffRole.SCHOOL_LEAD, pupil.school)
    services.document_upload(actor=lead, pupil=pupil, title="Attendance record",
                             upload=SimpleUploadedFile("record.pdf", PDF_BYTES))
    parents = [link.parent for link in pupil.parent_links.select_related("parent")]
    letter_services.letter_issue(actor=lead, draft=letter_services.Draft(
        pupil=pupil, kind=FREE_LETTER, language="en", recipients=parents[:1], method="post",
        facts=free_letter_facts()))
    conduct_services.incident_record(
        actor=staff(StaffRole.HEADTEACHER, pupil.school), pupil=pupil,
        occurred_at=timezone.now() - timedelta(hours=1), place="gate",
        channel="face_to_face", categories=["verbal_abuse"], affected=["staff"],
        description="Shouted at the class teacher at the gate.", parents=parents[:1],
        files=[("Witness statement", SimpleUploadedFile("statement.pdf", PDF_BYTES + b"%w"))])
    return here


@pytest.fixture
def new_site(here, tmp_path) -> Site:
    """An empty database on the same server, and an empty stored-files folder."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(here.url, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    yield Site(owner_url(name), tmp_path / "restored-media")
    with psycopg.connect(here.url, autocommit=True) as db:
        db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def backup_of(site: Site, directory: Path) -> Path:
    path = directory / "backups" / "pact.tar"
    path.parent.mkdir()
    made = site.manage("backup", str(path))
    assert made.returncode == 0, made.stderr
    return path


@pytest.fixture
def archive(here, tmp_path) -> Path:
    """A backup of the migrations' data alone: enough for what a restore refuses."""
    return backup_of(here, tmp_path)


def app_role() -> str:
    return urlsplit(os.environ["DATABASE_APP_URL"]).username


def test_a_restore_brings_back_every_row_letter_and_file_with_its_guards_and_grants(
        demo, new_site, tmp_path):
    archive = backup_of(demo, tmp_path)
    assert (archive.stat().st_mode & 0o777) == 0o600
    before = demo.state()
    assert before["letters"] and before["stored"], "the demo data has letters and files"
    assert before["verify_letters"][0] == 0

    done = new_site.manage("restore", str(archive), "--app-role", app_role())

    assert done.returncode == 0, done.stderr
    assert "all matching the backup" in done.stdout
    after = new_site.state()
    assert after == before
    assert all(recorded == actual for recorded, actual in after["stored"].values())
    [(owners, granted)] = new_site.query(
        f"SELECT array_agg(DISTINCT tableowner), bool_and(has_table_privilege('{app_role()}', "
        "format('%I', tablename), 'SELECT, INSERT, UPDATE, DELETE')) "
        "FROM pg_tables WHERE schemaname = 'public'")
    assert owners == [connection.settings_dict["USER"]]
    assert granted
    with pytest.raises(psycopg.errors.RaiseException), psycopg.connect(new_site.url) as db:
        db.execute("UPDATE letters_issuedletter SET method = 'email'")


def test_a_restore_refuses_a_database_that_holds_records_and_changes_nothing(
        here, archive, new_site):
    new_site.manage("restore", str(archive), "--app-role", app_role())
    with psycopg.connect(new_site.url) as db:
        db.execute("INSERT INTO django_session VALUES ('added-after', '', now())")
    changed = new_site.state(verify_letters=False)

    refused = new_site.manage("restore", str(archive), "--app-role", app_role())

    assert refused.returncode != 0
    assert "Pact's records are already here" in refused.stderr
    assert "--replace" in refused.stderr
    assert new_site.state(verify_letters=False) == changed

    replaced = new_site.manage("restore", str(archive), "--replace", "--app-role", app_role())
    assert replaced.returncode == 0, replaced.stderr
    assert new_site.query("SELECT count(*) FROM django_session") == [(0,)]


def nothing_restored(site: Site) -> bool:
    return (site.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
            and not site.media.exists())


def test_a_damaged_archive_is_refused_before_anything_changes(archive, new_site, tmp_path):
    damaged = tmp_path / "damaged.tar"
    data = bytearray(archive.read_bytes())
    data[len(data) // 3] ^= 0xFF
    damaged.write_bytes(bytes(data))

    refused = new_site.manage("restore", str(damaged), "--app-role", app_role())

    assert refused.returncode != 0
    assert "does not match its manifest" in refused.stderr
    assert "Nothing was restored" in refused.stderr
    assert nothing_restored(new_site)


def test_a_backup_from_a_newer_release_is_refused(archive, new_site, tmp_path):
    newer = tmp_path / "newer.tar"
    with tarfile.open(archive) as source, tarfile.open(newer, "w") as target:
        for member in source:
            content = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(content)
                manifest["migrations"]["cases"] = "9999_from_the_future"
                content = json.dumps(manifest).encode()
                member.size = len(content)
            target.addfile(member, io.BytesIO(content))

    refused = new_site.manage("restore", str(newer), "--app-role", app_role())

    assert refused.returncode != 0
    assert "newer Pact" in refused.stderr and "cases.9999_from_the_future" in refused.stderr
    assert nothing_restored(new_site)
