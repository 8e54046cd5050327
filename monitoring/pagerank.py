"""PageRank of the who-shares-whom graph straight from its edge rows, as networkx computes it.

`networkx.pagerank` builds a `DiGraph` (a dict of dicts per node) only to turn it into
a sparse matrix and run a power iteration with scipy; at a few hundred thousand
share edges building the graph costs more than the iteration. This module builds the
same matrix directly, with the nodes in the order the graph would hold them (first
appearance, source before target) and the entries in the graph's edge order, and runs
networkx's own iteration (`_pagerank_scipy`, networkx 3.x) step by step, so the ranks
are the same numbers (tests/monitoring/test_pagerank.py compares them exactly).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import scipy as sp

ALPHA = 0.85
MAX_ITER = 100
TOL = 1.0e-6


def pagerank(edges: Iterable[tuple[str, str, float]]) -> dict[str, float]:
    """node -> PageRank for weighted edges (source, target, weight), each pair once."""
    index: dict[str, int] = {}
    sources: list[int] = []
    targets: list[int] = []
    weights: list[float] = []
    for source, target, weight in edges:
        for node in (source, target):
            if node not in index:
                index[node] = len(index)
        sources.append(index[source])
        targets.append(index[target])
        weights.append(weight)
    n = len(index)
    if n == 0:
        return {}
    # the graph's edge order: by source node, each source's edges as they came (a stable sort)
    order = np.argsort(np.array(sources, dtype=np.int64), kind="stable")
    rows = np.array(sources, dtype=np.int64)[order]
    cols = np.array(targets, dtype=np.int64)[order]
    data = np.array(weights, dtype=float)[order]
    matrix = sp.sparse.coo_array((data, (rows, cols)), shape=(n, n), dtype=float).asformat("csr")
    return dict(zip(index, map(float, _iterate(matrix, n)), strict=True))


def _iterate(a: sp.sparse.csr_array, n: int) -> np.ndarray:
    """networkx's power iteration (uniform start, personalization and dangling weights)."""
    s = a.sum(axis=1)
    s[s != 0] = 1.0 / s[s != 0]
    q = sp.sparse.dia_array((s.T, 0), shape=a.shape).tocsr()
    a = q @ a
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    dangling_weights = p
    is_dangling = np.where(s == 0)[0]
    for _ in range(MAX_ITER):
        xlast = x
        x = ALPHA * (x @ a + sum(x[is_dangling]) * dangling_weights) + (1 - ALPHA) * p
        err = np.absolute(x - xlast).sum()
        if err < n * TOL:
            return x
    raise nx.PowerIterationFailedConvergence(MAX_ITER)
