"""Small-sample warnings: a QCA on few cases, or mostly on unobserved combinations, says so in
its result (JSON, CLI and page show `warnings`); enough cases over observed rows say nothing."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from parley.analysis.qca import Options, SetData, analyse


def crisp(rows: Sequence[tuple[int, ...]], conditions: int) -> SetData:
    names = [f"C{i}" for i in range(conditions)]
    cols = [[r[i] for r in rows] for i in range(conditions)]
    return SetData.from_columns(names, cols, "Y", [r[-1] for r in rows],
                                [f"case{i}" for i in range(len(rows))])


def test_three_cases_for_two_conditions_warn() -> None:
    result = analyse(crisp([(1, 0, 1), (0, 1, 0), (1, 1, 1)], 2),
                     Options(include_remainders=True))
    assert result.warnings[0] == (
        "only 3 cases for 2 conditions: with fewer than 10 (at least 10, and 3 per condition) "
        "random data also give tidy solutions; read these as descriptions of these cases, not "
        "as a pattern")


def test_mostly_unobserved_combinations_warn_only_with_remainders() -> None:
    rows = [(1, 1, 1, 1, 1)] * 6 + [(0, 0, 0, 0, 0)] * 6  # 2 of 16 combinations observed
    with_remainders = analyse(crisp(rows, 4), Options(include_remainders=True)).warnings
    assert any(w.startswith("14 of the 16 combinations of conditions are not observed")
               for w in with_remainders)
    without = analyse(crisp(rows, 4), Options()).warnings
    assert not any("not observed" in w for w in without)


def test_enough_cases_over_every_combination_give_no_warning() -> None:
    rows = [(*config, config[0] & config[1]) for config in itertools.product((0, 1), repeat=3)]
    result = analyse(crisp(rows * 2, 3), Options(include_remainders=True))
    assert result.warnings == ()
