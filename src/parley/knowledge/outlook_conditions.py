"""Load `outlook-conditions.yaml`: the outlook's thresholds and the paper's conditions for
durable results, validated strictly against the codebook (and the paper, when given)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from parley.analysis.conditions import Condition, OutlookSettings
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, QuerySyntaxError, ValidationFailed
from parley.domain.evidence import Citation
from parley.domain.query import Node, parse
from parley.domain.source import QuoteChecker
from parley.interchange.documents import parse_document
from parley.knowledge.loader import _package_file

CONDITIONS_FILE = "outlook-conditions.yaml"
TOP_KEYS = ("version", "min_known", "min_similarity", "prior_sd", "conditions")
CONDITION_KEYS = ("label", "present_when", "absent_when", "why", "citations")
DEFAULT_SOURCE = "ifit-2021"


def _number(data: Mapping[str, Any], key: str, name: str, low: float, high: float,
            integer: bool = False) -> float:
    value = data.get(key)
    number = isinstance(value, int) if integer else isinstance(value, int | float)
    if not number or isinstance(value, bool) or not low <= value <= high:  # type: ignore[operator]
        kind = "a whole number" if integer else "a number"
        raise ConfigurationError(f"{name}: '{key}' must be {kind} from {low:g} to {high:g}, "
                                 f"not {value!r}")
    return float(value)  # type: ignore[arg-type]


def _query(text: object, where: str, codebook: Codebook) -> Node:
    if not isinstance(text, str) or not text.strip():
        raise ConfigurationError(f"{where}: expected a query (docs/query-language.md)")
    allowed = [v.name for v in codebook.scenario_variables]
    try:
        return parse(text, codebook, allowed)
    except QuerySyntaxError as exc:
        raise ConfigurationError(f"{where}: {exc.reason} (at character {exc.position + 1} of "
                                 f"{text!r})") from exc


def _citations(raw: object, where: str, sources: Mapping[str, QuoteChecker] | None
               ) -> tuple[Citation, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError(f"{where}: citations must be a non-empty list of "
                                 "{section, quote}")
    out: list[Citation] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping) or set(item) - {"source", "section", "quote"}:
            raise ConfigurationError(f"{at}: expected {{section, quote[, source]}}")
        source, section, quote = (item.get("source", DEFAULT_SOURCE), item.get("section"),
                                  item.get("quote"))
        if not (isinstance(source, str) and isinstance(section, str) and section.strip()
                and isinstance(quote, str) and quote.strip()):
            raise ConfigurationError(f"{at}: a citation needs a section and a quote")
        citation = Citation(source, section, " ".join(quote.split()))
        text = (sources or {}).get(source)
        problem = text.problem(citation) if text is not None else None
        if problem:
            raise ConfigurationError(f"{at}: {problem}")
        out.append(citation)
    return tuple(out)


def settings_from_data(data: Any, codebook: Codebook, name: str = CONDITIONS_FILE,
                       sources: Mapping[str, QuoteChecker] | None = None) -> OutlookSettings:
    """Validate the conditions file; any error names the file, the condition and the key.

    Raises:
        ConfigurationError: naming what is wrong and what is allowed.
    """
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"{name}: expected a mapping with keys {', '.join(TOP_KEYS)}")
    extra = [str(k) for k in data if k not in TOP_KEYS]
    if extra:
        raise ConfigurationError(f"{name}: unknown key(s) {', '.join(extra)}; allowed: "
                                 + ", ".join(TOP_KEYS))
    min_known = int(_number(data, "min_known", name, 0, len(codebook.scenario_variables), True))
    min_similarity = _number(data, "min_similarity", name, 0.0, 1.0)
    prior_sd = _number(data, "prior_sd", name, 0.01, 10.0)
    raw = data.get("conditions")
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigurationError(f"{name}: 'conditions' must map a name to "
                                 f"{{{', '.join(CONDITION_KEYS)}}}")
    conditions: list[Condition] = []
    for key, entry in raw.items():
        where = f"{name}: condition '{key}'"
        if not isinstance(key, str) or not key.isidentifier():
            raise ConfigurationError(f"{where}: a condition's name must be an identifier")
        if not isinstance(entry, Mapping):
            raise ConfigurationError(f"{where}: expected {{{', '.join(CONDITION_KEYS)}}}")
        wrong = sorted(set(map(str, entry)) ^ set(CONDITION_KEYS))
        if wrong:
            raise ConfigurationError(f"{where}: missing or unknown key(s) {', '.join(wrong)}; "
                                     f"expected exactly {', '.join(CONDITION_KEYS)}")
        label, why = entry["label"], entry["why"]
        if not (isinstance(label, str) and label.strip() and isinstance(why, str)
                and why.strip()):
            raise ConfigurationError(f"{where}: label and why must be non-empty text")
        conditions.append(Condition(
            key, label.strip(),
            _query(entry["present_when"], f"{where}: present_when", codebook),
            _query(entry["absent_when"], f"{where}: absent_when", codebook),
            why.strip(), _citations(entry["citations"], f"{where}: citations", sources)))
    return OutlookSettings(tuple(conditions), min_known, min_similarity, prior_sd)


@cache
def _raw() -> Any:
    try:
        data, _ = parse_document(_package_file(CONDITIONS_FILE).read_bytes(), CONDITIONS_FILE)
    except ValidationFailed as exc:
        raise ConfigurationError(f"broken knowledge file: {exc}") from exc
    return data


def condition_names() -> tuple[str, ...]:
    """The names of the paper's conditions for durable results, as the file lists them."""
    return tuple(_raw()["conditions"])


def load_outlook_settings(codebook: Codebook,
                          sources: Mapping[str, QuoteChecker] | None = None) -> OutlookSettings:
    """The bundled outlook settings, validated against the codebook (and `sources`, if given)."""
    return settings_from_data(_raw(), codebook, CONDITIONS_FILE, sources)
