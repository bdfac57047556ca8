"""Production refuses an insecure configuration, and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "k" * 20 + "7f3c9a1e5b2d8f4a6c0e9b3d7a1f5c8e2b6d0a4f"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_ENV", "ALLOWED_HOSTS"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_prints_no_issues_in_production():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_ENV="production", SECRET_KEY=SECRET, ALLOWED_HOSTS="pact.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "needs SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "needs SECRET_KEY"),
        ({"SECRET_KEY": SECRET, "DEBUG": "1"}, "refuses to run with DEBUG on"),
        ({"SECRET_KEY": SECRET, "ALLOWED_HOSTS": ""}, "needs ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_insecurely(env, message):
    result = manage("check", DJANGO_ENV="production", **{"ALLOWED_HOSTS": "a.example", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_every_task_has_a_soft_and_a_hard_time_limit():
    from config.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items()
            if name.split(".")[0] in {"cases", "contracts", "letters"}}
    assert len(ours) >= 6
    for name, task in ours.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name


def test_production_cookies_are_host_only_and_secure():
    result = manage(
        "shell", "-c", "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, "
        "s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        DJANGO_ENV="production", SECRET_KEY=SECRET, ALLOWED_HOSTS="pact.example.org",
    )
    assert result.stdout.split()[-4:] == ["__Host-sessionid", "__Host-csrftoken", "True", "True"]
