"""Evidence uploads: what Pact accepts, judged by the file's content, never by its name."""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class DocumentType:
    label: str
    content_type: str
    suffix: str


PDF = DocumentType("PDF", "application/pdf", ".pdf")
PNG = DocumentType("PNG image", "image/png", ".png")
JPEG = DocumentType("JPEG image", "image/jpeg", ".jpg")
DOCX = DocumentType(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
ACCEPTED = "PDF, Word (DOCX), PNG or JPEG"


def detect_document_type(upload: UploadedFile) -> DocumentType | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04") and _is_word_document(upload):
        return DOCX
    return None


def _is_word_document(upload: UploadedFile) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


# A Word document is a zip archive. Anything that opens it later (a virus scanner, Word
# itself, whoever receives an evidence pack) unpacks it, so an archive that inflates far
# beyond its size, or holds thousands of parts, is refused here. Real documents compress text
# about tenfold and store pictures as they are.
DOCX_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
DOCX_MAX_RATIO = 100
DOCX_MAX_PARTS = 5_000


def _archive_problem(upload: UploadedFile) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        return f"The selected file must be a {ACCEPTED}"
    finally:
        upload.seek(0)
    unpacked = sum(part.file_size for part in parts)
    if (len(parts) > DOCX_MAX_PARTS or unpacked > DOCX_MAX_UNPACKED_BYTES
            or unpacked > DOCX_MAX_RATIO * max(upload.size, 1)):
        return ("The selected Word document unpacks to far more than a real document does "
                f"(more than {DOCX_MAX_UNPACKED_BYTES // (1024 * 1024)} MB, or more than "
                f"{DOCX_MAX_RATIO} times its size), so it cannot be kept as evidence. Save it "
                "again from Word, or as a PDF")
    return None


def upload_problem(upload: UploadedFile) -> str | None:
    """Why a file cannot be accepted as evidence, or None when it can."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size == 0:
        return "The selected file is empty"
    if upload.size > limit:
        return f"The selected file must be smaller than {limit // (1024 * 1024)} MB"
    document_type = detect_document_type(upload)
    if document_type is None:
        return f"The selected file must be a {ACCEPTED}"
    if document_type == DOCX:
        return _archive_problem(upload)
    return None


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


@dataclass(frozen=True)
class Accepted:
    """An upload ready to store: its detected type, its SHA-256 and the name it came with.
    The upload itself is renamed from its type, never from the name the user gave."""

    document_type: DocumentType
    sha256: str
    original_name: str


def accept_upload(upload: UploadedFile) -> Accepted:
    """The upload as evidence, or a ValidationError on the form's file field saying why not."""
    problem = upload_problem(upload)
    if problem:
        raise ValidationError({"file": problem})
    document_type = detect_document_type(upload)
    accepted = Accepted(document_type, sha256_of(upload), upload.name[:255])
    upload.name = f"upload{document_type.suffix}"
    return accepted
