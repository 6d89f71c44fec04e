"""How to cite an export of the case base: the case base itself and the paper it is coded from.

Shown beside every export (web, CLI data package), because a researcher who downloads the
cases must be able to credit both the coding and its source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from parley import __version__
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.interchange.datapackage import data_package
from parley.knowledge.loader import SourceMeta, load_sources


def reference(meta: SourceMeta) -> str:
    """One source in the author-year style the docs use."""
    authors = " & ".join(meta.authors) if len(meta.authors) <= 2 else f"{meta.authors[0]} et al."
    publisher = f" {meta.publisher}." if meta.publisher else ""
    return f"{authors} ({meta.year}). {meta.title}.{publisher}"


def how_to_cite(version: str, exported: date) -> str:
    """The citation line for an export made on `exported` by Parley `version`."""
    papers = "; ".join(reference(m) for m in load_sources().values())
    return (f"Parley case base (Parley {version}, exported {exported.isoformat()}): cases coded "
            f"from {papers} Every coded value carries its verbatim quote; cite the paper for "
            "the facts and the case base for the coding.")


def cases_package(cases: Sequence[Case], codebook: Codebook, filters: str,
                  exported: date) -> bytes:
    """The data package of `cases` (`filters` says how they were chosen), with its citation."""
    return data_package(cases, codebook, version=__version__,
                        citation=how_to_cite(__version__, exported), filters=filters,
                        sources=[{"title": reference(m)} for m in load_sources().values()])
