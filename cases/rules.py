"""Rules of the case file. Each returns a Verdict: allowed or not, and why, in words a school
lead understands."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .models import Relationship


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.allowed


# A headteacher may suspend a pupil for at most 45 school days in one academic year:
# School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012, reg. 4 and
# Education (Pupil Exclusions and Appeals) (Maintained Schools) (Wales) Regulations 2003, reg. 3.
SUSPENSION_DAYS_CAP = Decimal(45)


def parent_definition(
    *, relationship: str, parental_responsibility: bool, has_care: bool
) -> Verdict:
    """Who counts as a parent for parenting contracts and orders (s.576 Education Act 1996)."""
    if relationship == Relationship.CORPORATE_PARENT:
        return Verdict(False, (
            "A local authority that holds a care order is a corporate parent. It is not a "
            "parent for parenting contracts or orders (Education Act 1996, section 576). Record "
            "the pupil as looked after instead.",
        ))
    if relationship == Relationship.BIRTH_PARENT:
        return Verdict(True, ("A birth or adoptive parent is a parent under section 576.",))
    if parental_responsibility or has_care:
        held = " and ".join(
            part for part, holds in (
                ("holds parental responsibility", parental_responsibility),
                ("has care of the child", has_care),
            ) if holds
        )
        return Verdict(True, (f"This person {held}, so is a parent under section 576.",))
    return Verdict(False, (
        f"A {Relationship(relationship).label.lower()} is a parent for these measures only if "
        "they hold parental responsibility or have care of the child (Education Act 1996, "
        "section 576). Select at least one, or do not record them as a parent or carer.",
    ))


def academic_year_start(day: date) -> date:
    """Academic years in England and Wales run from 1 September to 31 August."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def academic_year_label(day: date) -> str:
    start = academic_year_start(day)
    return f"{start.year}/{str(start.year + 1)[-2:]}"


def suspension_cap(*, days_in_year: Decimal, year_of: date) -> Verdict:
    """Allowed while a pupil's suspensions in one academic year total at most 45 school days.
    Past it, the record is kept (it happened) and staff are warned."""
    label = academic_year_label(year_of)
    if days_in_year > SUSPENSION_DAYS_CAP:
        return Verdict(False, (
            f"This pupil has now been suspended for {days_in_year.normalize():f} school days in "
            f"{label}. The legal limit is {SUSPENSION_DAYS_CAP} school days in an academic year.",
        ))
    return Verdict(True, (
        f"{days_in_year.normalize():f} of {SUSPENSION_DAYS_CAP} school days of suspension "
        f"used in {label}.",
    ))
