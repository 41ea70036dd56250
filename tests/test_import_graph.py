"""The project's modules import each other without a circle (read from the source, not run).

Only imports that run when a module loads count (its body and its class bodies, not its
functions, not `if TYPE_CHECKING:`): a circle among those is what "import late" tricks hide.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project's packages: every top-level directory with an __init__.py, tests included.
PACKAGES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))
# The process's flow; it may be imported at the top of any module, never inside a function.
FLOW_MODULE = "workflows.flows"
# The application's own code (bench and tests set Django up before importing it).
APPS = [p for p in PACKAGES if p not in ("bench", "tests")]
# The operator UI; only the URL map mounts it: the process, the domain and the API never
# import it.
WORKSPACE = "workspace"


def module_files() -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = path
    return files


MODULES = module_files()


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def imported_modules(node: ast.Import | ast.ImportFrom, module: str) -> set[str]:
    """The project modules an import statement loads (with the packages above them)."""
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    else:
        base = node.module or ""
        if node.level:
            package = module if is_package(module) else module.rpartition(".")[0]
            for _up in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        # `from a import b` loads a, and a.b when b is a module rather than a name in a.
        names = {base} | {f"{base}.{alias.name}" for alias in node.names}
    loaded = set()
    for name in names:
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in MODULES:
                loaded.add(prefix)
    return loaded


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def walk_imports(tree: ast.AST, *, in_function=False):
    """(import node, whether it sits inside a function) for every import in the tree."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, in_function
        elif isinstance(node, ast.If) and is_type_checking(node):
            continue
        else:
            inner = in_function or isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            yield from walk_imports(node, in_function=inner)


def import_graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Module → modules it loads when it loads; module → modules its functions load."""
    at_load, late = {}, {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        at_load[module], late[module] = set(), set()
        for node, in_function in walk_imports(tree):
            targets = imported_modules(node, module) - {module}
            (late if in_function else at_load)[module] |= targets
    return at_load, late


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_sees_the_projects_imports():
    at_load, _late = import_graph()
    assert {"workflows", "workspace", "orgs", "demands", "api"} <= set(PACKAGES)
    assert "workflows.views" in at_load["workflows.flows"]
    assert "workflows.flows" in at_load["workspace.site"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_circular_imports_among_the_projects_modules():
    at_load, _late = import_graph()
    assert cycles(at_load) == []


def test_only_the_url_map_imports_the_workspace():
    at_load, late = import_graph()
    importers = sorted(
        module
        for module in at_load
        if module.split(".")[0] in APPS
        and module.split(".")[0] != WORKSPACE
        and any(t.split(".")[0] == WORKSPACE for t in at_load[module] | late[module])
    )
    assert importers == ["config.urls"]


def test_no_module_imports_the_flow_late():
    """Nothing imports the flow inside a function to dodge a circle: the flow depends on the
    services and views, not they on it (they are given its nodes, import it at the top, or read
    it from the app registry, which `WorkflowsConfig.ready` fills: the one late import)."""
    _at_load, late = import_graph()
    offenders = sorted(
        module
        for module, targets in late.items()
        if module.split(".")[0] in APPS
        and module not in (FLOW_MODULE, "workflows.apps")
        and FLOW_MODULE in targets
    )
    assert offenders == []
