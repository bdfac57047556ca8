"""Reads of termly returns, scoped to the user: the schools whose counts they may see
(cases.selectors.schools_counted_by). Returns hold counts only, never a name."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from cases import selectors as case_selectors
from cases.models import LocalAuthority, School

from .columns import COLUMNS, KEYS
from .models import ReturnSubmission, TermlyReturn
from .terms import ReturnTerm, ended_terms


def authorities_of(user) -> QuerySet[LocalAuthority]:
    return LocalAuthority.objects.filter(
        pk__in=case_selectors.schools_counted_by(user).values("local_authority"))


def authority_for(user, la_code: str | None) -> LocalAuthority:
    """The LA the user asked for (or their first), among those they count; else 404."""
    authorities = authorities_of(user).order_by("name")
    found = authorities.filter(code=la_code).first() if la_code else authorities.first()
    if found is None:
        raise Http404("No returns for you here")
    return found


def term_for(la: LocalAuthority, key: str | None, *, today: date,
             terms: list[ReturnTerm] | None = None) -> ReturnTerm:
    terms = terms if terms is not None else ended_terms(la, today)
    if not key:
        return terms[0]
    term = next((t for t in terms if t.key == key), None)
    if term is None:
        raise Http404("No return for that term: choose an ended term of the last five years")
    return term


@dataclass(frozen=True)
class Row:
    school: School
    termly_return: TermlyReturn | None
    submitted: ReturnSubmission | None

    @cached_property
    def counts(self) -> list[int | None]:
        if self.termly_return is None:
            return [None] * len(KEYS)
        return [self.termly_return.counts.get(key, 0) for key in KEYS]


@dataclass(frozen=True)
class TermTable:
    la: LocalAuthority
    term: ReturnTerm
    rows: list[Row]

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts[i] or 0 for row in self.rows) for i in range(len(KEYS))]

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows if row.submitted)

    @property
    def taken(self) -> int:
        return sum(1 for row in self.rows if row.termly_return)


def latest_returns(schools: QuerySet[School], term: ReturnTerm) -> dict[int, TermlyReturn]:
    """The latest revision of each school's return for the term: two queries."""
    latest = TermlyReturn.objects.filter(
        school=OuterRef("pk"), academic_year=term.academic_year, term=term.term,
    ).order_by("-revision").values("pk")[:1]
    ids = [pk for pk in schools.annotate(latest=Subquery(latest))
           .values_list("latest", flat=True) if pk]
    return {r.school_id: r for r in TermlyReturn.objects.filter(pk__in=ids)
            .select_related("submission__submitted_by")}


def term_table(user, *, la: LocalAuthority, term: ReturnTerm) -> TermTable:
    schools = case_selectors.schools_counted_by(user).filter(local_authority=la) \
        .order_by("name")
    returns = latest_returns(schools, term)
    rows = []
    for school in schools:
        found = returns.get(school.pk)
        rows.append(Row(school, found, getattr(found, "submission", None) if found else None))
    return TermTable(la=la, term=term, rows=rows)


def counted_school(user, *, school_id: int) -> School:
    school = (case_selectors.schools_counted_by(user).select_related("local_authority")
              .filter(pk=school_id).first())
    if school is None:
        raise Http404("No such school in your scope")
    return school


def revisions_of(school: School, term: ReturnTerm) -> list[TermlyReturn]:
    return list(TermlyReturn.objects.filter(
        school=school, academic_year=term.academic_year, term=term.term,
    ).select_related("submission__submitted_by", "taken_by").order_by("-revision"))


def series(user, *, la: LocalAuthority, terms: list[ReturnTerm]) -> list[TermTable]:
    return [term_table(user, la=la, term=term) for term in terms]


HEADINGS = [f"{c.group}: {c.label.lower()}" for c in COLUMNS]
