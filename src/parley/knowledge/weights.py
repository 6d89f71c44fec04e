"""Load `similarity-weights.yaml`: one weight, with its reason, for every scenario variable."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from parley.analysis.similarity import SimilarityWeights, VariableWeight
from parley.domain.codebook import Codebook, VarType
from parley.domain.errors import ConfigurationError, ValidationFailed
from parley.interchange.documents import parse_document
from parley.knowledge.loader import _package_file

WEIGHTS_FILE = "similarity-weights.yaml"


def weights_from_data(data: Any, codebook: Codebook, name: str = WEIGHTS_FILE) -> SimilarityWeights:
    """Validate the weights data strictly: every scenario variable, nothing else, each explained.

    Raises:
        ConfigurationError: naming the file and the variable that is wrong.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("variables"), Mapping):
        raise ConfigurationError(f"{name}: expected a mapping with 'variables'")
    extra = set(data) - {"version", "min_compared", "variables"}
    if extra:
        raise ConfigurationError(f"{name}: unknown top-level key(s) {sorted(extra)}")
    min_compared = data.get("min_compared", 1)
    if not isinstance(min_compared, int) or isinstance(min_compared, bool) or min_compared < 1:
        raise ConfigurationError(f"{name}: min_compared must be a whole number of at least 1")
    scenario = {v.name: v for v in codebook.scenario_variables}
    raw_vars: Mapping[str, Any] = data["variables"]
    unknown = [k for k in raw_vars if k not in scenario]
    if unknown:
        raise ConfigurationError(f"{name}: not scenario variables: {', '.join(map(str, unknown))}")
    missing = [k for k in scenario if k not in raw_vars]
    if missing:
        raise ConfigurationError(f"{name}: no weight for: {', '.join(missing)}")
    out: dict[str, VariableWeight] = {}
    for key, entry in raw_vars.items():
        where = f"{name}: variable '{key}'"
        if not isinstance(entry, Mapping) or set(entry) - {"weight", "reason", "scale"}:
            raise ConfigurationError(f"{where}: expected {{weight, reason[, scale]}}")
        weight, reason, scale = entry.get("weight"), entry.get("reason"), entry.get("scale")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise ConfigurationError(f"{where}: weight must be a number >= 0")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigurationError(f"{where}: every weight needs a reason")
        is_int = scenario[key].type is VarType.INTEGER
        if is_int and (isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0):
            raise ConfigurationError(f"{where}: an integer variable needs a scale > 0")
        if not is_int and scale is not None:
            raise ConfigurationError(f"{where}: only integer variables take a scale")
        out[str(key)] = VariableWeight(float(weight), reason.strip(),
                                       float(scale) if scale is not None else None)
    return SimilarityWeights(out, min_compared)


@cache
def _raw_weights() -> Any:
    try:
        data, _ = parse_document(_package_file(WEIGHTS_FILE).read_bytes(), WEIGHTS_FILE)
    except ValidationFailed as exc:
        raise ConfigurationError(f"broken knowledge file: {exc}") from exc
    return data


def load_similarity_weights(codebook: Codebook) -> SimilarityWeights:
    """The bundled similarity weights, validated against the codebook."""
    return weights_from_data(_raw_weights(), codebook)
