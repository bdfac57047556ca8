"""The steps of a case record's page (a contract, an order case): each a form whose data a
service takes, with the words the page and the button use."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    title: str
    form: Callable
    run: Callable  # (actor, record, cleaned data): calls the step's service
    submit: str
    done: str
    fields_template: str = ""  # a step whose form is laid out by hand


def calls(service: Callable, *, record: str, **renamed: str) -> Callable:
    """A step that hands the form's data to a service, as `record` (the service's name for
    the contract or case), renaming fields where they differ."""
    def run(actor, subject, data: dict) -> None:
        for field, argument in renamed.items():
            data[argument] = data.pop(field)
        service(actor=actor, **{record: subject}, **data)
    return run


def open_and_not(registry: dict[str, Step], verdicts: dict) -> dict[str, list]:
    """The steps open now and those not, in the registry's order, as (name, title, verdict):
    what a record's page lists under "What you can do now" and "Steps not open now"."""
    listed = [(name, step.title, verdicts[name]) for name, step in registry.items()]
    return {"available": [row for row in listed if row[2]],
            "unavailable": [row for row in listed if not row[2]]}
