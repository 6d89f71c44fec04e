"""The data package: its table schema is the codebook, and the CSV beside it obeys the schema,
checked here as another tool would (every column described, in order; codes in their enum;
integers integral; `unknown` declared missing)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

from parley.domain.case import Case
from parley.domain.codebook import Codebook, VarType
from parley.knowledge.citation import cases_package, how_to_cite

MISSING = {"", "unknown"}


def read(package: bytes) -> tuple[dict[str, object], list[dict[str, str]], str]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        assert sorted(z.namelist()) == ["CITATION.txt", "cases.csv", "datapackage.json"]
        meta = json.loads(z.read("datapackage.json"))
        rows = list(csv.DictReader(io.StringIO(z.read("cases.csv").decode("utf-8"))))
        return meta, rows, z.read("CITATION.txt").decode()


def test_every_case_obeys_the_codebook_schema(bundled_cases: list[Case],
                                             codebook: Codebook) -> None:
    meta, rows, citation = read(cases_package(bundled_cases, codebook, "all cases",
                                              date(2026, 12, 3)))
    resource = meta["resources"][0]  # type: ignore[index]
    schema = resource["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    assert list(rows[0]) == [f["name"] for f in schema["fields"]]
    assert schema["primaryKey"] == "id" and set(schema["missingValues"]) == MISSING
    assert len(rows) == len(bundled_cases) == len({r["id"] for r in rows})
    for row in rows:
        for name, cell in row.items():
            f = fields[name]
            if cell in MISSING:
                continue
            if f["type"] == "integer":
                assert cell.lstrip("-").isdigit(), (row["id"], name, cell)
            if "enum" in f.get("constraints", {}):
                assert cell in f["constraints"]["enum"], (row["id"], name, cell)
    for var in codebook.coded:
        f = fields[var.name]
        assert f["description"].startswith(var.definition)
        if var.type is VarType.CODE:
            assert f["constraints"]["enum"] == list(var.codes)
        if var.type is VarType.CODE_LIST:
            assert all(code in f["description"] for code in var.codes)
    assert citation.strip() == how_to_cite("0.1.0", date(2026, 12, 3))
    assert "Mark Freeman & Vanda Felbab-Brown (2021). Negotiating with Violent Criminal Groups" \
        in citation and "exported 2026-12-03" in citation


def test_a_list_cell_splits_into_codes_of_its_variable(bundled_cases: list[Case],
                                                      codebook: Codebook) -> None:
    _, rows, _ = read(cases_package(bundled_cases, codebook, "all cases", date.today()))
    lists = [v for v in codebook.coded if v.type is VarType.CODE_LIST]
    seen = 0
    for row in rows:
        for var in lists:
            if row[var.name] not in MISSING:
                assert set(row[var.name].split(";")) <= set(var.codes)
                seen += 1
    assert seen > 50
