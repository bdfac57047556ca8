from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Nation, TermDate
from cases.selectors import terms_for
from cases.workdays import (
    add_months,
    add_working_days,
    add_working_hours,
    date_key,
    default_terms,
    easter_sunday,
    is_working_day,
    school_days,
    working_days_between,
)
from tests.factories import LocalAuthorityFactory

NATIONS = [Nation.ENGLAND, Nation.WALES]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 3), 12, date(2026, 3, 3)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("nation", NATIONS)
def test_ten_working_days_across_christmas_and_new_year(nation):
    # Christmas Day, Boxing Day (observed Monday 28th) and New Year's Day are not counted.
    assert add_working_days(date(2026, 12, 18), 10, nation) == date(2027, 1, 6)


@pytest.mark.parametrize("nation", NATIONS)
def test_ten_working_days_across_easter(nation):
    # Good Friday 26 March and Easter Monday 29 March 2027 are not counted.
    assert add_working_days(date(2027, 3, 22), 10, nation) == date(2027, 4, 7)


@pytest.mark.parametrize("nation", NATIONS)
def test_48_hours_from_a_friday_afternoon_end_on_tuesday_afternoon(nation):
    made = datetime(2026, 11, 13, 15, 30)
    assert add_working_hours(made, 48, nation) == datetime(2026, 11, 17, 15, 30)


@pytest.mark.parametrize("nation", NATIONS)
def test_48_hours_from_a_thursday_cross_the_weekend(nation):
    assert add_working_hours(datetime(2026, 11, 12, 9, 0), 48, nation) == datetime(
        2026, 11, 16, 9, 0
    )


def test_48_hours_from_a_saturday_count_from_monday_morning():
    assert add_working_hours(datetime(2026, 11, 14, 10, 0), 48, Nation.ENGLAND) == datetime(
        2026, 11, 18, 0, 0
    )


def test_working_hours_come_in_whole_days():
    with pytest.raises(ValueError, match="whole days"):
        add_working_hours(datetime(2026, 11, 12, 9, 0), 36, Nation.ENGLAND)


def test_the_date_key_makes_12_months_a_plain_addition():
    start = date(2024, 2, 29)
    assert date_key(date(2025, 2, 28)) <= date_key(start) + 10000 < date_key(date(2025, 3, 1))


@pytest.mark.parametrize(("year", "easter"), [(2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
                                              (2038, date(2038, 4, 25))])
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_default_terms_fall_on_school_weekdays_and_leave_easter_out():
    terms = default_terms(2026)
    assert [name for name, _, _ in terms] == ["autumn", "spring", "summer"]
    autumn, spring, summer = [(a, b) for _, a, b in terms]
    assert autumn == (date(2026, 9, 7), date(2026, 12, 18))
    assert spring[1] < date(2027, 3, 26) < summer[0]  # Good Friday in the break
    counted = school_days(date(2027, 3, 15), date(2027, 4, 16), nation=Nation.ENGLAND,
                          terms=[autumn, spring, summer])
    assert date(2027, 3, 19) in counted
    assert not any(date(2027, 3, 20) <= d <= date(2027, 4, 4) for d in counted)


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert working_days_between(date(2026, 12, 18), date(2027, 1, 6), Nation.ENGLAND) == 10


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    days=st.integers(min_value=0, max_value=400),
    nation=st.sampled_from(NATIONS),
)
def test_adding_working_days_lands_on_a_working_day_never_before_the_start(start, days, nation):
    end = add_working_days(start, days, nation)
    assert end >= start
    if days:
        assert is_working_day(end, nation)
        assert working_days_between(start, end, nation) == days


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    days=st.integers(min_value=0, max_value=200),
    more=st.integers(min_value=0, max_value=60),
    nation=st.sampled_from(NATIONS),
)
def test_adding_working_days_is_monotonic(start, days, more, nation):
    assert add_working_days(start, days, nation) <= add_working_days(start, days + more, nation)
    if more:
        assert add_working_days(start, days, nation) < add_working_days(
            start, days + more, nation
        )


@given(start=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)))
def test_one_working_day_is_the_next_working_day(start):
    end = add_working_days(start, 1, Nation.ENGLAND)
    between = [start + timedelta(days=n) for n in range(1, (end - start).days)]
    assert not any(is_working_day(d, Nation.ENGLAND) for d in between)


@pytest.mark.django_db
def test_an_las_own_term_dates_replace_the_default():
    la = LocalAuthorityFactory()
    assert terms_for(la, first_year=2026) == [(a, b) for _, a, b in default_terms(2026)]
    TermDate.objects.create(local_authority=la, academic_year=2026, term="autumn",
                            starts_on=date(2026, 9, 2), ends_on=date(2026, 12, 18))
    assert terms_for(la, first_year=2026) == [(date(2026, 9, 2), date(2026, 12, 18))]
