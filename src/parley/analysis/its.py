"""Interrupted time series by segmented GLM regression (docs/monitoring.md).

The method of Lopez Bernal, Cummins & Gasparrini (IJE 2017): a GLM on the counts with a log link
and `log(offset)` when an offset is given, with

    log E[y_t] = b0 + b1·t + b2·post_t [+ b3·(t − t0)·post_t] [+ Σ_k s_k sin(2πk·m_t/P) + c_k cos(...)]

where t is the period index from 1, post_t = 1 from the first period starting at or after the
intervention, t0 is the index of the last period before it, and m_t the month (P = 12), ISO week
(P = 52) or day of the year (P = 365.25). Quasi-Poisson (the default) takes the Poisson
estimates and scales their covariance by Pearson χ²/(n − p), as R's `glm` does; negative
binomial estimates θ by maximum likelihood, as `MASS::glm.nb`. Intervals are 95% Wald on the log
scale; p-values follow R's `summary.glm` (t on n − p degrees of freedom when the dispersion is
estimated, z otherwise). statsmodels is the engine, imported when a model is fitted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from parley.domain.errors import InvalidInput
from parley.domain.monitoring import (
    IndicatorSeries,
    Period,
    Point,
    period_label,
    period_ordinal,
    period_start,
)

Z95 = 1.959963984540054
MIN_SIDE = 8
SEASON_LENGTH: dict[Period, float] = {Period.MONTH: 12, Period.WEEK: 52, Period.DAY: 365.25}
OVERDISPERSION_ALPHA = 0.05
AUTOCORRELATION_ALPHA = 0.05
FloatArray = npt.NDArray[np.float64]


class Model(StrEnum):
    QUASI_POISSON = "quasi-poisson"
    POISSON = "poisson"
    NEGATIVE_BINOMIAL = "negative-binomial"


class Robust(StrEnum):
    HAC = "hac"


@dataclass(frozen=True)
class ItsSpec:
    """What to fit; each field is a CLI option of `parley monitor its`."""

    intervention: date
    end: date | None = None
    offset: str | None = None
    seasonality: int = 0
    slope_change: bool = False
    model: Model = Model.QUASI_POISSON
    robust: Robust | None = None


@dataclass(frozen=True)
class Estimate:
    """A rate ratio with its 95% Wald interval and p-value."""

    log: float
    se: float
    rate_ratio: float
    ci: tuple[float, float]
    p: float


@dataclass(frozen=True)
class Fitted:
    """One period of the analysed series: observed, fitted and counterfactual counts."""

    label: str
    start: date
    post: bool
    observed: float
    fitted: float
    counterfactual: float
    band: tuple[float, float]  # 95% interval of the counterfactual


@dataclass(frozen=True)
class Control:
    """The control series of a comparative model."""

    kind: str  # "locality" or "indicator"
    name: str
    n: int


@dataclass(frozen=True)
class ItsResult:
    model: Model
    robust: Robust | None
    n: int
    period: Period
    intervention: str
    locality: str
    indicator: str
    level_change: Estimate
    slope_change: Estimate | None
    pre_trend: Estimate
    dispersion: float
    autocorrelation_lag1: float
    ljung_box_p: float
    ljung_box_lags: int
    series: tuple[Fitted, ...]
    prevented: float
    prevented_ci: tuple[float, float]
    warnings: tuple[str, ...]
    coefficients: dict[str, tuple[float, float]] = field(default_factory=dict)
    theta: float | None = None
    control: Control | None = None


def result_to_json(result: ItsResult) -> dict[str, Any]:
    """The JSON shape of issue 12 (plus `control` when a control series was used)."""

    def est(e: Estimate) -> dict[str, Any]:
        return {"rate_ratio": e.rate_ratio, "ci": list(e.ci), "p": e.p}

    out: dict[str, Any] = {
        "model": result.model.value,
        "n": result.n,
        "period": result.period.value,
        "intervention": result.intervention,
        "level_change": est(result.level_change),
        "slope_change": est(result.slope_change) if result.slope_change else None,
        "pre_trend": {"rate_ratio_per_period": result.pre_trend.rate_ratio,
                      "ci": list(result.pre_trend.ci)},
        "dispersion": result.dispersion,
        "autocorrelation": {"lag1": result.autocorrelation_lag1,
                            "ljung_box_p": result.ljung_box_p},
        "series": [{"date": f.label, "observed": f.observed, "fitted": f.fitted,
                    "counterfactual": f.counterfactual} for f in result.series],
        "prevented": {"estimate": result.prevented, "ci": list(result.prevented_ci)},
        "warnings": list(result.warnings),
    }
    if result.control is not None:
        out["control"] = {"kind": result.control.kind, "name": result.control.name,
                          "n": result.control.n}
    return out


@dataclass(frozen=True)
class _Design:
    y: FloatArray
    x: FloatArray
    x_cf: FloatArray  # the design with the intervention's terms switched off
    offset: FloatArray | None
    names: tuple[str, ...]
    treated: npt.NDArray[np.bool_]
    groups: npt.NDArray[np.int64]


def fit_its(series: IndicatorSeries, spec: ItsSpec, control: IndicatorSeries | None = None,
            control_kind: str = "locality") -> ItsResult:
    """Fit the segmented regression of `series` around `spec.intervention`.

    With `control`, fits the comparative model: both series stacked, with a series indicator
    interacting with the time, level and slope terms; the level and slope changes reported are
    then the interactions (the treated series' change beyond the control's).

    Raises:
        InvalidInput: naming the parameter (an intervention outside the series, an offset
            column missing, too many harmonics, too few periods for the model).
    """
    treated = _cut(series, spec, "--data")
    ctrl = _cut(control, spec, f"--control-{control_kind}") if control is not None else None
    if control is not None and control.period is not series.period:
        raise InvalidInput(f"--control-{control_kind}: the control series is by "
                           f"{control.period.value}, the series by {series.period.value}")
    design = _design(treated, ctrl, spec)
    n, p = design.x.shape
    if n <= p:
        raise InvalidInput(f"--data: {n} observations cannot fit a model of {p} parameters; "
                           "use a longer series or fewer terms (--seasonality, --slope-change)")
    fit = _fit(design, spec)
    beta: FloatArray = fit.beta
    cov: FloatArray = fit.cov
    estimate_df = n - p if spec.model is Model.QUASI_POISSON and spec.robust is None else None

    def contrast(terms: Sequence[str]) -> Estimate:
        c = np.zeros(p)
        for t in terms:
            c[design.names.index(t)] = 1.0
        log = float(c @ beta)
        se = math.sqrt(max(float(c @ cov @ c), 0.0))
        return _estimate(log, se, estimate_df)

    comparative = ctrl is not None
    level = contrast(["group:level"] if comparative else ["level"])
    slope = (contrast(["group:slope"] if comparative else ["slope"]) if spec.slope_change
             else None)
    trend = contrast(["time", "group:time"] if comparative else ["time"])

    mask = design.treated
    eta_f = design.x[mask] @ beta + (design.offset[mask] if design.offset is not None else 0.0)
    eta_cf = design.x_cf[mask] @ beta + (design.offset[mask] if design.offset is not None else 0.0)
    mu_f = np.exp(eta_f)
    mu_cf = np.exp(eta_cf)
    se_cf = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", design.x_cf[mask], cov, design.x_cf[mask]),
                               0.0))
    lo = np.exp(eta_cf - Z95 * se_cf)
    hi = np.exp(eta_cf + Z95 * se_cf)
    post = design.x[mask][:, design.names.index("level")] > 0
    gradient = (mu_cf[post, None] * design.x_cf[mask][post]
                - mu_f[post, None] * design.x[mask][post]).sum(axis=0)
    prevented = float((mu_cf[post] - mu_f[post]).sum())
    prevented_se = float(math.sqrt(max(gradient @ cov @ gradient, 0.0)))

    residuals = fit.deviance_residuals[mask]
    lag1, lb_p, lb_lags = _autocorrelation(residuals)
    points = treated.points
    fitted = tuple(
        Fitted(pt.label, pt.start, bool(post[i]), pt.value, float(mu_f[i]), float(mu_cf[i]),
               (float(lo[i]), float(hi[i])))
        for i, pt in enumerate(points))
    intervention_label = period_label(series.period, _first_post_start(series.period,
                                                                       spec.intervention))
    warnings = _warnings(treated, spec, int(post.sum()), fit, lb_p, n - p)
    return ItsResult(
        model=spec.model, robust=spec.robust, n=n, period=series.period,
        intervention=intervention_label, locality=series.locality, indicator=series.indicator,
        level_change=level, slope_change=slope, pre_trend=trend, dispersion=fit.dispersion,
        autocorrelation_lag1=lag1, ljung_box_p=lb_p, ljung_box_lags=lb_lags, series=fitted,
        prevented=prevented,
        prevented_ci=(prevented - Z95 * prevented_se, prevented + Z95 * prevented_se),
        warnings=tuple(warnings),
        coefficients={name: (float(beta[i]), float(math.sqrt(max(cov[i, i], 0.0))))
                      for i, name in enumerate(design.names)},
        theta=fit.theta,
        control=(Control(control_kind, control.locality if control_kind == "locality"
                         else control.indicator, len(ctrl.points))
                 if ctrl is not None and control is not None else None),
    )


def _first_post_start(period: Period, intervention: date) -> date:
    start = period_start(period, intervention)
    if start == intervention:
        return start
    from parley.domain.monitoring import start_of_ordinal

    return start_of_ordinal(period, period_ordinal(period, start) + 1)


def _cut(series: IndicatorSeries, spec: ItsSpec, what: str) -> IndicatorSeries:
    if spec.end is not None:
        if spec.end < spec.intervention:
            raise InvalidInput(f"--end: {spec.end.isoformat()} is before the intervention")
        series = series.until(spec.end)
    if not series.points:
        raise InvalidInput(f"{what}: no observations up to --end")
    first_post = _first_post_start(series.period, spec.intervention)
    pre = sum(1 for pt in series.points if pt.start < first_post)
    if pre == 0 or pre == len(series.points):
        raise InvalidInput(
            f"--intervention: {spec.intervention.isoformat()} is outside the series of "
            f"{series.locality} / {series.indicator} ({series.points[0].label} to "
            f"{series.points[-1].label}); it needs observations before and after it")
    if spec.offset is not None:
        for pt in series.points:
            if pt.offset(spec.offset) is None:
                raise InvalidInput(
                    f"--offset: column {spec.offset!r} has no value at {pt.label} for "
                    f"{series.locality} / {series.indicator} (columns are population and any "
                    "extra column of the file)")
    return series


def _season_position(period: Period, pt: Point) -> float:
    if period is Period.MONTH:
        return float(pt.start.month)
    if period is Period.WEEK:
        return float(pt.start.isocalendar()[1])
    return float(pt.start.timetuple().tm_yday)


def _design(treated: IndicatorSeries, control: IndicatorSeries | None, spec: ItsSpec) -> _Design:
    period = treated.period
    season = SEASON_LENGTH[period]
    if spec.seasonality < 0 or spec.seasonality > season / 2:
        raise InvalidInput(f"--seasonality: {spec.seasonality} harmonic pairs; allowed 0 to "
                           f"{int(season // 2)} for {period.value}ly data (period {season:g})")
    blocks = [(treated, 1)] + ([(control, 0)] if control is not None else [])
    origin = min(s.points[0].ordinal for s, _ in blocks)
    first_post = period_ordinal(period, _first_post_start(period, spec.intervention))
    t0 = first_post - 1 - origin + 1
    names = ["const", "time", "level"] + (["slope"] if spec.slope_change else [])
    if control is not None:
        names += ["group", "group:time", "group:level"]
        names += ["group:slope"] if spec.slope_change else []
    for k in range(1, spec.seasonality + 1):
        names.append(f"sin{k}")
    for k in range(1, spec.seasonality + 1):
        names.append(f"cos{k}")
    freq = np.arange(1, spec.seasonality + 1, dtype=float)
    blocks_x: list[FloatArray] = []
    blocks_cf: list[FloatArray] = []
    ys: list[FloatArray] = []
    offsets: list[float] = []
    groups: list[npt.NDArray[np.int64]] = []
    for s, g in blocks:
        ordinal = np.fromiter((pt.ordinal for pt in s.points), dtype=float, count=len(s.points))
        t = ordinal - origin + 1
        post = (ordinal >= first_post).astype(float)
        slope = (t - t0) * post
        one = np.ones_like(t)
        zero = np.zeros_like(t)
        cols = [one, t, post] + ([slope] if spec.slope_change else [])
        comparative = control is not None
        cols_cf = [one, t, post if comparative else zero]
        cols_cf += [slope if comparative else zero] if spec.slope_change else []
        if comparative:
            cols += [g * one, g * t, g * post] + ([g * slope] if spec.slope_change else [])
            cols_cf += [g * one, g * t, zero] + ([zero] if spec.slope_change else [])
        m = np.fromiter((_season_position(period, pt) for pt in s.points), dtype=float,
                        count=len(s.points))
        angle = 2 * math.pi * np.outer(m, freq) / season
        harmonics = [np.sin(angle), np.cos(angle)] if spec.seasonality else []
        blocks_x.append(np.column_stack(cols + harmonics))
        blocks_cf.append(np.column_stack(cols_cf + harmonics))
        ys.append(np.fromiter((pt.value for pt in s.points), dtype=float, count=len(s.points)))
        if spec.offset is not None:
            for pt in s.points:
                value = pt.offset(spec.offset)
                assert value is not None  # checked in _cut
                offsets.append(math.log(value))
        groups.append(np.full(len(s.points), g, dtype=np.int64))
    group = np.concatenate(groups)
    return _Design(np.concatenate(ys), np.vstack(blocks_x), np.vstack(blocks_cf),
                   np.asarray(offsets, dtype=float) if spec.offset is not None else None,
                   tuple(names), group.astype(bool), group)


@dataclass(frozen=True)
class _Fit:
    beta: FloatArray
    cov: FloatArray
    dispersion: float
    pearson_chi2: float
    deviance_residuals: FloatArray
    theta: float | None
    theta_converged: bool


def newey_west_lags(n: int) -> int:
    """Newey & West's (1994) rule of thumb for the HAC lag truncation: floor(4·(n/100)^(2/9))."""
    return max(1, int(4 * (n / 100) ** (2 / 9)))  # int() floors a positive number


def _fit(design: _Design, spec: ItsSpec) -> _Fit:
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    n, p = design.x.shape
    # converged when the deviance changes by less than 1e-13 of itself (R: 1e-8 by default)
    fit_kw: dict[str, Any] = {"tol": 1e-300, "rtol": 1e-13, "maxiter": 100}
    if spec.robust is Robust.HAC:
        lags = newey_west_lags(int(design.treated.sum()))
        if design.groups.min() == design.groups.max():
            fit_kw |= {"cov_type": "HAC", "cov_kwds": {"maxlags": lags}}
        else:
            fit_kw |= {"cov_type": "hac-panel",
                       "cov_kwds": {"groups": design.groups, "maxlags": lags}}
    theta: float | None = None
    converged = True
    poisson = GLM(design.y, design.x, family=families.Poisson(), offset=design.offset)
    if spec.model is Model.NEGATIVE_BINOMIAL:
        theta, converged, result = _fit_negative_binomial(design, fit_kw)
    else:
        scale = "X2" if spec.model is Model.QUASI_POISSON else 1.0
        result = poisson.fit(scale=scale, **fit_kw)
    mu = np.asarray(result.mu, dtype=float)
    pearson = float(np.sum((design.y - mu) ** 2 / _variance(mu, theta)))
    dispersion = pearson / (n - p) if spec.model is Model.QUASI_POISSON else 1.0
    return _Fit(np.asarray(result.params, dtype=float), np.asarray(result.cov_params(), dtype=float),
                dispersion, pearson, np.asarray(result.resid_deviance, dtype=float), theta,
                converged)


def _variance(mu: FloatArray, theta: float | None) -> FloatArray:
    return mu if theta is None else mu + mu**2 / theta


def _fit_negative_binomial(design: _Design, fit_kw: dict[str, Any]) -> tuple[float, bool, Any]:
    """Alternate the GLM for fixed θ and θ's maximum likelihood, as `MASS::glm.nb` does."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    start = GLM(design.y, design.x, family=families.Poisson(), offset=design.offset).fit(**fit_kw)
    mu = np.asarray(start.mu, dtype=float)
    theta, converged = _theta_ml(design.y, mu)
    result = start
    for _ in range(100):
        family = families.NegativeBinomial(alpha=1.0 / theta)
        result = GLM(design.y, design.x, family=family, offset=design.offset).fit(
            start_params=result.params, scale=1.0, **fit_kw)
        new_theta, converged = _theta_ml(design.y, np.asarray(result.mu, dtype=float), theta)
        done = abs(new_theta - theta) <= 1e-10 * max(1.0, theta)
        theta = new_theta
        if done:
            break
    family = families.NegativeBinomial(alpha=1.0 / theta)
    result = GLM(design.y, design.x, family=family, offset=design.offset).fit(
        start_params=result.params, scale=1.0, **fit_kw)
    return theta, converged, result


def _theta_ml(y: FloatArray, mu: FloatArray, start: float | None = None) -> tuple[float, bool]:
    """θ of the negative binomial by Newton's method on its score (`MASS::theta.ml`)."""
    from scipy.special import digamma, polygamma

    n = len(y)
    theta = start if start is not None else n / float(np.sum((y / mu - 1.0) ** 2))
    for _ in range(200):
        theta = max(theta, 1e-8)
        score = float(np.sum(digamma(theta + y) - digamma(theta) + math.log(theta) + 1.0
                             - np.log(theta + mu) - (y + theta) / (mu + theta)))
        info = float(np.sum(-polygamma(1, theta + y) + polygamma(1, theta) - 1.0 / theta
                            + 2.0 / (mu + theta) - (y + theta) / (mu + theta) ** 2))
        step = score / info
        theta += step
        if theta > 1e10:
            return 1e10, False
        if abs(step) <= 1e-10 * max(1.0, abs(theta)):
            return theta, theta > 0
    return theta, False


def _estimate(log: float, se: float, df: int | None) -> Estimate:
    from scipy import stats

    if se == 0:
        p = 0.0 if log != 0 else 1.0
    elif df is None:
        p = float(2 * stats.norm.sf(abs(log / se)))
    else:
        p = float(2 * stats.t.sf(abs(log / se), df))
    return Estimate(log, se, math.exp(log), (math.exp(log - Z95 * se), math.exp(log + Z95 * se)), p)


def ljung_box_lags(n: int) -> int:
    """Lags tested: min(10, n/5), as Hyndman & Athanasopoulos advise for non-seasonal series."""
    return max(1, min(10, n // 5))


def _autocorrelation(residuals: FloatArray) -> tuple[float, float, int]:
    """Lag-1 autocorrelation (R's `acf`) and the Ljung–Box p-value (R's `Box.test`)."""
    from scipy import stats

    n = len(residuals)
    centred = residuals - residuals.mean()
    denominator = float(centred @ centred)
    lags = ljung_box_lags(n)
    if denominator == 0:
        return 0.0, 1.0, lags
    r = np.array([float(centred[:-k] @ centred[k:]) / denominator for k in range(1, lags + 1)])
    q = n * (n + 2) * float(np.sum(r**2 / (n - np.arange(1, lags + 1))))
    return float(r[0]), float(stats.chi2.sf(q, lags)), lags


def _warnings(series: IndicatorSeries, spec: ItsSpec, n_post: int, fit: _Fit, lb_p: float,
              df: int) -> list[str]:
    from scipy import stats

    out: list[str] = []
    n = len(series.points)
    n_pre = n - n_post
    for side, count in (("before", n_pre), ("after", n_post)):
        if count < MIN_SIDE:
            out.append(f"only {count} period(s) {side} the intervention; at least {MIN_SIDE} on "
                       "each side are advised")
    if min(n_pre, n_post) < max(3, math.ceil(0.1 * n)):
        out.append(f"the intervention is at the series' edge ({n_pre} period(s) before, "
                   f"{n_post} after); the estimates rest on few points")
    if spec.seasonality > 0:
        span = series.points[-1].ordinal - series.points[0].ordinal + 1
        season = SEASON_LENGTH[series.period]
        if span < 2 * season:
            out.append(f"the series spans {span} {series.period.value}s, less than two seasonal "
                       f"cycles ({2 * season:g}); {spec.seasonality} harmonic pair(s) cannot be "
                       "told apart from the trend and the intervention")
    if lb_p < AUTOCORRELATION_ALPHA and spec.robust is None:
        out.append(f"strong residual autocorrelation (Ljung-Box p = {lb_p:.3g}); the intervals "
                   "are too narrow: use --robust hac (Newey-West)")
    if spec.model is Model.POISSON and df > 0:
        p_over = float(stats.chi2.sf(fit.pearson_chi2, df))
        if p_over < OVERDISPERSION_ALPHA:
            out.append(f"overdispersion: Pearson chi2/(n-p) = {fit.pearson_chi2 / df:.3g} "
                       f"(p = {p_over:.3g}); Poisson intervals are too narrow: use "
                       "--model quasi-poisson or negative-binomial")
    if fit.theta is not None and not fit.theta_converged:
        out.append("the negative binomial's theta did not converge (no overdispersion?); "
                   "use --model poisson or quasi-poisson")
    return out
