"""What other apps add to a pupil's case page and to the dashboard, for the person reading it.

The case file does not know about conduct records (or whatever comes next); an app adds to the
case page by giving its AppConfig a `case_page(pupil, user)` method that returns a CasePage:
notices every reader must see first (restrictions on an adult, say), and sections only some
readers get; and to the dashboard by a `dashboard(user)` method that returns Sections. Each
app answers in a fixed number of queries, whatever the size of the case or of the LA.
"""

from dataclasses import dataclass, field

from django.apps import apps


@dataclass(frozen=True)
class Notice:
    """A GOV.UK warning at the top of the page: what staff must know before they act."""

    text: str
    items: tuple[str, ...] = ()
    link: tuple[str, str] | None = None  # (address, words)


@dataclass(frozen=True)
class Row:
    link: tuple[str, str]  # (address, words)
    note: str = ""


@dataclass(frozen=True)
class Section:
    heading: str
    rows: tuple[Row, ...]
    empty: str
    actions: tuple[tuple[str, str], ...] = ()  # (address, words)


@dataclass
class CasePage:
    notices: list[Notice] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def for_dashboard(user) -> list[Section]:
    sections: list[Section] = []
    for config in apps.get_app_configs():
        contribute = getattr(config, "dashboard", None)
        if contribute is not None:
            sections.extend(contribute(user))
    return sections


def for_pupil(pupil, user) -> CasePage:
    page = CasePage()
    for config in apps.get_app_configs():
        contribute = getattr(config, "case_page", None)
        if contribute is not None:
            added = contribute(pupil, user)
            page.notices.extend(added.notices)
            page.sections.extend(added.sections)
    return page
