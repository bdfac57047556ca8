"""Reads about letters, scoped to the user like every read in Pact."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from cases import selectors as case_selectors
from cases.models import LocalAuthority, School, StaffRole

from .models import IssuedLetter, LetterBatch, LetterBatchItem, LetterTemplate
from .rendering import BUILTIN

# The names a letter template may use (see letters.services.compose).
TEMPLATE_NAMES = {"pupil", "salutation", "school", "la", "sender", "facts", "dated"}
# Built-in wording is part of the code; its version changes when its wording does.
BUILTIN_VERSION = 1


@dataclass(frozen=True)
class TemplateChoice:
    body: str
    source: str
    version: int


def builtin_body(*, kind: str, language: str) -> str:
    return (BUILTIN / language / f"{kind}.html").read_text(encoding="utf-8")


def template_for(*, kind: str, language: str, school: School) -> TemplateChoice:
    """The wording used for a school's letter: the school's own, else its LA's, else Pact's."""
    for owner, label in (
        ({"school": school}, f"{school.name} wording"),
        ({"local_authority_id": school.local_authority_id},
         f"{school.local_authority.name} wording"),
    ):
        override = LetterTemplate.objects.filter(
            kind=kind, language=language, **owner
        ).order_by("-version").first()
        if override:
            return TemplateChoice(override.body, f"{label} v{override.version}",
                                  override.version)
    return TemplateChoice(
        builtin_body(kind=kind, language=language), f"Pact wording v{BUILTIN_VERSION}",
        BUILTIN_VERSION,
    )


def template_owners_for(user) -> list[School | LocalAuthority]:
    """Where the user may change letter wording: a headteacher for the school, an LA admin for
    the LA."""
    owners: list[School | LocalAuthority] = []
    for group in case_selectors.staff_groups_of(user):
        if group.role == StaffRole.HEADTEACHER:
            owners.append(group.school)
        elif group.role == StaffRole.LA_ADMIN:
            owners.append(group.local_authority)
    return owners


def owner_for(user, *, owner_type: str, owner_id: int) -> School | LocalAuthority:
    for owner in template_owners_for(user):
        if (owner_type, owner_id) == (owner._meta.model_name, owner.pk):
            return owner
    raise Http404("No such school or LA among those whose letters you write")


def template_versions(*, owner: School | LocalAuthority, kind: str, language: str):
    lookup = {"school": owner} if isinstance(owner, School) else {"local_authority": owner}
    return LetterTemplate.objects.filter(kind=kind, language=language, **lookup).select_related(
        "created_by").order_by("-version")


def letter_for_download(user, *, pupil_id: int, letter_id: int) -> IssuedLetter:
    """A letter follows the pupil, as part of their educational record, to the school that
    has them now; the school that sent it keeps it too, as its own correspondence (its
    contract pages link to it after the pupil moves)."""
    try:
        return IssuedLetter.objects.open_to_case_readers().select_related("school").get(
            Q(pupil__in=case_selectors.pupils_visible_to(user))
            | Q(school__in=case_selectors.schools_visible_to(user)),
            pk=letter_id, pupil_id=pupil_id,
        )
    except IssuedLetter.DoesNotExist as missing:
        raise Http404("No such letter in your schools") from missing


@dataclass(frozen=True)
class BatchProgress:
    batch: LetterBatch
    issued: int
    failed: list[LetterBatchItem]
    pending: int

    @property
    def finished(self) -> int:
        return self.issued + len(self.failed)

    @property
    def percent(self) -> int:
        return int(100 * self.finished / self.batch.total) if self.batch.total else 100


def batch_progress(user, *, batch_id: int) -> BatchProgress:
    """A batch of the user's own, with how many letters are issued, which failed and why."""
    try:
        batch = LetterBatch.objects.get(pk=batch_id, requested_by=user)
    except LetterBatch.DoesNotExist as missing:
        raise Http404("No such batch of letters of yours") from missing
    counts = dict(batch.items.values_list("status").annotate(n=Count("pk")).order_by())
    failed = list(batch.items.filter(status=LetterBatchItem.Status.FAILED)
                  .select_related("pupil").order_by("pk")[:500])
    return BatchProgress(batch=batch, issued=counts.get(LetterBatchItem.Status.ISSUED, 0),
                         failed=failed, pending=counts.get(LetterBatchItem.Status.PENDING, 0))
