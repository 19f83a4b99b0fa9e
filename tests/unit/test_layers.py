"""How the code depends on itself: no import circles, and no layer imports one above it.

Every import counts, also those inside functions (only ``if TYPE_CHECKING:`` blocks, which never
run, are left out). The layers, from the bottom: the engine adapter (``workflows``), the base
(settings, errors, i18n, clock, validation…), the models, the transaction boundary and storage,
the shared services, the API and the pages, the process plug-ins, and the composition root
(``create_app``, the CLI). Generic code therefore cannot import a process package.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from workflows.elements import strongly_connected

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "workflows")
LAYERS = [
    ("workflows",),
    ("app.settings", "app.domain", "app.errors", "app.extensions", "app.converters", "app.clock", "app.i18n",
     "app.i18n_bpmn", "app.validation"),
    ("app.models",),
    ("app.db", "app.plain_flush", "app.plain_load", "app.prebuilt", "app.storage"),
    ("app.services",),
    ("app.api", "app.web"),
    ("app.processes", "app.courses"),
    ("app.cli", "app"),
]


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(module: str) -> bool:
    return MODULES.get(module, Path()).name == "__init__.py"


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(module: str, tree: ast.AST) -> Iterator[str]:
    base = module if _is_package(module) else module.rpartition(".")[0]
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                target = f"{anchor}.{node.module}" if node.module else anchor
            else:
                target = node.module or ""
            for alias in node.names:  # ``from pkg import module`` depends on the module itself
                yield f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target
        stack.extend(ast.iter_child_nodes(node))


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {_known(target) for target in _imports(module, tree)} - {None, module}
    return graph


def _known(target: str) -> str | None:
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _layer(module: str) -> int:
    best = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[0]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (the diagrams' Tarjan, reused)."""
    components = strongly_connected(sorted(graph), lambda node: sorted(graph.get(node, ())))
    return sorted(sorted(c) for c in components if len(c) > 1)


def test_there_are_no_import_circles():
    assert _cycles(_graph()) == []


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
              for module, targets in sorted(_graph().items()) for target in sorted(targets)
              if _layer(target) > _layer(module)]
    assert upward == []


def test_the_transaction_boundary_imports_nothing_of_the_api():
    assert not any(t.startswith("app.api") for t in _graph()["app.db"])


def test_the_engine_adapter_imports_neither_flask_nor_the_app():
    for module, path in MODULES.items():
        if module.startswith("workflows"):
            names = set(_imports(module, ast.parse(path.read_text(encoding="utf-8"))))
            assert not {n for n in names if n.split(".")[0] in ("flask", "app")}, module


def test_generic_code_names_no_process():
    processes = {p.name for p in (ROOT / "app" / "processes").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert processes >= {"credit_claim", "enrollment", "staff_transfer", "unit_change"}
    generic = [ROOT / "app" / d for d in ("services", "web", "api", "models", "templates")]
    offenders = []
    for folder in generic:
        for path in folder.rglob("*"):
            if path.suffix not in (".py", ".html"):
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in processes
                          if f'"{name}"' in text or f"'{name}'" in text or f"processes.{name}" in text]
    assert offenders == []


def test_the_layer_check_sees_imports_inside_functions():
    """The graph is not module-level only: a late import is still an import."""
    tree = ast.parse("def f():\n    from ..processes import x\n")
    assert list(_imports("app.services.runner", tree)) == ["app.processes"]
