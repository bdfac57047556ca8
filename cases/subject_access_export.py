"""The subject access export as a zip (cases.subject_access gathers what goes in it): written
to a temporary file, a file at a time, never held whole in memory."""

import hashlib
import json
import tempfile
import zipfile
from typing import IO

from django.template.loader import render_to_string
from django.utils import timezone

# The summary is laid out and written to PDF as letters are: WeasyPrint with a URL fetcher
# that reads nothing but the letters' own assets.
from letters.rendering import render_pdf

from .models import SubjectAccessExport
from .subject_access import Entry, Held, Section, answer_due, as_json, redactor_for, staff_name


def export_write(held: Held, export: SubjectAccessExport, *, user) -> IO[bytes]:
    """The zip, in a temporary file on disk, ready to be read from the start."""
    left_out = set(export.left_out)
    redactor = redactor_for(held, export.redacted)
    sections = [Section(s.key, s.heading, [
        Entry(redactor.text(e.title), [(label, redactor.text(value)) for label, value in
                                       e.fields], redactor.data(e.data))
        for e in s.entries if e.key not in left_out], s.empty) for s in held.sections]
    # Handed to the response, which closes it once sent.
    stream = tempfile.TemporaryFile()  # noqa: SIM115
    included = []
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for held_file in held.files:
            if held_file.key in left_out:
                continue
            digest = hashlib.sha256()
            with archive.open(held_file.zip_name, "w", force_zip64=True) as out:
                for chunk in held_file.chunks():
                    digest.update(chunk)
                    out.write(chunk)
            included.append({"reference": held_file.key, "kind": held_file.kind,
                             "title": redactor.text(held_file.title),
                             "date": held_file.dated.isoformat(),
                             "file": held_file.zip_name, "sha256": digest.hexdigest(),
                             "sha256_as_stored": held_file.stored_sha256,
                             "size": held_file.size})
        made = timezone.localtime()
        context = {"held": held, "export": export, "sections": sections, "files": included,
                   "made": made, "due": answer_due(export.received_on),
                   "left_out": len(left_out), "redacted": len(export.redacted),
                   "subject_name": held.subject_name, "by": staff_name(user)}
        archive.writestr("summary.pdf", render_pdf(
            render_to_string("cases/subject_access_summary.html", context)).pdf)
        archive.writestr("data.json", json.dumps({
            "subject": {"who": held.subject, "name": held.subject_name},
            "request": {"received_on": export.received_on.isoformat(),
                        "answer_due": answer_due(export.received_on).isoformat(),
                        "answered_at": as_json(export.answered_at), "made_at": as_json(made),
                        "names_redacted": len(export.redacted),
                        "letters_or_documents_left_out": len(left_out)},
            "sections": {s.key: [{"title": e.title, **e.data} for e in s.entries]
                         for s in sections},
            "files": included,
        }, indent=2, ensure_ascii=False, default=str))
        archive.writestr("README.txt", render_to_string(
            "cases/subject_access_readme.txt", context))
    stream.seek(0)
    return stream
