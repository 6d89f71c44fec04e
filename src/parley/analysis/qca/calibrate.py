"""Calibration of raw numbers into crisp or fuzzy set memberships, as R QCA's ``calibrate()``.

Crisp calibration recodes by thresholds (``findInterval``: a value equal to a threshold goes
up). Fuzzy calibration is the direct method with three anchors (exclusion, crossover,
inclusion): by default the logistic function that gives ``idm`` (0.95) at the inclusion anchor
and ``1 - idm`` at the exclusion anchor; optionally the piecewise-linear ("s-shaped") form.
Scores below 0.0001 or above 0.9999 are snapped to 0 and 1, exactly as R does, so results
compare equal with the reference implementation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from parley.analysis.qca.errors import OptionError

__all__ = ["calibrate_crisp", "calibrate_fuzzy"]

_SNAP = 0.0001


def calibrate_crisp(values: Sequence[float], thresholds: Sequence[float]) -> list[int]:
    """Recode values into 0, 1, ... by sorted thresholds (a value equal to one goes up).

    Raises:
        OptionError: no thresholds, or a threshold outside the range of the values
            (R refuses those too: they would make a constant set).
    """
    if not thresholds:
        raise OptionError("crisp calibration needs at least one threshold")
    ths = sorted(float(t) for t in thresholds)
    if values:
        lo, hi = min(values), max(values)
        outside = [t for t in ths if t < lo or t > hi]
        if outside:
            raise OptionError(
                f"threshold {outside[0]:g} is outside the range of the values [{lo:g}, {hi:g}]"
            )
    return [sum(1 for t in ths if v >= t) for v in values]


def calibrate_fuzzy(
    values: Sequence[float],
    exclusion: float,
    crossover: float,
    inclusion: float,
    *,
    logistic: bool = True,
    idm: float = 0.95,
) -> list[float]:
    """Direct-method fuzzy calibration with three anchors.

    ``inclusion < exclusion`` gives a decreasing set (high raw values mean low membership).

    Args:
        values: raw numbers.
        exclusion: full non-membership anchor.
        crossover: the point of maximal ambiguity (membership 0.5).
        inclusion: full membership anchor.
        logistic: the logistic function (R's default); otherwise piecewise linear.
        idm: membership at the inclusion anchor for the logistic function, in (0.5, 1).

    Raises:
        OptionError: the crossover is not strictly between the two other anchors, or idm
            is outside (0.5, 1).
    """
    if not 0.5 < idm < 1:
        raise OptionError(f"idm must be between 0.5 and 1 (exclusive), got {idm:g}")
    lo, hi = min(exclusion, inclusion), max(exclusion, inclusion)
    if not lo < crossover < hi:
        raise OptionError(
            f"the crossover {crossover:g} must lie strictly between the exclusion "
            f"{exclusion:g} and inclusion {inclusion:g} anchors"
        )
    decreasing = inclusion < exclusion
    # Work on the increasing form and flip at the end, as R does.
    ex, inc = (inclusion, exclusion) if decreasing else (exclusion, inclusion)
    out = []
    for x in values:
        if logistic:
            scale = math.log(idm / (1 - idm))
            if x >= crossover:
                z = (x - crossover) * scale / (inc - crossover)
            else:
                z = -(x - crossover) * scale / (ex - crossover)
            z = max(min(z, 700.0), -700.0)
            fs = 1 / (1 + math.exp(-z))
        elif x <= ex:
            fs = 0.0
        elif x <= crossover:
            fs = ((ex - x) / (ex - crossover)) / 2
        elif x <= inc:
            fs = 1 - ((inc - x) / (inc - crossover)) / 2
        else:
            fs = 1.0
        if decreasing:
            fs = 1 - fs
        if fs < _SNAP:
            fs = 0.0
        elif fs > 1 - _SNAP:
            fs = 1.0
        out.append(fs)
    return out
