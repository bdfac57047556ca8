"""One archive holding everything Pact keeps: the PostgreSQL database (a pg_dump custom-format
dump, issued letters' PDFs included) and every stored file under MEDIA_ROOT (documents, conduct
evidence, built evidence packs), with a manifest to check both against. Used by the `backup` and
`restore` management commands; README "Backup and restore" is the operator's side.

The archive holds children's records, so it is written readable by its owner alone and must be
encrypted before it leaves the server (UK GDPR Article 32: security of processing)."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from cases.rules import count

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
DB_ROLES_SQL = Path(__file__).resolve().parent.parent / "scripts" / "db-roles.sql"
CHUNK = 1024 * 1024


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise CommandError(
            "Backups need PostgreSQL. Embedded mode (SQLite, `make run`) keeps everything under "
            "var/: stop Pact and copy that folder instead.")


def client_binary(name: str) -> str:
    """The PostgreSQL client program for the server's major version (or a newer one): pg_dump
    refuses an older client, and pg_restore must read what that pg_dump wrote."""
    major = connection.pg_version // 10000
    installed = sorted(
        (int(p.parent.parent.name), p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}")
        if p.parent.parent.name.isdigit() and int(p.parent.parent.name) >= major)
    if installed:
        same = [p for version, p in installed if version == major]
        return str(same[0] if same else installed[-1][1])
    found = shutil.which(name)
    if not found:
        raise CommandError(f"{name} is needed: install the PostgreSQL {major} client programs "
                           f"(Debian: postgresql-client-{major}).")
    return found


def _libpq_environment() -> dict[str, str]:
    """The connection Django uses, for the client programs (the password never appears on a
    command line, where other users of the server could read it)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, value in (("PGHOST", db["HOST"]), ("PGPORT", db["PORT"]), ("PGUSER", db["USER"]),
                       ("PGPASSWORD", db["PASSWORD"]), ("PGDATABASE", db["NAME"]),
                       ("PGSSLMODE", db.get("OPTIONS", {}).get("sslmode"))):
        if value:
            env[key] = str(value)
    return env


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(source: BinaryIO, target: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file into the archive and hashes it in the same pass."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk


def table_rows(cursor) -> dict[str, int]:
    tables = sorted(connection.introspection.table_names(cursor))
    if not tables:
        return {}
    cursor.execute(" UNION ALL ".join(
        f"SELECT %s, count(*) FROM {connection.ops.quote_name(t)}" for t in tables), tables)
    return dict(cursor.fetchall())


def _stored_files(media: Path) -> list[str]:
    if not media.is_dir():
        return []
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*")
                  if p.is_file() and not p.is_symlink())


def backup(path: Path) -> dict:
    """Writes the archive at `path` (which must not exist) and returns its manifest."""
    _require_postgresql()
    path = path.absolute()
    if path.exists():
        raise CommandError(f"{path} already exists: give each backup a new name.")
    if not path.parent.is_dir():
        raise CommandError(f"{path.parent} is not a folder.")
    pg_dump = client_binary("pg_dump")
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix=".pact-backup-", dir=path.parent) as work:
        dump = Path(work) / DUMP
        # One snapshot for the dump, the row counts and the migrations: the manifest describes
        # exactly the database in the dump, whatever is written meanwhile.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            rows = table_rows(cursor)
            cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app")
            migrations = dict(sorted(cursor.fetchall()))
            done = subprocess.run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
                env=_libpq_environment(), capture_output=True, text=True)
            if done.returncode:
                raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
        manifest = {
            "format": FORMAT,
            "made_at": timezone.now().isoformat(),
            "database": connection.settings_dict["NAME"],
            "postgresql": connection.pg_version,
            "migrations": migrations,
            "rows": rows,
            "dump_sha256": "",
            "files": {},
        }
        handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                os.fchmod(out.fileno(), 0o600)
                with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
                    manifest["dump_sha256"] = _add_file(archive, dump, DUMP)
                    for name in _stored_files(media):
                        manifest["files"][name] = _add_file(archive, media / name,
                                                            f"{MEDIA}/{name}")
                    text = json.dumps(manifest, indent=1, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(text), 0o600, int(time.time())
                    archive.addfile(info, io.BytesIO(text))
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


def _add_file(archive: tarfile.TarFile, path: Path, arcname: str) -> str:
    info = archive.gettarinfo(path, arcname=arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as stream:
        reader = _HashingReader(stream)
        archive.addfile(info, reader)
    return reader.digest.hexdigest()


# --- restore ------------------------------------------------------------------------------------

def _refuse(reason: str) -> CommandError:
    return CommandError(f"{reason} Nothing was restored.")


def _unpack_verified(path: Path, work: Path) -> dict:
    """Unpacks the archive into `work`, checking every part against the manifest, and returns
    the manifest. Any doubt raises before anything outside `work` is touched."""
    if not path.is_file():
        raise _refuse(f"{path} is not a file.")
    hashes: dict[str, str] = {}
    try:
        with tarfile.open(path, mode="r:") as archive:
            for member in archive:
                name = PurePosixPath(member.name)
                allowed = (member.name in (MANIFEST, DUMP) or (
                    len(name.parts) > 1 and name.parts[0] == MEDIA))
                if (not member.isfile() or not allowed or name.is_absolute()
                        or ".." in name.parts or member.name in hashes):
                    raise _refuse(f"The archive holds {member.name!r}, which a Pact backup "
                                  "never does.")
                target = work.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, target.open("wb") as out:
                    hashes[member.name] = _copy_hashing(source, out)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise _refuse(f"{path} cannot be read as a Pact backup ({error}).") from error
    try:
        manifest = json.loads((work / MANIFEST).read_text())
        expected = {DUMP: manifest["dump_sha256"],
                    **{f"{MEDIA}/{n}": h for n, h in manifest["files"].items()}}
        if manifest["format"] != FORMAT:
            raise _refuse(f"The archive is in backup format {manifest['format']}; this Pact "
                          f"reads format {FORMAT}.")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise _refuse(f"{path} has no readable manifest ({error}).") from error
    hashes.pop(MANIFEST)
    wrong = sorted(n for n in expected if hashes.get(n) != expected[n])
    extra = sorted(set(hashes) - set(expected))
    if wrong or extra:
        raise _refuse(
            f"The archive does not match its manifest: {_some(wrong)} damaged or missing"
            + (f", {_some(extra)} not listed" if extra else "") + ".")
    return manifest


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return f"{shown} and {len(names) - 5} more" if len(names) > 5 else shown or "nothing"


def _check_migrations(manifest: dict) -> None:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    newer = [f"{app}.{name}" for app, name in manifest["migrations"].items()
             if (app, name) not in known]
    if newer:
        raise _refuse(
            f"The backup was made by a newer Pact: its database has migrations this code does "
            f"not know ({_some(newer)}). Install that release or a later one, then restore.")


def _what_is_there(cursor, media: Path) -> str:
    rows = table_rows(cursor)
    files = _stored_files(media)
    if not rows and not files:
        return ""
    held = []
    if rows:
        busiest = sorted(((n, t) for t, n in rows.items() if n), reverse=True)[:3]
        held.append(f"the database {connection.settings_dict['NAME']} has "
                    f"{count(len(rows), 'table', 'tables')} with "
                    f"{count(sum(rows.values()), 'row', 'rows')}"
                    + (f" ({', '.join(f'{t}: {n}' for n, t in busiest)})" if busiest else ""))
    if files:
        held.append(f"{media} holds {count(len(files), 'file', 'files')}")
    return " and ".join(held)


def _restore_database(dump: Path, *, replace: bool, app_role: str) -> None:
    """Loads the dump in one transaction, with the application role's grants (the dump's owners
    and grants are left out: on a new server the owner may have another name). If anything
    fails, psql's connection closes before COMMIT and the database is as it was."""
    pg_restore, psql = client_binary("pg_restore"), client_binary("psql")
    env = _libpq_environment()
    db = connection.settings_dict
    header = "BEGIN;\n" + ("DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"
                           if replace else "")
    footer = f"\\i {DB_ROLES_SQL}\nCOMMIT;\n"
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        loader = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
             f"--set=owner_role={db['USER']}", f"--set=app_role={app_role}",
             f"--set=dbname={db['NAME']}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors, env=env)
        reader = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE, stderr=restore_errors, env=env)
        try:
            loader.stdin.write(header.encode())
            shutil.copyfileobj(reader.stdout, loader.stdin, CHUNK)
            if reader.wait() == 0:
                loader.stdin.write(footer.encode())
            else:
                loader.kill()
            loader.stdin.close()
        except BrokenPipeError:
            reader.kill()
            reader.wait()
        loader.wait()
        if reader.returncode or loader.returncode:
            restore_errors.seek(0)
            psql_errors.seek(0)
            said = (restore_errors.read() + psql_errors.read()).decode(errors="replace").strip()
            raise _refuse(f"The database could not be loaded: {said[-2000:]}")


def _put_files(staged: Path, media: Path, *, replace: bool) -> None:
    media.mkdir(parents=True, exist_ok=True)
    if replace:
        for entry in media.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    if staged.is_dir():
        for entry in staged.iterdir():
            shutil.move(entry, media / entry.name)


def _problems_after(manifest: dict, media: Path) -> Iterable[str]:
    with connection.cursor() as cursor:
        rows = table_rows(cursor)
    for table in sorted(set(rows) | set(manifest["rows"])):
        if rows.get(table) != manifest["rows"].get(table):
            yield (f"table {table}: {manifest['rows'].get(table, 'none')} rows in the backup, "
                   f"{rows.get(table, 'none')} restored")
    for name, sha256 in manifest["files"].items():
        stored = media / name
        if not stored.is_file() or _sha256_file(stored) != sha256:
            yield f"stored file {name} differs from the backup"
    report = io.StringIO()
    try:
        call_command("verify_letters", stdout=report)
    except CommandError as mismatch:
        yield f"issued letters: {mismatch}\n{report.getvalue().strip()}"


def restore(path: Path, *, replace: bool, app_role: str) -> dict:
    """Restores the archive at `path` over an empty database and MEDIA_ROOT (or, with
    `replace`, in place of what is there) and checks the result against the manifest."""
    _require_postgresql()
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="pact-restore-") as work:
        manifest = _unpack_verified(Path(path), Path(work))
        _check_migrations(manifest)
        with connection.cursor() as cursor:
            present = _what_is_there(cursor, media)
            cursor.execute("SELECT current_user, EXISTS (SELECT FROM pg_roles WHERE rolname = %s)",
                           [app_role])
            user, role_exists = cursor.fetchone()
        if present and not replace:
            raise _refuse(f"Pact's records are already here: {present}. Restore onto an empty "
                          "database, or add --replace to delete all of it and put the backup "
                          "in its place.")
        if not role_exists:
            raise _refuse(f"The application's database role {app_role} does not exist here: "
                          "create it with scripts/db-roles.sql, or name it with --app-role.")
        if user == app_role:
            raise _refuse("Restore as the tables' owner (the role `migrate` uses), not as the "
                          "application's role, which may own nothing.")
        connection.close()
        _restore_database(Path(work) / DUMP, replace=replace, app_role=app_role)
        _put_files(Path(work) / MEDIA, media, replace=replace)
    problems = list(_problems_after(manifest, media))
    if problems:
        raise CommandError("The restore does not match the backup:\n  " + "\n  ".join(problems))
    return manifest
