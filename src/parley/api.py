"""Parley as a Python library: the stable, documented surface for notebooks and programs.

Everything here goes through the same services as the command line and the web app, so a
filter, a search, an assessment or a QCA gives the same answer in all four interfaces. Only the
names in `__all__` are public; they change only as docs/library.md says (a CHANGELOG line for
every change). Importing this module is cheap: the database, numpy and the renderers are loaded
when first used.

>>> import parley.api as parley
>>> with parley.open_case_base() as cases:     # the bundled cases, in memory
...     hits = cases.search("prison riots")
...     "brazil-amazonas-prisons-2017" in [h.id for h in hits]
True
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

from parley import __version__ as __version__
from parley.domain.access import ANONYMOUS, OPERATOR, CaseReader
from parley.domain.assessment import Assessment
from parley.domain.case import Case
from parley.domain.errors import InvalidInput, NotFound, ParleyError, ValidationFailed
from parley.domain.listing import MARK_END, MARK_START, CaseSummary
from parley.services.cases import CaseCatalogue, Comparison

if TYPE_CHECKING:
    from parley.analysis.evaluate import Evaluation
    from parley.analysis.qca import Options as QcaOptions
    from parley.analysis.qca import QCAResult as QcaResult
    from parley.analysis.qca import SearchLimits
    from parley.bootstrap import Parley
    from parley.services.analysis import CaseQcaRun

__all__ = [
    "Assessment",
    "Case",
    "CaseBase",
    "CaseQcaRun",
    "CaseSummary",
    "Comparison",
    "Evaluation",
    "InvalidInput",
    "NotFound",
    "ParleyError",
    "QcaOptions",
    "QcaResult",
    "SearchLimits",
    "ValidationFailed",
    "open_case_base",
    "run_qca",
    "to_dict",
]

# Public types whose modules import numpy: loaded on first use (PEP 562), so that importing
# parley.api stays light.
_LAZY: dict[str, tuple[str, str]] = {
    "CaseQcaRun": ("parley.services.analysis", "CaseQcaRun"),
    "Evaluation": ("parley.analysis.evaluate", "Evaluation"),
    "QcaOptions": ("parley.analysis.qca", "Options"),
    "QcaResult": ("parley.analysis.qca", "QCAResult"),
    "SearchLimits": ("parley.analysis.qca", "SearchLimits"),
}

BriefFormat = Literal["md", "html", "pdf", "docx"]
PaperSize = Literal["A4", "Letter"]
BRIEF_FORMATS: tuple[str, ...] = ("md", "html", "pdf", "docx")
PAPER_SIZES: tuple[str, ...] = ("A4", "Letter")
URL_SCHEMES = ("sqlite:///", "postgresql://", "postgresql+psycopg://")


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    from parley.bootstrap import redacted

    return redacted(url)


def _plain_snippet(snippet: str | None) -> str | None:
    """Search highlights as [brackets], as `parley cases search` prints them."""
    return None if snippet is None else snippet.replace(MARK_START, "[").replace(MARK_END, "]")


def _write(path: str | os.PathLike[str], data: bytes) -> None:
    target = Path(path)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror}") from exc


def _open_database(url: str) -> Parley:
    """A database at `url`, refused unless it is a Parley database at this version's migration
    (nothing is created, migrated or loaded: the library only reads)."""
    from parley.bootstrap import Parley
    from parley.config import Settings

    shown = _redacted(url)
    if not url.startswith(URL_SCHEMES):
        raise InvalidInput(f"cannot open {shown!r}: use sqlite:///PATH or postgresql://..., "
                           "or no URL for the bundled cases in memory")
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):].split("?", 1)[0]
        if path in ("", ":memory:"):
            raise InvalidInput("an empty in-memory database holds no cases: call "
                               "open_case_base() without a URL for the bundled cases in memory")
    parley = Parley.open_current(Settings(database_url=url),
                              upgrade_hint=f"PARLEY_DATABASE_URL={shown} parley db upgrade")
    parley.read_only, parley.background = True, False
    return parley


def open_case_base(url: str | None = None, *, as_operator: bool = False) -> CaseBase:
    """Open a case base to read: the bundled cases in memory, or a Parley database.

    Without a URL no database is needed: the bundled cases are loaded into a private in-memory
    database, exactly as `parley db upgrade` loads them. With `sqlite:///PATH` or
    `postgresql://...` an existing, migrated Parley database is opened; the library never
    migrates, imports or changes anything in it (run `parley db upgrade` first).

    Args:
        url: a database URL, or None for the bundled cases in memory.
        as_operator: read as the operator, like the `parley` command line: every case,
            including private and workspace cases. By default the case base is read as an
            anonymous visitor of the web app sees it (bundled and published cases), so what a
            notebook shows or exports can be shared. (The bundled cases are all public.)

    PARLEY_DATABASE_URL is not read: a program names its database. PARLEY_SOURCES is, as
    everywhere, for the paper's text.

    Raises:
        InvalidInput: the URL is not sqlite:/// or postgresql://.
        NotFound: the SQLite file does not exist.
        ParleyError: the database cannot be reached or is not at this version's migration.

    >>> with open_case_base() as cases:
    ...     cases.count() >= 20
    True
    >>> open_case_base("mysql://db/parley")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    parley.domain.errors.InvalidInput: cannot open 'mysql://db/parley': use sqlite:///PATH or ...
    """
    if url is None:
        from parley.bootstrap import Parley

        return CaseBase(Parley.in_memory(), ANONYMOUS)
    return CaseBase(_open_database(url), OPERATOR if as_operator else ANONYMOUS)


class CaseBase:
    """A case base opened for reading; a context manager that closes its database.

    Filters use the query language of docs/query-language.md (`--where` on the command line):
    e.g. ``initiator has religious-leader and start_year >= 2000``. Create one with
    `open_case_base`.
    """

    def __init__(self, app: Parley, reader: CaseReader) -> None:
        self._app = app
        self._reader = reader
        self._closed = False

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> CaseBase:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (an in-memory case base is gone). Closing twice is harmless."""
        if not self._closed:
            self._closed = True
            self._app.close()

    def _parley(self) -> Parley:
        if self._closed:
            raise ValueError("this case base is closed")
        return self._app

    @property
    def _catalogue(self) -> CaseCatalogue:
        return self._parley().cases.seen_by(self._reader)

    # -- reading --------------------------------------------------------------------------------

    def count(self, where: str | None = None) -> int:
        """How many cases (matching `where`, if given).

        >>> with open_case_base() as cases:
        ...     cases.count("initiator has religious-leader") < cases.count()
        True
        """
        if where is None:
            return self._catalogue.count()
        return self._catalogue.browse(where, None, limit=1).total

    def list_cases(self, where: str | None = None, *, limit: int | None = None,
                   offset: int = 0) -> list[CaseSummary]:
        """Cases (matching `where`), ordered by id; all of them unless `limit` is given.

        Raises:
            QuerySyntaxError (an InvalidInput): the filter is malformed or names an unknown
                variable or code; the message points at the token.

        >>> with open_case_base() as cases:
        ...     rows = cases.list_cases("outcome_class = lasting-reduction")
        ...     sorted({r.outcome_class for r in rows})
        ['lasting-reduction']
        """
        catalogue = self._catalogue
        if limit is None:
            limit = max(catalogue.count(), 1)
        if limit < 1 or offset < 0:
            raise InvalidInput("limit must be at least 1 and offset at least 0")
        return list(catalogue.browse(where, None, limit=limit, offset=offset).items)

    def search(self, text: str, *, where: str | None = None, limit: int = 20
               ) -> list[CaseSummary]:
        """Full-text search of titles, summaries and quotes, best match first.

        Each result's `snippet` shows the matched words in [brackets]; `rank` orders them.

        >>> with open_case_base() as cases:
        ...     best = cases.search("church", limit=3)[0]
        ...     "[church]" in best.snippet.lower()
        True
        """
        if not text.strip():
            raise InvalidInput("search text is empty")
        if limit < 1:
            raise InvalidInput("limit must be at least 1")
        page = self._catalogue.browse(where, text, limit=limit)
        return [replace(item, snippet=_plain_snippet(item.snippet)) for item in page.items]

    def get(self, case_id: str) -> Case:
        """One case: every coded value with its evidence (quotes from the paper).

        Raises:
            NotFound: no such case (or not one this reader may see).

        >>> with open_case_base() as cases:
        ...     case = cases.get("el-salvador-mara-truce-2012")
        ...     case.country, case.value("start_year"), len(case.citations()) > 0
        ('El Salvador', 2012, True)
        """
        return self._catalogue.get(case_id).case

    def compare(self, *case_ids: str) -> Comparison:
        """Two to four cases side by side, with the variables on which they differ.

        >>> with open_case_base() as cases:
        ...     both = cases.compare("el-salvador-mara-truce-2012", "honduras-mara-truce-2013")
        ...     [c.id for c in both.cases], "region" in both.differing
        (['el-salvador-mara-truce-2012', 'honduras-mara-truce-2013'], False)
        """
        return self._catalogue.compare(case_ids)

    def export(self, where: str | None = None) -> list[Case]:
        """The cases (matching `where`) in full, as typed `Case` objects.

        >>> with open_case_base() as cases:
        ...     [case.id for case in cases.export("country = Jamaica")]
        ['jamaica-august-town-truce-2008']
        """
        return list(self._catalogue.export(where))

    # -- plain structures and files -------------------------------------------------------------

    def records(self, where: str | None = None) -> list[dict[str, Any]]:
        """One flat dict per case: id, title, parent, then every coded variable (lists for
        multi-valued variables, "unknown" where the paper is silent). The rows of `to_csv`;
        `pandas.DataFrame(records)` makes a data frame of them.

        >>> with open_case_base() as cases:
        ...     row = cases.records("country = Jamaica")[0]
        ...     row["id"], row["group_type"]
        ('jamaica-august-town-truce-2008', ['gang'])
        """
        from parley.interchange.case_csv import case_record

        codebook = self._parley().codebook
        return [case_record(case, codebook) for case in self.export(where)]

    def to_csv(self, where: str | None = None, path: str | os.PathLike[str] | None = None
               ) -> str:
        """The cases as CSV (as `parley cases export --format csv`), also written to `path`.

        >>> with open_case_base() as cases:
        ...     cases.to_csv("country = Jamaica").splitlines()[0][:24]
        'id,title,parent,country,'
        """
        from parley.interchange.case_csv import cases_to_csv

        text = cases_to_csv(self.export(where), self._parley().codebook)
        if path is not None:
            _write(path, text.encode())
        return text

    def to_json(self, where: str | None = None, path: str | os.PathLike[str] | None = None
                ) -> str:
        """The cases as a JSON list in the case-file shape (as `parley cases export`), which
        `parley cases import` reads back; also written to `path`.

        >>> import json
        >>> with open_case_base() as cases:
        ...     json.loads(cases.to_json("country = Jamaica"))[0]["values"]["country"]["value"]
        'Jamaica'
        """
        from parley.interchange.case_csv import cases_to_json

        text = cases_to_json(self.export(where))
        if path is not None:
            _write(path, text.encode())
        return text

    # -- assessment -----------------------------------------------------------------------------

    def assess(self, scenario: Mapping[str, Any] | str | os.PathLike[str]) -> Assessment:
        """Assess a scenario against the cases: a mapping (the scenario file's keys), or the path
        of a YAML/JSON scenario file. `summary` is the brief's front page (verdict, top risks,
        next actions); `outlook`, `findings`, `similar_cases` and `checklist` the rest.

        Raises:
            ValidationFailed: naming the file and line (or the key), the value and the codes
                allowed.

        >>> with open_case_base() as cases:
        ...     brief = cases.assess({"group_type": ["gang"], "cohesion": "high"})
        ...     brief.summary.verdict in ("talk-now", "prepare-first", "wait")
        True
        """
        codebook = self._parley().codebook
        if isinstance(scenario, Mapping):
            from parley.domain.scenario import parse_scenario

            parsed = parse_scenario(dict(scenario), codebook, file="scenario")
        else:
            from parley.interchange.scenario_file import read_scenario

            parsed = read_scenario(Path(scenario), codebook)
        return self._parley().assessments.assess(parsed, self._reader)

    @overload
    def render(self, assessment: Assessment, format: Literal["md", "html"] = ..., *,
               paper: PaperSize = ..., path: str | os.PathLike[str] | None = ...) -> str: ...

    @overload
    def render(self, assessment: Assessment, format: Literal["pdf", "docx"], *,
               paper: PaperSize = ..., path: str | os.PathLike[str] | None = ...) -> bytes: ...

    def render(self, assessment: Assessment, format: BriefFormat = "md", *,
               paper: PaperSize = "A4", path: str | os.PathLike[str] | None = None
               ) -> str | bytes:
        """The brief as Markdown or HTML (text) or PDF or DOCX (bytes), as `parley assess
        --format` makes it; also written to `path` when given. `paper` is A4 or Letter.

        >>> with open_case_base() as cases:
        ...     brief = cases.assess({"group_type": ["gang"]})
        ...     cases.render(brief, "pdf")[:5], cases.render(brief, "md").startswith("#")
        (b'%PDF-', True)
        """
        if format not in BRIEF_FORMATS:
            raise InvalidInput(f"format {format!r}: use one of {', '.join(BRIEF_FORMATS)}")
        if paper not in PAPER_SIZES:
            raise InvalidInput(f"paper {paper!r}: use one of {', '.join(PAPER_SIZES)}")
        app = self._parley()
        titles = {case.id: case.title for case in self.export()}
        data: str | bytes
        if format == "md":
            from parley.render.brief import render_markdown

            data = render_markdown(assessment, app.codebook, titles)
        elif format == "html":
            from parley.render.brief import render_html

            data = render_html(assessment, app.codebook, titles, page_size=paper)
        elif format == "pdf":
            from parley.render.documents import render_pdf

            data = render_pdf(assessment, app.codebook, titles, page_size=paper)
        else:
            from parley.render.documents import render_docx

            data = render_docx(assessment, app.codebook, titles, page_size=paper)
        if path is not None:
            _write(path, data.encode() if isinstance(data, str) else data)
        return data

    def evaluate(self) -> Evaluation:
        """How well the outlook predicts outcomes of cases it has not seen, as `parley evaluate`
        reports it: leave-one-out and leave-one-country-out scores of the method in use and of
        its baselines (lower Brier and RPS are better).

        >>> with open_case_base() as cases:
        ...     result = cases.evaluate()
        ...     outlook = result.score(result.method)
        ...     outlook.brier < result.score("uniform").brier
        True
        """
        return self._parley().assessments.evaluate()

    # -- QCA ------------------------------------------------------------------------------------

    def qca_sets(self) -> dict[str, dict[str, str]]:
        """The conditions and outcomes `qca` can use (name -> label), defined over codebook
        variables in knowledge/qca-conditions.yaml.

        >>> with open_case_base() as cases:
        ...     "LASTING" in cases.qca_sets()["outcomes"]
        True
        """
        from parley.knowledge.qca_mapping import load_default_mapping

        mapping = load_default_mapping(self._parley().codebook)
        return {"conditions": {n: d.label for n, d in mapping.conditions.items()},
                "outcomes": {n: d.label for n, d in mapping.outcomes.items()}}

    def qca(self, conditions: Sequence[str], outcome: str = "LASTING", *,
            options: QcaOptions | None = None, where: str | None = None,
            unknown_as_absent: bool = False, with_parents: bool = False) -> CaseQcaRun:
        """QCA over the case base, as `parley qca cases`: each case a row of crisp sets.

        Args:
            conditions: names from `qca_sets()["conditions"]`.
            outcome: a name from `qca_sets()["outcomes"]`; `~NAME` explains its negation.
            options: cuts, remainders, directional expectations, necessity (as the CLI's).
            where: only cases matching this filter.
            unknown_as_absent: count an unknown membership as 0 instead of leaving the case
                out (left-out cases are listed in `result["unknown"]`).
            with_parents: also count parent cases beside their sub-cases.

        Returns:
            the crisp table, and the result in the QCA JSON shape of docs/qca.md.

        >>> with open_case_base() as cases:
        ...     run = cases.qca(["MED", "GOV"], "LASTING")
        ...     sorted(run.result["solutions"])
        ['conservative']
        """
        from parley.analysis.qca import Options
        from parley.knowledge.qca_mapping import load_default_mapping
        from parley.services.analysis import ComparativeAnalysis

        mapping = load_default_mapping(self._parley().codebook)
        return ComparativeAnalysis(self._catalogue).qca_on_cases(
            {**mapping.conditions, **mapping.outcomes}, list(conditions), outcome,
            options or Options(), where=where, unknown_as_absent=unknown_as_absent,
            leaves_only=not with_parents)


def run_qca(data: str | os.PathLike[str] | bytes, outcome: str, conditions: Sequence[str], *,
            case_id: str | None = None, multi_value: Sequence[str] = (),
            options: QcaOptions | None = None) -> QcaResult:
    """QCA on a calibrated CSV (crisp 0/1 or fuzzy [0, 1]), as `parley qca --data`.

    Args:
        data: the CSV file's path, or its content as bytes.
        outcome: the outcome column; `~NAME` explains its negation.
        conditions: the condition columns.
        case_id: the column naming the cases (default: row numbers).
        multi_value: conditions with values 0, 1, 2, ... (mvQCA, as `--multi-value`); a term
            names a value as `DEV[2]`.
        options: cuts, remainders, directional expectations, necessity (as the CLI's).

    Raises:
        InvalidInput: (ValidationFailed, or a QCA input error) naming the file, line and column.

    >>> csv = b"CASE,A,B,OUT\\nc1,1,1,1\\nc2,1,0,1\\nc3,0,1,0\\nc4,0,0,0\\n"
    >>> result = run_qca(csv, "OUT", ["A", "B"], case_id="CASE")
    >>> to_dict(result)["solutions"]["conservative"]["models"][0]["expression"]
    'A'
    """
    from parley.analysis.qca import Options, analyse
    from parley.interchange.set_table import read_set_data

    if isinstance(data, bytes):
        content, name = data, "data"
    else:
        path = Path(data)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from exc
        name = str(path)
    table = read_set_data(content, name, outcome=outcome, conditions=list(conditions),
                          case_id=case_id, multi_value=list(multi_value))
    return analyse(table, options or Options())


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_dict(result: Any) -> dict[str, Any]:
    """Any result of this module as plain dicts, lists, strings and numbers (JSON-ready):
    a `Case` and an `Assessment` in their JSON shapes of the API, an `Evaluation` as `parley
    evaluate --format json`, a QCA result as `parley qca --format json`, a `CaseSummary` or a
    `Comparison` field by field.

    >>> with open_case_base() as cases:
    ...     sorted(to_dict(cases.get("jamaica-august-town-truce-2008")))
    ['country', 'id', 'parent', 'summary', 'title', 'values']
    """
    from parley.domain.assessment import assessment_to_dict
    from parley.domain.case import case_to_dict

    if isinstance(result, Case):
        return case_to_dict(result)
    if isinstance(result, Assessment):
        return assessment_to_dict(result)
    if isinstance(result, Comparison):
        return {"cases": [case_to_dict(c) for c in result.cases],
                "differing": list(result.differing)}
    if isinstance(result, CaseSummary):
        return {f.name: _plain(getattr(result, f.name)) for f in fields(result)}
    if is_dataclass(result) and not isinstance(result, type):
        from parley.analysis.evaluate import Evaluation, evaluation_to_dict
        from parley.analysis.qca import QCAResult, result_to_json
        from parley.services.analysis import CaseQcaRun

        if isinstance(result, Evaluation):
            return evaluation_to_dict(result)
        if isinstance(result, QCAResult):
            return result_to_json(result)
        if isinstance(result, CaseQcaRun):
            return dict(result.result)
    raise TypeError(f"to_dict takes a result of parley.api (Case, Assessment, Comparison, "
                    f"CaseSummary, Evaluation, QcaResult, CaseQcaRun), not {type(result).__name__}")

