"""Cases as rows: one per case, one column per codebook variable; as CSV, lists joined with ';'.

`case_record` is the row with its values as plain Python (lists stay lists, the paper's silence
is "unknown"); `cases_to_csv` writes the same rows as CSV text, so the two never disagree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from parley.domain.case import Case, case_to_dict, value_to_json
from parley.domain.codebook import Codebook

LIST_SEPARATOR = ";"


def case_record(case: Case, codebook: Codebook) -> dict[str, Any]:
    """The case as a flat row: id, title, parent (None for a top-level case), then the value
    of every coded variable in codebook order."""
    record: dict[str, Any] = {"id": case.id, "title": case.title, "parent": case.parent}
    for var in codebook.coded:
        record[var.name] = value_to_json(case.values[var.name].value)
    return record


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def cases_to_csv(cases: Sequence[Case], codebook: Codebook) -> str:
    columns = ["id", "title", "parent"] + [v.name for v in codebook.coded]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for case in cases:
        writer.writerow([_cell(v) for v in case_record(case, codebook).values()])
    return buf.getvalue()


def cases_to_json(cases: Sequence[Case]) -> str:
    """The cases as a JSON list in the interchange shape (`parley cases import` reads it back)."""
    return json.dumps([case_to_dict(c) for c in cases], ensure_ascii=False, indent=2) + "\n"
