"""Every state machine changes only through its app's services: the state fields are
protected, and no other code calls a transition."""

import ast
from pathlib import Path

from conduct.models import ConductRecord
from contracts.models import Contract
from orders.models import OrderCase

ROOT = Path(__file__).resolve().parent.parent


def transitions(model) -> set[str]:
    return {name for name, member in vars(model).items() if hasattr(member, "_django_fsm")}


def test_only_each_apps_services_call_its_transitions():
    # A transition's name may be any of these apps' (orders and contracts both "withdraw"):
    # each app's own services and models may call its own.
    owners = {"contracts": transitions(Contract), "orders": transitions(OrderCase),
              "conduct": transitions(ConductRecord)}
    assert {"offer", "sign", "escalate"} <= owners["contracts"]
    assert {"start_review", "make", "breach"} <= owners["orders"]
    assert {"warn", "propose_ban", "ban", "lift"} <= owners["conduct"]
    every = set().union(*owners.values())
    callers = []
    for path in ROOT.glob("*/**/*.py"):
        if any(part in {".venv", "node_modules", "tests", "migrations"} for part in path.parts):
            continue
        own = owners.get(path.parent.name, set()) if path.name in {
            "services.py", "models.py"} else set()
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in every - own and node.func.attr != "complete"):
                callers.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}")
    assert callers == []
