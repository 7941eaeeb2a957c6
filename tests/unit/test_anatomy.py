"""The package's anatomy holds (docs/architecture.md): the same rooms in every audit package, imports at the
top (the one documented exception: a module-level ``lazy_import`` of analysis.lazy, read as an import), no import
loops, no private names across modules, computation packages apart, small modules and functions.

These read the source with :mod:`ast` (nothing is imported), so a violation names the file and line.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "analysis"
AUDITS = ("slo", "querycost", "dashboard", "wsaudit")
ROOMS = ("params.py", "sources", "result.py", "report.py", "plots.py", "pipeline.py", "cli.py")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, tuple[Path, ast.Module]]:
    return {_module_name(p): (p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p)))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(SRC.parent)}:{node.lineno}"


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (relative imports resolved against ``module``)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _lazy_target(node: ast.AST) -> str | None:
    """The module of a module-level ``name = lazy_import("a.b")`` (the one documented lazy edge, analysis.lazy)."""
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        call = node.value
        if isinstance(call.func, ast.Name) and call.func.id == "lazy_import" and call.args \
                and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
            return call.args[0].value
    return None


def _imports(module: str) -> list[tuple[ast.AST, str, list[str]]]:
    """Module-level imports of one module: (node, imported module, names taken from it); lazy edges count."""
    path, tree = _modules()[module]
    found = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [(node, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node, _resolve(module, path, node), [a.name for a in node.names]))
        elif (target := _lazy_target(node)) is not None:
            found.append((node, target, []))
    return found


def _internal_edges(module: str) -> set[str]:
    """Modules of the package this module imports at load time (``from . import x`` counts ``x``)."""
    mods = _modules()
    edges = set()
    for _, target, names in _imports(module):
        if not target.startswith("analysis"):
            continue
        subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in mods]
        edges.update(subs or ([target] if target in mods else []))
    edges.discard(module)
    return edges


@pytest.mark.parametrize("package", AUDITS)
def test_every_audit_package_has_the_same_rooms(package: str) -> None:
    missing = [room for room in ROOMS if not (PACKAGE / package / room).exists()]
    assert not missing, f"analysis.{package} lacks {missing}"


def test_imports_are_at_the_top_of_modules() -> None:
    inside = []
    for module, (path, tree) in _modules().items():
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inside += [_where(path, n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not inside, f"imports inside functions: {inside}"


def test_lazy_edges_are_module_level_and_named() -> None:
    """``lazy_import`` (analysis.lazy) is the one exception to imports at the top: a module-level assignment of an
    absolute module name given as a literal, so the edge is read like an import (loops and floors included)."""
    wrong = []
    for module, (path, tree) in _modules().items():
        top = {id(n.value) for n in tree.body if _lazy_target(n) is not None}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "lazy_import" \
                    and module != "analysis.lazy" and id(node) not in top:
                wrong.append(_where(path, node))
    assert not wrong, f"lazy_import outside a module-level assignment of a literal name: {wrong}"
    assert "analysis.querycost.sources.live" in _internal_edges("analysis.querycost.pipeline")  # a lazy edge counts


def test_no_import_loops() -> None:
    graph = {m: _internal_edges(m) for m in _modules()}
    loops = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1 and not _is_package_reexport(node, nxt):
                loops.append(" -> ".join([*stack[stack.index(nxt):], node, nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, node])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    assert not loops, f"import loops: {loops}"


def _is_package_reexport(node: str, target: str) -> bool:
    """A package's ``__init__`` importing its own submodules is not a loop back into the package."""
    return node.startswith(f"{target}.") and _modules()[target][0].name == "__init__.py"


def test_no_private_names_imported_across_modules() -> None:
    private = [f"{_where(_modules()[m][0], node)} takes {n} from {target}"
               for m in _modules() for node, target, names in _imports(m)
               for n in names if target.startswith("analysis") and n.startswith("_") and not n.startswith("__")]
    assert not private, private


def test_computation_packages_do_not_import_each_other() -> None:
    crossing = [f"analysis.{pkg}: {_where(_modules()[m][0], node)} imports {target}"
                for pkg in AUDITS for m in _modules() if m == f"analysis.{pkg}" or m.startswith(f"analysis.{pkg}.")
                for node, target, _ in _imports(m)
                if any(target == f"analysis.{o}" or target.startswith(f"analysis.{o}.") for o in AUDITS if o != pkg)]
    assert not crossing, crossing


def test_modules_and_functions_stay_small() -> None:
    big_modules = [f"{p.relative_to(SRC.parent)}: {n} lines" for p, _ in _modules().values()
                   if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    big_functions = [f"{_where(p, fn)} {fn.name}: {fn.end_lineno - fn.lineno + 1} lines"
                     for p, tree in _modules().values() for fn in ast.walk(tree)
                     if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and fn.end_lineno - fn.lineno + 1 > MAX_FUNCTION_LINES]
    assert not big_modules and not big_functions, [*big_modules, *big_functions]


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    """The resolver and the loop finder work on a known case (a test that could not fail would prove nothing)."""
    mod = ast.parse("from ..errors import DataError\nfrom . import sources\n")
    path = PACKAGE / "querycost" / "pipeline.py"
    assert _resolve("analysis.querycost.pipeline", path, mod.body[0]) == "analysis.errors"
    assert _resolve("analysis.querycost.pipeline", path, mod.body[1]) == "analysis.querycost"
    init = PACKAGE / "querycost" / "__init__.py"
    assert _resolve("analysis.querycost", init, ast.parse("from .digest import Digester").body[0]) == \
        "analysis.querycost.digest"
    assert "analysis.querycost.digest" in _internal_edges("analysis.querycost.pipeline")
