"""The portal's layers, and a check that imports respect them (`make lint` runs it).

A module may import from its own layer's package and from the layers below it, never
from above; siblings in one layer are independent of each other. No module may take part
in an import cycle, including cycles hidden behind imports inside functions.

Exit status 0 when the imports are clean; otherwise each offending import chain or cycle
is printed and the status is 1.
"""

import sys
from collections.abc import Iterable
from pathlib import Path

import grimp

# From the top down. The project package (settings, URLs, the admin site) may use every
# app; the platform kernel uses none.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("fusionops",),
    ("apps.graph",),
    ("apps.realtime", "apps.reports"),
    ("apps.orders",),
    ("apps.inventory", "apps.resources", "apps.integrations"),
    ("apps.accounts",),
    ("apps.core",),
    ("apps.eventlog",),
    ("apps.platform",),
)
PACKAGES = ("apps", "fusionops")


def layer_violations(graph: grimp.ImportGraph, layers=LAYERS) -> list[str]:
    found = graph.find_illegal_dependencies_for_layers(
        layers=[grimp.Layer(*layer, independent=True) for layer in layers]
    )
    problems = []
    for dependency in sorted(found, key=lambda d: (d.importer, d.imported)):
        for route in dependency.routes:
            chain = " -> ".join([min(route.heads), *route.middle, min(route.tails)])
            problems.append(f"{dependency.importer} must not import {dependency.imported}: {chain}")
    return problems


def import_cycles(graph: grimp.ImportGraph, modules: Iterable[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    modules = sorted(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def imports_of(module: str):
        return iter(sorted(graph.find_modules_directly_imported_by(module)))

    def visit(root: str) -> None:
        nonlocal counter
        # Iterative depth-first search: the module graph is deep enough for recursion limits.
        work = [(root, imports_of(root))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        cycles.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def check(packages: Iterable[str] = PACKAGES, layers=LAYERS) -> list[str]:
    graph = grimp.build_graph(*packages, cache_dir=None)
    problems = layer_violations(graph, layers)
    problems += [
        f"import cycle: {' <-> '.join(group)}" for group in import_cycles(graph, graph.modules)
    ]
    return problems


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"imports: {len(LAYERS)} layers respected, no cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
