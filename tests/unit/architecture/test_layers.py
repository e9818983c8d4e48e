"""The house's layers, read from the code's own imports: `shared/` (the basement) imports nothing from
`services/` or `sodsong/` (the composition root), not even by name through importlib; shared's modules import
one another without cycles; a service's models load no messaging stack."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT / "shared"
UPPER = ("services", "sodsong", "tools", "tests")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in a file, wherever it stands, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]  # `from shared import x`
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
                "import_module", "__import__"):
            for arg in node.args[:1]:
                text = ast.unparse(arg)
                found.append((node.lineno, text.strip("'\"f")))
    return found


def _shared_files():
    return sorted(SHARED.rglob("*.py"))


def test_shared_imports_nothing_from_the_floors_above():
    offences = [f"{path.relative_to(ROOT)}:{line}: {name}"
                for path in _shared_files() for line, name in _imports(path)
                if name.split(".")[0] in UPPER or "services." in name]
    assert offences == []


def _shared_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _shared_files()}
    graph = {}
    for name, path in modules.items():
        graph[name] = {imported for _, imported in _imports(path) if imported in modules and imported != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, if there is any (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_shared_modules_import_one_another_without_cycles():
    graph = _shared_graph()
    # a package's __init__ re-exporting its own modules is not a cycle between modules
    for name in graph:
        graph[name] = {m for m in graph[name] if not (name.startswith(m + ".") and m in graph)}
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("module", ["services.audit.domain.chain", "services.audit.models", "services.routing.models",
                                    "services.casework.models", "services.notify.models"])
def test_models_and_the_audit_chain_load_no_messaging_stack(module):
    code = (f"import sys, {module}; "
            "print(sorted({n.split('.')[0] for n in sys.modules} & {'nameko', 'kombu', 'eventlet', 'werkzeug'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
