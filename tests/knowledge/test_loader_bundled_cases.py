"""The bundled case base: every case of the paper, coded on every variable, every quote verbatim
(full mode) or in the quote manifest built from the paper (manifest mode)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.source import QuoteChecker, SourceText
from parley.knowledge.loader import bundled_case_files, load_bundled_cases

# The paper's "Methodology and Cases" list, and the sub-processes it describes separately.
TOP_LEVEL = {
    "bangladesh-sundarbans-pirates-2016", "belize-multi-gang-truce-2011", "brazil-prison-gangs",
    "colombia-extraditables-1990", "colombia-gulf-clan-2017", "denmark-motorcycle-gang-truce",
    "ecuador-gang-legalisation", "el-salvador-mara-truce-2012", "honduras-mara-truce-2013",
    "haiti-gang-bargaining", "italy-trattativa-stato-mafia", "jamaica-august-town-truce-2008",
    "mexico-guerrero-territorial-access", "norway-oslo-police-dialogue-1997",
    "pakistan-lyari-gang-boss-truce-2014", "south-africa-westbury-peace-process",
    "south-africa-covid-gang-truce-2020", "spain-gang-legalisation-2003",
    "timor-leste-martial-arts-groups-2006", "trinidad-and-tobago-gang-negotiations",
}
SUB_CASES = {
    "brazil-parana-prisons-2014": "brazil-prison-gangs",
    "brazil-amazonas-prisons-2017": "brazil-prison-gangs",
    "ecuador-guayaquil-2006": "ecuador-gang-legalisation",
    "ecuador-national-legalisation": "ecuador-gang-legalisation",
    "haiti-humanitarian-access-ngo": "haiti-gang-bargaining",
    "haiti-incentives-ngo": "haiti-gang-bargaining",
    "trinidad-and-tobago-gonzalez-truce-2006": "trinidad-and-tobago-gang-negotiations",
    "trinidad-and-tobago-national-truce-2006": "trinidad-and-tobago-gang-negotiations",
}


def test_every_case_of_the_paper_is_there(bundled_cases: list[Case]) -> None:
    ids = {c.id for c in bundled_cases}
    assert ids == TOP_LEVEL | set(SUB_CASES)
    parents = {c.id: c.parent for c in bundled_cases}
    for sub, parent in SUB_CASES.items():
        assert parents[sub] == parent
    for top in TOP_LEVEL:
        assert parents[top] is None


def test_paper_case_list_matches(paper: dict[str, SourceText]) -> None:
    """The paper's case list has as many entries as our top-level cases (reads the text itself)."""
    body = paper["ifit-2021"].sections["Methodology and Cases"]
    headings = re.findall(r"(?:^|\. |\s)([A-Z][A-Za-z -]+ – [^:]{3,80}):", body)
    assert len(headings) == len(TOP_LEVEL), headings


@pytest.mark.parametrize("ref", bundled_case_files(), ids=lambda r: r.name)
def test_every_quote_is_verbatim_and_every_code_valid(
    ref: object, codebook: Codebook, sources: dict[str, QuoteChecker]
) -> None:
    """Loading with the quote checks tests codes, evidence, quote length and every quote: verbatim
    in its section (full mode) or in the manifest under its section (manifest mode)."""
    from parley.knowledge.loader import parse_case_bytes

    case = parse_case_bytes(ref.read_bytes(), ref.name, codebook, sources)  # type: ignore[attr-defined]
    assert [*case.values] == [v.name for v in codebook.coded]
    assert case.summary and len(case.summary.split()) >= 15
    for name, coded in case.values.items():
        assert coded.is_unknown or coded.evidence, name


def test_values_coded_and_unknown_are_honest(bundled_cases: list[Case]) -> None:
    """Every case codes its identity and outcome where the paper gives them; none is all-unknown."""
    for case in bundled_cases:
        known = [n for n, v in case.values.items() if not v.is_unknown]
        assert "country" in known and "region" in known, case.id
        assert len(known) >= 10, case.id


def test_file_names_match_ids() -> None:
    for ref in bundled_case_files():
        assert Path(ref.name).stem == ref.name.removesuffix(".yaml")
    load_bundled_cases()  # raises on any mismatch
