"""The production processes, started from the commands in docker-compose.yml as written: a real
Celery worker and beat on the Redis broker, and gunicorn, all on the test database."""

import contextlib
import http.cookiejar
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from celery.result import EagerResult
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Document, StaffRole, TimelineEvent
from cases.tasks import verify_document
from config.celery import app as celery_app
from contracts.models import Contract
from letters import services as letter_services
from reporting.models import Digest
from tests.clients import FormClient as Client
from tests.factories import (
    ExclusionFactory,
    LocalAuthorityFactory,
    PupilFactory,
    PupilParentFactory,
    SchoolFactory,
    staff,
)

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
# The virtualenv's bin directory (not resolved: .venv/bin/python is a symlink).
VENV_BIN = Path(sys.executable).parent
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def compose_command(service: str) -> str:
    services_ = yaml.safe_load(COMPOSE.read_text())["services"]
    return services_[service]["command"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A command run from the repository root in its own process group, its output in a file."""

    def __init__(self, command: str, env: dict[str, str], log: Path):
        self.log = log
        argv = shlex.split(command)
        argv[0] = str(VENV_BIN / argv[0])
        self._out = log.open("wb")
        self.popen = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def wait_for_output(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return True
            if not self.running():
                return text in self.output()
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        """SIGTERM to the whole group, then SIGKILL; the group's stragglers (pool processes,
        gunicorn workers) are killed whatever happens."""
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self._out.close()


@pytest.fixture
def process_env(transactional_db, census_reasons, settings, app_role_database_url
                ) -> dict[str, str]:
    """The environment for a production process: the test database (rows written by the test
    are committed) through the application's role, which owns nothing, as in production; the
    test's broker and media; background jobs on the broker."""
    return {
        **os.environ,
        "DATABASE_URL": app_role_database_url,
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }


@pytest.fixture
def start(tmp_path):
    started: list[Process] = []

    def start_process(command: str, env: dict[str, str]) -> Process:
        process = Process(command, env, tmp_path / f"process-{len(started)}.log")
        started.append(process)
        return process

    yield start_process
    for process in started:
        process.stop()


@pytest.fixture
def jobs_on_the_broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = was_eager


def test_a_real_worker_verifies_a_document_through_redis(process_env, start, jobs_on_the_broker):
    school = SchoolFactory(local_authority=LocalAuthorityFactory())
    pupil = PupilFactory(school=school)
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    document = services.document_upload(
        actor=lead, pupil=pupil, title="Attendance note",
        upload=SimpleUploadedFile("note.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    stored = Path(document.file.path)
    assert stored.is_file()
    stored.write_bytes(b"%PDF-1.4\nsomeone changed this file after it was uploaded\n")

    worker = start(compose_command("worker"), process_env)
    queued = verify_document.delay(document.pk)
    assert not isinstance(queued, EagerResult), "the task ran in the test process"

    checked_at = None
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and worker.running():
        checked_at = (
            Document.objects.filter(pk=document.pk)
            .values_list("integrity_checked_at", flat=True)
            .get()
        )
        if checked_at is not None:
            break
        time.sleep(0.2)
    assert checked_at is not None, f"The worker did not check the document:\n{worker.output()}"

    assert worker.wait_for_output(f"verify_document[{queued.id}] succeeded", timeout=10), (
        worker.output()
    )
    document.refresh_from_db()
    assert document.integrity_ok is False
    assert TimelineEvent.objects.filter(
        pupil=pupil, kind=TimelineEvent.Kind.DOCUMENT_INTEGRITY_FAILED
    ).exists()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def test_gunicorn_serves_health_with_database_and_broker_reachable(process_env, start):
    port = free_port()
    command = compose_command("web")
    assert "0.0.0.0:8000" in command
    web = start(command.replace("0.0.0.0:8000", f"127.0.0.1:{port}"), process_env)
    base = f"http://127.0.0.1:{port}"

    status, body = None, None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and web.running():
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=5) as response:
                status, body = response.status, json.loads(response.read())
            break
        except urllib.error.HTTPError as error:
            status, body = error.code, json.loads(error.read() or b"null")
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    assert status is not None, f"gunicorn did not answer:\n{web.output()}"
    assert status == 200, body
    assert body == {"status": "ok", "database": "ok", "broker": "ok"}

    opener = urllib.request.build_opener(_NoRedirects)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(f"{base}/", timeout=10)
    assert redirected.value.code == 302
    assert redirected.value.headers["Location"] == "/sign-in/?next=/"


def start_web(start, env) -> str:
    """gunicorn, as docker-compose runs it, on a free loopback port; its address once it
    answers."""
    port = free_port()
    command = compose_command("web").replace("0.0.0.0:8000", f"127.0.0.1:{port}")
    web = start(command, env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and web.running():
        try:
            urllib.request.urlopen(f"{base}/health/", timeout=5).close()
            return base
        except urllib.error.HTTPError:
            return base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer:\n{web.output()}")


def sign_in_through_the_proxy(base: str, username: str, password: str,
                              forwarded_for: str) -> int:
    """A sign-in as the trusted proxy passes it on: X-Forwarded-For as the proxy wrote it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirects)
    headers = {"X-Forwarded-For": forwarded_for}
    with opener.open(urllib.request.Request(f"{base}/sign-in/", headers=headers)) as page:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                          page.read().decode()).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": token}).encode()
    try:
        with opener.open(urllib.request.Request(f"{base}/sign-in/", data=form,
                                                headers=headers)) as answer:
            return answer.status
    except urllib.error.HTTPError as answer:
        return answer.code


def test_a_lockout_behind_the_proxy_falls_on_one_client_never_on_the_proxy(
    process_env, start
):
    from axes.models import AccessAttempt

    user = staff(StaffRole.SCHOOL_LEAD, SchoolFactory())
    user.set_password("correct horse battery")
    user.save()
    base = start_web(start, {**process_env, "TRUSTED_PROXY_COUNT": "1"})
    # The proxy appends the address it saw; anything before it is the client's own claim.
    client_a, client_b = "198.51.100.1", "198.51.100.2"
    # The fifth wrong password locks the username at that client (AXES_FAILURE_LIMIT).
    answers = [sign_in_through_the_proxy(base, user.username, "wrong", client_a)
               for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    assert sign_in_through_the_proxy(base, user.username, "correct horse battery",
                                     client_a) == 429
    # Client A claiming to be someone else is still client A.
    assert sign_in_through_the_proxy(base, user.username, "correct horse battery",
                                     f"203.0.113.50, {client_a}") == 429
    # The same username from another client of the same proxy signs in.
    assert sign_in_through_the_proxy(base, user.username, "correct horse battery",
                                     client_b) == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {client_a}


def test_one_beat_process_starts_with_the_static_schedule(process_env, start, settings, tmp_path):
    command = compose_command("beat")
    assert "/tmp/celerybeat-schedule" in command
    schedule = tmp_path / "celerybeat-schedule"
    beat = start(command.replace("/tmp/celerybeat-schedule", str(schedule)), process_env)

    assert beat.wait_for_output("beat: Starting", timeout=30), beat.output()
    time.sleep(0.5)
    assert beat.running(), f"beat stopped after starting:\n{beat.output()}"

    celery_app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, f"{name} names an unknown task"


def test_beat_and_a_worker_send_a_reminder_once_however_often_the_job_runs(
        process_env, start, tmp_path):
    """Beat runs the reminders job every 2 seconds here (daily in production); the worker
    runs it each time; the headteacher is e-mailed once."""
    school = SchoolFactory(local_authority=LocalAuthorityFactory())
    headteacher = staff(StaffRole.HEADTEACHER, school)
    headteacher.email = "head@example.org"
    headteacher.save()
    pupil = PupilFactory(school=school)
    services.deadline_open(
        pupil=pupil, kind="contract_end", actor=headteacher, started_by="signed",
        due_at=services.end_of_day(timezone.localdate() + timedelta(days=1)))
    outbox = tmp_path / "outbox"
    env = {**process_env, "PACT_REMINDERS_EVERY_SECONDS": "2",
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "EMAIL_FILE_PATH": str(outbox)}
    worker = start(compose_command("worker"), env)
    beat = start(compose_command("beat").replace("/tmp/celerybeat-schedule",
                                                 str(tmp_path / "schedule")), env)
    def runs() -> int:
        return len(re.findall(r"send_reminders\[[^\]]+\] succeeded", worker.output()))

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and runs() < 3 and worker.running():
        time.sleep(0.5)
    assert runs() >= 2, f"The job ran {runs()} times:\n{worker.output()}\n{beat.output()}"
    sent = list(outbox.glob("*.log")) if outbox.exists() else []
    assert len(sent) == 1, worker.output()
    assert "Due tomorrow: Contract ends" in sent[0].read_text()
    assert Digest.objects.filter(user=headteacher).count() == 1


def test_a_real_worker_issues_a_batch_of_letters_and_the_page_shows_progress(
    process_env, start, jobs_on_the_broker
):
    school = SchoolFactory(local_authority=LocalAuthorityFactory())
    lead = staff(StaffRole.SCHOOL_LEAD, school)
    today = date.today()
    pupils = [PupilFactory(school=school) for _ in range(3)]
    for pupil in pupils:
        PupilParentFactory(pupil=pupil)
        ExclusionFactory(pupil=pupil, start_date=today - timedelta(days=5))
    worker = start(compose_command("worker"), process_env)
    batch = letter_services.batch_request(
        actor=lead, kind="contract_invitation", pupils=pupils, method="post",
        facts={"meeting_on": today, "meeting_time": "10am", "meeting_place": "School",
               "contact": "Office", "reply_by": today},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and worker.running():
        batch.refresh_from_db()
        if batch.status == "done":
            break
        time.sleep(0.3)
    assert batch.status == "done", worker.output()
    assert batch.letters.count() == 3
    # Each invitation offered the pupil's contract.
    assert sorted(Contract.objects.filter(pupil__in=pupils).values_list("state", flat=True)
                  ) == ["offered"] * 3
    client = Client()
    client.force_login(lead)
    page = client.get(reverse("letter-batch-detail", args=[batch.pk])).content.decode()
    assert "3 of 3 issued" in page


def test_a_real_worker_builds_an_evidence_pack_and_the_page_shows_it(
    process_env, start, jobs_on_the_broker, settings
):
    from orders import services as order_services
    from tests.orders.conftest import complete_evidence, escalated_world

    world = escalated_world()
    complete_evidence(world)
    case = order_services.order_open_from_contract(actor=world.officer, contract=world.contract)
    order_services.order_start_review(actor=world.officer, case=case)
    worker = start(compose_command("worker"), process_env)
    client = Client()
    client.force_login(world.officer)
    pack = order_services.order_pack_request(actor=world.officer, case=case)
    first_look = client.get(reverse("order-pack", args=[pack.pk])).content.decode()
    pack.refresh_from_db()
    if pack.status in {"queued", "building"}:  # still, after the page was made
        assert 'data-pact-follow="running"' in first_look, "the page follows the build"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and worker.running():
        pack.refresh_from_db()
        if pack.status in {"built", "failed"}:
            break
        time.sleep(0.3)
    assert pack.status == "built", worker.output() + pack.problem
    page = client.get(reverse("order-pack", args=[pack.pk])).content.decode()
    assert f"{pack.built.page_count} pages" in page and pack.built.sha256 in page
    download = client.get(reverse("order-pack-download", args=[pack.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
