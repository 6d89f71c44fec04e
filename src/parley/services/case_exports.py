"""The case list as a file, the same from the web and the command line.

One place decides the formats, their media types and names, and the citation line, so a CSV
downloaded from the list page and one written by `parley cases export` are the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from parley import __version__
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.interchange.case_csv import cases_to_csv, cases_to_json
from parley.knowledge.citation import cases_package, how_to_cite


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    DATAPACKAGE = "datapackage"


@dataclass(frozen=True)
class CaseFile:
    """An export: its bytes, media type, suggested file name and how many cases it holds."""

    body: bytes
    media_type: str
    filename: str
    count: int


def case_file(cases: Sequence[Case], codebook: Codebook, fmt: ExportFormat, *,
                 filters: str, today: date) -> CaseFile:
    """`cases` as JSON (the import shape), CSV (one row per case, lists joined with `;`) or a
    data package (a zip: the CSV, `datapackage.json` with the codebook as its schema and the
    citation); `filters` says how they were chosen (in the package)."""
    stem = f"parley-cases-{today.isoformat()}"
    if fmt is ExportFormat.CSV:
        return CaseFile(cases_to_csv(cases, codebook).encode(), "text/csv; charset=utf-8",
                        f"{stem}.csv", len(cases))
    if fmt is ExportFormat.JSON:
        return CaseFile(cases_to_json(cases).encode(), "application/json", f"{stem}.json",
                        len(cases))
    return CaseFile(cases_package(cases, codebook, filters or "all cases", today),
                    "application/zip", f"{stem}-datapackage.zip", len(cases))


def citation(today: date) -> str:
    """How to cite the case base and the paper in an export made today."""
    return how_to_cite(__version__, today)
