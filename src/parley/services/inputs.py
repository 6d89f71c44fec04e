"""What users hand Parley, parsed: the front ends' one door to the file formats.

The web and the command line receive the same things (case files, JSON bodies, scenario files,
indicator CSVs) as bytes or paths; both parse them here, with the same limits and the same
errors naming file, line and field, so an upload and a file on disk are refused alike.
"""

from __future__ import annotations

from parley.interchange.documents import (
    parse_document,
    parse_json_body,
    read_document,
)
from parley.interchange.indicator_csv import parse_indicator_text, read_indicator_file
from parley.interchange.scenario_file import read_scenario

__all__ = [
    "parse_document",
    "parse_indicator_text",
    "parse_json_body",
    "read_document",
    "read_indicator_file",
    "read_scenario",
]
