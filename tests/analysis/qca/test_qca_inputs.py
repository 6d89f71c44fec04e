"""Bad input gives a clear error naming the file, column, row or limit; calibration as R."""

from __future__ import annotations

import numpy as np
import pytest

from parley.analysis.qca import calibrate_crisp, calibrate_fuzzy, read_table
from parley.analysis.qca.dataset import SetData
from parley.analysis.qca.errors import (
    ConstantConditionError,
    DuplicateColumnError,
    InvalidValueError,
    MissingColumnError,
    NoConfigurationsError,
    OptionError,
    QCAInputError,
    TooManyConditionsError,
)
from parley.analysis.qca.intermediate import parse_directions
from parley.analysis.qca.truthtable import build_truth_table
from parley.domain.errors import InvalidInput

HEADER = ["id", "A", "B", "Y"]
ROWS = [["a", "1", "0", "1"], ["b", "0", "1", "0"], ["c", "1", "1", "1"]]


def read(header: list[str] = HEADER, rows: list[list[str]] = ROWS, **kw: object) -> SetData:
    args: dict[str, object] = {"outcome": "Y", "conditions": ["A", "B"], "case_id": "id",
                               "source": "f.csv"}
    args.update(kw)
    return read_table(header, rows, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda r: r[1].__setitem__(2, "abc"), InvalidValueError,
         "f.csv: data row 2 (line 3), column 'B': 'abc' is not a number"),
        (lambda r: r[2].__setitem__(1, "1.5"), InvalidValueError,
         "f.csv: data row 3 (line 4), column 'A': '1.5' is outside [0, 1]"),
        (lambda r: r[0].__setitem__(3, ""), InvalidValueError,
         "f.csv: data row 1 (line 2), column 'Y': empty cell"),
        (lambda r: r[2].__setitem__(0, "a"), InvalidValueError,
         "column 'id': case id 'a' already used in data row 1"),
    ],
)
def test_bad_cells_are_located(change: object, error: type[Exception], message: str) -> None:
    rows = [list(r) for r in ROWS]
    change(rows)  # type: ignore[operator]
    with pytest.raises(error, match=None) as info:
        read(rows=rows)
    assert message in str(info.value)
    assert isinstance(info.value, InvalidInput)


def test_missing_and_duplicate_columns() -> None:
    with pytest.raises(MissingColumnError, match=r"f\.csv: no column 'C'"):
        read(conditions=["A", "C"])
    with pytest.raises(DuplicateColumnError, match="column 'A' appears more than once"):
        read(header=["id", "A", "A", "Y"])
    with pytest.raises(DuplicateColumnError, match="condition 'A' is listed more than once"):
        read(conditions=["A", "A"])


def test_constant_condition_is_named() -> None:
    rows = [[r[0], "1", r[2], r[3]] for r in ROWS]
    with pytest.raises(ConstantConditionError, match=r"condition 'A' is above 0\.5 for every case"):
        read(rows=rows)


def test_too_many_conditions_names_the_limit() -> None:
    with pytest.raises(TooManyConditionsError, match="exceed the limit of 1"):
        read(max_conditions=1)


def test_all_rows_remainders_names_n_cut() -> None:
    with pytest.raises(NoConfigurationsError, match=r"n.cut = 5 but the largest row has 1"):
        build_truth_table(read(), n_cut=5)


def test_cut_options_are_checked() -> None:
    with pytest.raises(OptionError, match="outside"):
        build_truth_table(read(), incl_cut=(1.2,))
    with pytest.raises(OptionError, match="must not exceed"):
        build_truth_table(read(), incl_cut=(0.6, 0.8))


def test_directional_expectations() -> None:
    assert parse_directions("A=1, B=-", ("A", "B")) == {"A": {1}, "B": frozenset()}
    assert parse_directions("A=0;1", ("A", "B")) == {"A": {0, 1}}
    for bad, msg in [("Z=1", "not a condition"), ("A=2", "use 1, 0 or -"),
                     ("A", "should look like"), ("A=1,A=0", "more than once")]:
        with pytest.raises(QCAInputError, match=msg):
            parse_directions(bad, ("A", "B"))


def test_contradictions_with_two_cuts() -> None:
    data = SetData.from_columns(["A"], [[1, 1, 1, 1, 0, 0]], "Y", [1, 1, 1, 0, 0, 0])
    tt = build_truth_table(data, incl_cut=(0.8, 0.7))
    assert {tt.format(r.config): r.out for r in tt.rows} == {"1": "C", "0": "0"}


def test_crisp_calibration_is_find_interval() -> None:
    assert calibrate_crisp([1, 2, 3, 4], [2]) == [0, 1, 1, 1]
    assert calibrate_crisp([1, 2, 3, 4], [3, 2]) == [0, 1, 2, 2]
    with pytest.raises(OptionError, match="outside the range"):
        calibrate_crisp([1, 2], [5])


def test_fuzzy_logistic_anchors_as_documented() -> None:
    # R's calibrate(): idm (0.95) at the inclusion anchor, 0.5 at the crossover, 1 - idm at
    # the exclusion anchor; values beyond 0.9999 / below 0.0001 snap to 1 / 0.
    got = calibrate_fuzzy([165, 175, 185, 1000, 0], 165, 175, 185)
    assert got[:3] == pytest.approx([0.05, 0.5, 0.95])
    assert got[3:] == [1.0, 0.0]
    dec = calibrate_fuzzy([165, 175, 185], 185, 175, 165)  # decreasing set
    assert dec == pytest.approx([0.95, 0.5, 0.05])
    lin = calibrate_fuzzy([160, 170, 175, 180, 190], 165, 175, 185, logistic=False)
    assert lin == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    with pytest.raises(OptionError, match="strictly between"):
        calibrate_fuzzy([1.0], 1, 5, 3)


def test_pi_cons_with_remainders_is_refused_above_its_limit() -> None:
    from parley.analysis.qca import Options, analyse
    from parley.analysis.qca.errors import OptionError

    k, n = 17, 40
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, size=(k, n)).astype(float)
    y = rng.integers(0, 2, size=n).astype(float)
    data = SetData.from_columns([f"C{j}" for j in range(k)], x.tolist(), "Y", y.tolist())
    with pytest.raises(OptionError, match="up to 16 conditions; this analysis has 17"):
        analyse(data, Options(include_remainders=True, pi_cons=0.8, incl_cut=(0.5,)))
