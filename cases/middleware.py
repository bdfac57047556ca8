import time

from django.conf import settings
from django.contrib.auth import logout


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
