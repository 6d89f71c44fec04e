"""A Frictionless Data Package of cases: the CSV plus `datapackage.json`, whose table schema is
the codebook (types, definitions, the allowed codes), so another tool can validate and read the
export without Parley. Spec: https://specs.frictionlessdata.io/data-package/ (v1)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

from parley.domain.case import Case
from parley.domain.codebook import Codebook, Variable, VarType
from parley.interchange.case_csv import LIST_SEPARATOR, cases_to_csv

PACKAGE_NAME = "parley-cases"
RESOURCE_PATH = "cases.csv"
MISSING = ["", "unknown"]  # the CSV's empty parent and the codebook's `unknown`


def _field(var: Variable) -> dict[str, Any]:
    out: dict[str, Any] = {"name": var.name, "title": var.human, "description": var.definition}
    if var.type is VarType.INTEGER:
        out["type"] = "integer"
    elif var.type is VarType.CODE:
        out |= {"type": "string", "constraints": {"enum": list(var.codes)}}
    elif var.type.is_list:
        out["type"] = "string"
        codes = f"; codes: {', '.join(var.codes)}" if var.type.has_codes else ""
        out["description"] += f" (a list, items joined by '{LIST_SEPARATOR}'{codes})"
    else:
        out["type"] = "string"
    return out


def schema(codebook: Codebook) -> dict[str, Any]:
    """The Table Schema of `cases_to_csv`'s columns, in the same order."""
    fields: list[dict[str, Any]] = [
        {"name": "id", "type": "string", "description": "the case's stable id",
         "constraints": {"required": True, "unique": True}},
        {"name": "title", "type": "string", "description": "the case's title"},
        {"name": "parent", "type": "string",
         "description": "id of the case this one is a sub-case of (empty: none)"},
    ]
    fields += [_field(v) for v in codebook.coded]
    return {"fields": fields, "primaryKey": "id", "missingValues": MISSING}


def descriptor(codebook: Codebook, *, version: str, citation: str,
               sources: Sequence[Mapping[str, str]], filters: str) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "Parley case base: negotiations with violent criminal groups",
        "description": f"Cases exported by Parley {version}. Selection: {filters}. "
                       f"How to cite: {citation}",
        "version": version,
        "sources": list(sources),
        "resources": [{
            "name": "cases", "path": RESOURCE_PATH, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": schema(codebook),
        }],
    }


def data_package(cases: Sequence[Case], codebook: Codebook, *, version: str, citation: str,
                 sources: Sequence[Mapping[str, str]], filters: str) -> bytes:
    """A zip holding `datapackage.json`, `cases.csv` and `CITATION.txt`."""
    meta = descriptor(codebook, version=version, citation=citation, sources=sources,
                      filters=filters)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("datapackage.json", json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
        z.writestr(RESOURCE_PATH, cases_to_csv(cases, codebook))
        z.writestr("CITATION.txt", citation + "\n")
    return buf.getvalue()
