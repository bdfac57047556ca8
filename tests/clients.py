"""A test client that posts as Pact's own forms do: each POST carries a fresh one-time
submission key (cases.submissions), unless the test gives its own."""

import threading
import time
from binascii import unhexlify

from django.db import connections
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import submissions, two_step


def authenticator_for(user) -> TOTPDevice:
    """The user's authenticator app, set up if they have none."""
    return two_step.authenticator_of(user) or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True)


def app_code(key_hex: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app set up with the key shows (steps_ahead half minutes on)."""
    totp = TOTP(unhexlify(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


class FormClient(Client):
    """Signs in as a person does to the end: for a user who must use two-step sign-in, with
    their authenticator (set up if need be) verified in the session, as the code page
    leaves it (tests of the code page itself sign in through the forms)."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        # Read afresh: roles given since the user object was made count.
        fresh = type(user).objects.get(pk=user.pk)
        if two_step.two_step_required(fresh):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = authenticator_for(fresh).persistent_id
            session[two_step.VERIFIED_MARK] = True
            session.save()

    def post(self, path, data=None, *args, **kwargs):
        if isinstance(data, dict) and submissions.FIELD not in data:
            data = {**data, submissions.FIELD: submissions.new_key()}
        elif data is None:
            data = {submissions.FIELD: submissions.new_key()}
        return super().post(path, data, *args, **kwargs)


def at_once(*works) -> list:
    """Each callable run in a thread of its own, all released together (two workers running a
    job at the same moment); their results in the order they came."""
    barrier = threading.Barrier(len(works))
    results = []

    def run(work):
        barrier.wait()
        try:
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def post_at_once(*posts: tuple[object, str, dict]) -> list:
    """Each (user, address, form) posted from a thread of its own, all released together, as
    two members of staff pressing a button at the same moment; the answers in the order they
    came."""
    def poster(user, url, form):
        def post():
            client = FormClient()
            client.force_login(user)
            return client.post(url, form)
        return post

    return at_once(*(poster(*sent) for sent in posts))
