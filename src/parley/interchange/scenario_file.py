"""Read scenario files (YAML or JSON) into validated Scenarios, with errors naming file and line."""

from __future__ import annotations

from pathlib import Path

from parley.domain.codebook import Codebook
from parley.domain.scenario import Scenario, parse_scenario
from parley.interchange.documents import parse_document, read_document


def read_scenario(path: Path, codebook: Codebook) -> Scenario:
    """Read and validate a scenario file.

    Raises:
        ValidationFailed: naming the file, line, key, value and the allowed codes.
    """
    raw, locate = read_document(path)
    return parse_scenario(raw, codebook, file=str(path), locate=locate)


def parse_scenario_bytes(data: bytes, name: str, codebook: Codebook) -> Scenario:
    """Validate a scenario given as bytes (an upload or a request body)."""
    raw, locate = parse_document(data, name)
    return parse_scenario(raw, codebook, file=name, locate=locate)
