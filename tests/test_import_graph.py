"""No import cycles in ``photoface/``: between modules, and between its subpackages.

The graph is read from the source (stdlib ``ast``), so imports inside functions
count too: a cycle hidden in a function still ties the modules together.
``from a import b`` depends on the module ``a.b`` when there is one, else on
``a``; the parent packages Python runs first do not count, so a package's
``__init__`` may gather its modules.
"""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import photoface

ROOT = Path(photoface.__file__).parent


def module_files() -> dict[str, Path]:
    """Dotted module name -> its file, packages by their ``__init__.py``."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def imported_names(module: str, path: Path) -> list[str]:
    """Every module name the file imports, absolute, at any depth of the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def module_graph() -> dict[str, set[str]]:
    """photoface module -> the photoface modules it imports."""
    modules = module_files()
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(module, path):
            while name and name not in modules:  # an attribute: its module
                name = name.rpartition(".")[0]
            targets.add(name)
        graph[module] = targets - {module, ""}
    return graph


def subpackage(module: str) -> str:
    return ".".join(module.split(".")[:2])


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return error.args[1]
    return []


def test_no_module_imports_itself_through_others():
    cycle = find_cycle(module_graph())
    assert not cycle, " imports ".join(reversed(cycle))


def test_no_two_subpackages_import_each_other():
    packages: dict[str, set[str]] = {}
    for module, targets in module_graph().items():
        packages.setdefault(subpackage(module), set()).update(
            subpackage(target) for target in targets if target != "photoface")
    for package, targets in packages.items():
        targets.discard(package)
    cycle = find_cycle(packages)
    assert not cycle, " imports ".join(reversed(cycle))


@pytest.mark.parametrize("source, cycle", [
    ({"a": {"b"}, "b": {"a"}}, True),
    ({"a": {"b"}, "b": set()}, False),
])
def test_find_cycle_finds_one(source, cycle):
    assert bool(find_cycle(source)) is cycle
