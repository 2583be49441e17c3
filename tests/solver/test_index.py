"""The week's index: allowed pairs screened a block of lines at a time, and found by line."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest

from solver.engine import index_problem
from solver.problem import AllocationRow

INDEX_MODULE = sys.modules["solver.engine.index"]


def test_screening_by_blocks_gives_the_same_pairs(
    kit: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = kit.random_week(4, 12, 10, 8, lots=True)
    # A lock and a previous row on the first pair, so that both lookups are exercised.
    whole = index_problem(problem)
    first = AllocationRow(
        whole.grower_ids[int(whole.pair_grower[0])], whole.lines[0].canteen,
        whole.lines[0].product, whole.lines[0].day, float(whole.pair_step[0]),
    )
    problem = kit.replace(problem, locked=(first,), previous=(first,))
    whole = index_problem(problem)
    monkeypatch.setattr(INDEX_MODULE, "CANDIDATES_PER_BLOCK", 7)
    blocks = index_problem(problem)
    assert whole.num_pairs > 500
    for name in ("pair_grower", "pair_line", "pair_group", "pair_km", "pair_upper",
                 "pair_locked", "pair_previous", "line_first_pair"):
        np.testing.assert_array_equal(getattr(blocks, name), getattr(whole, name), err_msg=name)


def test_a_pair_is_found_by_grower_and_line(kit: SimpleNamespace) -> None:
    index = index_problem(kit.random_week(4, 12, 10, 8, lots=True))
    for pair in range(0, index.num_pairs, 37):
        grower, line = int(index.pair_grower[pair]), int(index.pair_line[pair])
        assert index.pair_at(grower, line) == pair
    line = int(index.pair_line[0])
    absent = set(range(len(index.grower_ids))) - set(
        index.pair_grower[index.pairs_of_line[line]].tolist()
    )
    assert absent
    assert all(index.pair_at(grower, line) is None for grower in absent)
