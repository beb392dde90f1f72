"""Each service imports what it owns, config/ and the shared package (unionkit/), nothing else:
the gateway (server.py, bot/) imports neither the actions nor the back end, the actions (rasa_sdk's
action server) neither the gateway nor the back end, and unionkit/ none of them."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"bot", "actions", "backend", "config", "unionkit", "rasa_components", "scripts", "tests"}

ALLOWED = {
    "bot": {"bot", "config", "unionkit"},
    "backend": {"backend", "config", "unionkit"},
    "actions": {"actions", "config", "unionkit"},
    "unionkit": {"unionkit"},
    "config": {"config", "unionkit"},
}


def imported_project_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(n.split(".")[0] for n in names if n.split(".")[0] in PROJECT_PACKAGES)
    return found


def _files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts or package == "backend")


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_service_imports_only_what_it_owns_and_the_shared_package(package):
    wrong = {str(p.relative_to(ROOT)): sorted(imported_project_packages(p) - ALLOWED[package])
             for p in _files(package)}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_gateway_entry_point_imports_the_gateway_only():
    assert imported_project_packages(ROOT / "server.py") <= ALLOWED["bot"]


def test_the_actions_never_reach_into_a_flask_app():
    assert not [str(p.relative_to(ROOT)) for p in _files("actions") if "current_app" in p.read_text(encoding="utf-8")]
