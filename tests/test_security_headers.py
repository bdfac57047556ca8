"""Headers every page carries: a strict content security policy, with the one inline script
allowed by its nonce; no-store wherever a signed-in user is; no camera, microphone or
location."""

import re

import pytest
from django.urls import reverse

from tests.clients import FormClient


@pytest.fixture
def lead_client(school_lead):
    client = FormClient()
    client.force_login(school_lead)
    return client


def test_every_page_has_a_strict_content_security_policy(lead_client, pupil):
    for url in (reverse("login"), reverse("dashboard"), reverse("pupil-detail", args=[pupil.pk]),
                reverse("contract-list")):
        response = (lead_client if url != reverse("login") else FormClient()).get(url)
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
        assert directives["default-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        body = response.content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body)
        assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
        assert not re.search(r"\sstyle=", body), f"{url} has an inline style"


def test_pages_with_names_are_never_cached_and_ask_for_no_devices(lead_client, pupil):
    response = lead_client.get(reverse("pupil-detail", args=[pupil.pk]))
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
