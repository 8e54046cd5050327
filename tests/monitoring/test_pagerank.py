"""PageRank from edge rows gives networkx's numbers exactly, and the expected ranks by hand."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from monitoring.pagerank import pagerank


def seeded_edges(nodes: int, edges: int, seed: int) -> list[tuple[str, str, int]]:
    """Zipf-like targets, many dangling nodes (never share), weights 1..5, each pair once."""
    rng = random.Random(seed)
    found: dict[tuple[str, str], int] = {}
    weights = [1 / (i + 1) for i in range(nodes)]
    while len(found) < edges:
        source = f"x:fan{rng.randrange(nodes)}"
        target = f"x:fan{rng.choices(range(nodes), weights)[0]}"
        if source != target:
            found[(source, target)] = rng.randint(1, 5)
    return [(s, t, w) for (s, t), w in found.items()]


@pytest.mark.parametrize(("nodes", "edges", "seed"), [(5, 6, 1), (60, 200, 2), (3000, 12000, 3)])
def test_identical_to_networkx(nodes: int, edges: int, seed: int) -> None:
    rows = seeded_edges(nodes, edges, seed)
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(rows)
    assert pagerank(rows) == nx.pagerank(graph, weight="weight")


def test_hand_checked_star_and_empty_graph() -> None:
    # b and c both share a's posts; a shares nothing (dangling). With d = 0.85 and three
    # nodes: a = 0.05 + 0.85 * (b + c + a / 3), b = c = 0.05 + 0.85 * a / 3, so
    # a = 0.135 / 0.235 = 0.5745 and b = c = 0.2128 (the weights do not matter: each
    # sharer has one edge).
    ranks = pagerank([("b", "a", 1), ("c", "a", 2)])
    assert ranks == pytest.approx({"a": 0.5745, "b": 0.2128, "c": 0.2128}, abs=1e-4)
    assert pagerank([]) == {}
