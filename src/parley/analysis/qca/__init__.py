"""Qualitative Comparative Analysis, matching R's QCA package (version 3.x).

Pure computation: no files, web, database or CLI here (numpy only). The pieces, in the
order a run uses them::

    calibrate.py     raw numbers -> crisp or fuzzy memberships
    dataset.py       CSV-like cells -> validated SetData (errors name file, column, row)
    truthtable.py    SetData -> truth table (incl, PRI, n, cases, OUT = 1 / 0 / C / ?)
    minimise.py      prime implicants and every minimum cover, within SearchLimits
    multivalue.py    mvQCA terms (NAME[v]) and their prime implicants
    solutions.py     the chart: R's row.dom, pi.cons, sol.cons; crisp and multi-value alike
    intermediate.py  directional expectations -> easy counterfactuals -> intermediate models
    parameters.py    inclS, PRI, covS, covU of terms and models
    necessity.py     inclN, RoN, covN of each condition and its negation
    analysis.py      one run end to end, and the contract's JSON (docs/interfaces.md)
    errors.py        the error hierarchy
"""

from parley.analysis.qca.analysis import (
    Model,
    Options,
    QCAResult,
    Solution,
    analyse,
    analyse_to_json,
    result_to_json,
)
from parley.analysis.qca.calibrate import calibrate_crisp, calibrate_fuzzy
from parley.analysis.qca.dataset import MAX_CONDITIONS, SetData, read_table
from parley.analysis.qca.errors import QCAError, QCAInputError, QCATimeout
from parley.analysis.qca.intermediate import parse_directions
from parley.analysis.qca.minimise import SearchLimits, minimum_covers, prime_implicants
from parley.analysis.qca.truthtable import TruthTable, build_truth_table

__all__ = [
    "MAX_CONDITIONS",
    "Model",
    "Options",
    "QCAError",
    "QCAInputError",
    "QCAResult",
    "QCATimeout",
    "SearchLimits",
    "SetData",
    "Solution",
    "TruthTable",
    "analyse",
    "analyse_to_json",
    "build_truth_table",
    "calibrate_crisp",
    "calibrate_fuzzy",
    "minimum_covers",
    "parse_directions",
    "prime_implicants",
    "read_table",
    "result_to_json",
]
