"""Alerts and the model-free before/after table (docs/monitoring.md, "Alerts").

The rules:

1. **violence-up**: after the intervention, the last `CONSECUTIVE` observed periods are all at
   or above the lower edge of the counterfactual's 95% band (the violence is back where it would
   have been without the deal), or the model with a slope change finds a significant (p < 0.05)
   upward change in slope (rate ratio per period > 1).
2. **commitment-overdue**: a commitment whose due date has passed and whose status is neither
   fulfilled, withdrawn nor breached (a breached one is rule 3).
3. **breach**: an incident of type breach that is not resolved, or a commitment marked breached.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from parley.analysis.its import Z95, ItsResult
from parley.domain.monitoring import Alert, AlertKind, IndicatorSeries
from parley.domain.workspace import Item, ItemKind

CONSECUTIVE = 3
SLOPE_ALPHA = 0.05
CLOSED_COMMITMENTS = frozenset({"fulfilled", "withdrawn", "breached"})


def violence_alerts(series_id: str, result: ItsResult,
                    consecutive: int = CONSECUTIVE) -> list[Alert]:
    """Rule 1 on a fitted series (fit it with `slope_change=True` for the slope part)."""
    where = f"{result.indicator} in {result.locality}"
    out: list[Alert] = []
    post = [f for f in result.series if f.post]
    recent = post[-consecutive:]
    if len(recent) == consecutive and all(f.observed >= f.band[0] for f in recent):
        out.append(Alert(
            AlertKind.VIOLENCE_UP, f"{where}: back to the level expected without the deal",
            f"the last {consecutive} periods ({recent[0].label} to {recent[-1].label}) are at "
            f"or above the lower edge of the counterfactual's 95% band",
            recent[-1].label, series_id))
    slope = result.slope_change
    if slope is not None and slope.rate_ratio > 1 and slope.p < SLOPE_ALPHA:
        out.append(Alert(
            AlertKind.VIOLENCE_UP, f"{where}: rising since the deal",
            f"slope change {slope.rate_ratio:.3f} per period (95% CI {slope.ci[0]:.3f}–"
            f"{slope.ci[1]:.3f}, p = {slope.p:.3g})",
            result.series[-1].label, series_id))
    return out


def item_alerts(items: Iterable[Item], today: date) -> list[Alert]:
    """Rules 2 and 3 on a workspace's commitments and breaches."""
    out: list[Alert] = []
    for item in items:
        f = item.fields
        if item.kind is ItemKind.COMMITMENT:
            status = str(f.get("status") or "")
            due = str(f.get("deadline") or "")
            if status == "breached":
                out.append(Alert(AlertKind.BREACH, f"Commitment breached: {item.title}",
                                 "marked breached", due or item.updated_at.date().isoformat(),
                                 item.id))
            elif due and status not in CLOSED_COMMITMENTS and date.fromisoformat(due) < today:
                out.append(Alert(AlertKind.COMMITMENT_OVERDUE,
                                 f"Commitment overdue: {item.title}",
                                 f"due {due}, status {status or 'none'}", due, item.id))
        elif item.kind is ItemKind.BREACH and f.get("status") != "resolved":
            out.append(Alert(AlertKind.BREACH, f"Breach recorded: {item.title}",
                             str(f.get("description") or "")[:200], str(f.get("date") or ""),
                             item.id))
    return out


@dataclass(frozen=True)
class BeforeAfter:
    """Mean per period before and after the intervention, and their ratio with a 95% interval."""

    locality: str
    indicator: str
    n_before: int
    n_after: int
    mean_before: float
    mean_after: float
    change: float | None  # ratio after / before
    ci: tuple[float, float] | None


def before_after(series: Sequence[IndicatorSeries], intervention: date) -> list[BeforeAfter]:
    """The table for readers who want no model.

    The interval of the ratio of means is the delta method on the log scale with each side's
    sample variance: log(m1/m0) ± 1.96·sqrt(s1²/(n1·m1²) + s0²/(n0·m0²)); none when a side has
    fewer than two periods or a mean of 0.
    """
    out: list[BeforeAfter] = []
    for s in series:
        before = [p.value for p in s.points if p.start < intervention]
        after = [p.value for p in s.points if p.start >= intervention]
        m0 = sum(before) / len(before) if before else math.nan
        m1 = sum(after) / len(after) if after else math.nan
        change: float | None = None
        ci: tuple[float, float] | None = None
        if before and after and m0 > 0:
            change = m1 / m0
            if len(before) > 1 and len(after) > 1 and m1 > 0:
                v0 = sum((v - m0) ** 2 for v in before) / (len(before) - 1)
                v1 = sum((v - m1) ** 2 for v in after) / (len(after) - 1)
                se = math.sqrt(v1 / (len(after) * m1**2) + v0 / (len(before) * m0**2))
                ci = (change * math.exp(-Z95 * se), change * math.exp(Z95 * se))
        out.append(BeforeAfter(s.locality, s.indicator, len(before), len(after), m0, m1,
                               change, ci))
    return out
