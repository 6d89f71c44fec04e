"""Case-base reads: browse, search, compare, export, as one reader sees the case base.

`CaseCatalogue.seen_by(reader)` answers for one reader (an account, anonymous, or the operator);
the catalogue the app is built with answers for anonymous readers. Changes go through
`services.curation.CaseCuration`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from parley.domain.access import ANONYMOUS, CaseReader
from parley.domain.case import Case, parse_case
from parley.domain.codebook import Codebook
from parley.domain.errors import InvalidInput, NotFound, Problem, ValidationFailed
from parley.domain.listing import CasePage, StoredCase
from parley.domain.query import And, Has, In, Node, parse
from parley.domain.source import SourceText
from parley.services.ports import CaseStore

DEFAULT_FACETS = ("region", "group_type", "initiator", "mediator_type", "secrecy", "outcome_class")
COMPARE_MIN, COMPARE_MAX = 2, 4
SEARCH_PAGE = 1000  # the store's largest page

# (raw document, key-path locator) for one file; `Locator` is as in domain.case
RawDocument = tuple[object, Callable[[tuple[str | int, ...]], int | None]]


@dataclass(frozen=True)
class Comparison:
    """Two to four cases side by side, and the coded variables on which they differ."""

    cases: tuple[Case, ...]
    differing: tuple[str, ...]  # variables whose values differ between the cases


def _indexed(
    locate: Callable[[tuple[str | int, ...]], int | None], index: int
) -> Callable[[tuple[str | int, ...]], int | None]:
    """A locator for the `index`-th case of a file holding a list of cases."""
    return lambda path: locate((index, *path))


class CaseCatalogue:
    """The case base as one reader sees it (`reader`; anonymous unless `seen_by` says)."""

    def __init__(self, store: CaseStore, codebook: Codebook,
                 sources: Mapping[str, SourceText] | None = None,
                 reader: CaseReader = ANONYMOUS) -> None:
        self._store = store
        self.codebook = codebook
        self.sources = sources if isinstance(sources, dict) else dict(sources or {})
        self.reader = reader

    def seen_by(self, reader: CaseReader) -> CaseCatalogue:
        """The same case base as `reader` sees it."""
        return CaseCatalogue(self._store, self.codebook, self.sources, reader)

    def parse_where(self, where: str | None) -> Node | None:
        return parse(where, self.codebook) if where and where.strip() else None

    def facet_filters(self, raw: Sequence[str]) -> tuple[dict[str, list[str]], Node | None]:
        """Ticked `variable:code` pairs -> the codes ticked per variable and the filter they
        make (OR within a variable, AND across variables); bad input names the pair."""
        selected: dict[str, list[str]] = {}
        for item in raw:
            name, _, code = item.partition(":")
            var = self.codebook.get(name)
            if var is None or not var.coded or not var.type.has_codes or code not in var.codes:
                raise InvalidInput(f"filter '{item}' is not variable:code with a codebook code")
            if code not in selected.setdefault(name, []):
                selected[name].append(code)
        nodes: list[Node] = [
            Has(name, "any", tuple(codes)) if self.codebook[name].type.is_list
            else In(name, tuple(codes)) for name, codes in selected.items()]
        return selected, all_of(*nodes)

    def check_facets(self, names: Sequence[str]) -> None:
        """Facets are counted for coded variables with codes only; anything else is named."""
        for name in names:
            var = self.codebook.get(name)
            if var is None or not var.coded or not var.type.has_codes:
                raise InvalidInput(f"facet '{name}' is not a coded variable with codes")

    def browse(self, where: str | None = None, search: str | None = None, *, limit: int = 50,
               offset: int = 0, facets: Sequence[str] = ()) -> CasePage:
        return self.list_cases(self.parse_where(where), search, limit=limit, offset=offset,
                               facets=facets)

    def list_cases(self, where: Node | None = None, search: str | None = None, *,
                   limit: int = 50, offset: int = 0, facets: Sequence[str] = ()) -> CasePage:
        return self._store.list_cases(where, search, limit=limit, offset=offset, facets=facets,
                                     reader=self.reader)

    def get(self, case_id: str) -> StoredCase:
        """The case; NotFound when the reader may not see it (as if it did not exist)."""
        return self._store.get(case_id, reader=self.reader)

    def titles(self, ids: Sequence[str]) -> dict[str, str]:
        """Id -> title of those of `ids` the reader may see, in order (others left out, as if
        they did not exist): for a selection carried in a link, which anyone can edit."""
        out: dict[str, str] = {}
        for case_id in dict.fromkeys(ids):
            try:
                out[case_id] = self.get(case_id).case.title
            except NotFound:
                continue
        return out

    def children(self, case_id: str) -> list[str]:
        return self._store.children(case_id, reader=self.reader)

    def count(self) -> int:
        return self._store.count(reader=self.reader)

    def compare(self, ids: Sequence[str]) -> Comparison:
        unique = list(dict.fromkeys(ids))
        if not COMPARE_MIN <= len(unique) <= COMPARE_MAX:
            raise InvalidInput(f"compare takes {COMPARE_MIN} to {COMPARE_MAX} distinct case ids; "
                               f"got {len(unique)}")
        cases = tuple(self.get(i).case for i in unique)
        differing = tuple(
            v.name for v in self.codebook.coded
            if len({repr(c.values[v.name].value) for c in cases}) > 1
        )
        return Comparison(cases, differing)

    def export(self, where: str | None = None) -> list[Case]:
        return self._store.all_cases(self.parse_where(where), reader=self.reader)

    def select(self, where: Node | None = None, search: str | None = None) -> list[Case]:
        """Every case the list would show for `where` and `search` (all pages), whole."""
        cases = self._store.all_cases(where, reader=self.reader)
        if not search:
            return cases
        found: set[str] = set()
        while True:  # the store pages a search at most SEARCH_PAGE ids at a time
            page = self.list_cases(where, search, limit=SEARCH_PAGE, offset=len(found))
            found |= {item.id for item in page.items}
            if not page.items or len(found) >= page.total:
                break
        return [c for c in cases if c.id in found]

    def parse_documents(self, documents: Sequence[tuple[str, RawDocument]]) -> list[Case]:
        """Validate every case in every document; raise all problems together."""
        cases: list[Case] = []
        problems: list[Problem] = []
        for name, (raw, locate) in documents:
            items: list[tuple[object, Callable[[tuple[str | int, ...]], int | None]]]
            if isinstance(raw, list):
                if not raw:
                    problems.append(Problem("the file holds an empty list of cases", name))
                items = [(item, _indexed(locate, i)) for i, item in enumerate(raw)]
            else:
                items = [(raw, locate)]
            for item, loc in items:
                try:
                    cases.append(parse_case(item, self.codebook, file=name, locate=loc,
                                            sources=self.sources))
                except ValidationFailed as exc:
                    problems.extend(exc.problems)
        if problems:
            raise ValidationFailed(problems)
        if not cases:
            raise InvalidInput("no cases to import")
        return cases


def all_of(*nodes: Node | None) -> Node | None:
    """The filters that are there, all required (None when there is none)."""
    present = [n for n in nodes if n is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else And(tuple(present))
