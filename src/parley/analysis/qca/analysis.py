"""One QCA run: truth table, the three solutions with their parameters, necessity.

This is the use case behind ``parley qca``, the API endpoint and the web page; each of them
parses its input, calls :func:`analyse` and renders :func:`result_to_json`'s dict (the
contract in ``docs/interfaces.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from parley.analysis.qca.dataset import SetData
from parley.analysis.qca.errors import OptionError
from parley.analysis.qca.intermediate import Directions, intermediate_models
from parley.analysis.qca.minimise import SearchLimits
from parley.analysis.qca.necessity import NecessityRow, necessity
from parley.analysis.qca.parameters import ModelFit, Term, model_fit
from parley.analysis.qca.solutions import ChartOptions, Space, consistent_primes, solve_chart
from parley.analysis.qca.terms import format_config, format_model
from parley.analysis.qca.truthtable import TruthTable, build_truth_table

__all__ = ["Model", "Options", "QCAResult", "Solution", "analyse", "result_to_json", "solve"]

DIGITS = 6


@dataclass(frozen=True)
class Options:
    """What to compute, with R QCA's defaults (``incl.cut = 1``, ``n.cut = 1``).

    Attributes:
        directions: directional expectations by condition (the expected values; a condition
            left out is "don't care"); an intermediate solution is computed only when given
            and remainders are included.
        row_dom, pi_cons, sol_cons, sol_cov: R's ``row.dom``, ``pi.cons``, ``sol.cons`` and
            ``sol.cov`` (see :mod:`.solutions`).
    """

    incl_cut: tuple[float, ...] = (1.0,)
    n_cut: int = 1
    pri_cut: float = 0.0
    include_remainders: bool = False
    directions: Directions | None = None
    necessity: bool = False
    row_dom: bool = False
    pi_cons: float = 0.0
    sol_cons: float = 0.0
    sol_cov: float = 1.0
    limits: SearchLimits = field(default_factory=SearchLimits)
    small_sample: SmallSample = field(default_factory=lambda: SmallSample())


@dataclass(frozen=True)
class SmallSample:
    """When a result is flagged as resting on too little evidence (warnings, never refusals).

    Parley's own rules of thumb, stated so a reader can weigh them: with few cases per
    condition, random data also yield tidy solutions; with most combinations unobserved, the
    parsimonious solution rests on assumptions about cases that do not exist.
    """

    min_cases: int = 10
    min_cases_per_condition: int = 3
    max_remainder_share: float = 0.5  # of the 2^k combinations, with remainders included


@dataclass(frozen=True)
class Model:
    """A minimal model with its parameters of fit."""

    expression: str
    fit: ModelFit
    easy_counterfactuals: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Solution:
    """All minimal models of one kind of solution, sorted by expression."""

    models: tuple[Model, ...]
    primes: tuple[Term, ...]
    complete: bool
    left_out: str | None


@dataclass(frozen=True)
class QCAResult:
    """Everything one run produced."""

    data: SetData
    truth_table: TruthTable
    solutions: dict[str, Solution]
    necessity: list[NecessityRow] | None
    warnings: tuple[str, ...]


def _models(terms_list: Sequence[Sequence[Term]], data: SetData) -> list[Model]:
    out = [
        Model(format_model(terms, data.conditions), model_fit(terms, data))
        for terms in terms_list
    ]
    return sorted(out, key=lambda m: m.expression)


def chart_options(opts: Options) -> ChartOptions:
    """The chart options of a run, checked."""
    for name, value in (("pi_cons", opts.pi_cons), ("sol_cons", opts.sol_cons),
                        ("sol_cov", opts.sol_cov)):
        if not 0.0 <= value <= 1.0:
            raise OptionError(f"{name} = {value:g} is outside [0, 1]")
    return ChartOptions(opts.row_dom, opts.pi_cons, opts.sol_cons, opts.sol_cov)


def solve(
    tt: TruthTable, data: SetData, *, remainders: bool, limits: SearchLimits,
    options: ChartOptions | None = None,
) -> tuple[Solution, list[list[Term]]]:
    """Minimise the truth table (conservative or parsimonious) and fit every minimal model.

    Raises:
        NoSolutionError: ``pi_cons`` or ``sol_cons`` leave no model.
    """
    options = options or ChartOptions()
    positives, negatives = tt.positives, tt.negatives
    if not positives:
        return Solution((), (), True, None), []
    space = Space.of(data)
    primes_complete = True
    primes: list[Term]
    if remainders and options.pi_cons > 0:
        primes = consistent_primes(space, data, positives, options.pi_cons, limits)
    else:
        primes, primes_complete = space.primes(positives, negatives, remainders=remainders,
                                               limits=limits)
    solved = solve_chart(space, data, positives, primes, options, limits, remainders=remainders)
    terms_list = [[solved.primes[i] for i in model] for model in solved.models]
    left_out = solved.left_out
    if not primes_complete:
        left_out = (
            f"prime implicant generation stopped at max_primes = {limits.max_primes}; "
            + (left_out or "models use only the implicants found")
        )
    solution = Solution(
        tuple(_models(terms_list, data)),
        solved.primes,
        solved.complete and primes_complete,
        left_out,
    )
    return solution, terms_list


def small_sample_warnings(data: SetData, tt: TruthTable, opts: Options) -> list[str]:
    """Why this result may say little beyond its own cases (see `SmallSample`)."""
    rule = opts.small_sample
    n, k = len(data.cases), len(data.conditions)
    out: list[str] = []
    needed = max(rule.min_cases, rule.min_cases_per_condition * k)
    if n < needed:
        out.append(
            f"only {n} case{'' if n == 1 else 's'} for {k} condition{'' if k == 1 else 's'}: "
            f"with fewer than {needed} (at least {rule.min_cases}, and "
            f"{rule.min_cases_per_condition} per condition) random data also give tidy "
            "solutions; read these as descriptions of these cases, not as a pattern")
    possible = Space.of(data).size
    observed = len(tt.rows)
    if opts.include_remainders and (possible - observed) / possible > rule.max_remainder_share:
        out.append(
            f"{possible - observed} of the {possible} combinations of conditions are not "
            f"observed (remainders): the parsimonious solution rests mostly on assumptions "
            "about cases that do not exist; compare it with the conservative solution")
    return out


def analyse(data: SetData, options: Options | None = None) -> QCAResult:
    """Run the analysis the options ask for.

    Raises:
        QCAInputError: through the truth table (cuts, no configurations) or the options.
    """
    opts = options or Options()
    tt = build_truth_table(data, opts.incl_cut, opts.n_cut, opts.pri_cut)
    warnings: list[str] = []
    if tt.unassigned_cases:
        warnings.append(
            "cases with a membership of exactly 0.5 belong to no truth-table row: "
            + ", ".join(tt.unassigned_cases)
        )
    warnings.extend(small_sample_warnings(data, tt, opts))
    if not tt.positives:
        best = max((r.incl for r in tt.rows if r.out != "?"), default=0.0)
        warnings.append(
            f"no truth-table row reaches incl.cut = {tt.incl_cut1:g} (highest inclusion "
            f"{best:.3f}): there is nothing to minimise"
        )
    solutions: dict[str, Solution] = {}
    copts = chart_options(opts)
    conservative, cons_terms = solve(tt, data, remainders=False, limits=opts.limits,
                                     options=copts)
    solutions["conservative"] = conservative
    if opts.include_remainders:
        parsimonious, pars_terms = solve(tt, data, remainders=True, limits=opts.limits,
                                         options=copts)
        solutions["parsimonious"] = parsimonious
        if opts.directions is not None:
            # R's simplifying assumptions are the parsimonious model's rows other than the
            # positive ones: remainders, and negative rows a pi_cons implicant may cover.
            imodels, complete, left_out = intermediate_models(
                cons_terms, pars_terms, tt.positives, set(tt.positives), opts.directions,
                data, opts.limits, copts,
            )
            models = sorted(
                (
                    Model(
                        format_model(m.terms, data.conditions),
                        model_fit(m.terms, data),
                        m.easy_counterfactuals,
                    )
                    for m in imodels
                ),
                key=lambda m: m.expression,
            )
            solutions["intermediate"] = Solution(
                tuple(models),
                (),
                complete and conservative.complete and parsimonious.complete,
                left_out or conservative.left_out or parsimonious.left_out,
            )
    nec = necessity(data) if opts.necessity else None
    return QCAResult(data, tt, solutions, nec, tuple(warnings))


def _r(value: float) -> float:
    return round(value, DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _model_json(model: Model, conditions: Sequence[str], k: int,
                levels: Sequence[int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "expression": model.expression,
        "inclS": _r(model.fit.incl),
        "PRI": _r(model.fit.pri),
        "covS": _r(model.fit.cov),
        "terms": [
            {
                "term": t.term.format(conditions),
                "inclS": _r(t.incl),
                "PRI": _r(t.pri),
                "covS": _r(t.cov),
                "covU": _r(t.cov_unique),
                "cases": list(t.cases),
            }
            for t in model.fit.terms
        ],
    }
    if model.easy_counterfactuals is not None:
        out["easy_counterfactuals"] = [
            format_config(c, k, levels) for c in model.easy_counterfactuals]
    return out


def result_to_json(result: QCAResult) -> dict[str, Any]:
    """The QCA JSON of ``docs/interfaces.md``, plus a few documented extra keys.

    Extra keys (extensions, never replacing the contract's): per solution ``complete`` and
    ``left_out`` (what a search cap left out), per term ``cases``, per intermediate model
    ``easy_counterfactuals``; top-level ``warnings``, and ``multi_value`` (number of values of
    each multi-value condition) for mvQCA, whose configurations have one digit per condition
    and whose literals are written ``NAME[v]`` as R QCA 3.x writes them.
    """
    data, tt = result.data, result.truth_table
    k = data.k
    levels = data.noflevels
    out: dict[str, Any] = {
        "outcome": data.outcome,
        "conditions": list(data.conditions),
        "n_cases": len(data.cases),
        "truth_table": [
            {
                "config": format_config(row.config, k, levels),
                "OUT": row.out,
                "n": row.n,
                "incl": _r(row.incl),
                "PRI": _r(row.pri),
                "cases": list(row.cases),
            }
            for row in tt.rows
            if row.out != "?"
        ],
        "solutions": {
            name: {
                "models": [_model_json(m, data.conditions, k, levels) for m in sol.models],
                "complete": sol.complete,
                "left_out": sol.left_out,
            }
            for name, sol in result.solutions.items()
        },
    }
    if result.necessity is not None:
        out["necessity"] = [
            {"condition": r.condition, "inclN": _r(r.incl), "RoN": _r(r.ron), "covN": _r(r.cov)}
            for r in result.necessity
        ]
    if data.multi_value:
        out["multi_value"] = {c: data.noflevels[j] for j, c in enumerate(data.conditions)
                              if c in data.multi_value}
    out["warnings"] = list(result.warnings)
    return out


def analyse_to_json(data: SetData, options: Options | None = None) -> dict[str, Any]:
    """`analyse`, then `result_to_json`: one picklable call, so a server can run it in a worker
    process (the search is pure Python; in a thread it would hold the server's GIL)."""
    return result_to_json(analyse(data, options))
