"""No import cycle between the packages of pial, function-level imports included.

grimp (which import-linter uses) reads every import statement of every module, those inside
functions too, so a cycle cannot hide behind a late import. The layers themselves are
import-linter contracts in pyproject.toml (``lint-imports``).
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from pathlib import Path

import grimp

Graph = dict[str, set[str]]


def _package(module: str) -> str:
    """Return the top-level package (or module) of pial that ``module`` belongs to."""
    return ".".join(module.split(".")[:2])


def package_graph() -> tuple[Graph, dict[tuple[str, str], str]]:
    """Return which pial package imports which, and one module-level import behind each edge."""
    graph = grimp.build_graph("pial", include_external_packages=False)
    edges: Graph = defaultdict(set)
    examples: dict[tuple[str, str], str] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            edge = (_package(importer), _package(imported))
            if edge[0] != edge[1]:
                edges[edge[0]].add(edge[1])
                examples.setdefault(edge, f"{importer} → {imported}")
    return edges, examples


def cycles(graph: Graph) -> list[list[str]]:
    """Return the strongly connected components of more than one node (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(set(graph) | {t for targets in graph.values() for t in targets}):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycle_between_pial_packages() -> None:
    graph, examples = package_graph()
    found = cycles(graph)
    described = [
        " ↔ ".join(component)
        + " ("
        + "; ".join(
            examples[(a, b)] for a in component for b in component if (a, b) in examples
        )
        + ")"
        for component in found
    ]
    assert described == [], "import cycles between pial packages: " + " | ".join(described)


def test_the_cycle_finder_names_a_hidden_cycle() -> None:
    graph = {"pial.a": {"pial.b"}, "pial.b": {"pial.c"}, "pial.c": {"pial.a"}, "pial.d": {"pial.a"}}
    assert cycles(graph) == [["pial.a", "pial.b", "pial.c"]]
    assert cycles({"pial.a": {"pial.b"}}) == []


def test_the_graph_sees_imports_inside_functions() -> None:
    graph, examples = package_graph()
    # pial.app registers each feature from inside a function: grimp still sees those imports.
    assert "pial.allocation" in graph["pial.app"]
    assert examples[("pial.app", "pial.allocation")] == "pial.app → pial.allocation"


def test_every_pial_package_has_its_place_in_the_layers() -> None:
    """A new package outside the layers contract would escape it: name it in pyproject.toml."""
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    layers = next(
        contract["layers"]
        for contract in pyproject["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    )
    layered = {name.strip() for layer in layers for name in layer.split("|")}
    graph = grimp.build_graph("pial", include_external_packages=False)
    packages = {
        _package(module) for module in graph.modules
        if module.count(".") >= 1 and graph.find_children(_package(module))
    }
    assert packages - layered == set()
