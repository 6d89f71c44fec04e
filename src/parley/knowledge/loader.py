"""Load and validate the bundled knowledge: codebook, sources, cases."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from parley.domain.case import Case, check_parents, parse_case
from parley.domain.codebook import Codebook, Variable, VarType
from parley.domain.errors import ConfigurationError, Problem, ValidationFailed
from parley.domain.source import QuoteChecker, SourceText
from parley.interchange.documents import parse_document

DEFAULT_SOURCES_DIR = "../shared/sources"


def _package_file(*parts: str) -> resources.abc.Traversable:
    return resources.files("parley.knowledge").joinpath(*parts)


def _read(parts: tuple[str, ...]) -> Any:
    ref = _package_file(*parts)
    try:
        data, _ = parse_document(ref.read_bytes(), "/".join(parts))
    except ValidationFailed as exc:
        raise ConfigurationError(f"broken knowledge file: {exc}") from exc
    return data


def codebook_from_data(data: Any, name: str = "codebook.yaml") -> Codebook:
    """Build the codebook from its YAML data; a broken codebook is a ConfigurationError."""
    if not isinstance(data, Mapping) or not isinstance(data.get("groups"), list):
        raise ConfigurationError(f"{name}: expected a mapping with a list of groups")
    variables: list[Variable] = []
    for group in data["groups"]:
        if not isinstance(group, Mapping) or not isinstance(group.get("variables"), list):
            raise ConfigurationError(f"{name}: every group needs a name and a list of variables")
        for raw in group["variables"]:
            if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
                raise ConfigurationError(f"{name}: group '{group.get('name')}': variable without name")
            unknown = set(raw) - {"name", "label", "type", "definition", "codes", "ordered", "scenario",
                                   "coded"}
            if unknown:
                raise ConfigurationError(f"{name}: variable '{raw['name']}': unknown keys {sorted(unknown)}")
            try:
                vtype = VarType(str(raw.get("type")))
            except ValueError as exc:
                raise ConfigurationError(
                    f"{name}: variable '{raw['name']}': type {raw.get('type')!r} is not one of "
                    + ", ".join(t.value for t in VarType)
                ) from exc
            codes = raw.get("codes") or {}
            if not isinstance(codes, Mapping):
                raise ConfigurationError(f"{name}: variable '{raw['name']}': codes must be a mapping")
            variables.append(Variable(
                name=raw["name"],
                type=vtype,
                definition=str(raw.get("definition") or ""),
                group=str(group.get("name")),
                codes={("yes" if k is True else "no" if k is False else str(k)): str(v or "")
                       for k, v in codes.items()},
                ordered=bool(raw.get("ordered", False)),
                scenario=bool(raw.get("scenario", False)),
                coded=bool(raw.get("coded", True)),
                label=" ".join(str(raw.get("label") or "").split()),
            ))
    return Codebook(int(data.get("version", 1)), str(data.get("source", "")), tuple(variables))


@cache
def load_codebook() -> Codebook:
    """The bundled codebook, validated (cached: it is immutable)."""
    return codebook_from_data(_read(("codebook.yaml",)))


@dataclass(frozen=True)
class SourceMeta:
    id: str
    title: str
    authors: tuple[str, ...]
    year: int
    file: str
    sections: tuple[str, ...]
    publisher: str = ""


@cache
def load_sources() -> dict[str, SourceMeta]:
    data = _read(("sources.yaml",))
    out: dict[str, SourceMeta] = {}
    for raw in data["sources"]:
        out[raw["id"]] = SourceMeta(raw["id"], raw["title"], tuple(raw.get("authors", ())),
                                    int(raw["year"]), raw["file"], tuple(raw["sections"]),
                                    str(raw.get("publisher", "")))
    return out


def sources_dir() -> Path:
    return Path(os.environ.get("PARLEY_SOURCES") or DEFAULT_SOURCES_DIR)


def load_source_texts(directory: Path | None = None, *, required: bool = False) -> dict[str, SourceText]:
    """Source texts found in `directory` (default PARLEY_SOURCES), keyed by source id.

    Missing texts are skipped unless `required`, when they raise ConfigurationError.
    """
    directory = directory or sources_dir()
    out: dict[str, SourceText] = {}
    for meta in load_sources().values():
        path = directory / meta.file
        if not path.is_file():
            if required:
                raise ConfigurationError(
                    f"source text '{meta.id}' not found at {path}; set PARLEY_SOURCES to the folder "
                    f"holding {meta.file}"
                )
            continue
        out[meta.id] = SourceText.from_text(meta.id, path.read_text(encoding="utf-8"), meta.sections)
    return out


def bundled_case_files() -> list[resources.abc.Traversable]:
    folder = _package_file("cases")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


def bundled_digest() -> str:
    """A digest of the bundled case files, the codebook and the release: while it is the one
    recorded at the last sync (and the case base has not changed since), syncing again would
    change nothing, so it is skipped without parsing the files."""
    from parley import __version__

    digest = hashlib.sha256(__version__.encode())
    for ref in [_package_file("codebook.yaml"), *bundled_case_files()]:
        digest.update(ref.name.encode() + b"\0" + ref.read_bytes() + b"\0")
    return digest.hexdigest()


def parse_case_bytes(
    data: bytes, name: str, codebook: Codebook, sources: Mapping[str, QuoteChecker] | None = None
) -> Case:
    raw, locate = parse_document(data, name)
    return parse_case(raw, codebook, file=name, locate=locate, sources=sources)


def load_bundled_cases(
    codebook: Codebook | None = None, sources: Mapping[str, QuoteChecker] | None = None
) -> list[Case]:
    """Every bundled case, validated; any problem is a ConfigurationError naming file and line."""
    codebook = codebook or load_codebook()
    cases: list[Case] = []
    problems: list[Problem] = []
    for ref in bundled_case_files():
        name = f"cases/{ref.name}"
        try:
            case = parse_case_bytes(ref.read_bytes(), name, codebook, sources)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        if case.id + ".yaml" != ref.name:
            problems.append(Problem(f"id '{case.id}' differs from the file name", name))
        cases.append(case)
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            problems.append(Problem("duplicate id", case=case.id))
        seen.add(case.id)
    problems.extend(check_parents(cases, set()))
    if problems:
        raise ConfigurationError("bundled cases are invalid:\n" + str(ValidationFailed(problems)))
    return cases
