"""Cases as CSV: one row per case, one column per codebook variable, lists joined with ';'."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from parley.domain.case import Case, value_to_json
from parley.domain.codebook import Codebook

LIST_SEPARATOR = ";"


def cases_to_csv(cases: Sequence[Case], codebook: Codebook) -> str:
    columns = ["id", "title", "parent"] + [v.name for v in codebook.coded]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for case in cases:
        row: list[str] = [case.id, case.title, case.parent or ""]
        for var in codebook.coded:
            value = value_to_json(case.values[var.name].value)
            row.append(LIST_SEPARATOR.join(str(v) for v in value) if isinstance(value, list)
                       else str(value))
        writer.writerow(row)
    return buf.getvalue()
