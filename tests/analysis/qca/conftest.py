"""Shared helpers for the QCA tests: the published fixtures and their data files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from parley.analysis.qca import SetData, read_table

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def load_csv(name: str) -> tuple[list[str], list[list[str]]]:
    with (FIXTURES / name).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def lipset(kind: str, outcome: str = "SURV") -> SetData:
    header, rows = load_csv(f"lipset_{kind}.csv")
    return read_table(header, rows, outcome=outcome,
                      conditions=["DEV", "URB", "LIT", "IND", "STB"], case_id="CASE",
                      source=f"lipset_{kind}.csv")
