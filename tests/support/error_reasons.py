"""Reads from a package's source the error reasons it may answer with in its own domain.

Each UPPER_SNAKE string that reaches a `reason=` argument (directly, through a module constant,
or through a local variable) unless given with `domain=MESH_DOMAIN`, and the defaults of
parameters named `reason`; plus the same found in the mesh functions and classes the package
calls by name (such as `Violations`' VALIDATION_FAILED, or its `update_mask`'s
INVALID_UPDATE_MASK), since those raise in the domain of the service calling them.
A reason passed on as a parameter is found where its literal is written, if anywhere.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mesh.errors import MESH_DOMAIN, DomainError


@dataclass
class Source:
    """One module's name and syntax tree; its namespace is imported only when needed."""

    name: str
    tree: ast.Module
    _namespace: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def namespace(self) -> dict[str, Any]:
        if self._namespace is None:
            self._namespace = vars(importlib.import_module(self.name))
        return self._namespace


@cache
def sources(package: str) -> tuple[Source, ...]:
    """Every module of `package` (its migrations too: they raise nothing, which is fine)."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations, package
    root = Path(next(iter(spec.submodule_search_locations)))
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join([package, *parts]).removesuffix(".__init__")
        found.append(Source(name, ast.parse(path.read_text(), str(path))))
    return tuple(found)


def is_reason(value: object) -> bool:
    """What DomainError accepts as a reason (it raises ValueError on anything else)."""
    try:
        DomainError("", reason=value, domain="")  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False
    return isinstance(value, str)


def resolve(node: ast.expr, namespace: dict[str, Any]) -> object:
    """The value a module-level name (`X`, `module.X`) has; None for anything else."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        return getattr(resolve(node.value, namespace), node.attr, None)
    return None


def strings(node: ast.expr, source: Source, local: dict[str, list[ast.expr]]) -> set[str]:
    """The reasons `node` may evaluate to: literals, constants, and a local's assigned values."""
    if isinstance(node, ast.Constant):
        return {node.value} if is_reason(node.value) else set()
    if isinstance(node, ast.IfExp):
        return strings(node.body, source, local) | strings(node.orelse, source, local)
    if isinstance(node, ast.BoolOp):
        return set().union(*(strings(value, source, local) for value in node.values))
    value = resolve(node, source.namespace)
    if is_reason(value):
        return {str(value)}
    if isinstance(node, ast.Name):
        return set().union(*(strings(each, source, {}) for each in local.get(node.id, [])))
    return set()


class ReasonArguments(ast.NodeVisitor):
    """Each `reason=` argument of a module, with the function it is in (None: module level)."""

    def __init__(self) -> None:
        self.found: list[tuple[ast.Call, ast.expr, ast.AST | None]] = []
        self._functions: list[ast.AST] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._functions.append(node)
        self.generic_visit(node)
        self._functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        function = self._functions[-1] if self._functions else None
        self.found += [(node, kw.value, function) for kw in node.keywords if kw.arg == "reason"]
        self.generic_visit(node)


def assignments(function: ast.AST | None) -> dict[str, list[ast.expr]]:
    """What a function assigns to its plain names (module-level names are resolved instead)."""
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function) if function is not None else ():
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    return assigned


def reason_arguments(source: Source) -> Iterator[tuple[ast.Call, set[str], ast.AST | None]]:
    """Each call passing `reason=`, with the reasons it may pass and the function it is in."""
    visitor = ReasonArguments()
    visitor.visit(source.tree)
    for call, value, function in visitor.found:
        yield call, strings(value, source, assignments(function)), function


def imports_of(source: Source) -> set[str]:
    """The modules a module imports (for `from a import b`, both `a` and `a.b`)."""
    names: set[str] = set()
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def mesh_modules_used_by(package: str) -> list[Source]:
    """The mesh modules `package` imports, and those they import in turn."""
    mesh = {source.name: source for source in sources("mesh")}
    waiting = set().union(*(imports_of(source) for source in sources(package))) & set(mesh)
    used: dict[str, Source] = {}
    while waiting:
        name = waiting.pop()
        used[name] = mesh[name]
        waiting |= (imports_of(mesh[name]) & set(mesh)) - set(used)
    return list(used.values())


def raised_in_the_callers_domain(source: Source) -> dict[str, set[str | None]]:
    """Reasons a module raises in the domain of the service it serves, each with the names of
    what raises it (a function, or a class for its `__init__`; None: the module itself): every
    `reason=` not given with `domain=MESH_DOMAIN`, and the defaults of parameters `reason`."""
    parents = {
        child: node for node in ast.walk(source.tree) for child in ast.iter_child_nodes(node)
    }
    raised: dict[str, set[str | None]] = {}
    for call, found, function in reason_arguments(source):
        domain = next((kw.value for kw in call.keywords if kw.arg == "domain"), None)
        if domain is None or resolve(domain, source.namespace) != MESH_DOMAIN:
            for reason in found:
                raised.setdefault(reason, set()).add(owner(function, parents))
    for node in ast.walk(source.tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            positional = arguments.posonlyargs + arguments.args
            pairs = [*zip(positional[::-1], arguments.defaults[::-1], strict=False)]
            pairs += [*zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)]
            for argument, default in pairs:
                if argument.arg == "reason" and default is not None:
                    for reason in strings(default, source, {}):
                        raised.setdefault(reason, set()).add(owner(node, parents))
    return raised


def owner(function: ast.AST | None, parents: dict[ast.AST, ast.AST]) -> str | None:
    """The name a caller uses to reach `function`: its own, or its class's for `__init__`."""
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    parent = parents.get(function)
    if function.name == "__init__" and isinstance(parent, ast.ClassDef):
        return parent.name
    return function.name


def referenced(modules: list[Source]) -> set[str]:
    """Every name and attribute the modules use (`phone` in `checks.phone(...)`)."""
    return {
        node.id if isinstance(node, ast.Name) else node.attr
        for source in modules
        for node in ast.walk(source.tree)
        if isinstance(node, ast.Name | ast.Attribute)
    }


def reasons_of(package: str) -> set[str]:
    """Every reason a service may answer with in its own domain: all its code's, and those of
    the mesh functions and classes it calls by name (a mesh helper that mesh code calls with
    a domain of its own, such as MESH_DOMAIN, raises nothing in the service's)."""
    own, mesh = list(sources(package)), mesh_modules_used_by(package)
    reasons = set().union(*(raised_in_the_callers_domain(source) for source in own))
    names = referenced(own)
    for source in mesh:
        for reason, owners in raised_in_the_callers_domain(source).items():
            if any(name is None or name in names for name in owners):
                reasons.add(reason)
    return reasons
