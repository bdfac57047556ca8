"""The terms a return counts in (Bedfordshire protocol (2007) §15: numbers to the LA each term).

Each term's return counts the events from the day after the previous term ended to the last
day of this one, so the holidays before a term count in it and every day of the year belongs to
exactly one return: an event is counted once, whenever it happened. A return can be taken the
day after its term ends.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from cases.models import LocalAuthority, Term, TermDate
from cases.workdays import default_terms

ORDER = (Term.AUTUMN, Term.SPRING, Term.SUMMER)


@dataclass(frozen=True)
class ReturnTerm:
    academic_year: int  # 2026 for 2026/27
    term: str
    starts_on: date
    ends_on: date
    counts_from: date  # the day after the previous term ended

    @property
    def name(self) -> str:
        following = (self.academic_year + 1) % 100
        return f"{Term(self.term).label} term {self.academic_year}/{following:02d}"

    def get_term_display(self) -> str:
        return Term(self.term).label

    @property
    def key(self) -> str:
        return f"{self.academic_year}-{self.term}"


Entered = dict[tuple[int, str], tuple[date, date]]


def entered_dates(la: LocalAuthority, years: range) -> Entered:
    """The term dates the LA has entered for these academic years: one query."""
    return {(t.academic_year, t.term): (t.starts_on, t.ends_on)
            for t in TermDate.objects.filter(local_authority=la,
                                             academic_year__in=list(years))}


def _dates(first_year: int, entered: Entered) -> dict[str, tuple[date, date]]:
    defaults = {name: (start, end) for name, start, end in default_terms(first_year)}
    # A year the LA has entered in part takes the rest from the default.
    return {term: entered.get((first_year, term), defaults[term]) for term in ORDER}


def terms_of_year(la: LocalAuthority, first_year: int, entered: Entered | None = None
                  ) -> list[ReturnTerm]:
    if entered is None:
        entered = entered_dates(la, range(first_year - 1, first_year + 1))
    before = _dates(first_year - 1, entered)[Term.SUMMER][1]
    terms = []
    for term, (start, end) in _dates(first_year, entered).items():
        terms.append(ReturnTerm(first_year, term, start, end, before + timedelta(days=1)))
        before = end
    return terms


def ended_terms(la: LocalAuthority, today: date, *, years: int = 5) -> list[ReturnTerm]:
    """The ended terms of the last `years` academic years, latest first."""
    latest_year = today.year if today.month >= 8 else today.year - 1
    span = range(latest_year - years, latest_year + 1)
    entered = entered_dates(la, range(span.start - 1, span.stop))
    terms = [t for first_year in span for t in terms_of_year(la, first_year, entered)
             if t.ends_on < today]
    return sorted(terms, key=lambda t: t.ends_on, reverse=True)[:years * 3]


def last_ended(la: LocalAuthority, today: date) -> ReturnTerm:
    """The latest term that has ended before today."""
    return ended_terms(la, today, years=1)[0]
