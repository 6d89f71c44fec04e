"""Load the mapping from codebook variables to QCA conditions and outcomes (qca-conditions.yaml).

Also `qca_adapters`: this mapping and the CSV tables of `interchange.set_table`, as the ports
`services.qca` needs (it sits below both in the layers, so the wiring hands them over).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from parley.domain.codebook import Codebook
from parley.domain.comparison import SetDefinition
from parley.domain.errors import InvalidInput, Problem, QuerySyntaxError, ValidationFailed
from parley.domain.query import parse
from parley.interchange.documents import parse_document

if TYPE_CHECKING:
    from parley.services.qca import QcaAdapters

NAME_KEYS = ("label", "present_when", "why")


@dataclass(frozen=True)
class QcaMapping:
    conditions: Mapping[str, SetDefinition]
    outcomes: Mapping[str, SetDefinition]


def mapping_from_data(data: Any, codebook: Codebook, name: str) -> QcaMapping:
    """Validate a mapping document; errors name the file, the entry and the query token."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ValidationFailed([Problem("expected a mapping with conditions and outcomes", name)])
    sections: dict[str, dict[str, SetDefinition]] = {"conditions": {}, "outcomes": {}}
    for section in sections:
        entries = data.get(section)
        if not isinstance(entries, Mapping) or not entries:
            problems.append(Problem(f"'{section}' must map NAME to {{label, present_when}}", name))
            continue
        for key, entry in entries.items():
            if not isinstance(key, str) or not key.isidentifier() or not key.isupper():
                problems.append(Problem(f"set name {key!r} must be an UPPERCASE identifier", name,
                                        field=f"{section}.{key}"))
                continue
            if not isinstance(entry, Mapping) or not isinstance(entry.get("present_when"), str):
                problems.append(Problem("needs a present_when query", name, field=f"{section}.{key}"))
                continue
            extra = set(entry) - set(NAME_KEYS)
            if extra:
                problems.append(Problem(f"unknown keys {sorted(extra)}; allowed: {', '.join(NAME_KEYS)}",
                                        name, field=f"{section}.{key}"))
            try:
                node = parse(entry["present_when"], codebook)
            except QuerySyntaxError as exc:
                problems.append(Problem(str(exc), name, field=f"{section}.{key}"))
                continue
            sections[section][key] = SetDefinition(key, str(entry.get("label", key)), node,
                                                   entry["present_when"], str(entry.get("why", "")))
    clash = set(sections["conditions"]) & set(sections["outcomes"])
    if clash:
        problems.append(Problem(f"names used as both condition and outcome: {sorted(clash)}", name))
    if problems:
        raise ValidationFailed(problems)
    return QcaMapping(sections["conditions"], sections["outcomes"])


def load_default_mapping(codebook: Codebook) -> QcaMapping:
    ref = resources.files("parley.knowledge").joinpath("qca-conditions.yaml")
    data, _ = parse_document(ref.read_bytes(), "qca-conditions.yaml")
    return mapping_from_data(data, codebook, "qca-conditions.yaml")


def load_mapping_bytes(raw: bytes, name: str, codebook: Codebook) -> QcaMapping:
    data, _ = parse_document(raw, name)
    return mapping_from_data(data, codebook, name)


def qca_adapters(codebook: Callable[[], Codebook]) -> QcaAdapters:
    """The QCA service's ports: the CSV reader and calibrator, the default mapping and a user's
    mapping file. ``codebook`` is called only when a mapping is needed (a CSV run needs none)."""
    from parley.interchange.set_table import calibrate_specs, read_set_data
    from parley.services.qca import QcaAdapters

    return QcaAdapters(
        read_set_table=read_set_data,
        calibrate=calibrate_specs,
        default_mapping=lambda: load_default_mapping(codebook()),
        load_mapping=lambda raw, name: load_mapping_bytes(raw, name, codebook()),
    )


__all__ = ["InvalidInput", "QcaMapping", "load_default_mapping", "load_mapping_bytes",
           "mapping_from_data", "qca_adapters"]
