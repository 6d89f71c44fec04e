"""ITS: conformance with R's glm on the tutorial's Sicily data, then behaviour on synthetic series.

The fixtures tests/data/monitoring/r-glm-*.json were produced by build_fixtures.R (R 4.2.2,
stats::glm and MASS::glm.nb; PROVENANCE.md).
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parley.analysis.its import ItsSpec, Model, Robust, fit_its, newey_west_lags, result_to_json
from parley.domain.errors import InvalidInput
from parley.domain.monitoring import (
    IndicatorSeries,
    Period,
    Point,
    parse_moment,
    period_label,
    period_ordinal,
    start_of_ordinal,
)
from parley.interchange.indicator_csv import read_indicator_file

DATA = Path(__file__).parents[1] / "data" / "monitoring"
FIXTURES = sorted(DATA.glob("r-glm-*.json"))
REL = 1e-6


@pytest.fixture(scope="module")
def sicily() -> IndicatorSeries:
    return read_indicator_file(DATA / "sicily-long.csv").find("aces", "Sicily")


def _close(ours: float, theirs: float, what: str) -> None:
    assert math.isclose(ours, theirs, rel_tol=REL, abs_tol=1e-300), f"{what}: {ours} vs R {theirs}"


def _spec(options: dict[str, Any]) -> ItsSpec:
    return ItsSpec(parse_moment(options["intervention"], "--intervention"), offset=options["offset"],
                   seasonality=options["seasonality"], slope_change=options["slope_change"],
                   model=Model(options["model"]))


def test_every_model_has_a_fixture() -> None:
    models = {json.loads(f.read_text())["options"]["model"] for f in FIXTURES}
    assert models == {m.value for m in Model}
    assert len(FIXTURES) == 8


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_conformance_with_r_glm(sicily: IndicatorSeries, fixture: Path) -> None:
    expected = json.loads(fixture.read_text())
    result = fit_its(sicily, _spec(expected["options"]))
    assert result.n == expected["n"] == 59
    assert set(result.coefficients) == set(expected["coefficients"])
    for name, value in expected["coefficients"].items():
        _close(result.coefficients[name][0], value, f"coefficient {name}")
        _close(result.coefficients[name][1], expected["std_errors"][name], f"std error {name}")
    _close(result.level_change.p, expected["p_values"]["level"], "level p")
    if "slope" in expected["coefficients"]:
        assert result.slope_change is not None
        _close(result.slope_change.p, expected["p_values"]["slope"], "slope p")
        _close(result.slope_change.log, expected["coefficients"]["slope"], "slope")
    else:
        assert result.slope_change is None
    _close(result.pre_trend.log, expected["coefficients"]["time"], "pre-trend")
    _close(result.dispersion, expected["dispersion"], "dispersion")
    _close(result.level_change.rate_ratio, expected["level_rate_ratio"], "rate ratio")
    for ours, theirs in zip(result.level_change.ci, expected["level_ci"], strict=True):
        _close(ours, theirs, "level CI")
    for i, point in enumerate(result.series):
        assert point.observed == sicily.points[i].value
        _close(point.fitted, expected["fitted"][i], f"fitted[{i}]")
        _close(point.counterfactual, expected["counterfactual"][i], f"counterfactual[{i}]")
        _close(point.band[0], expected["counterfactual_lower"][i], f"band lower[{i}]")
        _close(point.band[1], expected["counterfactual_upper"][i], f"band upper[{i}]")
    _close(result.prevented, expected["prevented"], "prevented")
    for ours, theirs in zip(result.prevented_ci, expected["prevented_ci"], strict=True):
        _close(ours, theirs, "prevented CI")
    _close(result.autocorrelation_lag1, expected["autocorrelation_lag1"], "lag-1 autocorrelation")
    assert result.ljung_box_lags == expected["ljung_box_lags"]
    _close(result.ljung_box_p, expected["ljung_box_p"], "Ljung-Box p")
    if expected["theta"] is not None:
        assert result.theta is not None
        _close(result.theta, expected["theta"], "theta")


HAC_FIXTURES = sorted(DATA.glob("r-hac-*.json"))


def test_hac_has_fixtures() -> None:
    assert len(HAC_FIXTURES) == 3


@pytest.mark.parametrize("fixture", HAC_FIXTURES, ids=lambda f: f.stem)
def test_hac_conformance_with_r_sandwich(sicily: IndicatorSeries, fixture: Path) -> None:
    """`--robust hac` is sandwich::NeweyWest(lag = floor(4 (n/100)^(2/9)), prewhite = FALSE,
    adjust = FALSE) on the same glm (build_hac_fixtures.R)."""
    expected = json.loads(fixture.read_text())
    options = expected["options"]
    spec = ItsSpec(date(2005, 1, 1), offset="stdpop", seasonality=options["seasonality"],
                   slope_change=options["slope_change"], model=Model(options["model"]),
                   robust=Robust.HAC)
    result = fit_its(sicily, spec)
    assert newey_west_lags(result.n) == expected["lag"] == 3
    assert set(result.coefficients) == set(expected["hac_se"])
    for name, se in expected["hac_se"].items():
        _close(result.coefficients[name][0], expected["estimate"][name], f"coefficient {name}")
        _close(result.coefficients[name][1], se, f"HAC std error {name}")
    level = expected["level_change"]
    _close(result.level_change.rate_ratio, level["rate_ratio"], "rate ratio")
    _close(result.level_change.ci[0], level["lo"], "level CI low")
    _close(result.level_change.ci[1], level["hi"], "level CI high")
    _close(result.level_change.p, level["p"], "level p (normal, as with any robust covariance)")


def test_published_estimate_is_reproduced(sicily: IndicatorSeries) -> None:
    """Lopez Bernal et al. (2017), seasonally adjusted model: RR 0.885 (95% CI 0.839-0.933)."""
    result = fit_its(sicily, ItsSpec(date(2005, 1, 1), offset="stdpop", seasonality=2))
    assert round(result.level_change.rate_ratio, 3) == 0.885
    assert [round(v, 3) for v in result.level_change.ci] == [0.839, 0.933]
    assert result.intervention == "2005-01"
    assert result.warnings == ()


def test_json_has_exactly_the_issue_keys(sicily: IndicatorSeries) -> None:
    out = result_to_json(fit_its(sicily, ItsSpec(date(2005, 1, 1), offset="stdpop", seasonality=2,
                                                 slope_change=True)))
    assert list(out) == ["model", "n", "period", "intervention", "level_change", "slope_change",
                         "pre_trend", "dispersion", "autocorrelation", "series", "prevented",
                         "warnings"]
    assert set(out["level_change"]) == set(out["slope_change"]) == {"rate_ratio", "ci", "p"}
    assert set(out["pre_trend"]) == {"rate_ratio_per_period", "ci"}
    assert set(out["autocorrelation"]) == {"lag1", "ljung_box_p"}
    assert set(out["series"][0]) == {"date", "observed", "fitted", "counterfactual"}
    assert set(out["prevented"]) == {"estimate", "ci"}
    json.dumps(out, allow_nan=False)


def _series(values: list[float], period: Period = Period.MONTH, first: date = date(2015, 1, 1),
            locality: str = "A", indicator: str = "homicides",
            population: list[float] | None = None) -> IndicatorSeries:
    o = period_ordinal(period, first)
    pts = tuple(Point(period_label(period, start_of_ordinal(period, o + i)),
                      start_of_ordinal(period, o + i), o + i, v,
                      population[i] if population else None)
                for i, v in enumerate(values))
    return IndicatorSeries(locality, indicator, period, pts)


def _poisson(means: np.ndarray[Any, np.dtype[np.float64]], seed: int) -> list[float]:
    return [float(v) for v in np.random.default_rng(seed).poisson(means)]


def test_recovers_a_known_level_change() -> None:
    t = np.arange(1, 121)
    means = 200 * np.exp(0.002 * t) * np.where(t > 60, 0.7, 1.0)
    result = fit_its(_series(_poisson(means, 1)), ItsSpec(date(2020, 1, 1)))
    lo, hi = result.level_change.ci
    assert lo < 0.7 < hi
    assert result.level_change.p < 1e-6
    assert result.prevented > 0


def test_comparative_model_with_a_control_series() -> None:
    t = np.arange(1, 97)
    season = 1 + 0.2 * np.sin(2 * np.pi * t / 12)
    control_means = 150 * season * np.where(t > 48, 1.1, 1.0)  # something else raised both
    treated_means = 300 * season * np.where(t > 48, 1.1 * 0.6, 1.0)
    treated = _series(_poisson(treated_means, 2), locality="Treated")
    control = _series(_poisson(control_means, 3), locality="Control")
    spec = ItsSpec(date(2019, 1, 1), seasonality=1)
    result = fit_its(treated, spec, control=control, control_kind="locality")
    assert result.control is not None and result.control.name == "Control"
    assert result.n == 192
    lo, hi = result.level_change.ci
    assert lo < 0.6 < hi
    alone = fit_its(treated, spec)
    assert alone.level_change.rate_ratio > result.level_change.rate_ratio + 0.03
    assert "control" in result_to_json(result)


def test_hac_widens_intervals_under_autocorrelation() -> None:
    rng = np.random.default_rng(4)
    ar = np.zeros(120)
    for i in range(1, 120):
        ar[i] = 0.8 * ar[i - 1] + rng.normal(0, 0.1)
    means = 100 * np.exp(ar) * np.where(np.arange(120) >= 60, 0.8, 1.0)
    series = _series(_poisson(means, 5))
    plain = fit_its(series, ItsSpec(date(2020, 1, 1), model=Model.POISSON))
    hac = fit_its(series, ItsSpec(date(2020, 1, 1), model=Model.POISSON, robust=Robust.HAC))
    assert any("--robust hac" in w for w in plain.warnings)
    assert any("overdispersion" in w for w in plain.warnings)
    assert not any("--robust hac" in w for w in hac.warnings)
    assert hac.level_change.se > 1.5 * plain.level_change.se
    assert hac.level_change.log == pytest.approx(plain.level_change.log, rel=1e-9)


def test_warnings_for_short_sides_edge_and_short_seasonality() -> None:
    values = _poisson(np.full(20, 50.0), 6)
    result = fit_its(_series(values), ItsSpec(date(2016, 7, 1), seasonality=1))
    text = " | ".join(result.warnings)
    assert "only 2 period(s) after the intervention" in text
    assert "at the series' edge (18 period(s) before, 2 after)" in text
    assert "less than two seasonal cycles (24)" in text


def test_weekly_and_daily_series_fit() -> None:
    weekly = fit_its(_series(_poisson(np.full(104, 30.0), 7), Period.WEEK, date(2018, 1, 1)),
                     ItsSpec(date(2019, 1, 7), seasonality=2))
    assert weekly.period is Period.WEEK and weekly.intervention == "2019-W02"
    daily = fit_its(_series(_poisson(np.full(3650, 5.0), 8), Period.DAY, date(2010, 1, 1)),
                    ItsSpec(date(2015, 1, 1), seasonality=1, slope_change=True))
    assert daily.n == 3650 and daily.slope_change is not None


def test_offset_and_population() -> None:
    pop = [1000.0 + 10 * i for i in range(40)]
    series = _series(_poisson(np.array(pop) * 0.05, 9), population=pop)
    result = fit_its(series, ItsSpec(date(2016, 9, 1), offset="population"))
    assert result.series[0].fitted > 0


@pytest.mark.parametrize(("spec", "message"), [
    (ItsSpec(date(2030, 1, 1)), "--intervention: 2030-01-01 is outside the series"),
    (ItsSpec(date(2010, 1, 1)), "--intervention: 2010-01-01 is outside the series"),
    (ItsSpec(date(2016, 1, 1), seasonality=7), "--seasonality: 7 harmonic pairs; allowed 0 to 6"),
    (ItsSpec(date(2016, 1, 1), offset="stdpop"), "--offset: column 'stdpop' has no value at 2015-01"),
    (ItsSpec(date(2016, 1, 1), end=date(2015, 6, 1)), "--end: 2015-06-01 is before the intervention"),
])
def test_bad_parameters_are_named(spec: ItsSpec, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        fit_its(_series([5.0] * 30), spec)


def test_end_cuts_the_series() -> None:
    result = fit_its(_series(_poisson(np.full(40, 20.0), 10)),
                     ItsSpec(date(2016, 1, 1), end=date(2017, 1, 1)))
    assert result.n == 25 and result.series[-1].label == "2017-01"
