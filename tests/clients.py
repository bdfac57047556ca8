"""A test client that posts as Pact's own forms do: each POST carries a fresh one-time
submission key (cases.submissions), unless the test gives its own."""

from django.test import Client

from cases import submissions


class FormClient(Client):
    def post(self, path, data=None, *args, **kwargs):
        if isinstance(data, dict) and submissions.FIELD not in data:
            data = {**data, submissions.FIELD: submissions.new_key()}
        elif data is None:
            data = {submissions.FIELD: submissions.new_key()}
        return super().post(path, data, *args, **kwargs)
