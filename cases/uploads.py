"""Evidence uploads: what Pact accepts, judged by the file's content, never by its name."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
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


def upload_problem(upload: UploadedFile) -> str | None:
    """Why a file cannot be accepted as evidence, or None when it can."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size == 0:
        return "The selected file is empty"
    if upload.size > limit:
        return f"The selected file must be smaller than {limit // (1024 * 1024)} MB"
    if detect_document_type(upload) is None:
        return f"The selected file must be a {ACCEPTED}"
    return None
