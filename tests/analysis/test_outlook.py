"""The outlook: a proper distribution, never certain, and fitted without looking at the answer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.analysis.outlook import base_rates, brier, distribution, fit_params

votes = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 4)), max_size=30)
labels = st.lists(st.integers(0, 4), max_size=40)


@settings(max_examples=300, deadline=None)
@given(votes, labels, st.sampled_from([0.1, 0.25, 0.5, 1.0, 2.0, 4.0]))
def test_sums_to_one_and_no_class_is_0_or_1(neighbours: list[tuple[float, int]],
                                           observed: list[int], alpha: float) -> None:
    probs = distribution(neighbours, base_rates(observed, 5), alpha)
    assert probs.sum() == pytest.approx(1.0)
    assert np.all(probs > 0) and np.all(probs < 1)


def test_one_perfect_neighbour_against_uniform_base_rates() -> None:
    probs = distribution([(1.0, 0)], np.full(5, 0.2), 1.0)
    assert probs == pytest.approx([2 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6])


def test_brier_bounds() -> None:
    assert brier(np.array([1.0, 0, 0, 0, 0]), 0) == 0.0
    assert brier(np.array([1.0, 0, 0, 0, 0]), 1) == 2.0
    assert brier(np.full(5, 0.2), 3) == pytest.approx(0.8)


def test_fit_params_only_reads_its_members() -> None:
    rng = np.random.default_rng(1)
    sim = rng.random((6, 6))
    usable = ~np.eye(6, dtype=bool)
    ids = [f"c{i}" for i in range(6)]
    members = [0, 1, 2, 3, 4]
    before = fit_params(sim, [0, 1, 2, 0, 1, 3], ids, usable, members, 5)
    # changing the non-member's label and similarities must not change the fit
    sim[5, :] = sim[:, 5] = rng.random(6)
    after = fit_params(sim, [0, 1, 2, 0, 1, 4], ids, usable, members, 5)
    assert before == after
