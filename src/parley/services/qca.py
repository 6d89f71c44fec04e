"""QCA as a use case: one place that parses the options, reads the data and runs the engine.

Every front end (`parley qca`, `POST /api/qca`, `POST /api/qca/cases`, the `/analysis/qca`
page) hands over what it received as a :class:`QcaSpec` (the options as typed, text and
numbers) and gets the QCA JSON back; none of them imports the engine, the CSV reader or the
condition mapping. The options are parsed once, here (:func:`parse_options`), after the data
are read, because a multi-value condition's directional expectations are checked against its
number of values.

The CSV reader and calibrator (`interchange`) and the condition mapping (`knowledge`) arrive
as the :class:`QcaAdapters` ports, built by `qca_adapters` below (imported only when built, so
a CSV run loads no mapping) and wired by `bootstrap.Parley.qca` for the web and
`quick.qca_service` for the CLI; tests hand the service fakes.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from parley.analysis.comparison import SetDefinition
from parley.analysis.qca import (
    Options,
    QCAError,
    QCATimeout,
    SearchLimits,
    SetData,
    parse_directions,
)
from parley.analysis.qca.errors import OptionError
from parley.domain.codebook import Codebook
from parley.domain.errors import InvalidInput, ParleyError
from parley.services.analysis import CaseQcaRun, ComparativeAnalysis, run_qca
from parley.services.cases import CaseCatalogue

__all__ = [
    "BudgetExceeded",
    "Calibrate",
    "ConditionMapping",
    "QCAError",
    "QCATimeout",
    "QcaAdapters",
    "QcaService",
    "QcaSpec",
    "ReadSetTable",
    "parse_options",
    "unit_number",
]


class BudgetExceeded(ParleyError):
    """A QCA run stopped at a front end's time budget; the message names it and the CLI."""


@dataclass(frozen=True)
class QcaSpec:
    """The options of one QCA run as a front end received them (R QCA's names in brackets).

    Attributes:
        incl_cut: ``X`` or ``X,Y`` (``incl.cut``), text or numbers.
        n_cut, pri_cut: ``n.cut``, ``pri.cut``.
        include_remainders: adds the parsimonious solution (``include = "?"``).
        dir_exp: ``A=1,B=0,C=-``, ``A=0;1`` for both directions, ``DEV=1;2`` for a
            multi-value condition (``dir.exp``).
        necessity: the necessity table.
        row_dom, pi_cons, sol_cons, sol_cov: ``row.dom``, ``pi.cons``, ``sol.cons``,
            ``sol.cov`` (defaults as R: FALSE, 0, 0, 1).
        max_models, max_seconds: the search caps (None: the engine's defaults).
    """

    incl_cut: str | Sequence[float] = "1"
    n_cut: int = 1
    pri_cut: float = 0.0
    include_remainders: bool = False
    dir_exp: str | None = None
    necessity: bool = False
    row_dom: bool = False
    pi_cons: float = 0.0
    sol_cons: float = 0.0
    sol_cov: float = 1.0
    max_models: int | None = None
    max_seconds: float | None = None

    def cuts(self) -> tuple[float, ...]:
        """The inclusion cuts as numbers.

        Raises:
            OptionError: not one or two numbers in [0, 1].
        """
        if isinstance(self.incl_cut, str):
            try:
                cuts = tuple(float(v) for v in self.incl_cut.split(",") if v.strip())
            except ValueError:
                raise OptionError(
                    f"--incl-cut {self.incl_cut!r} must be X or X,Y with numbers in [0, 1]"
                ) from None
        else:
            cuts = tuple(float(v) for v in self.incl_cut)
        if not 1 <= len(cuts) <= 2:
            raise OptionError("--incl-cut takes one value or two (X,Y)")
        for cut in cuts:
            if not 0.0 <= cut <= 1.0:
                raise OptionError(f"--incl-cut {cut:g} must be within [0, 1]")
        return cuts

    def cli_args(self) -> list[str]:
        """The `parley qca` options that ask for this run (for messages naming the CLI)."""
        cmd = ["--incl-cut", ",".join(f"{c:g}" for c in self.cuts())]
        if self.n_cut != 1:
            cmd += ["--n-cut", str(self.n_cut)]
        if self.pri_cut:
            cmd += ["--pri-cut", f"{self.pri_cut:g}"]
        if self.include_remainders:
            cmd.append("--include-remainders")
        if self.dir_exp:
            cmd += ["--dir-exp", self.dir_exp]
        if self.necessity:
            cmd.append("--necessity")
        if self.row_dom:
            cmd.append("--row-dom")
        for flag, value, default in (("--pi-cons", self.pi_cons, 0.0),
                                     ("--sol-cons", self.sol_cons, 0.0),
                                     ("--sol-cov", self.sol_cov, 1.0)):
            if value != default:
                cmd += [flag, f"{value:g}"]
        return cmd


def parse_options(spec: QcaSpec, conditions: Sequence[str], levels: Sequence[int] | None = None,
                  limits: SearchLimits | None = None) -> Options:
    """The engine's options from a front end's spec: the one parser of QCA options.

    Raises:
        OptionError: a value out of range or malformed, naming the option.
    """
    if spec.n_cut < 1:
        raise OptionError(f"--n-cut must be at least 1, got {spec.n_cut}")
    for name, value in (("--pri-cut", spec.pri_cut), ("--pi-cons", spec.pi_cons),
                        ("--sol-cons", spec.sol_cons), ("--sol-cov", spec.sol_cov)):
        if not 0.0 <= value <= 1.0:
            raise OptionError(f"{name} {value:g} must be within [0, 1]")
    if (spec.max_models is not None and spec.max_models < 1) or (
            spec.max_seconds is not None and spec.max_seconds <= 0):
        raise OptionError("--max-models must be at least 1 and --max-seconds positive")
    if limits is None:
        defaults = SearchLimits()
        limits = SearchLimits(
            max_models=spec.max_models or defaults.max_models,
            max_seconds=spec.max_seconds or defaults.max_seconds)
    directions = (parse_directions(spec.dir_exp, conditions, levels)
                  if spec.dir_exp is not None and spec.dir_exp.strip() else None)
    return Options(
        incl_cut=spec.cuts(), n_cut=spec.n_cut, pri_cut=spec.pri_cut,
        include_remainders=spec.include_remainders, directions=directions,
        necessity=spec.necessity, row_dom=spec.row_dom, pi_cons=spec.pi_cons,
        sol_cons=spec.sol_cons, sol_cov=spec.sol_cov, limits=limits)


class ReadSetTable(Protocol):
    """Reads a calibrated CSV (bytes) into QCA data (`interchange.set_table.read_set_data`)."""

    def __call__(self, data: bytes, name: str, *, outcome: str, conditions: Sequence[str],
                 case_id: str | None = None, multi_value: Sequence[str] = (),
                 max_bytes: int | None = ...) -> SetData: ...


class Calibrate(Protocol):
    """Calibrates columns of a CSV (`interchange.set_table`): specs like ``GDP=fuzzy:1,2,3``."""

    def __call__(self, data: bytes, name: str, specs: Sequence[tuple[str, str | None]], *,
                 linear: bool = False, max_bytes: int | None = ...) -> str: ...


class ConditionMapping(Protocol):
    """Conditions and outcomes defined over codebook variables (`knowledge.qca_mapping`)."""

    @property
    def conditions(self) -> Mapping[str, SetDefinition]: ...

    @property
    def outcomes(self) -> Mapping[str, SetDefinition]: ...


@dataclass(frozen=True)
class QcaAdapters:
    """The ports the wiring fills in (see the module docstring)."""

    read_set_table: ReadSetTable
    calibrate: Calibrate
    default_mapping: Callable[[], ConditionMapping]
    load_mapping: Callable[[bytes, str], ConditionMapping]


@dataclass
class QcaService:
    """QCA on a CSV, on the case base, and calibration, for every front end.

    Attributes:
        adapters: the CSV reader, calibrator and mappings.
        executor: runs the search (a server's process pool), or None for this thread.
        max_bytes: the largest CSV accepted (None: no limit, as on the command line).
    """

    adapters: QcaAdapters
    executor: Callable[[], Executor | None] = field(default=lambda: None)
    max_bytes: int | None = None

    def _limits(self, spec: QcaSpec, budget: float | None) -> SearchLimits | None:
        if budget is None:
            return None
        defaults = SearchLimits()
        return SearchLimits(
            max_models=spec.max_models or defaults.max_models,
            max_seconds=min(spec.max_seconds or defaults.max_seconds, budget),
            deadline=time.monotonic() + budget)

    @staticmethod
    def _over_budget(budget: float, command: list[str]) -> BudgetExceeded:
        return BudgetExceeded(
            f"this analysis needs more than the web's time budget of {budget:g} s "
            f"(PARLEY_QCA_TIME_BUDGET) and was stopped. Run it without that budget from the "
            f"command line: {shlex.join(command)}")

    def read(self, data: bytes, name: str, *, outcome: str, conditions: str | Sequence[str],
             case_id: str | None = None, multi_value: str | Sequence[str] = ()) -> SetData:
        """A calibrated CSV as QCA data; ``conditions`` and ``multi_value`` may be ``A,B``."""
        return self.adapters.read_set_table(
            data, name, outcome=outcome, conditions=split_names(conditions),
            case_id=case_id or None, multi_value=split_names(multi_value),
            max_bytes=self.max_bytes)

    def on_csv(self, data: bytes, name: str, spec: QcaSpec, *, outcome: str,
               conditions: str | Sequence[str], case_id: str | None = None,
               multi_value: str | Sequence[str] = (), budget: float | None = None,
               ) -> dict[str, Any]:
        """QCA on a calibrated CSV: the QCA JSON (`docs/qca.md`).

        Raises:
            InvalidInput: the file, a column, a cell or an option, named.
            BudgetExceeded: past ``budget`` seconds (None: no budget).
        """
        table = self.read(data, name, outcome=outcome, conditions=conditions,
                          case_id=case_id, multi_value=multi_value)
        options = parse_options(spec, table.conditions, table.noflevels,
                                self._limits(spec, budget))
        try:
            return run_qca(table, options, self.executor())
        except QCATimeout:
            if budget is None:
                raise
            cmd = ["parley", "qca", "--data", name, "--outcome", outcome, "--conditions",
                   ",".join(table.conditions)]
            if case_id:
                cmd += ["--case-id", case_id]
            if table.multi_value:
                cmd += ["--multi-value", ",".join(table.multi_value)]
            raise self._over_budget(budget, cmd + spec.cli_args()) from None

    def on_cases(self, catalogue: CaseCatalogue, spec: QcaSpec, *,
                 conditions: Sequence[str], outcome: str, where: str | None = None,
                 unknown_as_absent: bool = False, leaves_only: bool = True,
                 mapping: ConditionMapping | None = None, budget: float | None = None,
                 ) -> CaseQcaRun:
        """QCA over the cases ``catalogue`` shows, with conditions from ``mapping`` (default:
        the bundled one).

        Raises:
            InvalidInput: an unknown name, too few cases, or an option, named.
            BudgetExceeded: past ``budget`` seconds (None: no budget).
        """
        m = mapping or self.adapters.default_mapping()
        conds = [c.strip() for c in conditions if c.strip()]
        options = parse_options(spec, conds, None, self._limits(spec, budget))
        try:
            return ComparativeAnalysis(catalogue, self.executor()).qca_on_cases(
                {**m.conditions, **m.outcomes}, conds, outcome, options, where=where,
                unknown_as_absent=unknown_as_absent, leaves_only=leaves_only)
        except QCATimeout:
            if budget is None:
                raise
            cmd = ["parley", "qca", "cases", "--conditions", ",".join(conds), "--outcome",
                   outcome]
            if where:
                cmd += ["--where", where]
            if unknown_as_absent:
                cmd.append("--unknown-as-absent")
            if not leaves_only:
                cmd.append("--with-parents")
            raise self._over_budget(budget, cmd + spec.cli_args()) from None

    def mapping(self, raw: bytes | None = None, name: str = "mapping") -> ConditionMapping:
        """The bundled condition mapping, or a user's file of the same shape (validated)."""
        if raw is None:
            return self.adapters.default_mapping()
        return self.adapters.load_mapping(raw, name)

    def calibrate(self, data: bytes, name: str, specs: Sequence[str], *,
                  linear: bool = False) -> str:
        """Columns replaced by their sets: ``NAME=crisp:T1[,T2...]`` or
        ``NAME=fuzzy:EXCLUSION,CROSSOVER,INCLUSION`` (`parley qca calibrate`)."""
        return self.adapters.calibrate(data, name, [(s, None) for s in specs], linear=linear,
                                       max_bytes=self.max_bytes)

    def add_set(self, data: bytes, name: str, *, column: str, new_column: str,
                thresholds: str = "", anchors: str = "") -> str:
        """The CSV with one new set column from crisp ``thresholds`` or three fuzzy
        ``anchors`` (the web's form and `POST /api/qca/calibrate`).

        Raises:
            InvalidInput: neither or both given, or not numbers (naming the field).
        """
        values = {"thresholds": numbers(thresholds, "Crisp thresholds"),
                  "anchors": numbers(anchors, "Fuzzy anchors")}
        if bool(values["thresholds"]) == bool(values["anchors"]):
            raise InvalidInput("give either crisp thresholds or three fuzzy anchors")
        kind = "crisp" if values["thresholds"] else "fuzzy"
        rule = ",".join(f"{v:g}" for v in values["thresholds"] or values["anchors"])
        return self.adapters.calibrate(data, name, [(f"{column}={kind}:{rule}", new_column)],
                                       max_bytes=self.max_bytes)

    def with_executor(self, executor: Callable[[], Executor | None]) -> QcaService:
        """The same service running its searches on ``executor``."""
        return replace(self, executor=executor)


def split_names(names: str | Sequence[str]) -> list[str]:
    """``A,B`` (or a list) as a list of names, blanks dropped."""
    items = names.split(",") if isinstance(names, str) else list(names)
    return [n.strip() for n in items if n.strip()]


def unit_number(text: str, what: str) -> float:
    """A number in [0, 1] typed into a form field, or an error naming the field."""
    try:
        value = float(text.strip() or "nan")
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise OptionError(f"{what} must be a number from 0 to 1, not {text!r}")
    return value


def numbers(text: str, what: str) -> list[float]:
    """Comma-separated numbers from a form field, or an error naming the field."""
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise InvalidInput(f"{what} must be numbers separated by commas (e.g. 2500,5000,7500), "
                           f"not {text!r}") from exc


def qca_adapters(codebook: Callable[[], Codebook]) -> QcaAdapters:
    """The QCA service's ports: the CSV reader and calibrator, the default mapping and a user's
    mapping file. ``codebook`` is called only when a mapping is needed (a CSV run needs none)."""
    from parley.interchange.set_table import calibrate_specs, read_set_data
    from parley.knowledge.qca_mapping import load_default_mapping, load_mapping_bytes

    return QcaAdapters(
        read_set_table=read_set_data,
        calibrate=calibrate_specs,
        default_mapping=lambda: load_default_mapping(codebook()),
        load_mapping=lambda raw, name: load_mapping_bytes(raw, name, codebook()),
    )
