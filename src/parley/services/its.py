"""Interrupted time series as the front ends ask for it: one door to the estimate.

The web (a stored series) and `parley monitor its` (a CSV) parse the same options (the GLM
family, robust errors), fit the same model and print the same JSON; the before/after table of
the page is the same computation the report uses.
"""

from __future__ import annotations

from parley.analysis.alerts import before_after
from parley.analysis.its import ItsResult, ItsSpec, Model, Robust, fit_its, result_to_json

__all__ = ["ItsResult", "ItsSpec", "Model", "Robust", "before_after", "fit_its",
           "result_to_json"]
