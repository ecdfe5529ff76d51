"""The layers' import rules (README, "How the code is organised"), read from the source."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "eventsvc"


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules_of(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def offending(paths: list[Path], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """{file: [forbidden modules it imports]} for the files breaking a rule."""
    found = {}
    for path in paths:
        bad = sorted(
            name
            for name in imported_modules(path)
            if name.startswith(forbidden) or name in forbidden
        )
        if bad:
            found[
                path.name if not path.is_relative_to(PACKAGE) else str(path.relative_to(PACKAGE))
            ] = bad
    return found


def test_forms_import_no_service():
    assert offending(modules_of("forms"), ("eventsvc.services",)) == {}


def test_services_import_no_form_or_web_module():
    assert offending(modules_of("services"), ("eventsvc.forms", "eventsvc.web", "flask_wtf")) == {}


def test_calendar_builders_import_no_database_code():
    database = ("eventsvc.extensions", "eventsvc.queries", "eventsvc.services", "sqlalchemy")
    assert offending(modules_of("calendar"), database) == {}


@pytest.mark.parametrize("layer", ["models", "services", "forms", "web/api"])
def test_the_shared_input_types_import_none_of_their_users(layer):
    assert offending([PACKAGE / "inputs.py"], (f"eventsvc.{layer.replace('/', '.')}",)) == {}


def test_only_the_write_boundary_commits():
    """Every write runs inside services/locking.py's write_transaction; nothing else commits."""
    committing = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if ".commit()" in path.read_text() and path.name != "locking.py"
    ]
    assert committing == []


def test_the_rule_finder_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from eventsvc.services.events import save_event\n")
    assert offending([module], ("eventsvc.services",)) != {}
