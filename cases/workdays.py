"""Dates the law counts in: calendar months, working days, working hours and school days.

Working days skip Saturdays, Sundays and the bank holidays of the LA's nation (England or
Wales, from the `holidays` package). School days are working days inside the LA's terms.
"""

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from .models import Nation

_SUBDIVISION = {Nation.ENGLAND: "ENG", Nation.WALES: "WLS"}


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), or the last day of that month
    when it is shorter: 31 August + 6 months is 28 February (29 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def date_key(day: date) -> int:
    """A date as YYYYMMDD. Adding 10000 is "12 months later"; comparing keys needs no date
    arithmetic, so the same test runs in SQL (see cases.selectors._key) and here, and a
    29 February start still ends on 28 February."""
    return day.year * 10000 + day.month * 100 + day.day


@lru_cache(maxsize=64)
def bank_holidays(nation: str, year: int) -> frozenset[date]:
    return frozenset(holidays.UK(subdiv=_SUBDIVISION[Nation(nation)], years=year))


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(nation, day.year)


def why_not_a_working_day(day: date, nation: str) -> str | None:
    """"a Saturday", "a Sunday", "Christmas Day, a bank holiday", or None on a working day."""
    if day.weekday() >= 5:
        return f"a {day:%A}"
    name = holidays.UK(subdiv=_SUBDIVISION[Nation(nation)], years=day.year).get(day)
    return f"{name}, a bank holiday" if name else None


def add_working_days(start: date, days: int, nation: str) -> date:
    """The working day that is `days` working days after `start`, start itself not counted."""
    if days < 0:
        raise ValueError("Count working days forwards only.")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return day


def add_working_hours(start: datetime, hours: int, nation: str) -> datetime:
    """`hours` hours later counting only working days, whole days at a time: 48 hours from a
    Friday afternoon is the Tuesday afternoon. A start on a weekend or bank holiday counts from
    the start of the next working day."""
    if hours % 24:
        raise ValueError("Working hours are counted in whole days (24, 48, ...).")
    moment = start
    if not is_working_day(moment.date(), nation):
        day = moment.date()
        while not is_working_day(day, nation):
            day += timedelta(days=1)
        moment = moment.replace(
            year=day.year, month=day.month, day=day.day, hour=0, minute=0, second=0,
            microsecond=0,
        )
    target = add_working_days(moment.date(), hours // 24, nation)
    return moment.replace(year=target.year, month=target.month, day=target.day)


def working_days_between(start: date, end: date, nation: str) -> int:
    """Working days after `start` up to and including `end`."""
    return sum(
        1 for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset), nation)
    )


def school_days(
    start: date, end: date, *, nation: str, terms: Iterable[tuple[date, date]]
) -> list[date]:
    """The school days from `start` to `end` inclusive: working days inside a term."""
    terms = list(terms)
    return [
        day
        for day in (start + timedelta(days=n) for n in range((end - start).days + 1))
        if is_working_day(day, nation) and any(a <= day <= b for a, b in terms)
    ]


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def default_terms(first_year: int) -> list[tuple[str, date, date]]:
    """Term dates for the academic year starting in September of `first_year`, for an LA that
    has not entered its own. Typical of English and Welsh LAs; half-term breaks are left in
    (they are the LA's to enter), so school-day counts can be a week high across a half term.
    Autumn: first Monday of September to the last Friday on or before 20 December.
    Spring: first Monday on or after 4 January to the Friday before Good Friday.
    Summer: the Monday a week after Easter Monday to the last Friday on or before 22 July."""
    monday, friday = 0, 4
    easter = easter_sunday(first_year + 1)
    return [
        ("autumn", _on_or_after(date(first_year, 9, 1), monday),
         _on_or_before(date(first_year, 12, 20), friday)),
        ("spring", _on_or_after(date(first_year + 1, 1, 4), monday),
         easter - timedelta(days=9)),
        ("summer", easter + timedelta(days=8), _on_or_before(date(first_year + 1, 7, 22), friday)),
    ]
