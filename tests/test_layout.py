"""The tests' own layout: what they share lives in tests/helpers.py and in conftest fixtures,
so no test module or conftest imports another one (read from the source)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def is_test_module(name: str) -> bool:
    """Whether a dotted module name is a test module or a conftest (tests.web.test_x)."""
    last = name.rpartition(".")[2]
    return last == "conftest" or last.startswith("test_")


def imported_names(path: Path, root: Path) -> set[str]:
    """Every module (or name from a module) the file imports, at any depth, dotted from
    root's parent: `from . import test_x` in tests/web/y.py is tests.web.test_x."""
    package = path.relative_to(root.parent).parent.parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def imports_between_test_modules(root: Path) -> dict[str, list[str]]:
    """{test module or conftest: [test modules or conftests it imports]} under root."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "node_modules" in path.parts or not is_test_module(path.stem):
            continue
        bad = sorted(name for name in imported_names(path, root) if is_test_module(name))
        if bad:
            found[str(path.relative_to(root))] = bad
    return found


def test_no_test_module_or_conftest_imports_another():
    assert imports_between_test_modules(TESTS) == {}


def test_the_check_finds_each_way_of_importing_a_test_module(tmp_path):
    root = tmp_path / "tests"
    (root / "web").mkdir(parents=True)
    (root / "helpers.py").write_text("from tests.conftest import in_days\n")
    (root / "web" / "test_pages.py").write_text(
        "from tests.helpers import page_text\nfrom tests.web.test_admin import error_of\n"
    )
    (root / "web" / "conftest.py").write_text("from . import test_pages\n")
    (root / "test_cli.py").write_text("def run():\n    import tests.conftest\n")
    (root / "test_text.py").write_text("from .web.conftest import api\n")

    assert imports_between_test_modules(root) == {
        "test_cli.py": ["tests.conftest"],
        "test_text.py": ["tests.web.conftest"],
        "web/conftest.py": ["tests.web.test_pages"],
        "web/test_pages.py": ["tests.web.test_admin"],
    }
