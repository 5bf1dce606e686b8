"""The house's floors: every import points down, and no modules import each other in a loop.

Bottom to top: the leaves (errors, limits, the version), distributions, sampling, accumulate, the
schema and number formats, overrides and the price catalog, the model (the component registry,
cost formulas, the evaluator), the scenario parser (and its [evidence] tables), lint/authoring/fit
(and fit's data file), the engine, simulate, analysis, report, then the command line (and the app)
and the package's face (``__init__``).
A module may import its own floor or any below it; imports are read from the source (also those
inside functions and under ``TYPE_CHECKING``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ftrag_mc"

#: Floors, bottom first: module-name prefixes (a package covers its modules).
FLOORS: list[tuple[str, ...]] = [
    ("ftrag_mc._version", "ftrag_mc.errors", "ftrag_mc.limits", "ftrag_mc.targets", "ftrag_mc.templates"),
    ("ftrag_mc.distributions",),
    ("ftrag_mc.sampling", "ftrag_mc.accumulate"),
    ("ftrag_mc.schema", "ftrag_mc.formats"),
    ("ftrag_mc.overrides", "ftrag_mc.catalog"),
    ("ftrag_mc.model",),
    ("ftrag_mc.scenario", "ftrag_mc.evidence"),
    ("ftrag_mc.lint", "ftrag_mc.authoring", "ftrag_mc.fit", "ftrag_mc.datafile"),
    ("ftrag_mc.engine",),
    ("ftrag_mc.simulate",),
    ("ftrag_mc.analysis",),
    ("ftrag_mc.report",),
    ("ftrag_mc.app",),
    ("ftrag_mc.cli", "ftrag_mc.cli_app", "ftrag_mc.cli_edge", "ftrag_mc.cli_evidence", "ftrag_mc.cli_new",
     "ftrag_mc.cli_options", "ftrag_mc.cli_progress",
     "ftrag_mc.__main__"),
    ("ftrag_mc",),  # the package's face: it hands every public name on, lazily
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def floor(module: str) -> int:
    best, level = -1, None
    for i, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), i
    assert level is not None, f"{module} is on no floor: add it to FLOORS"
    return level


def imports(module: str) -> set[str]:
    """The ftrag_mc modules ``module`` imports (a name imported from a package counts as the
    package, or as its submodule when one of that name exists)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("ftrag_mc")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("ftrag_mc"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m in MODULES and m != module}


def test_every_module_is_on_a_floor():
    for module in MODULES:
        floor(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    up = sorted(m for m in imports(module) if floor(m) > floor(module))
    assert not up, f"{module} (floor {floor(module)}) imports a higher floor: {up}"


def test_no_import_circle():
    graph = {m: imports(m) for m in MODULES if m != "ftrag_mc"}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if n == "ftrag_mc":
                continue
            if state.get(n) == 1:
                raise AssertionError("import circle: " + " -> ".join(stack[stack.index(n):] + [n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_over_80_lines(path):
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80]
    assert not long, long
