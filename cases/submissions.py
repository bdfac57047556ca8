"""Every POST is safe to repeat: one mechanism for every state-changing form.

Each form carries a one-time key (`{% post_guard %}` renders it beside the CSRF token). The
middleware opens one transaction around the view, and inside it records the key first: a
second request with the same key waits on the database's unique index until the first ends.
If the first succeeded (it redirected), the key is kept with where it led and the repeat is
sent there too, changing nothing. If it did not (a form error, a refusal), nothing it did is
kept, the key included, so the corrected form can be sent again.
"""

import uuid
from datetime import datetime

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest, HttpResponseRedirect

from .models import Submission

FIELD = "submission_key"
# Paths whose POSTs change no case record, or have their own forms: signing in and out are
# safe to repeat as they are; the Django admin is the operators' tool.
UNGUARDED = ("/sign-in/", "/sign-out/", "/admin/")
REPEATED = "This was already done: you are seeing what it did. Nothing was done twice."
OUT_OF_DATE = ("This page was out of date, so nothing was saved. Go back, reload the page and "
               "send the form again.")


def new_key() -> str:
    return str(uuid.uuid4())


class _NotDone(Exception):
    def __init__(self, response):
        self.response = response


class OneSubmissionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.method != "POST" or not request.user.is_authenticated
                or request.path.startswith(UNGUARDED)):
            return self.get_response(request)
        try:
            key = uuid.UUID(request.POST.get(FIELD, ""))
        except ValueError:
            return HttpResponseBadRequest(OUT_OF_DATE)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        Submission.objects.create(key=key, user=request.user,
                                                  path=request.path[:500])
                except IntegrityError:
                    return self._repeat(request, key)
                response = self.get_response(request)
                if response.status_code not in (301, 302, 303):
                    raise _NotDone(response)
                Submission.objects.filter(key=key).update(result=response["Location"][:500])
                return response
        except _NotDone as not_done:
            return not_done.response

    def _repeat(self, request, key):
        first = Submission.objects.filter(key=key).first()
        if first is None or first.user_id != request.user.pk or first.path != request.path:
            return HttpResponseBadRequest(OUT_OF_DATE)
        messages.info(request, REPEATED)
        return HttpResponseRedirect(first.result)


def submissions_forget(*, before: datetime) -> int:
    """Keys are kept long enough to catch any repeat: a month, then let go."""
    deleted, _ = Submission.objects.filter(created_at__lt=before).delete()
    return deleted
