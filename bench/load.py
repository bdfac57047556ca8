"""Pact under load: gunicorn as docker-compose runs it, on the la dataset, with one client and
then 20 at once, each signed in and mixing the dashboard, pupil search, case pages and issuing a
letter. Prints requests per second, p50/p95/p99 and errors for each, side by side. Asserts
nothing: `make bench` prints what it measured."""

import http.cookiejar
import os
import random
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

from cases.models import PupilParent  # noqa: E402
from tests.clients import FormClient  # noqa: E402

SECONDS = 30
CLIENTS = 20
USERNAME = "midshire.la.officer"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """One signed-in member of staff: a cookie jar, and the hidden fields of the last form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    def post(self, path: str, fields: dict) -> int:
        status, page = self.get(path)
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
        hidden |= dict(re.findall(r'name="(csrfmiddlewaretoken)" value="([^"]+)"', page))
        data = urllib.parse.urlencode({**hidden, **fields}, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def sign_in(self) -> None:
        """Signed in as the officer is after both steps: twenty people cannot each type the
        one demo authenticator's code in the same half minute (a code counts once)."""
        signed = FormClient()
        signed.force_login(get_user_model().objects.get(username=USERNAME))
        cookie = signed.cookies[settings.SESSION_COOKIE_NAME]
        self.jar.set_cookie(http.cookiejar.Cookie(
            0, cookie.key, cookie.value, None, False, "127.0.0.1", False, False, "/", True,
            False, None, False, None, None, {}))


def mix(pupils: list[tuple[int, int]]):
    """The next request a busy LA officer makes: mostly reading, now and then a letter."""
    pupil, parent = random.choice(pupils)
    roll = random.random()
    if roll < 0.2:
        return "dashboard", lambda b: b.get("/")[0]
    if roll < 0.45:
        return "search", lambda b: b.get("/pupils/?q=" + random.choice(
            ["smith", "jones", "patel", "amelia", "wood"]))[0]
    if roll < 0.9:
        return "case page", lambda b: b.get(f"/pupils/{pupil}/")[0]
    today = time.localtime()
    on_the_day = {f"{fact}_{n}": part for fact in ("contract_signed_on", "meeting_on", "reply_by")
                  for n, part in enumerate((today.tm_mday, today.tm_mon, today.tm_year))}
    return "letter issued", lambda b: b.post(
        f"/pupils/{pupil}/letters/new/contract_review_invitation/",
        {"recipients": parent, "language": "en", "method": "post", "action": "issue",
         "reason": "Two lessons missed this week.", "meeting_time": "10:30am",
         "meeting_place": "the school office", "contact": "the school office", **on_the_day})


def run(base: str, clients: int, seconds: float, pupils) -> dict:
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        browser = Browser(base)
        browser.sign_in()
        while time.monotonic() < stop_at:
            label, request = mix(pupils)
            started = time.perf_counter()
            try:
                status = request(browser)
            except Exception as failure:  # a refused connection is an error too
                status = repr(failure)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if not isinstance(status, int) or status >= 400:
                    errors.append(f"{label}: {status}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    cuts = statistics.quantiles(timings, n=100)
    return {"requests": len(timings), "per_second": len(timings) / took,
            "p50": statistics.median(timings), "p95": cuts[94], "p99": cuts[98],
            "errors": errors}


def main() -> None:
    pupils = list(PupilParent.objects.filter(pupil__school__local_authority__code="950")
                  .values_list("pupil_id", "parent_id")[:2000])
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"][
        "command"]
    port = free_port()
    argv = shlex.split(command.replace("0.0.0.0:8000", f"127.0.0.1:{port}"))
    argv = [a for a in argv if a not in {"--access-logfile", "-"}]
    env = {**os.environ, "DEBUG": "false", "CELERY_TASK_ALWAYS_EAGER": "false"}
    web = subprocess.Popen([str(Path(sys.executable).parent / argv[0]), *argv[1:]], cwd=ROOT,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                           start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/health/", timeout=2).close()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        single = run(base, 1, SECONDS / 3, pupils)
        loaded = run(base, CLIENTS, SECONDS, pupils)
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
    workers = re.search(r"--workers (\d+)", command).group(1)
    print(f"gunicorn as docker-compose runs it ({workers} workers); mix: 20% dashboard, 25% "
          "search, 45% case page, 10% letter issued (PDF rendered and stored)")
    for label, result in (("1 client", single), (f"{CLIENTS} clients", loaded)):
        print(f"{label:<12} {result['requests']:6d} requests  {result['per_second']:6.1f}/s  "
              f"p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
              f"p99 {result['p99']:7.1f} ms  errors {len(result['errors'])}")
    for error in sorted(set(loaded["errors"] + single["errors"]))[:10]:
        print(f"  error: {error}")


if __name__ == "__main__":
    main()
