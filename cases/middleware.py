import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseBadRequest


class SessionTimeoutMiddleware:
    """Signs a user out after 30 minutes without a request, or 12 hours after signing in,
    whichever comes first (OWASP ASVS 5.0 V7.3)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault("signed_in_at", now)
            last_seen = session.setdefault("last_seen", now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - signed_in_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            elif now - last_seen >= 60:
                # Refreshed at most once a minute, to spare a session write on every request.
                session["last_seen"] = now
        return self.get_response(request)


UNSTORABLE = "\x00"


class RefuseUnstorableInputMiddleware:
    """A NUL character can be neither stored by PostgreSQL nor meant by anyone typing: a
    request carrying one, in its address, its query or a form field, is answered 400 before
    any view or query sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if UNSTORABLE in request.path or _carries(request.GET) or (
            request.method == "POST" and _carries(request.POST)
        ):
            return HttpResponseBadRequest(
                "The request contained a character Pact cannot store. Nothing was saved.")
        return self.get_response(request)


def _carries(data) -> bool:
    return any(UNSTORABLE in key or any(UNSTORABLE in value for value in data.getlist(key))
               for key in data)


class PrivatePagesMiddleware:
    """Pages for a signed-in user show children's and parents' details: no browser or proxy
    may keep a copy (Cache-Control: no-store), and no page asks for the camera, microphone or
    location."""

    PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        return response
